#!/bin/bash
# bench/wrapper: `qemu-x4 -version` (a probe: config read, exec) against the real QEMU's
# -version and a two-line shell wrapper, interleaved in one driver; a full start through
# qemu-x4 (58 captured arguments, exec /bin/true) against /bin/true; the rewrite of the captured
# start in-process; and the wrapper's shared libraries. Usage: bench/wrapper.sh [N]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
n=${1:-300}
qemu=/usr/bin/qemu-system-x86_64
make -s build/bin/qemu-x4 build/libx4.a >/dev/null
out=build/bench
mkdir -p "$out"
cc -O2 -o "$out/spawn" bench/spawn.c
# shellcheck disable=SC2046 # pkg-config prints several words
cc -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -Ilib -o "$out/rewrite" bench/rewrite.c \
	build/libx4.a -Wl,--as-needed $(pkg-config --libs json-c inih)
printf '#!/bin/sh\nexec %s "$@"\n' "$qemu" >"$out/sh-wrapper"
chmod 0755 "$out/sh-wrapper"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The shipped config (every comment) with the emulator set, as a probe reads it on a real host.
export X4_ROOT=$tmp X4_CONFIG=$tmp/x4-sriov.conf
sed "s|^qemu = .*|qemu = $qemu|" templates/x4-sriov.conf >"$X4_CONFIG"

echo "== -version, $n runs each, interleaved"
"$out/spawn" "$n" /dev/null -- build/bin/qemu-x4 -version -- "$qemu" -version -- \
	"$out/sh-wrapper" -version | tee "$out/wrapper.txt"
awk -v q="$qemu" -v s="$out/sh-wrapper" '{ split($2, a, "="); m[$1] = a[2]; split($4, r, "="); rss[$1] = r[2] }
END {
	w = m["build/bin/qemu-x4"]; d = m[q]; sh = m[s]
	printf "qemu-x4 -version %.3f ms; / direct %.3fx (target <= 1.02); two-line sh wrapper / direct %.3fx\n",
		w, w / d, sh / d
}' "$out/wrapper.txt"

echo "== a real start (58 captured arguments, Looking Glass added) exec'ing /bin/true, $n runs each"
mapfile -t start < <(tail -n +2 tests/fixtures/argv/start-feas.argv)
printf '[host]\nqemu = /bin/true\n[vm feas]\nlooking_glass = shm\n' >"$tmp/start.conf"
X4_CONFIG=$tmp/start.conf "$out/spawn" "$n" /dev/null -- build/bin/qemu-x4 "${start[@]}" -- \
	/bin/true "${start[@]}" | tee "$out/start.txt"
awk '{ split($2, a, "="); m[$1] = a[2] }
END { printf "qemu-x4 start %.3f ms; overhead over /bin/true %.3f ms\n", m["build/bin/qemu-x4"], m["build/bin/qemu-x4"] - m["/bin/true"] }' "$out/start.txt"

echo "== x4_qemuargv_rewrite of the captured 58-argument start, in-process"
"$out/rewrite" tests/fixtures/argv/start-feas.argv 10000 | tee "$out/rewrite.txt"
awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^median_ms=/) { split($i, a, "="); m = a[2] } }
END { printf "rewrite %.4f ms per call (target <= 0.2)\n", m }' "$out/rewrite.txt"

echo "== ldd build/bin/qemu-x4 (must not load libxml2/ICU or libpci)"
ldd build/bin/qemu-x4
if ldd build/bin/qemu-x4 | grep -Eq 'libxml2|libicu|libpci'; then
	echo "qemu-x4 loads an unwanted library; archive members the link pulled in, and their xml/pci references:"
	# shellcheck disable=SC2046 # pkg-config prints several words
	cc -Wl,--as-needed -Wl,-Map="$out/qemu-x4.map" -o "$out/qemu-x4.relink" build/obj/qemu-wrapper/*.o \
		build/libx4.a $(pkg-config --libs libxml-2.0 json-c inih libpci)
	sed -n 's/^build\/libx4.a(\(.*\.o\)).*/\1/p' "$out/qemu-x4.map" | sort -u | while read -r o; do
		u=$(nm -u "build/obj/lib/$o" 2>/dev/null | grep -E ' (xml|pci_)' | awk '{print $2}' | paste -sd' ')
		[ -z "$u" ] || echo "  $o: $u"
	done
else
	echo "ok: no libxml2, ICU or libpci"
fi
