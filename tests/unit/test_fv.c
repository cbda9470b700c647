/* SPDX-License-Identifier: MIT */
/* Unit tests: lib/fv (volumes, files, sections), lib/fwlzma, lib/fwimage and lib/gopfind on
 * small images built here. Real firmware is checked against UEFIExtract in suite 45. */
#include <brotli/encode.h>
#include <errno.h>
#include <lzma.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fv.h"
#include "fwimage.h"
#include "fwlzma.h"
#include "gopfind.h"
#include "testutil.h"

#define FFS2 "8C8CE578-8A3D-4F1C-9935-896185C32DD3"
#define NVRAM "FFF12B8D-7696-4C8B-A985-2747075B4F50"
#define FILE_A "11111111-2222-3333-4444-555555555555"

static uint8_t img[65536];

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

/* A PE32+ x64 boot-service driver of n bytes, with the GOP string when gop. */
static void make_pe(uint8_t *p, size_t n, int gop)
{
	static const char s[] = "Intel(R) GOP Driver";
	size_t i;

	memset(p, 0, n);
	p[0] = 'M';
	p[1] = 'Z';
	p[0x3c] = 0x40;
	memcpy(p + 0x40, "PE\0\0", 4);
	p[0x44] = 0x64;
	p[0x45] = 0x86;
	p[0x58] = 0x0b;
	p[0x59] = 0x02;
	p[0x58 + 68] = 11;
	for (i = 0; gop && i + 1 < sizeof(s); i++)
		p[0x100 + 2 * i] = (uint8_t)s[i];
}

/* Section header at p: 4 bytes, type t, total size n. Returns n. */
static size_t sect(uint8_t *p, uint8_t t, size_t n)
{
	p[0] = (uint8_t)n;
	p[1] = (uint8_t)(n >> 8);
	p[2] = (uint8_t)(n >> 16);
	p[3] = t;
	return n;
}

/* An FFS file at p with data d[0..n): returns its size. */
static size_t file(uint8_t *p, const char *guid, uint8_t type, const uint8_t *d, size_t n)
{
	size_t size = 24 + n, i;
	uint8_t sum = 0;

	memset(p, 0, 24);
	assert_int_equal(x4_guid_parse(guid, p), 0);
	p[0x12] = type;
	p[0x14] = (uint8_t)size;
	p[0x15] = (uint8_t)(size >> 8);
	p[0x16] = (uint8_t)(size >> 16);
	for (i = 0; i < 24; i++)
		sum = (uint8_t)(sum + p[i]);
	p[0x10] = (uint8_t)-sum;
	p[0x11] = 0xaa;
	p[0x17] = 0xf8;
	memcpy(p + 24, d, n);
	return size;
}

/* A volume of len bytes at p with file system fs; files go at p + 0x48. */
static void volume(uint8_t *p, size_t len, const char *fs)
{
	uint32_t sum = 0;
	uint16_t ck;
	size_t i;

	memset(p, 0xff, len);
	memset(p, 0, 0x48);
	assert_int_equal(x4_guid_parse(fs, p + 0x10), 0);
	put32(p + 0x20, (uint32_t)len);
	memcpy(p + 0x28, "_FVH", 4);
	put32(p + 0x2c, 0x0004feff);
	p[0x30] = 0x48;
	p[0x37] = 2;
	put32(p + 0x38, (uint32_t)(len / 0x1000));
	put32(p + 0x3c, 0x1000);
	for (i = 0; i < 0x48; i += 2)
		sum += (uint32_t)(p[i] | p[i + 1] << 8);
	ck = (uint16_t)(0x10000 - (sum & 0xffff));
	memcpy(p + 0x32, &ck, 2);
}

struct seen {
	unsigned pe, files;
	char name[X4_FV_NAME_MAX];
	size_t pe_len;
};

static int visit(const struct x4_fv_node *n, void *ctx)
{
	struct seen *s = ctx;

	if (n->kind == X4_FV_FILE)
		s->files++;
	if (n->kind == X4_FV_SECTION && n->type == X4_SECT_PE32) {
		s->pe++;
		s->pe_len = n->len;
		memcpy(s->name, n->file->name, sizeof(s->name));
	}
	return 0;
}

/* Volume at 0x1000 of 0x4000 bytes: one driver file with PE32 + UI "GopTest". */
static size_t build_basic(int gop)
{
	uint8_t d[4096];
	size_t n = 0;

	memset(img, 0xff, sizeof(img));
	volume(img + 0x1000, 0x4000, FFS2);
	n += sect(d, X4_SECT_PE32, 4 + 1024);
	make_pe(d + 4, 1024, gop);
	n = (n + 3) & ~(size_t)3;
	n += sect(d + n, X4_SECT_UI, 4 + 16);
	memcpy(d + n - 16, "G\0o\0p\0T\0e\0s\0t\0\0\0", 16);
	return file(img + 0x1048, FILE_A, 0x07, d, n);
}

static void test_guid_roundtrip(void **state)
{
	uint8_t g[16];
	char s[X4_GUID_STRLEN];

	(void)state;
	assert_int_equal(x4_guid_parse("e3752948-b9a1-4770-90c4-df41c38986be", g), 0);
	assert_string_equal(x4_guid_format(g, s), "E3752948-B9A1-4770-90C4-DF41C38986BE");
	assert_int_equal(g[0], 0x48); /* Data1 little endian */
	assert_int_equal(x4_guid_parse("E3752948-B9A1-4770-90C4-DF41C38986B", g), -EINVAL);
	assert_int_equal(x4_guid_parse("E3752948-B9A1-4770-90C4-DF41C38986BG", g), -EINVAL);
	assert_int_equal(x4_guid_parse("E3752948+B9A1-4770-90C4-DF41C38986BE", g), -EINVAL);
	assert_int_equal(x4_guid_parse("E3752948-B9A1-4770-90C4- F41C38986BE", g), -EINVAL);
}

static void test_walk_basic(void **state)
{
	struct seen s = {0};
	struct x4_fv_walk w = {.visit = visit, .ctx = &s};
	struct x4_err e;

	(void)state;
	build_basic(0);
	assert_int_equal(x4_fv_scan(img, sizeof(img), &w, &e), 1);
	assert_int_equal(s.files, 1);
	assert_int_equal(s.pe, 1);
	assert_int_equal(s.pe_len, 1024);
	assert_string_equal(s.name, "GopTest");
	assert_int_equal(w.warnings, 0);
}

static void test_bad_volume_checksum_ignored(void **state)
{
	struct x4_fv_walk w = {0};
	struct x4_err e;

	(void)state;
	build_basic(0);
	img[0x1000 + 0x32] ^= 1;
	assert_int_equal(x4_fv_scan(img, sizeof(img), &w, &e), 0);
}

static void test_non_ffs_volume_skipped(void **state)
{
	struct x4_fv_walk w = {0};
	struct x4_err e;

	(void)state;
	memset(img, 0xff, sizeof(img));
	volume(img, 0x2000, NVRAM);
	assert_int_equal(x4_fv_scan(img, sizeof(img), &w, &e), 0);
	assert_int_equal(w.volumes, 0);
}

/* Erase polarity 0: State bits are not inverted; a file whose highest state bit is DELETED or
 * HEADER_INVALID is skipped. */
static void test_erase_polarity_zero(void **state)
{
	struct seen s = {0};
	struct x4_fv_walk w = {.visit = visit, .ctx = &s};
	struct x4_err e;
	uint32_t sum = 0;
	uint16_t ck = 0;
	size_t i, end;

	(void)state;
	end = 0x1048 + ((build_basic(0) + 7) & ~(size_t)7);
	img[0x1000 + 0x2d] &= (uint8_t)~0x08; /* attributes: clear EFI_FVB2_ERASE_POLARITY */
	memcpy(img + 0x1000 + 0x32, &ck, 2);
	for (i = 0; i < 0x48; i += 2)
		sum += (uint32_t)(img[0x1000 + i] | img[0x1000 + i + 1] << 8);
	ck = (uint16_t)(0x10000 - (sum & 0xffff));
	memcpy(img + 0x1000 + 0x32, &ck, 2);
	memset(img + end, 0, 0x5000 - end);  /* free space is zeros now */
	img[0x1048 + 0x17] = 0x07;            /* DATA_VALID, not inverted */
	assert_int_equal(x4_fv_scan(img, sizeof(img), &w, &e), 1);
	assert_int_equal(s.pe, 1);
	assert_int_equal(w.warnings, 0);
	img[0x1048 + 0x17] = 0x17;            /* DELETED */
	memset(&s, 0, sizeof(s));
	assert_int_equal(x4_fv_scan(img, sizeof(img), &w, &e), 1);
	assert_int_equal(s.pe, 0);
	assert_int_equal(s.files, 0);
}

static void test_file_checksum_warns(void **state)
{
	struct seen s = {0};
	struct x4_fv_walk w = {.visit = visit, .ctx = &s};
	struct x4_err e;

	(void)state;
	build_basic(0);
	img[0x1048 + 0x10] ^= 0x55;
	assert_int_equal(x4_fv_scan(img, sizeof(img), &w, &e), 1);
	assert_int_equal(s.pe, 1);
	assert_int_equal(w.warnings, 1);
	assert_non_null(strstr(w.warning[0], "header checksum"));
}

static void test_lying_sizes(void **state)
{
	struct seen s = {0};
	struct x4_fv_walk w = {.visit = visit, .ctx = &s};
	struct x4_err e;

	(void)state;
	build_basic(0);
	img[0x1048 + 24 + 2] = 0x7f; /* PE32 section claims 8 MiB */
	assert_int_equal(x4_fv_scan(img, sizeof(img), &w, &e), 1);
	assert_int_equal(s.pe, 0);
	assert_non_null(strstr(w.warning[0], "claims"));
	/* A volume longer than the buffer: walked as far as it goes, with a warning. */
	build_basic(0);
	memset(&s, 0, sizeof(s));
	assert_int_equal(x4_fv_scan(img, 0x1000 + 0x2000, &w, &e), 1);
	assert_int_equal(s.pe, 1);
	assert_non_null(strstr(w.warning[0], "truncated"));
}

/* A file whose sections are LZMA(GUID-defined) of size bytes, compressed by liblzma here. */
static size_t lzma_section(uint8_t *out, size_t cap, const uint8_t *data, size_t size)
{
	static const uint8_t lzma_guid[16] = {0x98, 0x58, 0x4e, 0xee, 0x14, 0x39, 0x59, 0x42,
					      0x9d, 0x6e, 0xdc, 0x7b, 0xd7, 0x94, 0x03, 0xcf};
	lzma_options_lzma opt;
	lzma_filter f[2] = {{.id = LZMA_FILTER_LZMA1, .options = &opt},
			    {.id = LZMA_VLI_UNKNOWN, .options = NULL}};
	size_t pos = 0, i;
	uint8_t *p = out + 24;

	lzma_lzma_preset(&opt, 6);
	opt.dict_size = 1 << 16;
	p[0] = 0x5d;
	put32(p + 1, opt.dict_size);
	for (i = 0; i < 8; i++)
		p[5 + i] = (uint8_t)((uint64_t)size >> (8 * i));
	assert_int_equal(lzma_raw_buffer_encode(f, NULL, data, size, p + 13, &pos, cap - 37),
			 LZMA_OK);
	memcpy(out + 4, lzma_guid, 16);
	out[20] = 24; /* DataOffset */
	out[21] = 0;
	out[22] = 1; /* processing required */
	out[23] = 0;
	return sect(out, X4_SECT_GUID_DEFINED, 24 + 13 + pos);
}

static void test_lzma_section(void **state)
{
	struct seen s = {0};
	struct x4_fv_walk w = {.visit = visit, .ctx = &s};
	uint8_t inner[2048], d[8192];
	struct x4_err e;
	size_t n;

	(void)state;
	memset(img, 0xff, sizeof(img));
	volume(img, 0x8000, FFS2);
	n = sect(inner, X4_SECT_PE32, 4 + 1500);
	make_pe(inner + 4, 1500, 1);
	n = lzma_section(d, sizeof(d), inner, n);
	file(img + 0x48, FILE_A, 0x07, d, n);
	assert_int_equal(x4_fv_scan(img, sizeof(img), &w, &e), 1);
	assert_int_equal(s.pe, 1);
	assert_int_equal(s.pe_len, 1500);
	assert_int_equal(w.total, 1504);
	assert_int_equal(w.live, 0);
}

static void test_fwlzma_limits(void **state)
{
	uint8_t d[256], data[100];
	uint8_t *out = NULL;
	size_t n, olen = 0;
	struct x4_err e;

	(void)state;
	memset(data, 'z', sizeof(data));
	n = lzma_section(d, sizeof(d), data, sizeof(data)) - 24;
	assert_int_equal(x4_fwlzma_decode(d + 24, n, 0, 1024, &out, &olen, &e), 0);
	assert_int_equal(olen, 100);
	assert_memory_equal(out, data, 100);
	free(out);
	assert_int_equal(x4_fwlzma_decode(d + 24, n, 0, 99, &out, &olen, &e), -EFBIG);
	assert_int_equal(x4_fwlzma_decode(d + 24, n - 3, 0, 1024, &out, &olen, &e), -EINVAL);
	assert_int_equal(x4_fwlzma_decode(d + 24, 12, 0, 1024, &out, &olen, &e), -EINVAL);
	d[24] = 0xff; /* props past lc/lp/pb's range */
	assert_int_equal(x4_fwlzma_decode(d + 24, n, 0, 1024, &out, &olen, &e), -EINVAL);
	assert_null(out);
}

/* A Brotli GUID-defined section as EDK2 writes it: UINT64 size, UINT64 scratch, stream. */
static size_t brotli_section(uint8_t *out, size_t cap, const uint8_t *data, size_t size)
{
	size_t n = cap - 40, i;

	assert_int_equal(x4_guid_parse("3D532050-5CDA-4FD0-879E-0F7F630D5AFB", out + 4), 0);
	out[20] = 24; /* DataOffset */
	out[21] = 0;
	out[22] = 1; /* processing required */
	out[23] = 0;
	for (i = 0; i < 8; i++)
		out[24 + i] = (uint8_t)((uint64_t)size >> (8 * i));
	memset(out + 32, 0, 8);
	assert_true(BrotliEncoderCompress(5, 16, BROTLI_MODE_GENERIC, size, data, &n, out + 40));
	return sect(out, X4_SECT_GUID_DEFINED, 40 + n);
}

static void test_brotli_section(void **state)
{
	struct seen s = {0};
	struct x4_fv_walk w = {.visit = visit, .ctx = &s};
	uint8_t inner[2048], d[8192];
	struct x4_err e;
	size_t n;

	(void)state;
	memset(img, 0xff, sizeof(img));
	volume(img, 0x8000, FFS2);
	n = sect(inner, X4_SECT_PE32, 4 + 1200);
	make_pe(inner + 4, 1200, 1);
	n = brotli_section(d, sizeof(d), inner, n);
	file(img + 0x48, FILE_A, 0x07, d, n);
	assert_int_equal(x4_fv_scan(img, sizeof(img), &w, &e), 1);
	assert_int_equal(s.pe, 1);
	assert_int_equal(s.pe_len, 1200);
	assert_int_equal(w.warnings, 0);
	/* The same stream claiming 1 TiB: refused before any allocation, with a warning. */
	img[0x48 + 24 + 24 + 5] = 1;
	memset(&s, 0, sizeof(s));
	assert_int_equal(x4_fv_scan(img, sizeof(img), &w, &e), 1);
	assert_int_equal(s.pe, 0);
	assert_non_null(strstr(w.warning[0], "Brotli-compressed section"));
	assert_non_null(strstr(w.warning[0], "limit"));
}

static void test_gop_find(void **state)
{
	struct x4_gop_result *r = calloc(1, sizeof(*r));
	struct x4_gop_query q = {0};
	struct x4_err e;

	(void)state;
	build_basic(1);
	assert_int_equal(x4_gop_find(img, sizeof(img), &q, r, &e), 1);
	assert_int_equal(r->cand[0].why, X4_GOP_BY_STRING);
	assert_int_equal(r->cand[0].len, 1024);
	assert_true(r->cand[0].pe_x64_driver);
	x4_gop_free(r);
	build_basic(0); /* the same driver without the string is not a GOP */
	assert_int_equal(x4_gop_find(img, sizeof(img), &q, r, &e), 0);
	x4_gop_free(r);
	q.name = "GopTest";
	assert_int_equal(x4_gop_find(img, sizeof(img), &q, r, &e), 1);
	assert_int_equal(r->cand[0].why, X4_GOP_BY_QUERY);
	x4_gop_free(r);
	assert_non_null(x4_gop_known(
	    "fa12486d93bee383ad4d3719015efad09fc03352382f17c63df10b626755954b"));
	assert_null(x4_gop_known(
	    "0000000000000000000000000000000000000000000000000000000000000000"));
	q.name = NULL;
	q.guid = "not-a-guid";
	assert_int_equal(x4_gop_find(img, sizeof(img), &q, r, &e), -EINVAL);
	q.guid = NULL;
	memset(img, 0, sizeof(img));
	assert_int_equal(x4_gop_find(img, sizeof(img), &q, r, &e), -ENOENT);
	assert_non_null(strstr(e.msg, "no UEFI firmware volume"));
	x4_gop_free(r);
	free(r);
}

/* Images from tests/fwfixture.py (the same builder suite 45 checks against UEFIExtract). */
static void find_in(const char *name, unsigned want_why, const char *want_guid)
{
	struct x4_gop_result *r = calloc(1, sizeof(*r));
	struct x4_gop_query q = {0};
	char dir[PATH_MAX + 64], path[PATH_MAX + 128];
	struct x4_err e;
	size_t n;
	FILE *f;

	assert_int_equal(tu_fixture_dir("fw", dir, sizeof(dir)), 0);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	assert_non_null(f);
	n = fread(img, 1, sizeof(img), f);
	fclose(f);
	assert_int_equal(x4_gop_find(img, n, &q, r, &e), 1);
	assert_int_equal(r->cand[0].why & want_why, want_why);
	assert_string_equal(r->cand[0].guid, want_guid);
	assert_string_equal(r->cand[0].version, "21.0.1054");
	assert_int_equal(r->walk.warnings, 0);
	assert_int_equal(r->walk.live, 0);
	x4_gop_free(r);
	free(r);
}

static void test_fixture_images(void **state)
{
	(void)state;
	find_in("ami.img", X4_GOP_BY_STRING | X4_GOP_BY_AMI, "A0327FE0-1FDA-4E5B-905D-B510C45A61D0");
	find_in("ffs3.img", X4_GOP_BY_STRING | X4_GOP_BY_GUID | X4_GOP_BY_NAME,
		"FF0C8745-3270-4439-B74F-3E45F8C77064");
	find_in("efi11.img", X4_GOP_BY_STRING | X4_GOP_BY_NAME,
		"FF0C8745-3270-4439-B74F-3E45F8C77064");
	find_in("f86.img", X4_GOP_BY_STRING, "FF0C8745-3270-4439-B74F-3E45F8C77064");
	find_in("nested.img", X4_GOP_BY_STRING | X4_GOP_BY_GUID,
		"5BBA83E6-F027-4CA7-BFD0-16358CC9E123");
}

static void test_containers(void **state)
{
	struct x4_fwimage fi;
	struct x4_err e;

	(void)state;
	memset(img, 0, sizeof(img));
	memcpy(img + 8, "_AMIPFAT", 8);
	assert_int_equal(x4_fwimage_locate(img, sizeof(img), &fi, &e), -EPROTONOSUPPORT);
	assert_non_null(strstr(e.msg, "PFAT"));
	memset(img, 0, sizeof(img));
	put32(img + 0x10, 0x0FF0A55A);
	put32(img + 0x14, 0x00040003);         /* FRBA = 0x40 */
	put32(img + 0x44, 0x000f0008);         /* BIOS region 0x8000-0xffff */
	assert_int_equal(x4_fwimage_locate(img, sizeof(img), &fi, &e), 0);
	assert_int_equal(fi.start, 0x8000);
	assert_int_equal(fi.len, 0x8000);
	put32(img + 0x44, 0x00ff0008);         /* limit past the file: scan it whole */
	assert_int_equal(x4_fwimage_locate(img, sizeof(img), &fi, &e), 0);
	assert_int_equal(fi.start, 0);
	memset(img, 0, sizeof(img));
	assert_int_equal(x4_guid_parse("14EEBB90-890A-43DB-AED1-5D3C4588A418", img), 0);
	put32(img + 16, 0x1c);
	img[28] = 0x00;
	img[29] = 0x08;                        /* RomImageOffset 0x800 */
	assert_int_equal(x4_fwimage_locate(img, sizeof(img), &fi, &e), 0);
	assert_int_equal(fi.start, 0x800);
	img[29] = 0xff;                        /* past the end: fall back to HeaderSize */
	assert_int_equal(x4_fwimage_locate(img, 0x1000, &fi, &e), 0);
	assert_int_equal(fi.start, 0x1c);
	assert_int_equal(x4_guid_parse("3B6686BD-0D76-4030-B70E-B5519E2FC5A0", img), 0);
	put32(img + 16, 0x50);                 /* a UEFI capsule: the image follows HeaderSize */
	assert_int_equal(x4_fwimage_locate(img, sizeof(img), &fi, &e), 0);
	assert_int_equal(fi.start, 0x50);
	assert_non_null(strstr(fi.kind, "UEFI capsule"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_guid_roundtrip),
		cmocka_unit_test(test_walk_basic),
		cmocka_unit_test(test_bad_volume_checksum_ignored),
		cmocka_unit_test(test_non_ffs_volume_skipped),
		cmocka_unit_test(test_file_checksum_warns),
		cmocka_unit_test(test_erase_polarity_zero),
		cmocka_unit_test(test_lying_sizes),
		cmocka_unit_test(test_lzma_section),
		cmocka_unit_test(test_fwlzma_limits),
		cmocka_unit_test(test_brotli_section),
		cmocka_unit_test(test_gop_find),
		cmocka_unit_test(test_containers),
		cmocka_unit_test(test_fixture_images),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
