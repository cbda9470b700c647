/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the whole BIOS-image extractor (containers, volumes, files, sections,
 * LZMA, EFI/Tiano), and the two decoders on their own. The first byte picks the entry:
 * 0 extractor, 1 EFI 1.1 decoder, 2 Tiano decoder, 3 LZMA decoder (others: extractor). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fwlzma.h"
#include "gopfind.h"
#include "tiano.h"

#define FUZZ_CAP (4u << 20) /* decoder output cap: keeps each run fast */

static void fuzz_require(int cond)
{
	if (!cond)
		abort();
}

static void fuzz_extract(const uint8_t *p, size_t n)
{
	static struct x4_gop_result r;
	struct x4_gop_query q = {0};
	struct x4_err e = {0};
	uint8_t sha[X4_SHA256_LEN];
	int rc = x4_gop_find(p, n, &q, &r, &e);

	fuzz_require(rc < 0 ? e.msg[0] != '\0' : (unsigned)rc == r.n && r.n <= X4_GOP_MAX);
	fuzz_require(r.walk.live == 0);
	for (unsigned i = 0; i < r.n; i++) {
		x4_sha256(r.cand[i].data, r.cand[i].len, sha);
		fuzz_require(memcmp(sha, r.cand[i].sha, sizeof(sha)) == 0);
		fuzz_require(r.cand[i].why != 0 && r.cand[i].copies >= 1);
	}
	x4_gop_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy, *out = NULL;
	size_t n, olen = 0;
	struct x4_err e;
	int rc;

	if (size < 1)
		return 0;
	/* An exact-size heap copy, so ASan sees any read past the end. */
	n = size - 1;
	copy = malloc(n ? n : 1);
	if (!copy)
		return 0;
	memcpy(copy, data + 1, n);
	switch (data[0]) {
	case 1:
	case 2:
		rc = x4_tiano_decode(copy, n, data[0], FUZZ_CAP, &out, &olen, &e);
		fuzz_require(rc == 0 ? olen <= FUZZ_CAP && out != NULL : out == NULL);
		break;
	case 3:
		rc = x4_fwlzma_decode(copy, n, n & 1, FUZZ_CAP, &out, &olen, &e);
		fuzz_require(rc == 0 ? olen <= FUZZ_CAP && out != NULL : out == NULL);
		break;
	default:
		fuzz_extract(copy, n);
		break;
	}
	free(out);
	free(copy);
	return 0;
}
