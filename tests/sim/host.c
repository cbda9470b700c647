/* SPDX-License-Identifier: MIT */
/* x4sim host: the Radxa X4 (N100) PCI topology, drivers and IOMMU groups for each state. */
#include <stdio.h>
#include <string.h>

#include "sim.h"

/* One PCI function at boot. IDs marked "approx" are plausible ADL-N values, not verified
 * on a real board (the iGPU, its VFs and the I226-V are exact). */
struct host_fn {
	const char *addr, *parent, *drv;
	uint16_t vendor, device, subvendor, subdevice;
	uint32_t class;
	uint8_t rev, pin, secondary;
	int irq, group;
};

static const struct host_fn host_fns[] = {
	/* addr          parent          driver           ven     dev     sven    sdev    class */
	{ "0000:00:00.0", NULL, NULL, 0x8086, 0x461c, 0x8086, 0x7270, 0x060000, 0x00, 0, 0, 0, 0 },
	{ "0000:00:02.0", NULL, "GPU", 0x8086, 0x46d1, 0x8086, 0x7270, 0x030000, 0x00, 1, 0, 142, 1 },
	{ "0000:00:0d.0", NULL, "xhci_hcd", 0x8086, 0x464e, 0x8086, 0x7270, 0x0c0330, 0x00, 1, 0,
	  128, 2 }, /* approx: ADL-N TCSS xHCI */
	{ "0000:00:14.0", NULL, "xhci_hcd", 0x8086, 0x54ed, 0x8086, 0x7270, 0x0c0330, 0x00, 1, 0,
	  129, 3 },
	{ "0000:00:16.0", NULL, "mei_me", 0x8086, 0x54e0, 0x8086, 0x7270, 0x078000, 0x00, 1, 0, 143,
	  4 },
	{ "0000:00:1c.0", NULL, "pcieport", 0x8086, 0x54be, 0x0000, 0x0000, 0x060400, 0x00, 1, 1,
	  122, 5 }, /* approx: ADL-N root port */
	{ "0000:00:1d.0", NULL, "pcieport", 0x8086, 0x54b0, 0x0000, 0x0000, 0x060400, 0x00, 1, 2,
	  123, 6 }, /* approx: ADL-N root port */
	{ "0000:00:1f.0", NULL, NULL, 0x8086, 0x5481, 0x8086, 0x7270, 0x060100, 0x00, 0, 0, 0, 7 },
	{ "0000:00:1f.3", NULL, "snd_hda_intel", 0x8086, 0x54c8, 0x8086, 0x7270, 0x040300, 0x00, 1,
	  0, 144, 7 },
	{ "0000:00:1f.4", NULL, "i801_smbus", 0x8086, 0x54a3, 0x8086, 0x7270, 0x0c0500, 0x00, 1, 0,
	  16, 7 },
	{ "0000:01:00.0", "0000:00:1c.0", "nvme", 0x144d, 0xa808, 0x144d, 0xa801, 0x010802, 0x00,
	  1, 0, 16, 8 }, /* approx: a Samsung NVMe SSD in the M.2 slot */
	{ "0000:02:00.0", "0000:00:1d.0", "igc", 0x8086, 0x125c, 0x8086, 0x0000, 0x020000, 0x04, 1,
	  0, 17, 9 },
};

/* Drivers and their ID tables; "GPU" above is i915 or xe by state. */
static void host_drv(const char *name, bool present, bool sriov, const struct sim_id *ids, int n)
{
	int i;

	for (i = 0; i < SIM_MAX_DRVS && g_sim.drvs[i].name[0]; i++)
		;
	if (i == SIM_MAX_DRVS)
		return;
	snprintf(g_sim.drvs[i].name, sizeof(g_sim.drvs[i].name), "%s", name);
	g_sim.drvs[i].present = present;
	g_sim.drvs[i].sriov_configure = sriov;
	g_sim.drvs[i].nids = g_sim.drvs[i].nstatic = n;
	if (n > 0)
		memcpy(g_sim.drvs[i].ids, ids, (size_t)n * sizeof(*ids));
}

static void host_drivers(enum sim_state state)
{
	static const struct sim_id gpu[] = {
		{ 0x8086, 0x46d0, 0, 0 }, { 0x8086, 0x46d1, 0, 0 }, { 0x8086, 0x46d2, 0, 0 },
		{ 0x8086, 0x46d3, 0, 0 }, { 0x8086, 0x46d4, 0, 0 },
	};
	static const struct sim_id xhci[] = { { SIM_ANY, SIM_ANY, 0x0c0330, 0xffffff } };
	static const struct sim_id mei[] = { { 0x8086, 0x54e0, 0, 0 } };
	static const struct sim_id port[] = { { SIM_ANY, SIM_ANY, 0x060400, 0xffffff } };
	static const struct sim_id nvme[] = { { SIM_ANY, SIM_ANY, 0x010802, 0xffffff } };
	static const struct sim_id igc[] = { { 0x8086, 0x125c, 0, 0 } };
	static const struct sim_id hda[] = { { 0x8086, 0x54c8, 0, 0 } };
	static const struct sim_id smbus[] = { { 0x8086, 0x54a3, 0, 0 } };
	bool sriov = state != SIM_NO_SRIOV && !(g_sim.faults & SIM_F_I915_STOCK);

	host_drv("i915", state != SIM_XE, sriov, gpu, 5);
	host_drv("xe", state == SIM_XE, sriov, gpu, 5);
	host_drv("xhci_hcd", true, false, xhci, 1);
	host_drv("mei_me", true, false, mei, 1);
	host_drv("pcieport", true, false, port, 1);
	host_drv("nvme", true, false, nvme, 1);
	host_drv("igc", true, false, igc, 1);
	host_drv("snd_hda_intel", true, false, hda, 1);
	host_drv("i801_smbus", true, false, smbus, 1);
	host_drv("vfio-pci", !(g_sim.faults & SIM_F_NO_VFIO), false, NULL, 0);
}

void sim_host_init(enum sim_state state, unsigned faults)
{
	size_t i;

	memset(g_sim.devs, 0, sizeof(g_sim.devs));
	memset(g_sim.drvs, 0, sizeof(g_sim.drvs));
	g_sim.state = state;
	g_sim.faults = faults;
	g_sim.iommu = state != SIM_NO_IOMMU;
	g_sim.drivers_autoprobe = 1;
	host_drivers(state);
	for (i = 0; i < sizeof(host_fns) / sizeof(host_fns[0]); i++) {
		const struct host_fn *f = &host_fns[i];
		struct sim_dev *d = &g_sim.devs[i];

		d->used = true;
		snprintf(d->addr, sizeof(d->addr), "%s", f->addr);
		d->vendor = f->vendor;
		d->device = f->device;
		d->subvendor = f->subvendor;
		d->subdevice = f->subdevice;
		d->class = f->class;
		d->rev = f->rev;
		d->pin = f->pin;
		d->irq = f->irq;
		d->secondary = f->secondary;
		d->parent = f->parent ? sim_dev_find(f->parent) : -1;
		d->group = g_sim.iommu ? f->group : -1;
		d->boot_vga = (f->class >> 8) == 0x0300 ? 1 : -1;
		d->pf = -1;
		d->drv = -1;
		if (f->drv)
			d->drv = sim_drv_find(strcmp(f->drv, "GPU") == 0 ?
						      (state == SIM_XE ? "xe" : "i915") : f->drv);
		if (strcmp(f->addr, "0000:00:02.0") == 0 && state != SIM_NO_SRIOV) {
			d->sriov = true;
			d->totalvfs = (faults & (SIM_F_MAX_VFS_0 | SIM_F_GUC_FAIL)) ? 0 : 7;
			d->autoprobe = 1;
			d->vf_device = 0x46d1;
		}
	}
}

static const char *const host_fault_names[] = {
	"pf-busy", "no-vfio", "no-kvmfr", "vf-stuck", "bind-ebusy", "numvfs-enoent", "apparmor",
	"i915-stock", "max-vfs-0", "guc-fail", "xe-too", "secureboot", "dmar", "shared-group",
	"headless",
};

int sim_fault_parse(const char *name, unsigned *bit)
{
	size_t i;

	for (i = 0; i < sizeof(host_fault_names) / sizeof(host_fault_names[0]); i++)
		if (strcmp(name, host_fault_names[i]) == 0) {
			*bit = 1u << i;
			return 0;
		}
	return -1;
}

const char *sim_fault_name(unsigned bit)
{
	size_t i;

	for (i = 0; i < sizeof(host_fault_names) / sizeof(host_fault_names[0]); i++)
		if (bit == 1u << i)
			return host_fault_names[i];
	return NULL;
}
