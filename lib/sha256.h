/* SPDX-License-Identifier: MIT */
/* sha256: owns SHA-256 (FIPS 180-4), one-shot and incremental, for content keys.
 * Callers: lib/romcache and lib/gopfind. */
#ifndef X4_SHA256_H
#define X4_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define X4_SHA256_LEN 32
#define X4_SHA256_HEX (2 * X4_SHA256_LEN + 1) /* lowercase hex plus NUL */

struct x4_sha256 {
	uint32_t h[8];
	uint64_t len;      /* bytes fed so far */
	uint8_t buf[64];   /* partial block */
	size_t nbuf;
};

void x4_sha256_init(struct x4_sha256 *s);
void x4_sha256_update(struct x4_sha256 *s, const void *p, size_t n);
/* Finish and write the digest; s must be initialised again before reuse. */
void x4_sha256_final(struct x4_sha256 *s, uint8_t out[X4_SHA256_LEN]);

/* One-shot digest of p[0..n). */
void x4_sha256(const void *p, size_t n, uint8_t out[X4_SHA256_LEN]);

/* Lowercase hex of a digest into out (X4_SHA256_HEX bytes). Returns out. */
char *x4_sha256_hex(const uint8_t d[X4_SHA256_LEN], char out[X4_SHA256_HEX]);

#endif
