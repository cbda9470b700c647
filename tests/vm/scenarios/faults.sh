#!/bin/bash
# SPDX-License-Identifier: MIT
# x4-hook's faults on a real kernel: vfio-pci not loaded, VF addresses that do not exist, kill -9
# of the hook in the middle of prepare, and a release that must not block while another VM's
# nested QEMU still holds a VF open through VFIO (writing 0 to sriov_numvfs would hang).
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../../lib.sh"
# shellcheck source=tests/vm/fixtures/vmlib.sh
. "$T_TOP/tests/vm/fixtures/vmlib.sh"

bpid=
cleanup() {
	if [ -n "$bpid" ] && kill -0 "$bpid" 2>/dev/null; then kill -9 "$bpid"; wait_gone "$bpid"; fi
	bpid=
	[ -d /sys/bus/pci/drivers/vfio-pci ] || "$X4_VM_BIN/insmod" "$X4_VM_MODULES/vfio_pci.ko"
}
trap cleanup EXIT
# life NAME XML: libvirt's events after a failed or finished start: stopped end, release end.
life_end() { hook "$1" stopped end "$2"; local r1=$RC; hook "$1" release end "$2"; RC=$((r1 | RC)); }

# shellcheck disable=SC2119 # no extra lines: the defaults for this machine
write_conf
make_rom "$ROM" 4096 || not_ok "x4ctl rom build made a ROM"
before=$(host_snapshot)
check_eq "host before: no VFs, autoprobe on, PF on nvme, no claims" \
	"numvfs=0 autoprobe=1 pf=nvme vf1= vf2= claims=0" "$before"

# 1. vfio-pci is not loaded: prepare fails, says what to do, and undoes the VFs it made.
"$X4_VM_BIN/rmmod" vfio_pci 2>/dev/null
check "rmmod vfio_pci: the vfio-pci driver is gone" test ! -d /sys/bus/pci/drivers/vfio-pci
xa=$(domxml fa $VF1 no)
hook fa prepare begin "$xa"
check_eq "without vfio-pci, prepare fails" 1 "$RC"
check_match "the error says: modprobe vfio-pci" 'x4-sriov: .*modprobe vfio-pci' "$OUT"
echo "# x4-hook said: $OUT"
check_eq "nothing half-done: the VFs made for it are removed again, no claim" "$before" "$(host_snapshot)"
check "no plan left for fa" test ! -e /run/x4-sriov/vm/fa.json
life_end fa "$xa"
check_eq "libvirt's stopped+release after the failed prepare exit 0" 0 "$RC"
"$X4_VM_BIN/insmod" "$X4_VM_MODULES/vfio_pci.ko"
check "insmod vfio_pci: the driver is back" test -d /sys/bus/pci/drivers/vfio-pci
hook fa prepare begin "$xa"
check_eq "with vfio-pci back, the same prepare works" "0:vfio-pci" "$RC:$(drv $VF1)"
life_end fa "$xa"
check_eq "and its release gives the host back" "$before" "$(host_snapshot)"

# 2. VF addresses that do not exist.
stamp "vfio-pci part done"
xb=$(domxml fb 0000:01:00.5 no)
hook fb prepare begin "$xb"
check_eq "hostdev 0000:01:00.5 (outside the PF's 2 VFs): not a VF of the PF, the hook leaves it to libvirt" \
	"0:" "$RC:$OUT"
check_eq "... and touches nothing" "$before" "$(host_snapshot)"
sed -i 's/^num_vfs = 2$/num_vfs = 1/' "$CONF"
xb=$(domxml fb $VF2 no)
hook fb prepare begin "$xb"
check_eq "hostdev VF 2 with num_vfs = 1: prepare fails" 1 "$RC"
check_match "the error names the VF and says raise num_vfs" \
	"x4-sriov: VF $VF2 does not exist.*raise num_vfs" "$OUT"
echo "# x4-hook said: $OUT"
check_eq "nothing half-done: the 1 VF made for it is removed again" "$before" "$(host_snapshot)"
life_end fb "$xb"
# shellcheck disable=SC2119
write_conf

stamp "bad VF part done"
# 3. kill -9 of the hook during prepare (at the hook's testpoints: $X4_TESTPOINT), then
# libvirt's stopped+release and a new prepare: consistent state, nothing leaked.
xc=$(domxml fc $VF1 no)
for step in prepare-vfs-created prepare-claimed prepare-bound; do
	rc=$(printf '%s' "$xc" | X4_TESTPOINT=$step "$HOOK" fc prepare begin - >/dev/null 2>&1; echo $?)
	stamp "killed at $step (exit $rc), it left: $(host_snapshot) vf1drv=$(drv $VF1)"
	life_end fc "$xc"
	check_eq "kill -9 at $step: release exits 0, VF 1 off vfio-pci, VFs removed, host as before" \
		"0::$before" "$RC:$(drv $VF1):$(host_snapshot)"
done
hook fc prepare begin "$xc"
check_eq "after the kills, a new prepare works" "0:vfio-pci" "$RC:$(drv $VF1)"
life_end fc "$xc"
check_eq "and after its release the host is as before" "$before" "$(host_snapshot)"
stamp "kill -9 part done"

# 4. Release must not block: A releases while B's nested QEMU holds VF 2 open.
xa=$(domxml va $VF1 no) xb=$(domxml vb $VF2 no)
hook va prepare begin "$xa"; ra=$RC
hook vb prepare begin "$xb"
check_eq "VMs va (VF 1) and vb (VF 2) prepared" "0:0:vfio-pci:vfio-pci" "$ra:$RC:$(drv $VF1):$(drv $VF2)"
g2=$(group_of $VF2)
qemu_argv vb $VF2
"$QX4" "${QARGV[@]}" </dev/null >/tmp/qemu-x4-vb.log 2>&1 &
bpid=$!
if wait_vfio "$bpid" "$g2"; then
	ok "vb's nested QEMU (qemu-x4, paused) holds /dev/vfio/$g2 open"
else
	sed 's/^/# qemu-x4: /' /tmp/qemu-x4-vb.log
	not_ok "vb's nested QEMU (qemu-x4, paused) holds /dev/vfio/$g2 open"
fi
t0=$(date +%s%N)
printf '%s' "$xa" | timeout 20 "$HOOK" va stopped end - >/dev/null 2>&1; r1=$?
printf '%s' "$xa" | timeout 20 "$HOOK" va release end - >/dev/null 2>&1; r2=$?
ms=$((($(date +%s%N) - t0) / 1000000))
check_eq "va's stopped+release return promptly (within timeout 20) and exit 0" "0:0" "$r1:$r2"
echo "# va's stopped+release took ${ms} ms"
check_eq "vf_teardown = remove, but a VF is held: the VFs stay" 2 "$(numvfs)"
check_eq "va's VF 1 is given back" "" "$(drv $VF1)"
check_eq "vb's VF 2 is still on vfio-pci" vfio-pci "$(drv $VF2)"
check "vb's nested QEMU is still running" kill -0 "$bpid"
check_match "vb's claim is still recorded" '"vb"' "$(rd "$STATE")"
kill -TERM "$bpid"
if wait_gone "$bpid"; then ok "vb's nested QEMU quit"; bpid=; else not_ok "vb's nested QEMU quit"; fi
printf '%s' "$xb" | timeout 20 "$HOOK" vb stopped end - >/dev/null 2>&1; r1=$?
printf '%s' "$xb" | timeout 20 "$HOOK" vb release end - >/dev/null 2>&1; r2=$?
check_eq "vb's stopped+release exit 0" "0:0" "$r1:$r2"
check_eq "the last VM gone: the VFs are removed, the host is as before" "$before" "$(host_snapshot)"
rm -f /dev/shm/looking-glass-*
t_done
