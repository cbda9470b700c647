/* SPDX-License-Identifier: MIT */
/* iommu: group links under /sys/kernel/iommu_groups, members, and the viability rule VFIO applies. */
#include "iommu.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "paths.h"
#include "pcidev.h"
#include "sysfs.h"
#include "vfio.h"

int x4_iommu_enabled(void)
{
	char dir[4096];
	struct dirent *de;
	DIR *d;
	int found = 0;

	if (x4_host_path("/sys/kernel/iommu_groups", dir, sizeof(dir), NULL) != 0)
		return 0;
	d = opendir(dir);
	if (!d)
		return 0;
	while (!found && (de = readdir(d)))
		found = de->d_name[0] != '.';
	closedir(d);
	return found;
}

/* Strict decimal group number: digits only, no sign, no leading zeros, < 2^31. */
static int iommu_parse_group(const char *s, unsigned *out)
{
	unsigned long v = 0;

	if (!*s || (s[0] == '0' && s[1]))
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		v = v * 10 + (unsigned long)(*s - '0');
		if (v > 0x7fffffff)
			return -EINVAL;
	}
	*out = (unsigned)v;
	return 0;
}

int x4_iommu_group(const struct x4_pciaddr *dev, unsigned *group, struct x4_err *e)
{
	char a[X4_PCIADDR_STRLEN], abs[X4_PCI_ATTR_PATH_MAX], name[64];
	int rc;

	x4_pciaddr_format(dev, a);
	if (!x4_pcidev_exists(dev))
		return x4_fail(e, ENODEV, "no PCI device %s", a);
	if ((rc = x4_pci_attr_path(dev, "iommu_group", abs, sizeof(abs), e)) < 0)
		return rc;
	rc = x4_sysfs_link_name(abs, name, sizeof(name), NULL);
	if (rc == -ENOENT)
		return x4_fail(e, ENOENT, "no IOMMU group for %s: enable VT-d in the BIOS and add "
			       "intel_iommu=on to the kernel command line", a);
	if (rc)
		return x4_fail(e, -rc, "cannot read %s: %s", abs, strerror(-rc));
	if (iommu_parse_group(name, group) != 0)
		return x4_fail(e, EINVAL, "%s points at '%s', not an IOMMU group number", abs, name);
	return 0;
}

static int iommu_cmp(const void *x, const void *y)
{
	const struct x4_pciaddr *a = x, *b = y;
	uint32_t ka = (uint32_t)a->domain << 16 | a->bus << 8 | a->slot << 3 | a->func;
	uint32_t kb = (uint32_t)b->domain << 16 | b->bus << 8 | b->slot << 3 | b->func;

	return (ka > kb) - (ka < kb);
}

int x4_iommu_members(unsigned group, struct x4_pciaddr *out, size_t max, struct x4_err *e)
{
	char dir[4096];
	struct x4_pciaddr *all = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	DIR *d;
	int rc;

	rc = x4_host_pathf(dir, sizeof(dir), e, "/sys/kernel/iommu_groups/%u/devices", group);
	if (rc)
		return rc;
	d = opendir(dir);
	if (!d)
		return x4_fail(e, errno == ENOENT ? ENOENT : errno, "no IOMMU group %u (%s): %s",
			       group, dir, strerror(errno));
	while ((de = readdir(d))) {
		struct x4_pciaddr a;

		if (de->d_name[0] == '.')
			continue;
		if (x4_pciaddr_parse(de->d_name, &a, NULL) != 0) {
			rc = x4_fail(e, EINVAL, "unexpected entry '%.64s' in %s", de->d_name, dir);
			break;
		}
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			struct x4_pciaddr *grown = realloc(all, ncap * sizeof(*grown));

			if (!grown) {
				rc = x4_fail(e, ENOMEM, "out of memory reading %s", dir);
				break;
			}
			all = grown;
			cap = ncap;
		}
		all[n++] = a;
	}
	closedir(d);
	if (rc == 0) {
		if (n)
			qsort(all, n, sizeof(*all), iommu_cmp);
		if (out && max && all)
			memcpy(out, all, (n < max ? n : max) * sizeof(*out));
		rc = (int)n;
	}
	free(all);
	return rc;
}

int x4_iommu_viable(unsigned group, const struct x4_pciaddr *dev, struct x4_err *e)
{
	struct x4_pciaddr m[64];
	char a[X4_PCIADDR_STRLEN], drv[64];
	int n, rc;

	n = x4_iommu_members(group, m, sizeof(m) / sizeof(m[0]), e);
	if (n < 0)
		return n;
	if ((size_t)n > sizeof(m) / sizeof(m[0]))
		return x4_fail(e, E2BIG, "IOMMU group %u has %d devices: too many to pass through",
			       group, n);
	for (int i = 0; i < n; i++) {
		if (dev && x4_pciaddr_equal(&m[i], dev))
			continue;
		rc = x4_vfio_driver(&m[i], drv, sizeof(drv), e);
		if (rc)
			return rc;
		if (!drv[0] || strcmp(drv, X4_VFIO_DRIVER) == 0 || strcmp(drv, "pcieport") == 0)
			continue;
		return x4_fail(e, EBUSY, "IOMMU group %u is not viable: %s in it is bound to %s; "
			       "a VM gets the whole group: put the device in its own slot or bind it "
			       "to vfio-pci", group, x4_pciaddr_format(&m[i], a), drv);
	}
	return 0;
}
