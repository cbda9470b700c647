#!/bin/bash
# Fuzzing: the argv rewriter, the ROM parser and the BIOS-image extractor under libFuzzer +
# ASan/UBSan, FUZZ_SECONDS per target (tests/fuzz/run.sh), on the committed seed corpus.
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
