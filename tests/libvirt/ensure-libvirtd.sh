#!/bin/bash
# Start virtlogd and libvirtd by hand (no systemd on CI) unless they already run; wait until
# virsh answers. Used by the real-libvirt suites.
set -u
# --restart: libvirtd decides at start-up which hook scripts exist, so a suite that just
# installed one restarts it.
# Without udev, /dev/kvm stays root-only: libvirt then finds KVM gone after each probe and
# probes QEMU again on every call (minutes). Debian's udev rule makes it root:kvm 0660.
if [ -c /dev/kvm ] && getent group kvm >/dev/null; then
	chgrp kvm /dev/kvm && chmod 0660 /dev/kvm
fi
# The daemons outlive this script: start them with no descriptor but stdio, so they never hold
# a caller's lock (a suite run under `flock FILE` would otherwise keep FILE locked for good).
daemon() { (for fd in /proc/self/fd/*; do fd=${fd##*/}; [ "$fd" -gt 2 ] && eval "exec $fd>&-"; done; exec "$@"); }
pgrep -x virtlogd >/dev/null || daemon virtlogd -d
if [ "${1:-}" = --restart ] && pgrep -x -r R,S,D libvirtd >/dev/null; then
	pkill -x libvirtd
	for _ in $(seq 1 300); do pgrep -x -r R,S,D libvirtd >/dev/null || break; sleep 0.1; done
fi
if ! pgrep -x -r R,S,D libvirtd >/dev/null; then
	daemon libvirtd -d
fi
for _ in $(seq 1 600); do
	virsh -c qemu:///system version >/dev/null 2>&1 && exit 0
	sleep 0.1
done
echo "x4-sriov tests: libvirtd did not answer on qemu:///system after 60 s" >&2
exit 1
