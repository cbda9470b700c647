/* SPDX-License-Identifier: MIT */
/* name: owns a libvirt VM name as one safe path component (per-VM file names), and back.
 * Callers: lib (plan, state, domxml, lgassign), x4-hook and x4ctl. */
#ifndef X4_NAME_H
#define X4_NAME_H

#include <stddef.h>

#include "config.h"
#include "err.h"

/* Longest encoded name plus NUL: every byte may become "%XX". */
#define X4_NAME_ENC_MAX (3 * X4_NAME_MAX + 1)

/* A VM name we accept: 1..X4_NAME_MAX bytes, no NUL (the caller's string ends at it).
 * libvirt names may hold any other byte; encoding makes them path-safe. */
int x4_name_check(const char *name, struct x4_err *e);

/* Encode name: [A-Za-z0-9_-] kept, '.' kept unless leading, every other byte "%XX"
 * (uppercase hex). The result never is "", ".", "..", and never holds '/'.
 * -EINVAL for a bad name, -ENAMETOOLONG when out (n bytes) is too small. */
int x4_name_encode(const char *name, char *out, size_t n, struct x4_err *e);

/* Decode strictly: only the exact output of x4_name_encode is accepted (no lowercase hex,
 * no escaped byte that would have been kept, no "%00", no leading '.'); else -EINVAL. */
int x4_name_decode(const char *enc, char *out, size_t n, struct x4_err *e);

#endif
