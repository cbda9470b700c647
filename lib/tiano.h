/* SPDX-License-Identifier: MIT */
/* tiano: owns the EFI 1.1 / Tiano decompressor (UEFI spec, "Compression Algorithm
 * Specification"). Callers: lib/fv only. */
#ifndef X4_TIANO_H
#define X4_TIANO_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* The two variants differ only in the width of the position-set count field. */
#define X4_TIANO_EFI11 1 /* 4 bits: what the UEFI spec calls EFI_STANDARD_COMPRESSION */
#define X4_TIANO_TIANO 2 /* 5 bits: EDK's Tiano compression (AMI Aptio IV used it as type 1) */

/* Declared output size (the second UINT32 of the 8-byte header), -EINVAL when n < 8. */
int x4_tiano_size(const uint8_t *in, size_t n, uint32_t *size, struct x4_err *e);

/* Decode in[0..n) (UINT32 CompSize, UINT32 OrigSize, bit stream) into a new buffer of OrigSize
 * bytes, refusing OrigSize above cap (-EFBIG). Every table, length and back reference is
 * checked: corrupt data is -EINVAL, never a read or write outside the buffers. Time is linear
 * in OrigSize + CompSize. The caller frees *out. */
int x4_tiano_decode(const uint8_t *in, size_t n, int version, size_t cap, uint8_t **out,
		    size_t *outlen, struct x4_err *e);

#endif
