/* SPDX-License-Identifier: MIT */
/* fv: walk UEFI firmware volumes, FFS files and sections (PI spec vol. 3), decompressing.
 * Every size read from the image is checked against the bytes that hold it; nesting, memory
 * and total decompressed output are bounded (fv.h). */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fv.h"
#include "fwbrotli.h"
#include "fwlzma.h"
#include "tiano.h"

#define FVH_MIN 0x48 /* header with a one-entry block map and its terminator */
#define FFS_HDR 24
#define FFS_HDR2 32
#define FFS_ATTR_LARGE 0x01
#define FFS_ATTR_CHECKSUM 0x40
#define FVB2_ERASE_POLARITY 0x800
#define FILE_DATA_VALID 0x04
#define FILE_MARKED_FOR_UPDATE 0x08

static const char *const fv_ffs2[] = {
	"7A9354D9-0468-444A-81CE-0BF617D890DF", "8C8CE578-8A3D-4F1C-9935-896185C32DD3",
	"04ADEEAD-61FF-4D31-B6BA-64F8BF901F5A", "BD001B8C-6A71-487B-A14F-0C2A2DCF7A5D",
	"AD3FFFFF-D28B-44C4-9F13-9EA98A97F9F0", "D6A1CD70-4B33-4994-A6EA-375F2CCC5437",
	"4F494156-AED6-4D64-A537-B8A5557BCEEC",
};
#define FV_FFS3 "5473C07A-3DCB-4DCA-BD6F-1E9689E7349A"
#define G_LZMA "EE4E5898-3914-4259-9D6E-DC7BD79403CF"
#define G_LZMA_HP "0ED85E23-F253-413F-A03C-901987B04397"
#define G_LZMAF86 "D42AE6BD-1352-4BFB-909A-CA72A6EAE889"
#define G_TIANO "A31280AD-481E-41B6-95E8-127F4C984779"
#define G_BROTLI "3D532050-5CDA-4FD0-879E-0F7F630D5AFB"

struct fv_ctx {
	struct x4_fv_walk *w;
	const uint8_t *top; /* outermost buffer, for offsets */
	size_t toplen;
};

static uint32_t rd16(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}
static uint32_t rd24(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;
}
static uint32_t rd32(const uint8_t *p)
{
	return rd16(p) | rd16(p + 2) << 16;
}
static uint64_t rd64(const uint8_t *p)
{
	return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

char *x4_guid_format(const uint8_t g[16], char out[X4_GUID_STRLEN])
{
	snprintf(out, X4_GUID_STRLEN, "%08X-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X",
		 rd32(g), rd16(g + 4), rd16(g + 6), g[8], g[9], g[10], g[11], g[12], g[13], g[14],
		 g[15]);
	return out;
}

int x4_guid_parse(const char *s, uint8_t g[16])
{
	static const int pos[16] = {6, 4, 2, 0, 11, 9, 16, 14, 19, 21, 24, 26, 28, 30, 32, 34};
	int i;

	if (strlen(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-')
		return -EINVAL;
	for (i = 0; i < 16; i++) {
		char hex[3] = {s[pos[i]], s[pos[i] + 1], 0};

		if (!isxdigit((unsigned char)hex[0]) || !isxdigit((unsigned char)hex[1]))
			return -EINVAL;
		g[i] = (uint8_t)strtoul(hex, NULL, 16);
	}
	return 0;
}

static int guid_is(const uint8_t *g, const char *s)
{
	char b[X4_GUID_STRLEN];

	return strcmp(x4_guid_format(g, b), s) == 0;
}

static void fv_warn(struct fv_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fv_warn(struct fv_ctx *c, const char *fmt, ...)
{
	struct x4_fv_walk *w = c->w;
	va_list ap;

	if (w->warnings < sizeof(w->warning) / sizeof(w->warning[0])) {
		va_start(ap, fmt);
		/* NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized): a false positive, ap is started */
		vsnprintf(w->warning[w->warnings], sizeof(w->warning[0]), fmt, ap);
		va_end(ap);
	}
	w->warnings++;
}

static uint64_t fv_off(const struct fv_ctx *c, const uint8_t *p)
{
	if (p >= c->top && p < c->top + c->toplen)
		return (uint64_t)(p - c->top);
	return ~(uint64_t)0;
}

/* 0 not a volume, 2 FFSv2, 3 FFSv3, 1 a valid volume of another kind (NVRAM, ...). */
static int fv_header(const uint8_t *p, size_t avail, uint64_t *fvlen)
{
	uint32_t hlen, sum = 0, i;
	size_t k;

	if (avail < FVH_MIN || memcmp(p + 0x28, "_FVH", 4) != 0)
		return 0;
	*fvlen = rd64(p + 0x20);
	hlen = rd16(p + 0x30);
	if (*fvlen < FVH_MIN || hlen < FVH_MIN || hlen > *fvlen || (hlen & 1) || hlen > avail ||
	    (p[0x37] != 1 && p[0x37] != 2))
		return 0;
	for (i = 0; i < hlen; i += 2)
		sum += rd16(p + i);
	if (sum & 0xffff)
		return 0;
	for (k = 0; k < sizeof(fv_ffs2) / sizeof(fv_ffs2[0]); k++)
		if (guid_is(p + 0x10, fv_ffs2[k]))
			return 2;
	return guid_is(p + 0x10, FV_FFS3) ? 3 : 1;
}

static int fv_volume(struct fv_ctx *c, const uint8_t *p, size_t len, unsigned depth);
static int fv_sections(struct fv_ctx *c, const uint8_t *p, size_t len, unsigned depth,
		       struct x4_fv_file *f, int ffs3);

/* Scan a raw area for volumes; returns how many FFS volumes were walked, or < 0. */
static int fv_area(struct fv_ctx *c, const uint8_t *buf, size_t len, unsigned depth)
{
	size_t off = 0;
	int n = 0;

	while (off + FVH_MIN <= len) {
		const uint8_t *sig = memmem(buf + off + 0x28, len - off - 0x28, "_FVH", 4);
		uint64_t fvlen = 0;
		size_t at, avail;
		int kind, rc;

		if (!sig)
			break;
		at = (size_t)(sig - buf) - 0x28;
		avail = len - at;
		kind = fv_header(buf + at, avail, &fvlen);
		if (kind == 0) {
			off = at + 1;
			continue;
		}
		if (fvlen > avail) {
			fv_warn(c, "volume at 0x%zx claims %llu bytes but only %zu remain: the image "
				   "is truncated; reading what is there",
				at, (unsigned long long)fvlen, avail);
			fvlen = avail;
		}
		if (kind >= 2) {
			rc = fv_volume(c, buf + at, (size_t)fvlen, depth);
			if (rc < 0)
				return rc;
			n++;
		}
		off = at + (size_t)fvlen;
	}
	return n;
}

static int fv_visit(struct fv_ctx *c, struct x4_fv_node *n)
{
	return c->w->visit ? c->w->visit(n, c->w->ctx) : 0;
}

static uint8_t fv_sum8(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s = (uint8_t)(s + *p++);
	return s;
}

/* Walk one validated volume of len bytes. */
static int fv_volume(struct fv_ctx *c, const uint8_t *p, size_t len, unsigned depth)
{
	struct x4_fv_node vn = {.kind = X4_FV_VOLUME, .depth = depth, .has_guid = 1};
	int ffs3 = guid_is(p + 0x10, FV_FFS3);
	uint32_t attr = rd32(p + 0x2c), hlen = rd16(p + 0x30), ext = rd16(p + 0x34);
	uint8_t erase = (attr & FVB2_ERASE_POLARITY) ? 0xff : 0x00;
	size_t off = (hlen + 7u) & ~(size_t)7;
	int rc;

	c->w->volumes++;
	memcpy(vn.guid, p + 0x10, 16);
	vn.body = p;
	vn.len = len;
	vn.offset = fv_off(c, p);
	rc = fv_visit(c, &vn);
	if (rc < 0)
		return rc;
	/* An extended header (revision 2) may sit past HeaderLength, inside a pad file: the
	 * first file follows it (as UEFITool reads it). */
	if (p[0x37] >= 2 && ext >= hlen && (size_t)ext + 20 <= len) {
		uint32_t esz = rd32(p + ext + 16);

		if (esz >= 20 && esz <= len - ext)
			off = ((size_t)ext + esz + 7) & ~(size_t)7;
	}
	while (off + FFS_HDR <= len) {
		const uint8_t *h = p + off;
		struct x4_fv_file f = {.type = h[0x12]};
		struct x4_fv_node fn = {.kind = X4_FV_FILE, .depth = depth + 1, .file = &f};
		uint64_t size = rd24(h + 0x14);
		size_t hdr = FFS_HDR, k;
		uint8_t state = erase ? (uint8_t)~h[0x17] : h[0x17], top = 0x80, hsum;
		int empty = 1;

		for (k = 0; k < FFS_HDR && empty; k++)
			empty = h[k] == erase;
		if (empty)
			break;
		if (ffs3 && (h[0x13] & FFS_ATTR_LARGE)) {
			if (off + FFS_HDR2 > len)
				break;
			size = rd64(h + 0x18);
			hdr = FFS_HDR2;
		}
		if (size < hdr || size > len - off) {
			char g[X4_GUID_STRLEN];

			fv_warn(c, "file %s at 0x%llx claims %llu bytes but its volume has %zu left: "
				   "skipped the rest of the volume",
				x4_guid_format(h, g), (unsigned long long)fv_off(c, h),
				(unsigned long long)size, len - off);
			break;
		}
		memcpy(f.guid, h, 16);
		hsum = (uint8_t)(fv_sum8(h, hdr) - h[0x17] - h[0x11]);
		if (hsum != 0) {
			char g[X4_GUID_STRLEN];

			fv_warn(c, "file %s: header checksum is wrong (read on anyway)",
				x4_guid_format(h, g));
		}
		while (top && !(state & top))
			top >>= 1;
		c->w->files++;
		if (top == FILE_DATA_VALID || top == FILE_MARKED_FOR_UPDATE) {
			const uint8_t *data = h + hdr;
			size_t dlen = (size_t)size - hdr;

			if ((h[0x13] & FFS_ATTR_CHECKSUM) &&
			    (uint8_t)(fv_sum8(data, dlen) + h[0x11]) != 0) {
				char g[X4_GUID_STRLEN];

				fv_warn(c, "file %s: data checksum is wrong (read on anyway)",
					x4_guid_format(h, g));
			}
			fn.type = f.type;
			fn.body = data;
			fn.len = dlen;
			fn.offset = fv_off(c, h);
			if (f.type != X4_FILE_PAD && f.type != X4_FILE_RAW) {
				rc = fv_sections(c, data, dlen, depth + 2, &f, ffs3);
				if (rc < 0)
					return rc;
			}
			rc = fv_visit(c, &fn);
			if (rc < 0)
				return rc;
		}
		off = (off + (size_t)size + 7) & ~(size_t)7;
	}
	return 0;
}

/* The file's name from the first UI section of a section stream (not nested). */
static void fv_find_ui(const uint8_t *p, size_t len, struct x4_fv_file *f)
{
	size_t off = 0;

	while (off + 4 <= len) {
		size_t size = rd24(p + off), hdr = 4;

		if (size == 0xffffff) {
			if (off + 8 > len)
				return;
			size = rd32(p + off + 4);
			hdr = 8;
		}
		if (size < hdr || size > len - off)
			return;
		if (p[off + 3] == X4_SECT_UI) {
			size_t i, j = 0;

			for (i = off + hdr; i + 1 < off + size && j + 1 < X4_FV_NAME_MAX; i += 2) {
				uint32_t ch = rd16(p + i);

				if (ch == 0)
					break;
				f->name[j++] = (ch >= 0x20 && ch < 0x7f) ? (char)ch : '?';
			}
			f->name[j] = 0;
			return;
		}
		off = (off + size + 3) & ~(size_t)3;
	}
}

/* Decompressed bytes are charged to the walk while held; refuse past the limits. */
static int fv_charge(struct fv_ctx *c, uint64_t want, const char *what, const char *file)
{
	struct x4_fv_walk *w = c->w;

	if (want > X4_FV_SECTION_MAX) {
		fv_warn(c, "%s in file %s claims %llu bytes decompressed, more than the %u MiB "
			   "limit: skipped",
			what, file, (unsigned long long)want, X4_FV_SECTION_MAX >> 20);
		return -1;
	}
	if (w->live + want > X4_FV_LIVE_MAX || w->total + want > X4_FV_TOTAL_MAX) {
		fv_warn(c, "%s in file %s: decompression limit reached (%u MiB held, %u MiB in "
			   "all): skipped",
			what, file, X4_FV_LIVE_MAX >> 20, X4_FV_TOTAL_MAX >> 20);
		return -1;
	}
	return 0;
}

/* A stream that parses as sections to its last byte (how to tell EFI 1.1 from Tiano data). */
static int fv_sections_ok(const uint8_t *p, size_t len)
{
	size_t off = 0;

	while (off + 4 <= len) {
		size_t size = rd24(p + off), hdr = 4;

		if (size == 0xffffff) {
			if (off + 8 > len)
				return 0;
			size = rd32(p + off + 4);
			hdr = 8;
		}
		if (size < hdr || size > len - off)
			return 0;
		off = (off + size + 3) & ~(size_t)3;
	}
	return len > 0 && off >= len;
}

/* EFI 1.1 or Tiano: try both and keep the one whose output is a section stream. */
static int fv_tiano(const uint8_t *in, size_t n, uint8_t **out, size_t *olen, struct x4_err *e)
{
	uint8_t *a = NULL, *b = NULL;
	size_t alen = 0, blen = 0;
	int ra = x4_tiano_decode(in, n, X4_TIANO_EFI11, X4_FV_SECTION_MAX, &a, &alen, e);
	int rb;

	if (ra == 0 && fv_sections_ok(a, alen)) {
		*out = a;
		*olen = alen;
		return 0;
	}
	rb = x4_tiano_decode(in, n, X4_TIANO_TIANO, X4_FV_SECTION_MAX, &b, &blen, e);
	if (rb == 0 && (ra != 0 || fv_sections_ok(b, blen))) {
		free(a);
		*out = b;
		*olen = blen;
		return 0;
	}
	free(b);
	if (ra == 0) {
		*out = a;
		*olen = alen;
		return 0;
	}
	return rb;
}

enum fv_codec { FV_NONE, FV_LZMA, FV_LZMA86, FV_TIANO, FV_BROTLI, FV_UNKNOWN };

/* Decode an encapsulated payload and walk the section stream inside it. */
static int fv_encap(struct fv_ctx *c, enum fv_codec codec, const uint8_t *in, size_t n,
		    unsigned depth, struct x4_fv_file *f, int ffs3, const char *what)
{
	struct x4_err e = {0};
	char g[X4_GUID_STRLEN];
	uint8_t *out = NULL;
	size_t olen = 0;
	uint64_t want = 0;
	uint32_t t32 = 0;
	int rc;

	x4_guid_format(f->guid, g);
	if (codec == FV_NONE)
		return fv_sections(c, in, n, depth, f, ffs3);
	if (codec == FV_UNKNOWN) {
		fv_warn(c, "file %s: %s: not supported, skipped", g, what);
		return 0;
	}
	if (codec == FV_TIANO)
		rc = x4_tiano_size(in, n, &t32, &e), want = t32;
	else if (codec == FV_BROTLI)
		rc = x4_fwbrotli_size(in, n, &want, &e);
	else
		rc = x4_fwlzma_size(in, n, &want, &e);
	if (rc < 0 || fv_charge(c, want, what, g) < 0) {
		if (rc < 0)
			fv_warn(c, "file %s: %s: %s", g, what, e.msg);
		return 0;
	}
	if (codec == FV_TIANO)
		rc = fv_tiano(in, n, &out, &olen, &e);
	else if (codec == FV_BROTLI)
		rc = x4_fwbrotli_decode(in, n, X4_FV_SECTION_MAX, &out, &olen, &e);
	else
		rc = x4_fwlzma_decode(in, n, codec == FV_LZMA86, X4_FV_SECTION_MAX, &out, &olen,
				      &e);
	if (rc < 0) {
		fv_warn(c, "file %s: %s: %s", g, what, e.msg);
		return 0;
	}
	c->w->live += olen;
	c->w->total += olen;
	if (!f->name[0])
		fv_find_ui(out, olen, f);
	rc = fv_sections(c, out, olen, depth, f, ffs3);
	c->w->live -= olen;
	free(out);
	return rc;
}

static enum fv_codec fv_guided_codec(const uint8_t *g, unsigned attr)
{
	if (guid_is(g, G_LZMA) || guid_is(g, G_LZMA_HP))
		return FV_LZMA;
	if (guid_is(g, G_LZMAF86))
		return FV_LZMA86;
	if (guid_is(g, G_TIANO))
		return FV_TIANO;
	if (guid_is(g, G_BROTLI))
		return FV_BROTLI;
	/* Not processing-required (CRC32, signed, ...): the payload is plain sections. */
	return (attr & 0x01) ? FV_UNKNOWN : FV_NONE;
}

/* A volume image section or file body: a volume at its start, else scan it. */
static int fv_image(struct fv_ctx *c, const uint8_t *p, size_t len, unsigned depth)
{
	uint64_t fvlen = 0;
	int kind = fv_header(p, len, &fvlen);

	if (kind >= 2)
		return fv_volume(c, p, fvlen < len ? (size_t)fvlen : len, depth);
	if (kind == 1)
		return 0;
	return fv_area(c, p, len, depth);
}

static int fv_sections(struct fv_ctx *c, const uint8_t *p, size_t len, unsigned depth,
		       struct x4_fv_file *f, int ffs3)
{
	size_t off = 0;
	int rc = 0;

	if (depth > X4_FV_MAX_DEPTH) {
		char g[X4_GUID_STRLEN];

		fv_warn(c, "file %s: sections nested deeper than %u levels: skipped",
			x4_guid_format(f->guid, g), X4_FV_MAX_DEPTH);
		return 0;
	}
	if (!f->name[0])
		fv_find_ui(p, len, f);
	while (off + 4 <= len && rc >= 0) {
		const uint8_t *s = p + off;
		size_t size = rd24(s), hdr = 4, blen;
		const uint8_t *b;
		uint8_t type = s[3];
		struct x4_fv_node sn = {.kind = X4_FV_SECTION, .depth = depth, .type = type,
					.file = f, .offset = ~(uint64_t)0};

		if (size == 0xffffff) {
			if (off + 8 > len)
				break;
			size = rd32(s + 4);
			hdr = 8;
		}
		if (size < hdr || size > len - off) {
			char g[X4_GUID_STRLEN];

			fv_warn(c, "file %s: section of type 0x%02x claims %zu bytes but %zu remain: "
				   "skipped the rest of the file",
				x4_guid_format(f->guid, g), type, size, len - off);
			break;
		}
		c->w->sections++;
		b = s + hdr;
		blen = size - hdr;
		switch (type) {
		case X4_SECT_COMPRESSION:
			if (blen < 5)
				break;
			if (b[4] == 0)
				rc = fv_encap(c, FV_NONE, b + 5, blen - 5, depth + 1, f, ffs3, "");
			else if (b[4] == 1)
				rc = fv_encap(c, FV_TIANO, b + 5, blen - 5, depth + 1, f, ffs3,
					      "EFI-compressed section");
			else if (b[4] == 2)
				rc = fv_encap(c, FV_LZMA, b + 5, blen - 5, depth + 1, f, ffs3,
					      "LZMA-compressed section");
			else
				rc = fv_encap(c, FV_UNKNOWN, b, blen, depth + 1, f, ffs3,
					      "unknown compression type section");
			break;
		case X4_SECT_GUID_DEFINED: {
			unsigned doff, attr;
			char what[80], g[X4_GUID_STRLEN], sg[X4_GUID_STRLEN];
			enum fv_codec codec;

			if (blen < 20)
				break;
			doff = rd16(b + 16);
			attr = rd16(b + 18);
			if (doff < hdr + 20 || doff > size) {
				fv_warn(c, "file %s: GUID-defined section %s: its data offset %u is "
					   "outside the section: skipped",
					x4_guid_format(f->guid, g), x4_guid_format(b, sg), doff);
				break;
			}
			codec = fv_guided_codec(b, attr);
			snprintf(what, sizeof(what), "%s section %s",
				 codec == FV_BROTLI ? "Brotli-compressed" : "GUID-defined",
				 x4_guid_format(b, g));
			rc = fv_encap(c, codec, s + doff, size - doff, depth + 1, f, ffs3, what);
			break;
		}
		case X4_SECT_FV_IMAGE:
			rc = fv_image(c, b, blen, depth + 1);
			break;
		case X4_SECT_FREEFORM_GUID:
			if (blen < 16)
				break;
			memcpy(sn.guid, b, 16);
			sn.has_guid = 1;
			sn.body = b + 16;
			sn.len = blen - 16;
			rc = fv_visit(c, &sn);
			break;
		case 0x03: /* disposable: a section stream (PI), rare */
			rc = fv_sections(c, b, blen, depth + 1, f, ffs3);
			break;
		default:
			sn.body = b;
			sn.len = blen;
			rc = fv_visit(c, &sn);
			break;
		}
		off = (off + size + 3) & ~(size_t)3;
	}
	return rc < 0 ? rc : 0;
}

int x4_fv_scan(const uint8_t *buf, size_t len, struct x4_fv_walk *w, struct x4_err *e)
{
	struct fv_ctx c = {.w = w, .top = buf, .toplen = len};
	int rc;

	w->volumes = w->files = w->sections = w->warnings = 0;
	w->live = w->total = 0;
	rc = fv_area(&c, buf, len, 0);
	if (rc < 0)
		return x4_fail(e, -rc, "reading the firmware volumes stopped");
	return rc;
}
