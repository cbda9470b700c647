#!/bin/bash
# x4ctl define on the simulated X4, without libvirtd: the install phase (--print, and defined in
# libvirt's in-process test driver so the disk is really made), the run phase (--phase run --xml),
# host limits from a fake /proc/meminfo, paths, refusals. Every XML passes virt-xml-validate.
set -u
. "$(dirname "$0")/../lib.sh"
. "$T_TOP/tests/hooklib.sh"
X4CTL=$T_BIN/x4ctl
TMP=$(mktemp -d /tmp/x4define.XXXXXX)
cleanup() { sim_stop; rm -rf "$TMP"; }
trap cleanup EXIT

x() { OUT=$("$X4CTL" "$@" 2>&1); RC=$?; }
# xp DESC XPATH FILE: the XPath expression's value (count(), string()) in FILE.
xp() { xmllint --xpath "$1" "$2" 2>/dev/null; }
valid() { virt-xml-validate "$1" domain >/dev/null 2>&1; }
# one_line DESC: OUT is a single "x4ctl: define: ..." line.
one_line() { check_eq "$1 (one line)" 1 "$(printf '%s\n' "$OUT" | grep -c .)"; }

sim_start
cd "$TMP" || exit 1
x define --name W --vf none --print
check_match "no /proc/meminfo: memory not checked, and it says so" "^x4ctl: define: cannot read MemTotal from $ROOT/proc/meminfo: memory 8192 MiB not checked" "$OUT"
printf 'MemTotal:       65000000 kB\n' >"$ROOT/proc/meminfo" # a 62 GiB host
: >Win11.iso; : >virtio-win.iso
mkdir -p disks

# --- install phase, printed: a relative --iso is resolved against the current directory
x define --name W --iso Win11.iso --disk w.qcow2 --print
check_eq "define --print with a relative --iso exits 0" 0 "$RC"
printf '%s\n' "$OUT" | sed -n '/^<!--/,$p' >install.xml
check "install phase passes virt-xml-validate" valid install.xml
check_eq "relative --iso resolved to an absolute path" "$TMP/Win11.iso" "$(xp 'string(//disk[@device="cdrom"]/source/@file)' install.xml)"
check_eq "relative --disk resolved" "$TMP/w.qcow2" "$(xp 'string(//disk[@device="disk"]/source/@file)' install.xml)"
check "--print creates no disk" test ! -e w.qcow2
# Windows setup needs a display: SPICE with QXL; Looking Glass is there already (qemu-x4 adds its
# ivshmem on the pcie-to-pci-bridge), and SPICE's agent channel.
check_eq "install: SPICE display" 1 "$(xp 'count(//devices/graphics[@type="spice"])' install.xml)"
check_eq "install: QXL video" qxl "$(xp 'string(//devices/video/model/@type)' install.xml)"
check_eq "install: a pcie-to-pci-bridge for the Looking Glass ivshmem" 1 "$(xp 'count(//controller[@model="pcie-to-pci-bridge"])' install.xml)"
check_match "install: qemu-x4 (adds the Looking Glass device) is the emulator" 'qemu-x4$' "$(xp 'string(//devices/emulator)' install.xml)"
check_eq "install: spicevmc channel" com.redhat.spice.0 "$(xp 'string(//channel[@type="spicevmc"]/target/@name)' install.xml)"
check_eq "install: the VF hostdev" 1 "$(xp 'count(//hostdev[@type="pci"])' install.xml)"
check_eq "install: OVMF secure boot code" /usr/share/OVMF/OVMF_CODE_4M.ms.fd "$(xp 'string(//os/loader)' install.xml)"
check "install: the OVMF files it names exist on this host" test -e /usr/share/OVMF/OVMF_VARS_4M.ms.fd
check_eq "install: TPM 2.0 CRB" "tpm-crb 2.0" "$(xp 'concat(//tpm/@model," ",//tpm/backend/@version)' install.xml)"
# Without --virtio-win: setup must see the disk and the NIC without drivers.
check_eq "no --virtio-win: the disk is on SATA" sata "$(xp 'string(//disk[@device="disk"]/target/@bus)' install.xml)"
check_eq "no --virtio-win: one CD-ROM" 1 "$(xp 'count(//disk[@device="cdrom"])' install.xml)"
check_eq "no --virtio-win: an e1000e NIC" e1000e "$(xp 'string(//interface/model/@type)' install.xml)"
# CPUs leave the host one; memory 8 GiB when the host can pin it.
n=$(getconf _NPROCESSORS_ONLN); want=$((n > 1 ? n - 1 : 1))
check_eq "default CPUs: online CPUs - 1 ($n online)" "$want" "$(xp 'string(//vcpu)' install.xml)"
check_eq "... and the topology matches" "$want" "$(xp 'string(//cpu/topology/@cores)' install.xml)"
check_eq "default memory: 8192 MiB on a 62 GiB host" 8192 "$(xp 'string(//memory)' install.xml)"

# --- --virtio-win: a second CD-ROM, virtio disk and NIC
x define --name W --iso Win11.iso --virtio-win virtio-win.iso --disk w.qcow2 --print
printf '%s\n' "$OUT" | sed -n '/^<!--/,$p' >virtio.xml
check "with --virtio-win: passes virt-xml-validate" valid virtio.xml
check_eq "--virtio-win adds a second CD-ROM" 2 "$(xp 'count(//disk[@device="cdrom"])' virtio.xml)"
check_eq "... holding the virtio-win ISO" "$TMP/virtio-win.iso" "$(xp 'string(//disk[@device="cdrom"][target/@dev="sdc"]/source/@file)' virtio.xml)"
check_eq "... and the disk is virtio" virtio "$(xp 'string(//disk[@device="disk"]/target/@bus)' virtio.xml)"

# --- paths: one line naming the path and the fix
x define --name W --iso nothere.iso --print
check_match "a missing --iso names the resolved path" "^x4ctl: define: --iso nothere.iso: $TMP/nothere.iso: .*give the path" "$OUT"; one_line "missing --iso"
x define --name W --virtio-win nothere.iso --print
check_match "a missing --virtio-win names the path" "^x4ctl: define: --virtio-win nothere.iso: $TMP/nothere.iso" "$OUT"
x define --name W --disk-size 12X --print
check_match "a bad --disk-size is refused" "^x4ctl: define: --disk-size 12X: give a size like 64G" "$OUT"

# --- the disk: created with qemu-img in libvirt's test driver, never overwritten
x define --name W --iso Win11.iso --disk disks/w.qcow2 --disk-size 2G --uri test:///default
check_eq "define into the test driver exits 0" 0 "$RC"
check_eq "the disk is a new qcow2 of 2 GiB" "qcow2 2147483648" \
	"$(qemu-img info --output=json disks/w.qcow2 2>/dev/null | jq -r '"\(.format) \(.["virtual-size"])"')"
check_match "next steps: start it and open its screen" "virsh start W; open its screen: virt-viewer" "$OUT"
check_match "next steps: the guest's drivers" "Intel graphics driver for the VF, the Looking Glass host, and a virtual display driver" "$OUT"
check_match "next steps: switch to the run phase" "x4ctl define --name W --phase run" "$OUT"
sum=$(md5sum <disks/w.qcow2)
x define --name W --iso Win11.iso --disk disks/w.qcow2 --uri test:///default
check_match "a second define refuses to overwrite the disk" "^x4ctl: define: the disk $TMP/disks/w.qcow2 exists and x4ctl never overwrites one: give another --disk PATH, or --reuse-disk" "$OUT"
one_line "existing disk"
check_eq "... and the disk is untouched" "$sum" "$(md5sum <disks/w.qcow2)"
x define --name W --iso Win11.iso --disk disks/w.qcow2 --reuse-disk --uri test:///default
check_eq "--reuse-disk attaches the existing disk" 0 "$RC"
check_eq "... untouched" "$sum" "$(md5sum <disks/w.qcow2)"
x define --name W --disk disks/new.qcow2 --uri 'qemu+unix:///system?socket=/nonexistent/sock'
check_eq "libvirt unreachable: define fails" 1 "$RC"
check "... and leaves no disk behind" test ! -e disks/new.qcow2
check "... and does not say to start it" bash -c '! grep -q "virsh start" <<<"$1"' _ "$OUT"
x define --name W --disk /nonexistent-dir/w.qcow2 --uri test:///default
check_match "a missing disk directory: one line with the fix" "^x4ctl: define: the disk's directory /nonexistent-dir does not exist: create it" "$OUT"

# --- the run phase: the same domain, switched (from a file: no libvirtd here)
x define --name W --phase run --xml install.xml --print
check_eq "--phase run --xml --print exits 0" 0 "$RC"
printf '%s\n' "$OUT" >run.xml
check "run phase passes virt-xml-validate" valid run.xml
check_eq "run: one video, model none" "1 none" "$(xp 'concat(count(//devices/video)," ",string(//video/model/@type))' run.xml)"
check_eq "run: SPICE kept for Looking Glass input" 1 "$(xp 'count(//graphics[@type="spice"])' run.xml)"
check_eq "run: spicevmc channel (clipboard)" 1 "$(xp 'count(//channel[@type="spicevmc"])' run.xml)"
aid=$(xp 'string(//devices/audio[@type="spice"]/@id)' run.xml)
check_match "run: an <audio type='spice'>" '^[0-9]+$' "$aid"
check_eq "run: ich9 sound played through it" "$aid" "$(xp 'string(//sound[@model="ich9"]/audio/@id)' run.xml)"
check_eq "run: no tablet, virtio mouse and keyboard" "0 1 1" \
	"$(xp 'concat(count(//input[@type="tablet"])," ",count(//input[@type="mouse"][@bus="virtio"])," ",count(//input[@type="keyboard"][@bus="virtio"]))' run.xml)"
check_eq "run: the VF and the Looking Glass bridge stay" "1 1" \
	"$(xp 'concat(count(//hostdev)," ",count(//controller[@model="pcie-to-pci-bridge"]))' run.xml)"
"$X4CTL" define --name W --phase run --xml run.xml --print >run2.xml 2>&1
check "switching twice changes nothing" cmp -s run.xml run2.xml
# A domain made by hand (VGA, no SPICE, some other audio id): SPICE and the rest get added.
cat >hand.xml <<'XML'
<domain type='kvm'><name>W</name><memory unit='MiB'>4096</memory>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
  <devices><audio id='3' type='none'/><video><model type='vga'/></video><video><model type='virtio'/></video></devices></domain>
XML
x define --name W --phase run --xml hand.xml --print
printf '%s\n' "$OUT" >hand-run.xml
check "a hand-made domain switched passes virt-xml-validate" valid hand-run.xml
check_eq "... every emulated video gone, SPICE and a new audio id added" "1 none 1 4 4" \
	"$(xp 'concat(count(//video)," ",string(//video/model/@type)," ",count(//graphics[@type="spice"])," ",string(//audio[@type="spice"]/@id)," ",string(//sound/audio/@id))' hand-run.xml)"
x define --name Other --phase run --xml install.xml --print
check_match "--xml of another domain is refused" "^x4ctl: define: install.xml is not the domain 'Other'" "$OUT"
x define --name W --phase run --memory 4096
check_match "--phase run refuses install options" "^x4ctl: define: --phase run takes only --name, --xml, --uri and --print" "$OUT"
x define --name W --phase run --uri 'qemu+unix:///system?socket=/nonexistent/sock'
check_match "--phase run without libvirt: one line" "^x4ctl: define: cannot connect to qemu\+unix" "$OUT"; one_line "libvirt unreachable"
x define --name W --phase later
check_match "an unknown phase is refused" "give install \(the default\) or run" "$OUT"

# --- memory: VFIO pins it all; the host keeps 2 GiB (MemTotal 7812 MiB here)
printf 'MemTotal:        8000000 kB\nMemFree:         1000 kB\n' >"$ROOT/proc/meminfo"
x define --name W --memory 8192 --print
check_eq "8192 MiB on a 7812 MiB host is refused" 1 "$RC"
check_match "... with the numbers and the fix" "^x4ctl: define: memory 8192 MiB: VFIO pins all guest memory and this host has 7812 MiB \(MemTotal, $ROOT/proc/meminfo\), 2048 MiB of it kept for the host: give --memory 5764 or less" "$OUT"
one_line "memory refusal"
x define --name W --print
check_eq "default memory fits the host (5764 MiB pinnable, rounded down)" 5632 "$(printf '%s\n' "$OUT" | sed -n '/^<!--/,$p' | xmllint --xpath 'string(//memory)' - 2>/dev/null)"
x define --name W --memory 5764 --print; check_eq "exactly the limit is accepted" 0 "$RC"
printf 'MemTotal:        3000000 kB\n' >"$ROOT/proc/meminfo"
x define --name W --print
check_match "a host too small for any guest: refused with numbers" "^x4ctl: define: memory [0-9]+ MiB: .*this host has 2929 MiB" "$OUT"
printf 'MemTotal:       65000000 kB\n' >"$ROOT/proc/meminfo"

# --- the VF: auto, an index (for the lab's other PFs too), an address, none
x define --name W --vf 3 --print
check_match "--vf 3: the third VF" 'slot="0x02" function="0x3"' "$OUT"
x define --name W --vf 9 --print
check_match "--vf 9 on a PF with 7 VFs: refused" "^x4ctl: define: --vf 9: 0000:00:02.0 has VFs 1..7" "$OUT"
x define --name W --vf none --print
check_eq "--vf none: no hostdev (testing, hosts without SR-IOV)" 0 "$(printf '%s\n' "$OUT" | sed -n '/^<!--/,$p' | xmllint --xpath 'count(//hostdev)' - 2>/dev/null)"
x define --name W --vf 0000:03:00.1 --print
check_match "--vf ADDR: that address" 'bus="0x03" slot="0x00" function="0x1"' "$OUT"

# --- TCG (hosts without KVM): no host CPU model, no Hyper-V
x define --name W --virt-type qemu --vf none --print
printf '%s\n' "$OUT" | sed -n '/^<!--/,$p' >tcg.xml
check "TCG domain passes virt-xml-validate" valid tcg.xml
check_eq "--virt-type qemu: domain type qemu, no <cpu>, no <hyperv>" "qemu 0 0" \
	"$(xp 'concat(string(/domain/@type)," ",count(/domain/cpu)," ",count(//hyperv))' tcg.xml)"
x define --name W --virt-type xen --print
check_match "an unknown --virt-type is refused" "give kvm, or qemu" "$OUT"

cd / || exit 1
t_done
