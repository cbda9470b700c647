#!/bin/bash
# bench/rom-extract: x4ctl rom extract against UEFIExtract (uefitool-cli) on the same images in
# the same run, interleaved: Debian's OVMF padded to 16 MiB (QemuVideoDxe by GUID) and a 32 MiB
# AMI-style image built by tests/fwfixture.py (the GOP in the A0327FE0 container). Median wall
# time of N runs each and peak RSS. Targets: <= 0.5x UEFIExtract's time, <= 64 MiB RSS.
# Usage: bench/rom-extract.sh [N]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
n=${1:-5}
command -v UEFIExtract >/dev/null || { echo "bench/rom-extract: needs UEFIExtract (apt install uefitool-cli)" >&2; exit 1; }
make -s build/bin/x4ctl >/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ovmf=/usr/share/ovmf/OVMF.fd
[ -f "$ovmf" ] || ovmf=/usr/share/OVMF/OVMF_CODE.fd
{ head -c $((16 * 1024 * 1024 - $(stat -c %s "$ovmf"))) /dev/zero | tr '\0' '\377'; cat "$ovmf"; } >"$tmp/ovmf16.bin"
python3 tests/fwfixture.py --big 32 "$tmp/ami32.bin"

# run NAME CMD...: one timed run (wall s, peak RSS KiB) appended to $tmp/NAME.
run() {
	local name=$1
	shift
	rm -rf "$tmp/out"
	mkdir -p "$tmp/x"
	/usr/bin/time -f '%e %M' -o "$tmp/t" "$@" >/dev/null 2>&1 || true
	cat "$tmp/t" >>"$tmp/$name"
}
# median FILE COLUMN
median() { sort -n -k"$2" "$1" | awk -v c="$2" '{ v[NR] = $c } END { print v[int((NR + 1) / 2)] }'; }
peak() { sort -n -k2 "$1" | tail -1 | cut -d' ' -f2; }

QV=E3752948-B9A1-4770-90C4-DF41C38986BE
for _ in $(seq "$n"); do
	run x16 build/bin/x4ctl rom extract "$tmp/ovmf16.bin" --guid "$QV" --out "$tmp/x"
	run u16 UEFIExtract "$tmp/ovmf16.bin" "$QV" -o "$tmp/out" -m body -t 10
	run x32 build/bin/x4ctl rom extract "$tmp/ami32.bin" --out "$tmp/x"
	run u32 UEFIExtract "$tmp/ami32.bin" A0327FE0-1FDA-4E5B-905D-B510C45A61D0 -o "$tmp/out" -m body -t 18
done
printf '| image | x4ctl rom extract | UEFIExtract | time ratio | x4ctl peak RSS |\n|---|---|---|---|---|\n'
for s in 16 32; do
	xt=$(median "$tmp/x$s" 1) ut=$(median "$tmp/u$s" 1)
	printf '| %s MiB | %s s | %s s (%s MiB RSS) | %sx | %s MiB |\n' "$s" "$xt" "$ut" \
		"$(($(peak "$tmp/u$s") / 1024))" "$(awk -v a="$xt" -v b="$ut" 'BEGIN { printf "%.2f", a / b }')" \
		"$(($(peak "$tmp/x$s") / 1024))"
done
