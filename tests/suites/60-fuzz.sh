#!/bin/bash
# Fuzzing: every parser of outside input (argv rewriter, ROM, BIOS images, domain XML incl. the
# hook front's quick look, config, state.json, plans, AppArmor rule blocks, define's run-phase
# switch, the kernel log and kernel settings) under libFuzzer + ASan/UBSan, bounded by
# FUZZ_SECONDS per target (default 8, which keeps make check under 15 minutes; tests/fuzz/run.sh), each with its committed seed corpus.
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/../lib.sh"

out=$(mktemp)
"$T_TOP/tests/fuzz/run.sh" >"$out" 2>&1
rc=$?
while IFS= read -r line; do
	case $line in
	"ok - "*) ok "${line#ok - }" ;;
	"not ok - "*) not_ok "${line#not ok - }" ;;
	"fuzz: "*) ;;
	*) echo "$line" ;;
	esac
done <"$out"
[ "$rc" = 0 ] || [ "$T_FAIL" != 0 ] || not_ok "tests/fuzz/run.sh exited $rc"
rm -f "$out"
t_done
