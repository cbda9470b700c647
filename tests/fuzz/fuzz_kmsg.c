/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the kernel log parser in all three formats, and the line search. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kmsg.h"

static void fuzz_require(int cond)
{
	if (!cond)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum x4_kmsg_fmt fmt;
	struct x4_kmsg k;
	const char *pos = NULL, *line;
	char *copy, out[64];
	size_t n, seen = 0;

	if (size < 1)
		return 0;
	fmt = (enum x4_kmsg_fmt)(data[0] % 3);
	copy = malloc(size - 1 ? size - 1 : 1); /* exact size: ASan sees any overread */
	if (!copy)
		return 0;
	memcpy(copy, data + 1, size - 1);
	memset(&k, 0, sizeof(k));
	fuzz_require(x4_kmsg_feed(&k, copy, size - 1, fmt) == 0);
	fuzz_require(k.len <= X4_KMSG_KEEP && (k.len == 0 || k.text[k.len] == '\0'));
	while ((line = x4_kmsg_next(&k, &pos, NULL, &n)) != NULL) {
		fuzz_require(line >= k.text && line + n < k.text + k.len + 1);
		fuzz_require(memchr(line, '\n', n) == NULL && n <= X4_KMSG_LINE_MAX);
		seen++;
	}
	fuzz_require(x4_kmsg_find(&k, "i915", out, sizeof(out)) <= seen);
	fuzz_require(strlen(out) < sizeof(out));
	x4_kmsg_free(&k);
	free(copy);
	return 0;
}
