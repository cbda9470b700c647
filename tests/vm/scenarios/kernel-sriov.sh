#!/bin/bash
# SPDX-License-Identifier: MIT
# Real-kernel facts, shell only (runs inside the tests/vm guest): the NVMe PF makes two VFs with
# virtfn/physfn links and their own IOMMU groups, VF 1 binds to vfio-pci, a nested QEMU opens it
# through VFIO with a romfile next to an ivshmem device, the kernel refuses sriov_numvfs changes
# while the VF is held, and everything is given back afterwards.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../../lib.sh"

PF=0000:01:00.0 VF1=0000:01:00.1 VF2=0000:01:00.2
D=/sys/bus/pci/devices
P=$D/$PF
ROM=/tmp/x.rom SHM=/dev/shm/x4-vm-ivshmem QERR=/tmp/nested-qemu.err

# wr FILE VALUE: write VALUE to a sysfs FILE; the shell's error text (if any) lands in $werr.
wr() { werr=$( { printf '%s\n' "$2" >"$1"; } 2>&1 ); }
rd() { cat "$1" 2>/dev/null; }
lnk() { basename "$(readlink "$1" 2>/dev/null)" 2>/dev/null; }
# stop_here WHY: a step the rest depends on failed; report it and end the scenario.
stop_here() { not_ok "$1 (stopping: later steps depend on it)"; cleanup; t_done; exit 1; }

qpid=
cleanup() {
	if [ -n "$qpid" ] && kill -0 "$qpid" 2>/dev/null; then kill -9 "$qpid"; wait "$qpid" 2>/dev/null; fi
	qpid=
}

# qmp JSON: send one QMP command to the nested QEMU, leave its reply line in $reply (events skipped).
qmp() {
	reply=
	local qin=${QEMU[1]}
	printf '%s\n' "$1" 1>&"$qin" || return 1
	local line
	while IFS= read -r -t 60 line <&"${QEMU[0]}"; do
		line=${line%$'\r'}
		case $line in *'"return"'*|*'"error"'*) reply=$line; return 0 ;; esac
	done
	return 1
}

# 1. The PF as the kernel sees it.
[ -d "$P" ] || stop_here "PF $PF exists in sysfs"
ok "PF $PF exists in sysfs"
check_eq "PF is 1b36:0010 (QEMU NVMe)" "0x1b36:0x0010" "$(rd "$P/vendor"):$(rd "$P/device")"
check_eq "PF is bound to nvme" "nvme" "$(lnk "$P/driver")"
check_eq "PF offers 2 VFs (sriov_totalvfs)" "2" "$(rd "$P/sriov_totalvfs")"
check_eq "PF has no VFs yet" "0" "$(rd "$P/sriov_numvfs")"

# 2. VFs without driver autoprobe.
wr "$P/sriov_drivers_autoprobe" 0
check_eq "sriov_drivers_autoprobe set to 0" "0" "$(rd "$P/sriov_drivers_autoprobe")"
wr "$P/sriov_numvfs" 2 || stop_here "echo 2 > sriov_numvfs succeeds ($werr)"
ok "echo 2 > sriov_numvfs succeeds"
check_eq "sriov_numvfs reads 2" "2" "$(rd "$P/sriov_numvfs")"
for vf in $VF1 $VF2; do
	check "VF $vf appeared" test -d "$D/$vf"
	check_eq "VF $vf has the PF's ids" "0x1b36:0x0010" "$(rd "$D/$vf/vendor"):$(rd "$D/$vf/device")"
	check_eq "VF $vf physfn points at the PF" "$PF" "$(lnk "$D/$vf/physfn")"
	check_eq "VF $vf has no driver (autoprobe off)" "" "$(lnk "$D/$vf/driver")"
done
check_eq "PF virtfn0 points at VF 1" "$VF1" "$(lnk "$P/virtfn0")"
check_eq "PF virtfn1 points at VF 2" "$VF2" "$(lnk "$P/virtfn1")"
gpf=$(lnk "$P/iommu_group") g1=$(lnk "$D/$VF1/iommu_group") g2=$(lnk "$D/$VF2/iommu_group")
check_match "VF 1 has an IOMMU group" '^[0-9]+$' "$g1"
check_match "VF 2 has an IOMMU group" '^[0-9]+$' "$g2"
check "each VF is alone in its own IOMMU group (PF $gpf, VF1 $g1, VF2 $g2)" \
	test -n "$g1" -a "$g1" != "$g2" -a "$g1" != "$gpf" -a "$g2" != "$gpf" \
	-a "$(ls "/sys/kernel/iommu_groups/$g1/devices")" = "$VF1"

# 3. VF 1 to vfio-pci the way the hook does it: driver_override, then drivers_probe.
check "vfio-pci driver is registered" test -d /sys/bus/pci/drivers/vfio-pci
wr "$D/$VF1/driver_override" vfio-pci
check_eq "VF 1 driver_override reads vfio-pci" "vfio-pci" "$(rd "$D/$VF1/driver_override")"
wr /sys/bus/pci/drivers_probe "$VF1" || not_ok "drivers_probe $VF1 accepted ($werr)"
[ "$(lnk "$D/$VF1/driver")" = vfio-pci ] || stop_here "VF 1 is bound to vfio-pci"
ok "VF 1 is bound to vfio-pci"
[ -c "/dev/vfio/$g1" ] || stop_here "/dev/vfio/$g1 appeared"
ok "/dev/vfio/$g1 appeared"
check_eq "VF 2 is still unbound" "" "$(lnk "$D/$VF2/driver")"

# 4. A nested QEMU opens the VF through VFIO with a romfile and an ivshmem device (paused).
{ printf '\125\252\200'; head -c 65533 /dev/zero; } >"$ROM"
coproc QEMU { exec qemu-system-x86_64 -machine q35 -accel tcg -m 128 -S -display none \
	-nodefaults -qmp stdio \
	-object "memory-backend-file,id=shm0,mem-path=$SHM,size=4M,share=on" \
	-device ivshmem-plain,memdev=shm0,id=ivshmem0 \
	-device "{\"driver\":\"vfio-pci\",\"host\":\"$VF1\",\"id\":\"hostdev0\",\"romfile\":\"$ROM\"}" \
	2>"$QERR"; }
qpid=$QEMU_PID
if IFS= read -r -t 120 greet <&"${QEMU[0]}" && [[ $greet == *QMP* ]] &&
	qmp '{"execute":"qmp_capabilities"}' && [[ $reply == *'"return": {}'* ]]; then
	ok "nested QEMU started with the VF and answers QMP"
else
	sed 's/^/# qemu: /' "$QERR"
	stop_here "nested QEMU started with the VF and answers QMP"
fi
qmp '{"execute":"query-pci"}'
# One chunk per device: every device object starts with {"bus": N.
devs=$(printf '%s\n' "$reply" | sed 's/{"bus": [0-9]/\n&/g')
hd=$(printf '%s\n' "$devs" | grep '"qdev_id": "hostdev0"')
check_match "query-pci lists hostdev0 as 1b36:0010" '"id": \{[^}]*"device": 16, [^}]*"vendor": 6966' "$hd"
check_match "hostdev0 has a ROM BAR (bar 6) of the romfile's 65536 bytes" \
	'"bar": 6, "size": 65536|"size": 65536[^}]*"bar": 6' "$hd"
iv=$(printf '%s\n' "$devs" | grep '"qdev_id": "ivshmem0"')
check_match "query-pci lists the ivshmem device 1af4:1110" \
	'"id": \{[^}]*"device": 4368, [^}]*"vendor": 6900' "$iv"
qmp '{"execute":"qom-get","arguments":{"path":"/machine/peripheral/hostdev0","property":"romfile"}}'
check_eq "hostdev0 uses our romfile" "{\"return\": \"$ROM\"}" "$reply"
check "the ivshmem backend file exists in /dev/shm" test -f "$SHM"

# 5. While QEMU holds the VF: the kernel refuses, the PF stays on nvme.
if err=$( (exec 9<>"/dev/vfio/$g1") 2>&1 ); then
	not_ok "a second open of /dev/vfio/$g1 is refused while QEMU holds it"
else
	check_match "a second open of /dev/vfio/$g1 is refused with EBUSY" 'Device or resource busy' "$err"
fi
if wr "$P/sriov_numvfs" 1; then
	not_ok "echo 1 > sriov_numvfs fails while VFs exist"
else
	check_match "echo 1 > sriov_numvfs fails with EBUSY" 'Device or resource busy' "$werr"
fi
check_eq "sriov_numvfs still reads 2" "2" "$(rd "$P/sriov_numvfs")"
check_eq "PF is still bound to nvme" "nvme" "$(lnk "$P/driver")"
check_eq "VF 1 is still on vfio-pci" "vfio-pci" "$(lnk "$D/$VF1/driver")"

# 6. Quit QEMU, give the VF back, remove the VFs.
qmp '{"execute":"quit"}'
for _ in $(seq 1 100); do kill -0 "$qpid" 2>/dev/null || break; sleep 0.2; done
if kill -0 "$qpid" 2>/dev/null; then
	stop_here "nested QEMU exits on QMP quit"
fi
wait "$qpid" 2>/dev/null
qpid=
ok "nested QEMU exits on QMP quit"
wr /sys/bus/pci/drivers/vfio-pci/unbind "$VF1"
check_eq "VF 1 unbound from vfio-pci" "" "$(lnk "$D/$VF1/driver")"
wr "$D/$VF1/driver_override" ""
check_eq "VF 1 driver_override cleared" "(null)" "$(rd "$D/$VF1/driver_override")"
check "/dev/vfio/$g1 went away" test ! -e "/dev/vfio/$g1"
# Only now, with no VF open, is writing 0 safe (it blocks while a VF is held).
wr "$P/sriov_numvfs" 0 || not_ok "echo 0 > sriov_numvfs succeeds ($werr)"
check_eq "sriov_numvfs reads 0" "0" "$(rd "$P/sriov_numvfs")"
check "VFs $VF1 and $VF2 are gone" test ! -e "$D/$VF1" -a ! -e "$D/$VF2"
check "PF has no virtfn links left" test ! -e "$P/virtfn0"
wr "$P/sriov_drivers_autoprobe" 1
check_eq "sriov_drivers_autoprobe back to 1" "1" "$(rd "$P/sriov_drivers_autoprobe")"
check_eq "PF is still bound to nvme" "nvme" "$(lnk "$P/driver")"
rm -f "$ROM" "$SHM"
t_done
