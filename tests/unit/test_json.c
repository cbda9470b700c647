/* SPDX-License-Identifier: MIT */
/* Unit tests: lib/json (strict parse, known keys, typed getters and their messages). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include <json-c/json.h>

#include "fileio.h"
#include "json.h"
#include "testutil.h"

/* Parse text (its strlen) and expect rc; the object when 0. */
static struct json_object *parse(const char *text, int rc, struct x4_err *e)
{
	struct json_object *o = (struct json_object *)1;

	assert_int_equal(x4_json_parse(text, strlen(text), &o, e), rc);
	if (rc < 0)
		assert_null(o);
	return o;
}

static void test_parse(void **state)
{
	struct json_object *o;
	struct x4_err e;

	(void)state;
	o = parse("{\"a\":1} \n", 0, &e);
	assert_non_null(o);
	json_object_put(o);
	parse("{\"a\":1", -EBADMSG, &e); /* truncated */
	assert_non_null(strstr(e.msg, "not JSON:"));
	parse("{\"a\":1} x", -EBADMSG, &e);
	assert_non_null(strstr(e.msg, "at byte 8"));
	parse("{'a':1}", -EBADMSG, &e);
	assert_string_equal(e.msg, "not JSON: single quote at byte 1");
	/* a quote inside a string is fine */
	o = parse("{\"it's\":\"\\\"'\"}", 0, &e);
	json_object_put(o);
	parse("[1,2]", -EBADMSG, &e);
	assert_string_equal(e.msg, "not a JSON object");
	parse("", -EBADMSG, &e);
	/* deeper than X4_JSON_MAX_DEPTH */
	parse("{\"a\":[[[[[[[[[1]]]]]]]]]}", -EBADMSG, &e);
	o = parse("{\"a\":[[[[[[1]]]]]]}", 0, &e);
	json_object_put(o);
	/* a NUL byte: the length says more than strlen */
	o = (struct json_object *)1;
	assert_int_equal(x4_json_parse("{}\0{}", 5, &o, &e), -EBADMSG);
	assert_null(o);
	assert_int_equal(x4_json_parse(NULL, 0, &o, &e), -EBADMSG);
}

static void test_only_keys(void **state)
{
	static const char *const keys[] = { "a", "b", NULL };
	struct json_object *o;
	struct x4_err e;

	(void)state;
	o = parse("{\"a\":1,\"b\":2}", 0, &e);
	assert_int_equal(x4_json_only_keys(o, keys, "top", &e), 0);
	json_object_put(o);
	o = parse("{\"a\":1,\"c\":2}", 0, &e);
	assert_int_equal(x4_json_only_keys(o, keys, "top", &e), -EBADMSG);
	assert_string_equal(e.msg, "top: unknown key 'c'");
	json_object_put(o);
	/* an empty object has no unknown key */
	o = parse("{}", 0, &e);
	assert_int_equal(x4_json_only_keys(o, keys, "top", &e), 0);
	json_object_put(o);
}

static void test_get_str(void **state)
{
	struct json_object *o;
	struct x4_err e;
	char out[4];

	(void)state;
	o = parse("{\"s\":\"abc\",\"long\":\"abcd\",\"n\":1,\"nul\":\"a\\u0000b\"}", 0, &e);
	assert_int_equal(x4_json_get_str(o, "s", out, sizeof(out), "top", &e), 0);
	assert_string_equal(out, "abc");
	assert_int_equal(x4_json_get_str(o, "long", out, sizeof(out), "top", &e), -EBADMSG);
	assert_string_equal(e.msg, "top.long: too long or holds a NUL byte");
	assert_int_equal(x4_json_get_str(o, "nul", out, sizeof(out), "top", &e), -EBADMSG);
	assert_string_equal(e.msg, "top.nul: too long or holds a NUL byte");
	assert_int_equal(x4_json_get_str(o, "n", out, sizeof(out), "top", &e), -EBADMSG);
	assert_string_equal(e.msg, "top.n: missing or not a string");
	/* no where: the key alone (plan's messages) */
	assert_int_equal(x4_json_get_str(o, "x", out, sizeof(out), NULL, &e), -EBADMSG);
	assert_string_equal(e.msg, "x: missing or not a string");
	json_object_put(o);
}

static void test_or_defaults(void **state)
{
	struct json_object *o;
	struct x4_err e;

	(void)state;
	o = parse("{\"s\":\"abc\",\"n\":7}", 0, &e);
	assert_string_equal(x4_json_str_or_null(o, "s"), "abc");
	assert_null(x4_json_str_or_null(o, "absent"));
	assert_int_equal(x4_json_int_or_0(o, "n"), 7);
	assert_int_equal(x4_json_int_or_0(o, "absent"), 0);
	json_object_put(o);
}

static void test_get_bool_uint(void **state)
{
	struct json_object *o;
	struct x4_err e;
	uint64_t u = 7;
	int b = 7;

	(void)state;
	o = parse("{\"t\":true,\"f\":false,\"one\":1,\"neg\":-1,\"big\":300,\"s\":\"1\"}", 0, &e);
	assert_int_equal(x4_json_get_bool(o, "t", &b, "w", &e), 0);
	assert_int_equal(b, 1);
	assert_int_equal(x4_json_get_bool(o, "f", &b, "w", &e), 0);
	assert_int_equal(b, 0);
	assert_int_equal(x4_json_get_bool(o, "one", &b, "w", &e), -EBADMSG);
	assert_string_equal(e.msg, "w.one: missing or not true/false");
	assert_int_equal(x4_json_get_uint(o, "one", 255, &u, "w", &e), 0);
	assert_int_equal(u, 1);
	assert_int_equal(x4_json_get_uint(o, "big", 255, &u, "w", &e), -EBADMSG);
	assert_string_equal(e.msg, "w.big: 300 is out of range 0..255");
	assert_int_equal(x4_json_get_uint(o, "neg", 255, &u, "w", &e), -EBADMSG);
	assert_string_equal(e.msg, "w.neg: -1 is out of range 0..255");
	assert_int_equal(x4_json_get_uint(o, "s", 255, &u, "w", &e), -EBADMSG);
	assert_string_equal(e.msg, "w.s: missing or not an integer");
	assert_int_equal(x4_json_get_uint(o, "none", 255, &u, NULL, &e), -EBADMSG);
	assert_string_equal(e.msg, "none: missing or not an integer");
	assert_int_equal(u, 1);
	json_object_put(o);
}

/* Written pretty, atomically, with the mode asked for, paths not escaped; o stays ours. */
static void test_write(void **state)
{
	char root[] = "/tmp/x4-test-json.XXXXXX", *buf;
	struct json_object *o, *back;
	struct x4_err e;
	struct stat st;
	size_t len;

	(void)state;
	assert_non_null(mkdtemp(root));
	setenv("X4_ROOT", root, 1);
	o = json_object_new_object();
	json_object_object_add(o, "path", json_object_new_string("/dev/kvmfr0"));
	assert_int_equal(x4_json_write("/j.json", o, 0600, &e), 0);
	assert_int_equal(x4_file_read("/j.json", 4096, &buf, &len, &st, &e), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_non_null(strstr(buf, "\"/dev/kvmfr0\""));
	assert_non_null(strchr(buf, '\n'));
	assert_int_equal(x4_json_parse(buf, len, &back, &e), 0);
	json_object_put(back);
	free(buf);
	/* no directory: x4_file_write's line */
	assert_int_equal(x4_json_write("/none/j.json", o, 0644, &e), -ENOENT);
	assert_non_null(strstr(e.msg, "/none/j.json"));
	json_object_put(o);
	unsetenv("X4_ROOT");
	assert_int_equal(tu_rm_tree(root), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_only_keys),
		cmocka_unit_test(test_get_str),
		cmocka_unit_test(test_get_bool_uint),
		cmocka_unit_test(test_or_defaults),
		cmocka_unit_test(test_write),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
