/* SPDX-License-Identifier: MIT */
/* fwlzma: EDK2 LZMA sections (props + UINT64 size + LZMA1, optionally x86 BCJ) through liblzma. */
#include <errno.h>
#include <lzma.h>
#include <stdlib.h>
#include <string.h>

#include "fwlzma.h"

#define FWLZMA_HDR 13 /* 5 props bytes + UINT64 uncompressed size */

int x4_fwlzma_size(const uint8_t *in, size_t n, uint64_t *size, struct x4_err *e)
{
	uint64_t v = 0;
	int i;

	if (n < FWLZMA_HDR)
		return x4_fail(e, EINVAL, "LZMA data of %zu bytes is shorter than its header", n);
	for (i = 7; i >= 0; i--)
		v = v << 8 | in[5 + i];
	*size = v;
	return 0;
}

/* Filter chain for the raw decoder: [x86 BCJ,] LZMA1 with the size known, so the decoder
 * ends there (EDK2 writes no end marker) and the BCJ filter flushes its last bytes. */
static int fwlzma_chain(const uint8_t *in, uint64_t size, int x86, lzma_filter f[3],
			lzma_options_lzma **opt)
{
	lzma_filter props = {.id = LZMA_FILTER_LZMA1, .options = NULL};
	int k = 0;

	if (lzma_properties_decode(&props, NULL, in, 5) != LZMA_OK)
		return -1;
	*opt = props.options;
	if ((*opt)->dict_size > X4_FWLZMA_MEMLIMIT)
		return -1;
	/* No match reaches further back than the output is long: a smaller window is enough. */
	if (size < (*opt)->dict_size)
		(*opt)->dict_size = size < 4096 ? 4096 : (uint32_t)size;
	(*opt)->ext_flags = LZMA_LZMA1EXT_ALLOW_EOPM;
	(*opt)->ext_size_low = (uint32_t)size;
	(*opt)->ext_size_high = (uint32_t)(size >> 32);
	if (x86)
		f[k++] = (lzma_filter){.id = LZMA_FILTER_X86, .options = NULL};
	f[k++] = (lzma_filter){.id = LZMA_FILTER_LZMA1EXT, .options = *opt};
	f[k] = (lzma_filter){.id = LZMA_VLI_UNKNOWN, .options = NULL};
	return 0;
}

int x4_fwlzma_decode(const uint8_t *in, size_t n, int x86, size_t cap, uint8_t **out,
		     size_t *outlen, struct x4_err *e)
{
	lzma_stream s = LZMA_STREAM_INIT;
	lzma_filter f[3];
	lzma_options_lzma *opt = NULL;
	uint64_t size = 0;
	uint8_t *buf;
	lzma_ret r;
	int rc;

	*out = NULL;
	*outlen = 0;
	rc = x4_fwlzma_size(in, n, &size, e);
	if (rc < 0)
		return rc;
	if (size > cap)
		return x4_fail(e, EFBIG,
			       "LZMA data claims %llu bytes, more than the %zu MiB limit for one "
			       "section",
			       (unsigned long long)size, cap >> 20);
	if (fwlzma_chain(in, size, x86, f, &opt) < 0) {
		free(opt);
		return x4_fail(e, EINVAL, "LZMA header is not valid (props 0x%02x)", in[0]);
	}
	buf = malloc(size ? size : 1);
	if (!buf) {
		free(opt);
		return x4_fail(e, ENOMEM, "out of memory for %llu bytes of LZMA output",
			       (unsigned long long)size);
	}
	r = lzma_raw_decoder(&s, f);
	free(opt);
	if (r != LZMA_OK) {
		free(buf);
		return x4_fail(e, r == LZMA_MEM_ERROR ? ENOMEM : EINVAL,
			       "LZMA decoder refused the header (liblzma error %d)", (int)r);
	}
	s.next_in = in + FWLZMA_HDR;
	s.avail_in = n - FWLZMA_HDR;
	s.next_out = buf;
	s.avail_out = size;
	r = lzma_code(&s, LZMA_FINISH);
	lzma_end(&s);
	if (r != LZMA_STREAM_END || s.avail_out != 0) {
		free(buf);
		return x4_fail(e, EINVAL, "LZMA data is corrupt or truncated (liblzma error %d, "
					  "%llu of %llu bytes)",
			       (int)r, (unsigned long long)(size - s.avail_out),
			       (unsigned long long)size);
	}
	*out = buf;
	*outlen = size;
	return 0;
}
