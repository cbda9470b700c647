/* SPDX-License-Identifier: MIT */
/* lgsize_check: owns the real size of a Looking Glass region (kvmfr ioctl, fstat) against the
 * plan's. Callers: lib/plan, lib/lifecycle, qemu-x4 and x4ctl. */
#ifndef X4_LGSIZE_CHECK_H
#define X4_LGSIZE_CHECK_H

#include <stdint.h>

#include "err.h"

/* Size of abs (under $X4_ROOT): a kvmfr char device by kvmfr's size ioctl (or, when the
 * device cannot be asked, kvmfr's static_size_mb if readable), a regular file by fstat.
 * -ENOENT when abs does not exist, -ENODATA when a char device's size cannot be learnt. */
int x4_lg_region_size(const char *abs, uint64_t *bytes, struct x4_err *e);

/* Before QEMU starts vm: abs must be want bytes. A missing or empty shm file (QEMU sizes it) and a
 * size that cannot be learnt pass; a mismatch is one line naming the VM, the device, both sizes and
 * the fix. */
int x4_lg_check_region_size(const char *vm, const char *abs, uint64_t want, struct x4_err *e);

#endif
