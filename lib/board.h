/* SPDX-License-Identifier: MIT */
/* board: the facts of the one board x4-sriov is for (Radxa X4, Intel N100 / Alder Lake-N) and
 * the kernel arguments its iGPU needs for SR-IOV. The one home of each: code and messages use
 * these names, never the literals. Header only; anyone may include it. */
#ifndef X4_BOARD_H
#define X4_BOARD_H

#include "pcidev.h" /* X4_PCI_VENDOR_INTEL */

/* Turn a macro's value into a string literal: X4_BOARD_STR(X4_BOARD_GPU_DEVICE) -> "0x46d1". */
#define X4_BOARD_STR_(x) #x
#define X4_BOARD_STR(x) X4_BOARD_STR_(x)

/* The iGPU, the SR-IOV PF that pf = auto prefers. */
#define X4_BOARD_PF "0000:00:02.0"
#define X4_BOARD_GPU_VENDOR X4_PCI_VENDOR_INTEL
#define X4_BOARD_GPU_DEVICE 0x46d1 /* UHD Graphics (Alder Lake-N) */
#define X4_BOARD_GPU_DEVICE_HEX "46d1" /* as the kernel prints it and xe.force_probe takes it */
/* Its VFs carry the PF's own device id (sriov_vf_device reads 46d1): the id an option ROM for
 * a VF is built with when sysfs cannot be asked. */
#define X4_BOARD_VF_DEVICE X4_BOARD_GPU_DEVICE
#define X4_BOARD_MAX_VFS 7 /* what the GuC firmware of ADL-N offers */

/* Kernel command-line arguments, one word each, and the two full lines: i915-sriov-dkms (the
 * tested driver) or xe. x4ctl install writes the i915 line; x4ctl doctor checks for them. */
#define X4_KARG_IOMMU "intel_iommu=on iommu=pt"
#define X4_KARG_I915_GUC "i915.enable_guc=3"
#define X4_KARG_I915_VFS "i915.max_vfs=" X4_BOARD_STR(X4_BOARD_MAX_VFS)
#define X4_KARG_XE_VFS "xe.max_vfs=" X4_BOARD_STR(X4_BOARD_MAX_VFS)
#define X4_KARG_XE_PROBE "xe.force_probe=" X4_BOARD_GPU_DEVICE_HEX
#define X4_KARGS_I915                                                                      \
	X4_KARG_IOMMU " " X4_KARG_I915_GUC " " X4_KARG_I915_VFS " module_blacklist=xe"
#define X4_KARGS_XE X4_KARG_IOMMU " " X4_KARG_XE_VFS " " X4_KARG_XE_PROBE " module_blacklist=i915"

#endif
