#!/bin/bash
# The hook and wrapper suites again, with the ASan+UBSan builds of the programs and the
# simulator (build/asan/bin, made by `make asan`): any sanitizer report fails a check.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
make -s BUILD=build/asan SAN=1 all >/dev/null || { echo "asan-programs: 0 passed, 1 failed"; exit 1; }
export T_BIN=$top/build/asan/bin
export ASAN_OPTIONS=abort_on_error=0:exitcode=99 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
pass=0 fail=0
log=$(mktemp)
for s in 20-hook 21-hook-concurrency 22-hook-hardening 50-wrapper; do
	"tests/suites/$s.sh" >"$log" 2>&1
	grep -E '^not ok' "$log"
	line=$(tail -1 "$log")
	echo "$line"
	p=$(printf '%s' "$line" | sed -n 's/.*: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p')
	f=$(printf '%s' "$line" | sed -n 's/.*: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p')
	pass=$((pass + ${p:-0})) fail=$((fail + ${f:-1}))
done
rm -f "$log"
echo "asan-programs: $pass passed, $fail failed"
[ "$fail" = 0 ]
