#!/bin/bash
# qemu-x4 under the real libvirtd and QEMU (TCG): domains whose <emulator> is an installed
# qemu-x4 start, and QMP shows the Looking Glass ivshmem (1af4:1110, BAR2 of lg_size) backed by
# /dev/shm/looking-glass-NAME, shared with the host; probes pass (domcapabilities); a bad config
# makes `virsh start` fail with our one line. libvirt gives the emulator no environment, so the
# wrapper reads /etc/x4-sriov/x4-sriov.conf: backed up and restored on exit.
set -u
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
VIRSH=(virsh -q -c qemu:///system)
CONF=/etc/x4-sriov/x4-sriov.conf
DOMS=(x4w-lg x4w-res x4w-bad)

T=$(mktemp -d /tmp/x4wrapvirt.XXXXXX)
chmod 0755 "$T"
WRAP=$T/qemu-x4
had_dir=0 had_conf=0
[ -d "${CONF%/*}" ] && had_dir=1
[ -e "$CONF" ] && had_conf=1 && cp -a "$CONF" "$T/conf.orig"
undefine_all() {
	for d in "${DOMS[@]}"; do
		"${VIRSH[@]}" destroy "$d" >/dev/null 2>&1
		"${VIRSH[@]}" undefine "$d" >/dev/null 2>&1
		rm -f "/dev/shm/looking-glass-$d"
	done
}
cleanup() {
	undefine_all
	if [ "$had_conf" = 1 ]; then cp -a "$T/conf.orig" "$CONF"; else rm -f "$CONF"; fi
	[ "$had_dir" = 1 ] || rmdir "${CONF%/*}" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

command -v jq >/dev/null || { not_ok "jq is installed (reads QMP answers)"; t_done; exit 1; }
"$T_TOP/tests/libvirt/ensure-libvirtd.sh" || { not_ok "libvirtd runs"; t_done; exit 1; }
undefine_all # leftovers of an interrupted run
install -m 0755 "$T_BIN/qemu-x4" "$WRAP"
mkdir -p "${CONF%/*}"
conf() { printf '%s\n' "$@" >"$CONF"; chmod 0644 "$CONF"; }
conf '[host]' '[vm x4w-lg]' 'looking_glass = shm' 'lg_size = 32M' \
	'[vm x4w-res]' 'looking_glass = shm' 'lg_resolution = 2560x1440' \
	'[vm x4w-bad]' 'looking_glass = /dev/kvmfr0'

# domain NAME CONTROLLER: a tiny TCG q35 domain run through the installed qemu-x4
domain() {
	cat <<XML
<domain type='qemu'>
  <name>$1</name>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
  <devices>
    <emulator>$WRAP</emulator>
    <controller type='pci' index='0' model='pcie-root'/>
    <controller type='usb' model='none'/>
    $2
    <video><model type='none'/></video>
    <memballoon model='none'/>
  </devices>
</domain>
XML
}
qmp() { "${VIRSH[@]}" qemu-monitor-command "$1" "$2"; }
hmp() { "${VIRSH[@]}" qemu-monitor-command --hmp "$1" "$2"; }
# ivshmem DOM: the 1af4:1110 device from query-pci (behind bridges too), compact JSON. Buses
# behind a port or bridge are numbered by the firmware, so the device shows once the guest ran.
ivshmem() {
	qmp "$1" '{"execute":"query-pci"}' |
		jq -c '[.return[].devices[] | recurse(.pci_bridge.devices[]?)
			| select(.id.vendor == 6900 and .id.device == 4368)] | first // empty'
}
# bar2 DOM: BAR2's guest-physical address once the firmware assigned it (-1 before), else "".
bar2() { ivshmem "$1" | jq -r '.regions[] | select(.bar == 2 and .address >= 0) | .address'; }

# --- probes go through qemu-x4: libvirt builds the domain capabilities from its answers
caps=$("${VIRSH[@]}" domcapabilities --emulatorbin "$WRAP" --arch x86_64 --machine q35 2>&1)
check_match "domcapabilities through qemu-x4 names it and knows q35" "<path>$WRAP</path>" "$caps"
check_match "... with the devices QEMU reported" "<machine>pc-q35-" "$caps"
caps_ok() { "${VIRSH[@]}" capabilities >/dev/null; }
check "virsh capabilities works with qemu-x4 installed" caps_ok

# --- a domain with a pcie-pci-bridge and lg_size = 32M
lgcheck() { # DOM SIZE (domain started paused): the ivshmem, its BAR2, the /dev/shm backend
	local d=$1 size=$2 dev mem path
	mem=$(qmp "$d" '{"execute":"query-memdev"}' | jq -c '.return[] | select(.id == "x4-lgmem")')
	check_eq "$d: query-memdev: x4-lgmem is shared, $((size >> 20)) MiB" "true $size" "$(jq -r '"\(.share) \(.size)"' <<<"$mem")"
	path=$(qmp "$d" '{"execute":"qom-get","arguments":{"path":"/objects/x4-lgmem","property":"mem-path"}}' | jq -r .return)
	check_eq "$d: its backend is /dev/shm/looking-glass-$d" "/dev/shm/looking-glass-$d" "$path"
	check_eq "$d: the host file has the same size" "$size" "$(stat -c %s "/dev/shm/looking-glass-$d" 2>/dev/null)"
	"${VIRSH[@]}" resume "$d" >/dev/null
	for _ in $(seq 100); do [ -n "$(bar2 "$d" 2>/dev/null)" ] && break; sleep 0.1; done
	dev=$(ivshmem "$d")
	check_eq "$d: QMP query-pci shows the ivshmem 1af4:1110" "1af4:1110" \
		"$(jq -r '.id | "\(.vendor) \(.device)"' <<<"$dev" | xargs -r printf '%04x:%04x')"
	check_eq "$d: its BAR2 is $((size >> 20)) MiB" "$size" "$(jq -r '.regions[] | select(.bar == 2) | .size' <<<"$dev")"
	check_eq "$d: it is our x4-lg" "x4-lg" "$(jq -r '.qdev_id' <<<"$dev")"
}
tmp=$T/dom.xml
domain x4w-lg "<controller type='pci' index='1' model='pcie-root-port'/><controller type='pci' index='2' model='pcie-to-pci-bridge'/>" >"$tmp"
check "define x4w-lg (emulator: qemu-x4)" "${VIRSH[@]}" define "$tmp"
out=$("${VIRSH[@]}" start --paused x4w-lg 2>&1)
rc=$?; check_eq "virsh start --paused x4w-lg through qemu-x4" "0" "$rc"; [ "$rc" = 0 ] || echo "# $out"
lgcheck x4w-lg $((32 << 20))
pid=$(cat /run/libvirt/qemu/x4w-lg.pid 2>/dev/null)
check_match "QEMU runs under the pid libvirt recorded, with libvirt's own -device list" \
	'"driver":"pcie-pci-bridge"' "$([ -n "$pid" ] && tr '\0' '\n' <"/proc/$pid/cmdline")"

# Stretch: BAR2 is the host file. Write from the host, read guest-physical memory at BAR2
# through the monitor.
pattern=x4-sriov-lg-$$
printf '%s' "$pattern" | dd of=/dev/shm/looking-glass-x4w-lg conv=notrunc status=none
bar=$(bar2 x4w-lg)
if [ -n "$bar" ]; then
	# "00000000fc000000: 0x78 0x34 ..." -> hex digits only
	bytes=$(hmp x4w-lg "xp /${#pattern}xb $bar" | sed 's/^[0-9a-f]*://; s/0x//g' | tr -dc '0-9a-f')
	check_eq "the guest sees the host's bytes at BAR2 ($(printf '0x%x' "$bar"))" \
		"$(printf '%s' "$pattern" | od -An -tx1 | tr -dc '0-9a-f')" "$bytes"
else
	not_ok "the firmware assigned BAR2 of the ivshmem device"
fi
"${VIRSH[@]}" destroy x4w-lg >/dev/null 2>&1

# --- a spare root port instead of a bridge; size from lg_resolution 2560x1440 (64 MiB)
domain x4w-res "<controller type='pci' index='1' model='pcie-root-port'/>" >"$tmp"
"${VIRSH[@]}" define "$tmp" >/dev/null
out=$("${VIRSH[@]}" start --paused x4w-res 2>&1)
rc=$?; check_eq "virsh start --paused x4w-res (spare root port) through qemu-x4" "0" "$rc"; [ "$rc" = 0 ] || echo "# $out"
lgcheck x4w-res $((64 << 20))
"${VIRSH[@]}" destroy x4w-res >/dev/null 2>&1

# --- refusals reach virsh as our one line
domain x4w-bad "<controller type='pci' index='1' model='pcie-root-port'/><controller type='pci' index='2' model='pcie-to-pci-bridge'/>" >"$tmp"
"${VIRSH[@]}" define "$tmp" >/dev/null
if [ ! -e /dev/kvmfr0 ]; then
	badlog=/var/log/libvirt/qemu/x4w-bad.log
	badsz=$(stat -c %s "$badlog" 2>/dev/null || echo 0)
	out=$("${VIRSH[@]}" start x4w-bad 2>&1)
	check_eq "no kvmfr: virsh start fails" "1" "$?"
	# As below: on a loaded host libvirt may report "failed to connect to monitor socket"
	# instead of quoting the emulator's stderr; the line is then in the domain's log.
	check_match "... with our line about kvmfr (virsh's error or the domain's log)" \
		"x4-sriov: /dev/kvmfr0 .*modprobe kvmfr" \
		"$out$(tail -c +$((badsz + 1)) "$badlog" 2>/dev/null)"
	check_eq "... and the domain is shut off" "shut off" "$("${VIRSH[@]}" domstate x4w-bad | head -1)"
fi
conf '[host]' 'lg_size = 3M' '[vm x4w-lg]' 'looking_glass = shm'
log=/var/log/libvirt/qemu/x4w-lg.log
logsz=$(stat -c %s "$log" 2>/dev/null || echo 0)
out=$("${VIRSH[@]}" start x4w-lg 2>&1)
check_eq "broken config (lg_size = 3M): virsh start fails" "1" "$?"
# libvirt quotes the emulator's stderr in virsh's error; on a loaded host it may instead report
# "failed to connect to monitor socket", and the line is then in what this start added to the
# domain's log only.
check_match "... with our line naming the file and line (virsh's error or the domain's log)" \
	"x4-sriov: $CONF:2: \\[host\\] lg_size: '3M' is not a power of two" \
	"$out$(tail -c +$((logsz + 1)) "$log" 2>/dev/null)"
check_eq "... and the domain is shut off" "shut off" "$("${VIRSH[@]}" domstate x4w-lg | head -1)"
caps=$("${VIRSH[@]}" domcapabilities --emulatorbin "$WRAP" --arch x86_64 --machine q35 2>&1)
check_match "a broken config leaves libvirt's probes working" "<path>$WRAP</path>" "$caps"
t_done
