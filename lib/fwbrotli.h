/* SPDX-License-Identifier: MIT */
/* fwbrotli: owns EDK2 Brotli sections (UINT64 size, UINT64 scratch size, stream) via libbrotli.
 * Callers: lib/fv only. */
#ifndef X4_FWBROTLI_H
#define X4_FWBROTLI_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* Declared output size (the first UINT64), -EINVAL when in is shorter than the 16-byte header. */
int x4_fwbrotli_size(const uint8_t *in, size_t n, uint64_t *size, struct x4_err *e);

/* Decode in[0..n) into a new buffer of exactly the declared size, refusing a size above cap
 * (-EFBIG); corrupt, short or long data is -EINVAL. The caller frees *out. */
int x4_fwbrotli_decode(const uint8_t *in, size_t n, size_t cap, uint8_t **out, size_t *outlen,
		       struct x4_err *e);

#endif
