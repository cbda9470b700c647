/* SPDX-License-Identifier: MIT */
/* gopfind: owns finding the Intel GOP driver (or any driver by GUID/UI name) in a BIOS image.
 * Callers: x4ctl rom extract. */
#ifndef X4_GOPFIND_H
#define X4_GOPFIND_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "fv.h"
#include "fwimage.h"
#include "sha256.h"

#define X4_GOP_MAX 16 /* distinct candidates kept */

/* Why a body is a candidate (bits). */
#define X4_GOP_BY_STRING 0x01 /* UTF-16LE "Intel(R) GOP Driver" inside */
#define X4_GOP_BY_GUID 0x02   /* a known GOP file GUID */
#define X4_GOP_BY_AMI 0x04    /* AMI option-ROM container A0327FE0, subtype 380B6B4F (GOP) */
#define X4_GOP_BY_NAME 0x08   /* UI section "IntelGopDriver" */
#define X4_GOP_BY_QUERY 0x10  /* matched the caller's --guid/--name */

/* What to look for: all NULL = the Intel GOP. */
struct x4_gop_query {
	const char *guid; /* file GUID, any case */
	const char *name; /* UI name, exact */
};

struct x4_gop_cand {
	uint8_t *data;
	size_t len;
	uint8_t sha[X4_SHA256_LEN];
	char guid[X4_GUID_STRLEN];    /* FFS file */
	char subtype[X4_GUID_STRLEN]; /* freeform subtype GUID, "" when none */
	char name[X4_FV_NAME_MAX];    /* UI name, "" when none */
	char version[32];             /* best effort: first "N.N.N" UTF-16 string, "" */
	unsigned why;                 /* X4_GOP_BY_* */
	unsigned copies;              /* identical bodies seen */
	int pe_x64_driver;            /* MZ/PE, machine 0x8664, subsystem 11 or 12 */
};

struct x4_gop_result {
	struct x4_fwimage image;
	struct x4_gop_cand cand[X4_GOP_MAX];
	unsigned n, dropped;          /* kept / distinct ones past X4_GOP_MAX */
	unsigned vbios, policy;       /* skipped on purpose: legacy VBIOS, GOP policy driver */
	struct x4_fv_walk walk;
};

/* Walk buf (container, volumes, files) and collect candidates, de-duplicated by SHA-256,
 * strongest first (string match, then AMI container, GUID, name). Returns the number of
 * candidates; -ENOENT when the file holds no firmware volume, -EPROTONOSUPPORT for PFAT,
 * -ENOMEM. Free with x4_gop_free() whatever it returns. */
int x4_gop_find(const uint8_t *buf, size_t len, const struct x4_gop_query *q,
		struct x4_gop_result *r, struct x4_err *e);
void x4_gop_free(struct x4_gop_result *r);

/* A PE32/PE32+ image with machine x64 and an EFI driver subsystem (11 or 12). */
int x4_gop_is_x64_driver(const uint8_t *p, size_t len);
/* What a published known-good GOP with this lowercase hex SHA-256 is, NULL when unknown
 * (informational: another BIOS version gives another hash). */
const char *x4_gop_known(const char *sha256_hex);
/* Whether p holds the UTF-16LE string "Intel(R) GOP Driver". */
int x4_gop_has_string(const uint8_t *p, size_t len);

#endif
