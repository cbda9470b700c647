#!/bin/bash
# x4ctl lg status against a fake Looking Glass host (tests/lgfake): B6, B7 and a newer layout
# written into files and a memfd; empty, garbage, truncated, oversized udata, stale, alive,
# client connected; the VM's region from the config; the version check against a
# looking-glass-client; --json and --watch; the region is never written; the LG column of
# x4ctl status on the simulated X4.
set -u
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
. "$T_TOP/tests/hooklib.sh"
X4CTL=$T_BIN/x4ctl
FAKE=$T_BIN/lgfake
T=$(mktemp -d /tmp/x4lg.XXXXXX)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	sim_stop
	rm -rf "$T"
}
trap cleanup EXIT
# x ARGS...: x4ctl with no client lookup unless asked; OUT and RC.
x() { OUT=$("$X4CTL" "$@" 2>&1); RC=$?; }
js() { jq -r "$1" <<<"$OUT"; }

# --- verdicts of files the fake host wrote once (nothing ticks: stale)
"$FAKE" --layout b7 "$T/b7"
sum=$(md5sum <"$T/b7")
x lg status --file "$T/b7" --no-client
check_eq "B7 file: exit 0" 0 "$RC"
check_match "B7: host present, release and versions" "host present: Looking Glass B7 \\(LGMP 6, KVMFR 20, host version 'B7'\\)" "$OUT"
check_match "B7 written once: stale, said as a normal state" "stale: the host application is not running .*left from its last run" "$OUT"
check_match "B7: the guest records" "guest: Windows 'Windows 11 Pro', CPU 'Intel\\(R\\) N100' \\(4 CPUs, 4 cores, 1 sockets\\), capture 'D12'" "$OUT"
check_match "B7: no client connected" "no client connected" "$OUT"
check_eq "status never wrote to the region" "$sum" "$(md5sum <"$T/b7")"

"$FAKE" --layout b6 "$T/b6"
x lg status --file "$T/b6" --no-client --json
check_eq "B6 --json: release, LGMP, KVMFR, hostver" "B6 5 19 B6 stale" \
	"$(js '.[0] | "\(.release) \(.lgmp_version) \(.kvmfr_version) \(.hostver) \(.live)"')"
check_eq "B6 --json: guest OS and CPU" "Windows Intel(R) N100 4" "$(js '.[0].guest | "\(.os) \(.cpu) \(.cpus)"')"

"$FAKE" --layout v10 "$T/v10"
x lg status --file "$T/v10" --no-client --json
check_eq "newer layout (magic at 8064): found, 'newer than B7'" "host present 10 newer than B7" \
	"$(js '.[0] | "\(.state) \(.lgmp_version) \(.release)"')"

"$FAKE" --layout garbage "$T/garbage"
x lg status --file "$T/garbage" --no-client
check_match "garbage: not Looking Glass" "not Looking Glass: no LGMP header" "$OUT"
truncate -s 32M "$T/zero"
x lg status --file "$T/zero" --no-client
check_match "all zero: empty, the host never ran" "\\(32 MiB\\): empty: all zero" "$OUT"
: >"$T/zerolen"
x lg status --file "$T/zerolen" --no-client
check_match "a 0-byte file: empty" "\\(0 bytes\\): empty" "$OUT"
"$FAKE" --layout magic-only --size 4096 "$T/small"
x lg status --file "$T/small" --no-client
check_match "a region smaller than the header: too small, with both sizes" "too small \\[the region is 4096 bytes, smaller than any LGMP header \\(5120\\)\\]" "$OUT"
"$FAKE" --layout b7 "$T/trunc"
truncate -s 5000 "$T/trunc"
x lg status --file "$T/trunc" --no-client
check_match "a truncated header: too small, no crash" "too small" "$OUT"
"$FAKE" --layout b7 "$T/trunc"
truncate -s 5800 "$T/trunc"
x lg status --file "$T/trunc" --no-client
check_match "header present, user data cut off: said, not parsed" "udataSize [0-9]+ runs past the 44 bytes after the header" "$OUT"
"$FAKE" --layout b7 --udata-size 2000000 "$T/bigudata"
x lg status --file "$T/bigudata" --no-client --json
check_eq "oversized udataSize: host present, KVMFR not read" "host present null" "$(js '.[0] | "\(.state) \(.kvmfr_version)"')"
check_match "... and says why" "udataSize 2000000 runs past" "$(js '.[0].problem')"

# --- a running host: the timestamp ticks every 10 ms
"$FAKE" --layout b7 --tick --subscribe --seconds 60 "$T/live" &
pids+=($!)
for _ in $(seq 50); do [ -s "$T/live" ] && break; sleep 0.1; done
x lg status --file "$T/live" --no-client
check_match "ticking host: alive" "Looking Glass B7 .*\\), alive, a client is connected" "$OUT"
x lg status --file "$T/live" --no-client --json
check_eq "--json: alive, client_connected, one frame client" "alive true 1" \
	"$(js '.[0] | "\(.live) \(.client_connected) \(.frame_clients)"')"
"$FAKE" --layout v10 --tick --seconds 60 "$T/live10" &
pids+=($!)
for _ in $(seq 50); do [ -s "$T/live10" ] && break; sleep 0.1; done
x lg status --file "$T/live10" --no-client --json
check_eq "newer layout ticking: alive (timestamp at 0)" "alive" "$(js '.[0].live')"

# --- a memfd (what a process shares without a file): /proc/PID/fd/N
coproc MEMFD { exec "$FAKE" --memfd --layout b6 --tick --seconds 60; }
pids+=("$MEMFD_PID")
read -r -t 5 mpath <&"${MEMFD[0]}"
x lg status --file "$mpath" --no-client --json
check_eq "memfd B6 host through $mpath: alive" "B6 alive" "$(js '.[0] | "\(.release) \(.live)"')"

# --- the client's version against the host's
mkdir -p "$T/bin"
printf '#!/bin/sh\necho "Looking Glass (B6)"\necho "Locking Method: Atomic"\n' >"$T/bin/looking-glass-client"
chmod 755 "$T/bin/looking-glass-client"
OUT=$(PATH="$T/bin:$PATH" "$X4CTL" lg status --file "$T/b7" 2>&1)
check_match "client B6, host B7: version mismatch said with the fix" "version mismatch: looking-glass-client is B6, the guest's host is 'B7': install the same" "$OUT"
OUT=$(PATH="$T/bin:$PATH" "$X4CTL" lg status --file "$T/b6" 2>&1)
check_match "client B6, host B6: matches" "looking-glass-client B6 matches the host" "$OUT"
OUT=$(PATH="$T/bin:$PATH" "$X4CTL" lg status --file "$T/b6" --json 2>&1)
check_eq "--json: client_version, version_match" "B6 true" "$(js '.[0] | "\(.client_version) \(.version_match)"')"
OUT=$(PATH=/nonexistent "$X4CTL" lg status --file "$T/b6" --json 2>&1)
check_eq "no client installed: no version fields" "null" "$(js '.[0].client_version')"

# --- --watch follows it (two rounds, then stopped)
timeout -s INT 3 "$X4CTL" lg status --file "$T/live" --no-client --watch --json >"$T/watch" 2>&1
check_match "--watch prints a JSON line per round" "^\\[.*\"live\":\"alive\"" "$(head -1 "$T/watch")"
if [ "$(wc -l <"$T/watch")" -ge 2 ]; then ok "--watch repeats"; else not_ok "--watch repeats ($(wc -l <"$T/watch") lines)"; fi

# --- refusals
x lg status --file "$T/nonexistent" --no-client
check_eq "missing file: exit 1" 1 "$RC"
check_eq "... one line naming it" "$T/nonexistent: cannot open: No such file or directory" "$OUT"
x lg status --file /dev/null --no-client
check_match "a char device that is not kvmfr is refused before any ioctl" "/dev/null: a character device that is not kvmfr" "$OUT"
x lg status --file "$T" --no-client
check_match "a directory is refused" "not a kvmfr device or a regular file" "$OUT"
x lg status --file rel/path; check_match "relative --file refused" "give an absolute path" "$OUT"
x lg frob; check_eq "lg frob: usage, exit 2" 2 "$RC"
x lg status a b; check_eq "two VMs: usage, exit 2" 2 "$RC"

# --- the VM's region from the config (on the simulated X4), and the status column
# shellcheck disable=SC2119 # no x4sim options
sim_start
conf '[host]' '[vm win-a]' 'looking_glass = shm' '[vm win-b]' 'looking_glass = shm' '[vm win-c]'
mkdir -p "$ROOT/dev/shm"
x lg status win-a --no-client
check_eq "VM whose file does not exist yet: exit 1" 1 "$RC"
check_match "... says the VM has not started" "^VM win-a: /dev/shm/looking-glass-win-a does not exist: VM win-a has not started" "$OUT"
"$FAKE" --layout b7 --subscribe --size $((32 << 20)) "$ROOT/dev/shm/looking-glass-win-a"
truncate -s 32M "$ROOT/dev/shm/looking-glass-win-b"
# As the hook makes them (lgshm): root's or the qemu user's, closed to others; else refused.
chmod 0660 "$ROOT"/dev/shm/looking-glass-win-*
x lg status --no-client
check_match "all VMs: win-a's B7 host" "VM win-a: /dev/shm/looking-glass-win-a \\(32 MiB\\): host present: Looking Glass B7" "$OUT"
check_match "all VMs: win-b's empty region" "VM win-b: /dev/shm/looking-glass-win-b \\(32 MiB\\): empty" "$OUT"
check_eq "win-c (looking_glass off) is not listed" 0 "$(printf '%s\n' "$OUT" | grep -c win-c)"
x lg status win-c --no-client; check_match "VM with LG off: said" "VM win-c has looking_glass = off" "$OUT"
x lg status nosuch --no-client; check_match "unknown VM: said with the fix" "no \\[vm nosuch\\] section .*give --file PATH" "$OUT"
a=$(dom win-a "$(hostdev 0000:00:02.1 no)")
hook win-a prepare begin "$a"
if [ "$RC" = 0 ]; then
	x status
	check_match "x4ctl status: LOOKING GLASS column" "VM +LOOKING GLASS" "$OUT"
	check_match "... win-a's VF row shows 'B7 stale, client'" "^1 +0000:00:02.1 +vfio-pci +[0-9]+ +win-a +B7 stale, client" "$OUT"
	x status --json
	check_eq "status --json: lg of the VF's VM" "B7 stale, client" "$(jq -r '.vfs[0].lg' <<<"$OUT")"
	hook win-a release end "$a"
else
	not_ok "hook prepare of win-a on the simulated X4 ($OUT)"
fi

# --- the real size against the plan before QEMU starts (hook prepare and the wrapper)
chgrp kvm "$ROOT/dev/kvmfr0" && chmod 0660 "$ROOT/dev/kvmfr0" # as 99-kvmfr.rules makes it
conf '[host]' '[vm win-k]' 'looking_glass = /dev/kvmfr0' 'lg_size = 64M'
k=$(dom win-k "$(hostdev 0000:00:02.2 no)")
hook win-k prepare begin "$k"
check_eq "hook: kvmfr0 of 32 MiB for a VM wanting 64 MiB: refused" 1 "$RC"
check_match "... with one line naming VM, device, both sizes and the fix" \
	"VM win-k: /dev/kvmfr0 is 32 MiB but the VM wants 64 MiB: set lg_size = 32M for \\[vm win-k\\] in x4-sriov.conf, or give its size to kvmfr \\(x4ctl lg apply" "$OUT"
hook win-k release end "$k"
printf '#!/bin/sh\necho real-qemu-ran\n' >"$T/qemu"
chmod 755 "$T/qemu"
conf '[host]' "qemu = $T/qemu" '[vm win-s]' 'looking_glass = shm' 'lg_size = 64M'
truncate -s 32M "$ROOT/dev/shm/looking-glass-win-s" && chmod 0660 "$ROOT/dev/shm/looking-glass-win-s"
OUT=$("$T_BIN/qemu-x4" -name guest=win-s -machine q35 -device '{"driver":"pcie-pci-bridge","id":"pci.3","bus":"pcie.0","addr":"0x3"}' 2>&1); RC=$?
check_eq "wrapper: a shm file left at 32 MiB for 64 MiB: refused" 1 "$RC"
check_match "... one line with the fix" "VM win-s: /dev/shm/looking-glass-win-s is 33554432 bytes but the VM wants 64 MiB: .*rm /dev/shm/looking-glass-win-s" "$OUT"
rm -f "$ROOT/dev/shm/looking-glass-win-s"
OUT=$("$T_BIN/qemu-x4" -name guest=win-s -machine q35 -device '{"driver":"pcie-pci-bridge","id":"pci.3","bus":"pcie.0","addr":"0x3"}' 2>/dev/null); RC=$?
check_eq "wrapper: no shm file yet: QEMU runs (it makes the file)" "0 real-qemu-ran" "$RC $OUT"

# --- doctor's kvmfr row: loaded with its devices and sizes, or how to build it
conf '[host]' '[vm win-k]' 'looking_glass = /dev/kvmfr0' 'lg_size = 32M'
x doctor
check_match "doctor: kvmfr loaded, with its device and size" "^PASS +kvmfr +kvmfr module loaded: /dev/kvmfr0 32 MiB" "$OUT"
sim_stop
sim_start --fault no-kvmfr
conf '[host]' '[vm win-k]' 'looking_glass = /dev/kvmfr0' 'lg_resolution = 2560x1440'
x doctor
check_match "doctor: kvmfr missing while a VM uses it: FAIL" "^FAIL +kvmfr +kvmfr module not loaded, and a VM uses /dev/kvmfrN" "$OUT"
fix=$(printf '%s\n' "$OUT" | awk '$1 == "FAIL" && $2 == "kvmfr" { f = 1; next } f && /fix:/ { sub(/^ *fix: /, ""); print; exit }')
check_match "... fix: where to read both versions" "client: looking-glass-client --version; source: .*git describe --tags" "$fix"
check_match "... fix: the DKMS steps from module/ (x4ctl lg build-module)" "apt install dkms linux-headers-\\\$\\(uname -r\\); sudo x4ctl lg build-module looking-glass-B7 \\(runs dkms add, build and install on its module/ directory\\)" "$fix"
check_match "... fix: the VM's size and the boot files install writes" "modprobe kvmfr static_size_mb=64 .*'kvmfr' to /etc/modules-load.d/x4-sriov.conf" "$fix"
conf '[host]' '[vm win-s]' 'looking_glass = shm'
x doctor
check_match "doctor: kvmfr missing, no VM uses it: PASS" "^PASS +kvmfr +kvmfr module not loaded \\(no VM uses /dev/kvmfrN\\)" "$OUT"

# --- one kvmfr device per VM: three VMs with looking_glass = kvmfr on the simulated X4
sim_stop
sim_start
for i in 1 2; do mknod "$ROOT/dev/kvmfr$i" c 1 3; done
chgrp kvm "$ROOT"/dev/kvmfr*; chmod 0660 "$ROOT"/dev/kvmfr*
chmod 755 "$ROOT"
mkdir -p "$ROOT/etc/libvirt" "$ROOT/etc/modprobe.d"
conf '[host]' 'looking_glass = kvmfr' '[vm lg-a]' 'lg_size = 32M' '[vm lg-b]' 'lg_size = 64M' \
	'[vm lg-c]' 'lg_resolution = 3840x2160'
planof() { jq -r '"\(.lg_path) \(.lg_size)"' "$ROOT/run/x4-sriov/vm/$1.json" 2>/dev/null; }
declare -A X=([lg-a]=0000:00:02.1 [lg-b]=0000:00:02.2 [lg-c]=0000:00:02.3)
for round in 1 2; do
	for v in lg-a lg-b lg-c; do
		xml=$(dom "$v" "$(hostdev "${X[$v]}" no)")
		hook "$v" prepare begin "$xml"
		[ "$RC" = 0 ] || echo "# prepare $v: $OUT"
	done
	check_eq "round $round: lg-a, lg-b, lg-c get kvmfr0, kvmfr1, kvmfr2 with their sizes" \
		"/dev/kvmfr0 33554432|/dev/kvmfr1 67108864|/dev/kvmfr2 134217728" \
		"$(planof lg-a)|$(planof lg-b)|$(planof lg-c)"
	if [ "$round" = 1 ]; then
		x lg apply --dry-run
		check_match "lg apply --dry-run: the table" "/dev/kvmfr1  64 MiB +lg-b" "$OUT"
		check_match "lg apply with VMs running: reload needed, names them" "in use by: lg-a \\(/dev/kvmfr0\\), lg-b \\(/dev/kvmfr1\\), lg-c" "$OUT"
		x lg apply --reload
		check_eq "lg apply --reload while VMs use kvmfr: refused" 1 "$RC"
		check_match "... naming the VM" "refused, kvmfr is in use by VM lg-a \\(/dev/kvmfr0\\)" "$OUT"
		conf '[host]' 'looking_glass = kvmfr' '[vm lg-a]' 'lg_size = 32M' '[vm lg-b]' 'lg_size = 64M' \
			'[vm lg-c]' 'lg_resolution = 3840x2160' '[vm lg-d]' 'looking_glass = /dev/kvmfr1'
		hook lg-d prepare begin "$(dom lg-d)"
		check_eq "an explicit /dev/kvmfr1 while lg-b runs on it: refused at prepare" 1 "$RC"
		check_match "... naming the other VM" "VM lg-d: /dev/kvmfr1 is VM lg-b's \\(its looking_glass = kvmfr gives it that device\\)" "$OUT"
	fi
	for v in lg-a lg-b lg-c; do hook "$v" release end "$(dom "$v" "$(hostdev "${X[$v]}" no)")"; done
done
check_eq "released: no plan left" "" "$(ls "$ROOT/run/x4-sriov/vm/" 2>/dev/null)"
conf '[host]' 'looking_glass = kvmfr' '[vm lg-a]' 'lg_size = 64M'
hook lg-a prepare begin "$(dom lg-a "$(hostdev 0000:00:02.1 no)")"
check_eq "lg-a wants 64 MiB, kvmfr0 is 32 MiB: refused" 1 "$RC"
check_match "... with our line" "VM lg-a: /dev/kvmfr0 is 32 MiB but the VM wants 64 MiB" "$OUT"
hook lg-a release end "$(dom lg-a "$(hostdev 0000:00:02.1 no)")"
# lg apply writes the three sizes and three ACL entries
conf '[host]' 'looking_glass = kvmfr' '[vm lg-a]' 'lg_size = 32M' '[vm lg-b]' 'lg_size = 64M' \
	'[vm lg-c]' 'lg_resolution = 3840x2160'
cp /etc/libvirt/qemu.conf "$ROOT/etc/libvirt/qemu.conf"
x lg apply
check_eq "lg apply exits 0" 0 "$RC"
check_eq "modprobe.d: three sizes in order" "options kvmfr static_size_mb=32,64,128" \
	"$(grep '^options' "$ROOT/etc/modprobe.d/x4-sriov-kvmfr.conf")"
check_eq "qemu.conf: three ACL entries" "3" "$(grep -cE '"/dev/kvmfr[012]"' "$ROOT/etc/libvirt/qemu.conf")"
check_match "says the reload (kvmfr has other sizes) and the group for the desktop user" \
	"kvmfr must be reloaded for these sizes: x4ctl lg apply --reload.*|sudo usermod -aG kvm" "$OUT"
check_match "... the group command" "must be in group kvm to open the devices: sudo usermod -aG kvm" "$OUT"
sum=$(md5sum <"$ROOT/etc/libvirt/qemu.conf")
x lg apply
check_match "a second apply changes nothing" "unchanged: /etc/modprobe.d/x4-sriov-kvmfr.conf" "$OUT"
check_eq "... qemu.conf untouched" "$sum" "$(md5sum <"$ROOT/etc/libvirt/qemu.conf")"
x lg apply --reload
check_match "--reload with no VM running: not under --root" "not with --root" "$OUT"
t_done
