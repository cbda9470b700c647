/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the kvmfr record reader (x4_lg_store_parse), and format-parse round trips
 * of what it accepts: a store we read must be written back and read again unchanged. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lgstore.h"

static void fuzz_require(int cond)
{
	if (!cond)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct x4_lg_store s, back;
	struct x4_err e;
	char *a, *b, *text = malloc(size + 1); /* NUL-ended, as x4_file_read reads it */
	int r, i;

	fuzz_require(text != NULL);
	memcpy(text, data, size);
	text[size] = '\0';
	x4_err_clear(&e);
	r = x4_lg_store_parse(text, size, "kvmfr.json", &s, &e);
	free(text);
	fuzz_require(r == 0 || (r == -EBADMSG && e.msg[0] && !strchr(e.msg, '\n')));
	if (r < 0)
		return 0;
	for (i = 0; i < X4_LG_MAX_DEVICES; i++)
		fuzz_require(!s.vm[i][0] || x4_lg_store_find(&s, s.vm[i]) == i);
	a = x4_lg_store_format(&s);
	fuzz_require(a != NULL);
	fuzz_require(x4_lg_store_parse(a, strlen(a), "kvmfr.json", &back, &e) == 0);
	fuzz_require(memcmp(&s, &back, sizeof(s)) == 0);
	b = x4_lg_store_format(&back);
	fuzz_require(b != NULL && strcmp(a, b) == 0);
	free(a);
	free(b);
	return 0;
}
