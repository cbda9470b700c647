/* SPDX-License-Identifier: MIT */
/* lgmp: parse a private copy of a Looking Glass region's LGMP header and KVMFR user data.
 * The guest owns that memory and may change it at any time: we only ever parse a copy, every
 * offset and length read from it is checked against the copy's size, nothing is written. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lgmp.h"

/* Field offsets of each LGMP header version, measured with gcc against LGMP's headers
 * (../shared/reference/lg-health.md). version is always at magic + 4, session at magic + 8. */
struct lgmp_layout {
	uint32_t version, magic, ts, nq, udsize, udata, size;
};

static const struct lgmp_layout lgmp_layouts[] = {
    {4, 0, 16, 24, 5112, 5116, 5120}, /* B6-rc1 */
    {5, 0, 16, 24, 5752, 5756, 5760}, /* B6 */
    {6, 0, 16, 24, 5752, 5756, 5760}, /* B7-rc1, B7 */
    {7, 0, 16, 12, 5744, 5748, 5752}, /* master after B7 */
    {8, 0, 16, 12, 7784, 7788, 7792},	   {9, 8, 0, 20, 8064, 8068, 8128},
    {10, 8064, 0, 8076, 8080, 8084, 8128},
};

/* v5/v6 queue array: at 32, 1144 bytes a queue; queueID at +0, subs (u64) at +416. */
#define LGMP_Q_BASE 32U
#define LGMP_Q_STRIDE 1144U
#define LGMP_Q_SUBS 416U
#define LGMP_Q_MAX 5U
#define LGMP_Q_POINTER 1U
#define LGMP_Q_FRAME 2U

/* KVMFR user data: "KVMFR---", version @8, hostver[32] @12, features @44; records follow. */
#define KVMFR_HDR 48U
#define KVMFR_REC_HDR 8U
#define KVMFR_REC_VMINFO 1U
#define KVMFR_REC_OSINFO 2U
#define KVMFR_VMINFO_MODEL 51U
#define KVMFR_MAX_RECORDS 64U

_Static_assert(X4_LGMP_SCAN <= X4_LGMP_WINDOW, "the scan stays inside the copy");
_Static_assert(X4_LGMP_MIN_HEADER == 5120U, "v4 is the smallest layout");

static uint32_t lgmp_u32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t lgmp_u64(const uint8_t *p)
{
	return (uint64_t)lgmp_u32(p) | (uint64_t)lgmp_u32(p + 4) << 32;
}

/* Copy at most n bytes of untrusted text up to a NUL, printable ASCII only. */
static void lgmp_text(char *out, size_t outn, const uint8_t *p, size_t n)
{
	size_t i, o = 0;

	for (i = 0; i < n && p[i] && o + 1 < outn; i++)
		out[o++] = (p[i] >= 0x20 && p[i] < 0x7f) ? (char)p[i] : '?';
	out[o] = '\0';
}

static const struct lgmp_layout *lgmp_layout_for(uint32_t version, uint32_t magic_off)
{
	size_t i;

	for (i = 0; i < sizeof(lgmp_layouts) / sizeof(lgmp_layouts[0]); i++)
		if (lgmp_layouts[i].version == version && lgmp_layouts[i].magic == magic_off)
			return &lgmp_layouts[i];
	return NULL;
}

/* Where the magic is: the known places first (0: v4..v8, 8: v9, 8064: v10), then any 4-byte
 * aligned offset below X4_LGMP_SCAN whose version word is plausible (1..64). */
static int lgmp_find_magic(const uint8_t *buf, size_t len, uint32_t *off)
{
	static const uint32_t known[] = {0, 8, 8064};
	uint32_t o;
	size_t i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		o = known[i];
		if (o + 12 <= len && lgmp_u32(buf + o) == X4_LGMP_MAGIC) {
			*off = o;
			return 0;
		}
	}
	for (o = 0; o + 12 <= len && o < X4_LGMP_SCAN; o += 4) {
		uint32_t v;

		if (lgmp_u32(buf + o) != X4_LGMP_MAGIC)
			continue;
		v = lgmp_u32(buf + o + 4);
		if (v >= 1 && v <= 64) {
			*off = o;
			return 0;
		}
	}
	return -ENOENT;
}

static void lgmp_vminfo(struct x4_lgmp_info *in, const uint8_t *p, uint32_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, o = 0;

	if (n < KVMFR_VMINFO_MODEL)
		return;
	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			in->uuid[o++] = '-';
		in->uuid[o++] = hex[p[i] >> 4];
		in->uuid[o++] = hex[p[i] & 15];
	}
	in->uuid[o] = '\0';
	lgmp_text(in->capture, sizeof(in->capture), p + 16, 32);
	in->cpus = p[48];
	in->cores = p[49];
	in->sockets = p[50];
	lgmp_text(in->model, sizeof(in->model), p + KVMFR_VMINFO_MODEL, n - KVMFR_VMINFO_MODEL);
	in->have_vminfo = 1;
}

/* KVMFR header then records, the way the client walks them: a record whose size runs past
 * the user data ends the walk. */
static void lgmp_kvmfr(struct x4_lgmp_info *in, const uint8_t *p, uint32_t n)
{
	unsigned count = 0;

	if (n < KVMFR_HDR) {
		snprintf(in->problem, sizeof(in->problem),
			 "user data is %u bytes, too short for the KVMFR header", n);
		return;
	}
	if (memcmp(p, "KVMFR---", 8) != 0) {
		snprintf(in->problem, sizeof(in->problem),
			 "user data is not KVMFR: not the Looking Glass host");
		return;
	}
	in->have_kvmfr = 1;
	in->kvmfr_version = lgmp_u32(p + 8);
	lgmp_text(in->hostver, sizeof(in->hostver), p + 12, 32);
	in->features = lgmp_u32(p + 44);
	p += KVMFR_HDR;
	n -= KVMFR_HDR;
	while (n >= KVMFR_REC_HDR && count++ < KVMFR_MAX_RECORDS) {
		uint8_t type = p[0];
		uint32_t size = lgmp_u32(p + 4);

		p += KVMFR_REC_HDR;
		n -= KVMFR_REC_HDR;
		if (size > n) {
			snprintf(in->problem, sizeof(in->problem),
				 "KVMFR record of %u bytes runs past the user data (%u left)", size,
				 n);
			return;
		}
		if (type == KVMFR_REC_VMINFO)
			lgmp_vminfo(in, p, size);
		else if (type == KVMFR_REC_OSINFO && size >= 1) {
			in->os = p[0];
			lgmp_text(in->osname, sizeof(in->osname), p + 1, size - 1);
			in->have_osinfo = 1;
		}
		p += size;
		n -= size;
	}
}

static void lgmp_queues(struct x4_lgmp_info *in, const uint8_t *buf)
{
	uint32_t i, nq = in->num_queues < LGMP_Q_MAX ? in->num_queues : LGMP_Q_MAX;

	in->have_subs = 1;
	for (i = 0; i < nq; i++) {
		const uint8_t *q = buf + LGMP_Q_BASE + i * LGMP_Q_STRIDE;
		uint32_t clients = (uint32_t)(lgmp_u64(q + LGMP_Q_SUBS) >> 32);

		if (lgmp_u32(q) == LGMP_Q_FRAME)
			in->frame_subs |= clients;
		else if (lgmp_u32(q) == LGMP_Q_POINTER)
			in->pointer_subs |= clients;
	}
}

void x4_lgmp_parse(const uint8_t *buf, size_t len, uint64_t region_size, struct x4_lgmp_info *in)
{
	const struct lgmp_layout *l;
	uint32_t off, udsize;
	size_t i, zlen = len < X4_LGMP_SCAN ? len : X4_LGMP_SCAN;

	memset(in, 0, sizeof(*in));
	in->region_size = region_size;
	if (len > region_size)
		len = (size_t)region_size;
	for (i = 0; i < zlen && !buf[i]; i++)
		;
	if (i == zlen) {
		in->kind = X4_LGMP_EMPTY;
		return;
	}
	if (region_size < X4_LGMP_MIN_HEADER) {
		in->kind = X4_LGMP_SMALL;
		snprintf(in->problem, sizeof(in->problem),
			 "the region is %llu bytes, smaller than any LGMP header (%u)",
			 (unsigned long long)region_size, X4_LGMP_MIN_HEADER);
		return;
	}
	if (lgmp_find_magic(buf, len, &off) < 0) {
		in->kind = X4_LGMP_FOREIGN;
		return;
	}
	in->kind = X4_LGMP_HOST;
	in->magic_off = off;
	in->lgmp_version = lgmp_u32(buf + off + 4);
	in->session = lgmp_u32(buf + off + 8);
	l = lgmp_layout_for(in->lgmp_version, off);
	if (!l) {
		snprintf(in->problem, sizeof(in->problem),
			 "LGMP v%u at offset %u: a layout this x4ctl does not know",
			 in->lgmp_version, off);
		return;
	}
	if (len < l->size) {
		snprintf(in->problem, sizeof(in->problem),
			 "LGMP v%u header needs %u bytes, only %zu readable", l->version, l->size,
			 len);
		return;
	}
	in->layout_known = 1;
	in->timestamp = lgmp_u64(buf + l->ts);
	in->num_queues = lgmp_u32(buf + l->nq);
	if (l->version == 5 || l->version == 6)
		lgmp_queues(in, buf);
	udsize = lgmp_u32(buf + l->udsize);
	if (udsize > len - l->udata) {
		snprintf(in->problem, sizeof(in->problem),
			 "udataSize %u runs past the %zu bytes after the header", udsize,
			 len - l->udata);
		return;
	}
	lgmp_kvmfr(in, buf + l->udata, udsize);
}

const char *x4_lgmp_release(const struct x4_lgmp_info *in)
{
	uint32_t v = in->lgmp_version, k = in->kvmfr_version;

	if (in->kind != X4_LGMP_HOST)
		return "";
	if (v > 6 || (in->have_kvmfr && k > 20))
		return "newer than B7";
	if (v == 6 && (!in->have_kvmfr || k == 20))
		return "B7";
	if (v == 5 && (!in->have_kvmfr || k == 19))
		return "B6";
	if (v == 4)
		return "B6-rc1";
	if (v < 4)
		return "older than B6";
	return "unknown (LGMP and KVMFR versions disagree)";
}

X4_ENUM_IMPL(x4_lgmp_kind, enum x4_lgmp_kind, X4_LGMP_KIND_COUNT,
	     [X4_LGMP_EMPTY] = "empty", [X4_LGMP_SMALL] = "too small",
	     [X4_LGMP_FOREIGN] = "not Looking Glass", [X4_LGMP_HOST] = "host present")

X4_ENUM_IMPL(x4_lgmp_live, enum x4_lgmp_live, X4_LGMP_LIVE_COUNT,
	     [X4_LGMP_LIVE_UNKNOWN] = "unknown", [X4_LGMP_ALIVE] = "alive",
	     [X4_LGMP_RESTARTED] = "restarted", [X4_LGMP_STALE] = "stale")

const char *x4_lgmp_os_name(unsigned os)
{
	static const char *const names[] = {"Linux", "BSD", "macOS", "Windows", "other"};

	return os < sizeof(names) / sizeof(names[0]) ? names[os] : "unknown";
}

int x4_lgmp_client_version(const char *out, size_t len, char *ver, size_t n)
{
	size_t i, j;

	if (!n)
		return -ENOENT;
	for (i = 0; i + 1 < len; i++) {
		/* A word starting "B<digit>" (Looking Glass release tags: B6, B7-rc1, B7-5-g1a2b).
		 */
		if (out[i] == 'B' && out[i + 1] >= '0' && out[i + 1] <= '9' &&
		    (i == 0 || out[i - 1] == '(' || out[i - 1] == ' ' || out[i - 1] == '\n' ||
		     out[i - 1] == ':')) {
			for (j = 0; i + j < len && j + 1 < n; j++) {
				char c = out[i + j];

				if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
				      (c >= 'A' && c <= 'Z') || c == '-' || c == '.' || c == '+' ||
				      c == '_'))
					break;
				ver[j] = c;
			}
			ver[j] = '\0';
			return 0;
		}
	}
	ver[0] = '\0';
	return -ENOENT;
}
