/* SPDX-License-Identifier: MIT */
/* Unit tests: lib/tiano (EFI 1.1 / Tiano decoder) on hand-built bit streams and hostile ones.
 * The real-data oracle is UEFIExtract in tests/suites/45-rom-extract.sh. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "testutil.h"
#include "tiano.h"

/* MSB-first bit writer behind an 8-byte header (CompSize, OrigSize). */
struct bw {
	uint8_t buf[256];
	size_t bits;
};

static void put(struct bw *w, uint32_t v, unsigned n)
{
	while (n--) {
		if ((v >> n) & 1)
			w->buf[8 + w->bits / 8] |= (uint8_t)(0x80 >> (w->bits % 8));
		w->bits++;
	}
}

static size_t finish(struct bw *w, uint32_t orig)
{
	uint32_t comp = (uint32_t)((w->bits + 7) / 8);

	memcpy(w->buf, &comp, 4);
	memcpy(w->buf + 4, &orig, 4);
	return 8 + comp;
}

/* A block of n symbols all equal to c: every table a single symbol of length 0. */
static void block_single(struct bw *w, unsigned n, unsigned c, unsigned pbit)
{
	put(w, n, 16);
	put(w, 0, 5);
	put(w, 0, 5); /* T: one symbol */
	put(w, 0, 9);
	put(w, c, 9); /* C: symbol c */
	put(w, 0, pbit);
	put(w, 0, pbit); /* P: position symbol 0 */
}

static void test_single_symbol_blocks(void **state)
{
	struct bw w = {0};
	uint8_t *out = NULL;
	size_t n, olen = 0;
	struct x4_err e;

	(void)state;
	block_single(&w, 3, 'A', 5);
	block_single(&w, 2, 'b', 5);
	n = finish(&w, 5);
	assert_int_equal(x4_tiano_decode(w.buf, n, X4_TIANO_TIANO, 1 << 20, &out, &olen, &e), 0);
	assert_int_equal(olen, 5);
	assert_memory_equal(out, "AAAbb", 5);
	free(out);
}

static void test_match_symbol(void **state)
{
	struct bw w = {0};
	uint8_t *out = NULL;
	size_t n, olen = 0;
	struct x4_err e;

	(void)state;
	/* 'x', then symbol 256+1 (a 4-byte match) at position 0 (the byte before). */
	block_single(&w, 1, 'x', 4);
	block_single(&w, 1, 257, 4);
	n = finish(&w, 5);
	assert_int_equal(x4_tiano_decode(w.buf, n, X4_TIANO_EFI11, 1 << 20, &out, &olen, &e), 0);
	assert_memory_equal(out, "xxxxx", 5);
	free(out);
}

static void test_match_before_start_refused(void **state)
{
	struct bw w = {0};
	uint8_t *out = NULL;
	size_t n, olen = 0;
	struct x4_err e;

	(void)state;
	block_single(&w, 1, 300, 5); /* a match as the very first symbol */
	n = finish(&w, 64);
	assert_int_equal(x4_tiano_decode(w.buf, n, X4_TIANO_TIANO, 1 << 20, &out, &olen, &e),
			 -EINVAL);
	assert_null(out);
}

static void test_bad_tables_refused(void **state)
{
	struct bw w = {0};
	uint8_t *out = NULL;
	size_t n, olen = 0;
	struct x4_err e;

	(void)state;
	/* Single C symbol 511: past the 510 the set holds (an old EDK2 overflow). */
	put(&w, 1, 16);
	put(&w, 0, 5);
	put(&w, 0, 5);
	put(&w, 0, 9);
	put(&w, 511, 9);
	n = finish(&w, 8);
	assert_int_equal(x4_tiano_decode(w.buf, n, X4_TIANO_TIANO, 1 << 20, &out, &olen, &e),
			 -EINVAL);
	/* T set of 3 lengths all 1: an over-subscribed code. */
	memset(&w, 0, sizeof(w));
	put(&w, 1, 16);
	put(&w, 3, 5);
	put(&w, 1, 3);
	put(&w, 1, 3);
	put(&w, 1, 3);
	put(&w, 0, 2);
	n = finish(&w, 8);
	assert_int_equal(x4_tiano_decode(w.buf, n, X4_TIANO_TIANO, 1 << 20, &out, &olen, &e),
			 -EINVAL);
	/* More T lengths than the set has. */
	memset(&w, 0, sizeof(w));
	put(&w, 1, 16);
	put(&w, 31, 5);
	n = finish(&w, 8);
	assert_int_equal(x4_tiano_decode(w.buf, n, X4_TIANO_TIANO, 1 << 20, &out, &olen, &e),
			 -EINVAL);
	assert_null(out);
}

static void test_size_claims(void **state)
{
	uint8_t h[16] = {4, 0, 0, 0, 0xff, 0xff, 0xff, 0xff};
	uint8_t *out = NULL;
	size_t olen = 0;
	struct x4_err e;

	(void)state;
	assert_int_equal(x4_tiano_decode(h, sizeof(h), X4_TIANO_TIANO, 64u << 20, &out, &olen, &e),
			 -EFBIG);
	assert_non_null(strstr(e.msg, "4294967295"));
	h[0] = 200; /* CompSize past the buffer */
	h[4] = 1;
	h[5] = h[6] = h[7] = 0;
	assert_int_equal(x4_tiano_decode(h, sizeof(h), X4_TIANO_TIANO, 64u << 20, &out, &olen, &e),
			 -EINVAL);
	assert_int_equal(x4_tiano_decode(h, 7, X4_TIANO_TIANO, 64u << 20, &out, &olen, &e),
			 -EINVAL);
	assert_null(out);
}

static void test_zero_padding_is_bounded(void **state)
{
	/* No bits at all but 1 MiB claimed: zero bits decode as endless blocks of 65536 symbol-0
	 * literals; bounded by OrigSize, never a read past the input. */
	uint8_t h[8] = {0, 0, 0, 0, 0, 0, 0x10, 0};
	uint8_t *out = NULL;
	size_t olen = 0;
	struct x4_err e;
	int rc;

	(void)state;
	rc = x4_tiano_decode(h, sizeof(h), X4_TIANO_TIANO, 64u << 20, &out, &olen, &e);
	assert_true(rc == 0 || rc == -EINVAL);
	free(out);
}

static uint8_t *slurp(const char *name, size_t *n)
{
	char dir[PATH_MAX + 64], path[PATH_MAX + 128];
	FILE *f;
	uint8_t *b = malloc(1 << 16);

	assert_int_equal(tu_fixture_dir("fw", dir, sizeof(dir)), 0);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	assert_non_null(f);
	*n = fread(b, 1, 1 << 16, f);
	fclose(f);
	return b;
}

/* Streams from tests/fwfixture.py's encoder (real Huffman tables, matches; UEFIExtract decodes
 * the same encoder's output identically in suite 45). */
static void test_real_streams(void **state)
{
	size_t np, nt, ne, olen = 0;
	uint8_t *plain = slurp("plain.bin", &np), *t = slurp("tiano.bin", &nt),
		*ef = slurp("efi11.bin", &ne), *out = NULL;
	struct x4_err e;

	(void)state;
	assert_int_equal(x4_tiano_decode(t, nt, X4_TIANO_TIANO, 1 << 20, &out, &olen, &e), 0);
	assert_int_equal(olen, np);
	assert_memory_equal(out, plain, np);
	free(out);
	assert_int_equal(x4_tiano_decode(ef, ne, X4_TIANO_EFI11, 1 << 20, &out, &olen, &e), 0);
	assert_int_equal(olen, np);
	assert_memory_equal(out, plain, np);
	free(out);
	/* Read with the wrong position width, the stream falls apart (or at least differs). */
	if (x4_tiano_decode(t, nt, X4_TIANO_EFI11, 1 << 20, &out, &olen, &e) == 0) {
		assert_true(memcmp(out, plain, np) != 0);
		free(out);
	}
	/* Every truncation is refused or decodes to something, never a crash (ASan run). */
	for (size_t cut = 8; cut < nt; cut += 97) {
		t[0] = (uint8_t)(cut - 8);
		t[1] = (uint8_t)((cut - 8) >> 8);
		if (x4_tiano_decode(t, cut, X4_TIANO_TIANO, 1 << 20, &out, &olen, &e) == 0)
			free(out);
	}
	free(plain);
	free(t);
	free(ef);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_single_symbol_blocks),
		cmocka_unit_test(test_match_symbol),
		cmocka_unit_test(test_match_before_start_refused),
		cmocka_unit_test(test_bad_tables_refused),
		cmocka_unit_test(test_size_claims),
		cmocka_unit_test(test_zero_padding_is_bounded),
		cmocka_unit_test(test_real_streams),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
