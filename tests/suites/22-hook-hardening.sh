#!/bin/bash
# x4-hook hardening on the simulated X4 (issue 10): re-prepare, the PF as a hostdev, a damaged
# state.json, stale claims, [vm] vf_teardown; x4ctl status/doctor/vf repair on the same states.
set -u
. "$(dirname "$0")/../lib.sh"
. "$T_TOP/tests/hooklib.sh"
X4CTL=$T_BIN/x4ctl
trap sim_stop EXIT

x() { OUT=$("$X4CTL" "$@" 2>&1); RC=$?; }
state() { cat "$ROOT/run/x4-sriov/state.json" 2>/dev/null; }
claims() { grep -o '"vm": *"[^"]*"' "$ROOT/run/x4-sriov/state.json" 2>/dev/null | wc -l; }
group_of() { basename "$(readlink "$ROOT/sys/bus/pci/devices/$1/iommu_group")"; }
# qemu_of VM PID COMM [GROUP]: a pretend QEMU as libvirt and the kernel show it.
qemu_of() {
	mkdir -p "$ROOT/run/libvirt/qemu" "$ROOT/proc/$2/fd"
	echo "$2" >"$ROOT/run/libvirt/qemu/$1.pid"
	echo "$3" >"$ROOT/proc/$2/comm"
	[ -z "${4:-}" ] || ln -sfn "/dev/vfio/$4" "$ROOT/proc/$2/fd/27"
}
# age_plan VM: prepared an hour ago (a starting VM's grace is over).
age_plan() { touch -h -d '-1 hour' "$ROOT/run/x4-sriov/vm/$1.json"; }

# --- defect 1: a second prepare of a VM holding its claim is idempotent
for m in no yes; do
	sim_start
	a=$(dom win-a "$(hostdev 0000:00:02.1 $m)$(hostdev 0000:00:02.3 no)")
	hook win-a prepare begin "$a"
	check_eq "managed=$m: first prepare" "0:" "$RC:$OUT"
	cp "$ROOT/run/x4-sriov/vm/win-a.json" "$ROOT/plan1"
	s1=$(state)
	hook win-a prepare begin "$a"
	check_eq "managed=$m: second prepare exits 0 (was SIGBUS)" "0:" "$RC:$OUT"
	check "managed=$m: same plan" cmp -s "$ROOT/plan1" "$ROOT/run/x4-sriov/vm/win-a.json"
	check_eq "managed=$m: same claims" "$s1" "$(state)"
	stop_vm win-a "$a"
	check_eq "managed=$m: release gives both VFs back" ":" \
		"$(driver_of 0000:00:02.1):$(driver_of 0000:00:02.3)"
	check_eq "managed=$m: no claim left" 0 "$(claims)"
	sim_stop
done

# --- defect 5: the PF itself as a hostdev is refused before the host is touched
sim_start
p=$(dom gvtd "$(hostdev 0000:00:02.0 yes)")
hook gvtd prepare begin "$p"
check_eq "PF hostdev: prepare fails" 1 "$RC"
check_match "PF hostdev: the 'never pass the PF' line" "^x4-sriov: VM 'gvtd' has the PF 0000:00:02.0 itself as a hostdev: never pass the PF" "$OUT"
check_eq "PF hostdev: nothing written to the kernel" "" "$(simlog)"
check_eq "PF hostdev: i915 keeps the PF" i915 "$(driver_of 0000:00:02.0)"
stop_vm gvtd "$p"
check_eq "PF hostdev: release is quiet" "0:" "$RC:$OUT"
sim_stop

# --- defect 7: [vm NAME] vf_teardown decides at that VM's release
sim_start
conf '[host]' 'vf_teardown = keep' '[vm win-a]' 'vf_teardown = remove'
a=$(dom win-a "$(hostdev 0000:00:02.1 no)")
start_vm win-a "$a"; stop_vm win-a "$a"
check_eq "[vm] vf_teardown = remove removes the VFs" "0:1" \
	"$(numvfs):$(sysattr 0000:00:02.0 sriov_drivers_autoprobe)"
sim_stop

# --- defect 6: a damaged state.json is kept aside and rebuilt from the kernel
sim_start
a=$(dom win-a "$(hostdev 0000:00:02.3 no)")
start_vm win-a "$a"
qemu_of win-a 4100 qemu-system-x86 "$(group_of 0000:00:02.3)"
printf '{ "version": 1, "claims": [ {' >"$ROOT/run/x4-sriov/state.json"
x status
check_match "status warns about the damaged state" "state.json is damaged" "$OUT"
x doctor
check_match "doctor: damaged state names the fix" "fix: sudo x4ctl vf repair" "$OUT"
c=$(dom win-c "$(hostdev 0000:00:02.3 no)")
hook win-c prepare begin "$c"
check_eq "damaged state: win-a's VF is still refused" 1 "$RC"
check_match "damaged state: the refusal names win-a" "in use by VM 'win-a'" "$OUT"
check_match "damaged state: logged with the path it was kept as" \
	"kept it as /run/x4-sriov/state.json.damaged-[0-9TZ]+ and rebuilt 1 claim" "$OUT"
asides=("$ROOT"/run/x4-sriov/state.json.damaged-*); aside=${asides[0]}
check_eq "damaged state: the damaged bytes are kept" '{ "version": 1, "claims": [ {' "$(cat "$aside" 2>/dev/null)"
check_match "damaged state: the rebuilt state holds win-a" '"win-a"' "$(state)"
hook win-a reconnect begin "$a"
check_match "reconnect marks the rebuilt managed='no' claim bound_by_us" '"bound_by_us": ?true' "$(state)"
x doctor
check_match "doctor lists the kept copy with its rm" "fix: compare it with x4ctl status, then sudo rm /run/x4-sriov/state.json.damaged-" "$OUT"
rm -f "$ROOT/run/libvirt/qemu/win-a.pid"
stop_vm win-a "$a"
check_eq "rebuilt claim released: VF given back" "" "$(driver_of 0000:00:02.3)"
sim_stop

# --- stale claims: a VM gone without release is shown, reported and reclaimed
sim_start
a=$(dom win-a "$(hostdev 0000:00:02.2 no)")
start_vm win-a "$a"
x status
check "fresh claim (VM starting) is not stale" bash -c "! grep -q stale <<<\"\$0\"" "$OUT"
age_plan win-a
qemu_of win-a 4200 qemu-system-x86
x status
check "a live QEMU keeps its claim" bash -c "! grep -q stale <<<\"\$0\"" "$OUT"
echo bash >"$ROOT/proc/4200/comm"   # the pid was reused by another program
x status
check_match "status marks a claim whose pid is no QEMU as stale" "0000:00:02.2 +vfio-pci +[0-9]+ +win-a +[^ ]+( [^ ]+)* \(stale: not running\)" "$OUT"
check_match "status names the fix" "sudo x4ctl vf repair" "$OUT"
x status --json
check_match "status --json has stale: true" '"stale": ?true' "$OUT"
x doctor
check_match "doctor reports the stale claim" "WARN +state +VF 0000:00:02.2 is claimed by VM 'win-a', which is not running" "$OUT"
check_match "doctor's fix for it" "fix: sudo x4ctl vf repair" "$OUT"
b=$(dom win-b "$(hostdev 0000:00:02.2 no)")
hook win-b prepare begin "$b"
check_eq "prepare of another VM reclaims the stale VF" 0 "$RC"
check_match "the reclaim is logged" "released the stale claim of VF 0000:00:02.2 by VM 'win-a'" "$OUT"
check_match "the VF now belongs to win-b" '"win-b"' "$(state)"
check "the stale VM's plan is gone" test ! -e "$ROOT/run/x4-sriov/vm/win-a.json"
check_eq "the VF is on vfio-pci for win-b" vfio-pci "$(driver_of 0000:00:02.2)"
stop_vm win-b "$b"
sim_stop

# --- x4ctl vf repair: by hand, for both
sim_start
a=$(dom win-a "$(hostdev 0000:00:02.4 no)")
start_vm win-a "$a"
age_plan win-a
x vf repair
check_eq "vf repair exits 0" 0 "$RC"
check_match "vf repair names the stale claim it released" "released the stale claim of VF 0000:00:02.4 by VM 'win-a'" "$OUT"
check_match "vf repair sums up" "^released 1 stale claim" "$OUT"
check_eq "vf repair gave the VF back" "0:" "$(claims):$(driver_of 0000:00:02.4)"
x vf repair
check_eq "vf repair on a sound state" "0:state is sound: no damage, no stale claims" "$RC:$OUT"
echo junk >"$ROOT/run/x4-sriov/state.json"
x vf repair
check_match "vf repair keeps a damaged state aside" "was damaged: kept it as /run/x4-sriov/state.json.damaged-" "$OUT"
x doctor
check "doctor: no FAIL on the state after repair" bash -c "! grep -Eq '^FAIL +state' <<<\"\$0\"" "$OUT"
sim_stop
t_done
