#!/bin/bash
# x4-hook under stress on the simulated X4: 8 VMs preparing at once on 7 VFs, all releasing at
# once; kill -9 at each step of prepare, then release and a new prepare.
set -u
. "$(dirname "$0")/../lib.sh"
. "$T_TOP/tests/hooklib.sh"
trap sim_stop EXIT

claims() { grep -o '"vm": *"[^"]*"' "$ROOT/run/x4-sriov/state.json" 2>/dev/null | wc -l; }

# --- 8 VMs at once on 7 VFs (vm8 wants vm1's VF): 7 win distinct VFs, 1 gets a clear refusal
sim_start
conf '[host]' 'vf_teardown = remove'
dir=$(mktemp -d)
for i in 1 2 3 4 5 6 7 8; do
	f=$(( (i - 1) % 7 + 1 ))
	dom "vm$i" "$(hostdev "0000:00:02.$f" no)" >"$dir/vm$i.xml"
done
for i in 1 2 3 4 5 6 7 8; do
	( "$HOOK" "vm$i" prepare begin - <"$dir/vm$i.xml" >"$dir/vm$i.out" 2>&1; echo $? >"$dir/vm$i.rc" ) &
done
wait
ok_n=$(grep -lx 0 "$dir"/vm*.rc | wc -l)
fail_n=$(grep -lx 1 "$dir"/vm*.rc | wc -l)
check_eq "7 of 8 concurrent prepares succeed" 7 "$ok_n"
check_eq "1 of 8 is refused" 1 "$fail_n"
loser=$(basename "$(grep -lx 1 "$dir"/vm*.rc)" .rc)
check_match "the refusal names the VM holding the VF" "^x4-sriov: VF 0000:00:02.1 is in use by VM 'vm[18]'" "$(cat "$dir/$loser.out")"
check_eq "7 claims recorded" 7 "$(claims)"
bound=0
for f in 1 2 3 4 5 6 7; do [ "$(driver_of "0000:00:02.$f")" = vfio-pci ] && bound=$((bound + 1)); done
check_eq "7 distinct VFs on vfio-pci" 7 "$bound"
check_eq "VFs created once" 1 "$(grep -c 'sriov_numvfs 7' "$ROOT/sys/x4sim/log")"
for i in 1 2 3 4 5 6 7 8; do
	( "$HOOK" "vm$i" stopped end - <"$dir/vm$i.xml" >/dev/null 2>&1
	  "$HOOK" "vm$i" release end - <"$dir/vm$i.xml" >>"$dir/rel.out" 2>&1 ) &
done
wait
check_eq "all released: no claims" 0 "$(claims)"
check_eq "all released: VFs removed (vf_teardown = remove)" 0 "$(numvfs)"
check_eq "all released: autoprobe as before" 1 "$(sysattr 0000:00:02.0 sriov_drivers_autoprobe)"
check_eq "concurrent releases print nothing" "" "$(cat "$dir/rel.out")"
check "state file is valid JSON" bash -c "python3 -m json.tool \"$ROOT/run/x4-sriov/state.json\" >/dev/null"
rm -rf "$dir"
sim_stop

# --- kill -9 at each step of prepare, then release and a new prepare
for step in prepare-locked prepare-before-saved prepare-autoprobe-off prepare-vfs-created \
	prepare-claimed prepare-bound prepare-state-saved prepare-plan-written; do
	sim_start
	a=$(dom win-a "$(hostdev 0000:00:02.1 no)")
	OUT=$(printf '%s' "$a" | X4_TESTPOINT=$step "$HOOK" win-a prepare begin - 2>&1); RC=$?
	check_eq "$step: the hook died by SIGKILL" 137 "$RC"
	stop_vm win-a "$a"
	check_eq "$step: release afterwards exits 0" 0 "$RC"
	check_eq "$step: the VF is not left on vfio-pci" "" "$(driver_of 0000:00:02.1)"
	check_eq "$step: no driver_override left" "(null)" "$(sysattr 0000:00:02.1 driver_override 2>/dev/null || echo '(null)')"
	check_eq "$step: no claim left" 0 "$(claims)"
	check "$step: no plan left" test ! -e "$ROOT/run/x4-sriov/vm/win-a.json"
	check "$step: no temp files left" bash -c "! ls '$ROOT/run/x4-sriov' | grep -q tmp"
	start_vm win-a "$a"
	check_eq "$step: a new prepare works" "0:vfio-pci" "$RC:$(driver_of 0000:00:02.1)"
	stop_vm win-a "$a"
	check_eq "$step: and its release gives the VF back" "0:" "$RC:$(driver_of 0000:00:02.1)"
	check "$step: the PF was never unbound" bash -c "! grep -q 'i915/unbind 0000:00:02.0' '$ROOT/sys/x4sim/log'"
	sim_stop
done
# --- with vf_teardown = remove, a prepare killed after making the VFs leaves nothing behind
for step in prepare-autoprobe-off prepare-vfs-created prepare-claimed prepare-bound; do
	sim_start
	conf '[host]' 'vf_teardown = remove'
	a=$(dom win-a "$(hostdev 0000:00:02.1 no)")
	(printf '%s' "$a" | X4_TESTPOINT=$step "$HOOK" win-a prepare begin -) >/dev/null 2>&1
	stop_vm win-a "$a"
	check_eq "$step, remove: release puts the host back (no VFs, autoprobe 1)" "0:0:1" \
		"$RC:$(numvfs):$(sysattr 0000:00:02.0 sriov_drivers_autoprobe)"
	sim_stop
done
t_done
