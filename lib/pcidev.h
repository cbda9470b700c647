/* SPDX-License-Identifier: MIT */
/* pcidev: owns the host's PCI functions: libpci enumeration with names, a sysfs-only id reader.
 * Callers: lib (sriov, vfio, iommu, lifecycle) and x4ctl. */
#ifndef X4_PCIDEV_H
#define X4_PCIDEV_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "pciaddr.h"

#define X4_PCI_VENDOR_INTEL 0x8086
#define X4_PCI_CLASS_DISPLAY 0x03 /* base class of VGA/3D/other display controllers */

/* One PCI function. */
struct x4_pcidev {
	struct x4_pciaddr addr;
	uint16_t vendor, device;
	uint32_t class;  /* 24-bit class code: base << 16 | sub << 8 | prog_if (0x030000 = VGA) */
	char name[128];  /* "Intel Corporation Alder Lake-N [UHD Graphics]"; numeric "8086:46d1"
			  * when pci.ids has no entry; "" from x4_pcidev_read_ids() */
};

/* Enumerate /sys/bus/pci (under $X4_ROOT) with libpci, sorted by address. Fills at most max
 * entries of out and returns the number of devices found (may exceed max), or a negative errno.
 * libpci never exits the process: its fatal errors come back as -EIO with its message. */
int x4_pcidev_list(struct x4_pcidev *out, size_t max, struct x4_err *e);

/* One device through libpci (ids, class, name); -ENODEV when it is not on the bus. */
int x4_pcidev_get(const struct x4_pciaddr *a, struct x4_pcidev *out, struct x4_err *e);

/* Hot-path reader: vendor, device and class straight from the sysfs attributes, strictly
 * parsed, without initialising libpci; out->name is "". -ENODEV when the device is absent,
 * -EINVAL naming the attribute when one is garbled. */
int x4_pcidev_read_ids(const struct x4_pciaddr *a, struct x4_pcidev *out, struct x4_err *e);

/* 1 when the device exists under /sys/bus/pci/devices, else 0. */
int x4_pcidev_exists(const struct x4_pciaddr *a);

#endif
