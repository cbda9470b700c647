#!/bin/bash
# Every suite of x4-sriov, in order: lint, unit (plain, ASan+UBSan, valgrind), lib coverage, the
# simulated X4, the programs on it, real libvirt + QEMU, fuzzing, the real-kernel run.
# Ends with one line "N passed, N failed" over all of them.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
total_pass=0 total_fail=0
log=$(mktemp)

# run_suite NAME CMD...: run a suite, echo its output, add its "N passed, N failed" totals.
run_suite() {
	local name=$1; shift
	echo "=== $name"
	"$@" 2>&1 | tee "$log"
	local rc=${PIPESTATUS[0]}
	local line p f
	line=$(grep -E '[0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
	p=$(printf '%s' "$line" | sed -n 's/.*\b\([0-9][0-9]*\) passed.*/\1/p')
	f=$(printf '%s' "$line" | sed -n 's/.* \([0-9][0-9]*\) failed.*/\1/p')
	p=${p:-0} f=${f:-0}
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then f=1; echo "not ok - suite $name exited $rc"; fi
	total_pass=$((total_pass + p)) total_fail=$((total_fail + f))
}

# lint: cppcheck and clang-tidy (defaults), warnings are failures
lint_suite() { if make -s lint; then echo "lint: 1 passed, 0 failed"; else echo "lint: 0 passed, 1 failed"; return 1; fi; }
run_suite lint lint_suite
run_suite unit ./tests/run-unit.sh build
run_suite unit-asan make -s asan
run_suite unit-valgrind env VALGRIND=1 ./tests/run-unit.sh build
run_suite coverage make -s coverage
for s in tests/suites/*.sh; do
	[ -x "$s" ] || continue
	run_suite "$(basename "$s" .sh)" "$s"
done
rm -f "$log"
echo
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" = 0 ]
