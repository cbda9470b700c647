#!/bin/bash
# SPDX-License-Identifier: MIT
# The whole product on a real kernel: libvirtd runs our hook and qemu-x4 as the domain's
# emulator; a managed='yes' VF hostdev goes through VFIO with our ROM and Looking Glass; a second
# domain asking for the same VF fails with our message; destroying a domain while another still
# holds the other VF returns at once (vf_teardown = remove never blocks); the last one gives the
# host back. libvirtd and virtlogd are started here and stopped at the end.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../../lib.sh"
# shellcheck source=tests/vm/fixtures/vmlib.sh
. "$T_TOP/tests/vm/fixtures/vmlib.sh"

VIRSH=(virsh -q -c qemu:///system)
HOOKFILE=/etc/libvirt/hooks/qemu
DOMS=(lv1 lv2 lv3)
cleanup() {
	local d
	for d in "${DOMS[@]}"; do
		timeout 30 "${VIRSH[@]}" destroy "$d" >/dev/null 2>&1
		timeout 30 "${VIRSH[@]}" undefine "$d" >/dev/null 2>&1
	done
	stop_daemons
	rm -f "$HOOKFILE" /dev/shm/looking-glass-lv*
	if [ -e /tmp/aa-libvirtd.orig ]; then
		cp /tmp/aa-libvirtd.orig "$AA_LOCAL_LIBVIRTD"
		cp /tmp/aa-qemu.orig "$AA_LOCAL_QEMU"
		apparmor_parser -r "$AA_LIBVIRTD"
	fi
}
trap cleanup EXIT
stop_here() {
	not_ok "$1 (stopping: later steps depend on it)"
	aa_new_denials "${aa0:-0}" | sed 's/^/# /'
	t_done; exit 1
}

# domain NAME VF: a 128 MiB TCG q35 domain run through qemu-x4, with the VF as a managed hostdev.
domain() {
	local f=${2##*.}
	cat <<EOF
<domain type='qemu'>
  <name>$1</name>
  <memory unit='MiB'>128</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
  <devices>
    <emulator>$QX4</emulator>
    <controller type='pci' index='0' model='pcie-root'/>
    <controller type='usb' model='none'/>
    <hostdev mode='subsystem' type='pci' managed='yes'>
      <source><address domain='0x0000' bus='0x01' slot='0x00' function='0x$f'/></source>
    </hostdev>
    <video><model type='none'/></video>
    <memballoon model='none'/>
  </devices>
</domain>
EOF
}
qmp() { "${VIRSH[@]}" qemu-monitor-command "$1" "$2" 2>&1; }
qemu_pid() { cat "/run/libvirt/qemu/$1.pid" 2>/dev/null; }
elapsed_ms() { echo $((($(date +%s%N) - $1) / 1000000)); }

# 0. Our config and ROM; the hook installed before libvirtd starts (it looks for hooks then).
# shellcheck disable=SC2119 # no extra lines: the defaults for this machine
write_conf
make_rom "$ROM" 40000 || stop_here "x4ctl rom build made the VF's ROM"
romsize=$(stat -c %s "$ROM")
before=$(host_snapshot)
mkdir -p "${HOOKFILE%/*}"
printf '#!/bin/sh\nexec %s "$@"\n' "$HOOK" >"$HOOKFILE"
chmod 0755 "$HOOKFILE"
ok "x4-hook installed as $HOOKFILE (a wrapper exec'ing $HOOK)"
# qemu.conf as Debian ships it: libvirt's defaults (README.md).
# libvirtd is confined by Debian's profile and QEMU by virt-aa-helper's: our programs run from
# the build tree here, so they get the rules x4ctl install writes for the installed paths.
aa0=$(aa_denials | wc -l)
if aa_on; then
	cp "$AA_LOCAL_LIBVIRTD" /tmp/aa-libvirtd.orig
	cp "$AA_LOCAL_QEMU" /tmp/aa-qemu.orig
	printf '%s\n' "$QX4 PUx," "$HOOK ix," "$T_BIN/x4-hook-core ix," >>"$AA_LOCAL_LIBVIRTD"
	printf '%s\n' "$QX4 rmix," '/etc/x4-sriov/** r,' '/run/x4-sriov/** r,' \
		'/dev/shm/looking-glass-* rw,' >>"$AA_LOCAL_QEMU"
	apparmor_parser -r "$AA_LIBVIRTD" || stop_here "apparmor_parser -r $AA_LIBVIRTD"
fi
{ virtlogd -d && libvirtd -d; } || stop_here "virtlogd -d and libvirtd -d start"
t0=$(date +%s%N)
up=0
for _ in $(seq 1 300); do
	"${VIRSH[@]}" version >/dev/null 2>&1 && { up=1; break; }
	sleep 0.2
done
[ "$up" = 1 ] || stop_here "libvirtd answers virsh within 60 s"
ok "libvirtd (as root, QEMU as libvirt-qemu) answers virsh after $(elapsed_ms "$t0") ms"
aa_on && check_match "virsh capabilities: libvirt's security model is apparmor" \
	'<model>apparmor</model>' "$("${VIRSH[@]}" capabilities 2>&1)"
for d in "${DOMS[@]}"; do
	vf=$VF1; [ "$d" = lv3 ] && vf=$VF2
	domain "$d" "$vf" >"/tmp/$d.xml"
	out=$("${VIRSH[@]}" define "/tmp/$d.xml" 2>&1) || stop_here "virsh define $d ($out)"
done
ok "domains lv1 and lv2 (VF 1) and lv3 (VF 2) defined: emulator qemu-x4, managed='yes' hostdev"

# 1. virsh start --paused: the hook makes the VFs, libvirt binds VF 1, qemu-x4 adds ROM and LG.
t0=$(date +%s%N)
out=$("${VIRSH[@]}" start --paused lv1 2>&1) || stop_here "virsh start --paused lv1 ($out)"
ok "virsh start --paused lv1 ($(elapsed_ms "$t0") ms, the first start includes libvirt's QEMU probe)"
check_eq "lv1 is paused" paused "$("${VIRSH[@]}" domstate lv1 2>&1)"
check_eq "the hook had the kernel create 2 VFs" 2 "$(numvfs)"
check_eq "libvirt bound VF 1 to vfio-pci (managed='yes')" vfio-pci "$(drv $VF1)"
check_match "the hook recorded lv1's claim on VF 1 (not bound by us)" \
	"\"vf\":\"$VF1\",\"vm\":\"lv1\".*\"bound_by_us\":false" "$(rd "$STATE" | tr -d ' \n')"
g1=$(group_of $VF1) qp=$(qemu_pid lv1)
check "lv1's QEMU (pid $qp) holds /dev/vfio/$g1 open" wait_vfio "$qp" "$g1"
check_eq "lv1's QEMU runs as libvirt-qemu" libvirt-qemu "$(ps -o user= -p "$qp" 2>/dev/null)"
# libvirt's default namespaces = [ "mount" ]: QEMU has its own /dev, which libvirt populated.
check "lv1's QEMU has its own mount namespace (libvirt's private /dev)" \
	test "$(readlink "/proc/$qp/ns/mnt")" != "$(readlink /proc/self/ns/mnt)"
check "lv1's private /dev has the VFIO group node /dev/vfio/$g1" test -c "/proc/$qp/root/dev/vfio/$g1"
if aa_on; then
	check_match "libvirtd is confined: $(label "$(cat /run/libvirtd.pid)")" '^libvirtd \(enforce\)' \
		"$(label "$(cat /run/libvirtd.pid)")"
	check_match "lv1's QEMU is confined by its own profile: $(label "$qp")" \
		'^libvirt-[0-9a-f-]+ \(enforce\)' "$(label "$qp")"
fi
qt=$(qmp lv1 '{"execute":"human-monitor-command","arguments":{"command-line":"info qtree"}}')
check_match "paused, info qtree: hostdev0 is the VF, pci id 1b36:0010" 'pci id 1b36:0010' \
	"$(qtree_dev "$qt" hostdev0 | grep 'pci id')"
check_match "paused, info qtree: qemu-x4's ivshmem x4-lg is 1af4:1110" 'pci id 1af4:1110' \
	"$(qtree_dev "$qt" x4-lg | grep 'pci id')"
# query-pci shows devices behind bridges only once the firmware numbered the buses.
"${VIRSH[@]}" resume lv1 >/dev/null
hd=
for _ in $(seq 1 40); do
	pci=$(qmp lv1 '{"execute":"query-pci"}')
	hd=$(pci_dev "$pci" hostdev0)
	[ -n "$hd" ] && break
	sleep 0.3
done
"${VIRSH[@]}" suspend lv1 >/dev/null
check_eq "virsh qemu-monitor-command query-pci: hostdev0 is the VF, 1b36:0010" 1b36:0010 "$(pci_ids "$hd")"
check_eq "query-pci: hostdev0's ROM BAR is the ROM's $romsize bytes rounded up to a power of two" \
	"$(pow2 "$romsize")" "$(rom_bar_size "$hd")"
check_eq "query-pci: the Looking Glass ivshmem x4-lg is 1af4:1110" 1af4:1110 "$(pci_ids "$(pci_dev "$pci" x4-lg)")"
check_match "qom-get hostdev0 romfile is our ROM" "\"return\": *\"$ROM\"" \
	"$(qmp lv1 '{"execute":"qom-get","arguments":{"path":"/machine/peripheral/hostdev0","property":"romfile"}}')"
check_match "the LG backend is /dev/shm/looking-glass-lv1" '"return": *"/dev/shm/looking-glass-lv1"' \
	"$(qmp lv1 '{"execute":"qom-get","arguments":{"path":"/objects/x4-lgmem","property":"mem-path"}}')"

# 2. A second domain asking for the same VF: the hook refuses, virsh says why.
out=$("${VIRSH[@]}" start --paused lv2 2>&1); rc=$?
check_eq "virsh start lv2 (same VF) fails" 1 "$([ $rc != 0 ] && echo 1)"
check_match "virsh's error carries our message naming lv1" "x4-sriov: VF $VF1 is in use by VM 'lv1'" "$out"
echo "# virsh said: $(printf '%s' "$out" | tr '\n' ' ')"
check_eq "lv2 is shut off" "shut off" "$("${VIRSH[@]}" domstate lv2 2>&1)"
check_eq "lv1 is still paused, VF 1 still on vfio-pci" "paused:vfio-pci" \
	"$("${VIRSH[@]}" domstate lv1 2>&1):$(drv $VF1)"

# 3. lv3 holds VF 2; destroying lv1 (vf_teardown = remove) must not block, VFs stay.
out=$("${VIRSH[@]}" start --paused lv3 2>&1) || not_ok "virsh start --paused lv3 ($out)"
g2=$(group_of $VF2) qp3=$(qemu_pid lv3)
check "lv3's QEMU holds VF 2 (/dev/vfio/$g2)" wait_vfio "$qp3" "$g2"
t0=$(date +%s%N)
out=$(timeout 60 "${VIRSH[@]}" destroy lv1 2>&1); rc=$?
ms=$(elapsed_ms "$t0")
check_eq "virsh destroy lv1 returns (hook did not block) and succeeds" 0 "$rc"
echo "# virsh destroy lv1 took $ms ms"
check_eq "lv1 is shut off" "shut off" "$("${VIRSH[@]}" domstate lv1 2>&1)"
check_eq "VF 2 is held by lv3: the VFs stay" 2 "$(numvfs)"
check_eq "libvirt gave VF 1 back (off vfio-pci)" "" "$(drv $VF1)"
check_eq "VF 2 still on vfio-pci, lv3 still paused" "vfio-pci:paused" \
	"$(drv $VF2):$("${VIRSH[@]}" domstate lv3 2>&1)"
st=$(rd "$STATE" | tr -d ' \n')
check_eq "lv1's claim is gone, lv3's remains" "0:1" \
	"$(grep -c '"vm":"lv1"' <<<"$st"):$(grep -c '"vm":"lv3"' <<<"$st")"

# 4. The last domain goes: the VFs are removed, the host is as before.
t0=$(date +%s%N)
out=$(timeout 60 "${VIRSH[@]}" destroy lv3 2>&1); rc=$?
check_eq "virsh destroy lv3 succeeds" 0 "$rc"
echo "# virsh destroy lv3 took $(elapsed_ms "$t0") ms"
check_eq "the last VM gone: VFs removed, autoprobe back, no claims: host as before" \
	"$before" "$(host_snapshot)"
den=$(aa_new_denials "$aa0")
check_eq "no apparmor=\"DENIED\" line in the kernel log" "" "$den"
[ -n "$den" ] && printf '# %s\n' "$den"
t_done
