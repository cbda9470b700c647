/* SPDX-License-Identifier: MIT */
/* Unit tests: lib/lg and lib/lgshm (Looking Glass size formula, kvmfr device and access checks,
 * the /dev/shm file no other user may plant or reach). */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <cmocka.h>

#include "testutil.h"

#include "lg.h"
#include "lgshm.h"

#define MIB (1ULL << 20)

static char root[256];

static void mkpath(const char *rel, mode_t mode)
{
	char p[512];

	snprintf(p, sizeof(p), "%s%s", root, rel);
	for (char *s = p + strlen(root) + 1; *s; s++) {
		if (*s == '/') {
			*s = '\0';
			mkdir(p, 0755);
			*s = '/';
		}
	}
	mkdir(p, mode);
	chmod(p, mode);
}

static void put(const char *rel, const char *text, mode_t mode)
{
	char p[512];
	FILE *f;

	snprintf(p, sizeof(p), "%s%s", root, rel);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	chmod(p, mode);
}

static int setup(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "/tmp/x4-test-lg.XXXXXX");
	if (!mkdtemp(root))
		return -1;
	chmod(root, 0755);
	setenv("X4_ROOT", root, 1);
	mkpath("/dev", 0755);
	mkpath("/sys/module/kvmfr/parameters", 0755);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unsetenv("X4_ROOT");
	return tu_rm_tree(root);
}

static void test_size_formula(void **state)
{
	(void)state;
	assert_int_equal(x4_lg_size_for(1920, 1080, 0), 32 * MIB);
	assert_int_equal(x4_lg_size_for(2560, 1440, 0), 64 * MIB);
	assert_int_equal(x4_lg_size_for(3840, 2160, 0), 128 * MIB);
	assert_int_equal(x4_lg_size_for(1920, 1080, 1), 64 * MIB);
	assert_int_equal(x4_lg_size_for(2560, 1440, 1), 128 * MIB);
	assert_int_equal(x4_lg_size_for(3840, 2160, 1), 256 * MIB);
	assert_int_equal(x4_lg_size_for(1, 1, 0), 16 * MIB); /* 10 MiB + 8 bytes */
	assert_int_equal(x4_lg_size_for(0, 1080, 0), 0);
	assert_int_equal(x4_lg_size_for(1920, 0, 0), 0);
	assert_int_equal(x4_lg_size_for(65536, 1, 0), 0);
	assert_int_equal(x4_lg_size_for(65535, 65535, 1), 128ULL << 30); /* no overflow */
}

static void test_device_index(void **state)
{
	unsigned idx = 99;
	struct x4_err e;
	const char *bad[] = { "/dev/kvmfr", "/dev/kvmfr10", "/dev/kvmfr-1", "/dev/kvmfrx",
			      "/dev/shm/x", "dev/kvmfr0", "/dev/kvmfr0/", "" };

	(void)state;
	assert_int_equal(x4_lg_device_index("/dev/kvmfr0", &idx, &e), 0);
	assert_int_equal(idx, 0);
	assert_int_equal(x4_lg_device_index("/dev/kvmfr9", &idx, &e), 0);
	assert_int_equal(idx, 9);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(x4_lg_device_index(bad[i], &idx, &e), -EINVAL);
	assert_int_equal(x4_lg_device_index(NULL, &idx, &e), -EINVAL);
}

static void test_static_size(void **state)
{
	uint64_t b = 0;
	struct x4_err e;
	char p[512];
	const char *garbled[] = { "",	  "32,",       ",32",	      "32,,64",
				  "x",	  "-32",       "32 64",	      "123456789",
				  "32x",  "1,2,3,4,5,6,7,8,9,10,11" };

	(void)state;
	snprintf(p, sizeof(p), "%s/sys/module/kvmfr/parameters/static_size_mb", root);
	unlink(p);
	assert_int_equal(x4_lg_static_size(0, &b, &e), -ENOENT);
	assert_non_null(strstr(e.msg, "modprobe kvmfr"));
	put("/sys/module/kvmfr/parameters/static_size_mb", "32\n", 0644);
	assert_int_equal(x4_lg_static_size(0, &b, &e), 0);
	assert_int_equal(b, 32 * MIB);
	assert_int_equal(x4_lg_static_size(1, &b, &e), -ENOENT);
	assert_non_null(strstr(e.msg, "kvmfr1"));
	put("/sys/module/kvmfr/parameters/static_size_mb", "32,128,0\n", 0644);
	assert_int_equal(x4_lg_static_size(1, &b, &e), 0);
	assert_int_equal(b, 128 * MIB);
	assert_int_equal(x4_lg_static_size(2, &b, &e), -ENOENT);
	for (size_t i = 0; i < sizeof(garbled) / sizeof(garbled[0]); i++) {
		put("/sys/module/kvmfr/parameters/static_size_mb", garbled[i], 0644);
		assert_int_equal(x4_lg_static_size(0, &b, &e), -EINVAL);
	}
}

static void test_check_device(void **state)
{
	char p[512];
	struct x4_err e;

	(void)state;
	put("/sys/module/kvmfr/parameters/static_size_mb", "32", 0644);
	snprintf(p, sizeof(p), "%s/dev/kvmfr0", root);
	unlink(p);
	assert_int_equal(x4_lg_check_device("/dev/kvmfr0", 32 * MIB, &e), -ENOENT);
	assert_non_null(strstr(e.msg, "modprobe kvmfr static_size_mb=32"));

	put("/dev/kvmfr0", "", 0644); /* what QEMU leaves when kvmfr was not loaded */
	assert_int_equal(x4_lg_check_device("/dev/kvmfr0", 32 * MIB, &e), -EEXIST);
	assert_non_null(strstr(e.msg, "/dev/kvmfr0 is a plain file, not the kvmfr device"));
	assert_non_null(strstr(e.msg, "rm /dev/kvmfr0"));
	unlink(p);
	mkdir(p, 0755);
	assert_int_equal(x4_lg_check_device("/dev/kvmfr0", 0, &e), -ENODEV);
	rmdir(p);
	assert_int_equal(x4_lg_check_device("/dev/shm/lg", 0, &e), -EINVAL);
	assert_int_equal(x4_lg_check_device("/dev/kvmfr0/../x", 0, &e), -EINVAL);

	if (mknod(p, S_IFCHR | 0660, makedev(1, 3)) < 0) {
		skip(); /* not root: cannot make a char device for the rest */
	}
	assert_int_equal(x4_lg_check_device("/dev/kvmfr0", 32 * MIB, &e), 0);
	assert_int_equal(x4_lg_check_device("/dev/kvmfr0", 0, &e), 0);
	assert_int_equal(x4_lg_check_device("/dev/kvmfr0", 64 * MIB, &e), -ERANGE);
	assert_non_null(strstr(e.msg, "is 32 MiB"));
	assert_non_null(strstr(e.msg, "wants 64 MiB"));
	assert_non_null(strstr(e.msg, "static_size_mb=64"));
	unlink(p);
}

static void test_check_access(void **state)
{
	char p[512];
	struct x4_err e;

	(void)state;
	if (geteuid() != 0)
		skip(); /* needs chown */
	put("/dev/dev0", "", 0600);
	snprintf(p, sizeof(p), "%s/dev/dev0", root);
	assert_int_equal(chown(p, 0, 0), 0);
	assert_int_equal(x4_lg_check_access("/dev/dev0", 0, 0, 1, &e), 0);
	assert_int_equal(x4_lg_check_access("/dev/dev0", 4242, 4242, 0, &e), -EACCES);
	assert_non_null(strstr(e.msg, "uid 4242"));
	assert_int_equal(chown(p, 0, 4242), 0);
	chmod(p, 0660);
	assert_int_equal(x4_lg_check_access("/dev/dev0", 4242, 4242, 1, &e), 0);
	assert_int_equal(x4_lg_check_access("/dev/dev0", 4243, 4243, 0, &e), -EACCES);
	chmod(p, 0640);
	assert_int_equal(x4_lg_check_access("/dev/dev0", 4242, 4242, 0, &e), 0);
	assert_int_equal(x4_lg_check_access("/dev/dev0", 4242, 4242, 1, &e), -EACCES);
	assert_non_null(strstr(e.msg, "readable and writable"));
	/* the owner class wins even when "other" would allow it */
	assert_int_equal(chown(p, 4242, 0), 0);
	chmod(p, 0066);
	assert_int_equal(x4_lg_check_access("/dev/dev0", 4242, 4242, 0, &e), -EACCES);
	assert_int_equal(x4_lg_check_access("/dev/dev0", 4243, 4243, 1, &e), 0);
	/* a directory above that the user cannot search */
	chmod(p, 0666);
	mkpath("/dev", 0750);
	assert_int_equal(x4_lg_check_access("/dev/dev0", 4243, 4243, 0, &e), -EACCES);
	assert_non_null(strstr(e.msg, "cannot enter directory /dev"));
	mkpath("/dev", 0755);
	assert_int_equal(x4_lg_check_access("/dev/nope", 4243, 4243, 0, &e), -ENOENT);
	assert_int_equal(x4_lg_check_access("/dev/../etc", 4243, 4243, 0, &e), -EINVAL);
	/* the hint for kvmfr names the udev rule */
	put("/dev/kvmfr1", "", 0600);
	assert_int_equal(x4_lg_check_access("/dev/kvmfr1", 4243, 4243, 1, &e), -EACCES);
	assert_non_null(strstr(e.msg, "SUBSYSTEM==\"kvmfr\""));
}

#define QUID 4242 /* the qemu user in these tests */
#define QGID 4243

/* Defect 3: a file another user planted (0666, the attacker's) is refused, never mapped. */
static void test_shm_planted_file_refused(void **state)
{
	char p[512];
	struct x4_err e;

	(void)state;
	if (geteuid() != 0)
		skip(); /* chown needs root */
	mkpath("/dev/shm", 01777);
	put("/dev/shm/looking-glass-vm", "", 0666);
	snprintf(p, sizeof(p), "%s/dev/shm/looking-glass-vm", root);
	assert_int_equal(chown(p, 65534, 65534), 0);
	assert_int_equal(x4_lgshm_guard("vm", X4_LG_SHM, "/dev/shm/looking-glass-vm", QUID, QGID, &e),
			 -EPERM);
	assert_non_null(strstr(e.msg, "VM 'vm'"));
	assert_non_null(strstr(e.msg, "/dev/shm/looking-glass-vm is owned by uid 65534"));
	assert_non_null(strstr(e.msg, "rm /dev/shm/looking-glass-vm"));
	assert_null(strchr(e.msg, '\n'));
	/* ours in owner, open to others: still refused */
	assert_int_equal(chown(p, QUID, QGID), 0);
	assert_int_equal(chmod(p, 0644), 0);
	assert_int_equal(x4_lgshm_guard("vm", X4_LG_SHM, "/dev/shm/looking-glass-vm", QUID, QGID, &e),
			 -EPERM);
	assert_non_null(strstr(e.msg, "mode 0644: others can read"));
	assert_int_equal(chmod(p, 0662), 0);
	assert_int_equal(x4_lgshm_guard("vm", X4_LG_SHM, "/dev/shm/looking-glass-vm", QUID, QGID, &e),
			 -EPERM);
	assert_non_null(strstr(e.msg, "others can write"));
	/* the qemu user's own, closed to others: accepted as is (a restart) */
	assert_int_equal(chmod(p, 0660), 0);
	assert_int_equal(x4_lgshm_guard("vm", X4_LG_SHM, "/dev/shm/looking-glass-vm", QUID, QGID, &e),
			 0);
	unlink(p);
}

/* A symlink (to a file the attacker wants QEMU to write, or to read) and a hard link. */
static void test_shm_links_refused(void **state)
{
	char p[512], q[512];
	struct x4_err e;

	(void)state;
	mkpath("/dev/shm", 01777);
	snprintf(p, sizeof(p), "%s/dev/shm/looking-glass-vm", root);
	snprintf(q, sizeof(q), "%s/dev/shm/elsewhere", root);
	put("/dev/shm/elsewhere", "", 0600);
	assert_int_equal(symlink(q, p), 0);
	assert_int_equal(x4_lgshm_guard("vm", X4_LG_SHM, "/dev/shm/looking-glass-vm", QUID, QGID, &e),
			 -EPERM);
	assert_non_null(strstr(e.msg, "is a symbolic link"));
	unlink(p);
	assert_int_equal(symlink("/nonexistent/target", p), 0); /* dangling: O_EXCL still refuses */
	assert_int_equal(x4_lgshm_guard("vm", X4_LG_SHM, "/dev/shm/looking-glass-vm", QUID, QGID, &e),
			 -EPERM);
	unlink(p);
	assert_int_equal(link(q, p), 0);
	assert_int_equal(x4_lgshm_guard("vm", X4_LG_SHM, "/dev/shm/looking-glass-vm", geteuid(), QGID,
					&e),
			 -EPERM);
	assert_non_null(strstr(e.msg, "2 hard links"));
	unlink(p);
	unlink(q);
	mkdir(p, 0700);
	assert_int_equal(x4_lgshm_guard("vm", X4_LG_SHM, "/dev/shm/looking-glass-vm", QUID, QGID, &e),
			 -EPERM);
	assert_non_null(strstr(e.msg, "not a regular file"));
	rmdir(p);
}

/* No file yet: made here, O_EXCL, owned by the qemu user and group, 0660 whatever the umask. */
static void test_shm_created_for_qemu(void **state)
{
	char p[512];
	struct x4_err e;
	struct stat st;
	mode_t old = umask(0);

	(void)state;
	mkpath("/dev/shm", 01777);
	snprintf(p, sizeof(p), "%s/dev/shm/looking-glass-vm", root);
	unlink(p);
	assert_int_equal(x4_lgshm_guard("vm", X4_LG_SHM, "/dev/shm/looking-glass-vm", QUID, QGID, &e),
			 0);
	umask(old);
	assert_int_equal(lstat(p, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0660);
	if (geteuid() == 0) {
		assert_int_equal(st.st_uid, QUID);
		assert_int_equal(st.st_gid, QGID);
	}
	unlink(p);
	/* no /dev/shm at all: nothing to plant into, nothing made */
	snprintf(p, sizeof(p), "%s/dev/shm", root);
	rmdir(p);
	assert_int_equal(x4_lgshm_guard("vm", X4_LG_SHM, "/dev/shm/looking-glass-vm", QUID, QGID, &e),
			 0);
	assert_int_equal(x4_lgshm_guard("vm", X4_LG_OFF, "", QUID, QGID, &e), 0);
}

/* kvmfr: a node others can reach, or owned by a stranger, is refused; absent is left alone. */
static void test_kvmfr_owner(void **state)
{
	char p[512];
	struct x4_err e;

	(void)state;
	snprintf(p, sizeof(p), "%s/dev/kvmfr2", root);
	unlink(p);
	assert_int_equal(x4_lgshm_guard("vm", X4_LG_KVMFR, "/dev/kvmfr2", QUID, QGID, &e), 0);
	put("/dev/kvmfr2", "", 0666); /* a plain file: x4_lg_check_device's business */
	assert_int_equal(x4_lgshm_guard("vm", X4_LG_KVMFR, "/dev/kvmfr2", QUID, QGID, &e), 0);
	unlink(p);
	if (mknod(p, S_IFCHR | 0666, makedev(1, 3)) < 0)
		skip(); /* not root */
	chmod(p, 0666);
	assert_int_equal(x4_lgshm_guard("vm", X4_LG_KVMFR, "/dev/kvmfr2", QUID, QGID, &e), -EPERM);
	assert_non_null(strstr(e.msg, "/dev/kvmfr2 has mode 0666"));
	assert_non_null(strstr(e.msg, "MODE=\"0660\""));
	chmod(p, 0660);
	assert_int_equal(x4_lgshm_guard("vm", X4_LG_KVMFR, "/dev/kvmfr2", QUID, QGID, &e), 0);
	assert_int_equal(chown(p, 65534, QGID), 0);
	assert_int_equal(x4_lgshm_guard("vm", X4_LG_KVMFR, "/dev/kvmfr2", QUID, QGID, &e), -EPERM);
	assert_non_null(strstr(e.msg, "owned by uid 65534"));
	unlink(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_size_formula),
		cmocka_unit_test(test_device_index),
		cmocka_unit_test(test_static_size),
		cmocka_unit_test(test_check_device),
		cmocka_unit_test(test_check_access),
		cmocka_unit_test(test_shm_planted_file_refused),
		cmocka_unit_test(test_shm_links_refused),
		cmocka_unit_test(test_shm_created_for_qemu),
		cmocka_unit_test(test_kvmfr_owner),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
