#!/bin/bash
# x4ctl lg build-module without a VM: argument and dkms.conf errors, the kernel headers and
# dkms checks, non-root, and a fake dkms on PATH (records its argv, fails at a chosen step,
# refuses a second add like the real one) for each step's failure line and the re-run. The
# real DKMS build is the lab scenario tests/vm/lab/lg-build-module.sh.
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/../lib.sh"

X4CTL=$T_BIN/x4ctl
tmp=$(mktemp -d /tmp/x4-lgbuild.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
chmod 0755 "$tmp"
kv=6.1.0-99-test
root=$tmp/root
mkdir -p "$root/lib/modules/$kv/build" "$tmp/bin" "$tmp/lg/module"
printf 'B7\n' >"$tmp/lg/VERSION"
conf() { printf '%s' "$1" >"$tmp/lg/module/dkms.conf"; }
good='PACKAGE_NAME="kvmfr"
PACKAGE_VERSION="0.0.12"
BUILT_MODULE_NAME[0]="${PACKAGE_NAME}"
MAKE[0]="make KDIR=${kernel_source_dir}"
AUTOINSTALL="yes"
'
conf "$good"

# The fake dkms: logs "ARGS" per call; FAKE_FAIL=STEP exits 10 at that step; add registers
# the version under $X4_ROOT/var/lib/dkms (refused with exit 3 when already there), install
# links kernel-KVER-ARCH to it as dkms does.
cat >"$tmp/bin/dkms" <<'EOF'
#!/bin/sh
echo "$*" >>"$FAKE_LOG"
if [ "$1" = "${FAKE_FAIL:-}" ]; then echo "Error! fake dkms $1 failed" >&2; exit 10; fi
if [ "$1" = add ]; then
	d=$X4_ROOT/var/lib/dkms/kvmfr/0.0.12
	[ -e "$d/source" ] && { echo "Error! DKMS tree already contains: kvmfr-0.0.12" >&2; exit 3; }
	mkdir -p "$d/build" && ln -s /usr/src/kvmfr-0.0.12 "$d/source"
fi
if [ "$1" = install ]; then
	mkdir -p "$X4_ROOT/var/lib/dkms/kvmfr/0.0.12/$7/$(uname -m)"
	ln -sfn "0.0.12/$7/$(uname -m)" "$X4_ROOT/var/lib/dkms/kvmfr/kernel-$7-$(uname -m)"
fi
exit 0
EOF
chmod 0755 "$tmp/bin/dkms"
export FAKE_LOG=$tmp/dkms.log

# run ARGS...: x4ctl lg build-module with the fake root and fake dkms; sets out and rc.
run() {
	out=$(X4_ROOT=$root PATH=$tmp/bin:/usr/bin:/bin "$X4CTL" lg build-module "$@" 2>&1)
	rc=$?
}
lines() { printf '%s\n' "$1" | grep -c .; }

# --help and usage errors.
out=$("$X4CTL" lg build-module --help); rc=$?
check_eq "--help exits 0" 0 "$rc"
check_match "--help gives the synopsis and the options" \
	'usage: x4ctl lg build-module SRC_DIR \[--kernel VER\] \[--dry-run\].*--kernel VER.*--dry-run' \
	"$(printf '%s' "$out" | tr '\n' ' ')"
run; check_eq "no SRC_DIR: usage, exit 2" 2 "$rc"
check_match "no SRC_DIR: one line with the synopsis" '^x4ctl lg build-module: usage: x4ctl lg build-module SRC_DIR' "$out"
run "$tmp/lg" "$tmp/lg"; check_eq "two SRC_DIRs: exit 2" 2 "$rc"
run --bogus "$tmp/lg"; check_eq "an unknown option: exit 2" 2 "$rc"
run "$tmp/lg" --kernel; check_eq "--kernel without a value: exit 2" 2 "$rc"
run --kernel ../../etc "$tmp/lg"
check_eq "--kernel ../../etc refused" 1 "$rc"
check_match "--kernel ../../etc: one line saying what a release looks like" \
	"^x4ctl: --kernel '../../etc': not a kernel release \(like 6.1.0-18-amd64" "$out"

# SRC_DIR and dkms.conf errors (as root: these come before anything is run).
run --kernel "$kv" "$tmp/nope"
check_match "a missing SRC_DIR: one line naming it" "^x4ctl: $tmp/nope is not a directory: give the Looking Glass source" "$out"
mkdir -p "$tmp/empty"
run --kernel "$kv" "$tmp/empty"
check_match "no dkms.conf: names SRC_DIR and SRC_DIR/module" "^x4ctl: no dkms.conf in $tmp/empty or $tmp/empty/module" "$out"
mkdir -p "$tmp/with space/module" && printf '%s' "$good" >"$tmp/with space/module/dkms.conf"
run --kernel "$kv" "$tmp/with space"
check_match "a path with a space (dkms add splits it): refused with the fix" \
	"^x4ctl: $tmp/with space/module has a space or a glob character, which dkms add cannot take: move or link" "$out"
conf 'PACKAGE_NAME="i915-sriov-dkms"
PACKAGE_VERSION="1"
'
run --kernel "$kv" "$tmp/lg"
check_match "another package: not Looking Glass's module/" \
	"^x4ctl: $tmp/lg/module/dkms.conf: PACKAGE_NAME is 'i915-sriov-dkms', not kvmfr" "$out"
conf 'PACKAGE_NAME="kvmfr"
'
run --kernel "$kv" "$tmp/lg"
check_match "no PACKAGE_VERSION: one line" "^x4ctl: $tmp/lg/module/dkms.conf has no PACKAGE_VERSION= line" "$out"
conf 'PACKAGE_NAME="kvmfr"
PACKAGE_VERSION="$(touch /tmp/x4-pwned)"
'
run --kernel "$kv" "$tmp/lg"
check_match "a shell expression as version: refused, quoted" \
	"^x4ctl: $tmp/lg/module/dkms.conf line 2: PACKAGE_VERSION='\\\$\(touch /tmp/x4-pwned\)' is not a plain value" "$out"
printf 'PACKAGE_NAME=kvmfr\r\nPACKAGE_VERSION=1\r\n' >"$tmp/lg/module/dkms.conf"
run --kernel "$kv" "$tmp/lg"
check_match "CR LF line ends: refused with the fix" "line 1 ends in CR \(Windows line ends\).*dos2unix" "$out"
check_eq "every dkms.conf error above left dkms alone" "" "$(cat "$FAKE_LOG" 2>/dev/null)"
conf "$good"

# The kernel headers, then dkms.
run --kernel 6.1.0-98-none "$tmp/lg"
check_eq "missing headers: exit 1" 1 "$rc"
check_eq "missing headers: the one line with the apt command" \
	"x4ctl: kernel headers for 6.1.0-98-none are missing (no /lib/modules/6.1.0-98-none/build): apt install linux-headers-6.1.0-98-none" "$out"
out=$(X4_ROOT=$root PATH=/nonexistent "$X4CTL" lg build-module --kernel "$kv" "$tmp/lg" 2>&1)
check_eq "no dkms: the one line with the apt command" \
	"x4ctl: dkms is not installed (not on PATH): apt install dkms" "$out"
check_eq "none of that ran dkms" "" "$(cat "$FAKE_LOG" 2>/dev/null)"

# Not root.
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups env X4_ROOT="$root" PATH="$tmp/bin:/usr/bin:/bin" \
	"$X4CTL" lg build-module --kernel "$kv" "$tmp/lg" 2>&1); rc=$?
check_eq "non-root: exit 1" 1 "$rc"
check_match "non-root: one line saying root is needed" \
	"^x4ctl: lg build-module needs root: dkms writes /usr/src, /var/lib/dkms and /lib/modules/$kv: run it with sudo" "$out"
check_eq "non-root: one line" 1 "$(lines "$out")"
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups env X4_ROOT="$root" PATH="$tmp/bin:/usr/bin:/bin" \
	"$X4CTL" lg build-module --dry-run --kernel "$kv" "$tmp/lg" 2>&1); rc=$?
check_eq "non-root --dry-run is allowed" 0 "$rc"
check_match "--dry-run prints the three dkms commands" \
	"would run: $tmp/bin/dkms add $tmp/lg/module would run: $tmp/bin/dkms build -m kvmfr -v 0.0.12 -k $kv would run: $tmp/bin/dkms install -m kvmfr -v 0.0.12 -k $kv" \
	"$(printf '%s' "$out" | tr '\n' ' ')"
check_eq "--dry-run ran nothing" "" "$(cat "$FAKE_LOG" 2>/dev/null)"

# Each step failing: one x4ctl line naming the step, the log and the fix; later steps not run.
for step in add build install; do
	rm -rf "$root/var/lib/dkms"; : >"$FAKE_LOG"
	FAKE_FAIL=$step run --kernel "$kv" "$tmp/lg"
	check_eq "dkms $step failing: exit 1" 1 "$rc"
	xl=$(printf '%s\n' "$out" | grep '^x4ctl: dkms .* failed')
	check_eq "dkms $step failing: one x4ctl failure line" 1 "$(lines "$xl")"
	check_match "dkms $step failing: the line names the step, the exit, the build log and a fix" \
		"^x4ctl: dkms $step of kvmfr 0.0.12.* failed \(exit 10\).*/var/lib/dkms/kvmfr/0.0.12/build/make.log.*fix: " "$xl"
	check_eq "dkms $step failing: it stopped there" "$step" "$(tail -1 "$FAKE_LOG" | cut -d' ' -f1)"
done
check_match "the build failure's fix: headers and how to rebuild the same version" \
	"apt install linux-headers-$kv.*dkms remove kvmfr/0.0.12 --all; rm -rf /usr/src/kvmfr-0.0.12" \
	"$(FAKE_FAIL=build run --kernel "$kv" "$tmp/lg"; printf '%s' "$out")"

# Success, from the source root (module/ found), then a re-run.
rm -rf "$root/var/lib/dkms"; : >"$FAKE_LOG"
run --kernel "$kv" "$tmp/lg"
check_eq "build-module: exit 0" 0 "$rc"
check_eq "build-module: dkms add, build, install with these argv" \
	"add $tmp/lg/module|build -m kvmfr -v 0.0.12 -k $kv|install -m kvmfr -v 0.0.12 -k $kv" \
	"$(paste -sd'|' "$FAKE_LOG")"
check_match "build-module: says it is installed" "^installed kvmfr 0.0.12 for kernel $kv from $tmp/lg/module$" "$out"
check_match "build-module: the modules-load.d line install writes" \
	"at boot: x4ctl install writes the line 'kvmfr' to /etc/modules-load.d/x4-sriov.conf" "$out"
check_match "build-module: where to read both versions" \
	"this source is 'B7' \(its VERSION file; kvmfr PACKAGE_VERSION 0.0.12\); the client's is in 'looking-glass-client --version'" "$out"
: >"$FAKE_LOG"
run --kernel "$kv" "$tmp/lg/module"
check_eq "re-run (module/ given): exit 0" 0 "$rc"
check_match "re-run: already installed, nothing to run" "kvmfr 0.0.12 is already installed for kernel $kv \(dkms status kvmfr\): nothing to run" "$out"
check_eq "re-run: no dkms call at all" "" "$(cat "$FAKE_LOG")"
run --dry-run --kernel "$kv" "$tmp/lg"
check_match "--dry-run when installed: nothing would run, it is installed" \
	"nothing to run installed kvmfr 0.0.12 for kernel $kv" "$(printf '%s' "$out" | tr '\n' ' ')"
# After a failed install: added and built, so no add (the real dkms would exit 3 on it).
rm -rf "$root/var/lib/dkms"
FAKE_FAIL=install run --kernel "$kv" "$tmp/lg"
: >"$FAKE_LOG"
run --kernel "$kv" "$tmp/lg"
check_eq "re-run after a failed install: exit 0" 0 "$rc"
check_match "re-run after a failed install: says it is already added" "kvmfr 0.0.12 is already added to DKMS" "$out"
check_eq "re-run after a failed install: build and install, no second dkms add" \
	"build -m kvmfr -v 0.0.12 -k $kv|install -m kvmfr -v 0.0.12 -k $kv" "$(paste -sd'|' "$FAKE_LOG")"
# Another version installed for that kernel: said before dkms install.
ln -sfn "0.0.11/$kv/$(uname -m)" "$root/var/lib/dkms/kvmfr/kernel-$kv-$(uname -m)"
run --kernel "$kv" "$tmp/lg"
check_match "another version installed: named, with how to switch" \
	"kvmfr 0.0.11 is installed for kernel $kv now; dkms install replaces it only with a newer version \(else: dkms remove kvmfr/0.0.11 --all" "$out"
rm -f "$tmp/lg/VERSION"
run --kernel "$kv" "$tmp/lg/module"
check_match "no VERSION file: says so instead of a release" "this source has no VERSION file beside module/" "$out"

t_done
