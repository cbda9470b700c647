#!/bin/bash
# Run every cmocka unit test binary in BUILD/tests; VALGRIND=1 runs each under valgrind.
# Prints one line per binary and the totals as "unit: N passed, N failed".
set -u
build=${1:-build}
pass=0 fail=0
vg=()
[ "${VALGRIND:-}" = 1 ] && vg=(valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite)
shopt -s nullglob
for t in "$build"/tests/test_*; do
	[ -x "$t" ] || continue
	log=$(mktemp)
	"${vg[@]}" "$t" >"$log" 2>&1
	rc=$?
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
	p=${p:-0} f=${f:-0}
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then f=1; fi   # crash, sanitizer or valgrind error
	pass=$((pass + p)) fail=$((fail + f))
	if [ "$rc" = 0 ]; then
		echo "ok - ${t##*/} ($p cases)"
	else
		echo "not ok - ${t##*/} (exit $rc)"; sed 's/^/    /' "$log" | tail -40
	fi
	rm -f "$log"
done
echo "unit: $pass passed, $fail failed"
[ "$fail" = 0 ]
