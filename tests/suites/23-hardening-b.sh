#!/bin/bash
# Hardening (issue 10, part b), black box: qemu-x4 re-entry through a script, the Looking Glass
# /dev/shm file planted by another user, and the root hook's memory on a huge domain XML.
set -u
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/hooklib.sh
. "$T_TOP/tests/hooklib.sh"
W=$T_BIN/qemu-x4
ARGV=$T_TOP/tests/fixtures/argv

T=$(mktemp -d /tmp/x4hardb.XXXXXX)
chmod 0755 "$T"
cleanup() { sim_stop; rm -rf "$T"; }
trap cleanup EXIT

# args FILE: the NUL-separated argv fixture into A.
args() { mapfile -d '' -t A <"$1"; }
args "$ARGV/start-feas.argv"

# --- defect 8: qemu = a script that execs qemu-x4 again is refused once, not looped
export X4_ROOT=$T/root X4_CONFIG=$T/x4.conf
mkdir -p "$X4_ROOT/etc" "$X4_ROOT/run"
cat >"$T/loop.sh" <<LOOP
#!/bin/bash
echo pass >>"$T/passes"
exec "$W" "\$@"
LOOP
chmod 0755 "$T/loop.sh"
printf '%s\n' '[host]' "qemu = $T/loop.sh" >"$X4_CONFIG"
for what in start probe; do
	rm -f "$T/passes"
	if [ $what = start ]; then set -- "${A[@]}"; else set -- -version; fi
	RC=0; timeout 20 "$W" "$@" >/dev/null 2>"$T/stderr" || RC=$?
	ERR=$(cat "$T/stderr") NLINES=$(wc -l <"$T/stderr")
	PASSES=$(wc -l <"$T/passes" 2>/dev/null || echo 0)
	if [ "$RC" != 0 ] && [ "$RC" != 124 ] && [ "$NLINES" = 1 ] && [ "$PASSES" = 1 ] &&
		printf '%s' "$ERR" | grep -Eq "^x4-sriov: .*$T/loop.sh.*qemu-x4 again"; then
		ok "qemu = a script that execs qemu-x4 ($what): one line, no loop"
	else
		not_ok "qemu = a script that execs qemu-x4 ($what): rc $RC, $PASSES passes, $NLINES lines: $(head -c 300 "$T/stderr")"
	fi
done
unset X4_ROOT X4_CONFIG

# --- defect 3: /dev/shm/looking-glass-VM planted by another user is refused, never mapped
# The fake QEMU records that it ran; as the qemu user it must reach $T.
FAKE=$T/fake-qemu
printf '#!/bin/bash\necho ran >"%s/out/ran"\n' "$T" >"$FAKE"
chmod 0755 "$FAKE"; mkdir -m 0777 "$T/out"
as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$@"; }
as_qemu() { setpriv --reuid=libvirt-qemu --regid=kvm --clear-groups -- "$@"; }
sim_start
mkdir -p "$ROOT/dev/shm"; chmod 1777 "$ROOT/dev/shm"
SHM=$ROOT/dev/shm/looking-glass-hb-lg
conf '[host]' "qemu = $FAKE" '[vm hb-lg]' 'looking_glass = shm'
as_nobody bash -c "umask 0; : >'$SHM'"
check_eq "nobody planted the shm file 0666" "nobody 666" "$(stat -c '%U %a' "$SHM" 2>/dev/null)"
hook hb-lg prepare begin "$(dom hb-lg)"
if [ "$RC" != 0 ] && [ "$(printf '%s\n' "$OUT" | grep -c .)" = 1 ] &&
	printf '%s' "$OUT" | grep -Eq "hb-lg.*/dev/shm/looking-glass-hb-lg is owned by uid 65534.*rm /dev/shm/looking-glass-hb-lg"; then
	ok "prepare refuses a shm file nobody planted: one line naming VM, path, owner, fix"
else
	not_ok "prepare refuses a shm file nobody planted (rc $RC): $OUT"
fi
check "... and writes no plan" test ! -e "$ROOT/run/x4-sriov/vm/hb-lg.json"
args "$ARGV/start-feas.argv"
mapfile -t A < <(printf '%s\n' "${A[@]}" | sed 's/guest=feas/guest=hb-lg/; s/^feas$/hb-lg/')
rm -f "$T/out/ran"
RC=0; X4_CONFIG=$ROOT/etc/x4-sriov/x4-sriov.conf "$W" "${A[@]}" >/dev/null 2>"$T/stderr" || RC=$?
check_match "qemu-x4 (no plan) refuses the planted file too, before exec" \
	"^x4-sriov: VM 'hb-lg': Looking Glass memory /dev/shm/looking-glass-hb-lg is owned by uid 65534" "$(cat "$T/stderr")"
check "... and QEMU never ran" test ! -e "$T/out/ran"
rm -f "$SHM"
ln -s /etc/shadow "$SHM"
hook hb-lg prepare begin "$(dom hb-lg)"
check_match "a symlink in its place is refused" "looking-glass-hb-lg is a symbolic link" "$OUT"
rm -f "$SHM"
hook hb-lg prepare begin "$(dom hb-lg)"
check_eq "with no file, prepare succeeds" 0 "$RC"
check_eq "... and made it for the qemu user and group kvm, 0660" "libvirt-qemu:kvm 660 regular empty file" \
	"$(stat -c '%U:%G %a %F' "$SHM" 2>/dev/null)"
as_nobody bash -c "exec 3<>'$SHM'" 2>/dev/null
check_eq "... which nobody can open" 1 "$?"
rm -f "$T/out/ran"
RC=0; X4_CONFIG=$ROOT/etc/x4-sriov/x4-sriov.conf as_qemu "$W" "${A[@]}" >/dev/null 2>"$T/stderr" || RC=$?
check_eq "qemu-x4 as the qemu user accepts the file prepare made" "0 ran" "$RC $(cat "$T/out/ran" 2>/dev/null)"
hook hb-lg release end "$(dom hb-lg)"
rm -f "$SHM" "$T/out/ran"
RC=0; X4_CONFIG=$ROOT/etc/x4-sriov/x4-sriov.conf as_qemu "$W" "${A[@]}" >/dev/null 2>"$T/stderr" || RC=$?
check_eq "without the hook, qemu-x4 makes the file itself, 0660" "0 ran libvirt-qemu 660" \
	"$RC $(cat "$T/out/ran" 2>/dev/null) $(stat -c '%U %a' "$SHM" 2>/dev/null)"
sim_stop

# --- defect 9: the root hook's peak RSS stays <= 16 MiB whatever the domain XML
# gen FILE SIZE HEAD UNIT TAIL: HEAD, UNIT repeated (whole units) to about SIZE bytes, TAIL.
gen() {
	local n=$(( ($2 - ${#3} - ${#5}) / ${#4} ))
	{ printf '%s' "$3"; yes "$4" | tr -d '\n' | head -c $((n * ${#4})); printf '%s' "$5"; } >"$1"
}
# genu FILE COUNT HEAD AWK-FORMAT TAIL: COUNT units printf'd by awk with the index in hex.
genu() { { printf '%s' "$3"; awk -v n="$2" -v f="$4" 'BEGIN { for (i = 0; i < n; i++) printf f, i }'; printf '%s' "$5"; } >"$1"; }
attrs64=$(awk 'BEGIN { for (i = 0; i < 64; i++) printf "a%x=\x27\x27 ", i }')
HD="<domain type='kvm'><name>hb-big</name><devices><hostdev mode='subsystem' type='pci' managed='yes'><source><address domain='0x0000' bus='0x00' slot='0x02' function='0x1'/></source></hostdev></devices>"
CAP=$((1 << 20))
X=$T/xml; mkdir -p "$X"
gen "$X/16mib-elements" $((16 << 20)) "$HD<metadata>" "<a/>" "</metadata></domain>"
gen "$X/elements" $((CAP - 64)) "$HD<metadata>" "<a><b/></a>" "</metadata></domain>"
gen "$X/comments" $((CAP - 64)) "$HD" "<!---->" "</domain>"
gen "$X/attributes" $((CAP - 64)) "$HD<metadata><x " "a='' " "/></metadata></domain>"
gen "$X/kept-attributes" $((CAP - 64)) "$HD<devices>" "<video $attrs64/>" "</devices></domain>"
gen "$X/kept-elements" $((CAP - 64)) "$HD<devices>" "<video/>" "</devices></domain>"
genu "$X/unique-names" 110000 "$HD<metadata>" "<x%x/>" "</metadata></domain>"
export X4_ROOT=$T/bigroot X4_CONFIG=$T/big.conf
mkdir -p "$X4_ROOT"
printf '%s\n' '[host]' '[vm hb-big]' >"$X4_CONFIG"
for f in "$X"/*; do
	/usr/bin/time -o "$T/rss" -f '%M' "$T_BIN/x4-hook" hb-big prepare begin - <"$f" >/dev/null 2>&1
	kb=$(tail -1 "$T/rss")
	if [ -n "$kb" ] && [ "$kb" -le 16384 ]; then
		ok "x4-hook peak RSS on a $(($(stat -c %s "$f") >> 10)) KiB XML (${f##*/}): $kb KiB <= 16 MiB"
	else
		not_ok "x4-hook peak RSS on a $(($(stat -c %s "$f") >> 10)) KiB XML (${f##*/}): '$kb' KiB > 16 MiB"
	fi
done
OUT=$("$T_BIN/x4-hook" hb-big prepare begin - <"$X/16mib-elements" 2>&1)
check_match "a 16 MiB XML is refused with one line naming the cap" "^x4-sriov: .*larger than $CAP bytes" "$OUT"
unset X4_ROOT X4_CONFIG

# --- the front's quick look never says "not ours" where the core finds a VF (fuzz finding class)
sim_start
IF="    <interface type='&#104;ostdev' managed='yes'>
      <source><address type='pci' domain='0x0000' bus='0x00' slot='0x02' function='0x1'/></source>
    </interface>"
hook hb-cr prepare begin "$(dom hb-cr "$IF")"
check_eq "a VF interface spelled with a character reference: prepare runs" 0 "$RC"
check_match "... and claims the VF for the VM" '"hb-cr"' "$(cat "$ROOT/run/x4-sriov/state.json" 2>/dev/null)"
hook hb-cr release end "$(dom hb-cr "$IF")"
sim_stop

t_done
