/* SPDX-License-Identifier: MIT */
/* Unit tests: lib/name (VM name <-> path component). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "name.h"

static void roundtrip(const char *name, const char *want)
{
	char enc[X4_NAME_ENC_MAX], dec[X4_NAME_MAX + 1];
	struct x4_err e;

	assert_int_equal(x4_name_encode(name, enc, sizeof(enc), &e), 0);
	assert_string_equal(enc, want);
	assert_null(strchr(enc, '/'));
	assert_int_equal(x4_name_decode(enc, dec, sizeof(dec), &e), 0);
	assert_string_equal(dec, name);
}

static void test_encode_examples(void **state)
{
	(void)state;
	roundtrip("win11", "win11");
	roundtrip("Win-11_x.64", "Win-11_x.64");
	roundtrip("my vm", "my%20vm");
	roundtrip("a/b", "a%2Fb");
	roundtrip(".", "%2E");
	roundtrip("..", "%2E.");
	roundtrip(".hidden", "%2Ehidden");
	roundtrip("50%", "50%25");
	roundtrip("tab\there", "tab%09here");
	roundtrip("\xc3\xa9t\xc3\xa9", "%C3%A9t%C3%A9"); /* UTF-8 "été" */
	roundtrip("\xff", "%FF");
	roundtrip("-x", "-x");
}

static void test_encode_all_bytes(void **state)
{
	char name[256], enc[X4_NAME_ENC_MAX], dec[X4_NAME_MAX + 1];

	(void)state;
	/* every non-NUL byte in a name, in chunks within X4_NAME_MAX */
	for (int start = 1; start < 256; start += 100) {
		int k = 0;

		for (int c = start; c < 256 && c < start + 100; c++)
			name[k++] = (char)c;
		name[k] = '\0';
		assert_int_equal(x4_name_encode(name, enc, sizeof(enc), NULL), 0);
		assert_null(strchr(enc, '/'));
		assert_true(enc[0] != '.');
		assert_int_equal(x4_name_decode(enc, dec, sizeof(dec), NULL), 0);
		assert_string_equal(dec, name);
	}
}

static void test_encode_limits(void **state)
{
	char name[X4_NAME_MAX + 2], enc[X4_NAME_ENC_MAX], small[4];
	struct x4_err e;

	(void)state;
	assert_int_equal(x4_name_encode("", enc, sizeof(enc), &e), -EINVAL);
	assert_non_null(strstr(e.msg, "empty"));
	assert_int_equal(x4_name_encode(NULL, enc, sizeof(enc), &e), -EINVAL);
	memset(name, 'a', X4_NAME_MAX);
	name[X4_NAME_MAX] = '\0';
	assert_int_equal(x4_name_encode(name, enc, sizeof(enc), &e), 0);
	name[X4_NAME_MAX] = 'a';
	name[X4_NAME_MAX + 1] = '\0';
	assert_int_equal(x4_name_encode(name, enc, sizeof(enc), &e), -EINVAL);
	assert_non_null(strstr(e.msg, "longer than"));
	/* the worst case fits X4_NAME_ENC_MAX exactly */
	memset(name, ' ', X4_NAME_MAX);
	name[X4_NAME_MAX] = '\0';
	assert_int_equal(x4_name_encode(name, enc, sizeof(enc), &e), 0);
	assert_int_equal(strlen(enc), X4_NAME_ENC_MAX - 1);
	assert_int_equal(x4_name_encode("abcd", small, sizeof(small), &e), -ENAMETOOLONG);
	assert_int_equal(x4_name_encode("a b", small, sizeof(small), &e), -ENAMETOOLONG);
	assert_int_equal(x4_name_encode("abc", small, sizeof(small), &e), 0);
}

static void test_decode_strict(void **state)
{
	char dec[X4_NAME_MAX + 1], big[X4_NAME_MAX + 8];
	struct x4_err e;
	const char *bad[] = {
		"", ".", "..", ".x", "%2e", "a%2", "a%", "%G0", "%41", "%2D", "a b", "a/b",
		"%00", "a%zz", "%5f", "%2E%2E/", "x\n",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		x4_err_clear(&e);
		assert_int_equal(x4_name_decode(bad[i], dec, sizeof(dec), &e), -EINVAL);
		assert_int_equal(e.code, EINVAL);
	}
	assert_int_equal(x4_name_decode(NULL, dec, sizeof(dec), &e), -EINVAL);
	assert_int_equal(x4_name_decode("a.", dec, sizeof(dec), &e), 0);
	assert_string_equal(dec, "a.");
	/* decodes to more than X4_NAME_MAX bytes */
	memset(big, 'b', X4_NAME_MAX + 1);
	big[X4_NAME_MAX + 1] = '\0';
	assert_int_equal(x4_name_decode(big, dec, sizeof(dec), &e), -EINVAL);
	assert_int_equal(x4_name_decode("abcdef", dec, 4, &e), -ENAMETOOLONG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encode_examples),
		cmocka_unit_test(test_encode_all_bytes),
		cmocka_unit_test(test_encode_limits),
		cmocka_unit_test(test_decode_strict),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
