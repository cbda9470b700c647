#!/bin/bash
# x4-hook under the real libvirtd: installed in /etc/libvirt/hooks/qemu.d (never replacing a
# user's hook), run on the simulated X4 through a tiny wrapper that sets X4_ROOT (libvirt does
# not pass the environment). Asserts what the hook did at each event, and that a failing
# prepare aborts `virsh start` with our line.
set -u
. "$(dirname "$0")/../lib.sh"
. "$T_TOP/tests/hooklib.sh"
VIRSH=(virsh -q -c qemu:///system)
HOOKDIR=/etc/libvirt/hooks/qemu.d
HOOKLINK=$HOOKDIR/zz-x4-sriov-test
DOMS=(x4t-live x4t-bad x4t-vf)

cleanup() {
	for d in "${DOMS[@]}"; do
		"${VIRSH[@]}" destroy "$d" >/dev/null 2>&1
		"${VIRSH[@]}" undefine "$d" >/dev/null 2>&1
	done
	rm -f "$HOOKLINK"
	"$T_TOP/tests/libvirt/ensure-libvirtd.sh" --restart >/dev/null 2>&1
	sim_stop
}
trap cleanup EXIT

sim_start
conf '[host]' '[vm x4t-live]' 'looking_glass = shm' '[vm x4t-bad]' 'looking_glass = /dev/kvmfr0' 'lg_size = 64M'
mkdir -p "$HOOKDIR"
cat >"$HOOKLINK" <<HOOK
#!/bin/sh
echo "\$1 \$2 \$3" >>"$ROOT/events.log"
X4_ROOT="$ROOT" exec "$HOOK" "\$@"
HOOK
chmod 0755 "$HOOKLINK"
"$T_TOP/tests/libvirt/ensure-libvirtd.sh" --restart || { not_ok "libvirtd runs"; t_done; exit 1; }

# domain NAME [EXTRA-DEVICES]: a tiny TCG domain
domain() {
	cat <<XML
<domain type='qemu'>
  <name>$1</name>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <video><model type='none'/></video>
    <memballoon model='none'/>
    ${2:-}
  </devices>
</domain>
XML
}

# --- a domain of ours (a [vm] section) starts and stops; the hook sees each event
tmp=$(mktemp); domain x4t-live >"$tmp"
check "define x4t-live" "${VIRSH[@]}" define "$tmp"
out=$("${VIRSH[@]}" start --paused x4t-live 2>&1); rc=$?
check_eq "virsh start of our VM succeeds" "0" "$rc"
check "the hook wrote the VM's plan" test -e "$ROOT/run/x4-sriov/vm/x4t-live.json"
check_match "the plan has the Looking Glass shm path" "/dev/shm/looking-glass-x4t-live" "$(cat "$ROOT/run/x4-sriov/vm/x4t-live.json" 2>/dev/null)"
"${VIRSH[@]}" destroy x4t-live >/dev/null 2>&1
for _ in $(seq 50); do grep -q 'x4t-live release end' "$ROOT/events.log" 2>/dev/null && break; sleep 0.1; done
check_eq "libvirt's event order" "prepare begin|start begin|started begin|stopped end|release end" \
	"$(grep '^x4t-live ' "$ROOT/events.log" | cut -d' ' -f2,3 | paste -sd'|')"
check "release removed the plan" test ! -e "$ROOT/run/x4-sriov/vm/x4t-live.json"

# --- a failing prepare aborts the start, with our one line in virsh's error
rm -f "$ROOT/dev/kvmfr0"
domain x4t-bad >"$tmp"
"${VIRSH[@]}" define "$tmp" >/dev/null
out=$("${VIRSH[@]}" start x4t-bad 2>&1); rc=$?
check_eq "virsh start fails when prepare fails" 1 "$rc"
check_match "virsh shows our message" "x4-sriov: .*kvmfr" "$out"
check_eq "the failed domain is not running" "shut off" "$("${VIRSH[@]}" domstate x4t-bad 2>/dev/null | head -1)"

# --- the hostdev form: libvirt accepts a VF hostdev; its own XML drives the hook on the sim
domain x4t-vf "<hostdev mode='subsystem' type='pci' managed='no'><driver name='vfio'/><source><address domain='0x0000' bus='0x00' slot='0x02' function='0x1'/></source></hostdev>" >"$tmp"
check "define a domain with a VF hostdev" "${VIRSH[@]}" define "$tmp"
argv=$("${VIRSH[@]}" domxml-to-native qemu-argv --domain x4t-vf 2>&1)
check_match "domxml-to-native gives the VF to vfio-pci" '"driver":"vfio-pci","host":"0000:00:02.1"' "$argv"
xml=$("${VIRSH[@]}" dumpxml x4t-vf)
hook x4t-vf prepare begin "$xml"
check_eq "prepare on libvirt's XML binds the VF" "0:vfio-pci" "$RC:$(driver_of 0000:00:02.1)"
hook x4t-vf release end "$xml"
check_eq "release on libvirt's XML gives it back" "0:" "$RC:$(driver_of 0000:00:02.1)"
rm -f "$tmp"
t_done
