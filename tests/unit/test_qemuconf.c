/* SPDX-License-Identifier: MIT */
/* Unit tests: lib/qemuconf (cgroup_device_acl scan and merge). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "qemuconf.h"

#define DEV "/dev/kvmfr0"

static char *add(const char *in, int want_rc)
{
	struct x4_err e;
	char *out = NULL;
	size_t n = 0;

	x4_err_clear(&e);
	assert_int_equal(x4_qemuconf_acl_add(in, strlen(in), DEV, &out, &n, &e), want_rc);
	if (out)
		assert_int_equal(n, strlen(out));
	return out;
}

static void test_parse_list(void **state)
{
	const char *t = "# a comment with cgroup_device_acl = [ \"/dev/x\" ]\n"
			"user = \"libvirt-qemu\"\n"
			"namespaces = [ \"mount\" ]\n"
			"cgroup_device_acl = [\n  \"/dev/null\", # inline comment ]\n"
			"  '/dev/kvm',\n]\nsecurity_driver = [ \"apparmor\", \"dac\" ]\n";
	struct x4_qemuconf_acl acl;
	struct x4_err e;

	(void)state;
	assert_int_equal(x4_qemuconf_acl_parse(t, strlen(t), &acl, &e), 0);
	assert_true(acl.present);
	assert_int_equal(acl.n, 2);
	assert_string_equal(acl.entries[0], "/dev/null");
	assert_string_equal(acl.entries[1], "/dev/kvm");
	assert_int_equal(t[acl.close], ']');
	assert_true(x4_qemuconf_acl_has(&acl, "/dev/kvm"));
	assert_false(x4_qemuconf_acl_has(&acl, DEV));
}

static void test_add_to_existing_multiline(void **state)
{
	const char *t = "x = 1\ncgroup_device_acl = [\n    \"/dev/null\",\n    \"/dev/kvm\"\n]\n"
			"# tail\n";
	char *o;

	(void)state;
	o = add(t, 1);
	assert_string_equal(o, "x = 1\ncgroup_device_acl = [\n    \"/dev/null\",\n    \"/dev/kvm\","
			       "\n    \"/dev/kvmfr0\"\n]\n# tail\n");
	/* Idempotent: a second merge changes nothing. */
	assert_null(add(o, 0));
	free(o);
}

static void test_add_single_line_and_empty(void **state)
{
	char *o;

	(void)state;
	o = add("cgroup_device_acl = [ \"/dev/null\" ]\n", 1);
	assert_string_equal(o, "cgroup_device_acl = [ \"/dev/null\", \"/dev/kvmfr0\" ]\n");
	free(o);
	o = add("cgroup_device_acl = []\n", 1);
	assert_string_equal(o, "cgroup_device_acl = [\"/dev/kvmfr0\"]\n");
	free(o);
	/* Trailing comma kept valid. */
	o = add("cgroup_device_acl = [ \"/dev/null\", ]", 1);
	assert_string_equal(o, "cgroup_device_acl = [ \"/dev/null\", \"/dev/kvmfr0\", ]");
	free(o);
}

static void test_add_when_commented_out(void **state)
{
	const char *t = "#cgroup_device_acl = [\n#    \"/dev/null\"\n#]\nuser = \"root\"";
	struct x4_qemuconf_acl acl;
	struct x4_err e;
	char *o;

	(void)state;
	o = add(t, 1);
	/* Original bytes first, untouched; then a new setting with the defaults + ours. */
	assert_memory_equal(o, t, strlen(t));
	assert_non_null(strstr(o + strlen(t), "\"/dev/kvm\",\n    \"/dev/kvmfr0\"\n]\n"));
	assert_int_equal(x4_qemuconf_acl_parse(o, strlen(o), &acl, &e), 0);
	assert_true(acl.present);
	assert_int_equal(acl.n, 8);
	assert_null(add(o, 0));
	free(o);
	o = add("", 1);
	assert_non_null(strstr(o, "cgroup_device_acl = [\n"));
	free(o);
}

static void test_debian_file(void **state)
{
	const char *env = getenv("X4_TEST_FIXTURES");
	const char *slash = strrchr(__FILE__, '/');
	char path[1024], *buf, *o;
	FILE *f;
	long n;
	struct x4_qemuconf_acl acl;
	struct x4_err e;

	(void)state;
	/* tests/fixtures next to this file, or $X4_TEST_FIXTURES: the real Debian 12 file. */
	if (env && *env)
		snprintf(path, sizeof(path), "%s/x4ctl/qemu.conf.debian12", env);
	else
		snprintf(path, sizeof(path), "%.*s/../fixtures/x4ctl/qemu.conf.debian12",
			 slash ? (int)(slash - __FILE__) : 1, slash ? __FILE__ : ".");
	f = fopen(path, "r");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	assert_int_equal(x4_qemuconf_acl_parse(buf, (size_t)n, &acl, &e), 0);
	assert_false(acl.present);
	o = add(buf, 1);
	assert_memory_equal(o, buf, (size_t)n);
	assert_int_equal(x4_qemuconf_acl_parse(o, strlen(o), &acl, &e), 0);
	assert_true(x4_qemuconf_acl_has(&acl, DEV));
	assert_true(x4_qemuconf_acl_has(&acl, "/dev/kvm"));
	free(o);
	free(buf);
}

static void test_malformed(void **state)
{
	const char *bad[] = {
		"cgroup_device_acl = \"/dev/null\"\n",            /* not a list */
		"cgroup_device_acl = [ \"/dev/null\"\n",          /* unclosed */
		"cgroup_device_acl = [ \"/dev/null ]\n",          /* unterminated string */
		"cgroup_device_acl = [ 1, 2 ]\n",                 /* not strings */
		"cgroup_device_acl = [ ]\ncgroup_device_acl = [ ]\n", /* twice */
		"cgroup_device_acl [ ]\n",                        /* no '=' */
		"= 3\n",                                          /* no name */
		"x = [ \"a\"\n",                                  /* other setting unclosed */
	};
	struct x4_qemuconf_acl acl;
	struct x4_err e;
	char *o = NULL;
	size_t n, i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		x4_err_clear(&e);
		assert_true(x4_qemuconf_acl_parse(bad[i], strlen(bad[i]), &acl, &e) < 0);
		assert_non_null(strstr(e.msg, "qemu.conf"));
		assert_true(x4_qemuconf_acl_add(bad[i], strlen(bad[i]), DEV, &o, &n, &e) < 0);
		assert_null(o);
	}
	assert_int_equal(x4_qemuconf_acl_parse("a = 1\0b = 2", 11, &acl, &e), -EINVAL);
	/* The device path itself is checked. */
	assert_int_equal(x4_qemuconf_acl_add("", 0, "dev\"]", &o, &n, &e), -EINVAL);
	assert_int_equal(x4_qemuconf_acl_add("", 0, "/dev/a b", &o, &n, &e), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_list),
		cmocka_unit_test(test_add_to_existing_multiline),
		cmocka_unit_test(test_add_single_line_and_empty),
		cmocka_unit_test(test_add_when_commented_out),
		cmocka_unit_test(test_debian_file),
		cmocka_unit_test(test_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
