/* SPDX-License-Identifier: MIT */
/* Unit tests: lib/dkmsconf reads PACKAGE_NAME/PACKAGE_VERSION strictly and refuses the rest. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "dkmsconf.h"

static int parse(const char *t, struct x4_dkmsconf *c, struct x4_err *e)
{
	return x4_dkmsconf_parse(t, strlen(t), "m/dkms.conf", c, e);
}

/* The shape of Looking Glass's module/dkms.conf: quoted, unquoted, comments, other keys. */
static void test_good(void **state)
{
	static const char t[] = "# kvmfr\n"
				"PACKAGE_NAME=\"kvmfr\"\n"
				"  PACKAGE_VERSION='0.0.12'   # the module's own version\n"
				"BUILT_MODULE_NAME[0]=\"${PACKAGE_NAME}\"\n"
				"MAKE[0]=\"make KDIR=${kernel_source_dir}\"\n"
				"# PACKAGE_VERSION=9 in a comment is not read\n"
				"AUTOINSTALL=\"yes\""; /* no final newline */
	struct x4_dkmsconf c;
	struct x4_err e;

	(void)state;
	assert_int_equal(x4_dkmsconf_parse(t, sizeof(t) - 1, "m/dkms.conf", &c, &e), 0);
	assert_string_equal(c.name, "kvmfr");
	assert_string_equal(c.version, "0.0.12");
	assert_int_equal(parse("PACKAGE_VERSION=1.2-rc1+git~3\nPACKAGE_NAME=kvmfr", &c, &e), 0);
	assert_string_equal(c.version, "1.2-rc1+git~3");
	assert_int_equal(parse("PACKAGE_NAME=kvmfr\t# c\nPACKAGE_VERSION=\"2\" #c\n", &c, &e), 0);
	assert_string_equal(c.version, "2");
	assert_string_equal(c.name, "kvmfr");
}

static void expect_bad(const char *t, const char *msg_part)
{
	struct x4_dkmsconf c;
	struct x4_err e;

	assert_int_equal(parse(t, &c, &e), -EINVAL);
	if (!strstr(e.msg, msg_part))
		fail_msg("'%s' not in '%s'", msg_part, e.msg);
}

static void test_bad(void **state)
{
	(void)state;
	expect_bad("PACKAGE_NAME=kvmfr\n", "no PACKAGE_VERSION= line");
	expect_bad("PACKAGE_VERSION=1\n", "no PACKAGE_NAME= line");
	expect_bad("", "no PACKAGE_NAME= line");
	expect_bad("PACKAGE_NAME=kvmfr\nPACKAGE_VERSION=1\nPACKAGE_VERSION=2\n",
		   "PACKAGE_VERSION twice (lines 2 and 3)");
	expect_bad("PACKAGE_NAME=kvmfr\nPACKAGE_VERSION=\"1\"\r\n", "line 2 ends in CR");
	expect_bad("PACKAGE_NAME=kvmfr\r\nPACKAGE_VERSION=1\n", "line 1 ends in CR");
	expect_bad("PACKAGE_NAME=kvmfr\nPACKAGE_VERSION=$(id)\n", "not a plain value");
	expect_bad("PACKAGE_NAME=kvmfr\nPACKAGE_VERSION=\"1 2\"\n", "not a plain value");
	expect_bad("PACKAGE_NAME=kvmfr\nPACKAGE_VERSION=\"1\"x\n", "not a plain value");
	/* bash reads "1#x" as one word (a comment starts only after a blank) */
	expect_bad("PACKAGE_NAME=kvmfr\nPACKAGE_VERSION=1#x\n", "PACKAGE_VERSION='1#x'");
	expect_bad("PACKAGE_NAME=kvmfr\nPACKAGE_VERSION=\"1\"#x\n", "not a plain value");
	expect_bad("PACKAGE_NAME=kvmfr\nPACKAGE_VERSION=\"../../etc\"\n", "not a plain value");
	expect_bad("PACKAGE_NAME=kvmfr\nPACKAGE_VERSION=-k\n", "not a plain value");
	expect_bad("PACKAGE_NAME=kvmfr\nPACKAGE_VERSION=\n", "not a plain value");
	expect_bad("PACKAGE_NAME=kvmfr\nPACKAGE_VERSION=\"1\n", "quote is not closed");
	expect_bad("PACKAGE_NAME=kvmfr\nPACKAGE_VERSION="
		   "12345678901234567890123456789012345678901234567890123456789012345\n",
		   "not a plain value");
	/* Other ways bash would set them. */
	expect_bad("PACKAGE_NAME=kvmfr\nPACKAGE_VERSION=1\nexport PACKAGE_VERSION=2\n",
		   "line 3 sets PACKAGE_VERSION in a way");
	expect_bad("PACKAGE_NAME=kvmfr; PACKAGE_VERSION=2\nPACKAGE_VERSION=1\n",
		   "line 1 sets PACKAGE_VERSION in a way");
	expect_bad("PACKAGE_NAME=kvmfr\nPACKAGE_VERSION=1\nPACKAGE_VERSION+=2\n", "in a way");
	expect_bad("PACKAGE_NAME=kvmfr\nPACKAGE_VERSION=1\nPACKAGE_NAME[0]=x\n", "in a way");
	expect_bad("PACKAGE_NAME=kvmfr\nPACKAGE_VERSION=1\nX=${PACKAGE_VERSION:=3}\n", "in a way");
	expect_bad("PACKAGE_NAME=kvmfr\nPACKAGE_VERSION=1\nX=${PACKAGE_NAME=y}\n", "in a way");
}

static void test_limits(void **state)
{
	static char big[X4_DKMSCONF_MAX + 2];
	static const char nul[] = "PACKAGE_NAME=kvmfr\nPACKAGE_VERSION=1\0\n";
	struct x4_dkmsconf c;
	struct x4_err e;

	(void)state;
	memset(big, '#', sizeof(big));
	assert_int_equal(x4_dkmsconf_parse(big, sizeof(big), "d", &c, &e), -EFBIG);
	assert_int_equal(x4_dkmsconf_parse(nul, sizeof(nul) - 1, "d", &c, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "NUL byte"));
	/* Names that only end in a key are other variables. */
	assert_int_equal(parse("XPACKAGE_VERSION=2\nPACKAGE_NAME=k\nPACKAGE_VERSION=1\n", &c, &e),
			 0);
	assert_string_equal(c.version, "1");
}

static void test_token(void **state)
{
	(void)state;
	assert_int_equal(x4_dkmsconf_token_ok("6.1.0-18-amd64"), 1);
	assert_int_equal(x4_dkmsconf_token_ok("6.18.44-fc-v857"), 1);
	assert_int_equal(x4_dkmsconf_token_ok(""), 0);
	assert_int_equal(x4_dkmsconf_token_ok(NULL), 0);
	assert_int_equal(x4_dkmsconf_token_ok(".."), 0);
	assert_int_equal(x4_dkmsconf_token_ok("_x"), 0);
	assert_int_equal(x4_dkmsconf_token_ok("-k"), 0);
	assert_int_equal(x4_dkmsconf_token_ok("a/b"), 0);
	assert_int_equal(x4_dkmsconf_token_ok("a b"), 0);
	assert_int_equal(
	    x4_dkmsconf_token_ok("1234567890123456789012345678901234567890123456789012345678901234"),
	    1);
	assert_int_equal(
	    x4_dkmsconf_token_ok("12345678901234567890123456789012345678901234567890123456789012345"),
	    0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_token),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
