#!/bin/bash
# SPDX-License-Identifier: MIT
# The Debian package where a user installs it: `apt-get install ./x4-sriov_N_amd64.deb` on the
# lab's writable root with AppArmor enforcing; libvirtd (Debian's defaults, confined) runs the
# hook from /etc/libvirt/hooks/qemu.d and /usr/bin/qemu-x4 as the emulator for a managed VF;
# `apt-get remove` is refused while the VM holds the VF, then removes and keeps the edited
# conffile; `apt-get purge` leaves no file of ours and every file under /etc, /usr and /var/lib
# as before the install. Upgrade: N installed, the config edited, N+1 installed over it: the
# edit survives and the hook still works; purge again, every file as at the start.
#
# The .debs are built on the host (tests/suites/70-deb.sh: N, and N+1 with a bumped changelog,
# in build/deb-lab/); nothing compiles under TCG. Lab adaptations: man-db's trigger is switched
# off for the run (mandb over 9p under TCG takes minutes; put back at the end); dpkg's and apt's
# own records (/var/lib/dpkg, /var/lib/apt) are left out of the before/after comparison. The
# comparison takes the host tree (the overlay's lower layer) as fixed: a file another job
# creates or removes on the host during the run shows up as a difference.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../../lib.sh"
# shellcheck source=tests/vm/fixtures/vmlib.sh
. "$T_TOP/tests/vm/fixtures/vmlib.sh"
# shellcheck source=tests/vm/fixtures/snap.sh
. "$T_TOP/tests/vm/fixtures/snap.sh"

SNAP_DIRS=(etc usr var/lib)
# Not the package's: dpkg's and apt's records, and the profile virt-aa-helper wrote for the
# user's VM (libvirt leaves it after undefine).
NOT_OURS='^var/lib/(dpkg|apt)(/|\||$)|^etc/apparmor\.d/libvirt/libvirt-[0-9a-f-]+(\||$)'
VIRSH=(virsh -q -c qemu:///system)
DOM=debvm
ROM=/var/lib/x4-sriov/vf.rom
LAB=$T_TOP/build/deb-lab
export DEBIAN_FRONTEND=noninteractive

cleanup() {
	timeout 30 "${VIRSH[@]}" destroy "$DOM" >/dev/null 2>&1
	timeout 30 "${VIRSH[@]}" undefine "$DOM" >/dev/null 2>&1
	stop_daemons
	dpkg --purge x4-sriov >/dev/null 2>&1
	[ -e /tmp/man-db.auto-update ] && mv /tmp/man-db.auto-update /var/lib/man-db/auto-update
}
trap cleanup EXIT
stop_here() {
	not_ok "$1 (stopping: later steps depend on it)"
	aa_new_denials "${aa0:-0}" | sed 's/^/# /'
	t_done; exit 1
}
# apt_do WHAT ARGS...: apt-get as a user runs it; OUT and RC.
apt_do() {
	stamp "apt-get $*"
	OUT=$(apt-get -y --no-install-recommends "$@" 2>&1 </dev/null)
	RC=$?
	printf '%s\n' "$OUT" | grep -v '^\(Reading\|Building\|(Reading\)' | tail -n 12 | sed 's/^/#   /'
}
pkg_status() { dpkg-query -W -f='${Status} ${Version}' x4-sriov 2>/dev/null; }
domain() {
	cat <<EOF
<domain type='qemu'>
  <name>$DOM</name>
  <memory unit='MiB'>128</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
  <devices>
    <emulator>/usr/bin/qemu-x4</emulator>
    <controller type='pci' index='0' model='pcie-root'/>
    <controller type='usb' model='none'/>
    <hostdev mode='subsystem' type='pci' managed='yes'>
      <source><address domain='0x0000' bus='0x01' slot='0x00' function='0x1'/></source>
    </hostdev>
    <video><model type='none'/></video>
    <memballoon model='none'/>
  </devices>
</domain>
EOF
}
# vm_runs WHEN: the domain starts paused through the package's hook and qemu-x4, confined.
vm_runs() {
	local out qp qt
	out=$("${VIRSH[@]}" start --paused "$DOM" 2>&1) || { not_ok "$1: virsh start --paused $DOM ($out)"; return 1; }
	ok "$1: virsh start --paused $DOM"
	check_match "$1: the hook in qemu.d recorded the claim on VF 1" \
		"\"vf\":\"$VF1\",\"vm\":\"$DOM\"" "$(rd "$STATE" | tr -d ' \n')"
	check_eq "$1: VF 1 is on vfio-pci" vfio-pci "$(drv "$VF1")"
	qp=$(cat "/run/libvirt/qemu/$DOM.pid" 2>/dev/null)
	qt=$("${VIRSH[@]}" qemu-monitor-command "$DOM" \
		'{"execute":"human-monitor-command","arguments":{"command-line":"info qtree"}}' 2>&1)
	check_match "$1: /usr/bin/qemu-x4 ran: its Looking Glass ivshmem x4-lg is in the VM" \
		'pci id 1af4:1110' "$(qtree_dev "$qt" x4-lg | grep 'pci id')"
	check_match "$1: QEMU is confined by its own profile" '^libvirt-[0-9a-f-]+ \(enforce\)' "$(label "$qp")"
	check_match "$1: libvirtd is confined" '^libvirtd \(enforce\)' "$(label "$(cat /run/libvirtd.pid)")"
}
vm_stops() {
	local out
	out=$(timeout 60 "${VIRSH[@]}" destroy "$DOM" 2>&1)
	check_eq "$1: virsh destroy $DOM${out:+ ($out)}" 0 "$?"
	check_eq "$1: the VF is given back, no claim left" "" \
		"$(drv "$VF1" | grep vfio)$(grep -o "\"vm\"" "$STATE" 2>/dev/null)"
}
# purged WHEN: no file of ours, every file under /etc, /usr, /var/lib as at the start.
purged() {
	local d
	check_eq "$1: dpkg knows no x4-sriov" "" "$(pkg_status | grep -v '^unknown ok not-installed')"
	check "$1: /etc/x4-sriov, /var/lib/x4-sriov, /run/x4-sriov, /usr/share/x4-sriov are gone" \
		test ! -e /etc/x4-sriov -a ! -e /var/lib/x4-sriov -a ! -e /run/x4-sriov -a ! -e /usr/share/x4-sriov
	d=$(snap_diff before "$NOT_OURS")
	check_eq "$1: every file and directory under /etc, /usr and /var/lib as before the install" "" "$d"
}

# 0. A host without x4-sriov: what earlier scenarios left goes; the daemons are stopped.
stop_daemons
rm -rf /etc/x4-sriov /var/lib/x4-sriov /run/x4-sriov /etc/libvirt/hooks/qemu /etc/libvirt/hooks/qemu.d
aa_on || stop_here "AppArmor is enabled, with Debian's profiles loaded (guest-run.sh boot)"
debs=$(printf '%s\n' "$LAB"/x4-sriov_*_amd64.deb | grep -v '\*' | sort -V)
N=$(head -1 <<<"$debs") N1=$(sed -n 2p <<<"$debs")
{ [ -n "$N" ] && [ -n "$N1" ]; } ||
	stop_here "the .debs N and N+1 are in build/deb-lab (built on the host by tests/suites/70-deb.sh)"
vn=$(dpkg-deb -f "$N" Version) vn1=$(dpkg-deb -f "$N1" Version)
if dpkg --compare-versions "$vn" gt "$vn1"; then
	t=$N N=$N1 N1=$t t=$vn vn=$vn1 vn1=$t
fi
dpkg --compare-versions "$vn1" gt "$vn" || stop_here "N+1 ($vn1) is newer than N ($vn)"
[ -e /var/lib/man-db/auto-update ] && mv /var/lib/man-db/auto-update /tmp/man-db.auto-update
aa0=$(aa_denials | wc -l)
snap_take before

# 1. apt-get install ./x4-sriov_N_amd64.deb
apt_do install "$N"
check_eq "apt-get install $vn (exit status)" 0 "$RC"
check_eq "dpkg: installed $vn" "install ok installed $vn" "$(pkg_status)"
check_eq "postinst printed the libvirtd restart line exactly once" 1 \
	"$(grep -c 'systemctl restart libvirtd when no VM is running' <<<"$OUT")"
check_eq "the hook is registered in qemu.d" /usr/libexec/x4-sriov/x4-hook \
	"$(readlink /etc/libvirt/hooks/qemu.d/x4-sriov)"
check "libvirt's main hook is not created" test ! -e /etc/libvirt/hooks/qemu
check "qemu-x4 is /usr/bin/qemu-x4, x4ctl /usr/sbin/x4ctl" test -x /usr/bin/qemu-x4 -a -x /usr/sbin/x4ctl
check_match "AppArmor rules in libvirtd's local include name the package's qemu-x4" \
	'^/usr/bin/qemu-x4 PUx,$' "$(cat "$AA_LOCAL_LIBVIRTD")"
check_match "postinst reloaded libvirtd's AppArmor profile" 'reloaded AppArmor profile' "$OUT"
check_eq "no VF was created by the install" 0 "$(numvfs)"

# 2. The config as a user edits it (the lab's PF, VFs, ROM, Looking Glass in shm).
X4CTL=/usr/sbin/x4ctl
write_conf '# edited by the user: kept across remove and upgrade'
{ mkdir -p "${ROM%/*}" && make_rom "$ROM" 40000; } || stop_here "x4ctl rom build made the VF's ROM"
start_daemons || stop_here "libvirtd starts (as after the restart postinst asks for)"
domain >/tmp/$DOM.xml
out=$("${VIRSH[@]}" define /tmp/$DOM.xml 2>&1) || stop_here "virsh define $DOM ($out)"
vm_runs "installed $vn"

# 3. apt-get remove while the VM holds the VF: refused, nothing removed.
apt_do remove x4-sriov
check_eq "apt-get remove while $DOM holds VF 1 fails" 1 "$([ "$RC" != 0 ] && echo 1)"
check_match "... with our line naming the VM and the VF" "VM '$DOM' holds VF $VF1" "$OUT"
check_eq "... and the package stays installed" "install ok installed $vn" "$(pkg_status)"
check "... with its hook in qemu.d" test -L /etc/libvirt/hooks/qemu.d/x4-sriov
vm_stops "installed $vn"

# 4. apt-get remove: our changes undone, the edited conffile kept.
apt_do remove x4-sriov
check_eq "apt-get remove (exit status)" 0 "$RC"
check_match "dpkg: config-files only" '^deinstall ok config-files' "$(pkg_status)"
check_match "the edited conffile is kept" '^# edited by the user' "$(rd "$CONF")"
check "the hook is unregistered, the programs gone" \
	test ! -e /etc/libvirt/hooks/qemu.d/x4-sriov -a ! -e /usr/bin/qemu-x4 -a ! -e /usr/sbin/x4ctl
check_eq "qemu.conf is as before" "$(cat "$SNAP_LOWER/etc/libvirt/qemu.conf")" "$(cat /etc/libvirt/qemu.conf)"

# 5. apt-get purge: nothing of ours left, every file as before (the user's VM undefined first:
# its XML and virt-aa-helper's profile are theirs, not the package's).
"${VIRSH[@]}" undefine "$DOM" >/dev/null 2>&1 || not_ok "virsh undefine $DOM"
apt_do purge x4-sriov
check_eq "apt-get purge (exit status)" 0 "$RC"
purged "after remove + purge"

# 6. Upgrade: N, the config edited, N+1 over it.
apt_do install "$N"
check_eq "upgrade test: apt-get install $vn" 0 "$RC"
write_conf '# edited by the user before the upgrade'
mkdir -p "${ROM%/*}" && make_rom "$ROM" 40000
apt_do install "$N1"
check_eq "apt-get install $vn1 over $vn (exit status)" 0 "$RC"
check_eq "dpkg: installed $vn1" "install ok installed $vn1" "$(pkg_status)"
check_eq "x4ctl is $vn1" "x4ctl $vn1" "$(/usr/sbin/x4ctl --version 2>&1)"
check_match "the edit survives the upgrade" '^# edited by the user before the upgrade' "$(rd "$CONF")"
check_eq "the hook is still registered once, in qemu.d" "/usr/libexec/x4-sriov/x4-hook:absent" \
	"$(readlink /etc/libvirt/hooks/qemu.d/x4-sriov):$(test -e /etc/libvirt/hooks/qemu && echo there || echo absent)"
stop_daemons
start_daemons || stop_here "libvirtd restarts after the upgrade"
out=$("${VIRSH[@]}" define /tmp/$DOM.xml 2>&1) || stop_here "virsh define $DOM ($out)"
vm_runs "upgraded to $vn1"
vm_stops "upgraded to $vn1"
"${VIRSH[@]}" undefine "$DOM" >/dev/null 2>&1
stop_daemons
apt_do purge x4-sriov
check_eq "apt-get purge of $vn1 (exit status)" 0 "$RC"
purged "after upgrade + purge"

den=$(aa_new_denials "$aa0")
[ -n "$den" ] && printf '# %s\n' "$den"
check_eq "no apparmor=\"DENIED\" line names our programs or files" "" \
	"$(grep -E 'x4|looking-glass|qemu-x4' <<<"$den")"
t_done
