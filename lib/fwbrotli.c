/* SPDX-License-Identifier: MIT */
/* fwbrotli: EDK2 Brotli sections (UINT64 size, UINT64 scratch size, stream) through libbrotli. */
#include <brotli/decode.h>
#include <errno.h>
#include <stdlib.h>

#include "fwbrotli.h"

#define FWBROTLI_HDR 16 /* decoded size + the scratch size EDK2's decoder wants */

int x4_fwbrotli_size(const uint8_t *in, size_t n, uint64_t *size, struct x4_err *e)
{
	uint64_t v = 0;
	int i;

	if (n < FWBROTLI_HDR)
		return x4_fail(e, EINVAL, "Brotli data of %zu bytes is shorter than its header", n);
	for (i = 7; i >= 0; i--)
		v = v << 8 | in[i];
	*size = v;
	return 0;
}

int x4_fwbrotli_decode(const uint8_t *in, size_t n, size_t cap, uint8_t **out, size_t *outlen,
		       struct x4_err *e)
{
	uint64_t size = 0;
	size_t got;
	uint8_t *buf;
	int rc;

	*out = NULL;
	*outlen = 0;
	rc = x4_fwbrotli_size(in, n, &size, e);
	if (rc < 0)
		return rc;
	if (size > cap)
		return x4_fail(e, EFBIG,
			       "Brotli data claims %llu bytes, more than the %zu MiB limit for one "
			       "section",
			       (unsigned long long)size, cap >> 20);
	buf = malloc(size ? size : 1);
	if (!buf)
		return x4_fail(e, ENOMEM, "out of memory for %llu bytes of Brotli output",
			       (unsigned long long)size);
	got = size;
	if (BrotliDecoderDecompress(n - FWBROTLI_HDR, in + FWBROTLI_HDR, &got, buf) !=
		BROTLI_DECODER_RESULT_SUCCESS ||
	    got != size) {
		free(buf);
		return x4_fail(e, EINVAL, "Brotli data is corrupt, truncated or longer than it "
					  "claims (%llu bytes)",
			       (unsigned long long)size);
	}
	*out = buf;
	*outlen = size;
	return 0;
}
