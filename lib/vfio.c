/* SPDX-License-Identifier: MIT */
/* vfio: driver_override, unbind, drivers_probe, and a read-back, for VFs only. */
#include "vfio.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "pcidev.h"
#include "sysfs.h"

int x4_vfio_driver(const struct x4_pciaddr *dev, char *out, size_t n, struct x4_err *e)
{
	char abs[X4_PCI_ATTR_PATH_MAX], a[X4_PCIADDR_STRLEN];
	int rc;

	if (!x4_pcidev_exists(dev))
		return x4_fail(e, ENODEV, "no PCI device %s", x4_pciaddr_format(dev, a));
	if ((rc = x4_pci_attr_path(dev, "driver", abs, sizeof(abs), e)) < 0)
		return rc;
	rc = x4_sysfs_link_name(abs, out, n, e);
	if (rc == -ENOENT) {
		if (n)
			out[0] = '\0';
		x4_err_clear(e);
		return 0;
	}
	return rc;
}

int x4_vfio_loaded(struct x4_err *e)
{
	if (x4_sysfs_exists(X4_PCI_DRIVERS_DIR "/" X4_VFIO_DRIVER) == 1)
		return 1;
	x4_fail(e, ENOENT, "vfio-pci is not loaded: modprobe vfio-pci");
	return 0;
}

int x4_vfio_group_dev_exists(unsigned group)
{
	char abs[48];

	snprintf(abs, sizeof(abs), "/dev/vfio/%u", group);
	return x4_sysfs_exists(abs) == 1;
}

/* The PF dev points to through physfn; -ENOENT when dev is no VF. */
static int vfio_physfn(const struct x4_pciaddr *dev, struct x4_pciaddr *pf)
{
	char abs[X4_PCI_ATTR_PATH_MAX], name[64];

	if (x4_pci_attr_path(dev, "physfn", abs, sizeof(abs), NULL) != 0 ||
	    x4_sysfs_link_name(abs, name, sizeof(name), NULL) != 0)
		return -ENOENT;
	if (x4_pciaddr_parse(name, pf, NULL) != 0 || x4_pciaddr_equal(pf, dev))
		return -ENOENT;
	return 0;
}

/* Everything that must hold before a driver of dev is touched: dev is an existing VF (of pf
 * when given) and not the boot display. */
static int vfio_check_vf(const struct x4_pciaddr *dev, const struct x4_pciaddr *pf,
			 struct x4_err *e)
{
	char a[X4_PCIADDR_STRLEN], p[X4_PCIADDR_STRLEN], q[X4_PCIADDR_STRLEN];
	char abs[X4_PCI_ATTR_PATH_MAX];
	struct x4_pciaddr phys;
	unsigned long vga;
	int rc;

	x4_pciaddr_format(dev, a);
	if (pf && x4_pciaddr_equal(dev, pf))
		return x4_fail(e, EPERM, "refusing to touch %s: it is the PF (passing the PF to a VM "
			       "crashes every VF and the host display): use one of its VFs", a);
	if (!x4_pcidev_exists(dev))
		return x4_fail(e, ENODEV, "no PCI device %s: are the VFs created?", a);
	if (vfio_physfn(dev, &phys) != 0)
		return x4_fail(e, EPERM, "refusing to touch %s: not an SR-IOV VF (no physfn link); "
			       "x4-sriov only binds VFs to vfio-pci", a);
	if (pf && !x4_pciaddr_equal(&phys, pf))
		return x4_fail(e, EPERM, "refusing to touch %s: it is a VF of %s, not of %s", a,
			       x4_pciaddr_format(&phys, p), x4_pciaddr_format(pf, q));
	if ((rc = x4_pci_attr_path(dev, "boot_vga", abs, sizeof(abs), e)) < 0)
		return rc;
	if (x4_sysfs_exists(abs) == 1 && (x4_sysfs_read_uint(abs, &vga, NULL) != 0 || vga != 0))
		return x4_fail(e, EPERM, "refusing to touch %s: it is (or may be) the boot display "
			       "(boot_vga)", a);
	return 0;
}

/* The only place that writes an unbind file. Re-checks right before the write that dev is a
 * VF, so no code path can unbind a PF (its host driver) by accident. */
static int vfio_unbind_from(const struct x4_pciaddr *dev, const char *drv, struct x4_err *e)
{
	char a[X4_PCIADDR_STRLEN], abs[X4_PCI_ATTR_PATH_MAX];
	struct x4_pciaddr phys;

	x4_pciaddr_format(dev, a);
	if (vfio_physfn(dev, &phys) != 0)
		return x4_fail(e, EPERM, "refusing to unbind %s: not an SR-IOV VF", a);
	/* the driver name becomes a path component: x4_pci_driver_path refuses anything odd */
	if (x4_pci_driver_path(drv, "unbind", abs, sizeof(abs), NULL) < 0)
		return x4_fail(e, EINVAL, "%s: unexpected driver name '%.64s'", a, drv);
	return x4_sysfs_write(abs, a, e);
}

static int vfio_probe(const struct x4_pciaddr *dev, struct x4_err *e)
{
	char a[X4_PCIADDR_STRLEN];

	return x4_sysfs_write(X4_PCI_SYSFS_DIR "/drivers_probe", x4_pciaddr_format(dev, a), e);
}

int x4_vfio_bind(const struct x4_pciaddr *dev, const struct x4_pciaddr *pf_or_null,
		 char *orig_driver, size_t n, struct x4_err *e)
{
	char a[X4_PCIADDR_STRLEN], abs[X4_PCI_ATTR_PATH_MAX], cur[64] = "", now[64] = "";
	struct x4_err probe_err;
	int rc;

	x4_pciaddr_format(dev, a);
	rc = vfio_check_vf(dev, pf_or_null, e);
	if (rc)
		return rc;
	if (!x4_vfio_loaded(e))
		return -ENOENT;
	rc = x4_vfio_driver(dev, cur, sizeof(cur), e);
	if (rc)
		return rc;
	if (orig_driver && n)
		snprintf(orig_driver, n, "%s", cur);
	if ((rc = x4_pci_attr_path(dev, "driver_override", abs, sizeof(abs), e)) < 0)
		return rc;
	rc = x4_sysfs_write(abs, X4_VFIO_DRIVER, e);
	if (rc)
		return rc;
	if (strcmp(cur, X4_VFIO_DRIVER) == 0)
		return 0;
	if (cur[0]) {
		rc = vfio_unbind_from(dev, cur, e);
		if (rc) {
			x4_sysfs_write(abs, "\n", NULL);
			return rc;
		}
	}
	/* 6.1 reports success even when nothing bound: the driver link is the answer. */
	x4_err_clear(&probe_err);
	vfio_probe(dev, &probe_err);
	rc = x4_vfio_driver(dev, now, sizeof(now), e);
	if (rc == 0 && strcmp(now, X4_VFIO_DRIVER) == 0)
		return 0;
	x4_sysfs_write(abs, "\n", NULL);
	if (rc == 0 && now[0] == '\0')
		vfio_probe(dev, NULL); /* let the driver it had take it back */
	return x4_fail(e, EIO, "%s did not bind to vfio-pci (driver now: %s)%s%s: check dmesg",
		       a, rc ? "unknown" : now[0] ? now : "none", probe_err.code ? "; " : "",
		       probe_err.code ? probe_err.msg : "");
}

int x4_vfio_unbind(const struct x4_pciaddr *dev, struct x4_err *e)
{
	char abs[X4_PCI_ATTR_PATH_MAX], cur[64] = "";
	int rc;

	rc = vfio_check_vf(dev, NULL, e);
	if (rc)
		return rc;
	if ((rc = x4_pci_attr_path(dev, "driver_override", abs, sizeof(abs), e)) < 0)
		return rc;
	rc = x4_sysfs_write(abs, "\n", e);
	if (rc)
		return rc;
	rc = x4_vfio_driver(dev, cur, sizeof(cur), e);
	if (rc)
		return rc;
	if (strcmp(cur, X4_VFIO_DRIVER) != 0)
		return 0; /* not ours to unbind: leave whatever driver it has */
	rc = vfio_unbind_from(dev, cur, e);
	if (rc)
		return rc;
	/* A host driver may take it or not; a VF without driver is given back all the same. */
	vfio_probe(dev, NULL);
	return 0;
}
