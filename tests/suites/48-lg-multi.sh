#!/bin/bash
# One kvmfr device per VM on the simulated X4: three looking_glass = kvmfr VMs get kvmfr0/1/2,
# recorded and kept over restarts and config edits (a VM inserted before them moves nobody); a
# VM gone from the config keeps its device until x4ctl lg forget; x4ctl install writes a size,
# an ACL entry, a udev line and an AppArmor line per device, x4ctl lg apply the same into the
# same journal, and x4ctl uninstall restores every file byte for byte; a size mismatch at
# start is one line. kvmfr1.. are stand-in char devices (the sim's kvmfr has kvmfr0, 32 MiB).
set -u
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
. "$T_TOP/tests/hooklib.sh"
X4CTL=$T_BIN/x4ctl
T=$(mktemp -d /tmp/x4lgm.XXXXXX)
cleanup() { sim_stop; rm -rf "$T"; }
trap cleanup EXIT
x() { OUT=$("$X4CTL" "$@" 2>&1); RC=$?; }
planof() { jq -r '.lg_path' "$ROOT/run/x4-sriov/vm/$1.json" 2>/dev/null; }
declare -A X=([lg-a]=0000:00:02.1 [lg-b]=0000:00:02.2 [lg-c]=0000:00:02.3 [lg-new]=0000:00:02.4
	[lg-d]=0000:00:02.5 [lg-x]=0000:00:02.6)
xml() { dom "$1" "$(hostdev "${X[$1]}" no)"; }
up() { for v in "$@"; do hook "$v" prepare begin "$(xml "$v")"; [ "$RC" = 0 ] || echo "# prepare $v: $OUT"; done; }
down() { for v in "$@"; do hook "$v" release end "$(xml "$v")"; done; }
# what install and lg apply may touch, as files and modes (the sim's /sys, /run and the
# kvmfr record in /var/lib are state, not install's files)
# (the config is the test's to edit: left out)
snap() { (cd "$ROOT" && find etc usr ! -path etc/x4-sriov/x4-sriov.conf \( -type f -o -type l -o -type d \) \
	-printf '%p %m %l\n' | sort && find etc usr ! -path etc/x4-sriov/x4-sriov.conf -type f -print0 |
	sort -z | xargs -0 -r sha256sum); }
files() { MP=$ROOT/etc/modprobe.d/x4-sriov-kvmfr.conf UD=$ROOT/etc/udev/rules.d/99-kvmfr.rules
	QC=$ROOT/etc/libvirt/qemu.conf QM=$ROOT/etc/apparmor.d/local/abstractions/libvirt-qemu; }

# shellcheck disable=SC2119 # no x4sim options
sim_start
files
for i in 1 2 3 4; do mknod "$ROOT/dev/kvmfr$i" c 1 3; done
chgrp kvm "$ROOT"/dev/kvmfr*; chmod 0660 "$ROOT"/dev/kvmfr*
# Debian's libvirt and AppArmor files, as libvirt-daemon-system leaves them
mkdir -p "$ROOT/etc/libvirt" "$ROOT/etc/modprobe.d" "$ROOT/usr" "$ROOT/etc/apparmor.d/local/abstractions"
cp /etc/libvirt/qemu.conf "$QC"
for f in /etc/apparmor.d/abstractions/libvirt-qemu /etc/apparmor.d/usr.sbin.libvirtd; do
	[ -f "$f" ] && install -D -m 0644 "$f" "$ROOT$f"
done
: >"$QM"
conf '[host]' 'looking_glass = kvmfr' '[vm lg-a]' 'lg_size = 32M' '[vm lg-b]' 'lg_size = 64M' \
	'[vm lg-c]' 'lg_resolution = 3840x2160'
before=$(snap)

# --- install: a device for every kvmfr VM before any runs, three of everything
x install --root "$ROOT" --templates "$T_TOP/templates" --dry-run
check_eq "install --dry-run: exit 0" 0 "$RC"
check "... records nothing" test ! -e "$ROOT/var/lib/x4-sriov/kvmfr.json"
check_eq "... changes no file" "$before" "$(snap)"
x install --root "$ROOT" --templates "$T_TOP/templates"
check_eq "install exits 0" 0 "$RC"
[ "$RC" = 0 ] || printf '%s\n' "$OUT" | tail -5
check_eq "modprobe.d: three sizes, in device order" "options kvmfr static_size_mb=32,64,128" \
	"$(grep '^options' "$MP")"
check_eq "... each device's VM named" "# /dev/kvmfr0: lg-a|# /dev/kvmfr1: lg-b|# /dev/kvmfr2: lg-c" \
	"$(grep '^# /dev/' "$MP" | paste -sd'|')"
check_eq "qemu.conf: three ACL entries" "3" "$(grep -cE '^ *"/dev/kvmfr[012]",?$' "$QC")"
check_eq "udev: one rule per device, root:kvm 0660" \
	'SUBSYSTEM=="kvmfr", KERNEL=="kvmfr0", OWNER="root", GROUP="kvm", MODE="0660"|SUBSYSTEM=="kvmfr", KERNEL=="kvmfr1", OWNER="root", GROUP="kvm", MODE="0660"|SUBSYSTEM=="kvmfr", KERNEL=="kvmfr2", OWNER="root", GROUP="kvm", MODE="0660"' \
	"$(grep -v '^#' "$UD" | paste -sd'|')"
if [ -f "$ROOT/etc/apparmor.d/abstractions/libvirt-qemu" ]; then
	check_eq "AppArmor: one line per device, no glob" "/dev/kvmfr0 rw,|/dev/kvmfr1 rw,|/dev/kvmfr2 rw," \
		"$(grep '^/dev/kvmfr' "$QM" | paste -sd'|')"
else
	not_ok "Debian's AppArmor abstraction for QEMU is installed (package libvirt-daemon-system)"
fi
check_match "install says the loaded kvmfr (one 32 MiB device) must be reloaded" \
	"kvmfr must be reloaded for these sizes: x4ctl lg apply --reload when no VM uses it" "$OUT"
check_match "install prints the usermod line for the desktop user" \
	"must be in group kvm to open the devices: sudo usermod -aG kvm " "$OUT"
check_eq "the record: three VMs, three indices" '{"lg-a":0,"lg-b":1,"lg-c":2}' \
	"$(jq -c .kvmfr "$ROOT/var/lib/x4-sriov/kvmfr.json")"

# --- stable over restarts, and inserting a VM before the others moves nobody
for round in 1 2; do
	up lg-a lg-b lg-c
	check_eq "start $round: lg-a, lg-b, lg-c on kvmfr0, kvmfr1, kvmfr2" \
		"/dev/kvmfr0 /dev/kvmfr1 /dev/kvmfr2" "$(planof lg-a) $(planof lg-b) $(planof lg-c)"
	check_eq "start $round: each VF claim names its VM's device" "lg-a /dev/kvmfr0|lg-b /dev/kvmfr1|lg-c /dev/kvmfr2" \
		"$(jq -r '.claims[] | "\(.vm) \(.lg_path)"' "$ROOT/run/x4-sriov/state.json" | paste -sd'|')"
	down lg-a lg-b lg-c
done
conf '[host]' 'looking_glass = kvmfr' '[vm lg-a]' 'lg_size = 32M' '[vm lg-new]' 'lg_size = 16M' \
	'[vm lg-b]' 'lg_size = 64M' '[vm lg-c]' 'lg_resolution = 3840x2160'
up lg-new lg-a lg-b lg-c
check_eq "a 4th VM inserted between them: it gets kvmfr3, nobody moves" \
	"/dev/kvmfr0 /dev/kvmfr3 /dev/kvmfr1 /dev/kvmfr2" \
	"$(planof lg-a) $(planof lg-new) $(planof lg-b) $(planof lg-c)"
check_eq "... recorded at its start (prepare)" 3 "$(jq '.kvmfr["lg-new"]' "$ROOT/var/lib/x4-sriov/kvmfr.json")"

# --- two VMs never share one: an explicit device another VM holds is refused at prepare
conf '[host]' 'looking_glass = kvmfr' '[vm lg-a]' 'lg_size = 32M' '[vm lg-new]' 'lg_size = 16M' \
	'[vm lg-b]' 'lg_size = 64M' '[vm lg-c]' 'lg_resolution = 3840x2160' '[vm lg-x]' \
	'looking_glass = /dev/kvmfr1'
hook lg-x prepare begin "$(xml lg-x)"
check_eq "explicit /dev/kvmfr1 (lg-b's): refused" 1 "$RC"
check_match "... naming the other VM" "VM lg-x: /dev/kvmfr1 is VM lg-b's \\(its looking_glass = kvmfr gives it that device\\)" "$OUT"
x lg apply
check_eq "lg apply with that config: refused, one line naming both" \
	"x4ctl: VM lg-x: /dev/kvmfr1 is VM lg-b's (its looking_glass = kvmfr gives it that device): set looking_glass = kvmfr for lg-x too, or another /dev/kvmfrN" "$OUT"

# --- lg apply after a size change: same journal, reload said, refused while VMs run
conf '[host]' 'looking_glass = kvmfr' '[vm lg-a]' 'lg_size = 32M' '[vm lg-new]' 'lg_size = 16M' \
	'[vm lg-b]' 'lg_size = 128M' '[vm lg-c]' 'lg_resolution = 3840x2160'
x lg apply
check_eq "lg apply exits 0" 0 "$RC"
check_eq "modprobe.d: lg-b's new size, lg-new's device" "options kvmfr static_size_mb=32,128,128,16" \
	"$(grep '^options' "$MP")"
check_eq "qemu.conf: four ACL entries" "4" "$(grep -cE '^ *"/dev/kvmfr[0-3]",?$' "$QC")"
check_eq "udev: four rules" 4 "$(grep -c '^SUBSYSTEM=="kvmfr", KERNEL=="kvmfr[0-3]"' "$UD")"
[ -f "$ROOT/etc/apparmor.d/abstractions/libvirt-qemu" ] &&
	check_eq "AppArmor: four lines" 4 "$(grep -c '^/dev/kvmfr[0-3] rw,$' "$QM")"
check_match "kvmfr must be reloaded, the VMs using it named" \
	"kvmfr must be reloaded for these sizes: stop the VMs using it first" "$OUT"
check_match "... in use by" "in use by: lg-a \\(/dev/kvmfr0\\), lg-new \\(/dev/kvmfr3\\), lg-b \\(/dev/kvmfr1\\)" "$OUT"
check_match "lg apply journals into install's journal" "x4-sriov-kvmfr.conf" \
	"$(cat "$ROOT/var/lib/x4-sriov/install.json")"
x lg apply --reload
check_eq "lg apply --reload while VMs use kvmfr: refused" 1 "$RC"
check_match "... naming a VM" "refused, kvmfr is in use by VM lg-a \\(/dev/kvmfr0\\)" "$OUT"
down lg-new lg-a lg-b lg-c

# --- a size mismatch at start: one line (the sim's kvmfr0 is 32 MiB)
conf '[host]' 'looking_glass = kvmfr' '[vm lg-a]' 'lg_size = 64M'
hook lg-a prepare begin "$(xml lg-a)"
check_eq "lg-a wants 64 MiB on the 32 MiB kvmfr0: refused" 1 "$RC"
check_eq "... with one line naming VM, device, both sizes and the fix" 1 "$(printf '%s\n' "$OUT" | grep -c .)"
check_match "... that line" "VM lg-a: /dev/kvmfr0 is 32 MiB but the VM wants 64 MiB: set lg_size = 32M" "$OUT"
down lg-a

# --- a VM gone from the config keeps its device until lg forget (never while it runs)
conf '[host]' 'looking_glass = kvmfr' '[vm lg-a]' 'lg_size = 32M' '[vm lg-new]' 'lg_size = 16M' \
	'[vm lg-b]' 'lg_size = 128M' '[vm lg-c]' 'lg_resolution = 3840x2160'
up lg-c
conf '[host]' 'looking_glass = kvmfr' '[vm lg-a]' 'lg_size = 32M' '[vm lg-new]' 'lg_size = 16M' \
	'[vm lg-b]' 'lg_size = 128M' '[vm lg-d]'
x lg apply --dry-run
check_match "lg apply: the record of a VM gone from the config is said, with the command" \
	"kvmfr2: recorded for VM lg-c which is not in the config \\(x4ctl lg forget lg-c\\)" "$OUT"
check_match "... and the new VM gets kvmfr4, not lg-c's kvmfr2" "/dev/kvmfr4 +32 MiB +lg-d" "$OUT"
x status
check_match "x4ctl status says it too" "kvmfr2: recorded for VM lg-c which is not in the config \\(x4ctl lg forget lg-c\\)" "$OUT"
x lg forget lg-c
check_eq "lg forget while lg-c runs: refused" 1 "$RC"
check_match "... saying so" "VM lg-c is running on /dev/kvmfr2: stop it first" "$OUT"
down lg-c
x lg forget lg-c
check_eq "lg forget after it stopped: exit 0" "0" "$RC"
check_match "... frees kvmfr2" "forgot /dev/kvmfr2 of VM lg-c" "$OUT"
x lg forget lg-c
check_eq "forgetting it twice: exit 1" 1 "$RC"
x lg forget
check_eq "lg forget without a VM: usage, exit 2" 2 "$RC"
x lg apply
check_eq "lg apply: the next new VM gets the freed kvmfr2" "options kvmfr static_size_mb=32,128,32,16" \
	"$(grep '^options' "$MP")"
check_eq "... recorded" 2 "$(jq '.kvmfr["lg-d"]' "$ROOT/var/lib/x4-sriov/kvmfr.json")"

conf '[host]'
x lg apply
check_match "lg apply with no kvmfr VM left: nothing to apply, the records still said" \
	"nothing to apply.*kvmfr0: recorded for VM lg-a which is not in the config" "$(printf '%s' "$OUT" | paste -sd' ')"
conf '[host]' 'looking_glass = kvmfr' '[vm lg-a]' 'lg_size = 32M' '[vm lg-new]' 'lg_size = 16M' \
	'[vm lg-b]' 'lg_size = 128M' '[vm lg-d]'

# --- uninstall: every file install and lg apply wrote gone or restored, byte for byte
x uninstall --root "$ROOT"
check_eq "uninstall exits 0" 0 "$RC"
if [ "$before" = "$(snap)" ]; then ok "uninstall restores /etc and /usr byte for byte (qemu.conf, AppArmor, no modprobe.d or udev file)"; else
	not_ok "uninstall restores /etc and /usr byte for byte"; diff <(printf '%s\n' "$before") <(snap) | head -10; fi
check "the kvmfr record stays (a reinstall keeps every VM's device)" test -s "$ROOT/var/lib/x4-sriov/kvmfr.json"

# --- lg apply alone (no install): uninstall undoes it too
x lg apply
check_eq "lg apply without install: exit 0" 0 "$RC"
check "... wrote modprobe.d" test -s "$MP"
x uninstall --root "$ROOT"
check_eq "uninstall after lg apply alone: exit 0" 0 "$RC"
if [ "$before" = "$(snap)" ]; then ok "... restores the pre-install files byte for byte"; else
	not_ok "... restores the pre-install files byte for byte"; diff <(printf '%s\n' "$before") <(snap) | head -10; fi
t_done
