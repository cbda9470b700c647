#!/bin/bash
# Build lib/ once with clang (ASan + UBSan, fuzzer-no-link) and each libFuzzer target against
# it, and run each for FUZZ_SECONDS (default 8; `make fuzz FUZZ_S=600` for long runs) on a copy
# of its committed seed corpus; a crash, leak, sanitizer report or broken invariant fails it.
# FUZZ_TARGETS="domxml plan" runs only those. Prints ok/not ok per target and "fuzz: N passed,
# N failed".
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
secs=${FUZZ_SECONDS:-8}
out=${FUZZ_BUILD:-$top/build/fuzz}
cc=${FUZZ_CC:-clang}
pass=0 fail=0
pkgs=(json-c libxml-2.0 inih libpci liblzma libbrotlidec)
flags=(-g -O1 -std=c11 -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 -Wall -Wextra -Werror -I"$top/lib"
       -fno-sanitize-recover=all -fno-omit-frame-pointer)
read -ra pkgcflags <<<"$(pkg-config --cflags "${pkgs[@]}" 2>/dev/null)"
read -ra pkglibs <<<"$(pkg-config --libs "${pkgs[@]}" 2>/dev/null)"

ok()     { pass=$((pass + 1)); echo "ok - $*"; }
not_ok() { fail=$((fail + 1)); echo "not ok - $*"; }

# libx4: every lib/ source instrumented for the fuzzer, built once per run (two at a time).
build_lib() {
	local log=$out/lib.log f n=0
	rm -rf "${out:?}/lib" "$out/libx4fuzz.a" && mkdir -p "$out/lib"
	: >"$log"
	for f in "$top"/lib/*.c; do
		"$cc" "${flags[@]}" "${pkgcflags[@]}" -fsanitize=fuzzer-no-link,address,undefined \
			-c "$f" -o "$out/lib/$(basename "$f" .c).o" >>"$log" 2>&1 &
		n=$((n + 1))
		[ $((n % 2)) = 0 ] && wait
	done
	wait
	if [ "$(find "$out/lib" -name '*.o' | wc -l)" != "$n" ] ||
		! ar rcs "$out/libx4fuzz.a" "$out"/lib/*.o >>"$log" 2>&1; then
		not_ok "lib/ builds for fuzzing"; sed 's/^/    /' "$log" | tail -20
		return 1
	fi
}

# target NAME [SOURCE...]: build fuzz_NAME (with those sources outside lib/, e.g. cli/) against
# libx4 and run it.
target() {
	local name=$1 bin work log
	shift
	case " ${FUZZ_TARGETS:-$name} " in *" $name "*) ;; *) return ;; esac
	bin=$out/fuzz_$name
	work=$(mktemp -d)
	log=$out/fuzz_$name.log
	if ! (cd "$top" && "$cc" "${flags[@]}" "${pkgcflags[@]}" \
		-fsanitize=fuzzer,address,undefined -Icli "tests/fuzz/fuzz_$name.c" "$@" -o "$bin" \
		"$out/libx4fuzz.a" "${pkglibs[@]}") >"$log" 2>&1; then
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
	if build_lib; then
		for t in qemuargv rom domxml config state plan aa_block fwextract kmsg kconf lgmp lgstore dkmsconf; do
			target "$t"
		done
		target define_run cli/define_xml.c cli/util.c
	fi
fi
echo "fuzz: $pass passed, $fail failed"
[ "$fail" = 0 ]
