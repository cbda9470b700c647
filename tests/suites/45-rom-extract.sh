#!/bin/bash
# x4ctl rom extract against independent oracles: Debian's OVMF images and AMI-style fixtures
# built here (tests/fwfixture.py), compared byte for byte with UEFIExtract (uefitool-cli);
# hostile images under a memory limit; --from-flash with a fake flashrom; the extracted GOP
# through rom build, rom check and the wrapper.
set -u
. "$(dirname "$0")/../lib.sh"
X4CTL=$T_BIN/x4ctl
TMP=$(mktemp -d /tmp/x4-romx.XXXXXX)
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

t_done
