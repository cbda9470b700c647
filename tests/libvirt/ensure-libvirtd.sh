#!/bin/bash
# Start virtlogd and libvirtd by hand (no systemd on CI) unless they already run; wait until
# virsh answers. Used by the real-libvirt suites.
set -u
pgrep -x virtlogd >/dev/null || virtlogd -d
if ! pgrep -x libvirtd >/dev/null; then
	libvirtd -d
fi
for _ in $(seq 1 100); do
	virsh -c qemu:///system version >/dev/null 2>&1 && exit 0
	sleep 0.1
done
echo "x4-sriov tests: libvirtd did not answer on qemu:///system after 10 s" >&2
exit 1
