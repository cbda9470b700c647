#!/bin/bash
# SPDX-License-Identifier: MIT
# x4-sriov on a real kernel: x4-hook makes the VFs and binds VF 1 to vfio-pci, qemu-x4 starts a
# nested QEMU that opens it through VFIO with our ROM and a Looking Glass ivshmem device, a second
# VM is refused the held VF, the kernel refuses new VF counts, and release gives the host back.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../../lib.sh"
# shellcheck source=tests/vm/fixtures/vmlib.sh
. "$T_TOP/tests/vm/fixtures/vmlib.sh"

QERR=/tmp/qemu-x4-vm1.err LGSHM=/dev/shm/looking-glass-vm1
qpid=
cleanup() {
	if [ -n "$qpid" ] && kill -0 "$qpid" 2>/dev/null; then kill -9 "$qpid"; wait_gone "$qpid"; fi
	qpid=
}
stop_here() { not_ok "$1 (stopping: later steps depend on it)"; cleanup; t_done; exit 1; }

# 0. The host before: PF on nvme, no VFs; our config, ROM and domain.
# shellcheck disable=SC2119 # no extra lines: the defaults for this machine
write_conf
make_rom "$ROM" 40000 || stop_here "x4ctl rom build wraps a small PE32+ EFI driver into $ROM"
romsize=$(stat -c %s "$ROM")
ok "x4ctl rom build made a $romsize-byte option ROM from a PE32+ EFI driver"
check_match "x4ctl rom check: the ROM is an EFI option ROM for 1b36:0010" \
	'PCI option ROM \(EFI\).*1b36:0010' "$("$X4CTL" rom check "$ROM" 2>&1 | tr '\n' ' ')"
before=$(host_snapshot)
check_eq "host before: no VFs, autoprobe on, PF on nvme, no claims" \
	"numvfs=0 autoprobe=1 pf=nvme vf1= vf2= claims=0" "$before"
xml1=$(domxml vm1 $VF1 no)

# 1. prepare: the real kernel makes the VFs, VF 1 goes to vfio-pci, claim and plan written.
hook vm1 prepare begin "$xml1"
[ "$RC" = 0 ] || stop_here "x4-hook vm1 prepare begin exits 0 (rc $RC: $OUT)"
ok "x4-hook vm1 prepare begin exits 0 (VF $VF1, managed='no')"
check_eq "the kernel created num_vfs = 2 VFs" 2 "$(numvfs)"
check_eq "autoprobe was turned off before the VFs were made" 0 "$(rd "$P/sriov_drivers_autoprobe")"
check_eq "VF 1 is bound to vfio-pci (driver link)" vfio-pci "$(drv $VF1)"
check_eq "VF 1 driver_override reads vfio-pci" vfio-pci "$(rd "$D/$VF1/driver_override")"
g1=$(group_of $VF1)
check "/dev/vfio/$g1 exists for VF 1's IOMMU group" test -c "/dev/vfio/$g1"
check_eq "VF 2 is left without a driver" "" "$(drv $VF2)"
check_eq "the PF stays on nvme" nvme "$(drv $PF)"
st=$(rd "$STATE" | tr -d ' \n')
check_match "claim recorded in $STATE: $VF1 for vm1" "\"$VF1\".*\"vm1\"|\"vm1\".*\"$VF1\"" "$st"
plan=$(rd /run/x4-sriov/vm/vm1.json)
check_match "plan for qemu-x4 names the VF" "$VF1" "$plan"
check_match "plan names the ROM" "$ROM" "$plan"
check_match "plan names the Looking Glass shm file" "$LGSHM" "$plan"

# 2. qemu-x4 with libvirt's argv: QEMU opens the VF through VFIO, with our ROM and ivshmem.
qemu_argv vm1 $VF1
coproc QEMU { exec "$QX4" "${QARGV[@]}" -qmp stdio 2>"$QERR"; }
qpid=$QEMU_PID
if qmp_open; then
	ok "qemu-x4 started the nested QEMU (paused, TCG) and it answers QMP"
else
	sed 's/^/# qemu-x4: /' "$QERR"
	stop_here "qemu-x4 started the nested QEMU (paused, TCG) and it answers QMP"
fi
check "the nested QEMU holds /dev/vfio/$g1 open" wait_vfio "$qpid" "$g1"
check_match "qemu-x4 exec'd the real QEMU (same pid)" 'qemu-system-x86' "$(rd "/proc/$qpid/comm") $(readlink "/proc/$qpid/exe")"
qmp '{"execute":"human-monitor-command","arguments":{"command-line":"info qtree"}}'
check_match "paused, info qtree: hostdev0 is the VF, pci id 1b36:0010" 'pci id 1b36:0010' \
	"$(qtree_dev "$reply" hostdev0 | grep 'pci id')"
check_match "paused, info qtree: hostdev0 has a ROM BAR (bar 6)" 'bar 6: mem' "$(qtree_dev "$reply" hostdev0)"
check_match "paused, info qtree: the Looking Glass ivshmem device x4-lg is 1af4:1110" 'pci id 1af4:1110' \
	"$(qtree_dev "$reply" x4-lg | grep 'pci id')"
# query-pci walks only buses the firmware has numbered, and both devices sit behind bridges:
# let SeaBIOS run until it has, then pause again.
qmp '{"execute":"cont"}'
hd=
for _ in $(seq 1 60); do
	qmp '{"execute":"query-pci"}'
	pci=$reply
	hd=$(pci_dev "$pci" hostdev0)
	[ -n "$hd" ] && break
	sleep 0.3
done
qmp '{"execute":"stop"}'
check_eq "query-pci (after SeaBIOS numbered the buses): hostdev0 is the VF, 1b36:0010" \
	1b36:0010 "$(pci_ids "$hd")"
check_eq "query-pci: hostdev0's ROM BAR is the ROM's $romsize bytes rounded up to a power of two" \
	"$(pow2 "$romsize")" "$(rom_bar_size "$hd")"
lg=$(pci_dev "$pci" x4-lg)
check_eq "query-pci: the Looking Glass ivshmem device x4-lg is 1af4:1110" 1af4:1110 "$(pci_ids "$lg")"
qmp '{"execute":"qom-get","arguments":{"path":"/machine/peripheral/hostdev0","property":"romfile"}}'
check_eq "qom-get hostdev0 romfile is our ROM" "{\"return\": \"$ROM\"}" "$reply"
qmp '{"execute":"query-memdev"}'
check_match "query-memdev lists the 16 MiB shared Looking Glass backend" \
	'"size": 16777216[^}]*"id": "x4-lgmem"|"id": "x4-lgmem"[^}]*"size": 16777216' "$reply"
qmp '{"execute":"qom-get","arguments":{"path":"/objects/x4-lgmem","property":"mem-path"}}'
check_eq "the backend's mem-path is $LGSHM" "{\"return\": \"$LGSHM\"}" "$reply"
check_eq "$LGSHM exists with 16 MiB" 16777216 "$(stat -c %s "$LGSHM" 2>/dev/null)"

# 3. While QEMU holds the VF: another VM is refused, the kernel refuses new counts.
snap=$(host_snapshot)
xml2=$(domxml vm2 $VF1 no)
hook vm2 prepare begin "$xml2"
check_eq "x4-hook vm2 prepare for the same VF fails" 1 "$RC"
check_match "the refusal names vm1" "x4-sriov: VF $VF1 is in use by VM 'vm1'" "$OUT"
echo "# x4-hook said: $OUT"
hook vm2 stopped end "$xml2"; hook vm2 release end "$xml2"
check_eq "vm2's failed start (prepare, stopped, release) changed nothing" "$snap" "$(host_snapshot)"
check_eq "VF 1 is still on vfio-pci for vm1" vfio-pci "$(drv $VF1)"
if wr "$P/sriov_numvfs" 1; then
	not_ok "echo 1 > sriov_numvfs fails while the VFs exist"
else
	check_match "echo 1 > sriov_numvfs: the kernel says EBUSY" 'Device or resource busy' "$werr"
fi
out=$("$X4CTL" vf create 1 2>&1); rc=$?
check_eq "x4ctl vf create 1 fails" 1 "$([ $rc != 0 ] && echo 1)"
check_match "x4ctl vf create 1 says why, in our words" "x4-sriov|x4ctl" "$out"
echo "# x4ctl said: $out"
check_eq "sriov_numvfs still reads 2" 2 "$(numvfs)"
check_eq "the PF is still on nvme" nvme "$(drv $PF)"

# 4. Quit QEMU, then libvirt's stop events: the VF comes back, the VFs go, the host is as before.
qmp '{"execute":"quit"}'
if wait_gone "$qpid"; then ok "the nested QEMU quit"; qpid=; else stop_here "the nested QEMU quit"; fi
hook vm1 stopped end "$xml1"
check_eq "x4-hook vm1 stopped end exits 0 quietly" "0:" "$RC:$OUT"
check_eq "VF 1 is off vfio-pci" "" "$(drv $VF1)"
check_eq "VF 1 driver_override is cleared" "(null)" "$(rd "$D/$VF1/driver_override")"
check "/dev/vfio/$g1 is gone" test ! -e "/dev/vfio/$g1"
hook vm1 release end "$xml1"
check_eq "x4-hook vm1 release end exits 0 quietly" "0:" "$RC:$OUT"
check_eq "vf_teardown = remove: the VFs are removed" 0 "$(numvfs)"
check "VFs $VF1 and $VF2 are gone from sysfs" test ! -e "$D/$VF1" -a ! -e "$D/$VF2"
check "the plan is removed" test ! -e /run/x4-sriov/vm/vm1.json
check_eq "host after: exactly as before" "$before" "$(host_snapshot)"
rm -f "$LGSHM"
t_done
