/* SPDX-License-Identifier: MIT */
/* vfio: owns binding SR-IOV VFs to vfio-pci and giving them back; never a PF, never the boot
 * display. Callers: lib/lifecycle, lib/reclaim (root) and x4ctl. */
#ifndef X4_VFIO_H
#define X4_VFIO_H

#include <stddef.h>

#include "err.h"
#include "pciaddr.h"

#define X4_VFIO_DRIVER "vfio-pci"

/* Name of the driver dev is bound to ("" when none). -ENODEV when dev does not exist. */
int x4_vfio_driver(const struct x4_pciaddr *dev, char *out, size_t n, struct x4_err *e);

/* 1 when /sys/bus/pci/drivers/vfio-pci exists; 0 when not, with e set to
 * "vfio-pci is not loaded: modprobe vfio-pci" (code ENOENT). */
int x4_vfio_loaded(struct x4_err *e);

/* Bind VF dev to vfio-pci: driver_override = vfio-pci, unbind from its current driver (unless
 * none or vfio-pci already), write dev to drivers_probe, then read the driver link back.
 * orig_driver (may be NULL) receives the driver it had before ("" when none), for the give-back.
 * Refuses (-EPERM) anything but a VF: no physfn link, dev equal to pf_or_null (when given) or
 * not a VF of it, or boot_vga = 1. When the device does not end up on vfio-pci, the override
 * is cleared and the device probed again, and the call fails with -EIO. */
int x4_vfio_bind(const struct x4_pciaddr *dev, const struct x4_pciaddr *pf_or_null,
		 char *orig_driver, size_t n, struct x4_err *e);

/* Give VF dev back: clear driver_override (write "\n"), unbind it from vfio-pci when bound
 * there, write it to drivers_probe so a host driver may take it. Leaves other drivers alone.
 * Refuses (-EPERM) anything that is not a VF. */
int x4_vfio_unbind(const struct x4_pciaddr *dev, struct x4_err *e);

/* 1 when /dev/vfio/<group> exists, else 0. */
int x4_vfio_group_dev_exists(unsigned group);

#endif
