#!/bin/bash
# make demo: the main job of x4-sriov on a simulated Radxa X4 (no iGPU needed), narrated:
# doctor finds what is broken and says how to fix it; install into a scratch root; a Windows
# VM defined; libvirt's events for a VM with a VF, as x4-hook handles them; status at each
# step; then the same lifecycle on a real Linux kernel with real SR-IOV and VFIO.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
BIN=$top/build/bin
say()  { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run()  { printf '$ %s\n' "$*"; "$@"; }
fail() { echo "demo: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || fail "run as root (sudo make demo): the simulated host is a FUSE mount"
ROOT=$(mktemp -d /tmp/x4demo.XXXXXX)
chmod 0755 "$ROOT" # the qemu user must reach the devices under it
INST=$(mktemp -d /tmp/x4demo-install.XXXXXX)
cleanup() { "$BIN/x4sim" --stop "$ROOT" >/dev/null 2>&1; rm -rf "$ROOT" "$INST"; }
trap cleanup EXIT

say "A simulated Radxa X4 (Intel N100, iGPU 0000:00:02.0) - first in a broken state: vfio-pci and kvmfr not loaded"
"$BIN/x4sim" "$ROOT" --fault no-vfio --fault no-kvmfr || fail "x4sim did not start"
export X4_ROOT=$ROOT
mkdir -p "$ROOT/etc/x4-sriov"
cat >"$ROOT/etc/x4-sriov/x4-sriov.conf" <<'CONF'
[host]
num_vfs = 7
vf_teardown = remove
looking_glass = /dev/kvmfr0
lg_resolution = 1920x1080
CONF
run lspci -A linux-sysfs -O "sysfs.path=$ROOT/sys/bus/pci" -nn | grep -i -E 'vga|display'
run "$BIN/x4ctl" doctor --uri test:///default | grep -E 'FAIL|WARN' | head -12

say "Fixed: modprobe vfio-pci; modprobe kvmfr static_size_mb=32 (here: the simulator's faults cleared)"
echo -no-vfio >"$ROOT/sys/x4sim/fault"
echo -no-kvmfr >"$ROOT/sys/x4sim/fault"
mknod "$ROOT/dev/kvmfr0" c 1 3 2>/dev/null; chown root:kvm "$ROOT/dev/kvmfr0" 2>/dev/null; chmod 0660 "$ROOT/dev/kvmfr0"
run "$BIN/x4ctl" doctor --uri test:///default | grep -E 'vfio|kvmfr' | head -6

say "Install into a scratch root (hook, wrapper, config, kvmfr, udev, qemu.conf ACL): dry run, then for real"
mkdir -p "$INST/etc"
cp -a /etc/libvirt "$INST/etc/" 2>/dev/null
run "$BIN/x4ctl" install --root "$INST" --dry-run | head -15
"$BIN/x4ctl" install --root "$INST" >/dev/null && echo "installed; x4ctl uninstall --root puts every file back"
"$BIN/x4ctl" uninstall --root "$INST" >/dev/null

say "A Windows 11 VM definition (x4ctl define --print): q35, OVMF secure boot, TPM, no emulated display, the VF"
run "$BIN/x4ctl" define --name win11 --vf auto --print | grep -E '<emulator>|<hostdev|<address domain|<model type=.none|host-passthrough' | head -8

say "libvirt starts 'win11' (hostdev VF 0000:00:02.1, managed='no'): x4-hook prepare begin"
. tests/lib.sh
. tests/hooklib.sh
xml=$(dom win11 "$(hostdev 0000:00:02.1 no)")
printf '%s' "$xml" | run "$BIN/x4-hook" win11 prepare begin - || fail "prepare failed"
echo "The kernel now has $(numvfs) VFs; 0000:00:02.1 is on $(driver_of 0000:00:02.1); the PF stays on $(driver_of 0000:00:02.0)."
echo "The plan qemu-x4 will apply:"; cat "$ROOT/run/x4-sriov/vm/win11.json"; echo
run "$BIN/x4ctl" status

say "libvirt execs qemu-x4 as win11's emulator: it adds the Looking Glass ivshmem device in libvirt's own syntax"
cfg=$(mktemp); sed 's|^\[host\]|[host]\nqemu = /bin/echo|' "$ROOT/etc/x4-sriov/x4-sriov.conf" >"$cfg"
mapfile -t args < <(tail -n +2 tests/fixtures/argv/start-feas.argv | sed 's/guest=feas,/guest=win11,/')
echo "(QEMU replaced by echo to show the argv it would get; the additions:)"
X4_CONFIG=$cfg "$BIN/qemu-x4" "${args[@]}" | tr ' ' '\n' | grep -B1 -E 'x4-lg' | sed 's/^/    /'
rm -f "$cfg"

say "A second VM asks for the same VF: refused, nothing on the host changes"
printf '%s' "$(dom other "$(hostdev 0000:00:02.1 no)")" | "$BIN/x4-hook" other prepare begin - && fail "not refused"

say "win11 stops: stopped end, release end - the VF is given back, and with vf_teardown = remove the VFs go"
printf '%s' "$xml" | "$BIN/x4-hook" win11 stopped end -
printf '%s' "$xml" | "$BIN/x4-hook" win11 release end -
echo "VFs now: $(numvfs); sriov_drivers_autoprobe back to $(sysattr 0000:00:02.0 sriov_drivers_autoprobe)."
run "$BIN/x4ctl" status
"$BIN/x4sim" --stop "$ROOT" >/dev/null 2>&1
unset X4_ROOT

if [ -x tests/vm/run.sh ] && [ -e tests/vm/scenarios/user-path.sh ] && [ "${X4_SKIP_VM:-}" != 1 ]; then
	say "The user's path on a real Linux 6.1 kernel under QEMU (TCG), AppArmor enforcing: the README's"
	echo "real-board block run as written (make install, x4ctl install, doctor, define), virsh start"
	echo "of the defined VM on a VF of an SR-IOV NVMe, QMP, destroy, uninstall byte for byte"
	tests/vm/run.sh tests/vm/scenarios/user-path.sh || fail "the installed-path scenario failed"
fi
say "Done."
