#!/bin/bash
# SPDX-License-Identifier: MIT
# The user's path on a user's host: the README's "On a real Radxa X4" block, taken from
# README.md itself (README and test cannot drift) and run as written, in the project dir, on a
# writable root with Debian's AppArmor profiles enforcing and libvirtd running with its
# defaults. Then the domain `x4ctl define` made is started with `virsh start` (QEMU confined
# by its own profile), shows the VF with our ROM and the Looking Glass device, gives the VF
# back on `virsh destroy`; no AppArmor denial names our programs or files; without our
# AppArmor rules `virsh start` fails and `x4ctl doctor` names the denial and the fix; and
# `x4ctl uninstall` then `make uninstall` leave every file as it was.
#
# What the lab cannot run of the block, and does instead (the rest runs verbatim):
# - `sudo CMD`: the lab runs as root and has no sudo: CMD runs as it is.
# - the GRUB edit, update-grub and reboot: no bootloader here (the kernel line comes from
#   run.sh, with intel_iommu=on). What the reboot would do for libvirtd is done: it is
#   restarted, so it sees the hook x4ctl install put in place. AppArmor profiles are NOT
#   reloaded from disk, so x4ctl install's own reload is what is tested.
# - `looking-glass-client`: no display and no client in the lab; the Looking Glass memory is
#   checked through QMP instead.
# - the config the README says to write: pf is the lab's NVMe PF, num_vfs its 2 VFs,
#   looking_glass = shm (the lab has no kvmfr module), rom = the GOP driver x4ctl rom extract wrote to
#   /var/lib/x4-sriov.
# - `x4ctl define`: run with `--virt-type qemu --memory 1024` added: the lab has no KVM
#   (libvirt refuses type kvm without /dev/kvm; define's qemu type also drops the host CPU
#   and Hyper-V enlightenments, which TCG lacks), and 1024 MiB is the least define accepts.
#   Before virsh start, the domain gets 256 MiB (VFIO pins all of a VM's memory; nested TCG
#   firmware on 1 GiB is slow) and no <interface> (the lab has no dnsmasq: libvirt's default
#   network cannot start). Every other element is define's.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../../lib.sh"
# shellcheck source=tests/vm/fixtures/vmlib.sh
. "$T_TOP/tests/vm/fixtures/vmlib.sh"
# shellcheck source=tests/vm/fixtures/snap.sh
. "$T_TOP/tests/vm/fixtures/snap.sh"

VIRSH=(virsh -q -c qemu:///system)
DOM=win11
GOP=/var/lib/x4-sriov/IntelGopDriver.efi
# Files that are the user's, not x4-sriov's: the config they edit (kept by uninstall, like a
# dpkg conffile), the GOP driver they place, their ISO and GOP copy in their clone.
# Also left out: what running a VM changes, not installing: virt-aa-helper's per-VM profiles
# (libvirt/libvirt-<uuid>) and swtpm's CA serial number.
USER_FILES='^(etc/x4-sriov|etc/x4-sriov/x4-sriov\.conf|var/lib/x4-sriov|var/lib/x4-sriov/IntelGopDriver\.efi)(\||$)'
USER_FILES+='|^etc/apparmor\.d/libvirt/libvirt-[0-9a-f-]+|^var/lib/swtpm-localca/'
# The user's own step: usermod -aG kvm adds the desktop user to group kvm.
USER_FILES+='|^etc/(group|gshadow)-?(\||$)'

cleanup() {
	timeout 30 "${VIRSH[@]}" destroy "$DOM" >/dev/null 2>&1
	timeout 30 "${VIRSH[@]}" undefine --nvram "$DOM" >/dev/null 2>&1
	stop_daemons
}
trap cleanup EXIT
stop_here() {
	not_ok "$1 (stopping: later steps depend on it)"
	aa_new_denials "${aa0:-0}" | sed 's/^/# /'
	t_done; exit 1
}
qmp() { "${VIRSH[@]}" qemu-monitor-command "$DOM" "$1" 2>&1; }

# 0. A fresh host: what earlier scenarios left in /etc goes; the daemons run as after boot.
rm -rf /etc/x4-sriov /var/lib/x4-sriov /etc/libvirt/hooks/qemu
aa_on || stop_here "AppArmor is enabled, with Debian's profiles loaded (guest-run.sh boot)"
# A host that has run VMs keeps virt-aa-helper's per-VM profiles (libvirt leaves the profile
# when the VM goes, without its .files include): earlier scenarios leave them here too.
n=$(find /etc/apparmor.d/libvirt -name 'libvirt-*' ! -name '*.files' 2>/dev/null | wc -l)
echo "# per-VM AppArmor profiles left by libvirt from earlier VMs: $n"
aa0=$(aa_denials | wc -l)
start_daemons || stop_here "virtlogd -d and libvirtd -d start and libvirtd answers virsh"
check_match "libvirtd runs confined by Debian's profile" '^libvirtd \(enforce\)' \
	"$(label "$(cat /run/libvirtd.pid)")"
check_match "virsh capabilities: libvirt's security model is apparmor (its default)" \
	'<model>apparmor</model>' "$("${VIRSH[@]}" capabilities 2>&1)"
# The desktop user who runs looking-glass-client: the README adds them to group kvm.
DESK=desk
id "$DESK" >/dev/null 2>&1 || useradd -M -s /bin/bash "$DESK" ||
	stop_here "useradd $DESK (the desktop user)"
snap_take boot

# 1. The README's block, from README.md.
block=$(awk '/^## On a real Radxa X4/ { on = 1; next }
	on && /^## / { exit }
	on && /^```sh/ { code = 1; next }
	on && code && /^```/ { exit }
	on && code' "$T_TOP/README.md")
[ -n "$block" ] || stop_here "README.md has a \`\`\`sh block under '## On a real Radxa X4'"
cd "$T_TOP" || stop_here "cd to the user's clone $T_TOP"
# What the user has in their clone: the board vendor's BIOS image (here an AMI-style image the
# ROM tests commit: the Intel GOP beside a legacy VBIOS and the GOP policy driver, which
# x4ctl rom extract must not pick) and the Windows ISO.
cp "$T_TOP/tests/fixtures/fw/ami.img" BIOS.bin
truncate -s 4M Win11.iso

# run_line LINE: one line of the block as the user types it (sudo as described above).
run_line() {
	OUT=$(USER=$DESK bash -c 'sudo() { "$@"; }; '"$1" 2>&1 </dev/null)
	RC=$?
}
while IFS= read -r line; do
	cmd=${line%%#*}
	cmd=${cmd%"${cmd##*[![:space:]]}"}
	[ -n "$cmd" ] || continue
	case $cmd in
	*grub*|*reboot*)
		echo "# skipped (no bootloader in the lab): $cmd"
		stop_daemons
		start_daemons || stop_here "libvirtd restarts (in place of the reboot)"
		ok "libvirtd restarted in place of the reboot: $(label "$(cat /run/libvirtd.pid)")"
		continue ;;
	*looking-glass-client*)
		echo "# not run (no display in the lab): ${cmd#*&& }"
		cmd=${cmd%% && looking-glass-client*} ;;
	esac
	case $cmd in
	*'virsh start'*) break ;;  # after the lab's adaptation of the domain, below
	esac
	case $cmd in
	*'x4ctl define '*) cmd="$cmd --virt-type qemu --memory 1024" ;;  # no KVM here (see the top)
	esac
	stamp "README: $cmd"
	run_line "$cmd"
	printf '%s\n' "$OUT" | tail -n 25 | sed 's/^/#   /'
	case $cmd in
	*'x4ctl doctor'*)
		# The lab has no Intel iGPU: doctor reports failures; it must still speak of AppArmor.
		check_match "README: $cmd prints an AppArmor row" '^[A-Z]+ +apparmor ' "$OUT" ;;
	*'x4ctl rom extract'*)
		check_eq "README: $cmd (exit status)" 0 "$RC"
		check "... wrote the GOP driver to $GOP" test -s "$GOP"
		check "... the Intel GOP (its UTF-16 name), not the VBIOS or the policy driver" \
			grep -qaP 'I\x00n\x00t\x00e\x00l\x00\(\x00R\x00\)\x00 \x00G\x00O\x00P' "$GOP"
		check_match "... and printed the rom = line" "rom = $GOP" "$OUT" ;;
	*'x4ctl define'*)
		check_eq "README: $cmd (exit status)" 0 "$RC"
		"${VIRSH[@]}" dumpxml --inactive "$DOM" >/tmp/$DOM.xml 2>/dev/null ;;
	*)
		check_eq "README: $cmd (exit status)" 0 "$RC" ;;
	esac
	case $cmd in
	*'make '*)
		# run.sh made build/ up to date on the host: nothing may compile under TCG here.
		check_eq "README: make compiled nothing (build/ was up to date)" "" \
			"$(grep -E '^(cc|gcc|clang) ' <<<"$OUT" | head -3)" ;;
	esac
	case $cmd in
	*usermod*kvm*)
		check_match "... the desktop user $DESK is in group kvm (the client opens /dev/kvmfrN)" \
			'(^| )kvm( |$)' "$(id -nG "$DESK" 2>&1)" ;;
	esac
	case $cmd in
	*'make '*install*) snap_take made ;;
	*'x4ctl install'*)
		# The config as the README says the user writes it (here: the lab's PF and VFs).
		[ -f "$CONF" ] || stop_here "$CONF exists after x4ctl install"
		sed -i -e "s|^pf *=.*|pf = $PF|" -e 's|^num_vfs *=.*|num_vfs = 2|' \
			-e "s|^rom *=.*|rom = $GOP|" -e 's|^looking_glass *=.*|looking_glass = shm|' \
			-e '0,/^#\?lg_resolution *=/s|^#\?lg_resolution *=.*|lg_resolution = 1920x1080|' "$CONF"
		echo "# config written: $(grep -E '^(pf|num_vfs|rom|looking_glass|lg_resolution) ' "$CONF" | tr '\n' ';')" ;;
	esac
done <<<"$block"
grep -q 'virsh start' <<<"$block" || not_ok "README's block ends with virsh start $DOM"

# 2. The domain x4ctl define made, with the lab's changes (see the top), then `virsh start`.
grep -q '<domain' /tmp/$DOM.xml 2>/dev/null || stop_here "x4ctl define made the domain $DOM"
disk=$(sed -n "/device='disk'/,/<\/disk>/s/.*<source file='\([^']*\)'.*/\1/p" /tmp/$DOM.xml | head -1)
check "x4ctl define created the domain's disk ${disk:-(none)}" test -s "$disk"
check_match "x4ctl define's install phase has a display (SPICE or VNC)" "<graphics type='(spice|vnc)'" \
	"$(cat /tmp/$DOM.xml)"
sed -e '/<interface /,/<\/interface>/d' \
	-e "s|<memory[^>]*>[0-9]*</memory>|<memory unit='MiB'>256</memory>|" \
	-e "s|<currentMemory[^>]*>[0-9]*</currentMemory>|<currentMemory unit='MiB'>256</currentMemory>|" \
	/tmp/$DOM.xml >/tmp/$DOM-lab.xml
out=$("${VIRSH[@]}" define /tmp/$DOM-lab.xml 2>&1) || stop_here "virsh define of the lab's $DOM ($out)"
vf=$(sed -n "/<hostdev/,/<\/hostdev>/s/.*<address domain='0x\([0-9a-f]*\)' bus='0x\([0-9a-f]*\)' slot='0x\([0-9a-f]*\)' function='0x\([0-7]\)'.*/\1:\2:\3.\4/p" \
	/tmp/$DOM-lab.xml | head -1)
check_match "x4ctl define --vf auto picked a VF of the lab's PF: $vf" '^0000:01:00\.[12]$' "$vf"
emu=$(sed -n 's|.*<emulator>\(.*\)</emulator>.*|\1|p' /tmp/$DOM-lab.xml)
check_eq "the domain's emulator is the installed qemu-x4" /usr/local/bin/qemu-x4 "$emu"

stamp "virsh start $DOM"
out=$("${VIRSH[@]}" start "$DOM" 2>&1) || stop_here "virsh start $DOM ($out)"
ok "virsh start $DOM"
qp=$(cat "/run/libvirt/qemu/$DOM.pid" 2>/dev/null)
check_match "$DOM's QEMU is confined by its own profile: $(label "$qp")" \
	'^libvirt-[0-9a-f-]+ \(enforce\)' "$(label "$qp")"
check_eq "libvirt bound the VF to vfio-pci" vfio-pci "$(drv "$vf")"
g=$(group_of "$vf")
check "$DOM's QEMU holds /dev/vfio/$g open" wait_vfio "$qp" "$g"
check "$DOM's QEMU has its own mount namespace (libvirt's default)" \
	test "$(readlink "/proc/$qp/ns/mnt")" != "$(readlink /proc/self/ns/mnt)"
# HMP info qtree sees every device at once (query-pci only behind bridges the firmware has
# numbered: OVMF under nested TCG takes minutes for that).
qt=$(qmp '{"execute":"human-monitor-command","arguments":{"command-line":"info qtree"}}')
hd=$(qtree_dev "$qt" hostdev0)
check_match "info qtree: hostdev0 is the VF, pci id 1b36:0010" 'pci id 1b36:0010' "$(grep 'pci id' <<<"$hd")"
check_eq "info qtree: hostdev0's ROM BAR is our GOP driver's $(stat -c %s "$GOP") bytes rounded up" \
	"$(pow2 "$(stat -c %s "$GOP")")" "$(qtree_bar_size "$hd" 6)"
check_match "info qtree: qemu-x4's Looking Glass ivshmem x4-lg is 1af4:1110" 'pci id 1af4:1110' \
	"$(qtree_dev "$qt" x4-lg | grep 'pci id')"
check_match "qom-get hostdev0 romfile is $GOP" "\"return\": *\"$GOP\"" \
	"$(qmp '{"execute":"qom-get","arguments":{"path":"/machine/peripheral/hostdev0","property":"romfile"}}')"
check_match "its memory is /dev/shm/looking-glass-$DOM" "\"return\": *\"/dev/shm/looking-glass-$DOM\"" \
	"$(qmp '{"execute":"qom-get","arguments":{"path":"/objects/x4-lgmem","property":"mem-path"}}')"

out=$(timeout 60 "${VIRSH[@]}" destroy "$DOM" 2>&1)
check_eq "virsh destroy $DOM${out:+ ($out)}" 0 "$?"
check_eq "the VF is given back (off vfio-pci)" "" "$(drv "$vf" | grep vfio)"

den=$(aa_new_denials "$aa0")
[ -n "$den" ] && printf '# %s\n' "$den"
ours=$(grep -E 'x4|looking-glass|IntelGop|[Ww]in11' <<<"$den")
check_eq "no apparmor=\"DENIED\" line names our programs or files" "" "$ours"

# 3. Without our AppArmor rules (the local files as before x4ctl install, profiles reloaded).
aa1=$(aa_denials | wc -l)
cp "$AA_LOCAL_LIBVIRTD" /tmp/aa-libvirtd.ours
cp "$AA_LOCAL_QEMU" /tmp/aa-qemu.ours
cp "$SNAP_LOWER$AA_LOCAL_LIBVIRTD" "$AA_LOCAL_LIBVIRTD"
cp "$SNAP_LOWER$AA_LOCAL_QEMU" "$AA_LOCAL_QEMU"
apparmor_parser -r "$AA_LIBVIRTD" || not_ok "apparmor_parser -r $AA_LIBVIRTD"
out=$(timeout 120 "${VIRSH[@]}" start "$DOM" 2>&1); rc=$?
echo "# virsh said: $(printf '%s' "$out" | tr '\n' ' ' | head -c 600)"
check_eq "without our AppArmor rules, virsh start $DOM fails" 1 "$([ $rc != 0 ] && echo 1)"
timeout 60 "${VIRSH[@]}" destroy "$DOM" >/dev/null 2>&1
aa_new_denials "$aa1" | sed 's/^/# denied: /'
doc=$(x4ctl doctor 2>&1)
printf '%s\n' "$doc" | grep -i apparmor | sed 's/^/#   /'
check_match "x4ctl doctor: the apparmor row fails, saying what AppArmor denies" \
	'^FAIL +apparmor .*(deny|denie)' "$doc"
check_match "x4ctl doctor: the fix is x4ctl install" 'fix: .*x4ctl install' \
	"$(grep -A1 '^FAIL  *apparmor' <<<"$doc")"
check_match "x4ctl doctor quotes the kernel log's denial of our program or file" \
	'apparmor="DENIED".*(qemu-x4|x4-hook|x4-sriov)|DENIED.*(qemu-x4|x4-hook|x4-sriov)' "$doc"
cp /tmp/aa-libvirtd.ours "$AA_LOCAL_LIBVIRTD"
cp /tmp/aa-qemu.ours "$AA_LOCAL_QEMU"
apparmor_parser -r "$AA_LIBVIRTD" || not_ok "apparmor_parser -r $AA_LIBVIRTD (our rules back)"

# 4. Uninstall: x4ctl's changes go, then make's; every file as it was.
"${VIRSH[@]}" undefine --nvram "$DOM" >/dev/null 2>&1 || not_ok "virsh undefine --nvram $DOM"
out=$(x4ctl uninstall 2>&1); rc=$?
printf '%s\n' "$out" | tail -n 8 | sed 's/^/#   /'
check_eq "x4ctl uninstall (exit status)" 0 "$rc"
d=$(snap_diff made "$USER_FILES")
check_eq "x4ctl uninstall: every file as after make install (the user's config and GOP kept)" \
	"" "$(grep -v '|directory|' <<<"$d")"
grep '|directory|' <<<"$d" | sed 's/^/# directory (not checked): /'
out=$(make -s uninstall 2>&1)
check_eq "make uninstall${out:+ ($out)}" 0 "$?"
d=$(snap_diff boot "$USER_FILES")
check_eq "after both uninstalls every file under /etc, /usr/local and /var/lib is as at boot" \
	"" "$(grep -v '|directory|' <<<"$d")"
grep '|directory|' <<<"$d" | sed 's/^/# directory (not checked): /'
t_done
