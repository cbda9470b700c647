#!/bin/bash
# x4ctl lg status against a real QEMU (TCG) started through qemu-x4 with the shm backend (the
# wrapper adds the Looking Glass ivshmem device from the config, as under libvirt; run directly
# so the suite needs neither the shared libvirtd nor /etc/x4-sriov): the fake Looking Glass host
# writes the host file and x4ctl reads it (alive, then stale when it stops); then the guest
# side: a B7 header written into BAR2 of the ivshmem device through QEMU's gdbstub in
# physical-memory mode (QEMU 7.2 has no monitor command that writes guest memory), read back by
# x4ctl from the host file: the same memory, end to end.
set -u
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
DOM=lg-qemu-$$
SHM=/dev/shm/looking-glass-$DOM
X4CTL=$T_BIN/x4ctl
FAKE=$T_BIN/lgfake
T=$(mktemp -d /tmp/x4lgqemu.XXXXXX)
fakepid='' qpid=''
cleanup() {
	[ -n "$fakepid" ] && kill "$fakepid" 2>/dev/null && wait "$fakepid" 2>/dev/null
	[ -n "$qpid" ] && kill "$qpid" 2>/dev/null
	rm -f "$SHM"
	rm -rf "$T"
}
trap cleanup EXIT
for c in gdb python3; do
	command -v "$c" >/dev/null || { not_ok "$c is installed"; t_done; exit 1; }
done
export X4_CONFIG=$T/x4-sriov.conf
printf '%s\n' '[host]' "[vm $DOM]" 'looking_glass = shm' 'lg_size = 32M' >"$X4_CONFIG"
x() { OUT=$("$X4CTL" "$@" 2>&1); RC=$?; }
js() { jq -r "$1" <<<"$OUT"; }
# hmp CMD: one human-monitor command over the unix socket, its answer on stdout.
hmp() {
	python3 - "$T/hmp.sock" "$1" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.settimeout(10)
def until(tok):
    buf = b""
    while not buf.endswith(tok):
        chunk = s.recv(65536)
        if not chunk:
            break
        buf += chunk
    return buf
until(b"(qemu) ")
s.sendall(sys.argv[2].encode() + b"\n")
out = until(b"(qemu) ").decode(errors="replace")
print("\n".join(out.splitlines()[1:-1]))
PY
}

# --- QEMU through qemu-x4: the wrapper adds the ivshmem device and its /dev/shm backend
"$T_BIN/qemu-x4" -name "guest=$DOM" -machine q35 -accel tcg -m 64 -nodefaults -display none \
	-device pcie-root-port,id=pci.1,bus=pcie.0,chassis=1 \
	-device pcie-pci-bridge,id=pci.2,bus=pci.1 \
	-monitor "unix:$T/hmp.sock,server=on,wait=off" -pidfile "$T/qemu.pid" -daemonize \
	>"$T/qemu.log" 2>&1
rc=$?; check_eq "QEMU starts through qemu-x4 with looking_glass = shm" 0 "$rc"
[ "$rc" = 0 ] || { sed 's/^/# /' "$T/qemu.log"; t_done; exit 1; }
qpid=$(cat "$T/qemu.pid")
check_match "the wrapper added the ivshmem device backed by $SHM" "mem-path=$SHM" "$(tr '\0' ' ' <"/proc/$qpid/cmdline")"
# BAR2 of 1af4:1110 once the firmware assigned it: "BAR2: 64 bit prefetchable memory at 0x..."
bar=
for _ in $(seq 150); do
	bar=$(hmp "info pci" | awk '/Device 1af4:1110|ivshmem|1af4:1110/ { f = 1 } f && /BAR2:/ { print $(NF-1); exit }' | sed -n 's/^\(0x[0-9a-f]*\)$/\1/p')
	[ -n "$bar" ] && [ "$bar" != 0xffffffffffffffff ] && [ "$bar" != 0x0 ] && break
	bar=; sleep 0.2
done
if [ -n "$bar" ]; then ok "the firmware assigned BAR2 of the ivshmem ($bar)"
else not_ok "BAR2 assigned ($(hmp 'info pci' | grep -A6 -i 1110 | head -8 | tr '\n' '|'))"; fi

# --- a fresh region: QEMU made the file, nobody wrote it
x lg status "$DOM" --no-client
check_match "a fresh VM's region: empty, 32 MiB" "VM $DOM: $SHM \\(32 MiB\\): empty" "$OUT"

# --- host side: the fake host writes and ticks through the host file
"$FAKE" --layout b7 --tick --subscribe --seconds 120 "$SHM" &
fakepid=$!
for _ in $(seq 50); do [ "$(head -c 4 "$SHM" 2>/dev/null)" = LGMP ] && break; sleep 0.1; done
check_eq "the fake host kept QEMU's file size" $((32 << 20)) "$(stat -c %s "$SHM")"
x lg status "$DOM" --no-client --json
check_eq "x4ctl reads the host file: B7, alive, client connected" "host present B7 alive true" \
	"$(js '.[0] | "\(.state) \(.release) \(.live) \(.client_connected)"')"
if [ -n "$bar" ]; then
	bytes=$(hmp "xp /4xb $bar" | sed 's/^[0-9a-f]*://; s/0x//g' | tr -dc '0-9a-f')
	check_eq "the guest sees the LGMP magic at BAR2" "4c474d50" "$bytes"
fi
kill "$fakepid"; wait "$fakepid" 2>/dev/null; fakepid=
x lg status "$DOM" --no-client
check_match "host stopped: stale, reported as a normal state" "Looking Glass B7 .*stale: the host application is not running" "$OUT"
check_eq "... exit 0" 0 "$RC"

# --- guest side: wipe the region, then write a B7 header at BAR2 in guest-physical memory
dd if=/dev/zero of="$SHM" bs=1M count=32 conv=notrunc status=none
x lg status "$DOM" --no-client
check_match "region wiped from the host: empty" "empty: all zero" "$OUT"
"$FAKE" --image --layout b7 --hostver B7-guest "$T/hdr.img"
port=$((20000 + $$ % 20000))
if [ -n "$bar" ] && hmp "gdbserver tcp:127.0.0.1:$port" | grep -q "Waiting for gdb"; then
	gdbout=$(timeout 60 gdb -nx -batch -ex "set architecture i386:x86-64" \
		-ex "target remote 127.0.0.1:$port" -ex "maint packet Qqemu.PhyMemMode:1" \
		-ex "restore $T/hdr.img binary $bar" -ex "detach" 2>&1)
	check_match "gdbstub (physical memory mode) wrote 16 KiB at BAR2" "Restoring binary file .* into memory" "$gdbout"
	hmp "gdbserver none" >/dev/null
	x lg status "$DOM" --no-client --json
	check_eq "x4ctl reads what was written at BAR2: B7, hostver B7-guest, stale" \
		"host present B7 B7-guest stale" \
		"$(js '.[0] | "\(.state) \(.release) \(.hostver) \(.live)"')"
	check_eq "... with the guest's OS record" "Windows 11 Pro" "$(js '.[0].guest.os_name')"
	if cmp -s -n 16384 "$T/hdr.img" "$SHM"; then ok "the host file holds the bytes written at BAR2"
	else not_ok "the host file holds the bytes written at BAR2 ($gdbout)"; fi
else
	not_ok "HMP gdbserver starts (needed to write guest memory)"
fi
check "QEMU still runs" kill -0 "$qpid"
t_done
