/* SPDX-License-Identifier: MIT */
/* lg: owns the Looking Glass size formula and the kvmfr device checks (node, size, access).
 * Callers: lib (plan, lgassign, lgsize_check, lifecycle), qemu-x4 and x4ctl. */
#ifndef X4_LG_H
#define X4_LG_H

#include <stdint.h>
#include <sys/types.h>

#include "err.h"

#define X4_LG_DEFAULT_SIZE (32ULL << 20) /* 32 MiB: enough for 1080p SDR */
#define X4_LG_MAX_DEVICES 10             /* kvmfr's static_size_mb array */

/* Looking Glass B7 formula: w*h*4*2 (x2 again for HDR) + 10 MiB, rounded up to a power
 * of two: 1080p 32 MiB, 1440p 64 MiB, 4K 128 MiB (HDR 64/128/256 MiB).
 * 0 when w or h is 0 or above 65535. */
uint64_t x4_lg_size_for(unsigned w, unsigned h, int hdr);

/* The index N of "/dev/kvmfrN" (N < X4_LG_MAX_DEVICES); -EINVAL for any other path. */
int x4_lg_device_index(const char *abs, unsigned *idx, struct x4_err *e);

/* Size of /dev/kvmfr<idx> from /sys/module/kvmfr/parameters/static_size_mb (comma list).
 * -ENOENT when kvmfr is not loaded or has no device idx; -EINVAL for a garbled list. */
int x4_lg_static_size(unsigned idx, uint64_t *bytes, struct x4_err *e);

/* Check /dev/kvmfrN (under $X4_ROOT): a char device whose static size equals want_size
 * (0 = any). A plain file there (QEMU made it because kvmfr was not loaded), a missing node,
 * or a size mismatch is an error that says how to fix it. Callers may branch on the code:
 * -EEXIST a plain file there, -ENOENT not loaded or no such node, -ENODEV not a character
 * device, -ERANGE its size is not want_size, -EINVAL a path that is not /dev/kvmfrN. */
int x4_lg_check_device(const char *abs, uint64_t want_size, struct x4_err *e);

/* Can uid/gid (the qemu user; supplementary groups come from the user database) read
 * (and write, with want_write) abs and search every directory above it? A mode/owner
 * check, since access(2) would answer for root. POSIX ACLs are not consulted. */
int x4_lg_check_access(const char *abs, uid_t uid, gid_t gid, int want_write, struct x4_err *e);

#endif
