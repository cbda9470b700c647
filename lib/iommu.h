/* SPDX-License-Identifier: MIT */
/* iommu: owns IOMMU groups of PCI devices, their members, and whether a group can go to a VM.
 * Callers: lib/lifecycle, lib/reclaim and x4ctl. */
#ifndef X4_IOMMU_H
#define X4_IOMMU_H

#include <stddef.h>

#include "err.h"
#include "pciaddr.h"

/* 1 when /sys/kernel/iommu_groups has at least one group (VT-d on and intel_iommu=on), else 0. */
int x4_iommu_enabled(void);

/* The IOMMU group number of dev. -ENODEV: no such device; -ENOENT: no group ("enable VT-d in
 * the BIOS and add intel_iommu=on to the kernel command line"); -EINVAL: garbled link. */
int x4_iommu_group(const struct x4_pciaddr *dev, unsigned *group, struct x4_err *e);

/* Members of group, sorted by address: fills at most max and returns how many there are. */
int x4_iommu_members(unsigned group, struct x4_pciaddr *out, size_t max, struct x4_err *e);

/* 0 when group can be handed to a VM: every member other than dev (may be NULL) is on
 * vfio-pci, on no driver, or a pcieport bridge. Else -EBUSY naming the member that blocks and
 * its driver. */
int x4_iommu_viable(unsigned group, const struct x4_pciaddr *dev, struct x4_err *e);

#endif
