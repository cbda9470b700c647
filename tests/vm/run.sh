#!/bin/bash
# SPDX-License-Identifier: MIT
# Boot Debian's 6.1 kernel under QEMU TCG with intel-iommu and an SR-IOV NVMe (the PF) and run
# scenario scripts inside it, on the host's own userland (read-only over 9p). One boot for all
# scenarios given. Prints the guest's ok/not ok lines and "N passed, N failed"; exits 0 only when
# the guest reported at least one pass and no failure.
# Usage: run.sh [--timeout SECONDS] [--keep] SCENARIO.sh...
# Env: X4_VM_CACHE (downloads + initrds), X4_VM_MEM (MiB, default 3584), X4_VM_SMP (default 2).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
timeout_s=300 keep=0 scenarios=()
while [ $# -gt 0 ]; do
	case $1 in
	--timeout) timeout_s=${2:?--timeout needs seconds}; shift 2 ;;
	--timeout=*) timeout_s=${1#--timeout=}; shift ;;
	--keep) keep=1; shift ;;
	-h|--help) sed -n '3,9p' "$0"; exit 0 ;;
	-*) echo "x4-vm: unknown option $1" >&2; exit 2 ;;
	*) scenarios+=("$1"); shift ;;
	esac
done
[ ${#scenarios[@]} -gt 0 ] || { echo "usage: $0 [--timeout S] SCENARIO.sh..." >&2; exit 2; }
case $timeout_s in ''|*[!0-9]*) echo "x4-vm: --timeout wants whole seconds" >&2; exit 2 ;; esac

say() { echo "# x4-vm: $*"; }
# fail MSG: report a harness failure in the suite's own terms and stop.
fail() { echo "not ok - $*"; echo "0 passed, 1 failed"; exit 1; }

list=
for s in "${scenarios[@]}"; do
	[ -f "$s" ] || fail "scenario $s does not exist"
	a=$(cd "$(dirname "$s")" && pwd)/$(basename "$s")
	case $a in *,*|*' '*) fail "scenario path $a has a comma or space" ;; esac
	# The guest sees the host's / except where it mounts its own (tmpfs, proc...); $top is shared.
	case $a in
	"$top"/*) ;;
	/tmp/*|/run/*|/dev/*|/proc/*|/sys/*|/var/log/*|/var/lib/libvirt/*|/var/cache/libvirt/*)
		fail "scenario $a is in a directory the guest mounts afresh; put it under $top or /var/tmp" ;;
	esac
	list=${list:+$list,}$a
done
case $top in *' '*) fail "project path $top has a space (the kernel command line splits on it)" ;; esac
command -v qemu-system-x86_64 >/dev/null || fail "no qemu-system-x86_64 on this host"

t0=$(date +%s)
# The guest runs the host's build (make install there must not compile under TCG).
make -s -C "$top" all >/dev/null || fail "make all in $top failed"
fetched=$("$here/fetch.sh") || fail "fetching the kernel and busybox failed (see above)"
vmlinuz=$(printf '%s\n' "$fetched" | sed -n 's/^kernel //p')
moddir=$(printf '%s\n' "$fetched" | sed -n 's/^modules //p')
bb=$(printf '%s\n' "$fetched" | sed -n 's/^busybox //p')
cache=${X4_VM_CACHE:-/var/cache/x4-sriov/vm}

# The initrd is cached by content: our build inputs plus which kernel and busybox they came from.
key=$( { cat "$here/mkinitrd.sh" "$here/init" "$here/modules.list"
	echo "$moddir"; cat "$moddir/../../../.unpacked" "$bb" 2>/dev/null; } | sha256sum | cut -c1-16)
initrd=$cache/initrd-$key.gz
if [ ! -s "$initrd" ]; then
	"$here/mkinitrd.sh" "$moddir" "$bb" "$initrd" || fail "building the initramfs failed"
	find "$cache" -maxdepth 1 -name 'initrd-*.gz' ! -name "initrd-$key.gz" -delete
fi
t1=$(date +%s)

work=$(mktemp -d /tmp/x4-vm.XXXXXX)
[ "$keep" = 1 ] || trap 'rm -rf "$work"' EXIT
truncate -s 16M "$work/nvme.img"
: >"$work/result.log"

# Flags from real-kernel-lab.md. TCG only: KVM hangs on this kernel's boot here. ttyS0 is the
# console (kernel + scenario), ttyS1 carries only the scenario output. The project dir is a
# second share so it is visible even when it lives under /tmp or /run (tmpfs in the guest).
# shellcheck disable=SC2054 # the commas are QEMU's, inside single arguments
qemu=(qemu-system-x86_64 -accel tcg -machine q35,kernel-irqchip=split -cpu max
	-m "${X4_VM_MEM:-3584}" -smp "${X4_VM_SMP:-2}" -display none -nodefaults -no-reboot
	-device intel-iommu,intremap=on
	-kernel "$vmlinuz" -initrd "$initrd"
	-append "console=ttyS0 intel_iommu=on panic=-1 quiet loglevel=4 x4.top=$top x4.scenario=$list"
	-serial "file:$work/console.log" -serial "file:$work/result.log"
	-fsdev local,id=hostfs,path=/,security_model=none,readonly=on,multidevs=remap
	-device virtio-9p-pci,fsdev=hostfs,mount_tag=hostroot
	-fsdev "local,id=topfs,path=$top,security_model=none,readonly=on,multidevs=remap"
	-device virtio-9p-pci,fsdev=topfs,mount_tag=x4top
	-drive "file=$work/nvme.img,if=none,id=nvd,format=raw"
	-device pcie-root-port,id=rp1,chassis=1
	-device nvme-subsys,id=subsys0
	-device nvme,serial=deadbeef,bus=rp1,subsys=subsys0,sriov_max_vfs=2,sriov_vq_flexible=8,sriov_vi_flexible=4,max_ioqpairs=10,msix_qsize=6
	-device nvme-ns,drive=nvd,nsid=1)

say "booting $(basename "$vmlinuz") (TCG, timeout ${timeout_s}s) for: ${scenarios[*]}"
timeout -k 5 "$timeout_s" "${qemu[@]}" </dev/null >"$work/qemu.out" 2>&1
qrc=$?
t2=$(date +%s)

tr -d '\r' <"$work/result.log" >"$work/result.txt"
cat "$work/result.txt"
totals=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$work/result.txt" | tail -1)
p=${totals%% passed*} f=${totals#*passed, }; f=${f%% failed*}
rc=0
if [ -z "$totals" ]; then
	if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
		echo "not ok - the guest did not finish within ${timeout_s}s (QEMU killed)"
	else
		echo "not ok - the guest stopped without reporting totals (QEMU exit $qrc)"
	fi
	p=0 f=1 rc=1
elif [ "$f" != 0 ] || [ "$p" = 0 ]; then
	rc=1
fi
say "times: fetch+initrd $((t1 - t0))s, boot+scenarios $((t2 - t1))s"
if [ "$rc" != 0 ]; then
	say "guest console, scenario passes left out (last 60 lines):"
	tr -d '\r' <"$work/console.log" | grep -v '^ok - ' | tail -60 | sed 's/^/#   /'
	[ -s "$work/qemu.out" ] && { say "qemu:"; tail -20 "$work/qemu.out" | sed 's/^/#   /'; }
	[ "$keep" = 1 ] && say "logs kept in $work"
fi
echo "vm: $p passed, $f failed"
exit "$rc"
