/* SPDX-License-Identifier: MIT */
/* Unit tests: lib/sha256 against the FIPS 180-4 / NIST example vectors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sha256.h"

static void check(const void *p, size_t n, const char *want)
{
	uint8_t d[X4_SHA256_LEN];
	char hex[X4_SHA256_HEX];

	x4_sha256(p, n, d);
	assert_string_equal(x4_sha256_hex(d, hex), want);
}

static void test_empty(void **state)
{
	(void)state;
	check("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void test_abc(void **state)
{
	(void)state;
	check("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void test_two_blocks(void **state)
{
	static const char m[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

	(void)state;
	check(m, strlen(m), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

static void test_896_bits(void **state)
{
	static const char m[] = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
				"hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";

	(void)state;
	check(m, strlen(m), "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

/* One million 'a' fed in uneven pieces: exercises the incremental API across block edges. */
static void test_million_a_incremental(void **state)
{
	static char chunk[997];
	struct x4_sha256 s;
	uint8_t d[X4_SHA256_LEN];
	char hex[X4_SHA256_HEX];
	size_t left = 1000000;

	(void)state;
	memset(chunk, 'a', sizeof(chunk));
	x4_sha256_init(&s);
	for (size_t k = 1; left > 0; k = k % sizeof(chunk) + 1) {
		size_t n = k < left ? k : left;

		x4_sha256_update(&s, chunk, n);
		left -= n;
	}
	x4_sha256_final(&s, d);
	assert_string_equal(x4_sha256_hex(d, hex),
			    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

/* Lengths around the padding edges (55, 56, 63, 64 bytes): one-shot equals byte-by-byte. */
static void test_padding_edges_agree(void **state)
{
	uint8_t buf[130], a[X4_SHA256_LEN], b[X4_SHA256_LEN];

	(void)state;
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 7 + 1);
	for (size_t n = 0; n <= sizeof(buf); n++) {
		struct x4_sha256 s;

		x4_sha256(buf, n, a);
		x4_sha256_init(&s);
		for (size_t i = 0; i < n; i++)
			x4_sha256_update(&s, buf + i, 1);
		x4_sha256_final(&s, b);
		assert_memory_equal(a, b, sizeof(a));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_abc),
		cmocka_unit_test(test_two_blocks),
		cmocka_unit_test(test_896_bits),
		cmocka_unit_test(test_million_a_incremental),
		cmocka_unit_test(test_padding_edges_agree),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
