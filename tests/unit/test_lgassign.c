/* SPDX-License-Identifier: MIT */
/* Unit tests: lib/lgassign (one kvmfr device per VM, the module's size table, no sharing). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "testutil.h"

#include "lgassign.h"
#include "plan.h"

#define MIB (1ULL << 20)

static char root[256];

static int setup(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "/tmp/x4-test-lga.XXXXXX");
	if (!mkdtemp(root))
		return -1;
	setenv("X4_ROOT", root, 1);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unsetenv("X4_ROOT");
	return tu_rm_tree(root);
}

static void load(struct x4_config *c, const char *text)
{
	char path[512];
	struct x4_err e;
	FILE *f;

	snprintf(path, sizeof(path), "%s/x4.conf", root);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	if (x4_config_load_file(c, path, &e) < 0)
		fail_msg("%s", e.msg);
}

static void expect(const struct x4_config *c, const char *vm, const char *want)
{
	char out[32];
	struct x4_err e;

	assert_int_equal(x4_lg_assign(c, vm, out, sizeof(out), &e), 0);
	assert_string_equal(out, want);
}

static void test_assign(void **state)
{
	static struct x4_config c;
	struct x4_err e;
	char out[32];

	(void)state;
	load(&c, "[host]\nlooking_glass = kvmfr\n"
		 "[vm a]\nlg_size = 64M\n"
		 "[vm b]\nlooking_glass = /dev/kvmfr5\n"
		 "[vm c]\nlg_resolution = 3840x2160\n"
		 "[vm d]\nlooking_glass = shm\n"
		 "[vm e]\n");
	expect(&c, "a", "/dev/kvmfr0");
	expect(&c, "b", "/dev/kvmfr5"); /* explicit wins and moves nobody */
	expect(&c, "c", "/dev/kvmfr1");
	expect(&c, "e", "/dev/kvmfr2");
	assert_int_equal(x4_lg_assign(&c, "d", out, sizeof(out), &e), -ENOENT);
	/* a VM with no section has no place in the order */
	assert_int_equal(x4_lg_assign(&c, "zz", out, sizeof(out), &e), -EINVAL);
	assert_non_null(strstr(e.msg, "add one so it gets its own /dev/kvmfrN"));
	/* an explicit device that a kvmfr VM is given: refused, naming that VM */
	load(&c, "[host]\nlooking_glass = kvmfr\n[vm a]\n[vm c]\n[vm b]\nlooking_glass = /dev/kvmfr1\n");
	assert_int_equal(x4_lg_assign(&c, "b", out, sizeof(out), &e), -EBUSY);
	assert_string_equal(e.msg, "VM b: /dev/kvmfr1 is VM c's (its looking_glass = kvmfr gives it "
				   "that device): set looking_glass = kvmfr for b too, or another "
				   "/dev/kvmfrN");
	expect(&c, "c", "/dev/kvmfr1");
	/* the same answer every time (stable) */
	expect(&c, "c", "/dev/kvmfr1");
}

static void test_table(void **state)
{
	static struct x4_config c;
	struct x4_lg_dev dev[X4_LG_MAX_DEVICES];
	struct x4_err e;

	(void)state;
	load(&c, "[vm a]\nlooking_glass = kvmfr\nlg_size = 64M\n"
		 "[vm b]\nlooking_glass = kvmfr\n"
		 "[vm c]\nlooking_glass = kvmfr\nlg_resolution = 3840x2160\n");
	assert_int_equal(x4_lg_table(&c, dev, &e), 3);
	assert_int_equal(dev[0].size, 64 * MIB);
	assert_string_equal(dev[0].vm, "a");
	assert_int_equal(dev[1].size, 32 * MIB);
	assert_int_equal(dev[2].size, 128 * MIB);
	assert_string_equal(dev[2].vm, "c");
	/* two VMs on one explicit device with different sizes: the second is named */
	load(&c, "[vm a]\nlooking_glass = /dev/kvmfr2\nlg_size = 64M\n"
		 "[vm b]\nlooking_glass = /dev/kvmfr2\nlg_size = 32M\n");
	assert_int_equal(x4_lg_table(&c, dev, &e), 3);
	assert_false(dev[0].used);
	assert_int_equal(dev[0].size, 32 * MIB);
	assert_int_equal(dev[2].size, 64 * MIB);
	assert_string_equal(dev[2].other, "b");
	/* eleven kvmfr VMs: the eleventh has none left */
	load(&c, "[host]\nlooking_glass = kvmfr\n[vm a]\n[vm b]\n[vm c]\n[vm d]\n[vm e]\n[vm f]\n"
		 "[vm g]\n[vm h]\n[vm i]\n[vm j]\n[vm k]\n");
	assert_int_equal(x4_lg_table(&c, dev, &e), -ENOSPC);
	assert_non_null(strstr(e.msg, "VM k"));
}

static void test_not_shared(void **state)
{
	struct x4_plan p = {.lg = X4_LG_KVMFR, .lg_size = 32 * MIB};
	struct x4_err e;

	(void)state;
	assert_int_equal(x4_lg_check_not_shared("a", "/dev/kvmfr0", &e), 0);
	snprintf(p.vm, sizeof(p.vm), "other");
	snprintf(p.lg_path, sizeof(p.lg_path), "/dev/kvmfr0");
	assert_int_equal(x4_plan_write(&p, &e), 0);
	assert_int_equal(x4_lg_check_not_shared("a", "/dev/kvmfr0", &e), -EBUSY);
	assert_string_equal(e.msg, "VM a: /dev/kvmfr0 is in use by VM other (two VMs cannot share "
				   "a kvmfr device): set looking_glass = kvmfr for both, so each "
				   "gets its own, or stop other");
	assert_int_equal(x4_lg_check_not_shared("a", "/dev/kvmfr1", &e), 0);
	assert_int_equal(x4_lg_check_not_shared("other", "/dev/kvmfr0", &e), 0);
	assert_int_equal(x4_plan_remove("other", &e), 0);
	assert_int_equal(x4_lg_check_not_shared("a", "/dev/kvmfr0", &e), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_assign),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_not_shared),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
