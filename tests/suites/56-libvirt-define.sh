#!/bin/bash
# x4ctl define's two phases under the real libvirtd and QEMU: the domain it defines starts.
# Install phase: OVMF with Secure Boot (Debian's ovmf), TPM through swtpm when installed, a QXL
# display over SPICE: `virsh screenshot` shows the firmware's screen. Run phase (the same domain
# switched by `x4ctl define --phase run`): no emulated video (QMP query-pci: no VGA-class device),
# SPICE and the Looking Glass ivshmem present.
#
# What differs from a user's board, and why:
# - no VF: this host has no SR-IOV GPU, so define runs with --vf none (documented as for testing
#   and hosts without SR-IOV); the domain is otherwise what define makes;
# - TCG: --virt-type qemu (domain type 'qemu'), which drops host-passthrough and the Hyper-V
#   enlightenments: this host's /dev/kvm is missing or nested without Hyper-V support;
# - the NIC is detached (virsh detach-interface --config) when libvirt's default network is not
#   active, as on CI hosts; Windows is never booted (the CD is an empty file).
# qemu-x4 (a copy the qemu user can reach) is the emulator, so Looking Glass comes from
# x4-sriov.conf as for a user: /etc/x4-sriov/x4-sriov.conf is backed up and restored on exit.
# libvirtd is shared with other suites: this runs under flock /tmp/x4-libvirtd.lock (-o: a
# daemon started meanwhile must not inherit the lock).
set -u
LOCK=/tmp/x4-libvirtd.lock
# A libvirtd started under `flock LOCK` without -o inherited the lock and holds it for ever: then
# the lock serialises nothing and waiting on it would hang; say so and go on without it.
for p in $(pgrep -x libvirtd) $(pgrep -x virtlogd); do
	for f in /proc/"$p"/fd/*; do
		[ -z "${X4_DEFINE_LOCKED:-}" ] && [ "$(readlink "$f" 2>/dev/null)" = "$LOCK" ] || continue
		echo "# $LOCK is held by $(cat "/proc/$p/comm") (pid $p), which inherited it: running without the lock"
		export X4_DEFINE_LOCKED=none
	done
done
if [ -z "${X4_DEFINE_LOCKED:-}" ]; then
	X4_DEFINE_LOCKED=1 flock -o -w 900 -E 75 "$LOCK" "$0" "$@"
	rc=$?
	[ "$rc" = 75 ] && echo "not ok - $LOCK not free after 900 s" &&
		echo "$(basename "$0"): 0 passed, 1 failed"
	exit "$rc"
fi
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
VIRSH=(virsh -q -c qemu:///system)
CONF=/etc/x4-sriov/x4-sriov.conf
D=define-win

T=$(mktemp -d /tmp/x4define-lv.XXXXXX)
chmod 0755 "$T" # the qemu user reaches qemu-x4 and the disk here
had_dir=0 had_conf=0
[ -d "${CONF%/*}" ] && had_dir=1
[ -e "$CONF" ] && had_conf=1 && cp -a "$CONF" "$T/conf.orig"
undefine() {
	"${VIRSH[@]}" destroy "$D" >/dev/null 2>&1
	"${VIRSH[@]}" undefine --nvram "$D" >/dev/null 2>&1
	rm -f "/dev/shm/looking-glass-$D"
}
cleanup() {
	undefine
	if [ "$had_conf" = 1 ]; then cp -a "$T/conf.orig" "$CONF"; else rm -f "$CONF"; fi
	[ "$had_dir" = 1 ] || rmdir "${CONF%/*}" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

command -v jq >/dev/null || { not_ok "jq is installed (reads QMP answers)"; t_done; exit 1; }
"$T_TOP/tests/libvirt/ensure-libvirtd.sh" || { not_ok "libvirtd runs"; t_done; exit 1; }
undefine # leftovers of an interrupted run
install -m 0755 "$T_BIN/qemu-x4" "$T/qemu-x4"
mkdir -p "${CONF%/*}"
printf '%s\n' '[host]' "[vm $D]" 'looking_glass = shm' 'lg_size = 32M' >"$CONF"
chmod 0644 "$CONF"
truncate -s 1M "$T/Win11.iso"
qmp() { "${VIRSH[@]}" qemu-monitor-command "$D" "$1" 2>/dev/null; }
# Every PCI device QMP knows (behind bridges too) as "class vendor:device", hex.
pci_list() {
	qmp '{"execute":"query-pci"}' | jq -r '.return[].devices[] | recurse(.pci_bridge.devices[]?)
		| "\(.class_info.class) \(.id.vendor) \(.id.device)"' |
		while read -r c v d; do printf '%04x %04x:%04x\n' "$c" "$v" "$d"; done
}
xml() { "${VIRSH[@]}" dumpxml --inactive "$D"; }

# TCG always: KVM here (when libvirt offers it) is nested and refuses Hyper-V (VP_INDEX), and a
# user's board runs kvm, which 42-x4ctl-define checks in the XML.
vt=qemu

# --- install phase, defined by x4ctl from a relative --iso, its disk made by qemu-img
out=$(cd "$T" && "$T_BIN/x4ctl" define --name "$D" --iso Win11.iso --disk "$D.qcow2" \
	--disk-size 1G --memory 1024 --cpus 1 --vf none --virt-type "$vt" --emulator "$T/qemu-x4" 2>&1)
rc=$?
check_eq "x4ctl define (install phase) into the real libvirtd" 0 "$rc"
[ "$rc" = 0 ] || echo "# $out"
check_match "it prints the next steps, ending with the run phase" "4\. shut Windows down, then: x4ctl define --name $D --phase run" "$out"
check_eq "its disk is a new qcow2" qcow2 "$(qemu-img info --output=json "$T/$D.qcow2" 2>/dev/null | jq -r .format)"
check_match "libvirt has the ISO by its absolute path" "<source file='$T/Win11.iso'/>" "$(xml)"
if ! "${VIRSH[@]}" net-info default 2>/dev/null | grep -Eq '^Active: +yes'; then
	"${VIRSH[@]}" detach-interface "$D" network --config >/dev/null
	echo "# libvirt's default network is not active: NIC detached for this test"
fi
if ! command -v swtpm >/dev/null; then
	"${VIRSH[@]}" detach-device "$D" /dev/stdin --config >/dev/null <<<"$(xml | sed -n '/<tpm /,/<\/tpm>/p')"
	echo "# swtpm is not installed: running without the TPM"
	ok "install phase without TPM (swtpm not installed)"
else
	check_match "TPM 2.0 through swtpm" "<backend type='emulator' version='2.0'" "$(xml)"
fi
check_match "OVMF Secure Boot code" "<loader readonly='yes' secure='yes' type='pflash'>/usr/share/OVMF/OVMF_CODE_4M.ms.fd" "$(xml)"
out=$("${VIRSH[@]}" start "$D" 2>&1)
rc=$?; check_eq "virsh start (install phase)" 0 "$rc"; [ "$rc" = 0 ] || echo "# $out"
check_match "QMP: a VGA-class display (QXL 1b36:0100) for Windows setup" '^0300 1b36:0100$' "$(pci_list)"
check_eq "QMP: SPICE is on" true "$(qmp '{"execute":"query-spice"}' | jq -r .return.enabled)"
# colours PNG: distinct byte values of the decoded image data; one colour gives its bytes and
# the rows' filter types (0..4), a handful.
colours() {
	python3 - "$1" <<'PY' 2>/dev/null
import struct, sys, zlib
d = open(sys.argv[1], 'rb').read()
p, idat = 8, b''
while p < len(d):
    n, t = struct.unpack('>I4s', d[p:p + 8])
    if t == b'IDAT':
        idat += d[p + 8:p + 8 + n]
    p += 12 + n
print(len(set(zlib.decompress(idat))))
PY
}
# QEMU shows a 640x480 "not initialized" placeholder until the firmware sets a mode, then the
# screen is black for a moment before the firmware draws.
shot=$T/screen.png size="" n=0
for _ in $(seq 1 90); do
	rm -f "$shot"
	"${VIRSH[@]}" screenshot "$D" "$shot" >/dev/null 2>&1
	size=$(od -An -tu1 -j16 -N8 "$shot" 2>/dev/null | awk '{print $1*16777216+$2*65536+$3*256+$4 "x" $5*16777216+$6*65536+$7*256+$8}')
	if [ -n "$size" ] && [ "$size" != 640x480 ]; then
		n=$(colours "$shot"); [ "${n:-0}" -ge 9 ] && break
	fi
	sleep 1
done
check_match "virsh screenshot: the firmware set a display mode (got $size)" '^[0-9]+x[0-9]+$' "$([ "$size" != 640x480 ] && echo "$size")"
check_match "the screenshot is not blank ($n distinct byte values)" '^(9|[1-9][0-9]+)$' "${n:-0}"
check_eq "QOM: the Looking Glass ivshmem (qemu-x4, shm) is there in the install phase" ivshmem-plain \
	"$(qmp '{"execute":"qom-get","arguments":{"path":"/machine/peripheral/x4-lg","property":"type"}}' | jq -r .return)"
"${VIRSH[@]}" destroy "$D" >/dev/null 2>&1

# --- run phase: the same domain, switched
out=$("$T_BIN/x4ctl" define --name "$D" --phase run 2>&1)
rc=$?; check_eq "x4ctl define --phase run" 0 "$rc"; [ "$rc" = 0 ] || echo "# $out"
check_match "it tells the host side: looking-glass-client on the shm file" "looking-glass-client -f /dev/shm/looking-glass-$D" "$out"
x=$(xml)
check_match "libvirt: video model none" "<model type='none'/>" "$x"
check "libvirt: no QXL any more" bash -c '! grep -q "type=.qxl" <<<"$1"' _ "$x"
check_match "libvirt: spicevmc channel" "<channel type='spicevmc'>" "$x"
check_match "libvirt: ich9 sound" "<sound model='ich9'>" "$x"
check_match "libvirt: audio over SPICE" "<audio id='[0-9]+' type='spice'/>" "$x"
check_match "libvirt: the disk and ISO kept" "$T/$D.qcow2" "$x"
out=$("${VIRSH[@]}" start --paused "$D" 2>&1)
rc=$?; check_eq "virsh start (run phase)" 0 "$rc"; [ "$rc" = 0 ] || echo "# $out"
pci=$(pci_list)
check_match "QMP query-pci answers" '^0600 8086:29c0$' "$pci"
check "QMP: no VGA-class (0x0300) or other display device (0x03xx)" bash -c '[ -n "$1" ] && ! grep -q "^03" <<<"$1"' _ "$pci"
check_eq "QMP: SPICE is on (Looking Glass input)" true "$(qmp '{"execute":"query-spice"}' | jq -r .return.enabled)"
check_eq "QOM: the Looking Glass ivshmem is there" ivshmem-plain \
	"$(qmp '{"execute":"qom-get","arguments":{"path":"/machine/peripheral/x4-lg","property":"type"}}' | jq -r .return)"
check_eq "its memory is /dev/shm/looking-glass-$D" "/dev/shm/looking-glass-$D" \
	"$(qmp '{"execute":"qom-get","arguments":{"path":"/objects/x4-lgmem","property":"mem-path"}}' | jq -r .return)"
"${VIRSH[@]}" destroy "$D" >/dev/null 2>&1
out=$("$T_BIN/x4ctl" define --name "$D" --disk "$T/$D.qcow2" --vf none 2>&1)
check_match "defining it again is refused: it exists" "domain '$D' already exists in qemu:///system: x4ctl define --name $D --phase run" "$out"
nv=$(xml | sed -n "s|.*<nvram[^>]*>\(.*\)</nvram>.*|\1|p")
undefine
check "undefine --nvram removed the NVRAM file" test ! -e "${nv:-/nonexistent}"
t_done
