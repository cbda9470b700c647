#!/bin/bash
# x4ctl argument parsing: every command's --help prints its own usage and changes nothing, a bad
# option is one line and exit 2, options the usage names are in the man page.
set -u
. "$(dirname "$0")/../lib.sh"
. "$T_TOP/tests/hooklib.sh"
X4CTL=$T_BIN/x4ctl
MAN=$T_TOP/man/x4ctl.8
TMP=$(mktemp -d /tmp/x4ctl-args.XXXXXX)
cleanup() { sim_stop; rm -rf "$TMP"; }
trap cleanup EXIT

# x ARGS...: run x4ctl; OUT (stdout), ERR (stderr), RC.
x() { "$X4CTL" "$@" >"$TMP/out" 2>"$TMP/err"; RC=$?; OUT=$(cat "$TMP/out"); ERR=$(cat "$TMP/err"); }
lines() { if [ -z "$1" ]; then echo 0; else printf '%s\n' "$1" | wc -l; fi; }
# snap: every path, type, mode, size and link target under the sim root, and file contents.
snap() {
	(cd "$ROOT" && find . -printf '%p %y %m %s %l\n' | sort && find . -type f -readable -exec md5sum {} + 2>/dev/null | sort)
}
numvfs() { cat "$ROOT/sys/bus/pci/devices/0000:00:02.0/sriov_numvfs"; }

CMDS=(doctor status vf "vf create" "vf remove" "vf bind" "vf unbind" "vf repair" lg-size lg
	"lg status" "lg apply" "lg forget" "lg build-module" rom "rom check" "rom build" "rom extract" install uninstall define)

sim_start
mkdir -p "$ROOT/usr/bin"
before=$(snap)

# --- --help: the command's own usage on stdout, exit 0, nothing on stderr
x --help
check_eq "x4ctl --help: exit 0, usage, no stderr" "0:usage: x4ctl [--root:" \
	"$RC:$(printf '%s' "$OUT" | head -1 | cut -c1-20):$ERR"
GLOBAL=$OUT
for c in "${CMDS[@]}"; do
	# shellcheck disable=SC2086
	x $c --help
	first=$(printf '%s\n' "$OUT" | head -1)
	case $first in
	"usage: x4ctl $c "* | "usage: x4ctl $c") good=1 ;;
	*) good=0 ;;
	esac
	check_eq "$c --help: exit 0, its usage on stdout, nothing on stderr" "0:1:" "$RC:$good:$ERR"
	# shellcheck disable=SC2086
	x $c -h
	check_eq "$c -h is --help" "0:$first" "$RC:$(printf '%s\n' "$OUT" | head -1)"
	# Every option the usage names is in the man page.
	missing=
	for o in $(printf '%s\n' "$first" | grep -oE -- '--[a-z][a-z-]*' | sort -u); do
		grep -qF -- "$(printf '%s' "$o" | sed 's/-/\\-/g')" "$MAN" || missing="$missing $o"
	done
	check_eq "$c: every option of its usage is in x4ctl(8)" "" "$missing"
	missing=
	for o in $(printf '%s\n' "$first" | grep -oE -- '--[a-z][a-z-]*' | sort -u); do
		printf '%s\n' "$GLOBAL" | grep -qE -- "$o([] |]|$)" || missing="$missing $o"
	done
	check_eq "$c: every option of its usage is in x4ctl --help" "" "$missing"
done
# --help wins over arguments and other options, wherever it stands.
x vf create 3 --help; check_eq "vf create 3 --help prints help" "0:usage: x4ctl vf create [N]" "$RC:$(printf '%s\n' "$OUT" | head -1)"
x vf remove --help
x vf repair --help
x rom build --efi "$TMP/none.efi" --out "$TMP/o.rom" --help
check "rom build ... --help writes no ROM" test ! -e "$TMP/o.rom"
x rom extract "$TMP/none.bin" --out "$TMP/exdir" --help
check "rom extract ... --help writes nothing" test ! -e "$TMP/exdir"
x install --dry-run --help
x uninstall --help
x lg apply --help
x define --name args-vm --print --help
check_eq "vf create --help leaves sriov_numvfs at 0" 0 "$(numvfs)"
check_eq "no --help changed the simulated host" "" "$(diff <(printf '%s\n' "$before") <(snap) | head -5)"
check_eq "the fake kernel received no write" "" "$(cat "$ROOT/sys/x4sim/log")"

# --- a bad option: one line on stderr naming it and the help, exit 2, nothing on stdout
for c in "${CMDS[@]}"; do
	# shellcheck disable=SC2086
	x $c --bogus-opt
	check_eq "$c --bogus-opt: exit 2, one line, no stdout" "2:1:" "$RC:$(lines "$ERR"):$OUT"
	check_eq "$c --bogus-opt: says which option" \
		"x4ctl $c: unknown option '--bogus-opt': see x4ctl $c --help" "$ERR"
done
x --bogus-opt
check_eq "x4ctl --bogus-opt: exit 2, one line" "2:x4ctl: unknown option '--bogus-opt': see x4ctl --help" "$RC:$ERR"
x vf create -z
check_eq "a bad short option is named" "2:x4ctl vf create: unknown option '-z': see x4ctl vf create --help" "$RC:$ERR"
x rom build --efi
check_eq "a missing option value: exit 2, one line" \
	"2:x4ctl rom build: option '--efi' needs an argument: see x4ctl rom build --help" "$RC:$ERR"
x doctor --xml; check_eq "doctor --xml without FILE: exit 2, one line" "2:1" "$RC:$(lines "$ERR")"
x --root; check_eq "--root without DIR: exit 2, one line" "2:1" "$RC:$(lines "$ERR")"
x vf frob; check_eq "vf frob: unknown subcommand, exit 2" "2:x4ctl vf: unknown command 'frob': see x4ctl vf --help" "$RC:$ERR"
x rom; check_eq "rom alone: usage line, exit 2" "2:1" "$RC:$(lines "$ERR")"
x vf bind; check_match "vf bind without ADDR: its usage line, exit 2" "^2:x4ctl vf bind: usage: x4ctl vf bind ADDR" "$RC:$ERR"
x lg status a b; check_eq "lg status with two VMs: exit 2, one line" "2:1" "$RC:$(lines "$ERR")"
x vf remove extra; check_eq "vf remove with an argument: exit 2" "2:0" "$RC:$(numvfs)"
check_eq "bad options changed nothing either" "" "$(diff <(printf '%s\n' "$before") <(snap) | head -5)"
check_eq "and wrote nothing to the fake kernel" "" "$(cat "$ROOT/sys/x4sim/log")"

# --- order: main's options stop at the command; a command's options may follow its arguments
x status --config /nonexistent
check_eq "global --config after the command is the command's (unknown) option" "2" "$RC"
x lg-size --hdr 1920x1080; check_match "lg-size --hdr before WxH" '^1920x1080 HDR: 64 MiB' "$OUT"
x lg-size 1920x1080 --hdr; check_match "lg-size --hdr after WxH" '^1920x1080 HDR: 64 MiB' "$OUT"
x rom check -- "-weird.rom"; check_match "-- ends the options: '-weird.rom' is a FILE" "^1:x4ctl: rom check: .*-weird.rom" "$RC:$ERR"
x vf create 2; check_eq "vf create 2 still creates" "0:2" "$RC:$(numvfs)"
x vf remove; check_eq "vf remove still removes" "0:0" "$RC:$(numvfs)"

# --- bash completion offers every subcommand the dispatchers take
comp() { bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _x4ctl; echo "${COMPREPLY[*]}"' \
	_ "$T_TOP/completions/x4ctl.bash" "$@"; }
check_eq "completion: x4ctl lg <TAB>" "status apply forget build-module --help" "$(comp x4ctl lg "")"
check_eq "completion: x4ctl lg apply -<TAB>" "--dry-run --reload --help" "$(comp x4ctl lg apply -)"
check_eq "completion: x4ctl vf <TAB>" "create remove bind unbind repair --help" "$(comp x4ctl vf "")"
check_eq "completion: x4ctl rom <TAB>" "check build extract --help" "$(comp x4ctl rom "")"
t_done
