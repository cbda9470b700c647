/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the Looking Glass region parser (lib/lgmp.c) on arbitrary bytes, as the
 * guest controls them; the first 4 bytes pick the region size the parser is told about.
 * Invariants: a known verdict, printable NUL-terminated strings, offsets inside the copy. */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "lgmp.h"

static void fuzz_printable(const char *s, size_t n)
{
	size_t len = strnlen(s, n);

	assert(len < n);
	for (size_t i = 0; i < len; i++)
		assert(s[i] >= 0x20 && s[i] < 0x7f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct x4_lgmp_info in;
	uint64_t region = size;
	char ver[32];

	if (size >= 4 && (data[0] & 1)) /* sometimes claim a region smaller/larger than the copy */
		region = (uint64_t)(data[1] | data[2] << 8 | data[3] << 16);
	x4_lgmp_parse(data, size, region, &in);
	assert(in.kind <= X4_LGMP_HOST);
	if (in.kind == X4_LGMP_HOST)
		assert((uint64_t)in.magic_off + 12 <= size);
	fuzz_printable(in.hostver, sizeof(in.hostver));
	fuzz_printable(in.capture, sizeof(in.capture));
	fuzz_printable(in.model, sizeof(in.model));
	fuzz_printable(in.osname, sizeof(in.osname));
	assert(strnlen(in.problem, sizeof(in.problem)) < sizeof(in.problem));
	assert(x4_lgmp_release(&in) != NULL);
	if (x4_lgmp_client_version((const char *)data, size, ver, sizeof(ver)) == 0)
		assert(ver[0] == 'B' && strlen(ver) < sizeof(ver));
	return 0;
}
