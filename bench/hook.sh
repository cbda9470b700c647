#!/bin/bash
# bench/hook: x4-hook per libvirt event for a VM that is not ours, against the floor
# (cat >/dev/null of the same XML), an empty C program linked with the same shared libraries,
# and the guides' bash dispatcher; x4-hook on a 1 MiB XML; prepare+release on the simulated X4.
# Interleaved runs in one process; prints medians and ratios. Usage: bench/hook.sh [N]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
n=${1:-1000}
make -s all >/dev/null
out=build/bench
mkdir -p "$out"
cc -O2 -o "$out/spawn" bench/spawn.c
# The floor for our dependencies: an empty main linked with exactly x4-hook's shared libraries.
libs=$(readelf -d build/bin/x4-hook | sed -n 's/.*Shared library: \[\(.*\)\]/-l:\1/p' | grep -v -- '-l:libc.so')
echo 'int main(void) { return 0; }' >"$out/empty.c"
# shellcheck disable=SC2086
cc -O2 -o "$out/empty-linked" "$out/empty.c" -Wl,--no-as-needed $libs
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/etc/x4-sriov"
cp templates/x4-sriov.conf "$root/etc/x4-sriov/x4-sriov.conf"
export X4_ROOT=$root
xml=tests/fixtures/domxml/hook-stdin-prepare-begin.xml
[ -f "$xml" ] || xml=/work/shared/reference/libvirt-9.0-capture/hook-stdin-prepare-begin.xml

echo "== not ours, prepare begin, $n events each, interleaved"
"$out/spawn" "$n" "$xml" -- build/bin/x4-hook feas prepare begin - -- cat -- \
	bench/dispatch.sh feas prepare begin - -- "$out/empty-linked" | tee "$out/hook.txt"
awk '{ split($2, a, "="); m[$1] = a[2]; split($4, r, "="); rss[$1] = r[2] }
END {
	h = m["build/bin/x4-hook"]
	printf "x4-hook %.3f ms; / empty-linked %.2fx (target <= 1.2); / bash dispatcher %.2fx (target < 1); / cat %.2fx; peak RSS %.1f MiB (target <= 8)\n",
		h, h / m["build/bench/empty-linked"], h / m["bench/dispatch.sh"], h / m["cat"], rss["build/bin/x4-hook"] / 1024
}' "$out/hook.txt"

echo "== 1 MiB domain XML"
big=$out/big.xml
{
	grep -v '</domain>' "$xml"
	printf '  <description>'
	head -c 1048576 /dev/zero | tr '\0' 'x'
	printf '</description>\n</domain>\n'
} >"$big"
# with a NIC hostdev it is parsed in full by x4-hook-core (libxml2); without, the front decides
sed "s|<devices>|<devices><hostdev mode='subsystem' type='pci' managed='yes'><source><address domain='0x0000' bus='0x02' slot='0x00' function='0x0'/></source></hostdev>|" "$big" >"$out/big-hostdev.xml"
"$out/spawn" 100 "$big" -- build/bin/x4-hook feas prepare begin - -- cat
"$out/spawn" 100 "$out/big-hostdev.xml" -- build/bin/x4-hook feas prepare begin -

echo "== prepare + release on the simulated X4"
if [ -x build/bin/x4sim ] && [ "$(id -u)" = 0 ]; then
	sim=$(mktemp -d)
	build/bin/x4sim "$sim"
	export X4_ROOT=$sim
	mkdir -p "$sim/etc/x4-sriov"
	printf '[host]\n' >"$sim/etc/x4-sriov/x4-sriov.conf"
	. tests/lib.sh
	. tests/hooklib.sh
	d=$(dom bench "$(hostdev 0000:00:02.1 no)")
	printf '%s' "$d" >"$out/vfdom.xml"
	"$out/spawn" 50 "$out/vfdom.xml" -- sh -c 'build/bin/x4-hook bench prepare begin - <"$1" && build/bin/x4-hook bench release end - <"$1"' sh "$out/vfdom.xml"
	build/bin/x4sim --stop "$sim"
	rm -rf "$sim"
else
	echo "(skipped: needs root and build/bin/x4sim)"
fi
