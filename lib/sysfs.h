/* SPDX-License-Identifier: MIT */
/* sysfs: owns reading/writing one attribute under the host root, errors with path, errno, hint.
 * Callers: lib (sriov, vfio, pcidev, iommu, lg, plan, lifecycle) and x4ctl. */
#ifndef X4_SYSFS_H
#define X4_SYSFS_H

#include <stddef.h>

#include "err.h"
#include "pciaddr.h"

/* All `abs` arguments are absolute host paths ("/sys/bus/pci/devices/0000:00:02.0/sriov_numvfs");
 * they are resolved with x4_host_path(), so $X4_ROOT applies and ".." is refused. */

/* Read at most n-1 bytes (bounded: one page is plenty for sysfs), strip one trailing newline. */
int x4_sysfs_read(const char *abs, char *buf, size_t n, struct x4_err *e);

/* Read a decimal (or 0x-hex) unsigned integer attribute; garbage is -EINVAL naming the path. */
int x4_sysfs_read_uint(const char *abs, unsigned long *out, struct x4_err *e);

/* Write val with one write() call, as the kernel expects; a short write is -EIO.
 * Errors carry a hint: EBUSY on sriov_numvfs -> "VFs already enabled: write 0 first",
 * EACCES/EPERM -> "run as root", ENOENT -> "no such file: driver not loaded or device gone?", ...
 * The message shows val quoted and abs as given (without $X4_ROOT). */
int x4_sysfs_write(const char *abs, const char *val, struct x4_err *e);

/* The hint x4_sysfs_write/read add for errno err (either sign) on attribute abs (its basename
 * decides: sriov_numvfs, bind, unbind, drivers_probe); NULL when there is none. */
const char *x4_sysfs_hint(const char *abs, int err);

/* Basename of a symlink's target (e.g. ".../drivers/i915" -> "i915"); -ENOENT when absent. */
int x4_sysfs_link_name(const char *abs, char *out, size_t n, struct x4_err *e);

/* 1 when the path exists (lstat), 0 when not, negative errno on other errors. */
int x4_sysfs_exists(const char *abs);

/* Numeric attribute attr of PCI device a (vendor, sriov_totalvfs, ...) read as
 * x4_sysfs_read_uint does; above max is -EINVAL naming the path. */
int x4_sysfs_pci_uint(const struct x4_pciaddr *a, const char *attr, unsigned long max,
		      unsigned long *v, struct x4_err *e);

#endif
