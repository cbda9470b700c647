#!/bin/bash
# SPDX-License-Identifier: MIT
# x4ctl doctor on a real kernel: the rows that can be real here (IOMMU on, vfio-pci loaded, each
# VF alone in its IOMMU group, the kernel log read from the real /dev/kmsg) must give the same
# answers as on the simulated X4 (tests/suites/43-doctor-i915.sh). The PF is QEMU's NVMe, so the
# i915 rows are not compared. Run alone: tests/vm/run.sh --timeout 300 scenarios/doctor-real.sh
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../../lib.sh"
# shellcheck source=tests/vm/fixtures/vmlib.sh
. "$T_TOP/tests/vm/fixtures/vmlib.sh"

OUTJ=/tmp/doctor-real.json

write_conf
wr "$P/sriov_drivers_autoprobe" 0
wr "$P/sriov_numvfs" 2
check_eq "two VFs made for doctor to look at" 2 "$(numvfs)"
"$X4CTL" doctor --json --uri test:///default >"$OUTJ" 2>/tmp/doctor-real.err
rc=$?
check "doctor ran (exit 0 or 1, not a crash: $rc)" test "$rc" -le 1
check "doctor --json is JSON with rows" python3 -c 'import json,sys; assert json.load(open(sys.argv[1]))["rows"]' "$OUTJ"

# One python run (each exec is slow under TCG): STATE ID REGEX per line, as the simulated host
# answers them; prints ok/not ok lines for each.
python3 - "$OUTJ" "$PF" >/tmp/doctor-real.tap <<'EOF'
import json, re, sys
rows = json.load(open(sys.argv[1]))["rows"]
pf = sys.argv[2]
want = [
    ("pass", "kernel-log", r"^read [1-9][0-9]* bytes from /dev/kmsg$"),
    ("pass", "iommu", r"^IOMMU groups present, intel_iommu=on"),
    ("pass", "vfio-pci", r"^vfio-pci loaded$"),
    ("pass", "vf-groups", r"^2 VF\(s\), each alone in its IOMMU group$"),
    ("pass", "sriov-pf", r"^PF " + re.escape(pf) + r" on nvme, sriov_totalvfs 2$"),
    ("pass", "config", r"valid"),
]
for st, rid, rx in want:
    got = [r for r in rows if r["id"] == rid]
    good = any(r["state"] == st and re.search(rx, r["signal"]) for r in got)
    desc = "doctor on the real kernel: %s %s /%s/" % (st, rid, rx)
    if good:
        print("ok - " + desc)
    else:
        print("not ok - %s (got: %s)" % (desc, "; ".join("%s %s" % (r["state"], r["signal"]) for r in got) or "no row"))
EOF
while IFS= read -r line; do
	case $line in
	"ok - "*) ok "${line#ok - }" ;;
	*) not_ok "${line#not ok - }" ;;
	esac
done </tmp/doctor-real.tap
# the real log holds the IOMMU's own line, which the iommu row quotes
check_match "the iommu row quotes the kernel's DMAR line" '"signal": *"IOMMU groups present, intel_iommu=on; log: DMAR: IOMMU enabled' "$(cat "$OUTJ")"
wr "$P/sriov_numvfs" 0
t_done
