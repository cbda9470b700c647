#!/bin/bash
# SPDX-License-Identifier: MIT
# x4ctl lg build-module on the real kernel (inside the tests/vm guest): Debian's headers for the
# running kernel (fetched by fetch.sh, listed in build/vm-headers) where a host has them, the
# host's dkms and gcc-12, and a kvmfr stand-in of our own (tests/vm/fixtures/kvmfr-standin: the
# same module name, static_size_mb, /dev/kvmfrN, size ioctl and mmap). Checks: non-root and
# missing headers refused with their lines; the build installs the .ko under updates/dkms, dkms
# status lists it, modprobe loads it and makes /dev/kvmfr0; x4ctl lg status reads it through the
# ioctl and mmap (empty, then a B7 header written through the device); lg apply's size check
# against it, and --reload; a re-run is fine; a source with a syntax error fails with the
# make.log path in one line. Everything it adds to the root is removed at the end.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../../lib.sh"

X4CTL=$T_BIN/x4ctl
hdr=$T_TOP/build/vm-headers
work=/var/tmp/x4-lg-build
kver=$(uname -r)
t0=$(cut -d' ' -f1 /proc/uptime)
mounts=() made_moddir=0

stamp() { echo "# [$(cut -d' ' -f1 /proc/uptime)s] $*"; }
skip() { ok "lg-build-module: SKIP: $*"; t_done; exit 0; }

cleanup() {
	local m
	modprobe -r kvmfr 2>/dev/null
	for m in "${mounts[@]}"; do umount "$m" 2>/dev/null; done
	rm -rf "$work" /var/lib/dkms/kvmfr /usr/src/kvmfr-0.0.1-x4 /usr/src/kvmfr-0.0.2-broken
	[ "$made_moddir" = 1 ] && rm -rf "/lib/modules/$kver"
	[ -e "$work.mok" ] || rm -f /var/lib/dkms/mok.key /var/lib/dkms/mok.pub
	[ -f "$work.qemu.conf" ] && cp -p "$work.qemu.conf" /etc/libvirt/qemu.conf
	rm -f "$work.qemu.conf" "$work.mok" /etc/modprobe.d/x4-sriov-kvmfr.conf
}
# stop_here WHY: a step the rest depends on failed; report it and end the scenario.
stop_here() { not_ok "$1 (stopping: later steps depend on it)"; cleanup; t_done; exit 1; }

# --- the headers where Debian's packages put them (the root is a RAM overlay: writable)
[ -f "$hdr" ] || skip "no $hdr (tests/vm/fetch.sh writes it)"
if grep -q '^missing ' "$hdr"; then skip "kernel headers not fetched: $(sed -n 's/^missing //p' "$hdr")"; fi
hk=$(sed -n 's/^kver //p' "$hdr")
[ "$hk" = "$kver" ] || skip "$hdr is for kernel $hk, the guest runs $kver"
amd64=$(sed -n 's/^amd64 //p' "$hdr") common=$(sed -n 's/^common //p' "$hdr")
kbuild=$(sed -n 's/^kbuild //p' "$hdr")
for d in "$amd64" "$common" "$kbuild"; do
	[ -d "$d" ] || skip "$d (from $hdr) is not visible in the guest (a cache under /tmp or /run?)"
done
[ -e /var/lib/dkms/mok.key ] && : >"$work.mok"
if [ ! -e "/lib/modules/$kver" ]; then made_moddir=1; fi
bindm() { mkdir -p "$2" && mount --bind "$1" "$2" && mounts=("$2" "${mounts[@]}"); }
src=${amd64}/usr/src/linux-headers-$kver cm=${common##*/} kb=${kbuild##*/}
bindm "$src" "/usr/src/linux-headers-$kver" &&
	bindm "$common/usr/src/${cm%_*}" "/usr/src/${cm%_*}" &&
	bindm "$kbuild/usr/lib/${kb%_*}" "/usr/lib/${kb%_*}" &&
	mkdir -p "/lib/modules/$kver" && ln -sfn "/usr/src/linux-headers-$kver" "/lib/modules/$kver/build" ||
	stop_here "the headers mounted at /usr/src and /lib/modules/$kver/build"
check "headers for $kver at /lib/modules/$kver/build (Debian's layout)" test -f "/lib/modules/$kver/build/Makefile"
command -v dkms >/dev/null || stop_here "dkms on the host (scripts/deps.sh test installs it)"

# --- the source: a Looking Glass-like tree (VERSION + module/) made from the fixture
rm -rf "$work" && mkdir -p "$work/lg/module" && cp "$T_TOP"/tests/vm/fixtures/kvmfr-standin/* "$work/lg/module/" &&
	echo B7 >"$work/lg/VERSION" || stop_here "the stand-in source copied to $work"

out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$X4CTL" lg build-module "$work/lg" 2>&1); rc=$?
check_match "non-root: refused with one line" "^x4ctl: lg build-module needs root" "$out"
check_eq "non-root: exit 1" 1 "$rc"
out=$("$X4CTL" lg build-module --kernel 6.1.0-0-nothere "$work/lg" 2>&1)
check_eq "headers missing (--kernel without headers): the apt line" \
	"x4ctl: kernel headers for 6.1.0-0-nothere are missing (no /lib/modules/6.1.0-0-nothere/build): apt install linux-headers-6.1.0-0-nothere" "$out"

# --- the build
stamp "build-module starts"
out=$("$X4CTL" lg build-module "$work/lg" 2>&1); rc=$?
stamp "build-module done (exit $rc)"
check_eq "build-module on $kver: exit 0" 0 "$rc"
[ "$rc" = 0 ] || { printf '%s\n' "$out" | tail -15 | sed 's/^/#   /'; tail -20 /var/lib/dkms/kvmfr/0.0.1-x4/build/make.log 2>/dev/null | sed 's/^/#   make.log: /'; stop_here "the stand-in built"; }
check_match "build-module: says installed, and the modules-load.d line" \
	"installed kvmfr 0.0.1-x4 for kernel $kver.*at boot: x4ctl install writes the line 'kvmfr' to /etc/modules-load.d/x4-sriov.conf" \
	"$(printf '%s' "$out" | tr '\n' ' ')"
ko=$(find "/lib/modules/$kver/updates/dkms" -name 'kvmfr.ko*' 2>/dev/null | head -1)
check "the .ko is installed under /lib/modules/$kver/updates/dkms" test -n "$ko"
check_match "dkms status lists kvmfr as installed for $kver" "^kvmfr/0.0.1-x4, $kver, [^:]*: installed" "$(dkms status kvmfr 2>&1)"

# --- load it: our ioctl and mmap through x4ctl
check "modprobe kvmfr static_size_mb=32 loads it" modprobe kvmfr static_size_mb=32
check "/dev/kvmfr0 is a character device" test -c /dev/kvmfr0
check "static_size_mb is not readable in sysfs (mode 0000, like kvmfr's)" test ! -e /sys/module/kvmfr/parameters/static_size_mb
out=$("$X4CTL" lg status --file /dev/kvmfr0 --no-client 2>&1)
check_match "lg status --file /dev/kvmfr0: 32 MiB by the ioctl, empty" "^/dev/kvmfr0 \(32 MiB\): empty" "$out"
"$T_BIN/lgfake" --layout b7 --image "$work/b7.img" >/dev/null 2>&1 &&
	python3 -c 'import mmap, os, sys
fd = os.open("/dev/kvmfr0", os.O_RDWR)
m = mmap.mmap(fd, 16384, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
m[:] = open(sys.argv[1], "rb").read()' "$work/b7.img"
out=$("$X4CTL" lg status --file /dev/kvmfr0 --no-client 2>&1)
check_match "a B7 header written through the device's mmap: lg status reads it (stale: nothing ticks)" \
	"^/dev/kvmfr0 \(32 MiB\): host present: Looking Glass B7 .*stale" "$out"
conf=$work/x4.conf
printf '%s\n' '[host]' '[vm lab]' 'looking_glass = /dev/kvmfr0' 'lg_size = 64M' >"$conf"
out=$("$X4CTL" --config "$conf" lg apply --dry-run 2>&1)
check_match "lg apply: a VM wanting 64 MiB, the loaded kvmfr0 has 32 MiB (the ioctl)" \
	"^/dev/kvmfr0  64 MiB +lab  \[loaded kvmfr has 32 MiB\]" "$out"
cp -p /etc/libvirt/qemu.conf "$work.qemu.conf" 2>/dev/null
out=$("$X4CTL" --config "$conf" lg apply --reload 2>&1); rc=$?
check_eq "lg apply --reload: exit 0" 0 "$rc"
out=$("$X4CTL" lg status --file /dev/kvmfr0 --no-client 2>&1)
check_match "after the reload kvmfr0 is 64 MiB and zeroed again" "^/dev/kvmfr0 \(64 MiB\): empty" "$out"
out=$("$X4CTL" --config "$conf" lg apply --dry-run 2>&1)
check_eq "lg apply: sizes now match (no [loaded kvmfr has ...])" 0 "$(printf '%s\n' "$out" | grep -c 'loaded kvmfr has')"
check "modprobe -r kvmfr" modprobe -r kvmfr

# --- again: DKMS has it installed for this kernel, nothing to run
out=$("$X4CTL" lg build-module "$work/lg/module" 2>&1); rc=$?
check_eq "re-run: exit 0" 0 "$rc"
check_match "re-run: already installed (dkms's own link), nothing run" \
	"kvmfr 0.0.1-x4 is already installed for kernel $kver \(dkms status kvmfr\): nothing to run" "$out"

# --- a source that does not compile
mkdir -p "$work/broken" && cp -r "$work/lg/module" "$work/broken/" &&
	sed -i 's/^PACKAGE_VERSION=.*/PACKAGE_VERSION="0.0.2-broken"/' "$work/broken/module/dkms.conf" &&
	printf 'static int broken(void) { return }\n' >>"$work/broken/module/kvmfr.c"
stamp "broken build starts"
out=$("$X4CTL" lg build-module "$work/broken" 2>&1); rc=$?
stamp "broken build done (exit $rc)"
check_eq "syntax error: exit 1" 1 "$rc"
line=$(printf '%s\n' "$out" | grep '^x4ctl: dkms .* failed')
check_eq "syntax error: one x4ctl failure line" 1 "$(printf '%s\n' "$line" | grep -c .)"
check_match "syntax error: the line names dkms build and the make.log path" \
	"^x4ctl: dkms build of kvmfr 0.0.2-broken for kernel $kver failed \(exit [0-9]+\): the compiler's output is in /var/lib/dkms/kvmfr/0.0.2-broken/build/make.log; fix: " "$line"
check_match "that make.log has the compiler's error" "kvmfr.c:[0-9]+:[0-9]+: error" "$(cat /var/lib/dkms/kvmfr/0.0.2-broken/build/make.log 2>/dev/null)"

cleanup
check "cleaned up: nothing of kvmfr left in DKMS" test ! -e /var/lib/dkms/kvmfr
stamp "lg-build-module took $(awk -v a="$t0" -v b="$(cut -d' ' -f1 /proc/uptime)" 'BEGIN { printf "%d", b - a }')s of guest time"
t_done
