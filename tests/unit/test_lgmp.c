/* SPDX-License-Identifier: MIT */
/* Unit tests: lib/lgmp (LGMP/KVMFR parsing of a region copy) and lib/lgmp_region (file I/O,
 * sampling, client version). Buffers are built here from the published offsets. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cmocka.h>

#include "lgmp.h"

#define REG (64U << 10)

static uint8_t buf[REG];

static void put32(uint32_t off, uint32_t v)
{
	memcpy(buf + off, &v, 4);
}

static void put64(uint32_t off, uint64_t v)
{
	memcpy(buf + off, &v, 8);
}

/* A B6 (lgmp 5, kvmfr 19) or B7 (6, 20) header with VMINFO and OSINFO records. */
static uint32_t build_b(uint32_t lgmp, uint32_t kvmfr, const char *hostver)
{
	uint8_t *u = buf + 5756;
	uint32_t n = 48;

	memset(buf, 0, sizeof(buf));
	put32(0, 0x504d474c);
	put32(4, lgmp);
	put32(8, 0x1234);
	put64(16, 777);
	put32(24, 2);
	put32(32, 2);                       /* queues[0]: frame */
	put32(32 + 1144, 1);                /* queues[1]: pointer */
	memcpy(u, "KVMFR---", 8);
	memcpy(u + 8, &kvmfr, 4);
	memcpy(u + 12, hostver, strlen(hostver));
	u[44] = 1;
	u[n] = 1; /* VMINFO: 51 bytes + "N100\0" */
	put32(5756 + n + 4, 56);
	memset(u + n + 8, 0xab, 16);
	memcpy(u + n + 8 + 16, "DXGI", 4);
	u[n + 8 + 48] = 4;
	u[n + 8 + 49] = 2;
	u[n + 8 + 50] = 1;
	memcpy(u + n + 8 + 51, "N100", 5);
	n += 8 + 56;
	u[n] = 2; /* OSINFO: os 3 + "Win\0" */
	put32(5756 + n + 4, 5);
	u[n + 8] = 3;
	memcpy(u + n + 9, "Win", 4);
	n += 8 + 5;
	put32(5752, n);
	return n;
}

static void test_empty_small_foreign(void **state)
{
	struct x4_lgmp_info in;

	(void)state;
	memset(buf, 0, sizeof(buf));
	x4_lgmp_parse(buf, sizeof(buf), 32 << 20, &in);
	assert_int_equal(in.kind, X4_LGMP_EMPTY);
	x4_lgmp_parse(buf, 0, 0, &in);
	assert_int_equal(in.kind, X4_LGMP_EMPTY);
	put32(0, 0x504d474c);
	x4_lgmp_parse(buf, 4096, 4096, &in);
	assert_int_equal(in.kind, X4_LGMP_SMALL);
	assert_non_null(strstr(in.problem, "4096 bytes"));
	memset(buf, 0x5a, sizeof(buf));
	x4_lgmp_parse(buf, sizeof(buf), sizeof(buf), &in);
	assert_int_equal(in.kind, X4_LGMP_FOREIGN);
	/* the magic with an implausible version word is not a header */
	put32(100, 0x504d474c);
	put32(104, 1000);
	x4_lgmp_parse(buf, sizeof(buf), sizeof(buf), &in);
	assert_int_equal(in.kind, X4_LGMP_FOREIGN);
}

static void test_b7(void **state)
{
	struct x4_lgmp_info in;

	(void)state;
	build_b(6, 20, "B7");
	put64(32 + 416, 3ULL << 32 | 4); /* two clients on the frame queue, one bad */
	x4_lgmp_parse(buf, sizeof(buf), 32 << 20, &in);
	assert_int_equal(in.kind, X4_LGMP_HOST);
	assert_string_equal(in.problem, "");
	assert_int_equal(in.lgmp_version, 6);
	assert_int_equal(in.session, 0x1234);
	assert_int_equal(in.timestamp, 777);
	assert_int_equal(in.num_queues, 2);
	assert_int_equal(in.frame_subs, 3);
	assert_int_equal(in.pointer_subs, 0);
	assert_int_equal(in.kvmfr_version, 20);
	assert_string_equal(in.hostver, "B7");
	assert_string_equal(x4_lgmp_release(&in), "B7");
	assert_true(in.have_vminfo);
	assert_string_equal(in.uuid, "abababab-abab-abab-abab-abababababab");
	assert_string_equal(in.capture, "DXGI");
	assert_string_equal(in.model, "N100");
	assert_int_equal(in.cpus, 4);
	assert_int_equal(in.cores, 2);
	assert_true(in.have_osinfo);
	assert_int_equal(in.os, 3);
	assert_string_equal(x4_lgmp_os_name(in.os), "Windows");
	assert_string_equal(in.osname, "Win");
}

static void test_b6_and_mixed(void **state)
{
	struct x4_lgmp_info in;

	(void)state;
	build_b(5, 19, "B6");
	x4_lgmp_parse(buf, sizeof(buf), 32 << 20, &in);
	assert_string_equal(x4_lgmp_release(&in), "B6");
	assert_int_equal(in.frame_subs, 0);
	build_b(6, 19, "B6");
	x4_lgmp_parse(buf, sizeof(buf), 32 << 20, &in);
	assert_non_null(strstr(x4_lgmp_release(&in), "disagree"));
	build_b(6, 34, "B7-120-gdeadbeef");
	x4_lgmp_parse(buf, sizeof(buf), 32 << 20, &in);
	assert_string_equal(x4_lgmp_release(&in), "newer than B7");
}

static void test_newer_layouts(void **state)
{
	struct x4_lgmp_info in;

	(void)state;
	/* v10: timestamp at 0, magic at 8064 */
	memset(buf, 0, sizeof(buf));
	put64(0, 99);
	put32(8064, 0x504d474c);
	put32(8068, 10);
	put32(8072, 5);
	x4_lgmp_parse(buf, sizeof(buf), 32 << 20, &in);
	assert_int_equal(in.kind, X4_LGMP_HOST);
	assert_int_equal(in.magic_off, 8064);
	assert_int_equal(in.lgmp_version, 10);
	assert_int_equal(in.timestamp, 99);
	assert_true(in.layout_known);
	assert_string_equal(x4_lgmp_release(&in), "newer than B7");
	/* a future layout with the magic somewhere else: found by the scan, offsets not guessed */
	memset(buf, 0, sizeof(buf));
	put32(9000, 0x504d474c);
	put32(9004, 12);
	put32(9008, 7);
	x4_lgmp_parse(buf, sizeof(buf), 32 << 20, &in);
	assert_int_equal(in.kind, X4_LGMP_HOST);
	assert_int_equal(in.magic_off, 9000);
	assert_int_equal(in.lgmp_version, 12);
	assert_int_equal(in.session, 7);
	assert_false(in.layout_known);
	assert_false(in.have_kvmfr);
	assert_non_null(strstr(in.problem, "does not know"));
	assert_string_equal(x4_lgmp_release(&in), "newer than B7");
}

static void test_bounds(void **state)
{
	struct x4_lgmp_info in;
	uint32_t n;

	(void)state;
	/* the copy ends inside the header */
	build_b(6, 20, "B7");
	x4_lgmp_parse(buf, 5000, 32 << 20, &in);
	assert_int_equal(in.kind, X4_LGMP_HOST);
	assert_false(in.layout_known);
	assert_non_null(strstr(in.problem, "only 5000 readable"));
	/* udataSize past the end of the copy */
	put32(5752, 0xffffffffU);
	x4_lgmp_parse(buf, sizeof(buf), 32 << 20, &in);
	assert_false(in.have_kvmfr);
	assert_non_null(strstr(in.problem, "udataSize 4294967295"));
	/* a region (not just the copy) shorter than the user data */
	n = build_b(6, 20, "B7");
	x4_lgmp_parse(buf, sizeof(buf), 5756 + n - 1, &in);
	assert_false(in.have_kvmfr);
	/* a record size past the user data stops the walk, the header stays */
	build_b(6, 20, "B7");
	put32(5756 + 48 + 4, 0x7fffffff);
	x4_lgmp_parse(buf, sizeof(buf), 32 << 20, &in);
	assert_true(in.have_kvmfr);
	assert_false(in.have_vminfo);
	assert_false(in.have_osinfo);
	assert_non_null(strstr(in.problem, "runs past"));
	/* user data too short / not KVMFR */
	build_b(6, 20, "B7");
	put32(5752, 20);
	x4_lgmp_parse(buf, sizeof(buf), 32 << 20, &in);
	assert_false(in.have_kvmfr);
	build_b(6, 20, "B7");
	buf[5756] = 'X';
	x4_lgmp_parse(buf, sizeof(buf), 32 << 20, &in);
	assert_false(in.have_kvmfr);
	assert_non_null(strstr(in.problem, "not KVMFR"));
}

static void test_text_is_sanitized(void **state)
{
	struct x4_lgmp_info in;

	(void)state;
	build_b(6, 20, "B7");
	memset(buf + 5756 + 12, 'A', 32); /* hostver with no NUL */
	buf[5756 + 12] = 0x1b;            /* an escape sequence */
	x4_lgmp_parse(buf, sizeof(buf), 32 << 20, &in);
	assert_int_equal(strlen(in.hostver), 32);
	assert_int_equal(in.hostver[0], '?');
}

static void test_region_file(void **state)
{
	char path[] = "/tmp/x4-test-lgmp.XXXXXX";
	struct x4_lgmp_region r;
	struct x4_lgmp_info in;
	struct x4_err e;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	build_b(6, 20, "B7");
	assert_int_equal(write(fd, buf, sizeof(buf)), (ssize_t)sizeof(buf));
	assert_int_equal(x4_lgmp_open(path, &r, &e), 0);
	assert_false(r.is_chr);
	assert_int_equal(r.size, sizeof(buf));
	assert_int_equal(x4_lgmp_read(&r, &in, &e), 0);
	assert_int_equal(in.kind, X4_LGMP_HOST);
	/* nothing moves: stale after the (short, for the test) window */
	assert_int_equal(x4_lgmp_sample(&r, &in, 60, 20), X4_LGMP_STALE);
	/* a new session in the file: restarted */
	put32(8, 0x9999);
	assert_int_equal(pwrite(fd, buf, 16, 0), 16);
	assert_int_equal(x4_lgmp_sample(&r, &in, 60, 20), X4_LGMP_RESTARTED);
	/* the file shrinks under us: parsed as what is left, no crash */
	assert_int_equal(ftruncate(fd, 100), 0);
	assert_int_equal(x4_lgmp_read(&r, &in, &e), 0);
	x4_lgmp_close(&r);
	close(fd);
	unlink(path);
	assert_int_equal(x4_lgmp_open(path, &r, &e), -ENOENT);
	assert_non_null(strstr(e.msg, path));
	assert_int_equal(x4_lgmp_open("/dev/null", &r, &e), -ENOTTY);
	assert_non_null(strstr(e.msg, "not kvmfr"));
	assert_int_equal(x4_lgmp_open("/tmp", &r, &e), -EINVAL);
}

static void test_client_version(void **state)
{
	char v[24];
	static const char a[] = "Looking Glass (B7)\nLocking Method: Atomic\n";
	static const char b[] = "version: B6-rc1-3-gabcdef\n";
	static const char c[] = "Looking Glass (Bx) Build 7\n";
	static const char d[] = "(B7-12345678901234567890123456789)";

	(void)state;
	assert_int_equal(x4_lgmp_client_version(a, strlen(a), v, sizeof(v)), 0);
	assert_string_equal(v, "B7");
	assert_int_equal(x4_lgmp_client_version(b, strlen(b), v, sizeof(v)), 0);
	assert_string_equal(v, "B6-rc1-3-gabcdef");
	assert_int_equal(x4_lgmp_client_version(c, strlen(c), v, sizeof(v)), -ENOENT);
	assert_string_equal(v, "");
	assert_int_equal(x4_lgmp_client_version(d, strlen(d), v, sizeof(v)), 0);
	assert_int_equal(strlen(v), sizeof(v) - 1);
	assert_int_equal(x4_lgmp_client_version("B", 1, v, sizeof(v)), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_small_foreign),
		cmocka_unit_test(test_b7),
		cmocka_unit_test(test_b6_and_mixed),
		cmocka_unit_test(test_newer_layouts),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_text_is_sanitized),
		cmocka_unit_test(test_region_file),
		cmocka_unit_test(test_client_version),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
