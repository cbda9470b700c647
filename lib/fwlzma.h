/* SPDX-License-Identifier: MIT */
/* fwlzma: owns EDK2 LZMA sections (props + UINT64 size + LZMA1, optional x86 BCJ) via liblzma.
 * Callers: lib/fv only. */
#ifndef X4_FWLZMA_H
#define X4_FWLZMA_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* Dictionary memory liblzma may take for one section (EDK2 uses 16 MiB). */
#define X4_FWLZMA_MEMLIMIT (64u * 1024 * 1024)

/* Declared output size of an LZMA section payload (the UINT64 after the 5 props bytes),
 * -EINVAL when in is shorter than the 13-byte header. */
int x4_fwlzma_size(const uint8_t *in, size_t n, uint64_t *size, struct x4_err *e);

/* Decode in[0..n) (EDK2 "LzmaCompress" output: the .lzma alone format with a known size) into
 * a new buffer of exactly the declared size, refusing a declared size above cap. x86 != 0
 * undoes the x86 BCJ filter too (LzmaF86 sections). -EINVAL on corrupt or short data,
 * -EFBIG above cap, -ENOMEM. The caller frees *out. */
int x4_fwlzma_decode(const uint8_t *in, size_t n, int x86, size_t cap, uint8_t **out,
		     size_t *outlen, struct x4_err *e);

#endif
