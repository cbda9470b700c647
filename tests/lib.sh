# Shared helpers for the shell test suites: TAP-like "ok"/"not ok" lines that run-all.sh counts.
# shellcheck shell=bash
T_PASS=0 T_FAIL=0
T_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
T_BIN=${T_BIN:-$T_TOP/build/bin}

ok()     { T_PASS=$((T_PASS + 1)); echo "ok - $*"; }
not_ok() { T_FAIL=$((T_FAIL + 1)); echo "not ok - $*"; }

# check DESC CMD...: passes when CMD exits 0.
check() { local d=$1; shift; if "$@"; then ok "$d"; else not_ok "$d"; fi; }
# check_eq DESC EXPECTED ACTUAL
check_eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1 (expected '$2', got '$3')"; fi
}
# check_match DESC REGEX TEXT
check_match() {
	if printf '%s' "$3" | grep -Eq -- "$2"; then ok "$1"; else not_ok "$1 (no /$2/ in: $(printf '%s' "$3" | head -c 400))"; fi
}
# Print this suite's totals; exit status tells run-all.sh whether it passed.
t_done() { echo "$(basename "$0"): $T_PASS passed, $T_FAIL failed"; [ "$T_FAIL" = 0 ]; }
