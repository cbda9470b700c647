/* SPDX-License-Identifier: MIT */
/* Unit tests: lib/pciaddr (strict parse, libvirt attributes, format, sysfs paths). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "pciaddr.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static void test_parse_good(void **state)
{
	static const struct {
		const char *text;
		unsigned dom, bus, slot, fn;
		const char *canon;
	} good[] = {
		{ "0000:00:02.0", 0, 0, 2, 0, "0000:00:02.0" },
		{ "0000:00:02.1", 0, 0, 2, 1, "0000:00:02.1" },
		{ "ffff:ff:1f.7", 0xffff, 0xff, 0x1f, 7, "ffff:ff:1f.7" },
		{ "ABCD:EF:1A.3", 0xabcd, 0xef, 0x1a, 3, "abcd:ef:1a.3" },
		{ "00:02.7", 0, 0, 2, 7, "0000:00:02.7" },
		{ "3a:00.0", 0, 0x3a, 0, 0, "0000:3a:00.0" },
		{ "0001:00:00.0", 1, 0, 0, 0, "0001:00:00.0" },
	};
	struct x4_pciaddr a, b;
	struct x4_err e;
	char buf[X4_PCIADDR_STRLEN];

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(good); i++) {
		x4_err_clear(&e);
		assert_int_equal(x4_pciaddr_parse(good[i].text, &a, &e), 0);
		assert_int_equal(a.domain, good[i].dom);
		assert_int_equal(a.bus, good[i].bus);
		assert_int_equal(a.slot, good[i].slot);
		assert_int_equal(a.func, good[i].fn);
		assert_string_equal(x4_pciaddr_format(&a, buf), good[i].canon);
		/* round trip */
		assert_int_equal(x4_pciaddr_parse(buf, &b, &e), 0);
		assert_true(x4_pciaddr_equal(&a, &b));
	}
}

static void test_parse_bad(void **state)
{
	static const char *const bad[] = {
		"", "0", "0000:00:02", "0000:00:02.", "0000:00:02.10", "0000:00:2.1",
		"0000:0:02.1", "000:00:02.1", "00000:00:02.1", "0000:100:02.0", "10000:00:02.0",
		"0000:00:020.1", " 0000:00:02.1", "0000:00:02.1 ", "0000:00:02.1\n",
		"0000 :00:02.1", "+000:00:02.1", "-000:00:02.1", "0000:+0:02.1", "0000:-1:02.1",
		"0x00:00:02.1", "0000:0x:02.1", "0000:00:0x.1", "0000:00:02.x", "0000:00..02.1",
		"0000:00:02..1", "..", "../0000:00:02.1", "0000:00:02.1/..", "0000:00:02.1x",
		"0000:00:02.1\x01", "0000.00.02.1", "0000:00:02:1", "gggg:00:02.1", "0000:00:02.-1",
		"00:02", "00:02.1.2", "0000:00:02.1:0", "0000:00:02.\xff",
	};
	struct x4_pciaddr a = { 0x1234, 0x56, 0x7, 0x1 };
	struct x4_err e;

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		x4_err_clear(&e);
		assert_int_equal(x4_pciaddr_parse(bad[i], &a, &e), -EINVAL);
		assert_int_equal(e.code, EINVAL);
		assert_non_null(strstr(e.msg, "bad PCI address"));
		assert_non_null(strstr(e.msg, "DDDD:BB:SS.F (e.g. 0000:00:02.1)"));
		assert_null(strchr(e.msg, '\n'));
		/* out is untouched on failure */
		assert_int_equal(a.domain, 0x1234);
	}
	assert_int_equal(x4_pciaddr_parse(NULL, &a, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "(null)"));
}

static void test_parse_range(void **state)
{
	struct x4_pciaddr a;
	struct x4_err e;

	(void)state;
	assert_int_equal(x4_pciaddr_parse("0000:00:20.0", &a, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "slot 0x20 out of range"));
	assert_int_equal(x4_pciaddr_parse("0000:00:ff.0", &a, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "slot"));
	assert_int_equal(x4_pciaddr_parse("0000:00:02.8", &a, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "function 8 out of range"));
	assert_int_equal(x4_pciaddr_parse("00:02.f", &a, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "function f out of range"));
}

static void test_error_quoting(void **state)
{
	struct x4_pciaddr a;
	struct x4_err e;
	char longtext[300];

	(void)state;
	assert_int_equal(x4_pciaddr_parse("00:02.1\nX", &a, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "'00:02.1\\x0aX'"));
	assert_int_equal(x4_pciaddr_parse("it's", &a, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "'it\\x27s'"));
	assert_int_equal(x4_pciaddr_parse("\x1b[31m", &a, &e), -EINVAL);
	assert_null(strchr(e.msg, '\x1b'));
	memset(longtext, 'a', sizeof(longtext) - 1);
	longtext[sizeof(longtext) - 1] = '\0';
	assert_int_equal(x4_pciaddr_parse(longtext, &a, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "'..."));
	/* the expected form survives the truncation of the quoted text */
	assert_non_null(strstr(e.msg, "expected DDDD:BB:SS.F"));
	assert_true(strlen(e.msg) < 200);
}

static void test_attrs_good(void **state)
{
	struct x4_pciaddr a;
	struct x4_err e;
	char buf[X4_PCIADDR_STRLEN];

	(void)state;
	assert_int_equal(x4_pciaddr_from_attrs("0x0000", "0x00", "0x02", "0x1", &a, &e), 0);
	assert_string_equal(x4_pciaddr_format(&a, buf), "0000:00:02.1");
	assert_int_equal(x4_pciaddr_from_attrs(NULL, "0x00", "0x02", "0x0", &a, &e), 0);
	assert_string_equal(x4_pciaddr_format(&a, buf), "0000:00:02.0");
	assert_int_equal(x4_pciaddr_from_attrs("0", "1", "31", "7", &a, &e), 0);
	assert_string_equal(x4_pciaddr_format(&a, buf), "0000:01:1f.7");
	assert_int_equal(x4_pciaddr_from_attrs("0xFFFF", "0XfF", "0x1F", "0x07", &a, &e), 0);
	assert_string_equal(x4_pciaddr_format(&a, buf), "ffff:ff:1f.7");
	assert_int_equal(x4_pciaddr_from_attrs("65535", "255", "0x00000002", "0", &a, &e), 0);
	assert_string_equal(x4_pciaddr_format(&a, buf), "ffff:ff:02.0");
}

static void test_attrs_bad(void **state)
{
	static const struct {
		const char *d, *b, *s, *f, *word;
	} bad[] = {
		{ "0x10000", "0", "0", "0", "domain" },
		{ "65536", "0", "0", "0", "domain" },
		{ "0", "0x100", "0", "0", "bus" },
		{ "0", "256", "0", "0", "bus" },
		{ "0", "0", "0x20", "0", "slot" },
		{ "0", "0", "32", "0", "slot" },
		{ "0", "0", "0", "8", "function" },
		{ "0", "0", "0", "0x8", "function" },
		{ "0", "0", "0", "99999999999999999999999", "function" },
		{ "", "0", "0", "0", "domain" },
		{ "0x", "0", "0", "0", "domain" },
		{ "0", "-1", "0", "0", "bus" },
		{ "0", "+1", "0", "0", "bus" },
		{ "0", " 1", "0", "0", "bus" },
		{ "0", "1 ", "0", "0", "bus" },
		{ "0", "0x1g", "0", "0", "bus" },
		{ "0", "1a", "0", "0", "bus" },
		{ "0", "010", "0", "0", "bus" },
		{ "0", "0", "0x0x2", "0", "slot" },
		{ "0", NULL, "0", "0", "bus" },
		{ "0", "0", NULL, "0", "slot" },
		{ "0", "0", "0", NULL, "function" },
	};
	struct x4_pciaddr a;
	struct x4_err e;

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		x4_err_clear(&e);
		assert_int_equal(x4_pciaddr_from_attrs(bad[i].d, bad[i].b, bad[i].s, bad[i].f, &a, &e),
				 -EINVAL);
		assert_non_null(strstr(e.msg, bad[i].word));
	}
	assert_int_equal(x4_pciaddr_from_attrs("0", "0", "0x20", "0", &a, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "slot='0x20': out of range (max 0x1f)"));
	assert_int_equal(x4_pciaddr_from_attrs("0", "0", "0", NULL, &a, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "function missing"));
}

static void test_format_equal(void **state)
{
	struct x4_pciaddr a = { 0, 0, 2, 1 }, b = a, c = { 0, 0, 2, 0 };
	struct x4_pciaddr wild = { 0xffff, 0xff, 0xff, 0xff };
	char buf[X4_PCIADDR_STRLEN];

	(void)state;
	assert_true(x4_pciaddr_equal(&a, &b));
	assert_false(x4_pciaddr_equal(&a, &c));
	b.domain = 1;
	assert_false(x4_pciaddr_equal(&a, &b));
	b = a;
	b.bus = 1;
	assert_false(x4_pciaddr_equal(&a, &b));
	/* a hand-filled out-of-range struct still formats within the fixed width */
	assert_string_equal(x4_pciaddr_format(&wild, buf), "ffff:ff:1f.7");
	assert_int_equal(strlen(buf), X4_PCIADDR_STRLEN - 1);
}

static void test_attr_path(void **state)
{
	static const char want[] = "/sys/bus/pci/devices/0000:00:02.1/sriov_numvfs";
	struct x4_pciaddr a = { 0, 0, 2, 1 };
	char out[X4_PCI_ATTR_PATH_MAX];
	struct x4_err e;

	(void)state;
	assert_int_equal(x4_pci_attr_path(&a, "sriov_numvfs", out, sizeof(out), &e), 0);
	assert_string_equal(out, want);
	assert_int_equal(x4_pci_attr_path(&a, NULL, out, sizeof(out), &e), 0);
	assert_string_equal(out, "/sys/bus/pci/devices/0000:00:02.1");
	assert_int_equal(x4_pci_attr_path(&a, "", out, sizeof(out), &e), 0);
	assert_string_equal(out, "/sys/bus/pci/devices/0000:00:02.1");
	assert_int_equal(x4_pci_attr_path(&a, "virtfn0", out, sizeof(out), &e), 0);
	assert_string_equal(out, "/sys/bus/pci/devices/0000:00:02.1/virtfn0");
	assert_int_equal(x4_pci_driver_path("vfio-pci", "unbind", out, sizeof(out), &e), 0);
	assert_string_equal(out, "/sys/bus/pci/drivers/vfio-pci/unbind");
	assert_int_equal(x4_pci_driver_path("i915", NULL, out, sizeof(out), &e), 0);
	assert_string_equal(out, "/sys/bus/pci/drivers/i915");
	/* an exact fit is fine, one byte less is refused, never cut */
	assert_int_equal(x4_pci_attr_path(&a, "sriov_numvfs", out, sizeof(want), &e), 0);
	assert_string_equal(out, want);
	x4_err_clear(&e);
	assert_int_equal(x4_pci_attr_path(&a, "sriov_numvfs", out, sizeof(want) - 1, &e),
			 -ENAMETOOLONG);
	assert_string_equal(out, "");
	assert_int_equal(e.code, ENAMETOOLONG);
	assert_non_null(strstr(e.msg, "sriov_numvfs"));
	assert_int_equal(x4_pci_attr_path(&a, "driver", out, 8, NULL), -ENAMETOOLONG);
	assert_string_equal(out, "");
	assert_int_equal(x4_pci_attr_path(&a, "driver", NULL, 0, NULL), -ENAMETOOLONG);
}

static void test_attr_path_bad_names(void **state)
{
	static const char *const bad[] = {
		"..", ".", "a/b", "/etc", "driver/unbind", "../../../etc/passwd", "x y", "a\nb",
		"name\xff", "*",
	};
	struct x4_pciaddr a = { 0, 0, 2, 1 };
	char out[X4_PCI_ATTR_PATH_MAX];
	struct x4_err e;

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		x4_err_clear(&e);
		strcpy(out, "junk");
		assert_int_equal(x4_pci_attr_path(&a, bad[i], out, sizeof(out), &e), -EINVAL);
		assert_string_equal(out, "");
		assert_int_equal(e.code, EINVAL);
		strcpy(out, "junk");
		assert_int_equal(x4_pci_driver_path(bad[i], "unbind", out, sizeof(out), &e),
				 -EINVAL);
		assert_string_equal(out, "");
		assert_int_equal(x4_pci_driver_path("i915", bad[i], out, sizeof(out), &e),
				 -EINVAL);
	}
	assert_int_equal(x4_pci_driver_path("", "unbind", out, sizeof(out), &e), -EINVAL);
	assert_int_equal(x4_pci_driver_path(NULL, "unbind", out, sizeof(out), &e), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good),   cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_parse_range),  cmocka_unit_test(test_error_quoting),
		cmocka_unit_test(test_attrs_good),   cmocka_unit_test(test_attrs_bad),
		cmocka_unit_test(test_format_equal), cmocka_unit_test(test_attr_path),
		cmocka_unit_test(test_attr_path_bad_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
