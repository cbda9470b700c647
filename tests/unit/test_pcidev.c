/* SPDX-License-Identifier: MIT */
/* Unit tests: lib/pcidev on plain fake sysfs trees (libpci enumeration and the sysfs id reader). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "fakesys.h"
#include "pcidev.h"

static void test_list_sorted(void **state)
{
	struct x4_pcidev d[8];
	struct x4_err e;
	char s[X4_PCIADDR_STRLEN];

	(void)state;
	memset(d, 0, sizeof(d));
	assert_int_equal(x4_pcidev_list(d, 8, &e), 3);
	assert_string_equal(x4_pciaddr_format(&d[0].addr, s), "0000:00:00.0");
	assert_string_equal(x4_pciaddr_format(&d[1].addr, s), "0000:00:02.0");
	assert_string_equal(x4_pciaddr_format(&d[2].addr, s), "0000:01:00.0");
	assert_int_equal(d[1].vendor, 0x8086);
	assert_int_equal(d[1].device, 0x46d1);
	assert_int_equal(d[1].class, 0x030000);
	assert_int_equal(d[2].class, 0x010802); /* prog_if kept */
	assert_true(d[1].name[0] != '\0');
	if (access("/usr/share/misc/pci.ids", R_OK) == 0)
		assert_non_null(strstr(d[1].name, "Intel"));
	else
		assert_non_null(strstr(d[1].name, "46d1"));
}

static void test_list_max(void **state)
{
	struct x4_pcidev d[2];
	struct x4_err e;

	(void)state;
	memset(d, 0xee, sizeof(d));
	assert_int_equal(x4_pcidev_list(d, 1, &e), 3); /* count, not what fitted */
	assert_int_equal(d[0].addr.func, 0);
	assert_int_equal(d[0].vendor, 0x8086);
	assert_int_equal(d[1].vendor, 0xeeee); /* untouched */
	assert_int_equal(x4_pcidev_list(NULL, 0, &e), 3);
}

static void test_get(void **state)
{
	struct x4_pciaddr a = fs_addr("0000:01:00.0");
	struct x4_pcidev d;
	struct x4_err e;

	(void)state;
	assert_int_equal(x4_pcidev_get(&a, &d, &e), 0);
	assert_int_equal(d.vendor, 0x144d);
	assert_int_equal(d.device, 0xa808);
	assert_true(x4_pciaddr_equal(&d.addr, &a));
	a = fs_addr("0000:00:02.5");
	assert_int_equal(x4_pcidev_get(&a, &d, &e), -ENODEV);
	assert_non_null(strstr(e.msg, "0000:00:02.5"));
}

/* libpci's error() for a missing attribute must come back as an error, not exit(). */
static void test_libpci_error_returns(void **state)
{
	struct fakesys *f = *state;
	struct x4_pciaddr a = fs_addr("0000:00:02.0");
	struct x4_pcidev d;
	struct x4_err e;

	fs_unlink(f, "sys/devices/pci0000:00/0000:00:02.0/vendor");
	assert_int_equal(x4_pcidev_list(NULL, 0, &e), -EIO);
	assert_int_equal(e.code, EIO);
	assert_non_null(strstr(e.msg, "vendor"));
	assert_int_equal(x4_pcidev_get(&a, &d, &e), -EIO);
	/* and it keeps working afterwards */
	fs_attr(f, "0000:00:02.0", "vendor", "0x8086\n");
	assert_int_equal(x4_pcidev_get(&a, &d, &e), 0);
	assert_int_equal(d.vendor, 0x8086);
}

static void test_garbage_vendor(void **state)
{
	struct fakesys *f = *state;
	struct x4_err e;

	fs_attr(f, "0000:00:02.0", "vendor", "garbage\n");
	assert_int_equal(x4_pcidev_list(NULL, 0, &e), -EIO);
	assert_non_null(strstr(e.msg, "0000:00:02.0"));
	assert_non_null(strstr(e.msg, "vendor"));
}

static void test_bad_entries(void **state)
{
	struct fakesys *f = *state;
	struct x4_err e;

	fs_file(f, "", "sys/bus/pci/devices/garbage");
	assert_int_equal(x4_pcidev_list(NULL, 0, &e), -EIO);
	assert_non_null(strstr(e.msg, "garbage"));
	fs_unlink(f, "sys/bus/pci/devices/garbage");
	/* a dangling device link: libpci fails to read it, we report instead of exiting */
	fs_link(f, "../../../devices/pci0000:00/0000:00:1f.7", "sys/bus/pci/devices/0000:00:1f.7");
	assert_int_equal(x4_pcidev_list(NULL, 0, &e), -EIO);
	assert_non_null(strstr(e.msg, "0000:00:1f.7"));
}

static void test_no_sysfs(void **state)
{
	struct fakesys *f = *state;
	struct x4_err e;
	char p[1024];

	(void)f;
	fs_path(f, p, sizeof(p), "nothing-here");
	setenv("X4_ROOT", p, 1);
	assert_int_equal(x4_pcidev_list(NULL, 0, &e), -ENOENT);
	assert_non_null(strstr(e.msg, "sysfs"));
}

static void test_read_ids(void **state)
{
	struct fakesys *f = *state;
	struct x4_pciaddr a = fs_addr("0000:00:02.0"), gone = fs_addr("0000:00:03.0");
	struct x4_pcidev d;
	struct x4_err e;

	assert_int_equal(x4_pcidev_read_ids(&a, &d, &e), 0);
	assert_int_equal(d.vendor, 0x8086);
	assert_int_equal(d.device, 0x46d1);
	assert_int_equal(d.class, 0x030000);
	assert_string_equal(d.name, "");
	assert_int_equal(x4_pcidev_exists(&a), 1);
	assert_int_equal(x4_pcidev_exists(&gone), 0);
	assert_int_equal(x4_pcidev_read_ids(&gone, &d, &e), -ENODEV);

	fs_attr(f, "0000:00:02.0", "class", "0x03zz00\n");
	assert_int_equal(x4_pcidev_read_ids(&a, &d, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "class"));
	fs_attr(f, "0000:00:02.0", "class", "0x1030000\n");
	assert_int_equal(x4_pcidev_read_ids(&a, &d, &e), -EINVAL);
	fs_attr(f, "0000:00:02.0", "class", "0x030000\n");
	fs_attr(f, "0000:00:02.0", "vendor", "0x18086\n");
	assert_int_equal(x4_pcidev_read_ids(&a, &d, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "vendor"));
	fs_attr(f, "0000:00:02.0", "vendor", " 0x8086\n");
	assert_int_equal(x4_pcidev_read_ids(&a, &d, &e), -EINVAL);
	fs_unlink(f, "sys/devices/pci0000:00/0000:00:02.0/vendor");
	assert_int_equal(x4_pcidev_read_ids(&a, &d, &e), -ENOENT);
}

/* ---- the simulated X4: libpci on a tree that answers like sysfs ---- */

static void test_sim_list(void **state)
{
	struct fakesys *f = *state;
	struct x4_pciaddr gpu = fs_addr("0000:00:02.0");
	struct x4_pcidev d[32], one;
	struct x4_err e;
	int n;

	fs_sim_start(f, "default", NULL, NULL);
	n = x4_pcidev_list(d, 32, &e);
	assert_true(n >= 10);
	assert_int_equal(x4_pcidev_get(&gpu, &one, &e), 0);
	assert_int_equal(one.vendor, 0x8086);
	assert_int_equal(one.device, 0x46d1);
	assert_int_equal(one.class, 0x030000);
	/* the cheap reader agrees with libpci on every device */
	for (int i = 0; i < n && i < 32; i++) {
		struct x4_pcidev r;

		assert_int_equal(x4_pcidev_read_ids(&d[i].addr, &r, &e), 0);
		assert_int_equal(r.vendor, d[i].vendor);
		assert_int_equal(r.device, d[i].device);
		assert_int_equal(r.class, d[i].class);
	}
	/* VFs appear to libpci once made */
	fs_file(f, "2", "sys/bus/pci/devices/0000:00:02.0/sriov_numvfs");
	assert_int_equal(x4_pcidev_list(NULL, 0, &e), n + 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_list_sorted, fs_n100_setup, fs_teardown),
		cmocka_unit_test_setup_teardown(test_list_max, fs_n100_setup, fs_teardown),
		cmocka_unit_test_setup_teardown(test_get, fs_n100_setup, fs_teardown),
		cmocka_unit_test_setup_teardown(test_libpci_error_returns, fs_n100_setup, fs_teardown),
		cmocka_unit_test_setup_teardown(test_garbage_vendor, fs_n100_setup, fs_teardown),
		cmocka_unit_test_setup_teardown(test_bad_entries, fs_n100_setup, fs_teardown),
		cmocka_unit_test_setup_teardown(test_no_sysfs, fs_n100_setup, fs_teardown),
		cmocka_unit_test_setup_teardown(test_read_ids, fs_n100_setup, fs_teardown),
		cmocka_unit_test_setup_teardown(test_sim_list, fs_sim_setup, fs_sim_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
