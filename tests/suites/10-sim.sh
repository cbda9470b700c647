#!/bin/bash
# SPDX-License-Identifier: MIT
# Self-tests of the simulated X4 (build/bin/x4sim): the fake kernel's answers, with shell tools only.
# shellcheck disable=SC2016 # single-quoted $X4_ROOT is for the inner shell
set -u
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
SIM=$T_BIN/x4sim
RUN=$T_TOP/tests/sim/x4sim-run

if [ ! -x "$SIM" ]; then
	not_ok "x4sim is built ($SIM missing: make all)"
	t_done
	exit 1
fi

ROOTS=()
# sim_start [x4sim options]: a fresh sim; sets R (root), S (its sys), PF (the iGPU's dir).
sim_start() {
	R=$(mktemp -d /tmp/x4sim-test.XXXXXX)
	ROOTS+=("$R")
	S=$R/sys
	PF=$S/bus/pci/devices/0000:00:02.0
	"$SIM" "$R" "$@"
}
sim_stop() { "$SIM" --stop "$R" && rm -rf --one-file-system "$R"; }
cleanup() {
	local r
	for r in "${ROOTS[@]}"; do
		"$SIM" --stop "$r" >/dev/null 2>&1
		mountpoint -q "$r/sys" || rm -rf --one-file-system "$r"
	done
}
trap cleanup EXIT

# wr FILE VALUE: `echo VALUE > FILE`; prints "ok" or the shell's error text (strerror).
wr() {
	local out
	if out=$({ printf '%s\n' "$2" >"$1"; } 2>&1); then echo ok; else echo "${out##*: }"; fi
}
dev() { echo "$S/bus/pci/devices/$1"; }
drv_of() { local l; l=$(readlink "$(dev "$1")/driver") && basename "$l"; }
group_of() { local l; l=$(readlink "$(dev "$1")/iommu_group") && basename "$l"; }
lspci_sim() { lspci -A linux-sysfs -O "sysfs.path=$S/bus/pci" "$@" 2>/dev/null; }
# alive PID: the background job has not finished yet
alive() { kill -0 "$1" 2>/dev/null; }

# --- CLI -----------------------------------------------------------------------------------
check "--help exits 0 and shows the usage" bash -c "'$SIM' --help | grep -q 'x4sim --stop ROOT'"
"$SIM" /tmp/x4sim-never --state bogus 2>/dev/null
check_eq "unknown state is a usage error" 2 $?
"$SIM" /tmp/x4sim-never --fault bogus 2>/dev/null
check_eq "unknown fault is a usage error" 2 $?
rm -rf /tmp/x4sim-never

# --- default state: the tree ---------------------------------------------------------------
sim_start
check "mount is ready when x4sim returns" mountpoint -q "$S"
check_eq "bus link of the iGPU" "../../../devices/pci0000:00/0000:00:02.0" \
	"$(readlink "$(dev 0000:00:02.0)")"
check_eq "NVMe nests under its root port" \
	"../../../devices/pci0000:00/0000:00:1c.0/0000:01:00.0" "$(readlink "$(dev 0000:01:00.0)")"
check_eq "nested driver link has the right depth" "../../../../bus/pci/drivers/nvme" \
	"$(readlink "$S/devices/pci0000:00/0000:00:1c.0/0000:01:00.0/driver")"
bad=0
for l in "$S"/bus/pci/devices/*; do
	[ -d "$l/" ] || bad=1
	for k in driver iommu_group subsystem; do
		[ -L "$l/$k" ] && { [ -d "$l/$k/" ] || bad=1; }
	done
done
check_eq "every device, driver, group and subsystem link resolves" 0 $bad
check_eq "12 functions on the X4" 12 "$(find "$S/bus/pci/devices/" -mindepth 1 -maxdepth 1 | wc -l)"
check_eq "iGPU vendor" 0x8086 "$(cat "$PF/vendor")"
check_eq "iGPU device" 0x46d1 "$(cat "$PF/device")"
check_eq "iGPU class" 0x030000 "$(cat "$PF/class")"
check_eq "iGPU boot_vga" 1 "$(cat "$PF/boot_vga")"
check_eq "iGPU driver" i915 "$(drv_of 0000:00:02.0)"
check_eq "iGPU sriov_totalvfs" 7 "$(cat "$PF/sriov_totalvfs")"
check_eq "iGPU sriov_numvfs" 0 "$(cat "$PF/sriov_numvfs")"
check_eq "iGPU sriov_drivers_autoprobe" 1 "$(cat "$PF/sriov_drivers_autoprobe")"
check_eq "iGPU sriov_offset/stride/vf_device" "1 1 46d1" \
	"$(cat "$PF/sriov_offset" "$PF/sriov_stride" "$PF/sriov_vf_device" | xargs)"
check_eq "driver_override empty reads (null)" "(null)" "$(cat "$PF/driver_override")"
check_eq "config is 256 bytes" 256 "$(wc -c <"$PF/config")"
check_eq "config starts with the IDs" "86 80 d1 46" "$(od -An -tx1 -N4 "$PF/config" | xargs)"
g=$(group_of 0000:00:02.0)
check_eq "iGPU is alone in its IOMMU group" 0000:00:02.0 "$(ls "$S/kernel/iommu_groups/$g/devices")"
g=$(group_of 0000:00:1f.3)
check_eq "audio, SMBus and ISA share a PCH group" "0000:00:1f.0 0000:00:1f.3 0000:00:1f.4" \
	"$(find "$S/kernel/iommu_groups/$g/devices/" -mindepth 1 -printf '%f\n' | sort | xargs)"
check_eq "driver dir links its devices" "../../../../devices/pci0000:00/0000:00:1d.0/0000:02:00.0" \
	"$(readlink "$S/bus/pci/drivers/igc/0000:02:00.0")"
check "driver dirs have bind/unbind/new_id/remove_id" test -f "$S/bus/pci/drivers/i915/bind" -a \
	-f "$S/bus/pci/drivers/i915/unbind" -a -f "$S/bus/pci/drivers/vfio-pci/new_id" -a \
	-f "$S/bus/pci/drivers/vfio-pci/remove_id"
check "drivers_probe and drivers_autoprobe exist" test -f "$S/bus/pci/drivers_probe" -a \
	-f "$S/bus/pci/drivers_autoprobe"
check_eq "i915 parameters" "3 7" \
	"$(cat "$S/module/i915/parameters/enable_guc" "$S/module/i915/parameters/max_vfs" | xargs)"
check_eq "kvmfr static_size_mb" 32 "$(cat "$S/module/kvmfr/parameters/static_size_mb")"
check "vfio_pci module present" test -d "$S/module/vfio_pci"
check "DMAR table present" test -f "$S/firmware/acpi/tables/DMAR"
check "dev/kvmfr0 is a char device" test -c "$R/dev/kvmfr0"
check "dev/vfio exists" test -d "$R/dev/vfio"
check "etc and run exist" test -d "$R/etc" -a -d "$R/run"
check_match "cmdline has the i915 parameters" \
	'intel_iommu=on iommu=pt i915.enable_guc=3 i915.max_vfs=7 module_blacklist=xe' "$(cat "$R/proc/cmdline")"
check_match "lspci lists the iGPU" '00:02.0 VGA .*\[8086:46d1\]' "$(lspci_sim -nn)"
check_match "lspci -k shows driver names" 'Kernel driver in use: igc' "$(lspci_sim -k)"

# --- refusals of read-only things ------------------------------------------------------------
check_eq "write to vendor is refused" "Permission denied" "$(wr "$PF/vendor" 0x1234)"
check_eq "creating a file is refused" "Permission denied" "$(wr "$PF/new_attr" 1)"
# shellcheck disable=SC2002 # cat itself is what is refused
check_eq "reading bind is refused" "Permission denied" \
	"$(cat "$S/bus/pci/drivers/i915/bind" 2>&1 | sed 's/.*: //')"
check_match "removing an attribute is refused" 'Operation not permitted' "$(rm -f "$PF/vendor" 2>&1)"
check_match "mkdir is refused" 'Operation not permitted' "$(mkdir "$S/newdir" 2>&1)"
check_eq "log has no entry for refused opens" "" "$(cat "$S/x4sim/log")"

# --- sriov_numvfs -------------------------------------------------------------------------
check_eq "numvfs: not a number" "Invalid argument" "$(wr "$PF/sriov_numvfs" abc)"
check_eq "numvfs: negative" "Invalid argument" "$(wr "$PF/sriov_numvfs" -1)"
check_eq "numvfs: trailing junk" "Invalid argument" "$(wr "$PF/sriov_numvfs" "2x")"
check_eq "numvfs: above totalvfs" "Numerical result out of range" "$(wr "$PF/sriov_numvfs" 8)"
check_eq "numvfs: above u16" "Numerical result out of range" "$(wr "$PF/sriov_numvfs" 70000)"
check_eq "numvfs: same as now is a no-op" ok "$(wr "$PF/sriov_numvfs" 0)"
check_match "log records refused writes with errno" \
	'^/sys/devices/pci0000:00/0000:00:02.0/sriov_numvfs abc -> EINVAL$' "$(cat "$S/x4sim/log")"
check_match "log records ERANGE" 'sriov_numvfs 8 -> ERANGE' "$(cat "$S/x4sim/log")"
check_eq "autoprobe: only booleans" "Invalid argument" "$(wr "$PF/sriov_drivers_autoprobe" 2)"
check_eq "autoprobe: kstrtobool y accepted" ok "$(wr "$PF/sriov_drivers_autoprobe" y)"
check_eq "autoprobe: 0 accepted" ok "$(wr "$PF/sriov_drivers_autoprobe" 0)"
check_eq "autoprobe reads back" 0 "$(cat "$PF/sriov_drivers_autoprobe")"
check_eq "create 2 VFs" ok "$(wr "$PF/sriov_numvfs" 2)"
check_eq "numvfs reads 2" 2 "$(cat "$PF/sriov_numvfs")"
check_eq "virtfn0 link" ../0000:00:02.1 "$(readlink "$PF/virtfn0")"
check_eq "virtfn1 link" ../0000:00:02.2 "$(readlink "$PF/virtfn1")"
check_eq "VF physfn link" ../0000:00:02.0 "$(readlink "$(dev 0000:00:02.1)/physfn")"
check_eq "VF bus link" ../../../devices/pci0000:00/0000:00:02.2 "$(readlink "$(dev 0000:00:02.2)")"
check_eq "VF IDs are the PF's" "0x8086 0x46d1 0x030000 0" \
	"$(cat "$(dev 0000:00:02.1)"/{vendor,device,class,boot_vga} | xargs)"
check "VF has no sriov_* files" test ! -e "$(dev 0000:00:02.1)/sriov_numvfs"
check "autoprobe 0: VF has no driver" test ! -e "$(dev 0000:00:02.1)/driver"
g1=$(group_of 0000:00:02.1) g2=$(group_of 0000:00:02.2)
check "each VF has its own new IOMMU group" test -n "$g1" -a -n "$g2" -a "$g1" != "$g2" -a \
	"$g1" != "$(group_of 0000:00:02.0)"
check_eq "VF group holds only the VF" 0000:00:02.1 "$(ls "$S/kernel/iommu_groups/$g1/devices")"
check_eq "non-zero while VFs exist" "Device or resource busy" "$(wr "$PF/sriov_numvfs" 3)"
check_eq "still 2 VFs" 2 "$(cat "$PF/sriov_numvfs")"
check_eq "lspci lists PF and VFs" 3 "$(lspci_sim -nn | grep -c '00:02\.[0-2] .*\[8086:46d1\]')"

# --- driver_override, drivers_probe, bind, unbind --------------------------------------------
V1=$(dev 0000:00:02.1) V2=$(dev 0000:00:02.2)
check_eq "override set" ok "$(wr "$V1/driver_override" vfio-pci)"
check_eq "override reads back" vfio-pci "$(cat "$V1/driver_override")"
check "override alone binds nothing" test ! -e "$V1/driver"
check_eq "drivers_probe honours the override" ok "$(wr "$S/bus/pci/drivers_probe" 0000:00:02.1)"
check_eq "VF on vfio-pci" vfio-pci "$(drv_of 0000:00:02.1)"
check_eq "driver link path" ../../../bus/pci/drivers/vfio-pci "$(readlink "$V1/driver")"
check "vfio-pci dir links the VF" test -L "$S/bus/pci/drivers/vfio-pci/0000:00:02.1"
check "dev/vfio/GROUP appears" test -e "$R/dev/vfio/$g1"
check_match "lspci -k shows vfio-pci" 'Kernel driver in use: vfio-pci' "$(lspci_sim -k -s 00:02.1)"
check_eq "probe of a bound device: ok, unchanged" ok "$(wr "$S/bus/pci/drivers_probe" 0000:00:02.1)"
check_eq "bind of a bound device" "Device or resource busy" \
	"$(wr "$S/bus/pci/drivers/vfio-pci/bind" 0000:00:02.1)"
check_eq "bind against the override" "No such device" "$(wr "$S/bus/pci/drivers/i915/bind" 0000:00:02.1)"
check_eq "bind unknown device" "No such device" "$(wr "$S/bus/pci/drivers/i915/bind" 0000:00:09.0)"
check_eq "vfio-pci binds only by override" "No such device" \
	"$(wr "$S/bus/pci/drivers/vfio-pci/bind" 0000:00:02.2)"
check_eq "VF cannot probe with autoprobe 0" "No such device" \
	"$(wr "$S/bus/pci/drivers/i915/bind" 0000:00:02.2)"
check_eq "unbind from the wrong driver" "No such device" \
	"$(wr "$S/bus/pci/drivers/i915/unbind" 0000:00:02.1)"
check_eq "unbind from vfio-pci" ok "$(wr "$S/bus/pci/drivers/vfio-pci/unbind" 0000:00:02.1)"
check "driver link gone" test ! -e "$V1/driver" -a ! -L "$V1/driver"
check "vfio-pci link gone" test ! -L "$S/bus/pci/drivers/vfio-pci/0000:00:02.1"
check "dev/vfio/GROUP removed" test ! -e "$R/dev/vfio/$g1"
check_eq "override cleared by newline" ok "$(wr "$V1/driver_override" "")"
check_eq "override reads (null) again" "(null)" "$(cat "$V1/driver_override")"
check_eq "probe unknown device" "No such device" "$(wr "$S/bus/pci/drivers_probe" 0000:00:09.0)"
check_eq "probe with no match succeeds" ok "$(wr "$S/bus/pci/drivers_probe" 0000:00:02.2)"
check "and leaves the VF unbound" test ! -e "$V2/driver"
check_eq "probe of the unbound ISA bridge succeeds" ok \
	"$(wr "$S/bus/pci/drivers_probe" 0000:00:1f.0)"
check "ISA bridge stays unbound" test ! -e "$(dev 0000:00:1f.0)/driver"
wr "$PF/sriov_drivers_autoprobe" 1 >/dev/null
check_eq "probe after autoprobe 1" ok "$(wr "$S/bus/pci/drivers_probe" 0000:00:02.2)"
check_eq "VF on the PF's driver" i915 "$(drv_of 0000:00:02.2)"
check_eq "new_id malformed" "Invalid argument" "$(wr "$S/bus/pci/drivers/vfio-pci/new_id" zz)"
check_eq "new_id" ok "$(wr "$S/bus/pci/drivers/vfio-pci/new_id" "8086 54c8")"
check_eq "new_id twice" "File exists" "$(wr "$S/bus/pci/drivers/vfio-pci/new_id" "8086 54c8")"
check_eq "new_id does not steal a bound device" snd_hda_intel "$(drv_of 0000:00:1f.3)"
check_eq "remove_id" ok "$(wr "$S/bus/pci/drivers/vfio-pci/remove_id" "8086 54c8")"
check_eq "remove_id unknown" "No such device" "$(wr "$S/bus/pci/drivers/vfio-pci/remove_id" "8086 54c8")"
check_eq "unbinding the PF is possible (and logged)" ok \
	"$(wr "$S/bus/pci/drivers/i915/unbind" 0000:00:02.0)"
check_match "PF unbind is in the log" 'drivers/i915/unbind 0000:00:02.0 -> ok' "$(cat "$S/x4sim/log")"
check_eq "numvfs with no PF driver" "No such file or directory" "$(wr "$PF/sriov_numvfs" 0)"
check_eq "rebind the PF" ok "$(wr "$S/bus/pci/drivers/i915/bind" 0000:00:02.0)"

# --- blocking while a VF is in use ----------------------------------------------------------
wr "$V1/driver_override" vfio-pci >/dev/null
wr "$S/bus/pci/drivers_probe" 0000:00:02.1 >/dev/null
check_eq "inuse +ADDR" ok "$(wr "$S/x4sim/inuse" +0000:00:02.1)"
check_eq "inuse lists it" 0000:00:02.1 "$(cat "$S/x4sim/inuse")"
check_eq "inuse rejects a malformed address" "Invalid argument" "$(wr "$S/x4sim/inuse" +00:02.1)"
out=$(mktemp)
(wr "$PF/sriov_numvfs" 0 >"$out.w") &
writer=$!
sleep 0.3
(cat "$PF/sriov_numvfs" >"$out.r" 2>&1) &
reader=$!
sleep 0.3
check "writing 0 blocks while a VF is in use" alive $writer
check "reading sriov_numvfs blocks meanwhile" alive $reader
check_match "log shows the blocked write" 'sriov_numvfs 0 -> blocked' "$(cat "$S/x4sim/log")"
check "VFs still there while blocked" test -d "$V1"
check_eq "inuse -ADDR releases" ok "$(wr "$S/x4sim/inuse" -0000:00:02.1)"
wait $writer
check_eq "the blocked write then succeeds" ok "$(cat "$out.w")"
wait $reader
check_eq "the blocked read then sees 0" 0 "$(cat "$out.r")"
rm -f "$out" "$out.w" "$out.r"
check "VF dirs are gone" test ! -e "$V1" -a ! -e "$(dev 0000:00:02.2)"
check "VF groups are gone" test ! -e "$S/kernel/iommu_groups/$g1" -a ! -e "$S/kernel/iommu_groups/$g2"
check "virtfn links are gone" test ! -L "$PF/virtfn0"
check "dev/vfio/GROUP removed with the VF" test ! -e "$R/dev/vfio/$g1"
check_eq "inuse -ADDR of an absent entry" "No such file or directory" "$(wr "$S/x4sim/inuse" -0000:00:02.1)"
wr "$PF/sriov_numvfs" 1 >/dev/null
wr "$V1/driver_override" vfio-pci >/dev/null
wr "$S/bus/pci/drivers/i915/unbind" 0000:00:02.1 >/dev/null
wr "$S/bus/pci/drivers_probe" 0000:00:02.1 >/dev/null
wr "$S/x4sim/inuse" +0000:00:02.1 >/dev/null
(wr "$S/bus/pci/drivers/vfio-pci/unbind" 0000:00:02.1 >/dev/null) &
writer=$!
sleep 0.3
check "unbinding a VF in use blocks" alive $writer
check_eq "still on vfio-pci meanwhile" vfio-pci "$(drv_of 0000:00:02.1)"
wr "$S/x4sim/inuse" -0000:00:02.1 >/dev/null
wait $writer
check "released: the VF is unbound" test ! -e "$V1/driver"
wr "$PF/sriov_numvfs" 0 >/dev/null

# --- autoprobe 1: VFs bind to the PF driver ----------------------------------------------------
check_eq "create 7 VFs" ok "$(wr "$PF/sriov_numvfs" 7)"
check_eq "VF 7 exists on i915" i915 "$(drv_of 0000:00:02.7)"
check_eq "lspci -k shows i915 on VFs" 8 "$(lspci_sim -k -s 00:02 | grep -c 'Kernel driver in use: i915')"
check_eq "remove all VFs" ok "$(wr "$PF/sriov_numvfs" 0)"
check_eq "bus autoprobe 0" ok "$(wr "$S/bus/pci/drivers_autoprobe" 0)"
wr "$PF/sriov_numvfs" 1 >/dev/null
check "bus autoprobe 0: new VF not probed" test ! -e "$(dev 0000:00:02.1)/driver"
wr "$PF/sriov_numvfs" 0 >/dev/null
wr "$S/bus/pci/drivers_autoprobe" 1 >/dev/null

# --- runtime faults ----------------------------------------------------------------------------
check_eq "unknown fault" "Invalid argument" "$(wr "$S/x4sim/fault" +bogus)"
check_eq "+pf-busy" ok "$(wr "$S/x4sim/fault" +pf-busy)"
check_eq "fault lists it" pf-busy "$(cat "$S/x4sim/fault")"
check_eq "pf-busy: numvfs EBUSY" "Device or resource busy" "$(wr "$PF/sriov_numvfs" 1)"
wr "$S/x4sim/fault" -pf-busy >/dev/null
check_eq "+numvfs-enoent" ok "$(wr "$S/x4sim/fault" +numvfs-enoent)"
check_eq "numvfs-enoent: numvfs ENOENT" "No such file or directory" "$(wr "$PF/sriov_numvfs" 1)"
wr "$S/x4sim/fault" -numvfs-enoent >/dev/null
check_eq "+bind-ebusy" ok "$(wr "$S/x4sim/fault" +bind-ebusy)"
check_eq "bind-ebusy: unbind EBUSY" "Device or resource busy" \
	"$(wr "$S/bus/pci/drivers/igc/unbind" 0000:02:00.0)"
check_eq "bind-ebusy: bind EBUSY" "Device or resource busy" \
	"$(wr "$S/bus/pci/drivers/igc/bind" 0000:02:00.0)"
check_eq "igc still bound" igc "$(drv_of 0000:02:00.0)"
wr "$S/x4sim/fault" -bind-ebusy >/dev/null
check_eq "+no-kvmfr" ok "$(wr "$S/x4sim/fault" +no-kvmfr)"
check "no-kvmfr: device and module gone" test ! -e "$R/dev/kvmfr0" -a ! -e "$S/module/kvmfr"
wr "$S/x4sim/fault" -no-kvmfr >/dev/null
check "-no-kvmfr: device back" test -c "$R/dev/kvmfr0"
check_eq "+no-vfio" ok "$(wr "$S/x4sim/fault" +no-vfio)"
check "no-vfio: driver and module gone" test ! -e "$S/bus/pci/drivers/vfio-pci" -a \
	! -e "$S/module/vfio_pci"
wr "$S/x4sim/fault" -no-vfio >/dev/null
wr "$PF/sriov_numvfs" 1 >/dev/null
check_eq "+vf-stuck" ok "$(wr "$S/x4sim/fault" +vf-stuck)"
(wr "$PF/sriov_numvfs" 0 >/dev/null) &
writer=$!
sleep 0.3
check "vf-stuck: writing 0 blocks" alive $writer
wr "$S/x4sim/fault" -vf-stuck >/dev/null
wait $writer
check_eq "vf-stuck released: VFs gone" 0 "$(cat "$PF/sriov_numvfs")"
if command -v setpriv >/dev/null; then
	check_match "non-root cannot write" 'Permission denied' \
		"$(setpriv --reuid=65534 --regid=65534 --clear-groups sh -c "echo 1 > '$PF/sriov_numvfs'" 2>&1)"
fi
check_eq "control writes stay out of the log" 0 "$(grep -c /x4sim/ "$S/x4sim/log")"

# --- --stop with a write still blocked -------------------------------------------------------
wr "$PF/sriov_numvfs" 1 >/dev/null
wr "$S/x4sim/inuse" +0000:00:02.1 >/dev/null
(wr "$PF/sriov_numvfs" 0 >/dev/null) &
writer=$!
sleep 0.3
check "--stop with a blocked writer" "$SIM" --stop "$R"
wait $writer
check "sys is unmounted" bash -c "! mountpoint -q '$R/sys'"
rm -rf --one-file-system "$R"

# --- states ------------------------------------------------------------------------------------
sim_start --state no-iommu
check "no-iommu: no DMAR" test ! -e "$S/firmware/acpi/tables/DMAR"
check_eq "no-iommu: no groups" "" "$(ls "$S/kernel/iommu_groups")"
check "no-iommu: no iommu_group link" test ! -e "$PF/iommu_group"
check "no-iommu: cmdline without intel_iommu" bash -c "! grep -q intel_iommu '$R/proc/cmdline'"
wr "$PF/sriov_drivers_autoprobe" 0 >/dev/null
wr "$PF/sriov_numvfs" 1 >/dev/null
check "no-iommu: VF without group" test -d "$(dev 0000:00:02.1)" -a ! -e "$(dev 0000:00:02.1)/iommu_group"
wr "$(dev 0000:00:02.1)/driver_override" vfio-pci >/dev/null
check_eq "no-iommu: probe succeeds" ok "$(wr "$S/bus/pci/drivers_probe" 0000:00:02.1)"
check "no-iommu: but vfio-pci cannot take the VF" test ! -e "$(dev 0000:00:02.1)/driver"
sim_stop

sim_start --state no-sriov
check_eq "no-sriov: i915 on the iGPU" i915 "$(drv_of 0000:00:02.0)"
check "no-sriov: no sriov files" test ! -e "$PF/sriov_numvfs" -a ! -e "$PF/sriov_totalvfs"
sim_stop

sim_start --state xe
check_eq "xe: iGPU on xe" xe "$(drv_of 0000:00:02.0)"
check_eq "xe: max_vfs parameter" 7 "$(cat "$S/module/xe/parameters/max_vfs")"
check "xe: no i915 module or driver" test ! -e "$S/module/i915" -a ! -e "$S/bus/pci/drivers/i915"
check_match "xe: cmdline" 'xe.max_vfs=7 xe.force_probe=46d1 module_blacklist=i915' "$(cat "$R/proc/cmdline")"
wr "$PF/sriov_numvfs" 2 >/dev/null
check_eq "xe: VFs bind to xe" xe "$(drv_of 0000:00:02.2)"
sim_stop

sim_start --fault no-vfio --fault no-kvmfr
check "no-vfio: no vfio-pci driver" test ! -e "$S/bus/pci/drivers/vfio-pci"
check "no-vfio: no vfio_pci module" test ! -e "$S/module/vfio_pci"
check "no-kvmfr: no kvmfr0" test ! -e "$R/dev/kvmfr0" -a ! -e "$S/module/kvmfr"
check_eq "both faults listed" "no-vfio no-kvmfr" "$(xargs <"$S/x4sim/fault")"
wr "$PF/sriov_drivers_autoprobe" 0 >/dev/null
wr "$PF/sriov_numvfs" 1 >/dev/null
wr "$(dev 0000:00:02.1)/driver_override" vfio-pci >/dev/null
check_eq "no-vfio: probe succeeds" ok "$(wr "$S/bus/pci/drivers_probe" 0000:00:02.1)"
check "no-vfio: VF stays unbound" test ! -e "$(dev 0000:00:02.1)/driver"
sim_stop

sim_start --fault pf-busy
check_eq "pf-busy from the start" "Device or resource busy" "$(wr "$PF/sriov_numvfs" 2)"
sim_stop

# --- x4sim-run ---------------------------------------------------------------------------------
out=$("$RUN" -- sh -c 'cat "$X4_ROOT/sys/bus/pci/devices/0000:00:02.0/device"; echo "$X4_ROOT"')
check_eq "x4sim-run exports X4_ROOT on a live sim" 0x46d1 "$(echo "$out" | head -1)"
check "x4sim-run removes its root" test ! -e "$(echo "$out" | tail -1)"
"$RUN" --state xe -- sh -c 'exit 7'
check_eq "x4sim-run passes the exit status" 7 $?
check_eq "x4sim-run passes options" xe "$("$RUN" --state xe -- sh -c 'cat "$X4_ROOT/sys/x4sim/state"')"

t_done
