/* SPDX-License-Identifier: MIT */
/* sriov: PF discovery, SR-IOV attributes, VF index <-> address, and VF create/remove by kernel rules. */
#include "sriov.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "board.h"
#include "paths.h"
#include "pcidev.h"
#include "sysfs.h"

/* What to tell the user about a PF without SR-IOV: a GPU hint for Intel display devices. */
static const char *sriov_hint(const struct x4_pciaddr *pf)
{
	struct x4_pcidev d;
	char abs[X4_PCI_ATTR_PATH_MAX], drv[64];

	if (x4_pcidev_read_ids(pf, &d, NULL) != 0 || d.vendor != X4_PCI_VENDOR_INTEL ||
	    d.class >> 16 != X4_PCI_CLASS_DISPLAY)
		return "is its driver loaded with SR-IOV enabled?";
	if (x4_pci_attr_path(pf, "driver", abs, sizeof(abs), NULL) == 0 &&
	    x4_sysfs_link_name(abs, drv, sizeof(drv), NULL) == 0 && strcmp(drv, "xe") == 0)
		return "is xe loaded with " X4_KARG_XE_VFS "? (x4ctl doctor)";
	return "is i915-sriov-dkms loaded with " X4_KARG_I915_VFS "? (x4ctl doctor)";
}

/* An SR-IOV count attribute; absent attribute -> -ENOTSUP with the hint. */
static int sriov_read_count(const struct x4_pciaddr *pf, const char *attr, unsigned *out,
			    struct x4_err *e)
{
	char abs[X4_PCI_ATTR_PATH_MAX], a[X4_PCIADDR_STRLEN];
	unsigned long v;
	int rc;

	x4_pciaddr_format(pf, a);
	if (!x4_pcidev_exists(pf))
		return x4_fail(e, ENODEV, "no PCI device %s: check the PF address (lspci -D)", a);
	if ((rc = x4_pci_attr_path(pf, attr, abs, sizeof(abs), e)) < 0)
		return rc;
	if (x4_sysfs_exists(abs) != 1)
		return x4_fail(e, ENOTSUP, "%s has no SR-IOV (no %s): %s", a, attr,
			       sriov_hint(pf));
	rc = x4_sysfs_pci_uint(pf, attr, 0xffff, &v, e); /* a VF count: 16 bits */
	if (rc)
		return rc;
	*out = (unsigned)v;
	return 0;
}

int x4_sriov_totalvfs(const struct x4_pciaddr *pf, unsigned *out, struct x4_err *e)
{
	return sriov_read_count(pf, "sriov_totalvfs", out, e);
}

int x4_sriov_numvfs(const struct x4_pciaddr *pf, unsigned *out, struct x4_err *e)
{
	return sriov_read_count(pf, "sriov_numvfs", out, e);
}

int x4_sriov_set_autoprobe(const struct x4_pciaddr *pf, int on, struct x4_err *e)
{
	char abs[X4_PCI_ATTR_PATH_MAX];
	int rc;

	if ((rc = x4_pci_attr_path(pf, "sriov_drivers_autoprobe", abs, sizeof(abs), e)) < 0)
		return rc;
	return x4_sysfs_write(abs, on ? "1" : "0", e);
}

int x4_sriov_get_autoprobe(const struct x4_pciaddr *pf, int *on, struct x4_err *e)
{
	unsigned long v;
	int rc = x4_sysfs_pci_uint(pf, "sriov_drivers_autoprobe", 1, &v, e);

	if (rc)
		return rc;
	*on = (int)v;
	return 0;
}

/* Address behind link ATTR (physfn, virtfnN) of dev; -ENOENT when the link is absent. */
static int sriov_link_addr(const struct x4_pciaddr *dev, const char *attr, struct x4_pciaddr *out,
			   struct x4_err *e)
{
	char abs[X4_PCI_ATTR_PATH_MAX], name[64];
	int rc;

	if ((rc = x4_pci_attr_path(dev, attr, abs, sizeof(abs), e)) < 0)
		return rc;
	rc = x4_sysfs_link_name(abs, name, sizeof(name), e);
	if (rc)
		return rc;
	rc = x4_pciaddr_parse(name, out, NULL);
	if (rc)
		return x4_fail(e, EINVAL, "%s points at '%s', not a PCI device", abs, name);
	return 0;
}

/* virtfn<k> (0-based) of pf, which must point at a device that exists. */
static int sriov_virtfn(const struct x4_pciaddr *pf, unsigned k, struct x4_pciaddr *out,
			struct x4_err *e)
{
	char attr[32], a[X4_PCIADDR_STRLEN], v[X4_PCIADDR_STRLEN];
	int rc;

	snprintf(attr, sizeof(attr), "virtfn%u", k);
	rc = sriov_link_addr(pf, attr, out, e);
	if (rc)
		return rc;
	if (!x4_pcidev_exists(out))
		return x4_fail(e, ENOENT, "%s/%s points at %s, which does not exist: check dmesg",
			       x4_pciaddr_format(pf, a), attr, x4_pciaddr_format(out, v));
	return 0;
}

int x4_sriov_vf_addr(const struct x4_pciaddr *pf, unsigned index, struct x4_pciaddr *out,
		     struct x4_err *e)
{
	char a[X4_PCIADDR_STRLEN];
	unsigned num = 0;
	int rc;

	x4_pciaddr_format(pf, a);
	if (index == 0 || index > X4_SRIOV_MAX_VFS)
		return x4_fail(e, EINVAL, "VF index %u of %s: VFs are numbered 1..%u", index, a,
			       X4_SRIOV_MAX_VFS);
	rc = sriov_virtfn(pf, index - 1, out, e);
	if (rc == -ENOENT && x4_sriov_numvfs(pf, &num, NULL) == 0 && num < index)
		return x4_fail(e, ENOENT, "%s has %u VFs, so VF %u does not exist: "
			       "create VFs first (x4ctl vf create)", a, num, index);
	return rc;
}

/* SR-IOV layout of pf: total VFs and, when the kernel shows them, offset and stride. */
struct sriov_layout {
	unsigned total;
	int have_rid;
	unsigned long offset, stride;
};

static int sriov_get_layout(const struct x4_pciaddr *pf, struct sriov_layout *l, struct x4_err *e)
{
	char abs[X4_PCI_ATTR_PATH_MAX];
	int rc;

	memset(l, 0, sizeof(*l));
	rc = x4_sriov_totalvfs(pf, &l->total, e);
	if (rc)
		return rc;
	if ((rc = x4_pci_attr_path(pf, "sriov_offset", abs, sizeof(abs), e)) < 0)
		return rc;
	if (x4_sysfs_read_uint(abs, &l->offset, NULL) != 0)
		return 0;
	if ((rc = x4_pci_attr_path(pf, "sriov_stride", abs, sizeof(abs), e)) < 0)
		return rc;
	if (x4_sysfs_read_uint(abs, &l->stride, NULL) != 0)
		return 0;
	/* offset 0 would make VF1 the PF itself: treat as unknown, like a missing attribute */
	l->have_rid = l->offset > 0 && l->offset <= 0xffff && l->stride <= 0xffff;
	return 0;
}

static int sriov_expected(const struct x4_pciaddr *pf, const struct sriov_layout *l, unsigned index,
			  struct x4_pciaddr *out)
{
	*out = *pf;
	if (index == 0 || index > l->total)
		return -ERANGE;
	if (l->have_rid) {
		unsigned long rid = (unsigned long)pf->bus << 8 | pf->slot << 3 | pf->func;

		rid += l->offset + (unsigned long)(index - 1) * l->stride;
		if (rid > 0xffff)
			return -ERANGE;
		out->bus = (uint8_t)(rid >> 8);
		out->slot = (uint8_t)((rid >> 3) & 0x1f);
		out->func = (uint8_t)(rid & 7);
		return 0;
	}
	if (pf->func + index > 7)
		return -ERANGE;
	out->func = (uint8_t)(pf->func + index);
	return 0;
}

int x4_sriov_vf_addr_expected(const struct x4_pciaddr *pf, unsigned index,
			      struct x4_pciaddr *out, struct x4_err *e)
{
	struct sriov_layout l;
	char a[X4_PCIADDR_STRLEN];
	int rc;

	rc = sriov_get_layout(pf, &l, e);
	if (rc)
		return rc;
	if (sriov_expected(pf, &l, index, out) != 0)
		return x4_fail(e, ERANGE, "VF %u of %s is out of range (sriov_totalvfs %u)", index,
			       x4_pciaddr_format(pf, a), l.total);
	return 0;
}

int x4_sriov_vf_index(const struct x4_pciaddr *pf, const struct x4_pciaddr *vf, unsigned *index,
		      struct x4_err *e)
{
	char a[X4_PCIADDR_STRLEN], v[X4_PCIADDR_STRLEN], p[X4_PCIADDR_STRLEN];
	struct x4_pciaddr phys, cur;
	int rc;

	x4_pciaddr_format(pf, a);
	x4_pciaddr_format(vf, v);
	if (!x4_pcidev_exists(vf))
		return x4_fail(e, ENODEV, "no PCI device %s: are the VFs of %s created?", v, a);
	rc = sriov_link_addr(vf, "physfn", &phys, NULL);
	if (rc)
		return x4_fail(e, EINVAL, "%s is not an SR-IOV VF (no physfn link)", v);
	if (!x4_pciaddr_equal(&phys, pf))
		return x4_fail(e, EINVAL, "%s is a VF of %s, not of %s", v,
			       x4_pciaddr_format(&phys, p), a);
	for (unsigned k = 0; k < X4_SRIOV_MAX_VFS; k++) {
		char attr[32];

		snprintf(attr, sizeof(attr), "virtfn%u", k);
		rc = sriov_link_addr(pf, attr, &cur, NULL);
		if (rc == -ENOENT)
			break;
		if (rc == 0 && x4_pciaddr_equal(&cur, vf)) {
			*index = k + 1;
			return 0;
		}
	}
	return x4_fail(e, ENOENT, "%s names %s as its PF, but no virtfn link of %s points back", v,
		       a, a);
}

int x4_sriov_is_vf_of(const struct x4_pciaddr *pf, const struct x4_pciaddr *addr)
{
	struct sriov_layout l;
	struct x4_pciaddr x;

	if (x4_pciaddr_equal(pf, addr))
		return 0;
	if (x4_pcidev_exists(addr))
		return sriov_link_addr(addr, "physfn", &x, NULL) == 0 && x4_pciaddr_equal(&x, pf);
	if (sriov_get_layout(pf, &l, NULL) != 0)
		return 0;
	for (unsigned i = 1; i <= l.total; i++) {
		if (sriov_expected(pf, &l, i, &x) != 0)
			break;
		if (x4_pciaddr_equal(&x, addr))
			return 1;
	}
	return 0;
}

/* Write n to pf's sriov_numvfs, as the kernel wants it: one decimal, one write. */
static int sriov_write_numvfs(const struct x4_pciaddr *pf, unsigned n, struct x4_err *e)
{
	char abs[X4_PCI_ATTR_PATH_MAX], val[16];
	int rc;

	if ((rc = x4_pci_attr_path(pf, "sriov_numvfs", abs, sizeof(abs), e)) < 0)
		return rc;
	snprintf(val, sizeof(val), "%u", n);
	return x4_sysfs_write(abs, val, e);
}

/* After a write: sriov_numvfs must read n (0: the VFs are gone). */
static int sriov_numvfs_is(const struct x4_pciaddr *pf, unsigned n, struct x4_err *e)
{
	char a[X4_PCIADDR_STRLEN];
	unsigned num = 0;
	int rc = x4_sriov_numvfs(pf, &num, e);

	if (rc || num == n)
		return rc;
	x4_pciaddr_format(pf, a);
	if (n == 0)
		return x4_fail(e, EIO, "%s still has %u VFs after writing 0: check dmesg", a, num);
	return x4_fail(e, EIO, "%s enabled %u of %u VFs: check dmesg", a, num, n);
}

/* Check that numvfs reads n and virtfn0..n-1 point at devices. */
static int sriov_verify(const struct x4_pciaddr *pf, unsigned n, struct x4_err *e)
{
	char a[X4_PCIADDR_STRLEN];
	struct x4_pciaddr vf;
	int rc = sriov_numvfs_is(pf, n, e);

	if (rc)
		return rc;
	x4_pciaddr_format(pf, a);
	for (unsigned k = 0; k < n; k++) {
		rc = sriov_virtfn(pf, k, &vf, e);
		if (rc)
			return x4_fail(e, EIO, "%s has %u VFs but virtfn%u is missing or broken: "
				       "check dmesg", a, n, k);
	}
	return 0;
}

int x4_sriov_create(const struct x4_pciaddr *pf, unsigned n, struct x4_err *e)
{
	char a[X4_PCIADDR_STRLEN];
	unsigned total = 0, num = 0;
	int rc;

	x4_pciaddr_format(pf, a);
	if (n == 0)
		return x4_fail(e, EINVAL, "cannot create 0 VFs on %s: use x4ctl vf remove", a);
	rc = x4_sriov_totalvfs(pf, &total, e);
	if (rc)
		return rc;
	if (n > total)
		return x4_fail(e, ERANGE, "cannot create %u VFs on %s: it supports at most %u "
			       "(sriov_totalvfs): lower num_vfs in x4-sriov.conf", n, a, total);
	rc = x4_sriov_numvfs(pf, &num, e);
	if (rc)
		return rc;
	if (num == n)
		return sriov_verify(pf, n, e);
	if (num > 0)
		return x4_fail(e, EBUSY, "%u VFs already enabled on %s; remove them first "
			       "(x4ctl vf remove), only when none is in use", num, a);
	rc = sriov_write_numvfs(pf, n, e);
	return rc ? rc : sriov_verify(pf, n, e);
}

int x4_sriov_any_vf_busy(const struct x4_pciaddr *pf, struct x4_pciaddr *busy, char *drv,
			 size_t n, struct x4_err *e)
{
	char attr[32], abs[X4_PCI_ATTR_PATH_MAX], name[64];
	struct x4_pciaddr vf;
	int rc;

	if (!x4_pcidev_exists(pf))
		return x4_fail(e, ENODEV, "no PCI device %s", x4_pciaddr_format(pf, name));
	for (unsigned k = 0; k < X4_SRIOV_MAX_VFS; k++) {
		snprintf(attr, sizeof(attr), "virtfn%u", k);
		rc = sriov_link_addr(pf, attr, &vf, e);
		if (rc == -ENOENT)
			break; /* links are contiguous: virtfn0..numvfs-1 */
		if (rc)
			return rc;
		if ((rc = x4_pci_attr_path(&vf, "driver", abs, sizeof(abs), e)) < 0)
			return rc;
		rc = x4_sysfs_link_name(abs, name, sizeof(name), NULL);
		if (rc == -ENOENT)
			continue;
		if (rc)
			return x4_fail(e, -rc, "cannot read the driver of VF %s: %s",
				       x4_pciaddr_format(&vf, attr), strerror(-rc));
		/* vfio-pci and its variant drivers (e.g. xe-vfio-pci) hand the device to users */
		if (strstr(name, "vfio")) {
			if (busy)
				*busy = vf;
			if (drv && n)
				snprintf(drv, n, "%s", name);
			x4_err_clear(e);
			return 1;
		}
	}
	x4_err_clear(e);
	return 0;
}

int x4_sriov_remove(const struct x4_pciaddr *pf, struct x4_err *e)
{
	char a[X4_PCIADDR_STRLEN], b[X4_PCIADDR_STRLEN], drv[64];
	struct x4_pciaddr busy;
	struct x4_err why;
	unsigned num = 0;
	int rc = x4_sriov_numvfs(pf, &num, e);

	if (rc || num == 0)
		return rc;
	x4_pciaddr_format(pf, a);
	rc = x4_sriov_any_vf_busy(pf, &busy, drv, sizeof(drv), &why);
	if (rc < 0) /* unsure whether a VF is held: a blocked write would hang the caller */
		return x4_fail(e, EBUSY, "not removing the VFs of %s: %s", a, why.msg);
	if (rc == 1)
		return x4_fail(e, EBUSY, "not removing the VFs of %s: VF %s is bound to %s (a VM may "
			       "hold it; removing now would hang): stop the VM or give the VF back first",
			       a, x4_pciaddr_format(&busy, b), drv);
	rc = sriov_write_numvfs(pf, 0, e);
	return rc ? rc : sriov_numvfs_is(pf, 0, e);
}

/* Auto candidate: Intel display controller with sriov_totalvfs > 0. */
static int sriov_auto_ok(const struct x4_pciaddr *a)
{
	struct x4_pcidev d;
	unsigned total = 0;

	if (x4_pcidev_read_ids(a, &d, NULL) != 0)
		return 0;
	if (d.vendor != X4_PCI_VENDOR_INTEL || d.class >> 16 != X4_PCI_CLASS_DISPLAY)
		return 0;
	return x4_sriov_totalvfs(a, &total, NULL) == 0 && total > 0;
}

static int sriov_addr_less(const struct x4_pciaddr *x, const struct x4_pciaddr *y)
{
	if (x->domain != y->domain)
		return x->domain < y->domain;
	if (x->bus != y->bus)
		return x->bus < y->bus;
	if (x->slot != y->slot)
		return x->slot < y->slot;
	return x->func < y->func;
}

static int sriov_find_auto(struct x4_pciaddr *pf, struct x4_err *e)
{
	struct x4_pciaddr pref, best, a;
	struct x4_pcidev d;
	char dir[4096];
	int found = 0, rc;
	unsigned total = 0;
	DIR *dp;
	struct dirent *de;

	x4_pciaddr_parse(X4_BOARD_PF, &pref, NULL);
	if (sriov_auto_ok(&pref)) {
		*pf = pref;
		return 0;
	}
	rc = x4_host_path(X4_PCI_DEVICES_DIR, dir, sizeof(dir), e);
	if (rc)
		return rc;
	dp = opendir(dir);
	if (!dp)
		return x4_fail(e, errno, "cannot list %s: %s: is sysfs mounted?", dir,
			       strerror(errno));
	while ((de = readdir(dp))) {
		if (x4_pciaddr_parse(de->d_name, &a, NULL) != 0 || !sriov_auto_ok(&a))
			continue;
		if (!found || sriov_addr_less(&a, &best))
			best = a;
		found = 1;
	}
	closedir(dp);
	if (found) {
		*pf = best;
		return 0;
	}
	/* Nothing usable: explain the usual case, the N100's iGPU without SR-IOV. */
	if (x4_pcidev_read_ids(&pref, &d, NULL) == 0 && d.vendor == X4_PCI_VENDOR_INTEL &&
	    d.class >> 16 == X4_PCI_CLASS_DISPLAY) {
		rc = x4_sriov_totalvfs(&pref, &total, e);
		if (rc < 0 && rc != -ENOTSUP)
			return rc;
		return x4_fail(e, ENODEV, "%s has no SR-IOV: %s", X4_BOARD_PF,
			       sriov_hint(&pref));
	}
	return x4_fail(e, ENODEV, "no Intel GPU with SR-IOV found: set pf = DDDD:BB:SS.F in "
		       "x4-sriov.conf, or run x4ctl doctor");
}

int x4_sriov_find_pf(const struct x4_settings *s, struct x4_pciaddr *pf, struct x4_err *e)
{
	char a[X4_PCIADDR_STRLEN];
	unsigned total = 0;
	int rc;

	if (!s || s->pf_auto)
		return sriov_find_auto(pf, e);
	x4_pciaddr_format(&s->pf, a);
	if (!x4_pcidev_exists(&s->pf))
		return x4_fail(e, ENODEV, "pf = %s in x4-sriov.conf: no such PCI device "
			       "(check lspci -D)", a);
	rc = x4_sriov_totalvfs(&s->pf, &total, e);
	if (rc)
		return rc;
	if (total == 0)
		return x4_fail(e, ENODEV, "pf = %s: sriov_totalvfs is 0: %s", a, sriov_hint(&s->pf));
	*pf = s->pf;
	return 0;
}
