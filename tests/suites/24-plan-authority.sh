#!/bin/bash
# The plan is the one authority for a started VM (contract in lib/plan.h): qemu-x4 follows a
# good plan, runs config-only (and says so) when there is none, and refuses a plan that is
# there but damaged, foreign-owned or writable by others with one line naming the file.
set -u
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/hooklib.sh
. "$T_TOP/tests/hooklib.sh"
ARGV=$T_TOP/tests/fixtures/argv

T=$(mktemp -d /tmp/x4plan.XXXXXX)
chmod 0755 "$T"
trap 'sim_stop; rm -rf "$T"' EXIT
W=$T_BIN/qemu-x4

# The fake QEMU records the argv it got, NUL-separated.
FAKE=$T/fake-qemu
cat >"$FAKE" <<'EOF'
#!/bin/bash
printf '%s\0' "$0" "$@" >"$FAKE_OUT"
EOF
chmod 0755 "$FAKE"
export FAKE_OUT=$T/argv X4_ROOT=$T/root X4_CONFIG=$T/x4.conf
mkdir -p "$X4_ROOT/etc" "$X4_ROOT/run/x4-sriov/vm"
printf '%s\n' '[host]' "qemu = $FAKE" '[vm feas]' 'looking_glass = shm' >"$X4_CONFIG"
PLAN=/run/x4-sriov/vm/feas.json
mapfile -t A < <(tail -n +2 "$ARGV/start-feas.argv")

# run: qemu-x4 on libvirt's captured start of VM feas; sets RC, ERR, NLINES.
run() {
	rm -f "$FAKE_OUT"
	"$W" "${A[@]}" >/dev/null 2>"$T/stderr"
	RC=$?
	ERR=$(cat "$T/stderr")
	NLINES=$(wc -l <"$T/stderr")
}
# plan JSON MODE [OWNER]: write feas's plan file as given.
plan() {
	printf '%s\n' "$1" >"$X4_ROOT$PLAN"
	chmod "$2" "$X4_ROOT$PLAN"
	chown "${3:-root}" "$X4_ROOT$PLAN"
}
# refused DESC REGEX: non-zero, one line matching REGEX that names the plan file, QEMU not run.
refused() {
	if [ "$RC" != 0 ] && [ "$NLINES" = 1 ] && [ ! -e "$FAKE_OUT" ] &&
		printf '%s' "$ERR" | grep -q -- "$PLAN" && printf '%s' "$ERR" | grep -Eq -- "$2"; then
		ok "$1"
	else
		not_ok "$1 (rc $RC, $NLINES lines, exec'd: $([ -e "$FAKE_OUT" ] && echo yes || echo no): $ERR)"
	fi
}
GOOD='{"version":1,"vm":"feas","vf":null,"rom":"","lg":"shm","lg_path":"/dev/shm/looking-glass-feas","lg_size":67108864}'

# --- no plan: config-only mode, said once, and QEMU runs with the config's 32 MiB
rm -f "$X4_ROOT$PLAN"
run
check_eq "no plan: QEMU runs" "0 yes" "$RC $([ -e "$FAKE_OUT" ] && echo yes)"
check_match "... and one line says config-only mode" \
	"^x4-sriov: VM 'feas' has no plan from x4-hook: config-only mode" "$ERR"
check_eq "... said once" 1 "$NLINES"
check "... the config decided: 32 MiB" grep -qa '"size":33554432' "$FAKE_OUT"

# --- a good plan wins over the config, silently
plan "$GOOD" 0644
run
check_eq "good plan: QEMU runs, nothing on stderr" "0 0" "$RC $NLINES"
check "... with the plan's 64 MiB" grep -qa '"size":67108864' "$FAKE_OUT"

# --- a plan that is there but unusable: refused, never a fallback to the config
plan '{"version":1,"vm":"feas",' 0644
run; refused "damaged plan (truncated JSON): refused with one line naming the file" "damaged.*remove it"
plan "${GOOD/\"version\":1/\"version\":9}" 0644
run; refused "plan of another format version: refused" "version"
plan '{"version":1,"vm":"other","vf":null,"rom":"","lg":"off","lg_path":"","lg_size":0}' 0644
run; refused "plan written for another VM: refused" "for VM 'other'"
plan "${GOOD/67108864/12345}" 0644
run; refused "plan with a size that is not whole MiB: refused" "not whole MiB"
plan "$GOOD" 0644 nobody
run; refused "plan owned by another user: refused" "owned by uid [0-9]+.*remove it"
plan "$GOOD" 0666
run; refused "plan writable by others: refused" "mode 0666.*remove it"

# --- x4ctl shows an unusable plan (and a good one) instead of deciding again
X4CTL=$T_BIN/x4ctl
plan '{"version":1,"vm":"feas",' 0644
printf '%s\n' '{"version":1,"vm":"ok","vf":"0000:00:02.1","rom":"","lg":"off","lg_path":"","lg_size":0}' \
	>"$X4_ROOT/run/x4-sriov/vm/ok.json"
OUT=$("$X4CTL" status 2>&1)
check_match "status: the damaged plan, naming the file" "^plan feas: plan $PLAN is damaged: .*remove it" "$OUT"
check_match "status: the good plan, what it holds" "^plan ok: VF 0000:00:02.1, ROM none, Looking Glass off$" "$OUT"
OUT=$("$X4CTL" status --json 2>&1)
check_eq "status --json: the plans, with the error" "feas damaged|ok 0000:00:02.1" \
	"$(jq -r '.plans[] | "\(.vm) \(if .error then (.error | capture("(?<w>damaged)").w) else .vf end)"' <<<"$OUT" | paste -sd'|')"
OUT=$("$X4CTL" doctor 2>&1)
check_match "doctor: a FAIL row for the damaged plan" "^FAIL +plan +plan $PLAN is damaged" "$OUT"
check_match "... with the rm as its fix" "fix: sudo rm $PLAN, then start the VM again" "$OUT"
OUT=$("$X4CTL" lg status feas --no-client 2>&1)
check_match "lg status: the damaged plan, not the config's path" "plan $PLAN is damaged" "$OUT"
plan '{"version":1,"vm":"feas","vf":null,"rom":"","lg":"kvmfr","lg_path":"/dev/kvmfr3","lg_size":33554432}' 0644
OUT=$("$X4CTL" lg status feas --no-client --json 2>&1)
check_eq "lg status: a running VM's region is its plan's" "/dev/kvmfr3" "$(jq -r '.[0].path' <<<"$OUT" 2>/dev/null)"
rm -f "$X4_ROOT/run/x4-sriov/vm/ok.json" "$X4_ROOT$PLAN"

# --- the path is there but is no file: refused too
mkdir "$X4_ROOT$PLAN"
run; refused "plan path that is a directory: refused" "."
rmdir "$X4_ROOT$PLAN"

# --- x4-hook is the writer: prepare writes root's 0644 plan; a reconnect (libvirtd restarted)
# finding it damaged replaces it and says so; release removes it.
unset X4_CONFIG
# shellcheck disable=SC2119 # no x4sim options
if sim_start; then
	conf '[host]' '[vm win-a]' 'looking_glass = shm'
	a=$(dom win-a "$(hostdev 0000:00:02.1 no)")
	start_vm win-a "$a"
	P=$ROOT/run/x4-sriov/vm/win-a.json
	check_eq "prepare: the plan is root's, 0644, for the VF" "0 644 0000:00:02.1" \
		"$(stat -c '%u %a' "$P" 2>/dev/null) $(jq -r .vf "$P" 2>/dev/null)"
	printf '{"version":1,' >"$P"
	hook win-a reconnect begin "$a"
	check_eq "reconnect over a damaged plan exits 0" 0 "$RC"
	check_match "... saying which file it replaces, and why" \
		"^x4-sriov: plan /run/x4-sriov/vm/win-a.json is damaged: .*writing a new plan" "$OUT"
	check_eq "... and the new plan is whole" "win-a 0000:00:02.1" \
		"$(jq -r '"\(.vm) \(.vf)"' "$P" 2>/dev/null)"
	stop_vm win-a "$a"
	check "release removed the plan" test ! -e "$P"
	sim_stop
else
	not_ok "x4sim starts (needs root and /dev/fuse)"
fi

t_done
