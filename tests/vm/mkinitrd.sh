#!/bin/bash
# SPDX-License-Identifier: MIT
# Build the guest's initramfs: static busybox, the modules of modules.list (plus their depends=,
# in load order, decompressed) and tests/vm/init, packed with busybox cpio -H newc | gzip -1.
# Usage: mkinitrd.sh MODULES_DIR BUSYBOX OUT.gz
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
[ $# = 3 ] || { echo "usage: $0 MODULES_DIR BUSYBOX OUT.gz" >&2; exit 2; }
moddir=$1 bb=$2 out=$3
[ -d "$moddir" ] || { echo "x4-vm mkinitrd: no modules dir $moddir" >&2; exit 1; }
[ -x "$bb" ] || { echo "x4-vm mkinitrd: no busybox at $bb" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/root
mkdir -p "$root"/{bin,dev,proc,sys,newroot,ovl,lib/modules}

# Module name -> file. Names in depends= use either '-' or '_', so index them with '_'.
declare -A modfile=()
while IFS= read -r f; do
	n=${f##*/}; n=${n%.ko*}; n=${n//-/_}
	modfile[$n]=$f
done < <(find "$moddir" -name '*.ko' -o -name '*.ko.xz' -o -name '*.ko.zst' -o -name '*.ko.gz')

# cat_module FILE: the plain ELF (busybox insmod does not read compressed modules).
cat_module() {
	case $1 in
	*.xz) xz -dc "$1" ;;
	*.zst) zstd -dcq "$1" ;;
	*.gz) gzip -dc "$1" ;;
	*) cat "$1" ;;
	esac
}

# depends= of a module: the .modinfo section is NUL-separated key=value strings.
module_depends() {
	cat_module "$1" | tr '\0' '\n' | grep -a -m1 '^depends=' | cut -d= -f2- | tr ',' ' '
}

declare -A state=()   # "" unseen, 1 visiting, 2 done
order=()
visit() {
	local n=${1//-/_} d
	[ "${state[$n]:-}" = 2 ] && return 0
	[ "${state[$n]:-}" = 1 ] && { echo "x4-vm mkinitrd: module dependency loop at $n" >&2; exit 1; }
	[ -n "${modfile[$n]:-}" ] || { echo "x4-vm mkinitrd: module $n not in $moddir" >&2; exit 1; }
	state[$n]=1
	for d in $(module_depends "${modfile[$n]}"); do visit "$d"; done
	state[$n]=2
	order+=("$n")
}
while IFS= read -r line; do
	line=${line%%#*}; line=${line//[[:space:]]/}
	[ -n "$line" ] && visit "$line"
done <"$here/modules.list"

for n in "${order[@]}"; do
	cat_module "${modfile[$n]}" >"$root/lib/modules/$n.ko"
	echo "$n" >>"$root/lib/modules/order"
done

cp "$bb" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
cp "$here/init" "$root/init"
chmod 0755 "$root/init" "$root/bin/busybox"

mkdir -p "$(dirname "$out")"
(cd "$root" && find . | LC_ALL=C sort | "$bb" cpio -o -H newc 2>/dev/null) | gzip -1 >"$out.tmp.$$"
mv "$out.tmp.$$" "$out"
