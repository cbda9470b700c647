# Helpers for suites that run x4-hook on the simulated X4 (sourced after tests/lib.sh).
# shellcheck shell=bash
SIM=$T_BIN/x4sim
HOOK=$T_BIN/x4-hook
DOM_TEMPLATE=$T_TOP/tests/fixtures/hook/domain.xml.in

# sim_start [x4sim options]: a fresh simulated X4 in $ROOT (exported as X4_ROOT), default config.
sim_start() {
	ROOT=$(mktemp -d /tmp/x4hook.XXXXXX)
	chmod 0755 "$ROOT" # the qemu user must reach the devices under it
	"$SIM" "$ROOT" "$@" || { echo "x4sim failed to start" >&2; return 1; }
	export X4_ROOT=$ROOT
	unset X4_CONFIG
	mkdir -p "$ROOT/etc/x4-sriov"
	printf '[host]\n' >"$ROOT/etc/x4-sriov/x4-sriov.conf"
}
sim_stop() {
	[ -n "${ROOT:-}" ] || return 0
	"$SIM" --stop "$ROOT" >/dev/null 2>&1
	rm -rf "$ROOT"
	unset X4_ROOT ROOT
}
# conf LINES...: replace the config file.
conf() { printf '%s\n' "$@" >"$ROOT/etc/x4-sriov/x4-sriov.conf"; }

# hostdev ADDR MANAGED: one <hostdev> element for a PCI address "DDDD:BB:SS.F".
hostdev() {
	local a=$1 m=${2:-yes}
	local d=${a%%:*} rest=${a#*:}
	local b=${rest%%:*} sf=${rest#*:}
	local s=${sf%%.*} f=${sf#*.}
	printf "    <hostdev mode='subsystem' type='pci' managed='%s'>\n      <source>\n        <address domain='0x%s' bus='0x%s' slot='0x%s' function='0x%s'/>\n      </source>\n    </hostdev>\n" "$m" "$d" "$b" "$s" "$f"
}
# dom NAME [HOSTDEV-XML]: a domain XML on stdout.
dom() {
	local uuid
	uuid=$(printf '%s' "$1" | md5sum | sed -E 's/^(.{8})(.{4})(.{4})(.{4})(.{12}).*/\1-\2-\3-\4-\5/')
	awk -v n="$1" -v u="$uuid" -v h="${2:-}" '{ gsub(/@NAME@/, n); gsub(/@UUID@/, u); if ($0 ~ /@HOSTDEVS@/) { if (h != "") print h; next } print }' "$DOM_TEMPLATE"
}
# hook VM OP SUBOP XML: run the hook as libvirt does; sets OUT (stdout+stderr) and RC.
hook() {
	OUT=$(printf '%s' "$4" | "$HOOK" "$1" "$2" "$3" "${5:--}" 2>&1)
	RC=$?
}
# libvirt's event sequences
start_vm() { # NAME XML: prepare, start, started (stops at the first failure, like libvirt)
	hook "$1" prepare begin "$2" && [ $RC = 0 ] || return 1
	hook "$1" start begin "$2" && [ $RC = 0 ] || return 1
	hook "$1" started begin "$2"
}
stop_vm() { hook "$1" stopped end "$2"; hook "$1" release end "$2"; }

sysattr() { cat "$ROOT/sys/bus/pci/devices/$1/$2" 2>/dev/null; }
driver_of() { local l; l=$(readlink "$ROOT/sys/bus/pci/devices/$1/driver" 2>/dev/null) && basename "$l"; }
simlog() { cat "$ROOT/sys/x4sim/log"; }
numvfs() { sysattr 0000:00:02.0 sriov_numvfs; }
