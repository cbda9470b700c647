/* SPDX-License-Identifier: MIT */
/* romcache: the option ROM built from the user's GOP driver, made by root ahead of QEMU. */
#ifndef X4_ROMCACHE_H
#define X4_ROMCACHE_H

#include <stdint.h>

#include "err.h"

#include "plan.h"
#define X4_ROMCACHE_DIR X4_PLAN_ROM_DIR

/* Make dst (a real path the plan gives QEMU, under X4_ROMCACHE_DIR) an EFI option ROM built
 * from src for vendor:device, unless dst is already newer than src. src may be a bare PE32
 * EFI driver (wrapped) or already an EFI option ROM (copied). Written atomically, mode 0644. */
int x4_romcache_ensure(const char *src, const char *dst, uint16_t vendor, uint16_t device,
		       struct x4_err *e);

#endif
