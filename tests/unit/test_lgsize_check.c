/* SPDX-License-Identifier: MIT */
/* Unit tests: lib/lgsize_check (a region's real size against the plan, before QEMU starts). */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <cmocka.h>

#include "testutil.h"

#include "lgsize_check.h"

#define MIB (1ULL << 20)

static char root[256];

static void rpath(char *out, size_t n, const char *rel)
{
	snprintf(out, n, "%s%s", root, rel);
}

static int setup(void **state)
{
	char p[512];

	(void)state;
	snprintf(root, sizeof(root), "/tmp/x4-test-lgsc.XXXXXX");
	if (!mkdtemp(root))
		return -1;
	setenv("X4_ROOT", root, 1);
	rpath(p, sizeof(p), "/dev");
	mkdir(p, 0755);
	rpath(p, sizeof(p), "/dev/shm");
	mkdir(p, 0755);
	rpath(p, sizeof(p), "/sys");
	mkdir(p, 0755);
	rpath(p, sizeof(p), "/sys/module");
	mkdir(p, 0755);
	rpath(p, sizeof(p), "/sys/module/kvmfr");
	mkdir(p, 0755);
	rpath(p, sizeof(p), "/sys/module/kvmfr/parameters");
	mkdir(p, 0755);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unsetenv("X4_ROOT");
	return tu_rm_tree(root);
}

static void test_shm_file(void **state)
{
	char p[512];
	struct x4_err e;
	uint64_t have = 0;
	int fd;

	(void)state;
	/* QEMU makes the file: absent passes */
	assert_int_equal(x4_lg_check_region_size("win", "/dev/shm/looking-glass-win", 32 * MIB, &e),
			 0);
	assert_int_equal(x4_lg_region_size("/dev/shm/looking-glass-win", &have, &e), -ENOENT);
	rpath(p, sizeof(p), "/dev/shm/looking-glass-win");
	fd = open(p, O_CREAT | O_WRONLY | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)(32 * MIB)), 0);
	close(fd);
	assert_int_equal(x4_lg_region_size("/dev/shm/looking-glass-win", &have, &e), 0);
	assert_int_equal(have, 32 * MIB);
	assert_int_equal(x4_lg_check_region_size("win", "/dev/shm/looking-glass-win", 32 * MIB, &e),
			 0);
	/* left from a run with another lg_size */
	assert_int_equal(x4_lg_check_region_size("win", "/dev/shm/looking-glass-win", 64 * MIB, &e),
			 -EINVAL);
	assert_string_equal(e.msg, "VM win: /dev/shm/looking-glass-win is 33554432 bytes but the VM "
				   "wants 64 MiB: it is left from a run with another lg_size; with "
				   "VM win off, rm /dev/shm/looking-glass-win (QEMU makes it again)");
	unlink(p);
}

static void test_kvmfr_device(void **state)
{
	char p[512];
	struct x4_err e;
	uint64_t have = 0;
	FILE *f;

	(void)state;
	rpath(p, sizeof(p), "/sys/module/kvmfr/parameters/static_size_mb");
	f = fopen(p, "w");
	assert_non_null(f);
	fputs("32,64\n", f);
	fclose(f);
	rpath(p, sizeof(p), "/dev/kvmfr1");
	if (mknod(p, S_IFCHR | 0660, makedev(1, 3)) < 0) {
		skip(); /* not root */
	}
	/* a char device sysfs does not call kvmfr gets no ioctl: static_size_mb answers */
	assert_int_equal(x4_lg_region_size("/dev/kvmfr1", &have, &e), 0);
	assert_int_equal(have, 64 * MIB);
	assert_int_equal(x4_lg_check_region_size("vm-b", "/dev/kvmfr1", 64 * MIB, &e), 0);
	assert_int_equal(x4_lg_check_region_size("vm-b", "/dev/kvmfr1", 128 * MIB, &e), -EINVAL);
	assert_string_equal(e.msg,
			    "VM vm-b: /dev/kvmfr1 is 64 MiB but the VM wants 128 MiB: set lg_size = "
			    "64M for [vm vm-b] in x4-sriov.conf, or give its size to kvmfr (x4ctl lg "
			    "apply, then with no VM using it: rmmod kvmfr && modprobe kvmfr)");
	/* no size to learn (no static_size_mb entry): not refused here */
	rpath(p, sizeof(p), "/dev/kvmfr5");
	assert_int_equal(mknod(p, S_IFCHR | 0660, makedev(1, 3)), 0);
	assert_int_equal(x4_lg_region_size("/dev/kvmfr5", &have, &e), -ENODATA);
	assert_int_equal(x4_lg_check_region_size("vm-b", "/dev/kvmfr5", 128 * MIB, &e), 0);
	/* a missing kvmfr node is x4_lg_check_device's to report */
	assert_int_equal(x4_lg_check_region_size("vm-b", "/dev/kvmfr7", 32 * MIB, &e), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shm_file),
		cmocka_unit_test(test_kvmfr_device),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
