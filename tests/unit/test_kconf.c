/* SPDX-License-Identifier: MIT */
/* Unit tests: lib/kconf parses the kernel command line, modprobe.d options and dkms.conf lines. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "kconf.h"

static void test_cmdline(void **state)
{
	const char *c = "BOOT_IMAGE=/vmlinuz intel_iommu=on i915.max_vfs=3 xi915.max_vfs=9 "
			"i915.max_vfs=7 module_blacklist=xe\n";
	char v[16];

	(void)state;
	assert_int_equal(x4_kconf_cmdline_has(c, "intel_iommu=on"), 1);
	assert_int_equal(x4_kconf_cmdline_has(c, "intel_iommu=o"), 0);
	assert_int_equal(x4_kconf_cmdline_has(c, "module_blacklist=xe"), 1); /* before the \n */
	assert_int_equal(x4_kconf_cmdline_has(c, ""), 0);
	assert_int_equal(x4_kconf_cmdline_value(c, "i915.max_vfs=", v, sizeof(v)), 0);
	assert_string_equal(v, "7"); /* the last wins; "xi915." is another word */
	assert_int_equal(x4_kconf_cmdline_value(c, "module_blacklist=", v, sizeof(v)), 0);
	assert_string_equal(v, "xe");
	assert_int_equal(x4_kconf_cmdline_value(c, "xe.max_vfs=", v, sizeof(v)), -ENOENT);
	assert_int_equal(x4_kconf_cmdline_value("a=0123456789abcdefXYZ", "a=", v, 8), 0);
	assert_string_equal(v, "0123456");
}

static void test_modprobe(void **state)
{
	static const char t[] = "# options i915 max_vfs=1\n"
				"options i915 enable_guc=3 max_vfs=2\n"
				"options\txe max_vfs=5\n"
				"blacklist xe\n"
				"options i915 max_vfs=7"; /* no final newline */
	char v[16];

	(void)state;
	assert_int_equal(x4_kconf_modprobe_option(t, sizeof(t) - 1, "i915", "max_vfs", v, sizeof(v)), 0);
	assert_string_equal(v, "7");
	assert_int_equal(x4_kconf_modprobe_option(t, sizeof(t) - 1, "i915", "enable_guc", v, sizeof(v)), 0);
	assert_string_equal(v, "3");
	assert_int_equal(x4_kconf_modprobe_option(t, sizeof(t) - 1, "xe", "max_vfs", v, sizeof(v)), 0);
	assert_string_equal(v, "5");
	assert_int_equal(x4_kconf_modprobe_option(t, sizeof(t) - 1, "xe", "force_probe", v, sizeof(v)), -ENOENT);
	assert_int_equal(x4_kconf_modprobe_option(t, 20, "i915", "max_vfs", v, sizeof(v)), -ENOENT);
}

/* A line over the limit is skipped, the next one still read. */
static void test_long_line(void **state)
{
	static char t[6000];
	char v[16];

	(void)state;
	memset(t, 'a', 5000);
	memcpy(t + 5000, "\noptions i915 max_vfs=4\n", 25);
	memcpy(t, "options i915 max_vfs=9 ", 23);
	assert_int_equal(x4_kconf_modprobe_option(t, 5025, "i915", "max_vfs", v, sizeof(v)), 0);
	assert_string_equal(v, "4");
	memcpy(t, "KEY=9 ", 6);
	memcpy(t + 5000, "\nKEY=4\n", 8);
	assert_int_equal(x4_kconf_shell_value(t, 5008, "KEY", v, sizeof(v)), 0);
	assert_string_equal(v, "4");
}

static void test_shell(void **state)
{
	static const char t[] = "PACKAGE_NAME=\"i915-sriov-dkms\"\n"
				"  BUILD_EXCLUSIVE_KERNEL=\"^(6\\.1[7-9]|7\\.0)\"\n"
				"BUILD_EXCLUSIVE_ARCH='x86_64' # why\n"
				"AUTOINSTALL=yes # comment\n"
				"BROKEN=\"unterminated\n";
	char v[64];

	(void)state;
	assert_int_equal(x4_kconf_shell_value(t, sizeof(t) - 1, "BUILD_EXCLUSIVE_KERNEL", v, sizeof(v)), 0);
	assert_string_equal(v, "^(6\\.1[7-9]|7\\.0)");
	assert_int_equal(x4_kconf_shell_value(t, sizeof(t) - 1, "BUILD_EXCLUSIVE_ARCH", v, sizeof(v)), 0);
	assert_string_equal(v, "x86_64");
	assert_int_equal(x4_kconf_shell_value(t, sizeof(t) - 1, "AUTOINSTALL", v, sizeof(v)), 0);
	assert_string_equal(v, "yes");
	assert_int_equal(x4_kconf_shell_value(t, sizeof(t) - 1, "BROKEN", v, sizeof(v)), 0);
	assert_string_equal(v, "unterminated");
	assert_int_equal(x4_kconf_shell_value(t, sizeof(t) - 1, "PACKAGE", v, sizeof(v)), -ENOENT);
	assert_int_equal(x4_kconf_shell_value(t, sizeof(t) - 1, "", v, sizeof(v)), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cmdline),
		cmocka_unit_test(test_modprobe),
		cmocka_unit_test(test_shell),
		cmocka_unit_test(test_long_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
