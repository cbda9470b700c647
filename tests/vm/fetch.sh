#!/bin/bash
# SPDX-License-Identifier: MIT
# Fetch Debian's 6.1 kernel and busybox-static with apt-get download + dpkg-deb -x into a cache
# (nothing installed, /boot untouched). Prints "kernel VMLINUZ", "modules DIR", "busybox PATH".
# Also the kernel's headers (linux-headers-ABI-amd64, -common, linux-kbuild-X.Y, the kernel's
# own version) for lab/lg-build-module.sh: optional, a failure never stops the harness; the
# result goes to build/vm-headers in the project dir, which the guest sees (KEY PATH lines, or
# "missing REASON").
#
# Cache: $X4_VM_CACHE (default /var/cache/x4-sriov/vm), one directory per package, reused when
# already unpacked. Override the kernel package with X4_VM_KERNEL_PKG=linux-image-6.1.0-N-amd64.
set -euo pipefail

cache=${X4_VM_CACHE:-/var/cache/x4-sriov/vm}
top=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$cache"
log="$cache/fetch.log"
: >"$log"
updated=0

die() { echo "x4-vm fetch: $*" >&2; exit 1; }

# The kernel package linux-image-amd64 points at, else the newest linux-image-6.1.0-N-amd64 apt knows.
kernel_pkg() {
	local p
	p=$(apt-cache depends linux-image-amd64 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-6\.1\.0-[0-9]*-amd64\)$/\1/p' | head -1)
	if [ -z "$p" ]; then
		p=$(apt-cache pkgnames linux-image-6.1.0- 2>/dev/null |
			grep -E '^linux-image-6\.1\.0-[0-9]+-amd64$' | sort -t- -k5,5n | tail -1)
	fi
	printf '%s' "$p"
}

# fetch PKG [VERSION]: unpack PKG (that version) into $cache/PKG (_VERSION) unless it is already
# there (marker file .unpacked).
fetch() {
	local pkg=$1${2:+=$2} dir=$cache/$1${2:+_$2} tmp deb
	[ -e "$dir/.unpacked" ] && return 0
	tmp=$(mktemp -d "$cache/.dl.XXXXXX")
	# apt drops to user _apt for downloads; let it write here (else it warns and runs as root).
	chmod 0755 "$tmp"; chown _apt "$tmp" 2>/dev/null || true
	if ! (cd "$tmp" && apt-get download -q "$pkg") >>"$log" 2>&1; then
		if [ "$updated" = 0 ]; then
			echo "x4-vm fetch: apt-get download $pkg failed; running apt-get update once" >&2
			apt-get update -q >>"$log" 2>&1 || true
			updated=1
		fi
		(cd "$tmp" && apt-get download -q "$pkg") >>"$log" 2>&1 || {
			rm -rf "$tmp"; tail -5 "$log" >&2; return 1; }
	fi
	deb=$(ls "$tmp"/*.deb)
	# Unpack beside the final place and rename, so a concurrent or killed run never sees half.
	mkdir "$tmp/x"
	dpkg-deb -x "$deb" "$tmp/x"
	basename "$deb" >"$tmp/x/.unpacked"
	if [ -e "$dir/.unpacked" ]; then rm -rf "$tmp"; return 0; fi
	rm -rf "$dir"
	mv "$tmp/x" "$dir"
	rm -rf "$tmp"
}

# An already unpacked kernel in the cache (the newest), for when apt cannot answer (offline reruns).
cached_kernel() {
	local m
	for m in "$cache"/linux-image-6.1.0-*-amd64/.unpacked; do
		[ -e "$m" ] || continue
		m=${m%/.unpacked}
		echo "${m##*/}"
	done | sort -t- -k5,5n | tail -1
}

# fetch_headers KDIR MODDIR: the headers of that kernel package (same version), or why not, in
# $top/build/vm-headers.
fetch_headers() {
	local kdir=$1 kver=${2##*/} out=$top/build/vm-headers deb ver abi p d lines="" why=""
	deb=$(cat "$kdir/.unpacked" 2>/dev/null) # linux-image-6.1.0-57-amd64_6.1.192-3_amd64.deb
	ver=${deb#*_}; ver=${ver%%_*}
	abi=${kver%-amd64}
	mkdir -p "$top/build"
	if [ -z "$deb" ] || [ "$abi" = "$kver" ]; then
		why="cannot tell the kernel package's version ($kdir/.unpacked: '$deb', release $kver)"
	else
		for p in "amd64 linux-headers-$abi-amd64" "common linux-headers-$abi-common" \
			"kbuild linux-kbuild-$(echo "$kver" | cut -d. -f1,2)"; do
			d=$cache/${p#* }_$ver
			if ! fetch "${p#* }" "$ver"; then
				why="apt-get download ${p#* }=$ver failed (see $log)"
				break
			fi
			lines="$lines${p%% *} $d"$'\n'
		done
	fi
	if [ -n "$why" ]; then
		echo "x4-vm fetch: no kernel headers: $why (lg-build-module.sh will skip)" >&2
		printf 'missing %s\n' "$why" >"$out.tmp"
	else
		printf 'kver %s\n%s' "$kver" "$lines" >"$out.tmp"
	fi
	mv -f "$out.tmp" "$out"
}

kpkg=${X4_VM_KERNEL_PKG:-$(kernel_pkg)}
if [ -z "$kpkg" ]; then
	apt-get update -q >>"$log" 2>&1 || true
	updated=1
	kpkg=$(kernel_pkg)
fi
if [ -z "$kpkg" ] || ! fetch "$kpkg"; then
	old=$(cached_kernel)
	[ -n "$old" ] || die "no linux-image-6.1.0-N-amd64 from apt and none cached in $cache (see $log)"
	echo "x4-vm fetch: using cached $old" >&2
	kpkg=$old
fi
fetch busybox-static || die "cannot fetch busybox-static (see $log)"

kdir=$cache/$kpkg
k=("$kdir"/boot/vmlinuz-*) m=("$kdir"/lib/modules/*/)
vmlinuz=${k[0]} moddir=${m[0]}
bb=$cache/busybox-static/bin/busybox
[ -f "$vmlinuz" ] || die "no vmlinuz in $kdir/boot"
[ -d "$moddir" ] || die "no lib/modules in $kdir"
[ -x "$bb" ] || die "no bin/busybox in $cache/busybox-static"
fetch_headers "$kdir" "${moddir%/}" || true
echo "kernel $vmlinuz"
echo "modules ${moddir%/}"
echo "busybox $bb"
