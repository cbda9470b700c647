/* SPDX-License-Identifier: MIT */
/* Unit tests: lib/romcache (option ROMs built for rom_mode = optionrom, keyed by content). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>
#include <cmocka.h>

#include "fakesys.h"

#include "config.h"
#include "plan.h"
#include "rom.h"
#include "romcache.h"

static struct fakesys fs;

static int setup(void **state)
{
	(void)state;
	fs_init(&fs);
	/* The X4's iGPU, whose ids the built ROM carries. */
	fs_dev(&fs, "0000:00:02.0", 0x8086, 0x46d1, 0x030000);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fs_fini(&fs);
	return 0;
}

/* tests/fuzz/corpus/rom/NAME as bytes (a PE32+ EFI driver for "pe32plus-driver"). */
static uint8_t *corpus(const char *name, size_t *len)
{
	const char *slash = strrchr(__FILE__, '/');
	char p[512];
	struct stat st;
	uint8_t *buf;
	FILE *f;

	snprintf(p, sizeof(p), "%.*s/../fuzz/corpus/rom/%s", slash ? (int)(slash - __FILE__) : 1,
		 slash ? __FILE__ : ".", name);
	assert_int_equal(stat(p, &st), 0);
	buf = malloc((size_t)st.st_size + 16);
	assert_non_null(buf);
	f = fopen(p, "rb");
	assert_non_null(f);
	assert_int_equal(fread(buf, 1, (size_t)st.st_size, f), (size_t)st.st_size);
	fclose(f);
	*len = (size_t)st.st_size;
	return buf;
}

/* Write len bytes to the real path abs inside the fake root, with mtime t. */
static void put(const char *rel, const uint8_t *buf, size_t len, time_t t, char *abs, size_t n)
{
	struct timeval tv[2] = { { t, 0 }, { t, 0 } };

	fs_write_raw(&fs, rel, buf, len);
	fs_path(&fs, abs, n, rel);
	assert_int_equal(utimes(abs, tv), 0);
}

static void load_config(struct x4_config *c, const char *a_rom, const char *b_rom)
{
	char text[2048], p[1024];
	struct x4_err e;

	snprintf(text, sizeof(text),
		 "[host]\nrom_mode = optionrom\n[vm a]\nrom = %s\n[vm b]\nrom = %s\n", a_rom, b_rom);
	fs_file(&fs, text, "etc/x4.conf");
	fs_path(&fs, p, sizeof(p), "etc/x4.conf");
	if (x4_config_load_file(c, p, &e) < 0)
		fail_msg("config: %s", e.msg);
}

/* Plan and build the ROM of vm as prepare does; returns the built ROM's bytes. */
static uint8_t *build(const struct x4_config *c, const char *vm, const char *src,
		      struct x4_plan *p, size_t *len)
{
	char real[1024];
	struct x4_err e;
	struct stat st;
	uint8_t *buf;
	FILE *f;

	if (x4_plan_decide(c, vm, NULL, p, &e) < 0)
		fail_msg("plan %s: %s", vm, e.msg);
	if (x4_romcache_ensure(src, p->rom, 0x8086, 0x46d1, &e) < 0)
		fail_msg("romcache %s: %s", vm, e.msg);
	snprintf(real, sizeof(real), "%s%s", fs.root, p->rom);
	assert_int_equal(stat(real, &st), 0);
	buf = malloc((size_t)st.st_size);
	assert_non_null(buf);
	f = fopen(real, "rb");
	assert_non_null(f);
	assert_int_equal(fread(buf, 1, (size_t)st.st_size, f), (size_t)st.st_size);
	fclose(f);
	*len = (size_t)st.st_size;
	return buf;
}

/* Defect 4: [vm a] rom = /a/gop.efi and [vm b] rom = /b/gop.efi with other bytes must get
 * different ROMs, each built from its own source. */
static void test_same_basename_other_bytes(void **state)
{
	struct x4_config c;
	struct x4_plan pa, pb;
	char a[1024], b[1024];
	size_t n, na, nb;
	uint8_t *drv = corpus("pe32plus-driver", &n), *ra, *rb;

	(void)state;
	put("a/gop.efi", drv, n, 1000, a, sizeof(a));
	drv[n - 1] ^= 0x5a; /* other bytes, same size, same name */
	put("b/gop.efi", drv, n, 1000, b, sizeof(b));
	load_config(&c, a, b);
	ra = build(&c, "a", a, &pa, &na);
	rb = build(&c, "b", b, &pb, &nb);
	assert_string_not_equal(pa.rom, pb.rom);
	assert_true(na != nb || memcmp(ra, rb, na) != 0);
	free(ra);
	free(rb);
	free(drv);
}

/* A source changed in place with an older mtime (cp -p, a restored backup) is rebuilt. */
static void test_changed_source_older_mtime(void **state)
{
	struct x4_config c;
	struct x4_plan p1, p2;
	char a[1024];
	size_t n, n1, n2;
	uint8_t *drv = corpus("pe32plus-driver", &n), *r1, *r2;

	(void)state;
	put("a/gop.efi", drv, n, 2000000000, a, sizeof(a));
	load_config(&c, a, a);
	r1 = build(&c, "a", a, &p1, &n1);
	drv[n - 1] ^= 0x5a;
	put("a/gop.efi", drv, n, 1000, a, sizeof(a));
	r2 = build(&c, "a", a, &p2, &n2);
	assert_string_not_equal(p1.rom, p2.rom);
	assert_true(n1 != n2 || memcmp(r1, r2, n1) != 0);
	free(r1);
	free(r2);
	free(drv);
}

/* The same bytes under two names share one build, and a second prepare does not rebuild. */
static void test_same_bytes_share_and_reuse(void **state)
{
	struct x4_config c;
	struct x4_plan pa, pb;
	char a[1024], b[1024], real[1024];
	struct stat st1, st2;
	size_t n, na, nb;
	uint8_t *drv = corpus("pe32plus-driver", &n), *ra, *rb;

	(void)state;
	put("a/gop.efi", drv, n, 1000, a, sizeof(a));
	put("b/other.efi", drv, n, 5000, b, sizeof(b));
	load_config(&c, a, b);
	ra = build(&c, "a", a, &pa, &na);
	snprintf(real, sizeof(real), "%s%s", fs.root, pa.rom);
	assert_int_equal(stat(real, &st1), 0);
	rb = build(&c, "b", b, &pb, &nb);
	assert_string_equal(pa.rom, pb.rom);
	assert_int_equal(stat(real, &st2), 0);
	assert_int_equal(st1.st_ino, st2.st_ino);
	assert_int_equal(st1.st_mode & 0777, 0644);
	free(ra);
	free(rb);
	free(drv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_same_basename_other_bytes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_changed_source_older_mtime, setup, teardown),
		cmocka_unit_test_setup_teardown(test_same_bytes_share_and_reuse, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
