/* SPDX-License-Identifier: MIT */
/* fv: owns walking UEFI firmware volumes, FFS files and sections (PI spec vol. 3), decompressing.
 * Callers: lib/fwimage and lib/gopfind (x4ctl rom extract). */
#ifndef X4_FV_H
#define X4_FV_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define X4_GUID_STRLEN 37
#define X4_FV_NAME_MAX 64

/* Limits that keep a hostile image bounded in time and memory. */
#define X4_FV_MAX_DEPTH 24                   /* volumes/encapsulations nested */
#define X4_FV_SECTION_MAX (64u * 1024 * 1024) /* one decompressed section */
#define X4_FV_LIVE_MAX (128u * 1024 * 1024)   /* decompressed bytes held at once */
#define X4_FV_TOTAL_MAX (512u * 1024 * 1024)  /* decompressed bytes in one walk */

/* Section types we name. */
#define X4_SECT_COMPRESSION 0x01
#define X4_SECT_GUID_DEFINED 0x02
#define X4_SECT_PE32 0x10
#define X4_SECT_TE 0x12
#define X4_SECT_UI 0x15
#define X4_SECT_FV_IMAGE 0x17
#define X4_SECT_FREEFORM_GUID 0x18
#define X4_SECT_RAW 0x19

#define X4_FILE_RAW 0x01
#define X4_FILE_FV_IMAGE 0x0b
#define X4_FILE_PAD 0xf0

enum x4_fv_kind { X4_FV_VOLUME, X4_FV_FILE, X4_FV_SECTION };

/* The FFS file a node belongs to. */
struct x4_fv_file {
	uint8_t guid[16];
	uint8_t type;
	char name[X4_FV_NAME_MAX]; /* UI section, ASCII ('?' for the rest), "" when none */
};

/* What the visitor sees: a volume (guid = file system), a file (body = its data), or a leaf
 * section (PE32, TE, RAW, freeform, ...; body = after the header, and after the subtype GUID
 * for freeform sections, i.e. UEFITool's "body"). */
struct x4_fv_node {
	enum x4_fv_kind kind;
	unsigned depth;
	uint8_t type;       /* file or section type */
	uint8_t guid[16];   /* volume: file system; section: freeform subtype */
	int has_guid;
	const struct x4_fv_file *file; /* NULL for volumes */
	const uint8_t *body;
	size_t len;
	uint64_t offset;    /* volumes and files: offset in the outermost buffer, or ~0 */
};

/* Return < 0 to stop the walk with that code. */
typedef int (*x4_fv_visit_fn)(const struct x4_fv_node *n, void *ctx);

struct x4_fv_walk {
	x4_fv_visit_fn visit;
	void *ctx;
	/* Filled by the walk: */
	unsigned volumes, files, sections, warnings;
	char warning[4][256]; /* the first warnings, one line each */
	size_t live, total;   /* decompressed bytes held now / produced so far */
};

/* "8C8CE578-8A3D-4F1C-9935-896185C32DD3" (uppercase, as UEFITool prints). Returns out. */
char *x4_guid_format(const uint8_t g[16], char out[X4_GUID_STRLEN]);
/* Parse that form (any case). 0 or -EINVAL. */
int x4_guid_parse(const char *s, uint8_t g[16]);

/* Find firmware volumes anywhere in buf (byte scan for "_FVH", validated) and walk each:
 * files, sections, nested and compressed volumes. Damage (bad checksums, lying sizes,
 * corrupt compressed data, limits reached) is counted in w->warnings and skipped. Returns
 * the number of FFS volumes walked (0: none found), or the visitor's negative code. */
int x4_fv_scan(const uint8_t *buf, size_t len, struct x4_fv_walk *w, struct x4_err *e);

#endif
