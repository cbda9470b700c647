/* SPDX-License-Identifier: MIT */
/* x4sim model: what the kernel does to devices and drivers (match, bind, unbind, VFs, /dev/vfio). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "sim.h"

int sim_dev_find(const char *addr)
{
	int i;

	for (i = 0; i < SIM_MAX_DEVS; i++)
		if (g_sim.devs[i].used && strcmp(g_sim.devs[i].addr, addr) == 0)
			return i;
	return -1;
}

/* Only loaded drivers exist for the kernel. */
int sim_drv_find(const char *name)
{
	int i;

	for (i = 0; i < SIM_MAX_DRVS; i++)
		if (g_sim.drvs[i].present && strcmp(g_sim.drvs[i].name, name) == 0)
			return i;
	return -1;
}

bool sim_drv_usable(int drv)
{
	return drv >= 0 && drv < SIM_MAX_DRVS && g_sim.drvs[drv].present;
}

int sim_dev_depth(int dev)
{
	int d = 3; /* devices/pci0000:00/ADDR */

	for (dev = g_sim.devs[dev].parent; dev >= 0; dev = g_sim.devs[dev].parent)
		d++;
	return d;
}

void sim_dev_path(int dev, char *out, size_t n)
{
	const struct sim_dev *d = &g_sim.devs[dev];
	char up[256];

	if (d->parent < 0) {
		snprintf(out, n, "devices/pci0000:00/%s", d->addr);
		return;
	}
	sim_dev_path(d->parent, up, sizeof(up));
	snprintf(out, n, "%s/%s", up, d->addr);
}

bool sim_dev_in_use(int dev)
{
	const char *addr = g_sim.devs[dev].addr;
	int i;

	if ((g_sim.faults & SIM_F_VF_STUCK) && strcmp(addr, "0000:00:02.1") == 0)
		return true;
	for (i = 0; i < SIM_MAX_INUSE; i++)
		if (strcmp(g_sim.inuse[i], addr) == 0)
			return true;
	return false;
}

/* pci_match_device(): driver_override wins over every ID table. */
bool sim_drv_matches(int drv, int dev)
{
	const struct sim_drv *r = &g_sim.drvs[drv];
	const struct sim_dev *d = &g_sim.devs[dev];
	int i;

	if (d->override[0])
		return strcmp(d->override, r->name) == 0;
	for (i = 0; i < r->nids; i++) {
		const struct sim_id *id = &r->ids[i];

		if ((id->vendor == SIM_ANY || id->vendor == d->vendor) &&
		    (id->device == SIM_ANY || id->device == d->device) &&
		    (d->class & id->class_mask) == id->class)
			return true;
	}
	return false;
}

/* pci_device_can_probe(): a VF probes only with the PF's sriov_drivers_autoprobe or an override. */
static bool model_can_probe(int dev)
{
	const struct sim_dev *d = &g_sim.devs[dev];

	return d->pf < 0 || g_sim.devs[d->pf].autoprobe || d->override[0];
}

/* The driver's probe: 0 when it took the device, else a negative errno (device stays unbound). */
int sim_dev_bind(int dev, int drv)
{
	struct sim_dev *d = &g_sim.devs[dev];

	if (!model_can_probe(dev))
		return -ENODEV;
	if (strcmp(g_sim.drvs[drv].name, "vfio-pci") == 0 && d->group < 0)
		return -EINVAL; /* vfio-pci cannot probe without an IOMMU group */
	d->drv = drv;
	sim_vfio_sync();
	return 0;
}

void sim_dev_unbind(int dev)
{
	g_sim.devs[dev].drv = -1;
	sim_vfio_sync();
}

/* device_attach(): first loaded driver that matches and probes; none is not an error. */
void sim_dev_probe(int dev)
{
	int i;

	if (g_sim.devs[dev].drv >= 0)
		return;
	for (i = 0; i < SIM_MAX_DRVS; i++)
		if (sim_drv_usable(i) && sim_drv_matches(i, dev) && sim_dev_bind(dev, i) == 0)
			return;
}

static int model_free_group(void)
{
	int g, i;

	for (g = 0;; g++) {
		for (i = 0; i < SIM_MAX_DEVS; i++)
			if (g_sim.devs[i].used && g_sim.devs[i].group == g)
				break;
		if (i == SIM_MAX_DEVS)
			return g;
	}
}

/* Enable n VFs at offset 1, stride 1 on the PF's bus; each VF gets a fresh IOMMU group. */
int sim_vfs_create(int pf, int n)
{
	struct sim_dev *p = &g_sim.devs[pf];
	unsigned dom, bus, slot, fn;
	int i, slot_idx = 0;

	if (sscanf(p->addr, "%4x:%2x:%2x.%1x", &dom, &bus, &slot, &fn) != 4)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		struct sim_dev *v;

		while (slot_idx < SIM_MAX_DEVS && g_sim.devs[slot_idx].used)
			slot_idx++;
		if (slot_idx == SIM_MAX_DEVS || fn + 1 + (unsigned)i > 7)
			return -ENOMEM;
		v = &g_sim.devs[slot_idx];
		memset(v, 0, sizeof(*v));
		v->used = true;
		snprintf(v->addr, sizeof(v->addr), "%04x:%02x:%02x.%u", dom, bus, slot,
			 fn + 1 + (unsigned)i);
		v->vendor = p->vendor;
		v->device = p->vf_device;
		v->subvendor = p->subvendor;
		v->subdevice = p->subdevice;
		v->class = p->class;
		v->rev = p->rev;
		v->parent = p->parent;
		v->drv = -1;
		v->group = !g_sim.iommu ? -1
			   : (g_sim.faults & SIM_F_SHARED_GROUP) ? p->group
								 : model_free_group();
		v->boot_vga = (v->class >> 8) == 0x0300 ? 0 : -1;
		v->pf = pf;
		v->vf_index = i;
		p->numvfs = i + 1;
	}
	if (g_sim.drivers_autoprobe)
		for (i = 0; i < SIM_MAX_DEVS; i++)
			if (g_sim.devs[i].used && g_sim.devs[i].pf == pf)
				sim_dev_probe(i);
	return 0;
}

void sim_vfs_remove(int pf)
{
	int i;

	for (i = 0; i < SIM_MAX_DEVS; i++)
		if (g_sim.devs[i].used && g_sim.devs[i].pf == pf) {
			g_sim.devs[i].drv = -1;
			g_sim.devs[i].used = false;
		}
	g_sim.devs[pf].numvfs = 0;
	sim_vfio_sync();
}

static int model_mknod(const char *path)
{
	if (mknod(path, S_IFCHR | 0660, makedev(1, 3)) == 0 || errno == EEXIST)
		return 0;
	return -errno;
}

static bool model_group_vfio(int group)
{
	int i, vfio = sim_drv_find("vfio-pci");

	for (i = 0; i < SIM_MAX_DEVS; i++)
		if (g_sim.devs[i].used && g_sim.devs[i].group == group && vfio >= 0 &&
		    g_sim.devs[i].drv == vfio)
			return true;
	return false;
}

/* Make ROOT/dev/vfio match the model: "vfio" while vfio-pci is loaded, one node per
 * group that has a device bound to vfio-pci. */
void sim_vfio_sync(void)
{
	char dir[PATH_MAX], path[PATH_MAX + 300];
	struct dirent *de;
	DIR *dp;
	int i;

	snprintf(dir, sizeof(dir), "%s/dev/vfio", g_sim.root);
	snprintf(path, sizeof(path), "%s/vfio", dir);
	if (sim_drv_find("vfio-pci") >= 0)
		model_mknod(path);
	else
		unlink(path);
	dp = opendir(dir);
	if (dp) {
		while ((de = readdir(dp)) != NULL) {
			char *end;
			long g = strtol(de->d_name, &end, 10);

			if (de->d_name[0] < '0' || de->d_name[0] > '9' || *end)
				continue;
			if (!model_group_vfio((int)g)) {
				snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
				unlink(path);
			}
		}
		closedir(dp);
	}
	for (i = 0; i < SIM_MAX_DEVS; i++)
		if (g_sim.devs[i].used && g_sim.devs[i].group >= 0 &&
		    model_group_vfio(g_sim.devs[i].group)) {
			snprintf(path, sizeof(path), "%s/%d", dir, g_sim.devs[i].group);
			model_mknod(path);
		}
}

/* ROOT/dev/kvmfr0 exists as a char device unless the no-kvmfr fault is active. */
void sim_kvmfr_sync(void)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/dev/kvmfr0", g_sim.root);
	if (g_sim.faults & SIM_F_NO_KVMFR)
		unlink(path);
	else
		model_mknod(path);
}
