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
t_done
