/* SPDX-License-Identifier: MIT */
/* json: strict reading of the JSON files x4-sriov writes itself (state.json, the per-VM plans,
 * the install manifest), through json-c: parse with limits, refuse unknown keys, typed member
 * getters with bounds, each failing with a line that names the member; and the one way they
 * are written (pretty, atomically). Any lib/ module or program may call it; objects are built
 * with json-c's own API. */
#ifndef X4_JSON_H
#define X4_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "err.h"

#define X4_JSON_MAX_DEPTH 8 /* our files nest 3 deep; more is damage */

struct json_object;

/* Strict JSON: one object, nesting depth <= X4_JSON_MAX_DEPTH, no NUL bytes, no 'single
 * quotes', nothing but whitespace after it. -EBADMSG with the reason ("not JSON: ... at byte
 * N"); free *out with json_object_put(). */
int x4_json_parse(const char *buf, size_t len, struct json_object **out, struct x4_err *e);

/* -EBADMSG "WHERE: unknown key 'K'" unless every key of object o is in keys (NULL-ended). */
int x4_json_only_keys(struct json_object *o, const char *const *keys, const char *where,
		      struct x4_err *e);

/* Typed members of object o. Failures are -EBADMSG "WHERE.KEY: ..." ("KEY: ..." when where is
 * NULL). */

/* A string that fits out[n] with its NUL and holds no NUL byte itself. */
int x4_json_get_str(struct json_object *o, const char *key, char *out, size_t n,
		    const char *where, struct x4_err *e);

/* true/false into 1/0. */
int x4_json_get_bool(struct json_object *o, const char *key, int *out, const char *where,
		     struct x4_err *e);

/* An integer within 0..max. */
int x4_json_get_uint(struct json_object *o, const char *key, uint64_t max, uint64_t *out,
		     const char *where, struct x4_err *e);

/* Members of an object x4-sriov built or already checked (the install journal, x4ctl's own
 * JSON output): the string, or NULL when absent; the integer, or 0 when absent. */
const char *x4_json_str_or_null(struct json_object *o, const char *key);
int x4_json_int_or_0(struct json_object *o, const char *key);

/* Write o as pretty JSON (no "\/" escapes) to abs (host path) through x4_file_write, with
 * mode. o stays the caller's. */
int x4_json_write(const char *abs, struct json_object *o, mode_t mode, struct x4_err *e);

#endif
