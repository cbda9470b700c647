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

t_done
