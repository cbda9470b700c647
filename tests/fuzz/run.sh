#!/bin/bash
# Build each libFuzzer target with clang (ASan + UBSan) straight from lib/ sources and run it
# for FUZZ_SECONDS (default 20) on a copy of its committed seed corpus; a crash, leak, sanitizer
# report or broken invariant fails it. Prints ok/not ok per target and "fuzz: N passed, N failed".
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
secs=${FUZZ_SECONDS:-20}
out=${FUZZ_BUILD:-$top/build/fuzz}
cc=${FUZZ_CC:-clang}
pass=0 fail=0
flags=(-g -O1 -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -I"$top/lib"
       "-fsanitize=fuzzer,address,undefined" -fno-sanitize-recover=all -fno-omit-frame-pointer)
read -ra jsonc <<<"$(pkg-config --cflags json-c 2>/dev/null)"

ok()     { pass=$((pass + 1)); echo "ok - $*"; }
not_ok() { fail=$((fail + 1)); echo "not ok - $*"; }

# target NAME "LIB SOURCES" "LIBS": build fuzz_NAME and run it.
target() {
	local name=$1 srcs=$2 libs=$3 bin work log
	bin=$out/fuzz_$name
	work=$(mktemp -d)
	log=$out/fuzz_$name.log
	# shellcheck disable=SC2086 # word splitting of source and library lists is intended
	if ! (cd "$top" && "$cc" "${flags[@]}" "${jsonc[@]}" \
		"tests/fuzz/fuzz_$name.c" $srcs -o "$bin" $libs) >"$log" 2>&1; then
		not_ok "fuzz_$name builds"; sed 's/^/    /' "$log" | tail -20
		rm -rf "$work"; return
	fi
	# New inputs go to the scratch dir (first), the committed seeds stay as they are.
	if "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$out/crash-$name-" "$work" "$top/tests/fuzz/corpus/$name" \
		>"$log" 2>&1; then
		ok "fuzz_$name ran ${secs}s: $(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$log" \
			| grep -Eo '[0-9]+$' || echo '?') runs, no finding"
	else
		not_ok "fuzz_$name found a problem (input saved as $out/crash-$name-*, log $log)"
		grep -E 'ERROR|SUMMARY|runtime error|==[0-9]+==' "$log" | head -10 | sed 's/^/    /'
	fi
	rm -rf "$work"
}

mkdir -p "$out"
if ! command -v "$cc" >/dev/null; then
	not_ok "clang found (install clang and libfuzzer-14-dev)"
else
	target qemuargv "lib/qemuargv.c lib/pciaddr.c lib/err.c" "$(pkg-config --libs json-c)"
	target rom "lib/rom.c lib/apparmor.c lib/paths.c lib/err.c" ""
	target aa_block "lib/apparmor.c lib/paths.c lib/err.c" ""
fi
echo "fuzz: $pass passed, $fail failed"
[ "$fail" = 0 ]
