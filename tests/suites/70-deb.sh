#!/bin/bash
# The Debian package as a user builds it: `make deb` in a clean clone of this tree's HEAD, then
# lintian --pedantic on the .deb and the .changes (no error, warning or pedantic tag), and the
# files and metadata a user relies on (layout under /usr, conffile, unit, dependencies).
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/../lib.sh"

work=$(mktemp -d /var/tmp/x4-deb.XXXXXX)
trap 'rm -rf "$work"' EXIT
# A clone, as CI and a user have it: committed files only, nothing from this tree's build/.
git clone -q "$T_TOP" "$work/src"
if make -C "$work/src" deb >"$work/build.log" 2>&1; then
	ok "make deb builds in a clean clone"
else
	not_ok "make deb builds in a clean clone: $(tail -5 "$work/build.log")"
	t_done; exit
fi
ver=$(cd "$work/src" && dpkg-parsechangelog -S Version)
deb=$work/src/build/deb/x4-sriov_${ver}_amd64.deb
changes=$work/src/build/deb/x4-sriov_${ver}_amd64.changes
check "the .deb and .changes are in build/deb" test -f "$deb" -a -f "$changes"
check_eq "the package's version is the one x4ctl reports" "x4ctl $ver" \
	"$(dpkg-deb --fsys-tarfile "$deb" | tar -xO ./usr/sbin/x4ctl >"$work/x4ctl" && chmod +x "$work/x4ctl" && "$work/x4ctl" --version)"

# lintian exits non-zero on errors only; any E:, W: or P: line is a failure here.
tags=$(lintian --pedantic --tag-display-limit 0 "$changes" 2>&1 | grep -E '^[EWP]: ' || true)
check_eq "lintian --pedantic: no error, warning or pedantic tag on the .deb and .changes" "" "$tags"

files=$(dpkg-deb -c "$deb" | awk '{print $6}')
for f in ./usr/bin/qemu-x4 ./usr/sbin/x4ctl ./usr/libexec/x4-sriov/x4-hook \
	./usr/libexec/x4-sriov/x4-hook-core ./etc/x4-sriov/x4-sriov.conf \
	./lib/systemd/system/x4-sriov-vfs.service ./usr/share/man/man8/x4ctl.8.gz \
	./usr/share/bash-completion/completions/x4ctl; do
	check_match "the package ships $f" "^${f//./\\.}\$" "$files"
done
check_eq "nothing under /usr/local" "" "$(printf '%s\n' "$files" | grep '^\./usr/local' || true)"
ctl=$(dpkg-deb -e "$deb" "$work/ctl" && cat "$work/ctl/conffiles")
check_match "the config is a conffile" '^/etc/x4-sriov/x4-sriov.conf$' "$ctl"
unit=$(dpkg-deb --fsys-tarfile "$deb" | tar -xO ./lib/systemd/system/x4-sriov-vfs.service)
check_match "the VF unit runs the packaged x4ctl" '^ExecStart=/usr/sbin/x4ctl vf create$' "$unit"
# Shipped disabled: postinst may only re-enable a unit the admin had enabled (was-enabled).
unguarded=$(awk '/was-enabled/ {g = 1} /deb-systemd-helper enable|systemctl enable/ && !g {print} /^\t\tfi$/ {g = 0}' \
	"$work/ctl/postinst" 2>/dev/null)
check_eq "the VF unit is shipped disabled (postinst enables only what was enabled)" "" "$unguarded"
deps=$(dpkg-deb -f "$deb" Depends)
check_eq "Depends: no test tool (valgrind, clang, cppcheck, gcovr, cmocka, fuse)" "" \
	"$(printf '%s' "$deps" | grep -Eo 'valgrind|clang|cppcheck|gcovr|cmocka|fuse' || true)"
check_match "Depends: the libraries the programs load" 'libxml2.*|libpci' "$deps"
check_match "Recommends: qemu, libvirt, ovmf, swtpm" \
	'libvirt-daemon-system.*ovmf.*qemu-system-x86.*swtpm' "$(dpkg-deb -f "$deb" Recommends)"
# --- the maintainer scripts: postinst/prerm run `x4ctl install/uninstall --packaged` (the shared
# install code), checked here with the package's own x4ctl on a host tree under --root.
ctl_has() { grep -qx "$2" "$work/ctl/$1"; }
check "postinst runs x4ctl install --packaged" ctl_has postinst $'\tx4ctl install --packaged'
check "prerm runs x4ctl uninstall --packaged" ctl_has prerm $'\tx4ctl uninstall --packaged'
check "postrm purges /var/lib/x4-sriov and /run/x4-sriov" grep -q 'rm -rf /var/lib/x4-sriov' "$work/ctl/postrm"
mkdir "$work/pkg" && dpkg-deb -x "$deb" "$work/pkg"
PX=$work/pkg/usr/sbin/x4ctl
sums() { (cd "$1" && find . \( -type f -o -type l -o -type d \) -printf '%p %m %l\n' | sort && find . -type f -print0 | sort -z | xargs -0 -r sha256sum); }
same_tree() { diff -r --no-dereference "$1" "$2" >/dev/null && cmp -s <(sums "$1") <(sums "$2"); }
# A host as libvirt-daemon-system and dpkg leave it: libvirt's files, Debian's AppArmor
# profiles with their local includes, the package's conffile.
B=$work/base
mkdir -p "$B/etc/x4-sriov" "$B/var/lib" "$B/etc/default"
cp -a /etc/libvirt "$B/etc/" && rm -rf "$B/etc/libvirt/hooks"
for f in $(dpkg -L libvirt-daemon-system | grep '^/etc/apparmor.d/'); do
	[ -f "$f" ] && install -D -m 0644 "$f" "$B$f"
done
mkdir -p "$B/etc/apparmor.d/local/abstractions"
: >"$B/etc/apparmor.d/local/abstractions/libvirt-qemu"
printf '# Site-specific additions\n/srv/mine r,' >"$B/etc/apparmor.d/local/usr.sbin.libvirtd"
printf 'GRUB_CMDLINE_LINUX_DEFAULT="quiet"\n' >"$B/etc/default/grub"
cp "$work/pkg/etc/x4-sriov/x4-sriov.conf" "$B/etc/x4-sriov/"
fresh() { rm -rf "$work/r"; cp -a "$B" "$work/r"; R=$work/r; }
px() { OUT=$("$PX" "$@" --root "$R" 2>&1); RC=$?; }

fresh
px install --packaged
check_eq "install --packaged succeeds" 0 "$RC"
check_eq "the hook is registered in qemu.d, the package's x4-hook" /usr/libexec/x4-sriov/x4-hook \
	"$(readlink "$R/etc/libvirt/hooks/qemu.d/x4-sriov")"
check "libvirt's main hook is not created" test ! -e "$R/etc/libvirt/hooks/qemu" -a ! -L "$R/etc/libvirt/hooks/qemu"
check "no program copied (dpkg owns /usr)" test ! -e "$R/usr"
check "the conffile is untouched" cmp "$B/etc/x4-sriov/x4-sriov.conf" "$R/etc/x4-sriov/x4-sriov.conf"
check "no unit written or enabled (shipped disabled)" test ! -e "$R/etc/systemd"
check "GRUB is not edited" cmp "$B/etc/default/grub" "$R/etc/default/grub"
check_match "qemu.conf: /dev/kvmfr0 in the ACL" '/dev/kvmfr0' "$(cat "$R/etc/libvirt/qemu.conf")"
check_match "AppArmor: libvirtd may run the package's qemu-x4" '^/usr/bin/qemu-x4 PUx,$' \
	"$(cat "$R/etc/apparmor.d/local/usr.sbin.libvirtd")"
check "kvmfr size from the config" grep -q '^options kvmfr static_size_mb=' "$R/etc/modprobe.d/x4-sriov-kvmfr.conf"
check "journaled in package.json, not install.json" test -f "$R/var/lib/x4-sriov/package.json" -a ! -e "$R/var/lib/x4-sriov/install.json"
check_eq "exactly one line says libvirtd must be restarted, when no VM runs" 1 \
	"$(printf '%s\n' "$OUT" | grep -c 'restart libvirtd')"
check_match "... and that line is the command" 'run systemctl restart libvirtd when no VM is running' "$OUT"
px install --packaged
check_match "a second run (an upgrade's postinst) changes nothing and asks no restart" \
	'^nothing to change' "$OUT"
check_eq "... no restart line" 0 "$(printf '%s\n' "$OUT" | grep -c 'restart libvirtd')"

# prerm while a VM holds a VF: refused, one line naming both, nothing changed.
sums "$R" >"$work/installed.sums"
mkdir -p "$R/run/x4-sriov"
printf '{"version":1,"before":null,"claims":[{"vf":"0000:00:02.1","vm":"win11","uuid":"","bound_by_us":false,"orig_driver":"","created_vfs":true}]}' \
	>"$R/run/x4-sriov/state.json"
px uninstall --packaged
check_eq "uninstall --packaged refuses while a VM holds a VF" 1 "$RC"
check_match "... in one line naming the VM and the VF" \
	"^x4ctl: uninstall: VM 'win11' holds VF 0000:00:02.1: shut it down" "$OUT"
check_eq "... one line" 1 "$(printf '%s\n' "$OUT" | wc -l)"
rm -rf "$R/run"
check "... and changes nothing" cmp -s "$work/installed.sums" <(sums "$R")
px uninstall --packaged
check_eq "uninstall --packaged once the VM is off" 0 "$RC"
check "the host tree is back byte for byte" same_tree "$B" "$R"

# A user's own hooks/qemu: never replaced, the package's hook goes beside it in qemu.d.
fresh
mkdir -p "$B/etc/libvirt/hooks" && printf '#!/bin/sh\necho mine\n' >"$B/etc/libvirt/hooks/qemu"
chmod 0755 "$B/etc/libvirt/hooks/qemu"
fresh
px install --packaged
check "a user's hooks/qemu is left byte for byte" cmp "$B/etc/libvirt/hooks/qemu" "$R/etc/libvirt/hooks/qemu"
check_eq "... and ours is in qemu.d" /usr/libexec/x4-sriov/x4-hook "$(readlink "$R/etc/libvirt/hooks/qemu.d/x4-sriov")"
px uninstall --packaged
check "... uninstall restores the tree byte for byte" same_tree "$B" "$R"

# hooks/qemu already ours (make install + x4ctl install): said, not registered twice.
rm "$B/etc/libvirt/hooks/qemu" && ln -s /usr/local/libexec/x4-sriov/x4-hook "$B/etc/libvirt/hooks/qemu"
fresh
px install --packaged
check_match "an x4-hook already in hooks/qemu: said so" 'not registering the hook in .*qemu.d/x4-sriov: .*hooks/qemu already runs x4-sriov' "$OUT"
check "... and not registered twice" test ! -e "$R/etc/libvirt/hooks/qemu.d/x4-sriov" -a ! -L "$R/etc/libvirt/hooks/qemu.d/x4-sriov"
px uninstall --packaged
check "... uninstall restores the tree byte for byte" same_tree "$B" "$R"
px uninstall --packaged
check_match "uninstall --packaged with nothing installed: says so" '^nothing to uninstall' "$OUT"

# AppArmor enabled: postinst reloads libvirtd's profile and each running VM's; a stopped VM's
# profile (virt-aa-helper's libvirt-UUID without its .files, as libvirt leaves it) cannot be
# compiled and is not reloaded (found in the lab: it failed the package's removal).
rm "$B/etc/libvirt/hooks/qemu"
fresh
mkdir -p "$R/sys/module/apparmor/parameters" "$R/etc/apparmor.d/libvirt" && echo Y >"$R/sys/module/apparmor/parameters/enabled"
u1=libvirt-0a1b2c3d-0000-0000-0000-000000000001 u2=libvirt-0a1b2c3d-0000-0000-0000-000000000002
echo 'profile x {}' >"$R/etc/apparmor.d/libvirt/$u1" && : >"$R/etc/apparmor.d/libvirt/$u1.files"
echo 'profile y {}' >"$R/etc/apparmor.d/libvirt/$u2"
printf '#!/bin/sh\necho "$@" >>%s\ncase $2 in *%s) exit 1 ;; esac\n' "$work/parser.log" "$u2" >"$work/parser"
chmod 0755 "$work/parser"
OUT=$(X4_APPARMOR_PARSER=$work/parser "$PX" install --packaged --root "$R" 2>&1); RC=$?
check_eq "AppArmor enabled: install --packaged with a stopped VM's profile succeeds" 0 "$RC"
check_eq "... reloads libvirtd's and the running VM's profiles only" \
	"-r $R/etc/apparmor.d/usr.sbin.libvirtd
-r $R/etc/apparmor.d/libvirt/$u1" "$(cat "$work/parser.log")"
: >"$work/parser.log"
OUT=$(X4_APPARMOR_PARSER=$work/parser "$PX" uninstall --packaged --root "$R" 2>&1); RC=$?
check_eq "... and uninstall --packaged too, without a parser error" "0:" "$RC:$(grep -i 'error\|failed' <<<"$OUT")"

# postrm purge, run for real in a private mount namespace (tmpfs over /var/lib and /run), with
# the environment dpkg gives it (debhelper's part calls deb-systemd-helper).
purge() {
	DPKG_MAINTSCRIPT_PACKAGE=x4-sriov DPKG_MAINTSCRIPT_NAME=postrm unshare -m sh -c 'mount -t tmpfs t /var/lib && mount -t tmpfs t /run &&
		mkdir -p /var/lib/x4-sriov/rom /run/x4-sriov/vm && echo x >/var/lib/x4-sriov/rom/a.rom &&
		echo {} >/run/x4-sriov/state.json && '"$1"' sh '"$work"'/ctl/postrm purge 2>&1 &&
		find /var/lib /run -mindepth 1 | sort'
}
check_eq "postrm purge leaves nothing of ours in /var/lib and /run" "" "$(purge '')"
check_eq "postrm purge keeps the journal of an x4ctl install run by hand, with its backups" \
	"x4-sriov: kept /var/lib/x4-sriov/install.json: x4ctl install was run by hand; x4ctl uninstall undoes it
/var/lib/x4-sriov
/var/lib/x4-sriov/backup
/var/lib/x4-sriov/install.json" \
	"$(purge 'mkdir /var/lib/x4-sriov/backup && echo {} >/var/lib/x4-sriov/install.json &&')"
# --- for the real-kernel lab (tests/vm/package/deb.sh, run by make check-package): this
# version N and an N+1 built from the same clone with a bumped changelog, in build/deb-lab/.
lab=$T_TOP/build/deb-lab
next="$ver+1"
{ printf 'x4-sriov (%s) bookworm; urgency=medium\n\n  * The upgrade the lab tests.\n\n -- %s  %s\n\n' \
	"$next" "$(cd "$work/src" && dpkg-parsechangelog -S Maintainer)" "$(date -R)"
  cat "$work/src/debian/changelog"; } >"$work/changelog" && mv "$work/changelog" "$work/src/debian/changelog"
if (cd "$work/src" && dpkg-buildpackage -us -uc -b) >"$work/build2.log" 2>&1; then
	# dpkg-buildpackage leaves the .deb beside the source tree
	rm -rf "$lab" && mkdir -p "$lab" && cp "$deb" "$work/x4-sriov_${next}_amd64.deb" "$lab/"
	check_eq "N+1 ($next) built for the lab's upgrade test" "$next" \
		"$(dpkg-deb -f "$lab/x4-sriov_${next}_amd64.deb" Version 2>/dev/null)"
	check_eq "N+1's x4ctl --version is the changelog's $next" "x4ctl $next" \
		"$(dpkg-deb --fsys-tarfile "$lab/x4-sriov_${next}_amd64.deb" | tar -xO ./usr/sbin/x4ctl >"$work/x4ctl1" &&
			chmod +x "$work/x4ctl1" && "$work/x4ctl1" --version)"
else
	not_ok "N+1 ($next) builds: $(tail -3 "$work/build2.log")"
fi
t_done
