/* SPDX-License-Identifier: MIT */
/* romcache: owns the option ROM built from the user's GOP driver, made by root ahead of QEMU.
 * Callers: lib/plan (its path) and lib/lifecycle (builds it at prepare). */
#ifndef X4_ROMCACHE_H
#define X4_ROMCACHE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#include "plan.h"
#define X4_ROMCACHE_DIR X4_PLAN_ROM_DIR

/* Where the ROM built from src for vendor:device lives: X4_ROMCACHE_DIR/<sha256>.optionrom,
 * the SHA-256 of src's bytes and the two ids. A changed or different source never maps to an
 * older build, whatever its name or mtime. Reads src (a regular file up to 16 MiB). */
int x4_romcache_path(const char *src, uint16_t vendor, uint16_t device, char *out, size_t n,
		     struct x4_err *e);

/* Make dst (the plan's x4_romcache_path for src) an EFI option ROM built from src for
 * vendor:device, unless it exists already. src may be a bare PE32 EFI driver (wrapped) or
 * already an EFI option ROM (copied). Written atomically, mode 0644. A dst that is not src's
 * key (src changed after the plan was made, or other ids) is -ESTALE. */
int x4_romcache_ensure(const char *src, const char *dst, uint16_t vendor, uint16_t device,
		       struct x4_err *e);

#endif
