/* SPDX-License-Identifier: MIT */
/* doctor, IOMMU (F5): VT-d in the firmware (ACPI DMAR), intel_iommu=on, each VF's group alone. */
#include <stdio.h>
#include <string.h>

#include "doctor.h"
#include "iommu.h"
#include "sriov.h"

void doc_check_iommu(struct doc *d)
{
	int on = doc_cmdline_has(d->cmdline, "intel_iommu=on");
	int dmar = doc_exists("/sys/firmware/acpi/tables/DMAR");
	char line[256] = "";

	if (x4_iommu_enabled()) {
		doc_log(d, "DMAR: IOMMU enabled", line, sizeof(line));
		doc_emit(d, DOC_PASS, "iommu", NULL, NULL, "IOMMU groups present%s%s%s",
			 on ? ", intel_iommu=on" : " (intel_iommu=on not on the command line)",
			 line[0] ? "; log: " : "", line);
		return;
	}
	if (!dmar)
		doc_emit(d, DOC_FAIL, "iommu",
			 "VT-d is off in the firmware: the kernel has no IOMMU to give VFs to VMs",
			 "enable VT-d in the firmware setup (Chipset > VT-d), "
			 "and boot with " X4_KARG_IOMMU ": " DOC_GRUB,
			 "no IOMMU groups (/sys/kernel/iommu_groups empty) and no "
			 "/sys/firmware/acpi/tables/DMAR%s",
			 on ? "" : "; intel_iommu=on is not on the kernel command line either");
	else if (!on)
		doc_emit(d, DOC_FAIL, "iommu",
			 "VT-d is on in the firmware but the kernel did not start the IOMMU "
			 "(Debian's kernel needs intel_iommu=on)",
			 "boot with " X4_KARG_IOMMU ": " DOC_GRUB,
			 "no IOMMU groups; ACPI DMAR table present; intel_iommu=on is not on the "
			 "kernel command line");
	else
		doc_emit(d, DOC_FAIL, "iommu", "the IOMMU failed to start for another reason",
			 "check 'dmesg | grep -i -e DMAR -e IOMMU' for why the IOMMU did not "
			 "start",
			 "intel_iommu=on is set and the DMAR table is present, but there are no "
			 "IOMMU groups");
}

/* A VF is only safe to pass alone: every other member of its group goes with it. */
void doc_check_vf_groups(struct doc *d)
{
	struct x4_pciaddr m[16];
	char a[X4_PCIADDR_STRLEN], b[X4_PCIADDR_STRLEN], list[512];
	unsigned num = 0, i, group, bad = 0, checked = 0;
	struct x4_err e;

	if (!d->have_pf || !x4_iommu_enabled() || x4_sriov_numvfs(&d->pf, &num, &e) < 0 ||
	    num == 0)
		return; /* the iommu, sriov-pf and vfs rows say why */
	for (i = 1; i <= num; i++) {
		struct x4_pciaddr vf;
		int n, k;
		size_t o = 0;

		if (x4_sriov_vf_addr(&d->pf, i, &vf, &e) < 0)
			continue;
		x4_pciaddr_format(&vf, a);
		if (x4_iommu_group(&vf, &group, &e) < 0) {
			doc_emit(d, DOC_FAIL, "vf-groups",
				 "the VF cannot be given to vfio-pci without an IOMMU group",
				 "boot with intel_iommu=on and VT-d on (see the iommu row)", "%s",
				 e.msg);
			bad++;
			continue;
		}
		checked++;
		n = x4_iommu_members(group, m, sizeof(m) / sizeof(m[0]), &e);
		if (n <= 1)
			continue;
		list[0] = '\0';
		for (k = 0; k < n && k < (int)(sizeof(m) / sizeof(m[0])); k++)
			if (!x4_pciaddr_equal(&m[k], &vf))
				o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%s",
						      o ? ", " : "", x4_pciaddr_format(&m[k], b));
		doc_emit(d, DOC_FAIL, "vf-groups",
			 "a VM can only get a whole IOMMU group: passing this VF takes the other "
			 "devices away from the host",
			 "the iGPU's VFs normally get a group each: check the firmware's VT-d and "
			 "ACS settings; do not use pcie_acs_override",
			 "VF %s shares IOMMU group %u with %s", a, group, list);
		bad++;
	}
	if (!bad)
		doc_emit(d, DOC_PASS, "vf-groups", NULL, NULL, "%u VF(s), each alone in its IOMMU group",
			 checked);
}
