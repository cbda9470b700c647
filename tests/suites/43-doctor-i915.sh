#!/bin/bash
# x4ctl doctor on simulated hosts, one per i915-sriov-dkms failure mode (F1-F8 of
# ../shared/reference/i915-failures.md): host state (x4sim faults, files under $X4_ROOT, a fake
# kernel log in $X4_ROOT/dev/kmsg with lines as the cited issues show them) -> expected rows
# (id, state, signal, fix). A healthy host shows none of them. Also: the kernel log unreadable
# without privileges, --json, and --report's redaction.
set -u
. "$(dirname "$0")/../lib.sh"
. "$T_TOP/tests/hooklib.sh"
X4CTL=$T_BIN/x4ctl
TMP=$(mktemp -d /tmp/x4doc-test.XXXXXX)
cleanup() { sim_stop; rm -rf "$TMP"; }
trap cleanup EXIT
[ -n "${KEEP:-}" ] && trap "sim_stop" EXIT

KVER=6.18.1-x4sim        # in i915-sriov-dkms 2026.05.06's range
OLDK=6.1.0-26-amd64      # Debian 12's kernel: outside it
DKMS=2026.05.06
ARGS="intel_iommu=on iommu=pt i915.enable_guc=3 i915.max_vfs=7 module_blacklist=xe"

# --- host pieces -----------------------------------------------------------------------------
put() { mkdir -p "$(dirname "$ROOT$1")"; printf '%s\n' "$2" >"$ROOT$1"; }
kver() { put /proc/sys/kernel/osrelease "$1"; }
cmdline() { put /proc/cmdline "BOOT_IMAGE=/boot/vmlinuz root=/dev/nvme0n1p2 ro quiet $*"; }
# kmsg LINE...: the kernel log as /dev/kmsg records (prio 6, growing sequence numbers).
kmsg() {
	local i=0 l
	mkdir -p "$ROOT/dev"
	for l in "$@"; do i=$((i + 1)); printf '6,%d,%d,-;%s\n' "$i" "$((i * 1000))" "$l"; done >"$ROOT/dev/kmsg"
}
dkms_src() { put "/usr/src/i915-sriov-dkms-$DKMS/dkms.conf" "PACKAGE_NAME=\"i915-sriov-dkms\"
PACKAGE_VERSION=\"$DKMS\"
BUILD_EXCLUSIVE_KERNEL=\"^(6\\.1[7-9]|7\\.0)\"
DEST_MODULE_LOCATION[0]=/updates"; }
dkms_ko() { put "/lib/modules/$1/updates/dkms/i915.ko.zst" "not a module"; }
firmware() { local f; for f in adlp_guc_70.bin tgl_huc.bin adlp_dmc.bin; do put "/lib/firmware/i915/$f" fw; done; }
boot_unit() {
	put /etc/systemd/system/x4-sriov-vfs.service "[Service]"
	mkdir -p "$ROOT/etc/systemd/system/multi-user.target.wants"
	ln -sf ../x4-sriov-vfs.service "$ROOT/etc/systemd/system/multi-user.target.wants/x4-sriov-vfs.service"
}
GOOD_LOG=(
	"Linux version $KVER (gcc 12) #1 SMP PREEMPT_DYNAMIC"
	"DMAR: IOMMU enabled"
	"i915: You are using the i915-sriov-dkms module, a ported version of the i915/xe module with SR-IOV support."
	"i915 0000:00:02.0: [drm] GuC firmware i915/adlp_guc_70.bin version 70.36.0"
	"i915 0000:00:02.0: Running in SR-IOV PF mode"
	"i915 0000:00:02.0: 7 VFs could be associated with this PF"
)
# healthy: the dkms build for the running kernel, firmware, our boot unit, a clean log.
healthy() { kver "$KVER"; dkms_src; dkms_ko "$KVER"; firmware; boot_unit; kmsg "${GOOD_LOG[@]}"; }

# --- running doctor and reading its rows -------------------------------------------------------
doctor() { "$X4CTL" doctor --json "$@" >"$TMP/out.json" 2>"$TMP/err"; RC=$?; }
# has STATE ID SIGNAL-REGEX FIX-REGEX: a row with that id and state whose signal and fix match.
has() {
	python3 - "$TMP/out.json" "$@" <<'EOF'
import json, re, sys
d = json.load(open(sys.argv[1]))
st, rid, sig, fix = sys.argv[2:6]
ok = any(r["state"] == st and r["id"] == rid and re.search(sig, r["signal"])
         and re.search(fix, r.get("fix") or "") for r in d["rows"])
if not ok:
    for r in d["rows"]:
        if r["id"] == rid:
            print("    got:", r["state"], r["signal"], "| fix:", r.get("fix"), file=sys.stderr)
sys.exit(0 if ok else 1)
EOF
}
# expect STATE ID SIGNAL-REGEX FIX-REGEX: has, as a test line named by the case.
expect() { if has "$@" 2>"$TMP/why"; then ok "$CASE: $1 $2"; else not_ok "$CASE: $1 $2 /$3/ fix /$4/"; cat "$TMP/why"; fi; }
# None of the failure-mode rows warns or fails.
F_IDS="iommu gpu-driver i915-module secure-boot max-vfs guc firmware vf-groups host-display vfs-at-boot kernel-log"
clean() {
	python3 - "$TMP/out.json" "$F_IDS" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
bad = [r for r in d["rows"] if r["id"] in sys.argv[2].split() and r["state"] != "pass"]
for r in bad:
    print("    unexpected:", r["state"], r["id"], r["signal"], file=sys.stderr)
sys.exit(1 if bad else 0)
EOF
}

# --- the healthy host ---------------------------------------------------------------------------
CASE=healthy
sim_start
healthy
"$X4CTL" vf create 2 >/dev/null 2>&1
doctor
if clean 2>"$TMP/why"; then ok "healthy host: no failure-mode row warns or fails"; else not_ok "healthy host"; cat "$TMP/why"; fi
expect pass i915-module "i915-sriov-dkms $DKMS loaded for $KVER: max_vfs parameter present, taint O" ""
expect pass max-vfs "i915.max_vfs=7 .*sriov_totalvfs 7" ""
expect pass guc "GuC firmware i915/adlp_guc_70.bin version 70" ""
expect pass kernel-log "from /dev/kmsg" ""
expect pass vf-groups "2 VF\(s\), each alone" ""
check "--json rows carry id, state, signal, fix" python3 -c '
import json,sys; d=json.load(open(sys.argv[1]))
assert all({"id","state","signal","fix"} <= set(r) for r in d["rows"])
assert d["summary"]["fail"] == sum(r["state"] == "fail" for r in d["rows"])' "$TMP/out.json"
# the same host, read by a user who may not read the kernel log
chmod 0600 "$ROOT/dev/kmsg"
OUT=$(setpriv --reuid=nobody --regid=nogroup --clear-groups "$X4CTL" doctor 2>&1)
check_match "kernel log unreadable without privileges: a skip row that says so" \
	'SKIP +kernel-log +cannot read the kernel log: /dev/kmsg: permission denied: reading the kernel log needs root' "$OUT"
check_match "and its fix" 'fix: run this as root \(sudo\), or allow reading the log: sysctl kernel.dmesg_restrict=0' "$OUT"
put /var/log/kern.log "Dec  1 09:00:00 x4box kernel: [    0.000000] Linux version $KVER
Dec  1 09:00:04 x4box kernel: [    3.5] i915 0000:00:02.0: 7 VFs could be associated with this PF"
chmod 0644 "$ROOT/var/log/kern.log"
OUT=$(setpriv --reuid=nobody --regid=nogroup --clear-groups "$X4CTL" doctor 2>&1)
check_match "then it falls back to /var/log/kern.log and says why" 'PASS +kernel-log +read [0-9]+ bytes from /var/log/kern.log \(/dev/kmsg: permission denied' "$OUT"
sim_stop

# --- one simulated host per failure mode --------------------------------------------------------
# F1: Debian 12's 6.1 kernel with a release for 6.17+: dkms skipped the build, in-tree i915 runs
# (#304, #340: 'unknown parameter' and the sysfs refusal in dmesg).
CASE=F1-kernel-range
sim_start --fault i915-stock
healthy; kver "$OLDK"
kmsg "Linux version $OLDK" "i915: unknown parameter 'max_vfs' ignored" \
	"i915 0000:00:02.0: driver does not support SR-IOV configuration via sysfs"
doctor
expect fail i915-module "kernel $OLDK does not match BUILD_EXCLUSIVE_KERNEL=.*$DKMS.*unknown parameter 'max_vfs' ignored" "intel-lts-v6.1"
check_eq "$CASE: doctor exits 1" 1 "$RC"
sim_stop

# F1: the release fits the kernel but was never built for it (headers missing: #392, #96)
CASE=F1-not-built
sim_start --fault i915-stock
healthy; rm -rf "$ROOT/lib/modules"
kmsg "i915: unknown parameter 'max_vfs' ignored"
doctor
expect fail i915-module "not built for $KVER" "linux-headers-$KVER; dkms install -m i915-sriov-dkms -v $DKMS -k $KVER"
sim_stop

# F1: not installed at all
CASE=F1-not-installed
sim_start --fault i915-stock
healthy; rm -rf "$ROOT/lib/modules" "$ROOT/usr/src"
kmsg "i915 0000:00:02.0: driver does not support SR-IOV configuration via sysfs"
doctor
expect fail i915-module "not installed.*driver does not support SR-IOV configuration via sysfs" "install i915-sriov-dkms"
sim_stop

# F2: Secure Boot on, the dkms module built but its key not enrolled (#352, docs/secure-boot.md)
CASE=F2-secure-boot
sim_start --fault i915-stock --fault secureboot
healthy
put /var/lib/dkms/mok.pub "$(head -c 600 /dev/urandom | base64)"
kmsg "Lockdown: modprobe: unsigned module loading is restricted; see man kernel_lockdown.7"
doctor
expect fail secure-boot "Secure Boot on.*lockdown \[integrity\].*not enrolled.*unsigned module loading is restricted" "mokutil --import /var/lib/dkms/mok.pub.*Enroll MOK"
expect fail i915-module "is built but the loaded i915 is not it" "enroll the module key"
sim_stop

# F3: max_vfs left out: totalvfs 0, writes answer ERANGE (#268)
CASE=F3-max-vfs
sim_start --fault max-vfs-0
healthy; cmdline "intel_iommu=on iommu=pt i915.enable_guc=3 module_blacklist=xe"
doctor
expect fail max-vfs "sriov_totalvfs 0; i915.max_vfs = 0" "i915.max_vfs=7"
sim_stop

# F3: a typo the kernel passes to no module (#48)
CASE=F3-typo
sim_start
healthy; cmdline "intel_iommu=on 915.enable_guc=3 i915.max_vfs=7 module_blacklist=xe"
doctor
expect warn max-vfs "'915.enable_guc=3'" "i915.<param>="
sim_stop

# F3: nothing makes VFs at boot but a sysfsutils line (#156), or it fights our unit
CASE=F3-persistence
sim_start
healthy; rm -rf "$ROOT/etc/systemd"
put /etc/sysfs.conf "devices/pci0000:00/0000:00:02.0/sriov_numvfs = 7"
doctor
expect warn vfs-at-boot "VFs made at boot by /etc/sysfs.conf: 'devices/pci0000:00/0000:00:02.0/sriov_numvfs = 7'" "x4ctl install"
boot_unit; rm -f "$ROOT/etc/sysfs.conf"
put /etc/tmpfiles.d/i915-set-sriov-numvfs.conf "w /sys/devices/pci0000:00/0000:00:02.0/sriov_numvfs - - - - 7"
doctor
expect warn vfs-at-boot "enabled and /etc/tmpfiles.d/i915-set-sriov-numvfs.conf" "remove that line"
put /etc/tmpfiles.d/i915-set-sriov-numvfs.conf "#w /sys/devices/pci0000:00/0000:00:02.0/sriov_numvfs - - - - 7"
doctor
expect pass vfs-at-boot "nothing else writes" ""
rm -rf "$ROOT/etc/systemd"; rm -f "$ROOT/etc/tmpfiles.d/i915-set-sriov-numvfs.conf"
doctor
expect warn vfs-at-boot "not installed" "x4ctl install"
sim_stop

# F4: GuC firmware missing (projectceladon/vm_manager#272, #285): PF aborted, no VFs
CASE=F4-firmware
sim_start --fault guc-fail
healthy; rm -rf "$ROOT/lib/firmware"
kmsg "i915 0000:00:02.0: [drm] *ERROR* GuC firmware i915/adlp_guc_70.bin: fetch failed with error -2" \
	"firmware: failed to load i915/adlp_dmc.bin (-2)" \
	"i915 0000:00:02.0: [drm] *ERROR* GuC initialization failed -2" \
	"i915 0000:00:02.0: No VFs could be associated with this PF!"
doctor
expect fail guc "GuC initialization failed -2" "firmware-misc-nonfree"
expect fail firmware "missing under /lib/firmware: i915/adlp_guc_70.bin \(GuC\).*failed to load i915/adlp_dmc.bin" "firmware-misc-nonfree.*update-initramfs -u"
expect fail max-vfs "sriov_totalvfs 0 although i915.max_vfs=7.*No VFs could be associated" "guc and firmware rows"
sim_stop

# F4: a wrong enable_guc (#53)
CASE=F4-enable-guc
sim_start --fault guc-fail
healthy
kmsg "i915 0000:00:02.0: Incompatible option enable_guc=7 - undocumented flag" \
	"i915 0000:00:02.0: No VFs could be associated with this PF!"
doctor
expect fail guc "Incompatible option enable_guc=7" "i915.enable_guc=3"
sim_stop

# F4: GuC interface older than the guest's driver wants (#186)
CASE=F4-guc-version
sim_start
healthy
kmsg "i915 0000:00:02.0: IOV: Unable to confirm version 1.9 (0000000000000000)"
doctor
expect fail guc "Unable to confirm version" "update the host's GuC firmware"
sim_stop

# F5: VT-d off in the firmware: no DMAR table, no groups
CASE=F5-vtd-off
sim_start --state no-iommu
healthy; kmsg "Linux version $KVER"
doctor
expect fail iommu "no /sys/firmware/acpi/tables/DMAR" "enable VT-d in the firmware setup"
sim_stop

# F5: VT-d on, intel_iommu=on missing (Debian's kernel leaves it off)
CASE=F5-cmdline
sim_start --state no-iommu --fault dmar
healthy; cmdline "iommu=pt i915.enable_guc=3 i915.max_vfs=7 module_blacklist=xe"
doctor
expect fail iommu "ACPI DMAR table present; intel_iommu=on is not on" "boot with intel_iommu=on"
sim_stop

# F5: a VF shares its IOMMU group
CASE=F5-shared-group
sim_start --fault shared-group
healthy
"$X4CTL" vf create 1 >/dev/null 2>&1
doctor
expect fail vf-groups "VF 0000:00:02.1 shares IOMMU group [0-9]+ with 0000:00:02.0" "ACS"
sim_stop

# F6: xe and i915 both loaded
CASE=F6-both
sim_start --fault xe-too
healthy
doctor
expect fail gpu-driver "i915 and xe are both loaded" "module_blacklist=xe"
sim_stop

# F6: both blacklisted: no driver takes the iGPU (#292)
CASE=F6-none
sim_start
healthy; cmdline "intel_iommu=on module_blacklist=i915,xe"
echo 0000:00:02.0 >"$ROOT/sys/bus/pci/drivers/i915/unbind"
kmsg "i915 0000:00:02.0: no driver bound to device; cannot configure SR-IOV"
doctor
expect fail gpu-driver "no driver; module_blacklist=i915,xe.*cannot configure SR-IOV" "keep module_blacklist= to one"
sim_stop

# F6: xe bound but i915 parameters on the command line
CASE=F6-xe-params
sim_start --state xe
healthy; cmdline "intel_iommu=on xe.max_vfs=7 xe.force_probe=46d1 i915.max_vfs=7 module_blacklist=i915"
doctor
expect warn gpu-driver "on xe but the command line sets i915.max_vfs=7" "xe.force_probe=46d1"
sim_stop

# F7: Code 43 causes in a domain: no ROM, an emulated display, CPU not host-passthrough
CASE=F7-code43
sim_start
healthy
"$X4CTL" define --templates "$T_TOP/templates" --name doc-f7 --vf 0000:00:02.1 --print >"$TMP/good.xml" 2>/dev/null
sed -e 's|<model type="none"/>|<model type="qxl"/>|' -e 's|mode="host-passthrough"|mode="host-model"|' \
	"$TMP/good.xml" >"$TMP/bad.xml"
"$X4CTL" vf create 1 >/dev/null 2>&1
doctor --xml "$TMP/bad.xml"
expect warn "vm doc-f7" "no ROM for the VF" "rom = FILE"
expect fail "vm doc-f7" "emulated display \(video model qxl\)" "model type='none'"
expect fail "vm doc-f7" "CPU mode is host-model" "host-passthrough"
expect pass "vm doc-f7" "unconfirmed" ""
sim_stop

# F8: VFs made with autoprobe on: the host's i915 probed them (#279, #430)
CASE=F8-host-driver
sim_start
healthy
echo 2 >"$ROOT/sys/bus/pci/devices/0000:00:02.0/sriov_numvfs"
doctor
expect warn host-display "0000:00:02.1 on i915.*sriov_drivers_autoprobe = 1" "x4ctl vf remove && x4ctl vf create"
sim_stop

# AppArmor: the kernel log's DENIED lines that name x4-sriov join the apparmor row
CASE=apparmor-denied
sim_start --fault apparmor
healthy
put /etc/apparmor.d/usr.sbin.libvirtd "profile libvirtd /usr/sbin/libvirtd { }"
kmsg "audit: type=1400 audit(1764579600.123:42): apparmor=\"DENIED\" operation=\"open\" profile=\"/usr/sbin/cupsd\" name=\"/etc/cups/x\" pid=9 comm=\"cupsd\"" \
	"audit: type=1400 audit(1764579601.456:43): apparmor=\"DENIED\" operation=\"exec\" profile=\"libvirtd\" name=\"/usr/local/bin/qemu-x4\" pid=812 comm=\"rpc-libvirtd\" requested_mask=\"x\" denied_mask=\"x\""
doctor
expect fail apparmor "lacks x4-sriov's current rules.*1 apparmor=\"DENIED\" line\(s\) naming x4-sriov, newest: .*name=\"/usr/local/bin/qemu-x4\"" "x4ctl install"
sim_stop

# F8: a headless boot (#217: reported to need a display, unconfirmed)
CASE=F8-headless
sim_start --fault headless
healthy
doctor
expect warn host-display "no display connected \(3 connector\(s\) under /sys/class/drm, all disconnected\)" "HDMI dummy"
sim_stop

# --- --report: a redacted bundle ------------------------------------------------------------------
CASE=report
sim_start
healthy
put /etc/hostname x4box-doctor
UUID=4dea22b3-1d52-d8f3-2516-782e98ab3fa0
kmsg "Linux version $KVER" "x4box-doctor i915 0000:00:02.0: 7 VFs could be associated with this PF" \
	"audit: apparmor=\"STATUS\" name=\"libvirt-$UUID\" requested by alice-x4doc"
conf '[host]' "# on x4box-doctor, kept by alice-x4doc" 'rom = /home/alice-x4doc/gop.efi'
USER=alice-x4doc "$X4CTL" doctor --report "$TMP/report.txt" >/dev/null 2>&1
R=$(cat "$TMP/report.txt" 2>/dev/null)
check_match "$CASE: has the rows, kernel, modules, log and config" "== kernel.*release: $KVER.*== modules.*i915-sriov-dkms: $DKMS.*== rows.*PASS +i915-module.*== kernel log.*7 VFs could be associated.*== config" "$(printf '%s' "$R" | tr '\n' ' ')"
check "$CASE: no user name" bash -c '! grep -q alice-x4doc "$1"' _ "$TMP/report.txt"
check "$CASE: no host name from /etc/hostname" bash -c '! grep -q x4box-doctor "$1"' _ "$TMP/report.txt"
h=$(hostname)
if [ "${#h}" -ge 3 ]; then
	check "$CASE: not the machine's host name either" bash -c '! grep -qw -- "$2" "$1"' _ "$TMP/report.txt" "$h"
fi
check "$CASE: no UUID" bash -c '! grep -Eqi "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}" "$1"' _ "$TMP/report.txt"
check_match "$CASE: replaced, not dropped" '/home/<user>/gop.efi.*libvirt-<uuid>' "$(printf '%s' "$R" | tr '\n' ' ')"
"$X4CTL" doctor --report "$TMP/nodir/report.txt" >"$TMP/out" 2>&1
check_match "$CASE: an unwritable path is one line naming it" 'cannot write .*/nodir/report.txt' "$(cat "$TMP/out")"
sim_stop

t_done
