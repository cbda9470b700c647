#!/bin/bash
# x4-hook black-box on the simulated X4: libvirt's event sequences, claims, faults, bad input.
set -u
. "$(dirname "$0")/../lib.sh"
. "$T_TOP/tests/hooklib.sh"
trap sim_stop EXIT

# --- VMs that are not ours cost nothing and change nothing
sim_start
plain=$(cat "$T_TOP/tests/fixtures/domxml/hook-stdin-prepare-begin.xml" 2>/dev/null || dom plain)
for ev in "prepare begin" "start begin" "started begin" "stopped end" "release end" "reconnect begin"; do
	set -- $ev
	hook feas "$1" "$2" "$plain"
	check_eq "not ours: $ev exits 0 silently" "0:" "$RC:$OUT"
done
nic=$(dom nicvm "$(hostdev 0000:02:00.0 yes)")
start_vm nicvm "$nic"; check_eq "a VM with a NIC hostdev is not ours" "0:" "$RC:$OUT"
stop_vm nicvm "$nic"
check_eq "not ours: no write reached the kernel" "" "$(simlog)"
check "not ours: no state written" test ! -e "$ROOT/run/x4-sriov/state.json"
sim_stop

# --- managed='no': prepare creates VFs and binds the VF; release gives it back
sim_start
a=$(dom win-a "$(hostdev 0000:00:02.1 no)")
start_vm win-a "$a"
check_eq "prepare managed=no succeeds" "0:" "$RC:$OUT"
check_eq "7 VFs created" 7 "$(numvfs)"
check_eq "autoprobe turned off first" 0 "$(sysattr 0000:00:02.0 sriov_drivers_autoprobe)"
check_eq "VF bound to vfio-pci" vfio-pci "$(driver_of 0000:00:02.1)"
check_eq "other VFs left without a driver" "" "$(driver_of 0000:00:02.2)"
check_eq "PF stays on i915" i915 "$(driver_of 0000:00:02.0)"
grp=$(basename "$(readlink "$ROOT/sys/bus/pci/devices/0000:00:02.1/iommu_group")")
check "/dev/vfio/$grp exists" test -e "$ROOT/dev/vfio/$grp"
check_match "claim recorded" '"win-a"' "$(cat "$ROOT/run/x4-sriov/state.json" 2>/dev/null)"
check "plan written for the wrapper" test -e "$ROOT/run/x4-sriov/vm/win-a.json"
check_match "plan names the VF" '0000:00:02.1' "$(cat "$ROOT/run/x4-sriov/vm/win-a.json" 2>/dev/null)"
stop_vm win-a "$a"
check_eq "release exits 0" "0:" "$RC:$OUT"
check_eq "VF back to no driver" "" "$(driver_of 0000:00:02.1)"
check_eq "driver_override cleared" "(null)" "$(sysattr 0000:00:02.1 driver_override)"
check "plan removed" test ! -e "$ROOT/run/x4-sriov/vm/win-a.json"
check_eq "vf_teardown=keep keeps the VFs" 7 "$(numvfs)"
check "PF never unbound" bash -c "! grep -q 'i915/unbind 0000:00:02.0' '$ROOT/sys/x4sim/log'"
sim_stop

# --- managed='yes' leaves binding to libvirt; vf_teardown=remove restores the host
sim_start
conf '[host]' 'vf_teardown = remove' 'num_vfs = 3'
b=$(dom win-b "$(hostdev 0000:00:02.2 yes)")
start_vm win-b "$b"
check_eq "prepare managed=yes succeeds" "0:" "$RC:$OUT"
check_eq "num_vfs from config" 3 "$(numvfs)"
check_eq "managed VF not bound by us" "" "$(driver_of 0000:00:02.2)"
stop_vm win-b "$b"
check_eq "teardown=remove removes the VFs" 0 "$(numvfs)"
check_eq "autoprobe restored" 1 "$(sysattr 0000:00:02.0 sriov_drivers_autoprobe)"
sim_stop

# --- two VMs; a VF held by one is refused to the other, with no host change
sim_start
a=$(dom win-a "$(hostdev 0000:00:02.1 no)")
b=$(dom win-b "$(hostdev 0000:00:02.2 no)")
c=$(dom win-c "$(hostdev 0000:00:02.1 no)")
start_vm win-a "$a"; start_vm win-b "$b"
check_eq "second VM gets its own VF" vfio-pci "$(driver_of 0000:00:02.2)"
before=$(simlog | wc -l)
hook win-c prepare begin "$c"
check_eq "a held VF is refused" 1 "$RC"
check_match "the refusal names the other VM" "x4-sriov: VF 0000:00:02.1 is in use by VM 'win-a'" "$OUT"
check_eq "the refusal is one line" 1 "$(printf '%s\n' "$OUT" | wc -l)"
check_eq "the refusal changed nothing on the host" "$before" "$(simlog | wc -l)"
stop_vm win-c "$c"   # libvirt runs stopped+release after a failed prepare
check_eq "release of the refused VM leaves win-a's VF alone" vfio-pci "$(driver_of 0000:00:02.1)"
stop_vm win-a "$a"; stop_vm win-b "$b"
check_eq "both VFs given back" ":" "$(driver_of 0000:00:02.1):$(driver_of 0000:00:02.2)"
sim_stop

# --- libvirtd restart: reconnect re-adopts a claim whose state was lost
sim_start
a=$(dom win-a "$(hostdev 0000:00:02.3 no)")
start_vm win-a "$a"
rm -f "$ROOT/run/x4-sriov/state.json" "$ROOT/run/x4-sriov/vm/win-a.json"
hook win-a reconnect begin "$a"
check_eq "reconnect exits 0" "0:" "$RC:$OUT"
check_match "reconnect re-adopted the claim" '"win-a"' "$(cat "$ROOT/run/x4-sriov/state.json" 2>/dev/null)"
check "reconnect rewrote the plan" test -e "$ROOT/run/x4-sriov/vm/win-a.json"
c=$(dom win-c "$(hostdev 0000:00:02.3 no)")
hook win-c prepare begin "$c"
check_eq "the re-adopted VF is still protected" 1 "$RC"
stop_vm win-a "$a"
check_eq "re-adopted VF given back" "" "$(driver_of 0000:00:02.3)"
# libvirt >= 10.5 passes the shutoff reason as the 4th argument
start_vm win-a "$a"
hook win-a stopped end "$a" shutdown; hook win-a release end "$a" shutdown
check_eq "release with a shutoff reason works" "0::" "$RC:$OUT:$(driver_of 0000:00:02.3)"
sim_stop

# --- kernel faults: clear errors, nothing half-done
sim_start --fault pf-busy
a=$(dom win-a "$(hostdev 0000:00:02.1 no)")
hook win-a prepare begin "$a"
check_eq "PF init busy fails prepare" 1 "$RC"
check_match "PF busy message names the PF" "x4-sriov: .*0000:00:02.0.*" "$OUT"
check_eq "no VFs after a busy PF" 0 "$(numvfs)"
check_eq "autoprobe put back after the failure" 1 "$(sysattr 0000:00:02.0 sriov_drivers_autoprobe)"
stop_vm win-a "$a"
check_eq "release after a failed prepare exits 0" 0 "$RC"
sim_stop

sim_start --fault no-vfio
a=$(dom win-a "$(hostdev 0000:00:02.1 no)")
hook win-a prepare begin "$a"
check_eq "vfio-pci missing fails prepare" 1 "$RC"
check_match "vfio-pci missing says what to do" "modprobe vfio-pci" "$OUT"
check_eq "VFs created by the failed prepare are removed again" 0 "$(numvfs)"
check "no claim left" bash -c "! grep -q win-a '$ROOT/run/x4-sriov/state.json' 2>/dev/null"
sim_stop

sim_start --state no-sriov
a=$(dom win-a "$(hostdev 0000:00:02.1 no)")
hook win-a prepare begin "$a"
check_eq "no SR-IOV fails prepare" 1 "$RC"
check_match "no SR-IOV says what to do" "x4-sriov: .*(SR-IOV|sriov).*" "$OUT"
hook feas prepare begin "$plain"
check_eq "no SR-IOV: other VMs still start" "0:" "$RC:$OUT"
sim_stop

# --- config: broken config never stops other VMs; ours get the line
sim_start
conf '[host]' 'num_vfs = lots'
hook feas prepare begin "$plain"
check_eq "broken config: other VMs start" "0:" "$RC:$OUT"
a=$(dom win-a "$(hostdev 0000:00:02.1 no)")
hook win-a prepare begin "$a"
check_eq "broken config: our VM fails" 1 "$RC"
check_match "broken config error names file, line and key" "x4-sriov.conf:2.*num_vfs" "$OUT"
check_eq "broken config: nothing written to the kernel" "" "$(simlog)"
sim_stop

# --- bad input: never a crash, never a host change
sim_start
a=$(dom win-a "$(hostdev 0000:00:02.1 no)")
hook win-a prepare begin '<domain><name>win-a</name'
check_eq "malformed XML without a hostdev is not ours: ignored" "0:" "$RC:$OUT"
hook win-a prepare begin '<domain><name>win-a</name><devices><hostdev'
check_eq "malformed XML with a hostdev is ignored" 0 "$RC"
check_match "malformed XML with a hostdev is reported" "x4-sriov: .*" "$OUT"
hook win-a prepare begin ''
check_eq "empty stdin is ignored" 0 "$RC"
OUT=$(head -c $((64 << 20)) /dev/zero | tr '\0' ' ' | "$HOOK" win-a prepare begin - 2>&1); RC=$?
check_eq "64 MiB of stdin is refused without a crash" 0 "$RC"
check_match "64 MiB stdin message" "16 MiB|too large|larger" "$OUT"
bomb='<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><domain><name>&c;</name></domain>'
hook bomb prepare begin "$bomb"
check_eq "entity bomb is ignored" 0 "$RC"
"$HOOK" win-a prepare </dev/null >/dev/null 2>&1; RC=$?
check_eq "wrong argc is a usage error" 2 "$RC"
hook win-a frobnicate begin "$a"
check_eq "unknown op exits 0" "0:" "$RC:$OUT"
hook win-a attach begin "$a"
check_eq "attach exits 0" "0:" "$RC:$OUT"
hook win-a migrate begin "$a"
check_eq "migrate filter prints nothing" "0:" "$RC:$OUT"
odd=$(dom odd "    <hostdev mode='subsystem' type='pci' managed='no'><source><address domain='0x0000' bus='0x100' slot='0x02' function='0x1'/></source></hostdev>")
hook odd prepare begin "$odd"
check_eq "odd address: no crash" 0 "$((RC > 1))"
check_eq "bad input: nothing written to the kernel" "" "$(simlog)"
sim_stop

# The front runs for every event of every VM on the host: it links no JSON, XML or PCI library
# (a plan check or an AppArmor hint must not pull the hook core's code into it).
libs=$(ldd "$HOOK" 2>&1)
check "x4-hook links no json-c, libxml2 or libpci (the front stays lean)" \
	test -z "$(grep -E 'libjson-c|libxml2|libpci' <<<"$libs")"

t_done
