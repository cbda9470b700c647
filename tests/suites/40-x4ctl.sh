#!/bin/bash
# x4ctl on the simulated X4: doctor rows and fixes in good and broken states, status, vf,
# lg-size, rom, install/uninstall (byte-for-byte), define (validated, and defined in libvirt).
set -u
. "$(dirname "$0")/../lib.sh"
. "$T_TOP/tests/hooklib.sh"
X4CTL=$T_BIN/x4ctl
TMP=$(mktemp -d /tmp/x4ctl-test.XXXXXX)
cleanup() { sim_stop; rm -rf "$TMP"; }
trap cleanup EXIT

# x CMD...: run x4ctl; OUT (stdout+stderr) and RC.
x() { OUT=$("$X4CTL" "$@" 2>&1); RC=$?; }
# row STATUS CHECK: the doctor line for CHECK with STATUS is present in OUT.
row() { printf '%s\n' "$OUT" | grep -Eq "^$1 +$2 "; }
# fix_of CHECK: the fix line after CHECK's FAIL/WARN row.
fix_of() { printf '%s\n' "$OUT" | awk -v c="$1" '$2 == c && ($1 == "FAIL" || $1 == "WARN") { f = 1; next } f && /fix:/ { sub(/^ *fix: /, ""); print; exit }'; }
fake_qemu() { mkdir -p "$ROOT/usr/bin"; printf '#!/bin/sh\nexit 0\n' >"$ROOT/usr/bin/qemu-system-x86_64"; chmod 755 "$ROOT/usr/bin/qemu-system-x86_64"; }
libvirt_etc() { mkdir -p "$ROOT/etc"; cp -a /etc/libvirt "$ROOT/etc/"; rm -f "$ROOT/etc/libvirt/hooks/qemu"; }
# A minimal PE32+ EFI boot-service driver for x64 (MZ, e_lfanew 0x40, PE, optional header).
make_efi() {
	head -c 1024 /dev/zero >"$1"
	printf 'MZ' | dd of="$1" conv=notrunc status=none
	printf '\x40' | dd of="$1" bs=1 seek=60 conv=notrunc status=none
	printf 'PE\0\0\x64\x86' | dd of="$1" bs=1 seek=64 conv=notrunc status=none
	printf '\xf0' | dd of="$1" bs=1 seek=84 conv=notrunc status=none
	printf '\x0b\x02' | dd of="$1" bs=1 seek=88 conv=notrunc status=none
	printf '\x0b' | dd of="$1" bs=1 seek=156 conv=notrunc status=none
}

# --- argv handling: never a crash, one line, non-zero
for args in "" "bogus" "--root" "--root rel doctor" "vf" "vf bind" "vf frob" "rom" "rom check" \
	"lg-size" "define" "define --name" "status --frob" "doctor --xml" "install --frob"; do
	# shellcheck disable=SC2086
	x $args
	if [ "$RC" -ne 0 ] && [ "$RC" -lt 128 ]; then ok "bad argv '$args' exits $RC"; else not_ok "bad argv '$args' (rc $RC)"; fi
done
x --help; check_eq "--help exits 0" 0 "$RC"
check_match "--help lists every command" "doctor.*status.*vf create.*lg-size.*rom check.*install.*uninstall.*define" "$(printf '%s' "$OUT" | tr '\n' ' ')"
x --version; check_match "--version" '^x4ctl [0-9]' "$OUT"
for c in doctor status vf lg-size rom install uninstall define; do
	x "$c" --help; check_eq "$c --help exits 0" 0 "$RC"
done

# --- lg-size: Looking Glass B7 values
x lg-size 1920x1080; check_match "1080p is 32 MiB" '^1920x1080 SDR: 32 MiB' "$OUT"
check_match "1080p static_size_mb=32" 'static_size_mb=32$' "$OUT"
x lg-size 2560x1440; check_match "1440p is 64 MiB" 'lg_size = 64M' "$OUT"
x lg-size 3840x2160; check_match "4K is 128 MiB" '128 MiB' "$OUT"
x lg-size 3840x2160 --hdr; check_match "4K HDR is 256 MiB" 'HDR: 256 MiB' "$OUT"
x lg-size 1920x1080 --hdr; check_match "1080p HDR is 64 MiB" 'HDR: 64 MiB' "$OUT"
for bad in 1920 1920x x1080 0x0 -1x5 1920x1080x3 ' 1920x1080' 0x10 99999x99999 65535x65535; do
	x lg-size "$bad"
	check_eq "lg-size '$bad' refused with one line" "1:1" "$([ "$RC" -ne 0 ] && echo 1):$(printf '%s\n' "$OUT" | wc -l)"
done

# --- rom check / build round trip
make_efi "$TMP/gop.efi"
x rom check "$TMP/gop.efi"; check_eq "rom check of a PE32+ driver exits 0" 0 "$RC"
check_match "rom check names the kind" 'kind: PE32 EFI driver' "$OUT"
x rom build --efi "$TMP/gop.efi" --out "$TMP/gop.rom" --vendor 0x8086 --device 0x46d1
check_eq "rom build exits 0" 0 "$RC"
check_eq "built ROM starts with 55 AA" "55aa" "$(head -c 2 "$TMP/gop.rom" | od -An -tx1 | tr -d ' \n')"
check_eq "built ROM is whole 512-byte blocks" 0 "$(( $(stat -c %s "$TMP/gop.rom") % 512 ))"
x rom check "$TMP/gop.rom"; check_match "built ROM is an EFI option ROM for 8086:46d1" 'PCI option ROM \(EFI\).*ids: 8086:46d1' "$(printf '%s' "$OUT" | tr '\n' ' ')"
x rom build --efi "$TMP/gop.efi" --out "$TMP/other.rom" --device 0x46d0
sim_start
x rom check "$TMP/other.rom"
check_eq "a ROM for another device does not fit the VF" 1 "$RC"
check_match "and says how to rebuild" 'rebuild: x4ctl rom build --device 0x46d1' "$OUT"
sim_stop
head -c 100 "$TMP/gop.rom" >"$TMP/trunc.rom"
x rom check "$TMP/trunc.rom"; check_eq "truncated ROM refused" 1 "$RC"
printf 'hello' >"$TMP/junk.bin"
x rom check "$TMP/junk.bin"; check_match "junk is refused with one line" '^x4ctl: rom check: ' "$OUT"
x rom check "$TMP/missing.rom"; check_eq "missing ROM file refused" 1 "$RC"
x rom build --efi "$TMP/junk.bin" --out "$TMP/junk.rom"; check_eq "rom build of junk refused" 1 "$RC"
check "no output left by a failed build" test ! -e "$TMP/junk.rom"
x rom build --efi "$TMP/gop.efi" --out "$TMP/x.rom" --vendor banana; check_eq "bad --vendor refused" 1 "$RC"

# --- status and vf on the simulated X4
sim_start
x status; check_eq "status exits 0" 0 "$RC"
check_match "status shows the PF" '^PF 0000:00:02.0 +8086:46d1 .* driver i915 +VFs 0 of 7' "$OUT"
x vf create 3; check_eq "vf create 3" "0:3" "$RC:$(numvfs)"
check_eq "vf create turned autoprobe off first" 0 "$(sysattr 0000:00:02.0 sriov_drivers_autoprobe)"
x vf create 3; check_match "vf create of the same count is a no-op" 'already has 3 VFs' "$OUT"
x vf create 5; check_eq "vf create 5 over 3 refused (kernel: EBUSY)" "1:3" "$RC:$(numvfs)"
check_match "and says to remove first" 'remove them first' "$OUT"
x vf create 9; check_eq "vf create 9 > totalvfs refused" 1 "$RC"
x vf create abc; check_eq "vf create abc refused" 1 "$RC"
x vf bind 0000:00:02.0
check_match "vf bind of the PF refused" "is the PF .*never unbind" "$OUT"
check_eq "PF still on i915" i915 "$(driver_of 0000:00:02.0)"
x vf bind 0000:00:1f.3; check_match "vf bind of a non-VF refused" 'not a VF of the managed PF' "$OUT"
check_eq "audio untouched" snd_hda_intel "$(driver_of 0000:00:1f.3)"
x vf bind '0000:00:02.1; rm -rf /'; check_eq "garbage address refused" 1 "$RC"
x vf bind 0000:00:02.2; check_eq "vf bind of a free VF" "0:vfio-pci" "$RC:$(driver_of 0000:00:02.2)"
x vf remove; check_eq "vf remove refused while a VF is on vfio-pci" "1:3" "$RC:$(numvfs)"
check_match "and names the VF" '0000:00:02.2 is bound to vfio-pci' "$OUT"
x vf unbind 0000:00:02.2; check_eq "vf unbind gives it back" "0:" "$RC:$(driver_of 0000:00:02.2)"
x status; check_match "status lists the VFs with groups" '^3 +0000:00:02.3 +- +[0-9]+ +-' "$OUT"
# A VF held by a VM (through the real hook) is refused to every vf command.
a=$(dom win-a "$(hostdev 0000:00:02.1 no)")
hook win-a prepare begin "$a"
if [ "$RC" = 0 ]; then
	x status; check_match "status shows the VM holding a VF" '^1 +0000:00:02.1 +vfio-pci +[0-9]+ +win-a' "$OUT"
	x status --json; check_match "status --json names the VM" '"vm":"win-a"' "$(printf '%s' "$OUT" | tr -d ' \n')"
	x vf unbind 0000:00:02.1; check_match "vf unbind of a claimed VF refused" "held by VM 'win-a'" "$OUT"
	check_eq "claimed VF stays on vfio-pci" vfio-pci "$(driver_of 0000:00:02.1)"
	x vf bind 0000:00:02.1; check_eq "vf bind of a claimed VF refused" 1 "$RC"
	x vf remove; check_match "vf remove refused while a VM holds a VF" "held by VM 'win-a'" "$OUT"
	hook win-a release end "$a"
else
	not_ok "x4-hook prepare for the claim test failed: $OUT"
fi
printf 'not json' >"$ROOT/run/x4-sriov/state.json"
x vf remove; check_match "vf remove refused with a damaged state" 'refusing to change VFs' "$OUT"
check_eq "no VF removed" 3 "$(numvfs)"
rm -f "$ROOT/run/x4-sriov/state.json"
x vf remove; check_eq "vf remove" "0:0" "$RC:$(numvfs)"
sim_stop

# --- doctor: a good host passes
sim_start
chmod 755 "$ROOT"   # mktemp made it 0700: the qemu user could not reach /dev/kvmfr0
libvirt_etc; fake_qemu
conf '[host]' 'looking_glass = /dev/kvmfr0' 'lg_size = 32M' "rom = /var/lib/x4-sriov/gop.rom" 'rom_mode = optionrom'
mkdir -p "$ROOT/var/lib/x4-sriov"; cp "$TMP/gop.rom" "$ROOT/var/lib/x4-sriov/gop.rom"
chgrp kvm "$ROOT/dev/kvmfr0"; chmod 0660 "$ROOT/dev/kvmfr0"
x install --root "$ROOT"; check_eq "install into the simulated X4" 0 "$RC"
"$X4CTL" vf create >/dev/null
# The run phase is what a good VM looks like (the install phase has a QXL display on purpose).
"$X4CTL" define --name win11 --vf 0000:00:02.1 --print >"$TMP/install.xml"
"$X4CTL" define --name win11 --phase run --xml "$TMP/install.xml" --print >"$TMP/good.xml"
x doctor --xml "$TMP/good.xml"
check_eq "doctor on a good host exits 0" 0 "$RC"
check_match "no failing row" 'doctor: [0-9]+ pass, [0-9]+ warn, 0 fail' "$OUT"
for c in config iommu gpu-driver sriov-pf vfs vfio-pci kvmfr kvmfr-device kvmfr-access qemu-acl hook wrapper qemu rom; do
	check "doctor good: $c passes" row PASS "$c"
done
check_match "the defined VM passes every VM row" "PASS +vm win11 +CPU host-passthrough" "$OUT"
x doctor --json --xml "$TMP/good.xml"
check "doctor --json is JSON" bash -c "printf '%s' \"\$1\" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d[\"summary\"][\"fail\"] == 0'" _ "$OUT"
x doctor --uri 'qemu+unix:///system?socket=/nonexistent/sock'
check "libvirt unreachable is a warn row" row WARN vms
check_eq "and not a failure" 0 "$RC"
x doctor --uri test:///default; check "libvirt's test driver is listed read-only" row PASS vms

# --- doctor: each broken piece fails with its fix
doc_fail() { # DESC CHECK FIX-REGEX [doctor args]
	local d=$1 c=$2 f=$3; shift 3
	x doctor "$@"
	if [ "$RC" = 1 ] && row FAIL "$c"; then ok "$d: $c fails"; else not_ok "$d: $c fails (rc $RC): $(printf '%s' "$OUT" | grep " $c " | head -2)"; fi
	check_match "$d: fix" "$f" "$(fix_of "$c")"
}
printf 'not json' >"$ROOT/run/x4-sriov/state.json"
doc_fail "damaged state" state "rm /run/x4-sriov/state.json"
rm -f "$ROOT/run/x4-sriov/state.json"
chmod 0640 "$ROOT/dev/kvmfr0"; chgrp root "$ROOT/dev/kvmfr0"
doc_fail "kvmfr0 not accessible" kvmfr-access '99-kvmfr.rules'
chgrp kvm "$ROOT/dev/kvmfr0"; chmod 0660 "$ROOT/dev/kvmfr0"
conf '[host]' 'looking_glass = /dev/kvmfr0' 'lg_size = 64M'
doc_fail "size mismatch" kvmfr-device 'static_size_mb=64'
conf '[host]' 'looking_glass = /dev/kvmfr0' 'rom = /var/lib/x4-sriov/nope.rom'
doc_fail "missing ROM" rom 'extract the Intel GOP driver'
conf '[host]' 'rom = /var/lib/x4-sriov/gop.efi' 'rom_mode = optionrom'
cp "$TMP/gop.efi" "$ROOT/var/lib/x4-sriov/gop.efi"
doc_fail "raw EFI with rom_mode = optionrom" rom 'x4ctl rom build --efi'
conf '[host]' 'num_vfs = banana'
doc_fail "config broken" config 'correct the line'
check_match "config row names file and line" 'x4-sriov.conf:2' "$OUT"
conf '[host]' 'qemu = /usr/local/bin/qemu-x4'
doc_fail "qemu loops to the wrapper" qemu 'qemu = /usr/bin/qemu-system-x86_64'
conf '[host]' 'looking_glass = /dev/kvmfr0'
mv "$ROOT/usr/local/bin/qemu-x4" "$TMP/qemu-x4.saved"
doc_fail "wrapper missing" wrapper 'x4ctl install'
mv "$TMP/qemu-x4.saved" "$ROOT/usr/local/bin/qemu-x4"
cp -p "$ROOT/etc/libvirt/qemu.conf" "$TMP/qemu.conf.saved"
cp /etc/libvirt/qemu.conf "$ROOT/etc/libvirt/qemu.conf"
doc_fail "qemu.conf without the ACL" qemu-acl 'add "/dev/kvmfr0" to cgroup_device_acl'
cp -p "$TMP/qemu.conf.saved" "$ROOT/etc/libvirt/qemu.conf"
mv "$ROOT/etc/libvirt/hooks/qemu" "$TMP/hook.saved"
doc_fail "hook not installed" hook 'x4ctl install'
mv "$TMP/hook.saved" "$ROOT/etc/libvirt/hooks/qemu"
# VM rows: each bad piece of a domain
sed -e "s|<model type=\"none\"/>|<model type=\"qxl\"/>|" "$TMP/good.xml" >"$TMP/video.xml"
doc_fail "emulated video" "vm" "model type='none'" --xml "$TMP/video.xml"
sed -e 's|mode="host-passthrough"|mode="host-model"|' "$TMP/good.xml" >"$TMP/cpu.xml"
doc_fail "CPU not host-passthrough" "vm" "host-passthrough" --xml "$TMP/cpu.xml"
sed -e 's|/usr/local/bin/qemu-x4|/usr/bin/qemu-system-x86_64|' "$TMP/good.xml" >"$TMP/emu.xml"
doc_fail "emulator not qemu-x4 with Looking Glass on" "vm" "<emulator>/usr/local/bin/qemu-x4</emulator>" --xml "$TMP/emu.xml"
sed -e 's|function="0x1"|function="0x0"|' "$TMP/good.xml" >"$TMP/pf.xml"
doc_fail "the PF passed to a VM" "vm" "replace the hostdev 0000:00:02.0" --xml "$TMP/pf.xml"
printf '<domain><name>x</name>' >"$TMP/broken.xml"
doc_fail "malformed domain XML" "vm" "virt-xml-validate" --xml "$TMP/broken.xml"
x doctor --xml "$T_TOP/tests/fixtures/domxml/hook-stdin-prepare-begin.xml"
check_eq "a VM that is not ours adds no row" "" "$(printf '%s\n' "$OUT" | grep ' vm ')"
sim_stop

# States and faults of the simulated host.
sim_start --state no-iommu
doc_fail "no IOMMU" iommu 'enable VT-d in the firmware.*intel_iommu=on'
sim_stop
sim_start --state no-sriov
doc_fail "no SR-IOV driver" sriov-pf 'i915-sriov-dkms'
x status; check_match "status without a PF says why" '^PF: none' "$OUT"
check_eq "status without a PF exits 1" 1 "$RC"
sim_stop
sim_start --state xe
x doctor; check "xe with max_vfs passes the driver row" row PASS gpu-driver
check "xe: PF found" row PASS sriov-pf
sim_stop
sim_start --fault no-vfio
doc_fail "vfio-pci missing" vfio-pci 'modprobe vfio-pci'
sim_stop
sim_start --fault no-kvmfr
conf '[host]' 'looking_glass = /dev/kvmfr0'
doc_fail "kvmfr not loaded" kvmfr 'modprobe kvmfr static_size_mb'
check "kvmfr not loaded: the device fails too" row FAIL kvmfr-device
: >"$ROOT/dev/kvmfr0"
doc_fail "/dev/kvmfr0 a plain file" kvmfr-device 'rm /dev/kvmfr0'
x status; check_match "status shows the plain file" 'plain file' "$OUT"
sim_stop
sim_start
conf '[host]' 'looking_glass = /dev/kvmfr0'
x doctor; check_match "AppArmor off: no rule needed" 'PASS +apparmor +AppArmor is not enabled' "$OUT"
sim_stop
sim_start --fault apparmor
conf '[host]' 'looking_glass = /dev/kvmfr0'
doc_fail "AppArmor on, no local rule" apparmor "/dev/kvmfr0 rw,"
mkdir -p "$ROOT/etc/apparmor.d/local/abstractions"
echo '/dev/kvmfr0 rw,' >"$ROOT/etc/apparmor.d/local/abstractions/libvirt-qemu"
x doctor; check "AppArmor on, with the local rule: passes" row PASS apparmor
sim_stop

# --- install / uninstall on a tree with Debian's libvirt-daemon-system files
R=$TMP/root
mkdir -p "$R/etc"
cp -a /etc/libvirt "$R/etc/"
rm -f "$R/etc/libvirt/hooks/qemu"
for f in $(dpkg -L libvirt-daemon-system | grep '^/etc/apparmor.d/'); do
	[ -f "$f" ] && install -D -m 0644 "$f" "$R$f"
done
mkdir -p "$R/etc/apparmor.d/local/abstractions"; : >"$R/etc/apparmor.d/local/abstractions/libvirt-qemu"
cp -a "$R" "$TMP/orig"
sums() { (cd "$1" && find . \( -type f -o -type l \) -printf '%p %m %l\n' | sort && find . -type f -print0 | sort -z | xargs -0 sha256sum); }
x install --root "$R" --dry-run; check_eq "install --dry-run exits 0" 0 "$RC"
check "install --dry-run changes nothing" diff -r "$R" "$TMP/orig"
x install --root "$R"; check_eq "install exits 0" 0 "$RC"
check_match "install prints the GRUB line" 'GRUB_CMDLINE_LINUX_DEFAULT=".*intel_iommu=on.*i915.max_vfs=7' "$OUT"
check_match "and the command" 'update-grub' "$OUT"
check "hook is libvirt's main hook" test "$(readlink "$R/etc/libvirt/hooks/qemu")" = /usr/local/libexec/x4-sriov/x4-hook
check "hook binary executable" test -x "$R/usr/local/libexec/x4-sriov/x4-hook"
check "wrapper in /usr/local/bin" test -x "$R/usr/local/bin/qemu-x4"
check "config installed from the template" cmp "$R/etc/x4-sriov/x4-sriov.conf" "$T_TOP/templates/x4-sriov.conf"
check "udev rule installed" cmp "$R/etc/udev/rules.d/99-kvmfr.rules" "$T_TOP/templates/99-kvmfr.rules"
check_match "modprobe.d sets static_size_mb" '^options kvmfr static_size_mb=32$' "$(cat "$R/etc/modprobe.d/x4-sriov-kvmfr.conf")"
check_match "modules-load.d loads kvmfr" '^kvmfr$' "$(cat "$R/etc/modules-load.d/x4-sriov.conf")"
check_match "boot unit runs x4ctl vf create" 'ExecStart=/usr/local/sbin/x4ctl vf create' "$(cat "$R/etc/systemd/system/x4-sriov-vfs.service")"
check "boot unit enabled" test -L "$R/etc/systemd/system/multi-user.target.wants/x4-sriov-vfs.service"
check_match "AppArmor lines added" '^/dev/kvmfr\[0-9\] rw,$' "$(cat "$R/etc/apparmor.d/local/abstractions/libvirt-qemu")"
check "qemu.conf keeps every original byte first" cmp -n "$(stat -c %s "$TMP/orig/etc/libvirt/qemu.conf")" "$R/etc/libvirt/qemu.conf" "$TMP/orig/etc/libvirt/qemu.conf"
check_match "qemu.conf lists /dev/kvmfr0 in an active cgroup_device_acl" '^    "/dev/kvmfr0"$' "$(sed -n '/^cgroup_device_acl/,/^]/p' "$R/etc/libvirt/qemu.conf")"
check_eq "qemu.conf keeps its mode" "600" "$(stat -c %a "$R/etc/libvirt/qemu.conf")"
check "the original qemu.conf is backed up" cmp "$R/var/lib/x4-sriov/backup/etc%2Flibvirt%2Fqemu.conf" "$TMP/orig/etc/libvirt/qemu.conf"
sums "$R" >"$TMP/sum1"
x install --root "$R"; check_match "second install changes nothing" 'nothing to change' "$OUT"
sums "$R" >"$TMP/sum2"
check "second install: same files, modes and checksums" cmp "$TMP/sum1" "$TMP/sum2"
x uninstall --root "$R"; check_eq "uninstall exits 0" 0 "$RC"
check "uninstall restores the tree exactly (diff -r)" diff -r --no-dereference "$R" "$TMP/orig"
check "uninstall: same files, modes and checksums" cmp <(sums "$R") <(sums "$TMP/orig")
x uninstall --root "$R"; check_match "uninstall twice is a no-op" 'nothing to uninstall' "$OUT"
# A user's own hook is never overwritten: ours goes to qemu.d.
printf '#!/bin/sh\nexit 0\n' >"$R/etc/libvirt/hooks/qemu"; chmod 755 "$R/etc/libvirt/hooks/qemu"
cp -a "$R/etc/libvirt/hooks/qemu" "$TMP/userhook"
x install --root "$R"
check "user's hook untouched" cmp "$R/etc/libvirt/hooks/qemu" "$TMP/userhook"
check "ours in qemu.d" test "$(readlink "$R/etc/libvirt/hooks/qemu.d/x4-sriov")" = /usr/local/libexec/x4-sriov/x4-hook
# The user edits the config after install: uninstall keeps that file and says so.
echo '# mine' >>"$R/etc/x4-sriov/x4-sriov.conf"
x uninstall --root "$R"
check_match "an edited config is kept" 'keeping .*/etc/x4-sriov/x4-sriov.conf: changed since x4ctl install' "$OUT"
check "qemu.conf restored even so" cmp "$R/etc/libvirt/qemu.conf" "$TMP/orig/etc/libvirt/qemu.conf"
rm -rf "$R/etc/x4-sriov"
x uninstall --root "$R"; check_eq "a second uninstall finishes the job" 0 "$RC"
rm -f "$R/etc/libvirt/hooks/qemu"
check "tree as before" diff -r --no-dereference "$R" "$TMP/orig"
x install --root "$R" --from /nonexistent; check_match "missing binaries: one clear line" 'build it first' "$OUT"

# --- define
sim_start
: >"$TMP/Win11.iso"; : >"$TMP/virtio-win.iso"
x define --name win11 --print --iso "$TMP/Win11.iso" --virtio-win "$TMP/virtio-win.iso" --memory 8192 --cpus 4
check_eq "define --print exits 0" 0 "$RC"
printf '%s' "$OUT" >"$TMP/def.xml"
check "define --print passes virt-xml-validate" virt-xml-validate "$TMP/def.xml" domain
check_match "VF auto: first free VF (expected address, VFs not created)" "slot=\"0x02\" function=\"0x1\"" "$OUT"
for want in 'machine="q35"' 'OVMF_CODE_4M.ms.fd' 'template="/usr/share/OVMF/OVMF_VARS_4M.ms.fd"' \
	'secure="yes"' '<tpm model="tpm-crb">' 'version="2.0"' 'mode="host-passthrough"' \
	'<vendor_id state="on"' '<model type="qxl"' 'managed="yes"' \
	'<emulator>/usr/local/bin/qemu-x4</emulator>' 'bus="virtio"' '<model type="virtio"/>' \
	"$TMP/Win11.iso" 'cores="4"' '<smm state="on"/>'; do
	check_match "define: $want" "$want" "$OUT"
done
# A claimed VF is skipped by --vf auto.
vfa=$(dom win-a "$(hostdev 0000:00:02.1 no)")
hook win-a prepare begin "$vfa"
x define --name other --print; check_match "--vf auto skips a VF a VM holds" 'function="0x2"' "$OUT"
hook win-a release end "$vfa"
x define --name x --vf 0000:00:02.0 --print; check_match "define refuses the PF" 'is the PF' "$OUT"
x define --name 'a/b' --print; check_eq "define refuses a name with /" 1 "$RC"
x define --name ok --disk relative.qcow2 --print; check_match "define resolves a relative disk" "<source file=\"$PWD/relative.qcow2\"/>" "$OUT"
x define --name ok --memory 12 --print; check_eq "define refuses tiny memory" 1 "$RC"
x define --name '<&>' --print; check_match "XML special characters are escaped" '<name>&lt;&amp;&gt;</name>' "$OUT"
# The real libvirt 9.0 accepts it (the emulator must exist for libvirt to probe it).
if "$T_TOP/tests/libvirt/ensure-libvirtd.sh"; then
	n=x4ctl-test-$$
	x define --name "$n" --emulator /usr/bin/qemu-system-x86_64 --print
	printf '%s' "$OUT" >"$TMP/real.xml"
	if virsh -c qemu:///system define "$TMP/real.xml" >"$TMP/virsh.log" 2>&1; then ok "virsh define accepts the domain"; else not_ok "virsh define: $(cat "$TMP/virsh.log")"; fi
	virsh -c qemu:///system undefine --nvram "$n" >/dev/null 2>&1
	x define --name "$n" --emulator /usr/bin/qemu-system-x86_64 --disk "$TMP/lv1.qcow2"
	check_eq "define through the libvirt API" 0 "$RC"
	check_match "the defined domain has the VF hostdev" "function='0x1'" "$(virsh -c qemu:///system dumpxml "$n" 2>&1)"
	x define --name "$n" --emulator /usr/bin/qemu-system-x86_64 --uri test:///default --disk "$TMP/lv2.qcow2"
	check_eq "define into libvirt's test driver" 0 "$RC"
	virsh -c qemu:///system undefine --nvram "$n" >/dev/null 2>&1
	x define --name "$n" --emulator /nonexistent/qemu --disk "$TMP/lv3.qcow2"
	check_match "libvirt's refusal is one line" "^x4ctl: define: libvirt refused the domain '$n': " "$OUT"
else
	not_ok "libvirtd did not start"
fi
sim_stop

# --- man pages render cleanly; completion offers the commands
for m in "$T_TOP"/man/*.[0-9]; do
	w=$(LC_ALL=C.UTF-8 MANWIDTH=100 man --warnings -l "$m" 2>&1 >/dev/null)
	check_eq "man page $(basename "$m") renders without warnings" "" "$w"
done
comp=$(bash -c '. "$1"; COMP_WORDS=(x4ctl ""); COMP_CWORD=1; _x4ctl; echo "${COMPREPLY[*]}"' _ "$T_TOP/completions/x4ctl.bash")
check_match "bash completion lists the commands" 'doctor status vf lg-size rom install uninstall define' "$comp"

t_done
