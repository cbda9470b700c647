/* SPDX-License-Identifier: MIT */
/* Unit tests: lib/kmsg parses /dev/kmsg records, kern.log and dmesg lines, reads bounded from
 * a fake root, falls back and says why a source could not be read. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "kmsg.h"
#include "testutil.h"

static char root[256];

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

static int setup(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "/tmp/x4-kmsg.XXXXXX");
	assert_non_null(mkdtemp(root));
	setenv("X4_ROOT", root, 1);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	tu_rm_tree(root);
	unsetenv("X4_ROOT");
	return 0;
}

static void test_records(void **state)
{
	/* as /dev/kmsg gives them: a record, its dictionary lines, an escaped byte */
	static const char raw[] =
	    "6,1201,4120331,-;i915: unknown parameter 'max_vfs' ignored\n"
	    "3,1202,4121000,-,caller=T1;i915 0000:00:02.0: driver does not support SR-IOV "
	    "configuration via sysfs\n"
	    " SUBSYSTEM=pci\n"
	    " DEVICE=+pci:0000:00:02.0\n"
	    "garbage without a prefix\n"
	    "4,1203,4122000,c;tab\there\n"
	    "6,1204,4123000,-;incomplete";
	struct x4_kmsg k = {0};
	char line[256];
	const char *pos = NULL, *l;
	size_t n;

	(void)state;
	assert_int_equal(x4_kmsg_feed(&k, raw, sizeof(raw) - 1, X4_KMSG_FMT_RECORD), 0);
	assert_int_equal(x4_kmsg_find(&k, "max_vfs", line, sizeof(line)), 1);
	assert_string_equal(line, "i915: unknown parameter 'max_vfs' ignored");
	assert_int_equal(x4_kmsg_find(&k, "SUBSYSTEM", line, sizeof(line)), 0);
	assert_string_equal(line, "");
	assert_int_equal(x4_kmsg_find(&k, "garbage", NULL, 0), 0);
	assert_int_equal(x4_kmsg_find(&k, "incomplete", NULL, 0), 0);
	assert_int_equal(x4_kmsg_find(&k, "tab?here", NULL, 0), 1);
	l = x4_kmsg_next(&k, &pos, NULL, &n);
	assert_non_null(l);
	assert_int_equal(n, strlen("i915: unknown parameter 'max_vfs' ignored"));
	l = x4_kmsg_next(&k, &pos, "SR-IOV", &n);
	assert_non_null(l);
	assert_memory_equal(l, "i915 0000:00:02.0: driver does not", 34);
	assert_null(x4_kmsg_next(&k, &pos, "SR-IOV", &n));
	x4_kmsg_free(&k);
}

static void test_syslog_current_boot(void **state)
{
	static const char raw[] =
	    "2026-11-30T08:00:00.1+00:00 x4box kernel: [    0.000000] Linux version 6.1.0-25\n"
	    "2026-11-30T08:00:02.1+00:00 x4box kernel: [    2.1] i915: old boot line\n"
	    "Dec  1 09:00:00 x4box kernel: [    0.000000] Linux version 6.1.0-26-amd64\n"
	    "Dec  1 09:00:03 x4box systemd[1]: Started something.\n"
	    "Dec  1 09:00:04 x4box kernel: [    3.5] i915 0000:00:02.0: 7 VFs could be "
	    "associated with this PF\n";
	struct x4_kmsg k = {0};
	char line[256];

	(void)state;
	assert_int_equal(x4_kmsg_feed(&k, raw, sizeof(raw) - 1, X4_KMSG_FMT_SYSLOG), 0);
	assert_int_equal(x4_kmsg_find(&k, "old boot", NULL, 0), 0);
	assert_int_equal(x4_kmsg_find(&k, "Started", NULL, 0), 0);
	assert_int_equal(x4_kmsg_find(&k, "x4box", NULL, 0), 0); /* host names stay out */
	assert_int_equal(x4_kmsg_find(&k, "VFs could be", line, sizeof(line)), 1);
	assert_string_equal(line, "i915 0000:00:02.0: 7 VFs could be associated with this PF");
	assert_int_equal(x4_kmsg_find(&k, "Linux version", line, sizeof(line)), 1);
	assert_string_equal(line, "Linux version 6.1.0-26-amd64");
	x4_kmsg_free(&k);
}

static void test_dmesg_lines(void **state)
{
	static const char raw[] = "[    1.000000] DMAR: IOMMU enabled\nno stamp\n[bad] x\n";
	struct x4_kmsg k = {0};

	(void)state;
	assert_int_equal(x4_kmsg_feed(&k, raw, sizeof(raw) - 1, X4_KMSG_FMT_DMESG), 0);
	assert_int_equal(x4_kmsg_find(&k, "DMAR: IOMMU enabled", NULL, 0), 1);
	assert_int_equal(x4_kmsg_find(&k, "stamp", NULL, 0), 0);
	assert_int_equal(x4_kmsg_find(&k, "x", NULL, 0), 0); /* "[bad] x" is no stamp */
	x4_kmsg_free(&k);
}

/* Only the newest X4_KMSG_KEEP bytes stay; lines over X4_KMSG_LINE_MAX are dropped. */
static void test_bounded(void **state)
{
	struct x4_kmsg k = {0};
	char rec[128];
	char *big = malloc(X4_KMSG_LINE_MAX + 64);
	unsigned i;
	int n;

	(void)state;
	assert_non_null(big);
	for (i = 0; i < 40000; i++) {
		n = snprintf(rec, sizeof(rec), "6,%u,0,-;line %06u padding padding padding\n", i, i);
		assert_int_equal(x4_kmsg_feed(&k, rec, (size_t)n, X4_KMSG_FMT_RECORD), 0);
	}
	assert_true(k.len <= X4_KMSG_KEEP);
	assert_true(k.dropped > 0);
	assert_int_equal(x4_kmsg_find(&k, "line 039999", NULL, 0), 1);
	assert_int_equal(x4_kmsg_find(&k, "line 000000", NULL, 0), 0);
	memset(big, 'a', X4_KMSG_LINE_MAX + 10);
	memcpy(big, "6,1,0,-;", 8);
	big[X4_KMSG_LINE_MAX + 10] = '\n';
	i = k.dropped;
	assert_int_equal(x4_kmsg_feed(&k, big, X4_KMSG_LINE_MAX + 11, X4_KMSG_FMT_RECORD), 0);
	assert_int_equal(k.dropped, i + 1);
	free(big);
	x4_kmsg_free(&k);
}

static void test_read_sources(void **state)
{
	static const char rec[] = "6,1,1,-;i915: You are using the i915-sriov-dkms module\n";
	static const char kl[] = "Dec  1 09:00:04 h kernel: [    3.5] DMAR: IOMMU enabled\n";
	struct x4_kmsg k;
	struct x4_err e;
	char p[512];

	(void)state;
	/* nothing at all: an error naming every source */
	assert_int_equal(x4_kmsg_read(&k, &e), -ENOENT);
	assert_non_null(strstr(e.msg, "/dev/kmsg: absent"));
	assert_non_null(strstr(e.msg, "/var/log/kern.log: absent"));
	assert_string_equal(k.source, "");
	x4_kmsg_free(&k);
	/* kern.log only */
	put("/var/log/kern.log", kl, sizeof(kl) - 1);
	assert_int_equal(x4_kmsg_read(&k, &e), 0);
	assert_string_equal(k.source, "/var/log/kern.log");
	assert_non_null(strstr(k.note, "/dev/kmsg: absent"));
	assert_int_equal(x4_kmsg_find(&k, "IOMMU enabled", NULL, 0), 1);
	x4_kmsg_free(&k);
	/* /dev/kmsg wins */
	put("/dev/kmsg", rec, sizeof(rec) - 1);
	assert_int_equal(x4_kmsg_read(&k, &e), 0);
	assert_string_equal(k.source, "/dev/kmsg");
	assert_string_equal(k.note, "");
	assert_int_equal(x4_kmsg_find(&k, "i915-sriov-dkms", NULL, 0), 1);
	x4_kmsg_free(&k);
	/* a directory is no log */
	snprintf(p, sizeof(p), "%s/dev/kmsg", root);
	assert_int_equal(unlink(p), 0);
	assert_int_equal(mkdir(p, 0755), 0);
	assert_int_equal(x4_kmsg_read(&k, &e), 0);
	assert_string_equal(k.source, "/var/log/kern.log");
	assert_non_null(strstr(k.note, "/dev/kmsg: "));
	x4_kmsg_free(&k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_records),
		cmocka_unit_test(test_syslog_current_boot),
		cmocka_unit_test(test_dmesg_lines),
		cmocka_unit_test(test_bounded),
		cmocka_unit_test_setup_teardown(test_read_sources, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
