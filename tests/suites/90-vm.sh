#!/bin/bash
# SPDX-License-Identifier: MIT
# The real-kernel run: every tests/vm/scenarios/*.sh in one boot of Debian's 6.1 kernel under
# TCG with an SR-IOV NVMe (tests/vm/run.sh). X4_SKIP_VM=1 skips it; X4_VM_TIMEOUT sets the limit;
# X4_VM_SCENARIOS (paths, space-separated) runs those instead (make check-lab: the package
# scenario tests/vm/package/deb.sh and the DKMS one tests/vm/lab/lg-build-module.sh).
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

if [ "${X4_SKIP_VM:-0}" = 1 ]; then
	echo "# skipped: X4_SKIP_VM=1"
	t_done
	exit
fi
if [ -n "${X4_VM_SCENARIOS:-}" ]; then
	read -ra scen <<<"$X4_VM_SCENARIOS"
else
	scen=("$T_TOP"/tests/vm/scenarios/*.sh)
fi
[ -e "${scen[0]}" ] || { not_ok "tests/vm/scenarios has scenarios"; t_done; exit; }

out=$(mktemp)
"$T_TOP/tests/vm/run.sh" --timeout "${X4_VM_TIMEOUT:-1200}" "${scen[@]}" >"$out" 2>&1
rc=$?
# Count the guest's lines as this suite's own; the rest is context.
while IFS= read -r line; do
	case $line in
	'ok - '*) ok "${line#ok - }" ;;
	'not ok - '*) not_ok "${line#not ok - }" ;;
	*' passed, '*' failed') ;;
	*) echo "$line" ;;
	esac
done <"$out"
rm -f "$out"
[ "$rc" = 0 ] || [ "$T_FAIL" != 0 ] || not_ok "tests/vm/run.sh exited $rc"
t_done
