#!/bin/bash
# Whole-file reads go through lib/fileio: a FIFO, a symlink or an oversized file where x4-sriov
# expects a file is refused at once with one line naming it, never waited on (a FIFO used to
# block the hook's prepare and x4ctl rom build for ever).
set -u
. "$(dirname "$0")/../lib.sh"
. "$T_TOP/tests/hooklib.sh"
X4CTL=$T_BIN/x4ctl
TMP=$(mktemp -d /tmp/x4-reads.XXXXXX)
cleanup() { sim_stop; rm -rf "$TMP"; }
trap cleanup EXIT

# quick DESC RC: exited by itself (not killed by timeout's 124) and failed.
quick() { if [ "$2" -ne 0 ] && [ "$2" -ne 124 ]; then ok "$1 (rc $2)"; else not_ok "$1 (rc $2)"; fi; }

mkfifo "$TMP/gop.fifo"
ln -s /dev/null "$TMP/gop.link"
head -c $((16 * 1024 * 1024 + 1)) /dev/zero >"$TMP/gop.big"

# --- x4ctl rom build --efi FILE (x4ctl's bounded read)
OUT=$(timeout 10 "$X4CTL" rom build --efi "$TMP/gop.fifo" --out "$TMP/o.rom" 2>&1); RC=$?
quick "rom build from a FIFO returns" "$RC"
check_match "... saying it is not a regular file" "rom build: $TMP/gop.fifo is not a regular file" "$OUT"
OUT=$(timeout 10 "$X4CTL" rom build --efi "$TMP/gop.big" --out "$TMP/o.rom" 2>&1); RC=$?
quick "rom build from a 16 MiB + 1 file fails" "$RC"
check_match "... naming the cap" "rom build: $TMP/gop.big is larger than 16777216 bytes" "$OUT"
check "... and writes nothing" test ! -e "$TMP/o.rom"

# --- the hook: rom = a FIFO / a symlink (optionrom mode reads it to build the ROM)
sim_start
for f in gop.fifo gop.link; do
	conf '[host]' "rom = $TMP/$f" 'rom_mode = optionrom'
	x=$(dom reads-vm "$(hostdev 0000:00:02.1 yes)")
	OUT=$(printf '%s' "$x" | timeout 20 "$HOOK" reads-vm prepare begin - 2>&1); RC=$?
	quick "hook prepare with rom = $f returns" "$RC"
	check_match "... one line naming it" "cannot read ROM $TMP/$f|ROM $TMP/$f is not a regular file" "$OUT"
done
sim_stop

t_done
