#!/bin/bash
# x4ctl install/uninstall as a user meets them: the installed layout (PREFIX-aware), AppArmor
# rules in Debian's local includes (parsed by apparmor_parser, reloaded only when enabled),
# the journal under injected failures (ENOSPC, symlinks, read-only dirs: uninstall restores
# every byte), the hook registered once, and the small frictions of the README's path.
set -u
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
X4CTL=$T_BIN/x4ctl
TMP=$(mktemp -d /tmp/x4inst.XXXXXX)
chmod 0755 "$TMP"
MOUNTS=()
cleanup() {
	local m
	for m in "${MOUNTS[@]}"; do umount "$m" 2>/dev/null; done
	rm -rf "$TMP"
}
trap cleanup EXIT

# x ARGS: x4ctl ARGS (install takes the source tree's templates: an ASan build's bin/ has none
# two levels up); OUT and RC.
x() {
	[ "$1" = install ] && set -- "$@" --templates "$T_TOP/templates"
	OUT=$("$X4CTL" "$@" 2>&1); RC=$?
}
sums() { (cd "$1" && find . \( -type f -o -type l -o -type d \) -printf '%p %m %l\n' | sort && find . -type f -print0 | sort -z | xargs -0 -r sha256sum); }
absent() { [ ! -e "$1" ] && [ ! -L "$1" ]; } # a dangling link counts as there
same_tree() { diff -r --no-dereference "$1" "$2" >/dev/null && cmp -s <(sums "$1") <(sums "$2"); }

# A host tree with Debian's libvirt and AppArmor files, as libvirt-daemon-system leaves them.
BASE=$TMP/base
mkdir -p "$BASE/etc" "$BASE/usr/local" "$BASE/var/lib" "$BASE/etc/systemd" "$BASE/etc/modprobe.d" \
	"$BASE/etc/default"
cp -a /etc/libvirt "$BASE/etc/"
rm -f "$BASE/etc/libvirt/hooks/qemu"
for f in $(dpkg -L libvirt-daemon-system | grep '^/etc/apparmor.d/'); do
	[ -f "$f" ] && install -D -m 0644 "$f" "$BASE$f"
done
mkdir -p "$BASE/etc/apparmor.d/local/abstractions"
: >"$BASE/etc/apparmor.d/local/abstractions/libvirt-qemu"
printf '# Site-specific additions and overrides for usr.sbin.libvirtd\n/srv/mine r,' \
	>"$BASE/etc/apparmor.d/local/usr.sbin.libvirtd" # no final newline: restored as is
printf 'GRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX_DEFAULT="quiet i915.enable_guc=2 splash"\n' >"$BASE/etc/default/grub"
# aa_parse PROFILE: compile it (no kernel load) with the tree's local includes first.
aa_parse() { apparmor_parser -Q -K -I "$R/etc/apparmor.d" --base /etc/apparmor.d "$1" 2>&1 | grep -v '^Cache read/write disabled' >&2; [ "${PIPESTATUS[0]}" = 0 ]; }
fresh() { rm -rf "$TMP/r"; cp -a "$BASE" "$TMP/r"; R=$TMP/r; }

# --- the installed layout: make's PREFIX reaches every program; x4ctl alone in SBINDIR finds
# the others where make install put them (the README's `sudo make install; sudo x4ctl install`)
P=$TMP/pfx
if make -s -C "$T_TOP" BUILD="$TMP/b" PREFIX="$P" SYSCONFDIR="$P/etc" CFLAGS=-O0 install >"$TMP/make.log" 2>&1; then
	ok "make PREFIX=DIR install"
else
	not_ok "make PREFIX=DIR install"; tail -5 "$TMP/make.log"
fi
fresh
OUT=$("$P/sbin/x4ctl" install --root "$R" 2>&1); RC=$?
check_eq "the installed x4ctl installs (no --from)" 0 "$RC"
check "qemu-x4 copied from BINDIR" cmp "$P/bin/qemu-x4" "$R$P/bin/qemu-x4"
check "x4-hook-core copied from LIBEXECDIR" cmp "$P/libexec/x4-sriov/x4-hook-core" "$R$P/libexec/x4-sriov/x4-hook-core"
check_eq "the hook link names LIBEXECDIR" "$P/libexec/x4-sriov/x4-hook" "$(readlink "$R/etc/libvirt/hooks/qemu")"
check_match "AppArmor rules name this build's paths" "^$P/bin/qemu-x4 PUx,\$" "$(cat "$R/etc/apparmor.d/local/usr.sbin.libvirtd")"
check_match "the boot unit runs SBINDIR's x4ctl" "ExecStart=$P/sbin/x4ctl vf create" "$(cat "$R/etc/systemd/system/x4-sriov-vfs.service")"
check_match "the config goes to SYSCONFDIR" "created $R$P/etc/x4-sriov/x4-sriov.conf" "$OUT"
rm -f "$P/libexec/x4-sriov/x4-hook"
OUT=$("$P/sbin/x4ctl" install --root "$R" 2>&1)
check_match "a missing program: its path and the fix in one line" "^x4ctl: install: cannot open $P/libexec/x4-sriov/x4-hook: No such file or directory: build it first" "$OUT"
mkdir "$TMP/from"; cp "$T_BIN/x4-hook" "$T_BIN/x4-hook-core" "$T_BIN/qemu-x4" "$T_BIN/x4ctl" "$TMP/from/"
fresh
x install --root "$R" --from "$TMP/from"
check "--from DIR takes all four from DIR" cmp "$TMP/from/x4-hook" "$R/usr/local/libexec/x4-sriov/x4-hook"
make -s -C "$T_TOP" BUILD="$TMP/b2" PREFIX=/usr "$TMP/b2/gen/x4-layout.h"
for want in 'X4_BINDIR "/usr/bin"' 'X4_SBINDIR "/usr/sbin"' 'X4_LIBEXECDIR "/usr/libexec/x4-sriov"' \
	'X4_DATADIR "/usr/share/x4-sriov"' 'X4_SYSCONFDIR "/etc"'; do
	check_match "make PREFIX=/usr: $want" "$want" "$(cat "$TMP/b2/gen/x4-layout.h")"
done
plan=$(make -n -C "$T_TOP" BUILD="$TMP/b2" PREFIX=/usr DESTDIR=/nonexistent install 2>&1)
for want in /usr/bin/qemu-x4 /usr/sbin/x4ctl /usr/libexec/x4-sriov/x4-hook /usr/libexec/x4-sriov/x4-hook-core /usr/share/x4-sriov/templates; do
	check_match "make PREFIX=/usr install writes $want" "/nonexistent$want" "$plan"
done

# --- sudo make check from a clone in a 0700 home: programs the qemu user runs are copied out
mkdir -m 0700 "$TMP/home"; mkdir -p "$TMP/home/clone/build"; cp -a "$T_BIN" "$TMP/home/clone/build/bin"
res=$(T_BIN=$TMP/home/clone/build/bin "$T_TOP/tests/suites/50-wrapper.sh" 2>&1 | tail -1)
check_match "50-wrapper passes with build/ in a 0700 home" '^50-wrapper.sh: [0-9]+ passed, 0 failed$' "$res"

# --- point 4: --root, paths shown, dry run, next steps, GRUB, initramfs
x install --root "$TMP/missing"
check_match "install --root MISSING names the root, not /usr" "--root $TMP/missing: No such file" "$OUT"
check "... and blames no /usr" test "$(printf '%s' "$OUT" | grep -c 'cannot create /usr')" = 0
fresh
x install --root "$R" --dry-run
check_eq "dry run exits 0" 0 "$RC"
check_match "dry run says nothing was changed" 'dry run: nothing was changed' "$OUT"
check "dry run claims no journal" test "$(printf '%s' "$OUT" | grep -c 'what was done so far')" = 0
check "dry run changed nothing" same_tree "$R" "$BASE"
x install --root "$R" --dry-run --from "$TMP/nonexistent"
check_match "a failing dry run says nothing was changed" 'nothing was changed\)$' "$OUT"
check "... and claims no journal" test "$(printf '%s' "$OUT" | grep -c 'what was done so far')" = 0
x install --root "$R"
check_eq "install exits 0" 0 "$RC"
check_match "paths are shown under the root" "^created $R/usr/local/bin/qemu-x4$" "$OUT"
check_match "the journal is named under the root too" "^created $R/etc/x4-sriov/x4-sriov.conf$" "$OUT"
check_match "next step enables the boot unit for real" 'systemctl daemon-reload && systemctl enable x4-sriov-vfs.service' "$OUT"
check_match "GRUB: enable_guc=2 becomes =3 in place" 'GRUB_CMDLINE_LINUX_DEFAULT="quiet i915.enable_guc=3 splash intel_iommu=on iommu=pt i915.max_vfs=7 module_blacklist=xe"' "$OUT"
check "GRUB: no enable_guc=2 left beside it" test "$(printf '%s' "$OUT" | grep -c 'enable_guc=2')" = 0
check_match "update-initramfs -u is part of the GRUB step" 'update-grub && sudo update-initramfs -u' "$OUT"

# --- AppArmor: our blocks, parsed by the real parser with Debian's profiles
LV=$R/etc/apparmor.d/local/usr.sbin.libvirtd QM=$R/etc/apparmor.d/local/abstractions/libvirt-qemu
check_match "libvirtd may run qemu-x4 (PUx, as for /usr/bin)" '^/usr/local/bin/qemu-x4 PUx,$' "$(cat "$LV")"
check_match "libvirtd may run the hook (rmix, as for /etc/libvirt/hooks)" '^/usr/local/libexec/x4-sriov/x4-hook rmix,$' "$(cat "$LV")"
check_match "... and the hook's core" '^/usr/local/libexec/x4-sriov/x4-hook-core rmix,$' "$(cat "$LV")"
check_match "libvirtd's own local lines stay" '^/srv/mine r,$' "$(cat "$LV")"
for want in '/usr/local/bin/qemu-x4 rmix,' '/etc/x4-sriov/\*\* r,' '/run/x4-sriov/\*\* r,' \
	'/var/lib/x4-sriov/\*\* r,' '/dev/kvmfr\[0-9\] rw,' '/dev/shm/looking-glass-\* rw,'; do
	check_match "QEMU's abstraction allows $want" "^$want\$" "$(cat "$QM")"
done
if command -v apparmor_parser >/dev/null; then
	for p in usr.sbin.libvirtd libvirt/TEMPLATE.qemu; do
		check "apparmor_parser accepts $p with our local lines" \
			aa_parse "$R/etc/apparmor.d/$p"
	done
else
	not_ok "apparmor_parser is installed (package apparmor)"
fi
check_match "AppArmor off: rules written, nothing reloaded, and it says so" 'AppArmor is not enabled.*nothing to reload' "$OUT"
# A ROM outside our directories gets its own quoted line once the config names it.
printf '[host]\nrom = /srv/my roms/gop.efi\n' >"$R/etc/x4-sriov/x4-sriov.conf"
x install --root "$R"
check_match "a configured ROM is readable by QEMU's profile" '^"/srv/my roms/gop.efi" r,$' "$(cat "$QM")"
check "the ROM line parses" aa_parse "$R/etc/apparmor.d/libvirt/TEMPLATE.qemu"

# --- doctor's AppArmor row: disabled / enabled without our rules / with them
x --root "$R" doctor
check_match "doctor: AppArmor disabled row" '^PASS +apparmor +AppArmor is disabled' "$OUT"
mkdir -p "$R/sys/module/apparmor/parameters"; echo Y >"$R/sys/module/apparmor/parameters/enabled"
x --root "$R" doctor
check_match "doctor: enabled with our rules" '^PASS +apparmor +AppArmor is enabled and x4-sriov.s rules are in' "$OUT"
cp "$BASE/etc/apparmor.d/local/usr.sbin.libvirtd" "$LV"
x --root "$R" doctor
check_match "doctor: enabled without them" "^FAIL +apparmor +AppArmor is enabled and /etc/apparmor.d/local/usr.sbin.libvirtd lacks" "$OUT"
check_match "... with the fix" '^ +fix: sudo x4ctl install' "$OUT"
# Enabled: install reloads libvirtd's profile and each VM's (apparmor_parser -r, no shell).
mkdir -p "$R/etc/apparmor.d/libvirt"
echo 'profile x {}' >"$R/etc/apparmor.d/libvirt/libvirt-0a1b2c3d-0000-0000-0000-000000000001"
: >"$R/etc/apparmor.d/libvirt/libvirt-0a1b2c3d-0000-0000-0000-000000000001.files"
printf '#!/bin/sh\necho "$@" >>%s\n' "$TMP/parser.log" >"$TMP/parser"; chmod 755 "$TMP/parser"
OUT=$(X4_APPARMOR_PARSER=$TMP/parser "$X4CTL" install --root "$R" --templates "$T_TOP/templates" 2>&1); RC=$?
check_eq "install with AppArmor enabled exits 0" 0 "$RC"
check_match "reloads libvirtd's profile" "^-r $R/etc/apparmor.d/usr.sbin.libvirtd$" "$(cat "$TMP/parser.log")"
check_match "reloads a VM's profile" "^-r $R/etc/apparmor.d/libvirt/libvirt-0a1b2c3d-0000-0000-0000-000000000001$" "$(cat "$TMP/parser.log")"
check "not its .files include" test "$(grep -c '\.files' "$TMP/parser.log")" = 0
check_match "and says so" 'reloaded AppArmor profile' "$OUT"
cp "$BASE/etc/apparmor.d/local/usr.sbin.libvirtd" "$LV"
x install --root "$R"
check_match "under --root without a parser given: no reload of the live kernel, said" 'not reloading' "$OUT"
printf '#!/bin/sh\nexit 3\n' >"$TMP/parser"
cp "$BASE/etc/apparmor.d/local/usr.sbin.libvirtd" "$LV"
OUT=$(X4_APPARMOR_PARSER=$TMP/parser "$X4CTL" install --root "$R" --templates "$T_TOP/templates" 2>&1); RC=$?
check_match "a failing reload: one line with the command to run" 'failed \(exit 3\).*sudo .*parser -r ' "$OUT"
rm -rf "$R/sys" "$R/etc/apparmor.d/libvirt/libvirt-0a1b2c3d"*
# The README's own config edit, then uninstall: kept like a conffile, exit 0.
x uninstall --root "$R"
check_eq "uninstall after editing the config exits 0" 0 "$RC"
check_match "... and names the kept file" "keeping $R/etc/x4-sriov/x4-sriov.conf: changed since x4ctl install" "$OUT"
check_match "... like dpkg's conffiles" 'kept 1 file' "$OUT"
rm -rf "$R/etc/x4-sriov"
check "uninstall restores every other byte (AppArmor locals, qemu.conf)" same_tree "$R" "$BASE"

# --- doctor's and status's fixes on a host without the GPU driver, vfio-pci or kvmfr
fresh
mkdir -p "$R/etc/x4-sriov" "$R/sys/bus/pci/devices"; printf '[host]\nlooking_glass = /dev/kvmfr0\n' >"$R/etc/x4-sriov/x4-sriov.conf"
x --root "$R" doctor
check_match "doctor: no SR-IOV GPU" 'FAIL +sriov-pf +no Intel GPU with SR-IOV found' "$OUT"
check "doctor's fixes never point back at doctor" test "$(printf '%s' "$OUT" | grep -c 'x4ctl doctor')" = 0
check_match "vfio-pci at boot: echo ... | sudo tee FILE" 'echo vfio-pci \| sudo tee /etc/modules-load.d/vfio-pci.conf' "$OUT"
check "no 'echo ... > /file' (sudo would not reach the redirection)" test "$(printf '%s' "$OUT" | grep -Ec 'echo [^|]*> /')" = 0
check_match "kvmfr: built with DKMS from the Looking Glass source's module/" 'kvmfr module with DKMS from the module/ dir' "$OUT"
check "no AUR package name" test "$(printf '%s' "$OUT" | grep -c 'looking-glass-module-dkms')" = 0
x --root "$R" status
check_match "status without a PF says so" 'VFs: none: no SR-IOV PF' "$OUT"
check "... and does not suggest vf create" test "$(printf '%s' "$OUT" | grep -c 'vf create')" = 0

# --- the hook is registered once
fresh
x install --root "$R"
rm "$R/var/lib/x4-sriov/install.json" # a journal lost (older x4ctl): the hook is ours anyway
x install --root "$R"
check "main hook ours: no qemu.d entry as well" absent "$R/etc/libvirt/hooks/qemu.d/x4-sriov"
fresh
mkdir -p "$R/etc/libvirt/hooks/qemu.d"; ln -s /usr/local/libexec/x4-sriov/x4-hook "$R/etc/libvirt/hooks/qemu.d/x4-sriov"
x install --root "$R"
check "qemu.d entry ours: no main hook as well" absent "$R/etc/libvirt/hooks/qemu"
fresh

# --- files that already matched are journaled as found and left by uninstall
install -D -m 0755 "$T_BIN/qemu-x4" "$R/usr/local/bin/qemu-x4"
cp -a "$R" "$TMP/pre"
x install --root "$R"
check_match "a matching file is journaled as found" '"found":1' "$(tr -d ' \n' <"$R/var/lib/x4-sriov/install.json")"
x uninstall --root "$R"
check "uninstall leaves what was there before install" same_tree "$R" "$TMP/pre"

# --- a failure at each step: one line naming the path; uninstall restores every byte
# inject NAME SETUP: fresh tree, SETUP in it (it may mount), snapshot, install must fail.
inject() {
	local name=$1 setup=$2
	fresh
	eval "$setup"
	cp -a "$R" "$TMP/snap" 2>/dev/null
	x install --root "$R"
	if [ "$RC" -ne 0 ]; then ok "$name: install fails"; else not_ok "$name: install fails (rc 0)"; fi
	check_eq "$name: one line" 1 "$(printf '%s\n' "$OUT" | grep -c '^x4ctl: ')"
	[ -n "${SHOW:-}" ] && printf "%s\n" "$OUT" | grep "^x4ctl: "
	if [ -e "$R/var/lib/x4-sriov/install.json" ]; then
		check_match "$name: the error points at the journal" "what was done so far is in $R/var/lib/x4-sriov/install.json" "$OUT"
	else
		check_match "$name: nothing done, none claimed" 'nothing was changed\)$' "$OUT"
	fi
	x uninstall --root "$R"
	check_eq "$name: uninstall exits 0" 0 "$RC"
	for m in "${MOUNTS[@]}"; do umount "$m"; done
	MOUNTS=()
	if same_tree "$R" "$TMP/snap"; then ok "$name: tree restored byte for byte"; else
		not_ok "$name: tree restored byte for byte"; diff -r --no-dereference "$R" "$TMP/snap" | head -5; fi
	rm -rf "$TMP/snap"
}
# romount DIR: DIR read-only (for root too) as it is; a tmpfs stands for a full disk.
romount() { mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && MOUNTS+=("$1"); }
tmpfs_at() { mount -t tmpfs -o "size=$2,mode=755" tmpfs "$1" && MOUNTS+=("$1"); }
inject "read-only /var (journal)" 'romount "$R/var"'
inject "ENOSPC in /usr/local (programs)" 'tmpfs_at "$R/usr/local" 1500k'
inject "read-only hooks dir" 'romount "$R/etc/libvirt"'
inject "config dir is a file" ': >"$R/etc/x4-sriov"'
inject "read-only modprobe.d" 'romount "$R/etc/modprobe.d"'
inject "read-only systemd dir" 'romount "$R/etc/systemd"'
inject "qemu.conf is a symlink" 'mv "$R/etc/libvirt/qemu.conf" "$R/etc/libvirt/qemu.conf.real"; ln -s qemu.conf.real "$R/etc/libvirt/qemu.conf"'
inject "ENOSPC in /var/lib (qemu.conf backup)" 'tmpfs_at "$R/var/lib" 24k'
inject "libvirtd's AppArmor local is a symlink" 'mv "$R/etc/apparmor.d/local/usr.sbin.libvirtd" "$R/lv"; ln -s ../../../lv "$R/etc/apparmor.d/local/usr.sbin.libvirtd"'
inject "QEMU's AppArmor local is a symlink (issue 10)" 'rm "$R/etc/apparmor.d/local/abstractions/libvirt-qemu"; ln -s /dev/null "$R/etc/apparmor.d/local/abstractions/libvirt-qemu"'

# --- make deps-build installs what make needs, not the test tools; the README's board block uses it
mkdir "$TMP/fakebin"; printf '#!/bin/sh\nexit 1\n' >"$TMP/fakebin/dpkg-query"; chmod 755 "$TMP/fakebin/dpkg-query"
cp "$T_TOP/scripts/deps.sh" "$TMP/deps.sh"; chmod 755 "$TMP/deps.sh"
deps() { setpriv --reuid=nobody --regid=nogroup --clear-groups env PATH="$TMP/fakebin:$PATH" "$TMP/deps.sh" "$@" 2>&1; }
b_list=$(deps build) t_list=$(deps test) a_list=$(deps)
check_match "deps build: the compiler and libraries" 'build-essential.*libjson-c-dev.*libvirt-dev' "$b_list"
for p in clang valgrind cppcheck gcovr busybox-static lintian; do
	check "deps build has no $p" test "$(printf '%s' "$b_list" | grep -Ec "[: ]$p( |:|\$)")" = 0
	check_match "deps test has $p" "[: ]$p( |:|\$)" "$t_list"
done
check_match "deps (both) asks for 'sudo make deps'" "run 'sudo make deps'" "$a_list"
check_match "make deps = deps-build + deps-test" '^deps: deps-build deps-test$' "$(cat "$T_TOP/Makefile")"
block=$(awk '/^## On a real Radxa X4/ { s = 1; next } s && /^## / { exit } s' "$T_TOP/README.md")
check_eq "README: one sh block under '## On a real Radxa X4'" 1 "$(printf '%s\n' "$block" | grep -c '^```sh$')"
check_match "README: the board installs build deps only" '^sudo make deps-build all install' "$block"
check_match "README: then x4ctl install from the installed layout" '^sudo x4ctl install( |$)' "$block"
check_match "README: update-initramfs with the GRUB step" 'update-grub && sudo update-initramfs -u' "$block"

# --- an interrupted uninstall resumes; the journal goes last
fresh
x install --root "$R"
romount "$R/etc/udev"
x uninstall --root "$R"
check_eq "uninstall with a read-only dir fails" 1 "$RC"
check "... keeping the journal of what is left" test -s "$R/var/lib/x4-sriov/install.json"
check_match "... which lists only that" '99-kvmfr.rules' "$(cat "$R/var/lib/x4-sriov/install.json")"
check "... not what was undone" test "$(grep -c qemu.conf "$R/var/lib/x4-sriov/install.json")" = 0
umount "$R/etc/udev"; MOUNTS=()
x uninstall --root "$R"
check_eq "the next uninstall finishes" 0 "$RC"
check "tree restored byte for byte" same_tree "$R" "$BASE"

t_done
