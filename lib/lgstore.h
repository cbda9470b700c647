/* SPDX-License-Identifier: MIT */
/* lgstore: which VM each /dev/kvmfrN was given (looking_glass = kvmfr), kept on disk so a VM
 * keeps its device across starts, reboots and config edits until `x4ctl lg forget VM`.
 * Owns X4_LG_STORE_FILE. Callers: lgassign (which saves only under the state lock); x4ctl lg
 * apply reads it to name records whose VM left the config. */
#ifndef X4_LGSTORE_H
#define X4_LGSTORE_H

#include <stddef.h>

#include "config.h"
#include "err.h"
#include "lg.h"
#include "paths.h"

#define X4_LG_STORE_FILE X4_STATE_DIR "/kvmfr.json"
#define X4_LG_STORE_MAX_BYTES (64u << 10) /* ten names of 128 bytes, escaped: far less */

/* vm[N]: the VM given /dev/kvmfrN, "" when the index is free. */
struct x4_lg_store {
	char vm[X4_LG_MAX_DEVICES][X4_NAME_MAX + 1];
};

/* Strict: {"version": 1, "kvmfr": {"VM": N, ...}}, nothing else; each name a valid VM name,
 * each N an integer 0..9, no index or name twice. text holds len bytes and a NUL after them
 * (as x4_file_read reads a file). -EBADMSG with the reason (where names the file). */
int x4_lg_store_parse(const char *text, size_t len, const char *where, struct x4_lg_store *s,
		      struct x4_err *e);

/* The file's text (pretty JSON, newline-ended), malloc'ed; NULL when out of memory. */
char *x4_lg_store_format(const struct x4_lg_store *s);

/* Read X4_LG_STORE_FILE: missing -> empty store, 0; damaged -> -EBADMSG naming the file and
 * the fix. */
int x4_lg_store_load(struct x4_lg_store *s, struct x4_err *e);

/* Write it atomically (mkdir -p its directory first). Callers hold the state lock. */
int x4_lg_store_save(const struct x4_lg_store *s, struct x4_err *e);

/* The index recorded for vm, or -1. */
int x4_lg_store_find(const struct x4_lg_store *s, const char *vm);

#endif
