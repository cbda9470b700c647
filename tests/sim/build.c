/* SPDX-License-Identifier: MIT */
/* x4sim build: turns the model into the sysfs tree, so every symlink is true by construction. */
#include <stdio.h>
#include <string.h>

#include "sim.h"

static const char *const build_state_names[] = { "default", "no-iommu", "no-sriov", "xe" };

/* BAR0 of a non-bridge function: 16 MiB of 64-bit memory, one window per device index. */
static unsigned long long build_bar0(int dev, const struct sim_dev *d)
{
	unsigned base = d->class >> 8;

	if (base == 0x0604 || base == 0x0600 || base == 0x0601)
		return 0;
	return 0x6000000000ULL + (unsigned long long)dev * 0x1000000ULL;
}

/* 256 bytes of type 0/1 config space: IDs, command/status, class, header type, subsystem. */
static void build_config(int dev, const struct sim_dev *d, unsigned char cfg[256])
{
	bool bridge = (d->class >> 8) == 0x0604;
	unsigned long long bar = build_bar0(dev, d) | (build_bar0(dev, d) ? 0x4 : 0); /* 64-bit */
	int i;

	memset(cfg, 0, 256);
	cfg[0x00] = (unsigned char)d->vendor;
	cfg[0x01] = (unsigned char)(d->vendor >> 8);
	cfg[0x02] = (unsigned char)d->device;
	cfg[0x03] = (unsigned char)(d->device >> 8);
	cfg[0x04] = d->drv >= 0 ? 0x06 : 0x00; /* memory + bus master once a driver runs it */
	cfg[0x08] = d->rev;
	cfg[0x09] = (unsigned char)d->class;
	cfg[0x0a] = (unsigned char)(d->class >> 8);
	cfg[0x0b] = (unsigned char)(d->class >> 16);
	cfg[0x0e] = bridge ? 0x01 : 0x00;
	if (bridge) {
		cfg[0x19] = d->secondary;
		cfg[0x1a] = d->secondary;
	} else {
		for (i = 0; i < 8; i++)
			cfg[0x10 + i] = (unsigned char)(bar >> (8 * i));
		cfg[0x2c] = (unsigned char)d->subvendor;
		cfg[0x2d] = (unsigned char)(d->subvendor >> 8);
		cfg[0x2e] = (unsigned char)d->subdevice;
		cfg[0x2f] = (unsigned char)(d->subdevice >> 8);
	}
	/* status 0: no capability list, so lspci -vv walks nothing we do not model */
	cfg[0x3c] = (unsigned char)d->irq;
	cfg[0x3d] = d->pin;
}

static void build_resource(struct sim_node *dir, int dev, const struct sim_dev *d)
{
	char buf[13 * 60];
	size_t off = 0;
	int i;

	for (i = 0; i < 13; i++) {
		unsigned long long start = 0, end = 0, flags = 0;

		if (i == 0 && build_bar0(dev, d)) {
			start = build_bar0(dev, d);
			end = start + 0xffffffULL;
			flags = 0x140204;
		}
		off += (size_t)snprintf(buf + off, sizeof(buf) - off,
					"0x%016llx 0x%016llx 0x%016llx\n", start, end, flags);
	}
	sim_node_file(dir, "resource", 0444, SA_CONST, buf, off);
}

static void build_dev(struct sim_node *parent, int dev)
{
	const struct sim_dev *d = &g_sim.devs[dev];
	struct sim_node *dir = sim_node_dir(parent, d->addr), *n;
	unsigned char cfg[256];
	int i;

	sim_node_text(dir, "vendor", "0x%04x", d->vendor);
	sim_node_text(dir, "device", "0x%04x", d->device);
	sim_node_text(dir, "subsystem_vendor", "0x%04x", d->subvendor);
	sim_node_text(dir, "subsystem_device", "0x%04x", d->subdevice);
	sim_node_text(dir, "class", "0x%06x", d->class);
	sim_node_text(dir, "revision", "0x%02x", d->rev);
	sim_node_text(dir, "irq", "%d", d->irq);
	sim_node_text(dir, "enable", "%d", d->drv >= 0 ? 1 : 0);
	sim_node_text(dir, "numa_node", "-1");
	sim_node_text(dir, "modalias", "pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X", d->vendor,
		      d->device, d->subvendor, d->subdevice, d->class >> 16, (d->class >> 8) & 0xff,
		      d->class & 0xff);
	build_resource(dir, dev, d);
	build_config(dev, d, cfg);
	sim_node_file(dir, "config", 0444, SA_CONST, cfg, sizeof(cfg));
	n = sim_node_file(dir, "driver_override", 0644, SA_OVERRIDE, NULL, 0);
	n->dev = dev;
	if (d->boot_vga >= 0)
		sim_node_text(dir, "boot_vga", "%d", d->boot_vga);
	sim_node_link(dir, "subsystem", "bus/pci");
	if (d->drv >= 0)
		sim_node_link(dir, "driver", "bus/pci/drivers/%s", g_sim.drvs[d->drv].name);
	if (d->group >= 0)
		sim_node_link(dir, "iommu_group", "kernel/iommu_groups/%d", d->group);
	if ((d->class >> 8) == 0x0604) {
		sim_node_text(dir, "secondary_bus_number", "%u", d->secondary);
		sim_node_text(dir, "subordinate_bus_number", "%u", d->secondary);
	}
	if (d->sriov) {
		sim_node_text(dir, "sriov_totalvfs", "%d", d->totalvfs);
		n = sim_node_file(dir, "sriov_numvfs", 0644, SA_NUMVFS, NULL, 0);
		n->dev = dev;
		n = sim_node_file(dir, "sriov_drivers_autoprobe", 0644, SA_AUTOPROBE, NULL, 0);
		n->dev = dev;
		sim_node_text(dir, "sriov_offset", "1");
		sim_node_text(dir, "sriov_stride", "1");
		sim_node_text(dir, "sriov_vf_device", "%x", d->vf_device);
	}
	for (i = 0; i < SIM_MAX_DEVS; i++) {
		const struct sim_dev *v = &g_sim.devs[i];

		if (v->used && v->pf == dev) {
			char name[32];

			snprintf(name, sizeof(name), "virtfn%d", v->vf_index);
			sim_node_rawlink(dir, name, "../%s", v->addr);
		}
	}
	if (d->pf >= 0) {
		sim_node_rawlink(dir, "physfn", "../%s", g_sim.devs[d->pf].addr);
	}
	/* devices behind a bridge nest under it (VFs sit beside their PF: same parent) */
	for (i = 0; i < SIM_MAX_DEVS; i++)
		if (g_sim.devs[i].used && g_sim.devs[i].parent == dev)
			build_dev(dir, i);
}

static void build_bus(struct sim_node *sys)
{
	struct sim_node *pci = sim_node_dir(sim_node_dir(sys, "bus"), "pci");
	struct sim_node *devs = sim_node_dir(pci, "devices");
	struct sim_node *drvs = sim_node_dir(pci, "drivers");
	char path[512];
	int i, k;

	sim_node_file(pci, "drivers_probe", 0200, SA_PROBE, NULL, 0);
	sim_node_file(pci, "drivers_autoprobe", 0644, SA_BUS_AUTOPROBE, NULL, 0);
	for (i = 0; i < SIM_MAX_DEVS; i++)
		if (g_sim.devs[i].used) {
			sim_dev_path(i, path, sizeof(path));
			sim_node_link(devs, g_sim.devs[i].addr, "%s", path);
		}
	for (k = 0; k < SIM_MAX_DRVS; k++) {
		struct sim_node *dir, *n;

		if (!sim_drv_usable(k))
			continue;
		dir = sim_node_dir(drvs, g_sim.drvs[k].name);
		n = sim_node_file(dir, "bind", 0200, SA_BIND, NULL, 0);
		n->drv = k;
		n = sim_node_file(dir, "unbind", 0200, SA_UNBIND, NULL, 0);
		n->drv = k;
		n = sim_node_file(dir, "new_id", 0200, SA_NEW_ID, NULL, 0);
		n->drv = k;
		n = sim_node_file(dir, "remove_id", 0200, SA_REMOVE_ID, NULL, 0);
		n->drv = k;
		for (i = 0; i < SIM_MAX_DEVS; i++)
			if (g_sim.devs[i].used && g_sim.devs[i].drv == k) {
				sim_dev_path(i, path, sizeof(path));
				sim_node_link(dir, g_sim.devs[i].addr, "%s", path);
			}
	}
}

static void build_groups(struct sim_node *sys)
{
	struct sim_node *groups = sim_node_dir(sim_node_dir(sys, "kernel"), "iommu_groups");
	char name[16], path[512];
	int i;

	for (i = 0; i < SIM_MAX_DEVS; i++) {
		const struct sim_dev *d = &g_sim.devs[i];
		struct sim_node *g;

		if (!d->used || d->group < 0)
			continue;
		snprintf(name, sizeof(name), "%d", d->group);
		g = sim_node_child(groups, name);
		if (!g) {
			g = sim_node_dir(groups, name);
			sim_node_text(g, "type", "identity");
			sim_node_text(g, "reserved_regions", "0x00000000fee00000 0x00000000feefffff msi");
		}
		sim_dev_path(i, path, sizeof(path));
		sim_node_link(sim_node_dir(g, "devices"), d->addr, "%s", path);
	}
}

static struct sim_node *build_module(struct sim_node *mods, const char *name)
{
	struct sim_node *m = sim_node_dir(mods, name);

	sim_node_text(m, "initstate", "live");
	return sim_node_dir(m, "parameters");
}

static void build_modules(struct sim_node *sys)
{
	struct sim_node *mods = sim_node_dir(sys, "module"), *p;

	if (g_sim.state == SIM_XE) {
		p = build_module(mods, "xe");
		sim_node_text(p, "max_vfs", "7");
		sim_node_text(p, "force_probe", "46d1");
	} else {
		p = build_module(mods, "i915");
		sim_node_text(p, "enable_guc", "3");
		if (!(g_sim.faults & SIM_F_I915_STOCK))
			sim_node_text(p, "max_vfs", "%s", (g_sim.faults & SIM_F_MAX_VFS_0) ? "0" : "7");
		/* the dkms build is out of tree (O); the in-tree one has no taint */
		sim_node_text(sim_node_child(mods, "i915"), "taint", "%s",
			      (g_sim.faults & SIM_F_I915_STOCK) ? "" : "O");
	}
	if (g_sim.state != SIM_XE && (g_sim.faults & SIM_F_XE_TOO)) {
		p = build_module(mods, "xe");
		sim_node_text(p, "force_probe", "%s", "");
	}
	if (sim_drv_find("vfio-pci") >= 0) {
		build_module(mods, "vfio");
		p = build_module(mods, "vfio_pci");
		sim_node_text(p, "ids", "%s", "");
		sim_node_text(p, "disable_vga", "N");
	}
	if (!(g_sim.faults & SIM_F_NO_KVMFR)) {
		p = build_module(mods, "kvmfr");
		sim_node_text(p, "static_size_mb", "32");
	}
	if (g_sim.faults & SIM_F_APPARMOR) { /* as the kernel shows a running AppArmor */
		p = build_module(mods, "apparmor");
		sim_node_text(p, "enabled", "Y");
		sim_node_dir(sim_node_dir(sim_node_dir(sys, "kernel"), "security"), "apparmor");
	}
	build_module(mods, "nvme");
	build_module(mods, "igc");
	build_module(mods, "snd_hda_intel");
	build_module(mods, "i2c_i801");
	build_module(mods, "mei_me");
}

/* A minimal DMAR header: signature, length, revision, OEM fields (checksum left loose). */
static void build_dmar(struct sim_node *sys)
{
	struct sim_node *t;
	unsigned char dmar[48];

	t = sim_node_dir(sim_node_dir(sim_node_dir(sys, "firmware"), "acpi"), "tables");
	memset(dmar, 0, sizeof(dmar));
	memcpy(dmar, "DMAR", 4);
	dmar[4] = sizeof(dmar);
	dmar[8] = 1;
	memcpy(dmar + 10, "RADXA X4N100    ", 14);
	dmar[36] = 38; /* host address width - 1 */
	sim_node_file(t, "DMAR", 0400, SA_CONST, dmar, sizeof(dmar));
}

/* EFI with Secure Boot on: the SecureBoot efivar (4 attribute bytes, value 1), the MOK list
 * the shim hands over (no key of the host's in it), lockdown in integrity mode. */
static void build_secureboot(struct sim_node *sys)
{
	static const unsigned char sb[5] = {0x06, 0, 0, 0, 1};
	struct sim_node *efi = sim_node_dir(sim_node_dir(sys, "firmware"), "efi");

	sim_node_file(sim_node_dir(efi, "efivars"),
		      "SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c", 0644, SA_CONST, sb,
		      sizeof(sb));
	sim_node_text(sim_node_dir(efi, "mok-variables"), "MokListRT", "x4sim: no keys enrolled");
	sim_node_text(sim_node_dir(sim_node_dir(sys, "kernel"), "security"), "lockdown",
		      "none [integrity] confidentiality");
}

void sim_rebuild(void)
{
	struct sim_node *sys = sim_node_dir(NULL, ""), *top, *ctl;
	int i;

	build_bus(sys);
	top = sim_node_dir(sim_node_dir(sys, "devices"), "pci0000:00");
	for (i = 0; i < SIM_MAX_DEVS; i++)
		if (g_sim.devs[i].used && g_sim.devs[i].parent < 0)
			build_dev(top, i);
	if (g_sim.iommu) {
		build_groups(sys);
		build_dmar(sys);
	} else {
		sim_node_dir(sim_node_dir(sys, "kernel"), "iommu_groups"); /* exists, empty */
		if (g_sim.faults & SIM_F_DMAR)
			build_dmar(sys); /* VT-d on in the firmware, intel_iommu=on missing */
	}
	if (g_sim.faults & SIM_F_SECUREBOOT)
		build_secureboot(sys);
	if (g_sim.faults & SIM_F_HEADLESS) { /* the X4's two HDMI ports and its DP, nothing on them */
		struct sim_node *drm = sim_node_dir(sim_node_dir(sys, "class"), "drm");

		sim_node_text(sim_node_dir(drm, "card0-HDMI-A-1"), "status", "disconnected");
		sim_node_text(sim_node_dir(drm, "card0-HDMI-A-2"), "status", "disconnected");
		sim_node_text(sim_node_dir(drm, "card0-DP-1"), "status", "disconnected");
	}
	build_modules(sys);
	ctl = sim_node_dir(sys, "x4sim");
	sim_node_file(ctl, "fault", 0644, SA_FAULT, NULL, 0);
	sim_node_file(ctl, "inuse", 0644, SA_INUSE, NULL, 0);
	sim_node_file(ctl, "log", 0444, SA_LOG, NULL, 0);
	sim_node_text(ctl, "state", "%s", build_state_names[g_sim.state]);
	sim_node_free(g_sim.tree);
	g_sim.tree = sys;
}
