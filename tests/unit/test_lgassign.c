/* SPDX-License-Identifier: MIT */
/* Unit tests: lib/lgassign and lib/lgstore (one kvmfr device per VM, recorded and kept; the
 * module's size table; no sharing). */
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
#include "lgstore.h"
#include "paths.h"
#include "plan.h"

#define MIB (1ULL << 20)

static char root[256];

static int setup(void **state)
{
	(void)state;
	return tu_root_make(root, sizeof(root), "lga");
}

static int teardown(void **state)
{
	(void)state;
	return tu_root_remove(root);
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

/* Start each case with no record. */
static void reset(void)
{
	char p[512];

	snprintf(p, sizeof(p), "%s%s", root, X4_LG_STORE_FILE);
	unlink(p);
}

static void put_store(const char *text)
{
	char p[512];
	FILE *f;

	snprintf(p, sizeof(p), "%s/var", root);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/var/lib", root);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s" X4_STATE_DIR, root);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s%s", root, X4_LG_STORE_FILE);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_assign(void **state)
{
	static struct x4_config c;
	struct x4_err e;
	char out[32];

	(void)state;
	reset();
	load(&c, "[host]\nlooking_glass = kvmfr\n"
		 "[vm a]\nlg_size = 64M\n"
		 "[vm b]\nlooking_glass = /dev/kvmfr5\n"
		 "[vm c]\nlg_resolution = 3840x2160\n"
		 "[vm d]\nlooking_glass = shm\n"
		 "[vm e]\n");
	/* not recorded yet: what a record would give, in config order */
	expect(&c, "a", "/dev/kvmfr0");
	expect(&c, "b", "/dev/kvmfr5"); /* explicit wins and moves nobody */
	expect(&c, "c", "/dev/kvmfr1");
	expect(&c, "e", "/dev/kvmfr2");
	assert_int_equal(x4_lg_assign(&c, "d", out, sizeof(out), &e), -ENOENT);
	/* a VM with no section cannot be listed before it runs */
	assert_int_equal(x4_lg_assign(&c, "zz", out, sizeof(out), &e), -EINVAL);
	assert_non_null(strstr(e.msg, "add one so it gets its own /dev/kvmfrN"));
	/* a new VM never gets a device a config line names */
	load(&c, "[host]\nlooking_glass = kvmfr\n[vm a]\n[vm c]\n[vm b]\nlooking_glass = /dev/kvmfr1\n");
	expect(&c, "a", "/dev/kvmfr0");
	expect(&c, "c", "/dev/kvmfr2");
	expect(&c, "b", "/dev/kvmfr1");
	/* once recorded, a device named explicitly for another VM is refused, naming the holder */
	load(&c, "[host]\nlooking_glass = kvmfr\n[vm a]\n[vm c]\n");
	assert_int_equal(x4_lg_record(&c, NULL, &e), 2);
	assert_int_equal(x4_lg_record(&c, NULL, &e), 0); /* nothing new: not written again */
	load(&c, "[host]\nlooking_glass = kvmfr\n[vm a]\n[vm c]\n[vm b]\nlooking_glass = /dev/kvmfr1\n");
	assert_int_equal(x4_lg_assign(&c, "b", out, sizeof(out), &e), -EBUSY);
	assert_string_equal(e.msg, "VM b: /dev/kvmfr1 is VM c's (its looking_glass = kvmfr gives it "
				   "that device): set looking_glass = kvmfr for b too, or another "
				   "/dev/kvmfrN");
	expect(&c, "c", "/dev/kvmfr1");
	expect(&c, "c", "/dev/kvmfr1"); /* the same answer every time */
}

static void test_stable(void **state)
{
	static struct x4_config c;
	struct x4_lg_store st;
	struct x4_err e;
	char line[256];
	int idx;

	(void)state;
	reset();
	load(&c, "[host]\nlooking_glass = kvmfr\n[vm a]\n[vm b]\n[vm c]\n");
	assert_int_equal(x4_lg_record(&c, NULL, &e), 3);
	/* a VM inserted before the others moves nobody: it gets the next free index */
	load(&c, "[host]\nlooking_glass = kvmfr\n[vm new]\n[vm a]\n[vm b]\n[vm c]\n");
	expect(&c, "a", "/dev/kvmfr0");
	expect(&c, "b", "/dev/kvmfr1");
	expect(&c, "c", "/dev/kvmfr2");
	expect(&c, "new", "/dev/kvmfr3");
	/* one VM at its start (prepare) records only itself */
	assert_int_equal(x4_lg_record(&c, "new", &e), 1);
	assert_int_equal(x4_lg_record(&c, "new", &e), 0);
	assert_int_equal(x4_lg_store_load(&st, &e), 0);
	assert_string_equal(st.vm[3], "new");
	/* b leaves the config: its record stays, said with the fix, and nobody gets kvmfr1 */
	load(&c, "[host]\nlooking_glass = kvmfr\n[vm new]\n[vm a]\n[vm c]\n[vm d]\n");
	assert_int_equal(x4_lg_orphan_line(&c, &st, 1, line, sizeof(line)), 1);
	assert_string_equal(line, "kvmfr1: recorded for VM b which is not in the config (x4ctl lg "
				  "forget b)");
	assert_int_equal(x4_lg_orphan_line(&c, &st, 0, line, sizeof(line)), 0);
	expect(&c, "d", "/dev/kvmfr4");
	/* still a section, but no longer kvmfr: said too */
	load(&c, "[host]\nlooking_glass = kvmfr\n[vm b]\nlooking_glass = shm\n");
	assert_int_equal(x4_lg_orphan_line(&c, &st, 1, line, sizeof(line)), 1);
	assert_non_null(strstr(line, "which no longer has looking_glass = kvmfr"));
	/* an explicit device still recorded for a VM that is gone: refused until forgotten */
	load(&c, "[vm x]\nlooking_glass = /dev/kvmfr1\n");
	assert_int_equal(x4_lg_assign(&c, "x", line, sizeof(line), &e), -EBUSY);
	assert_non_null(strstr(e.msg, "run x4ctl lg forget b"));
	/* forget: refused while b runs (has a plan), then the index is free again */
	{
		struct x4_plan p = {.lg = X4_LG_KVMFR, .lg_size = 32 * MIB};

		snprintf(p.vm, sizeof(p.vm), "b");
		snprintf(p.lg_path, sizeof(p.lg_path), "/dev/kvmfr1");
		assert_int_equal(x4_plan_write(&p, &e), 0);
		assert_int_equal(x4_lg_forget("b", &idx, &e), -EBUSY);
		assert_non_null(strstr(e.msg, "VM b is running on /dev/kvmfr1: stop it first"));
		assert_int_equal(x4_plan_remove("b", &e), 0);
	}
	/* a damaged plan may be a running VM's: refused, naming it */
	{
		char path[512], abs[512];
		FILE *f;

		assert_int_equal(x4_plan_path("b", abs, sizeof(abs), &e), 0);
		assert_int_equal(x4_host_path(abs, path, sizeof(path), &e), 0);
		assert_non_null(f = fopen(path, "w"));
		fputs("{ damaged", f);
		fclose(f);
		assert_true(x4_lg_forget("b", &idx, &e) < 0);
		assert_non_null(strstr(e.msg, "cannot tell whether VM b runs"));
		assert_int_equal(unlink(path), 0);
	}
	assert_int_equal(x4_lg_forget("b", &idx, &e), 0);
	assert_int_equal(idx, 1);
	assert_int_equal(x4_lg_forget("b", &idx, &e), -ENOENT);
	expect(&c, "x", "/dev/kvmfr1");
	load(&c, "[host]\nlooking_glass = kvmfr\n[vm new]\n[vm a]\n[vm c]\n[vm d]\n");
	expect(&c, "d", "/dev/kvmfr1");
}

static void test_store_parse(void **state)
{
	static const char *const bad[] = {
		"",
		"[]",
		"{\"version\": 2, \"kvmfr\": {}}",
		"{\"version\": 1}",
		"{\"version\": 1, \"kvmfr\": []}",
		"{\"version\": 1, \"kvmfr\": {}, \"x\": 1}",
		"{\"version\": 1, \"kvmfr\": {\"a\": 10}}",
		"{\"version\": 1, \"kvmfr\": {\"a\": -1}}",
		"{\"version\": 1, \"kvmfr\": {\"a\": \"0\"}}",
		"{\"version\": 1, \"kvmfr\": {\"a\": 1.0}}",
		"{\"version\": 1, \"kvmfr\": {\"a\": 0, \"b\": 0}}",
		"{\"version\": 1, \"kvmfr\": {\"\": 0}}",
		"{\"version\": 1, \"kvmfr\": {\"a\": 0}} x",
	};
	struct x4_lg_store s;
	struct x4_err e;
	const char *text;
	char *fmt;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		s.vm[0][0] = 'z';
		if (x4_lg_store_parse(bad[i], strlen(bad[i]), "F", &s, &e) != -EBADMSG)
			fail_msg("accepted: %s", bad[i]);
		assert_non_null(strstr(e.msg, "F is damaged ("));
		assert_int_equal(s.vm[0][0], '\0');
	}
	text = "{\"version\": 1, \"kvmfr\": {\"win 11\": 3, \"b\": 0}}";
	assert_int_equal(x4_lg_store_parse(text, strlen(text), "F", &s, &e), 0);
	assert_string_equal(s.vm[3], "win 11");
	assert_string_equal(s.vm[0], "b");
	assert_int_equal(x4_lg_store_find(&s, "win 11"), 3);
	assert_int_equal(x4_lg_store_find(&s, "nope"), -1);
	fmt = x4_lg_store_format(&s);
	assert_non_null(fmt);
	memset(&s, 0, sizeof(s));
	assert_int_equal(x4_lg_store_parse(fmt, strlen(fmt), "F", &s, &e), 0);
	assert_string_equal(s.vm[3], "win 11");
	free(fmt);
	/* a damaged file: every lookup says so, naming it */
	{
		static struct x4_config c;
		char out[32];

		load(&c, "[vm a]\nlooking_glass = kvmfr\n");
		put_store("{\"version\": 1, \"kvmfr\": {\"a\": 12}}");
		assert_int_equal(x4_lg_assign(&c, "a", out, sizeof(out), &e), -EBADMSG);
		assert_non_null(strstr(e.msg, X4_LG_STORE_FILE " is damaged (a device index"));
		assert_int_equal(x4_lg_record(&c, NULL, &e), -EBADMSG);
		reset();
	}
}

static void test_table(void **state)
{
	static struct x4_config c;
	struct x4_lg_dev dev[X4_LG_MAX_DEVICES];
	struct x4_err e;
	char text[1024];
	int len;

	(void)state;
	reset();
	load(&c, "[vm a]\nlooking_glass = kvmfr\nlg_size = 64M\n"
		 "[vm b]\nlooking_glass = kvmfr\n"
		 "[vm c]\nlooking_glass = kvmfr\nlg_resolution = 3840x2160\n");
	assert_int_equal(x4_lg_table(&c, dev, &e), 3);
	assert_int_equal(dev[0].size, 64 * MIB);
	assert_string_equal(dev[0].vm, "a");
	assert_int_equal(dev[1].size, 32 * MIB);
	assert_int_equal(dev[2].size, 128 * MIB);
	assert_string_equal(dev[2].vm, "c");
	len = x4_lg_udev_text(dev, 3, text, sizeof(text));
	assert_int_equal(len, (int)strlen(text));
	assert_non_null(strstr(text, "\nSUBSYSTEM==\"kvmfr\", KERNEL==\"kvmfr0\", OWNER=\"root\", "
				     "GROUP=\"kvm\", MODE=\"0660\"\n"));
	assert_non_null(strstr(text, "KERNEL==\"kvmfr2\""));
	assert_non_null(strstr(text, "sudo usermod -aG kvm USER"));
	assert_int_equal(x4_lg_udev_text(dev, 3, text, 100), -ENOSPC);
	len = x4_lg_modprobe_text(dev, 3, text, sizeof(text));
	assert_int_equal(len, (int)strlen(text));
	assert_non_null(strstr(text, "\noptions kvmfr static_size_mb=64,32,128\n"));
	/* b recorded, then gone from the config: its index stays taken, shown as a record */
	assert_int_equal(x4_lg_record(&c, NULL, &e), 3);
	load(&c, "[vm a]\nlooking_glass = kvmfr\nlg_size = 64M\n"
		 "[vm c]\nlooking_glass = kvmfr\n[vm d]\nlooking_glass = kvmfr\n");
	assert_int_equal(x4_lg_table(&c, dev, &e), 4);
	assert_false(dev[1].used);
	assert_string_equal(dev[1].vm, "b");
	assert_string_equal(dev[3].vm, "d");
	reset();
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
		cmocka_unit_test(test_stable),
		cmocka_unit_test(test_store_parse),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_not_shared),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
