#!/bin/bash
# x4ctl rom extract against independent oracles: Debian's OVMF images and AMI-style fixtures
# built here (tests/fwfixture.py), compared byte for byte with UEFIExtract (uefitool-cli);
# hostile images under a memory limit; --from-flash with a fake flashrom; the extracted GOP
# through rom build, rom check and the wrapper.
set -u
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
X4CTL=$T_BIN/x4ctl
TMP=$(mktemp -d /tmp/x4-romx.XXXXXX)
chmod 0755 "$TMP" # the wrapper checks that QEMU could read the ROM
trap 'rm -rf "$TMP"' EXIT

# x CMD...: run x4ctl; OUT (stdout+stderr) and RC.
x() { OUT=$("$X4CTL" "$@" 2>&1); RC=$?; }
sha() { sha256sum "$1" | cut -d' ' -f1; }
# uefi_body IMG GUID TYPE: UEFIExtract's body of the TYPE (hex) sections of file GUID, to $TMP/ue.
uefi_body() {
	rm -rf "$TMP/ue"
	UEFIExtract "$1" "$2" -o "$TMP/ue" -m body -t "$3" >/dev/null 2>&1
	find "$TMP/ue" -type f -name 'body.bin' 2>/dev/null | head -1
}
# uefi_files IMG: "GUID NAME" of every non-pad file in UEFIExtract's report, sorted.
uefi_files() {
	local d=$TMP/rep
	rm -rf "$d"; mkdir -p "$d"; cp "$1" "$d/img"
	UEFIExtract "$d/img" report >/dev/null 2>&1
	awk -F'|' '$1 ~ /^ File/ && $2 !~ /Pad/ { g = $6; sub(/^ *-+ /, "", g); sub(/ *$/, "", g);
		n = $7; sub(/^ /, "", n); sub(/ *$/, "", n); print g " " n }' "$d/img.report.txt" | sort
}
# our_files IMG: the same from x4ctl rom extract --list.
our_files() {
	"$X4CTL" rom extract "$1" --list | awk '{ g = $1; $1 = ""; $2 = ""; sub(/^ +/, ""); print g " " $0 }' |
		sed 's/ $//' | sort
}
# same_tree DESC IMG: same file GUIDs as UEFIExtract, and every UI name we read is its name.
same_tree() {
	local a b
	a=$(uefi_files "$2"); b=$(our_files "$2")
	check_eq "$1: same files as UEFIExtract's report ($(printf '%s\n' "$a" | grep -c .))" \
		"$(printf '%s\n' "$a" | cut -d' ' -f1)" "$(printf '%s\n' "$b" | cut -d' ' -f1)"
	local bad
	bad=$(printf '%s\n' "$b" | awk 'NF > 1' | while IFS= read -r l; do
		printf '%s\n' "$a" | grep -qxF -- "$l" || echo "$l"; done)
	check_eq "$1: every UI name matches UEFIExtract's" "" "$bad"
}

if ! command -v UEFIExtract >/dev/null; then
	not_ok "UEFIExtract found (apt install uefitool-cli)"
	t_done; exit
fi

# --- real EDK2 firmware: Debian's OVMF (an NVRAM volume first in OVMF.fd, LZMA-nested DXE)
QV=E3752948-B9A1-4770-90C4-DF41C38986BE # QemuVideoDxe
n_ovmf=0
for img in /usr/share/OVMF/OVMF_CODE.fd /usr/share/OVMF/OVMF_CODE_4M.fd /usr/share/ovmf/OVMF.fd; do
	[ -f "$img" ] || continue
	n_ovmf=$((n_ovmf + 1))
	b=$(basename "$img")
	ref=$(uefi_body "$img" "$QV" 10)
	if [ -z "$ref" ]; then not_ok "$b: UEFIExtract extracts QemuVideoDxe"; continue; fi
	mkdir -p "$TMP/o1" "$TMP/o2"
	x rom extract "$img" --guid "$QV" --out "$TMP/o1"
	check_eq "$b: --guid exits 0" 0 "$RC"
	check_eq "$b: QemuVideoDxe by GUID is UEFIExtract's body byte for byte" "$(sha "$ref")" \
		"$(sha "$TMP/o1/$QV.efi" 2>/dev/null)"
	x rom extract "$img" --name QemuVideoDxe --out "$TMP/o2"
	check_eq "$b: QemuVideoDxe by UI name is the same" "$(sha "$ref")" \
		"$(sha "$TMP/o2/$QV.efi" 2>/dev/null)"
	check_eq "$b: written mode 0644 for QEMU" 644 "$(stat -c %a "$TMP/o2/$QV.efi" 2>/dev/null)"
	same_tree "$b" "$img"
	rm -rf "$TMP/o1" "$TMP/o2"
done
[ "$n_ovmf" -gt 0 ] || not_ok "an OVMF image in /usr/share/OVMF or /usr/share/ovmf (apt install ovmf)"
# A second driver from a deeper place, checked the same way (the first PE32 of the DXE core).
img=/usr/share/OVMF/OVMF_CODE.fd
if [ -f "$img" ]; then
	DC=D6A2CB7F-6A18-4E2F-B43B-9920A733700A # DxeCore
	ref=$(uefi_body "$img" "$DC" 10)
	check "UEFIExtract extracts DxeCore" test -s "$ref"
	mkdir -p "$TMP/o3"
	x rom extract "$img" --guid "$DC" --out "$TMP/o3"
	check_eq "OVMF_CODE.fd: DxeCore by GUID is UEFIExtract's body" "$(sha "$ref")" \
		"$(sha "$TMP/o3/$DC.efi" 2>/dev/null)"
	x rom extract "$img" --out "$TMP/o3"
	check_eq "OVMF has no Intel GOP: exit 1" 1 "$RC"
	check_match "... and says so in one line" '^x4ctl: rom extract: .*no Intel GOP driver found' "$OUT"
fi

# --- AMI-style fixtures, built here; UEFIExtract must read each the same way
FX=$TMP/fx
if ! python3 "$T_TOP/tests/fwfixture.py" "$FX" 2>"$TMP/fx.err"; then
	not_ok "tests/fwfixture.py builds the fixtures: $(tail -3 "$TMP/fx.err")"
	t_done; exit
fi
OPROM=A0327FE0-1FDA-4E5B-905D-B510C45A61D0 SUBGOP=380B6B4F-1454-41F2-A6D3-61D1333E8CB4
SUBVBIOS=C5A4306E-E247-4ECD-A9D8-5B1985D3DCDA SIIP=FF0C8745-3270-4439-B74F-3E45F8C77064
# uefi_sub IMG SUBTYPE: UEFIExtract's body of the freeform section SUBTYPE in file A0327FE0.
uefi_sub() {
	rm -rf "$TMP/ua"
	UEFIExtract "$1" "$OPROM" -o "$TMP/ua" -m all >/dev/null 2>&1
	find "$TMP/ua" -path "*$2*/body.bin" | head -1
}
for f in ami ifd capsule; do
	same_tree "$f.bin" "$FX/$f.bin"
	gop=$(uefi_sub "$FX/$f.bin" "$SUBGOP"); vb=$(uefi_sub "$FX/$f.bin" "$SUBVBIOS")
	check "$f.bin: UEFIExtract finds the GOP and the VBIOS in the AMI container" test -s "$gop" -a -s "$vb"
	mkdir -p "$TMP/o_$f"
	x rom extract "$FX/$f.bin" --out "$TMP/o_$f"
	check_eq "$f.bin: exits 0" 0 "$RC"
	check_eq "$f.bin: the GOP written is UEFIExtract's 380B6B4F body" "$(sha "$gop")" \
		"$(sha "$TMP/o_$f/IntelGopDriver.efi" 2>/dev/null)"
	check_match "$f.bin: says it skipped the VBIOS and the policy driver" \
		'skipped: 1 legacy VBIOS image\(s\), 1 GOP policy driver' "$OUT"
	check_match "$f.bin: says why (string, AMI container) and the version" \
		'found by: "Intel\(R\) GOP Driver" string, AMI option-ROM container' "$OUT"
	check_match "$f.bin: ... version 21.0.1054, and the rom = line" \
		"version 21\.0\.1054.*rom = $TMP/o_$f/IntelGopDriver\.efi" "$(printf '%s' "$OUT" | tr '\n' ' ')"
done
check_match "ifd.bin: reads the BIOS region from the flash descriptor" 'flash descriptor\), BIOS region' \
	"$("$X4CTL" rom extract "$FX/ifd.bin" --out "$TMP/o_ifd" 2>&1)"
check_match "capsule.bin: skips the Aptio capsule header" 'AMI Aptio capsule, image at 0x800' \
	"$("$X4CTL" rom extract "$FX/capsule.bin" --out "$TMP/o_capsule" 2>&1)"
cmp -s "$FX/gop.efi" "$TMP/o_ami/IntelGopDriver.efi"
check_eq "ami.bin: and it is the driver the builder put there" 0 $?

# The same GOP twice (DXE driver and AMI container): one candidate, de-duplicated by SHA-256.
mkdir -p "$TMP/o_dup"
x rom extract "$FX/dup.bin" --out "$TMP/o_dup"
check_eq "dup.bin: exits 0" 0 "$RC"
check_eq "dup.bin: one candidate" 1 "$(printf '%s\n' "$OUT" | grep -c '^candidate ')"
check_match "dup.bin: found by string, container, GUID and UI name, several copies" \
	'string, AMI option-ROM container \(GOP subtype\), known GOP file GUID, UI name IntelGopDriver \(several copies\)' "$OUT"
# Two different GOPs: list, exit 2, --pick.
mkdir -p "$TMP/o_two"
x rom extract "$FX/two.bin" --out "$TMP/o_two"
check_eq "two.bin: two different GOPs: exit 2" 2 "$RC"
check_eq "two.bin: both listed" 2 "$(printf '%s\n' "$OUT" | grep -c '^candidate ')"
check_match "two.bin: asks for --pick N" 'choose one with --pick N' "$OUT"
check "two.bin: nothing written without --pick" test ! -e "$TMP/o_two/IntelGopDriver.efi"
ref=$(uefi_body "$FX/two.bin" "$SIIP" 10)
x rom extract "$FX/two.bin" --out "$TMP/o_two" --pick 2
check_eq "two.bin --pick 2: UEFIExtract's body of file FF0C8745" "$(sha "$ref")" \
	"$(sha "$TMP/o_two/IntelGopDriver.efi" 2>/dev/null)"
x rom extract "$FX/two.bin" --out "$TMP/o_two" --pick 3
check_eq "two.bin --pick 3: refused" 1 "$RC"

# FFSv3 large file with large sections; EFI 1.1 and Tiano compression; LZMA + x86 BCJ.
for f in ffs3 tiano efi11 f86; do
	same_tree "$f.bin" "$FX/$f.bin"
	ref=$(uefi_body "$FX/$f.bin" "$SIIP" 10)
	check "$f.bin: UEFIExtract extracts the driver" test -s "$ref"
	mkdir -p "$TMP/o_$f"
	x rom extract "$FX/$f.bin" --out "$TMP/o_$f"
	check_eq "$f.bin: our GOP is UEFIExtract's body byte for byte" "$(sha "$ref")" \
		"$(sha "$TMP/o_$f/IntelGopDriver.efi" 2>/dev/null)"
done

# --json for scripts
if command -v jq >/dev/null; then
	J=$("$X4CTL" rom extract "$FX/dup.bin" --out "$TMP/o_dup" --json)
	check_eq "--json: picked, sha256 of the file written, found_by" \
		"1 $(sha "$TMP/o_dup/IntelGopDriver.efi") true $TMP/o_dup/IntelGopDriver.efi" \
		"$(printf '%s' "$J" | jq -r '"\(.picked) \(.candidates[0].sha256) \(.candidates[0].found_by | index("string") != null) \(.efi)"')"
fi

# PFAT: refused with what it is and what to do
x rom extract "$FX/pfat.bin" --out "$TMP"
check_eq "pfat.bin: refused in one line" "1 1" "$RC $(printf '%s\n' "$OUT" | wc -l)"
check_match "pfat.bin: says it is AMI PFAT and what to do" 'AMI PFAT .*unpack it first' "$OUT"

# --- hostile images: bounded (256 MiB address space, 30 s), no crash, one clear line
head -c 65536 /dev/urandom >"$FX/random.bin"
: >"$FX/empty.bin"
for f in truncated lying nest lzma4g tiano4g bomb random empty; do
	rm -rf "$TMP/h"; mkdir -p "$TMP/h"
	OUT=$( (ulimit -v 262144; timeout 30 "$X4CTL" rom extract "$FX/$f.bin" --out "$TMP/h") 2>"$TMP/h.err")
	RC=$?; ERR=$(cat "$TMP/h.err")
	if [ "$RC" -le 2 ] && [ "$(printf '%s' "$ERR" | grep -c .)" -le 1 ]; then
		ok "$f.bin: exit $RC, at most one error line, no crash or timeout"
	else
		not_ok "$f.bin: rc $RC, stderr: $(printf '%s' "$ERR" | head -3)"
	fi
	case $f in
	truncated) check_match "truncated.bin: warns that the image is truncated" 'truncated' "$OUT" ;;
	lying) check_match "lying.bin: names the file whose size lies" 'file 5BBA83E6-.* claims' "$OUT"
		check_eq "lying.bin: the rest of that volume cannot be trusted: no GOP, exit 1" 1 "$RC" ;;
	nest) check_match "nest.bin: stops at the nesting limit" 'nested deeper than' "$OUT" ;;
	lzma4g) check_match "lzma4g.bin: refuses the 4 GiB claim" 'claims 4294967296 bytes.*limit' "$OUT" ;;
	tiano4g) check_match "tiano4g.bin: refuses the 4 GiB claim" 'claims 4294967295 bytes.*limit' "$OUT" ;;
	bomb) check_match "bomb.bin: stops at the decompression limit" 'decompression limit reached' "$OUT" ;;
	random | empty) check_match "$f.bin: no firmware volume: says what to do" \
		'^x4ctl: rom extract: .*no UEFI firmware volume found.*unpack it first' "$ERR" ;;
	esac
done

# --- --from-flash: flashrom read-only, exec'd without a shell; a fake one on PATH
mkdir -p "$TMP/bin"
{
	echo '#!/bin/sh'
	echo "printf '%s\\n' \"\$@\" >'$TMP/flashrom.argv'"
	echo '[ -n "${FAKE_FLASHROM_FAIL:-}" ] && { echo "Could not get I/O privileges (Operation not permitted)."; exit 1; }'
	echo "for a; do out=\$a; done; cp '$FX/ami.bin' \"\$out\""
} >"$TMP/bin/flashrom"
chmod 0755 "$TMP/bin/flashrom"
mkdir -p "$TMP/of"
OUT=$(PATH=$TMP/bin:$PATH "$X4CTL" rom extract --from-flash --out "$TMP/of" 2>&1); RC=$?
check_eq "--from-flash: exits 0" 0 "$RC"
argv=$(head -6 "$TMP/flashrom.argv" 2>/dev/null | tr '\n' ' ')
check_eq "--from-flash: flashrom -p internal --ifd -i bios -r FILE, read mode only" \
	"-p internal --ifd -i bios -r " "$argv"
check_eq "--from-flash: nothing else on flashrom's command line" 7 "$(wc -l <"$TMP/flashrom.argv")"
rd=$(sed -n 7p "$TMP/flashrom.argv")
check "--from-flash: its temporary copy is gone" test -n "$rd" -a ! -e "$(dirname "$rd")"
check_eq "--from-flash: extracts the GOP from what flashrom read" "$(sha "$FX/gop.efi")" \
	"$(sha "$TMP/of/IntelGopDriver.efi" 2>/dev/null)"
OUT=$(FAKE_FLASHROM_FAIL=1 PATH=$TMP/bin:$PATH "$X4CTL" rom extract --from-flash --out "$TMP/of" 2>&1); RC=$?
check_eq "--from-flash: flashrom fails: exit 1, one line" "1 1" "$RC $(printf '%s\n' "$OUT" | wc -l)"
check_match "--from-flash: quotes flashrom, explains lockdown and iomem=relaxed" \
	'Could not get I/O privileges.*lockdown.*iomem=relaxed' "$OUT"
OUT=$(PATH=/nonexistent "$X4CTL" rom extract --from-flash --out "$TMP/of" 2>&1)
check_match "--from-flash without flashrom: says to install it" 'cannot run flashrom.*apt install flashrom' "$OUT"

# --- end to end: extracted GOP -> rom build -> rom check -> the wrapper puts it on the VF
E=$TMP/e2e; mkdir -p "$E"
"$X4CTL" rom extract "$FX/ami.bin" --out "$E" --optionrom --device 0x46d1 >"$E/out" 2>&1
"$X4CTL" rom build --efi "$E/IntelGopDriver.efi" --out "$E/built.rom" --device 0x46d1 >/dev/null 2>&1
check_eq "--optionrom: the option ROM is what rom build makes" "$(sha "$E/built.rom")" \
	"$(sha "$E/IntelGopDriver.rom" 2>/dev/null)"
check_match "--optionrom: the rom = line names the option ROM, rom_mode = optionrom" \
	"rom = $E/IntelGopDriver.rom rom_mode = optionrom" "$(tr '\n' ' ' <"$E/out" | tr -s ' ')"
x rom check "$E/built.rom"
check_eq "rom check accepts the built ROM" 0 "$RC"
check_match "rom check: an EFI image for 8086:46d1" 'ids: 8086:46d1' "$OUT"
x rom check "$E/IntelGopDriver.efi"
check_match "rom check on the raw driver: x64 EFI boot driver" 'PE32\+, machine 0x8664, subsystem 11' "$OUT"
check_match "rom check on the raw driver: an Intel GOP, its SHA-256" \
	"gop: an Intel GOP driver.*sha256: $(sha "$E/IntelGopDriver.efi")" "$(printf '%s' "$OUT" | tr '\n' ' ')"
x rom check "$T_TOP/tests/fuzz/corpus/rom/pe32plus-driver"
check_match "rom check on another driver: not an Intel GOP" 'gop: no "Intel\(R\) GOP Driver" string' "$OUT"
FAKE=$E/fake-qemu
printf '#!/bin/bash\nprintf "%%s\\n" "$@" >"%s"\n' "$E/qemu.argv" >"$FAKE"; chmod 0755 "$FAKE"
mkdir -p "$E/root/etc" "$E/root/run"
printf '%s\n' '[host]' "qemu = $FAKE" "rom = $E/built.rom" 'rom_mode = raw' '[vm vfvm]' \
	'vf = 0000:00:02.1' >"$E/x4.conf"
mapfile -t A < <(tail -n +2 "$T_TOP/tests/fixtures/wrapper/vf-json.argv")
X4_ROOT=$E/root X4_CONFIG=$E/x4.conf "$T_BIN/qemu-x4" "${A[@]}" >"$E/w.out" 2>&1
check_match "the wrapper adds the extracted ROM to the VF's device" \
	"\"host\":\"0000:00:02.1\".*\"romfile\":\"$E/built.rom\"" "$(cat "$E/qemu.argv" 2>/dev/null; cat "$E/w.out")"

t_done
