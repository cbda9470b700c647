/* SPDX-License-Identifier: MIT */
/* Unit tests: lib/sysfs on a temp tree under $X4_ROOT (reads, writes, hints, links). */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "sysfs.h"

#define DEV "/sys/bus/pci/devices/0000:00:02.0"

static char root[256];

/* Write content to root-relative rel, creating parent dirs. */
static void put(const char *rel, const char *content, size_t len)
{
	char p[1024];
	FILE *f;

	snprintf(p, sizeof(p), "%s%s", root, rel);
	for (char *s = p + strlen(root) + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		if (mkdir(p, 0755) != 0)
			assert_int_equal(errno, EEXIST);
		*s = '/';
	}
	f = fopen(p, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(content, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void puts_(const char *rel, const char *content)
{
	put(rel, content, strlen(content));
}

static void link_(const char *target, const char *rel)
{
	char p[1024];

	snprintf(p, sizeof(p), "%s%s", root, rel);
	assert_int_equal(symlink(target, p), 0);
}

static void slurp(const char *rel, char *out, size_t n)
{
	char p[1024];
	ssize_t len;
	int fd;

	snprintf(p, sizeof(p), "%s%s", root, rel);
	fd = open(p, O_RDONLY);
	assert_true(fd >= 0);
	len = read(fd, out, n - 1);
	assert_true(len >= 0);
	out[len] = '\0';
	close(fd);
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static int rm_tree(const char *dir)
{
	return nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static int setup(void **state)
{
	(void)state;
	strcpy(root, "/tmp/x4-test-sysfs-XXXXXX");
	if (!mkdtemp(root))
		return -1;
	setenv("X4_ROOT", root, 1);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unsetenv("X4_ROOT");
	return rm_tree(root) == 0 ? 0 : -1;
}

static void test_read(void **state)
{
	char buf[64];
	struct x4_err e;

	(void)state;
	puts_(DEV "/sriov_totalvfs", "7\n");
	assert_int_equal(x4_sysfs_read(DEV "/sriov_totalvfs", buf, sizeof(buf), &e), 0);
	assert_string_equal(buf, "7");
	puts_(DEV "/a", "no newline");
	assert_int_equal(x4_sysfs_read(DEV "/a", buf, sizeof(buf), &e), 0);
	assert_string_equal(buf, "no newline");
	puts_(DEV "/a", "two\n\n");
	assert_int_equal(x4_sysfs_read(DEV "/a", buf, sizeof(buf), &e), 0);
	assert_string_equal(buf, "two\n"); /* only one newline is stripped */
	puts_(DEV "/a", "");
	assert_int_equal(x4_sysfs_read(DEV "/a", buf, sizeof(buf), &e), 0);
	assert_string_equal(buf, "");
	puts_(DEV "/a", "\n");
	assert_int_equal(x4_sysfs_read(DEV "/a", buf, sizeof(buf), &e), 0);
	assert_string_equal(buf, "");
}

static void test_read_bounded(void **state)
{
	static char big[10000], out[8192];
	char small[16];
	struct x4_err e;

	(void)state;
	memset(big, 'x', sizeof(big));
	put(DEV "/big", big, sizeof(big));
	memset(small, '#', sizeof(small));
	assert_int_equal(x4_sysfs_read(DEV "/big", small, sizeof(small), &e), 0);
	assert_int_equal(strlen(small), sizeof(small) - 1);
	/* never more than one page, whatever the buffer */
	memset(out, '#', sizeof(out));
	assert_int_equal(x4_sysfs_read(DEV "/big", out, sizeof(out), &e), 0);
	assert_int_equal(strlen(out), 4096);
	assert_int_equal(out[4097], '#');
	/* a one-byte buffer gets just the terminator */
	assert_int_equal(x4_sysfs_read(DEV "/big", small, 1, &e), 0);
	assert_string_equal(small, "");
	assert_int_equal(x4_sysfs_read(DEV "/big", small, 0, &e), -EINVAL);
	assert_int_equal(x4_sysfs_read(DEV "/big", NULL, 4, &e), -EINVAL);
	/* a cut value at the newline boundary: "ab\n" into 3 bytes reads "ab" */
	puts_(DEV "/a", "ab\n");
	assert_int_equal(x4_sysfs_read(DEV "/a", small, 3, &e), 0);
	assert_string_equal(small, "ab");
}

static void test_read_errors(void **state)
{
	char buf[64];
	struct x4_err e;

	(void)state;
	assert_int_equal(x4_sysfs_read(DEV "/missing", buf, sizeof(buf), &e), -ENOENT);
	assert_int_equal(e.code, ENOENT);
	assert_string_equal(e.msg, "cannot read " DEV "/missing: No such file or directory: "
				   "no such file: driver not loaded or device gone?");
	assert_null(strstr(e.msg, root)); /* the host path, not the fake root */
	puts_(DEV "/a", "1");
	assert_int_equal(x4_sysfs_read(DEV, buf, sizeof(buf), &e), -EISDIR);
	assert_non_null(strstr(e.msg, "Is a directory"));
	assert_int_equal(x4_sysfs_read(DEV "/a/b", buf, sizeof(buf), &e), -ENOTDIR);
	assert_int_equal(x4_sysfs_read("/sys/../etc/passwd", buf, sizeof(buf), &e), -EINVAL);
	assert_non_null(strstr(e.msg, "bad host path"));
	assert_int_equal(x4_sysfs_read("sys/x", buf, sizeof(buf), &e), -EINVAL);
	assert_int_equal(x4_sysfs_read(NULL, buf, 0, &e), -EINVAL);
}

static void test_read_uint(void **state)
{
	static const struct {
		const char *text;
		int rc;
		unsigned long v;
	} cases[] = {
		{ "7\n", 0, 7 },
		{ "0", 0, 0 },
		{ "0x8086\n", 0, 0x8086 },
		{ "0X46D1", 0, 0x46d1 },
		{ "4294967296", 0, 4294967296UL },
		{ "", -EINVAL, 0 },
		{ "\n", -EINVAL, 0 },
		{ "abc", -EINVAL, 0 },
		{ "-1", -EINVAL, 0 },
		{ "+7", -EINVAL, 0 },
		{ " 7", -EINVAL, 0 },
		{ "7 ", -EINVAL, 0 },
		{ "7\n\n", -EINVAL, 0 },
		{ "0x", -EINVAL, 0 },
		{ "0x-1", -EINVAL, 0 },
		{ "0x 1", -EINVAL, 0 },
		{ "12abc", -EINVAL, 0 },
		{ "99999999999999999999999", -ERANGE, 0 },
	};
	unsigned long v;
	struct x4_err e;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		puts_(DEV "/n", cases[i].text);
		v = 12345;
		x4_err_clear(&e);
		assert_int_equal(x4_sysfs_read_uint(DEV "/n", &v, &e), cases[i].rc);
		if (cases[i].rc == 0) {
			assert_int_equal(v, cases[i].v);
		} else {
			assert_int_equal(v, 12345);
			assert_non_null(strstr(e.msg, DEV "/n"));
		}
	}
	assert_int_equal(x4_sysfs_read_uint(DEV "/nothing", &v, &e), -ENOENT);
	puts_(DEV "/n", "0x1g");
	assert_int_equal(x4_sysfs_read_uint(DEV "/n", &v, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "expected a number, got '0x1g'"));
}

static void test_write(void **state)
{
	char buf[64];
	struct x4_err e;

	(void)state;
	puts_(DEV "/sriov_numvfs", "0\n");
	assert_int_equal(x4_sysfs_write(DEV "/sriov_numvfs", "7", &e), 0);
	slurp(DEV "/sriov_numvfs", buf, sizeof(buf));
	assert_string_equal(buf, "7");
	/* a shorter value replaces a longer one entirely */
	puts_(DEV "/driver_override", "vfio-pci\n");
	assert_int_equal(x4_sysfs_write(DEV "/driver_override", "\n", &e), 0);
	slurp(DEV "/driver_override", buf, sizeof(buf));
	assert_string_equal(buf, "\n");
	assert_int_equal(x4_sysfs_write(DEV "/driver_override", "", &e), 0);
	slurp(DEV "/driver_override", buf, sizeof(buf));
	assert_string_equal(buf, "");
}

static void test_write_errors(void **state)
{
	struct x4_err e;

	(void)state;
	puts_(DEV "/a", "1");
	/* no O_CREAT: a missing attribute stays missing */
	assert_int_equal(x4_sysfs_write(DEV "/sriov_numvfs", "7", &e), -ENOENT);
	assert_int_equal(e.code, ENOENT);
	assert_string_equal(e.msg, "cannot write '7' to " DEV "/sriov_numvfs: No such file or "
				   "directory: no such file: driver not loaded or device gone?");
	assert_int_equal(x4_sysfs_exists(DEV "/sriov_numvfs"), 0);
	assert_int_equal(x4_sysfs_write(DEV, "1", &e), -EISDIR);
	assert_string_equal(e.msg, "cannot write '1' to " DEV ": Is a directory");
	assert_int_equal(x4_sysfs_write(DEV "/a/unbind", "0000:00:02.1", &e), -ENOTDIR);
	assert_non_null(strstr(e.msg, "'0000:00:02.1'"));
	/* values are quoted with control bytes escaped, so the message stays one line */
	assert_int_equal(x4_sysfs_write(DEV "/none", "vfio-pci\n", &e), -ENOENT);
	assert_non_null(strstr(e.msg, "cannot write 'vfio-pci\\x0a' to"));
	assert_null(strchr(e.msg, '\n'));
	assert_int_equal(x4_sysfs_write(DEV "/none", "0123456789012345678901234567890123456789"
				 "0123456789", &e), -ENOENT);
	assert_non_null(strstr(e.msg, "'012345678901234567890123456789012345678901234567'... to"));
	assert_int_equal(x4_sysfs_write(DEV "/a", NULL, &e), -EINVAL);
	assert_int_equal(x4_sysfs_write("/sys/../a", "1", &e), -EINVAL);
	/* an error without a hint is the bare strerror */
	link_("/dev/full", DEV "/full");
	assert_int_equal(x4_sysfs_write(DEV "/full", "1", &e), -ENOSPC);
	assert_string_equal(e.msg, "cannot write '1' to " DEV "/full: No space left on device");
}

static void test_hints(void **state)
{
	static const struct {
		const char *abs;
		int err;
		const char *hint;
	} cases[] = {
		{ DEV "/sriov_numvfs", EBUSY, "VFs already enabled: write 0 first" },
		{ DEV "/sriov_numvfs", -EBUSY, "VFs already enabled: write 0 first" },
		{ DEV "/driver/unbind", EBUSY, "device busy" },
		{ DEV "/sriov_numvfs", EACCES, "run as root" },
		{ DEV "/driver_override", EPERM, "run as root" },
		{ DEV "/sriov_numvfs", ENOENT, "no such file: driver not loaded or device gone?" },
		{ "/sys/bus/pci/drivers/vfio-pci/bind", ENODEV,
		  "device not bound to that driver / no such device" },
		{ "/sys/bus/pci/drivers/i915/unbind", ENODEV,
		  "device not bound to that driver / no such device" },
		{ "/sys/bus/pci/drivers_probe", ENODEV,
		  "device not bound to that driver / no such device" },
		{ DEV "/sriov_numvfs", ENODEV, NULL },
		{ DEV "/sriov_numvfs", ERANGE, "more VFs than sriov_totalvfs" },
		{ DEV "/sriov_drivers_autoprobe", ERANGE, NULL },
		{ DEV "/sriov_numvfs", EINVAL, "kernel rejected the value" },
		{ DEV "/sriov_numvfs", EIO, NULL },
		{ "/sys/bus/pci/drivers/x/rebind", ENODEV, NULL },
		{ "sriov_numvfs", EBUSY, "VFs already enabled: write 0 first" },
		{ NULL, EBUSY, "device busy" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *h = x4_sysfs_hint(cases[i].abs, cases[i].err);

		if (cases[i].hint)
			assert_string_equal(h, cases[i].hint);
		else
			assert_null(h);
	}
}

static void test_link_name(void **state)
{
	char out[64], tiny[4];
	struct x4_err e;

	(void)state;
	puts_(DEV "/a", "1");
	link_("../../../bus/pci/drivers/i915", DEV "/driver");
	assert_int_equal(x4_sysfs_link_name(DEV "/driver", out, sizeof(out), &e), 0);
	assert_string_equal(out, "i915");
	link_("../../../kernel/iommu_groups/1/", DEV "/iommu_group");
	assert_int_equal(x4_sysfs_link_name(DEV "/iommu_group", out, sizeof(out), &e), 0);
	assert_string_equal(out, "1");
	link_("vfio-pci", DEV "/plain");
	assert_int_equal(x4_sysfs_link_name(DEV "/plain", out, sizeof(out), &e), 0);
	assert_string_equal(out, "vfio-pci");
	assert_int_equal(x4_sysfs_link_name(DEV "/plain", tiny, sizeof(tiny), &e), -ENAMETOOLONG);
	assert_int_equal(x4_sysfs_link_name(DEV "/plain", tiny, 0, &e), -EINVAL);
	assert_int_equal(x4_sysfs_link_name(DEV "/nolink", out, sizeof(out), &e), -ENOENT);
	assert_string_equal(e.msg, "no link " DEV "/nolink");
	assert_int_equal(x4_sysfs_link_name(DEV "/a", out, sizeof(out), &e), -EINVAL);
	assert_non_null(strstr(e.msg, "not a symbolic link"));
	link_("/", DEV "/slash");
	assert_int_equal(x4_sysfs_link_name(DEV "/slash", out, sizeof(out), &e), -EINVAL);
	link_("x/..", DEV "/dotdot");
	assert_int_equal(x4_sysfs_link_name(DEV "/dotdot", out, sizeof(out), &e), -EINVAL);
	assert_int_equal(x4_sysfs_link_name(DEV "/a/b", out, sizeof(out), &e), -ENOTDIR);
	assert_non_null(strstr(e.msg, "cannot read link"));
	assert_int_equal(x4_sysfs_link_name("/sys/..", out, sizeof(out), &e), -EINVAL);
}

static void test_exists(void **state)
{
	(void)state;
	puts_(DEV "/a", "1");
	link_("nowhere", DEV "/dangling");
	link_("loop", DEV "/loop");
	assert_int_equal(x4_sysfs_exists(DEV "/a"), 1);
	assert_int_equal(x4_sysfs_exists(DEV), 1);
	assert_int_equal(x4_sysfs_exists(DEV "/dangling"), 1); /* lstat: the link itself */
	assert_int_equal(x4_sysfs_exists(DEV "/missing"), 0);
	assert_int_equal(x4_sysfs_exists(DEV "/a/b"), 0);
	assert_int_equal(x4_sysfs_exists(DEV "/loop/x"), -ELOOP);
	assert_int_equal(x4_sysfs_exists("/sys/../x"), -EINVAL);
	/* X4_ROOT decides where we look */
	unsetenv("X4_ROOT");
	assert_int_equal(x4_sysfs_exists(DEV "/dangling"), 0);
	setenv("X4_ROOT", root, 1);
}

/* A PCI device's numeric attribute: path built by x4_pci_attr_path, value bounded by max. */
static void test_pci_uint(void **state)
{
	struct x4_pciaddr a = { 0, 0, 2, 0 };
	unsigned long v = 0;
	struct x4_err e;

	(void)state;
	puts_(DEV "/vendor", "0x8086\n");
	puts_(DEV "/class", "0x030000\n");
	puts_(DEV "/sriov_drivers_autoprobe", "2\n");
	assert_int_equal(x4_sysfs_pci_uint(&a, "vendor", 0xffff, &v, &e), 0);
	assert_int_equal(v, 0x8086);
	assert_int_equal(x4_sysfs_pci_uint(&a, "class", 0xffffff, &v, &e), 0);
	assert_int_equal(v, 0x030000);
	x4_err_clear(&e);
	assert_int_equal(x4_sysfs_pci_uint(&a, "class", 0xffff, &v, &e), -EINVAL);
	assert_non_null(strstr(e.msg, DEV "/class"));
	assert_non_null(strstr(e.msg, "out of range"));
	assert_int_equal(x4_sysfs_pci_uint(&a, "sriov_drivers_autoprobe", 1, &v, &e), -EINVAL);
	assert_int_equal(x4_sysfs_pci_uint(&a, "sriov_numvfs", 0xffff, &v, &e), -ENOENT);
	/* the attribute is a name, never a path */
	assert_int_equal(x4_sysfs_pci_uint(&a, "../0000:00:02.1/vendor", 0xffff, &v, &e),
			 -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_uint, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_errors, setup, teardown),
		cmocka_unit_test(test_hints),
		cmocka_unit_test_setup_teardown(test_link_name, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exists, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pci_uint, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
