/* SPDX-License-Identifier: MIT */
/* lgstore: the kvmfr device each looking_glass = kvmfr VM was given, under /var/lib/x4-sriov
 * (it outlives /run: the device sizes in modprobe.d depend on it across reboots). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "fileio.h"
#include "json.h"
#include "lgstore.h"
#include "name.h"
#include "paths.h"
#include "state.h"

#define LGS_VERSION 1

int x4_lg_store_find(const struct x4_lg_store *s, const char *vm)
{
	int i;

	for (i = 0; i < X4_LG_MAX_DEVICES; i++)
		if (s->vm[i][0] && strcmp(s->vm[i], vm) == 0)
			return i;
	return -1;
}

static int lgs_bad(struct x4_err *e, const char *where, const char *why)
{
	return x4_fail(e, EBADMSG,
		       "%s is damaged (%s): move it aside and run x4ctl lg apply (each "
		       "looking_glass = kvmfr VM is given a device again)",
		       where, why);
}

int x4_lg_store_parse(const char *text, size_t len, const char *where, struct x4_lg_store *s,
		      struct x4_err *e)
{
	static const char *const keys[] = {"version", "kvmfr", NULL};
	json_object *root = NULL, *v = NULL, *map = NULL;
	struct x4_err pe;
	int rc = 0;

	memset(s, 0, sizeof(*s));
	if (x4_json_parse(text, len, &root, &pe) < 0)
		return lgs_bad(e, where, pe.msg);
	if (x4_json_only_keys(root, keys, "the file", &pe) < 0)
		rc = lgs_bad(e, where, pe.msg);
	else if (!json_object_object_get_ex(root, "version", &v) ||
		 !json_object_is_type(v, json_type_int) || json_object_get_int64(v) != LGS_VERSION)
		rc = lgs_bad(e, where, "version is not 1");
	else if (!json_object_object_get_ex(root, "kvmfr", &map) ||
		 !json_object_is_type(map, json_type_object))
		rc = lgs_bad(e, where, "no \"kvmfr\" object");
	if (rc < 0) {
		json_object_put(root);
		return rc;
	}
	json_object_object_foreach(map, name, idx)
	{
		int64_t n =
		    json_object_is_type(idx, json_type_int) ? json_object_get_int64(idx) : -1;

		if (x4_name_check(name, NULL) < 0)
			rc = lgs_bad(e, where, "a VM name that is not valid");
		else if (n < 0 || n >= X4_LG_MAX_DEVICES)
			rc = lgs_bad(e, where, "a device index that is not 0..9");
		else if (s->vm[n][0])
			rc = lgs_bad(e, where, "one device given to two VMs");
		else if (x4_lg_store_find(s, name) >= 0)
			rc = lgs_bad(e, where, "one VM given two devices");
		if (rc < 0)
			break;
		snprintf(s->vm[n], sizeof(s->vm[n]), "%s", name);
	}
	json_object_put(root);
	if (rc < 0)
		memset(s, 0, sizeof(*s));
	return rc;
}

char *x4_lg_store_format(const struct x4_lg_store *s)
{
	json_object *root = json_object_new_object(), *map = json_object_new_object();
	const char *t;
	char *out = NULL;
	size_t n;
	int i;

	json_object_object_add(root, "version", json_object_new_int(LGS_VERSION));
	for (i = 0; i < X4_LG_MAX_DEVICES; i++)
		if (s->vm[i][0])
			json_object_object_add(map, s->vm[i], json_object_new_int(i));
	json_object_object_add(root, "kvmfr", map);
	t = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
						     JSON_C_TO_STRING_NOSLASHESCAPE);
	if (t && (out = malloc((n = strlen(t)) + 2))) {
		memcpy(out, t, n);
		out[n] = '\n'; /* a text file */
		out[n + 1] = '\0';
	}
	json_object_put(root);
	return out;
}

int x4_lg_store_load(struct x4_lg_store *s, struct x4_err *e)
{
	char *buf = NULL;
	size_t len = 0;
	struct x4_err re;
	int rc = x4_file_read(X4_LG_STORE_FILE, X4_LG_STORE_MAX_BYTES, &buf, &len, NULL, &re);

	memset(s, 0, sizeof(*s));
	if (rc == -ENOENT)
		return 0;
	if (rc == -EFBIG || rc == -EBADMSG)
		return lgs_bad(e, X4_LG_STORE_FILE,
			       rc == -EFBIG ? "larger than 64 KiB" : "not a regular file");
	if (rc < 0)
		return x4_fail(e, -rc, "cannot read %s: %s", X4_LG_STORE_FILE, strerror(-rc));
	rc = x4_lg_store_parse(buf, len, X4_LG_STORE_FILE, s, e);
	free(buf);
	return rc;
}

int x4_lg_store_save(const struct x4_lg_store *s, struct x4_err *e)
{
	char *text;
	int rc;

	if ((rc = x4_mkdirs(X4_STATE_DIR, 0755, e)) < 0)
		return rc;
	text = x4_lg_store_format(s);
	if (!text)
		return x4_fail(e, ENOMEM, "out of memory writing %s", X4_LG_STORE_FILE);
	rc = x4_file_write(X4_LG_STORE_FILE, text, strlen(text), 0644, e);
	free(text);
	return rc;
}
