/* SPDX-License-Identifier: MIT */
/* Unit tests: lib/paths and lib/err. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "paths.h"

static void test_root_prefix(void **state)
{
	char out[256];
	struct x4_err e;

	(void)state;
	setenv("X4_ROOT", "/tmp/fake", 1);
	assert_int_equal(x4_host_path("/sys/bus/pci", out, sizeof(out), &e), 0);
	assert_string_equal(out, "/tmp/fake/sys/bus/pci");
	unsetenv("X4_ROOT");
	assert_int_equal(x4_host_path("/sys/bus/pci", out, sizeof(out), &e), 0);
	assert_string_equal(out, "/sys/bus/pci");
	setenv("X4_ROOT", "", 1);
	assert_string_equal(x4_root(), "");
	unsetenv("X4_ROOT");
}

static void test_rejects_escapes(void **state)
{
	char out[256];
	struct x4_err e;
	const char *bad[] = { "sys/bus", "/sys/../etc", "/..", "/sys/./x", "/sys//x", "", "/a/.." };

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		x4_err_clear(&e);
		assert_int_equal(x4_host_path(bad[i], out, sizeof(out), &e), -EINVAL);
		assert_int_equal(e.code, EINVAL);
		assert_non_null(strstr(e.msg, "bad host path"));
	}
	assert_int_equal(x4_host_path(NULL, out, sizeof(out), &e), -EINVAL);
	/* "..." and ".x" are ordinary names, not escapes */
	assert_int_equal(x4_host_path("/a/.../.x", out, sizeof(out), &e), 0);
}

static void test_too_long(void **state)
{
	char out[16];
	struct x4_err e;

	(void)state;
	assert_int_equal(x4_host_path("/sys/bus/pci/devices", out, sizeof(out), &e), -ENAMETOOLONG);
	assert_int_equal(x4_host_pathf(out, sizeof(out), &e, "/sys/%s", "bus/pci/devices"), -ENAMETOOLONG);
	assert_int_equal(x4_host_pathf(out, sizeof(out), &e, "/sys/%s", "x"), 0);
	assert_string_equal(out, "/sys/x");
}

static void test_config_path(void **state)
{
	char out[256];

	(void)state;
	setenv("X4_CONFIG", "/tmp/my.conf", 1);
	assert_int_equal(x4_config_path(out, sizeof(out), NULL), 0);
	assert_string_equal(out, "/tmp/my.conf");
	unsetenv("X4_CONFIG");
	setenv("X4_ROOT", "/r", 1);
	assert_int_equal(x4_config_path(out, sizeof(out), NULL), 0);
	assert_string_equal(out, "/r/etc/x4-sriov/x4-sriov.conf");
	unsetenv("X4_ROOT");
}

static void test_err_one_line(void **state)
{
	struct x4_err e;

	(void)state;
	assert_int_equal(x4_fail(&e, -EBUSY, "a\nb %d", 3), -EBUSY);
	assert_int_equal(e.code, EBUSY);
	assert_string_equal(e.msg, "a b 3");
	assert_int_equal(x4_fail(NULL, EIO, "x"), -EIO);
	x4_err_clear(&e);
	assert_int_equal(e.code, 0);
	assert_string_equal(e.msg, "");
}

static void test_quote(void **state)
{
	char q[X4_QUOTE_BUF], long_text[200];

	(void)state;
	assert_string_equal(x4_quote("00:02.1", q), "'00:02.1'");
	assert_string_equal(x4_quote("a\nb'\\\xff", q), "'a\\x0ab\\x27\\x5c\\xff'");
	assert_string_equal(x4_quote(NULL, q), "(null)");
	memset(long_text, 'x', sizeof(long_text) - 1);
	long_text[sizeof(long_text) - 1] = '\0';
	x4_quote(long_text, q);
	assert_int_equal(strlen(q), X4_QUOTE_MAX + 2 + 3); /* quotes + "..." */
	assert_string_equal(q + X4_QUOTE_MAX + 2, "...");
	memset(long_text, '\x01', sizeof(long_text) - 1); /* worst case: every byte escaped */
	assert_true(strlen(x4_quote(long_text, q)) < sizeof(q));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_root_prefix),
		cmocka_unit_test(test_rejects_escapes),
		cmocka_unit_test(test_too_long),
		cmocka_unit_test(test_config_path),
		cmocka_unit_test(test_err_one_line),
		cmocka_unit_test(test_quote),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
