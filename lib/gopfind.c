/* SPDX-License-Identifier: MIT */
/* gopfind: the Intel GOP driver (or any driver by GUID/UI name) among a BIOS image's files.
 * Evidence, strongest first: the "Intel(R) GOP Driver" string in an x64 EFI driver, AMI's
 * option-ROM container subtype, known FFS GUIDs, the UI name. Never the legacy VBIOS (55 AA)
 * nor the GOP policy driver. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "gopfind.h"

static const char *const gop_guids[] = {
	"5BBA83E6-F027-4CA7-BFD0-16358CC9E123", /* AMI IntelGopDriver.ffs */
	"FF0C8745-3270-4439-B74F-3E45F8C77064", /* IntelGopDriver (Intel SIIP) */
	"7755CA7B-CA8F-43C5-889B-E1F59A93D575", /* IntelGopDriver (System76) */
	"F82E0BF0-95F7-41DB-9299-2D054546B3D0", /* IntelGopDriverRkl */
};
#define GOP_POLICY "5C266089-E103-4D43-9AB5-12D7095BE2AF"
#define AMI_OPROM_FILE "A0327FE0-1FDA-4E5B-905D-B510C45A61D0"
#define AMI_SUB_GOP "380B6B4F-1454-41F2-A6D3-61D1333E8CB4"
#define AMI_SUB_VBIOS "C5A4306E-E247-4ECD-A9D8-5B1985D3DCDA"

static const char gop_u16[] = "Intel(R) GOP Driver";

/* Published GOP builds (i915-sriov-dkms docs/install-windows-guest.md). */
static const struct {
	const char *sha256, *what;
} gop_known_tab[] = {
	{"fa12486d93bee383ad4d3719015efad09fc03352382f17c63df10b626755954b",
	 "the ADL-N GOP published by i915-sriov-dkms (docs/install-windows-guest.md)"},
	{"131c32cadb6716dba59d13891bb70213c6ee931dd1e8b1a5593dee6f3a4c2cbd",
	 "the desktop UHD 730/770 GOP published by i915-sriov-dkms"},
};

const char *x4_gop_known(const char *sha256_hex)
{
	size_t i;

	for (i = 0; i < sizeof(gop_known_tab) / sizeof(gop_known_tab[0]); i++)
		if (strcmp(sha256_hex, gop_known_tab[i].sha256) == 0)
			return gop_known_tab[i].what;
	return NULL;
}

struct gop_ctx {
	const struct x4_gop_query *q;
	struct x4_gop_result *r;
	uint8_t qguid[16];
	int oom;
};

static uint32_t gop_rd16(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

int x4_gop_is_x64_driver(const uint8_t *p, size_t len)
{
	uint32_t pe, sub;

	if (len < 0x40 || p[0] != 'M' || p[1] != 'Z')
		return 0;
	pe = gop_rd16(p + 0x3c) | gop_rd16(p + 0x3e) << 16;
	/* PE signature, COFF header (20) and the optional header's magic .. subsystem (70). */
	if (pe > len || len - pe < 24 + 70 || memcmp(p + pe, "PE\0\0", 4) != 0)
		return 0;
	sub = gop_rd16(p + pe + 24 + 68);
	return gop_rd16(p + pe + 4) == 0x8664 && (sub == 11 || sub == 12);
}

int x4_gop_has_string(const uint8_t *p, size_t len)
{
	uint8_t pat[2 * (sizeof(gop_u16) - 1)];
	size_t i;

	for (i = 0; i + 1 < sizeof(gop_u16); i++) {
		pat[2 * i] = (uint8_t)gop_u16[i];
		pat[2 * i + 1] = 0;
	}
	return memmem(p, len, pat, sizeof(pat)) != NULL;
}

/* First UTF-16LE string of the form digits.digits.digits (a GOP's version), best effort. */
static void gop_version(const uint8_t *p, size_t len, char *out, size_t n)
{
	size_t i;

	out[0] = 0;
	for (i = 0; i + 12 <= len; i += 2) {
		size_t j = i, k = 0;
		int dots = 0, digits = 0;

		while (j + 1 < len && p[j + 1] == 0 && k + 1 < n &&
		       ((p[j] >= '0' && p[j] <= '9') || (p[j] == '.' && digits))) {
			if (p[j] == '.') {
				dots++;
				digits = 0;
			} else {
				digits++;
			}
			out[k++] = (char)p[j];
			j += 2;
		}
		out[k] = 0;
		if (dots >= 2 && digits && k >= 5 && !(i >= 2 && p[i - 2] >= '0' && p[i - 2] <= '9' &&
						       p[i - 1] == 0))
			return;
		out[0] = 0;
	}
}

static int gop_known_guid(const char *g)
{
	size_t i;

	for (i = 0; i < sizeof(gop_guids) / sizeof(gop_guids[0]); i++)
		if (strcmp(g, gop_guids[i]) == 0)
			return 1;
	return 0;
}

static void gop_add(struct gop_ctx *c, const struct x4_fv_node *n, const char *fg,
		    const char *sub, unsigned why)
{
	struct x4_gop_result *r = c->r;
	struct x4_gop_cand *k;
	uint8_t sha[X4_SHA256_LEN];
	unsigned i;

	x4_sha256(n->body, n->len, sha);
	for (i = 0; i < r->n; i++) {
		if (memcmp(r->cand[i].sha, sha, sizeof(sha)) == 0) {
			r->cand[i].why |= why;
			r->cand[i].copies++;
			if (!r->cand[i].name[0])
				memcpy(r->cand[i].name, n->file->name, sizeof(r->cand[i].name));
			return;
		}
	}
	if (r->n >= X4_GOP_MAX) {
		r->dropped++;
		return;
	}
	k = &r->cand[r->n];
	memset(k, 0, sizeof(*k));
	k->data = malloc(n->len ? n->len : 1);
	if (!k->data) {
		c->oom = 1;
		return;
	}
	memcpy(k->data, n->body, n->len);
	k->len = n->len;
	memcpy(k->sha, sha, sizeof(sha));
	memcpy(k->guid, fg, X4_GUID_STRLEN);
	memcpy(k->subtype, sub, X4_GUID_STRLEN);
	memcpy(k->name, n->file->name, sizeof(k->name));
	k->why = why;
	k->copies = 1;
	k->pe_x64_driver = x4_gop_is_x64_driver(n->body, n->len);
	gop_version(n->body, n->len, k->version, sizeof(k->version));
	r->n++;
}

static int gop_visit(const struct x4_fv_node *n, void *ctx)
{
	struct gop_ctx *c = ctx;
	char fg[X4_GUID_STRLEN], sub[X4_GUID_STRLEN] = "";
	unsigned why = 0;

	if (n->kind != X4_FV_SECTION || !n->body)
		return 0;
	if (n->type != X4_SECT_PE32 && n->type != X4_SECT_TE && n->type != X4_SECT_RAW &&
	    n->type != X4_SECT_FREEFORM_GUID)
		return 0;
	x4_guid_format(n->file->guid, fg);
	if (n->has_guid)
		x4_guid_format(n->guid, sub);
	if (c->q->guid || c->q->name) {
		if (n->type != X4_SECT_PE32 && n->type != X4_SECT_TE)
			return 0;
		if ((c->q->guid && memcmp(n->file->guid, c->qguid, 16) != 0) ||
		    (c->q->name && strcmp(n->file->name, c->q->name) != 0))
			return 0;
		gop_add(c, n, fg, sub, X4_GOP_BY_QUERY);
		return c->oom ? -ENOMEM : 0;
	}
	if (n->len >= 2 && n->body[0] == 0x55 && n->body[1] == 0xaa) {
		if (strcmp(sub, AMI_SUB_VBIOS) == 0 || x4_gop_has_string(n->body, n->len))
			c->r->vbios++;
		return 0;
	}
	if (!x4_gop_is_x64_driver(n->body, n->len))
		return 0;
	if (strcmp(fg, GOP_POLICY) == 0 || strcmp(sub, AMI_SUB_VBIOS) == 0) {
		c->r->policy += strcmp(fg, GOP_POLICY) == 0;
		return 0;
	}
	if (x4_gop_has_string(n->body, n->len))
		why |= X4_GOP_BY_STRING;
	if (strcmp(fg, AMI_OPROM_FILE) == 0 && strcmp(sub, AMI_SUB_GOP) == 0)
		why |= X4_GOP_BY_AMI;
	if (gop_known_guid(fg))
		why |= X4_GOP_BY_GUID;
	if (strcmp(n->file->name, "IntelGopDriver") == 0)
		why |= X4_GOP_BY_NAME;
	if (why)
		gop_add(c, n, fg, sub, why);
	return c->oom ? -ENOMEM : 0;
}

/* Strongest evidence first; stable otherwise (image order). */
static int gop_rank(const struct x4_gop_cand *k)
{
	return (k->why & X4_GOP_BY_STRING ? 8 : 0) | (k->why & X4_GOP_BY_AMI ? 4 : 0) |
	       (k->why & X4_GOP_BY_GUID ? 2 : 0) | (k->why & X4_GOP_BY_NAME ? 1 : 0);
}

static void gop_sort(struct x4_gop_result *r)
{
	unsigned i, j;

	for (i = 1; i < r->n; i++) {
		struct x4_gop_cand k = r->cand[i];

		for (j = i; j > 0 && gop_rank(&r->cand[j - 1]) < gop_rank(&k); j--)
			r->cand[j] = r->cand[j - 1];
		r->cand[j] = k;
	}
}

int x4_gop_find(const uint8_t *buf, size_t len, const struct x4_gop_query *q,
		struct x4_gop_result *r, struct x4_err *e)
{
	struct gop_ctx c = {.q = q, .r = r};
	int rc;

	memset(r, 0, sizeof(*r));
	if (q->guid && x4_guid_parse(q->guid, c.qguid) < 0)
		return x4_fail(e, EINVAL, "--guid '%.40s' is not a GUID like "
					  "E3752948-B9A1-4770-90C4-DF41C38986BE", q->guid);
	rc = x4_fwimage_locate(buf, len, &r->image, e);
	if (rc < 0)
		return rc;
	r->walk.visit = gop_visit;
	r->walk.ctx = &c;
	rc = x4_fv_scan(buf + r->image.start, r->image.len, &r->walk, e);
	if (c.oom)
		return x4_fail(e, ENOMEM, "out of memory while collecting drivers");
	if (rc < 0)
		return rc;
	if (rc == 0)
		return x4_fail(e, ENOENT, "no UEFI firmware volume found (%s): not a BIOS image; if "
					  "it is the vendor's zip or .exe, unpack it first",
			       r->image.kind);
	gop_sort(r);
	return (int)r->n;
}

void x4_gop_free(struct x4_gop_result *r)
{
	unsigned i;

	for (i = 0; i < r->n; i++) {
		free(r->cand[i].data);
		r->cand[i].data = NULL;
	}
	r->n = 0;
}
