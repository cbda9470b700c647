/* SPDX-License-Identifier: MIT */
/* json: strict parse, known-keys check and typed getters over json-c. */
#include "json.h"

#include <errno.h>
#include <limits.h>
#include <string.h>

#include <json-c/json.h>

#include "fileio.h"

int x4_json_parse(const char *buf, size_t len, struct json_object **out, struct x4_err *e)
{
	struct json_tokener *tok;
	struct json_object *obj;
	enum json_tokener_error jerr;
	size_t end;

	*out = NULL;
	if (!buf || len > INT_MAX || strlen(buf) != len)
		return x4_fail(e, EBADMSG, "not JSON: holds a NUL byte or is too big");
	/* json-c takes 'single-quoted' strings even in strict mode: we write none, so refuse. */
	for (size_t i = 0, in_str = 0; i < len; i++) {
		if (in_str && buf[i] == '\\')
			i++;
		else if (buf[i] == '"')
			in_str = !in_str;
		else if (!in_str && buf[i] == '\'')
			return x4_fail(e, EBADMSG, "not JSON: single quote at byte %zu", i);
	}
	tok = json_tokener_new_ex(X4_JSON_MAX_DEPTH);
	if (!tok)
		return x4_fail(e, ENOMEM, "out of memory parsing JSON");
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	obj = json_tokener_parse_ex(tok, buf, (int)len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	if (!obj && jerr == json_tokener_continue)
		jerr = json_tokener_error_parse_eof; /* truncated */
	json_tokener_free(tok);
	if (!obj || jerr != json_tokener_success) {
		json_object_put(obj);
		return x4_fail(e, EBADMSG, "not JSON: %s at byte %zu", json_tokener_error_desc(jerr),
			       end);
	}
	for (size_t i = end; i < len; i++) {
		if (!strchr(" \t\r\n", buf[i])) {
			json_object_put(obj);
			return x4_fail(e, EBADMSG, "not JSON: trailing data at byte %zu", i);
		}
	}
	if (!json_object_is_type(obj, json_type_object)) {
		json_object_put(obj);
		return x4_fail(e, EBADMSG, "not a JSON object");
	}
	*out = obj;
	return 0;
}

/* Every key of o must be one of keys (NULL-terminated): typos and junk are damage. */
int x4_json_only_keys(struct json_object *o, const char *const *keys, const char *where,
		      struct x4_err *e)
{
	json_object_object_foreach(o, k, v)
	{
		int known = 0;

		(void)v;
		for (const char *const *p = keys; *p; p++)
			known |= strcmp(k, *p) == 0;
		if (!known)
			return x4_fail(e, EBADMSG, "%s: unknown key '%.32s'", where, k);
	}
	return 0;
}

/* "WHERE." before a member's name, or nothing. */
#define JSON_AT(where) (where) ? (where) : "", (where) ? "." : ""

int x4_json_get_str(struct json_object *o, const char *key, char *out, size_t n,
		    const char *where, struct x4_err *e)
{
	struct json_object *v;
	int len;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return x4_fail(e, EBADMSG, "%s%s%s: missing or not a string", JSON_AT(where), key);
	len = json_object_get_string_len(v);
	if (len < 0 || (size_t)len >= n || strlen(json_object_get_string(v)) != (size_t)len)
		return x4_fail(e, EBADMSG, "%s%s%s: too long or holds a NUL byte", JSON_AT(where),
			       key);
	memcpy(out, json_object_get_string(v), (size_t)len + 1);
	return 0;
}

int x4_json_get_bool(struct json_object *o, const char *key, int *out, const char *where,
		     struct x4_err *e)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_boolean))
		return x4_fail(e, EBADMSG, "%s%s%s: missing or not true/false", JSON_AT(where), key);
	*out = json_object_get_boolean(v) ? 1 : 0;
	return 0;
}

int x4_json_get_uint(struct json_object *o, const char *key, uint64_t max, uint64_t *out,
		     const char *where, struct x4_err *e)
{
	struct json_object *v;
	int64_t x;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
		return x4_fail(e, EBADMSG, "%s%s%s: missing or not an integer", JSON_AT(where), key);
	errno = 0;
	x = json_object_get_int64(v);
	if (x < 0 || (uint64_t)x > max || errno == EINVAL)
		return x4_fail(e, EBADMSG, "%s%s%s: %lld is out of range 0..%llu", JSON_AT(where),
			       key, (long long)x, (unsigned long long)max);
	*out = (uint64_t)x;
	return 0;
}

int x4_json_write(const char *abs, struct json_object *o, mode_t mode, struct x4_err *e)
{
	const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
							     JSON_C_TO_STRING_NOSLASHESCAPE);

	if (!text)
		return x4_fail(e, ENOMEM, "out of memory writing %s", abs);
	return x4_file_write(abs, text, strlen(text), mode, e);
}

const char *x4_json_str_or_null(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : NULL;
}

int x4_json_int_or_0(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_int(v) : 0;
}
