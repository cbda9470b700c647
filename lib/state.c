/* SPDX-License-Identifier: MIT */
/* state: claims and the host-before snapshot as JSON under /run/x4-sriov, locked and atomic. */
#include "state.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "fileio.h"
#include "json.h"
#include "lg.h"
#include "name.h"
#include "paths.h"

#define STATE_VERSION 1

/* ---- lock ---- */

int x4_state_lock(struct x4_lock *l, struct x4_err *e)
{
	char path[PATH_MAX];
	int rc;

	l->fd = -1;
	rc = x4_mkdirs(X4_RUN_DIR, 0755, e);
	if (rc < 0)
		return rc;
	rc = x4_host_path(X4_STATE_LOCK, path, sizeof(path), e);
	if (rc < 0)
		return rc;
	l->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (l->fd < 0)
		return x4_fail(e, errno, "cannot open lock %s: %s (run as root)", X4_STATE_LOCK,
			       strerror(errno));
	while (flock(l->fd, LOCK_EX) < 0) {
		int err = errno;

		if (err == EINTR)
			continue;
		close(l->fd);
		l->fd = -1;
		return x4_fail(e, err, "cannot lock %s: %s", X4_STATE_LOCK, strerror(err));
	}
	return 0;
}

void x4_state_unlock(struct x4_lock *l)
{
	if (l && l->fd >= 0) {
		close(l->fd); /* drops the flock */
		l->fd = -1;
	}
}

/* ---- claims ---- */

void x4_state_init(struct x4_state *s)
{
	memset(s, 0, sizeof(*s));
	s->autoprobe_before = 1;
}

/* [a-z0-9_-]* : a kernel driver name we may later write into sysfs paths. */
static int state_driver_ok(const char *d)
{
	for (; *d; d++)
		if (!((*d >= 'a' && *d <= 'z') || (*d >= '0' && *d <= '9') || *d == '_' || *d == '-'))
			return 0;
	return 1;
}

static int state_uuid_ok(const char *u)
{
	if (!*u)
		return 1;
	for (int i = 0; i < 36; i++) {
		int dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? u[i] != '-' : !((u[i] >= '0' && u[i] <= '9') || (u[i] >= 'a' && u[i] <= 'f') ||
					 (u[i] >= 'A' && u[i] <= 'F')))
			return 0;
	}
	return u[36] == '\0';
}

int x4_state_claim_check(const struct x4_claim *c, struct x4_err *e)
{
	char a[X4_PCIADDR_STRLEN];
	unsigned idx;
	int rc;

	if (c->vf.slot > 0x1f || c->vf.func > 7)
		return x4_fail(e, EINVAL, "claim has an impossible PCI address");
	if (memchr(c->vm, '\0', sizeof(c->vm)) == NULL)
		return x4_fail(e, EINVAL, "claim for %s: VM name not terminated",
			       x4_pciaddr_format(&c->vf, a));
	if ((rc = x4_name_check(c->vm, e)) < 0)
		return rc;
	if (memchr(c->uuid, '\0', sizeof(c->uuid)) == NULL || !state_uuid_ok(c->uuid))
		return x4_fail(e, EINVAL, "claim for %s: uuid is not a UUID",
			       x4_pciaddr_format(&c->vf, a));
	if (memchr(c->orig_driver, '\0', sizeof(c->orig_driver)) == NULL ||
	    !state_driver_ok(c->orig_driver))
		return x4_fail(e, EINVAL, "claim for %s: driver name must be [a-z0-9_-]",
			       x4_pciaddr_format(&c->vf, a));
	if (memchr(c->lg_path, '\0', sizeof(c->lg_path)) == NULL ||
	    (c->lg_path[0] && x4_lg_device_index(c->lg_path, &idx, NULL) < 0))
		return x4_fail(e, EINVAL, "claim for %s: lg_path is not /dev/kvmfrN",
			       x4_pciaddr_format(&c->vf, a));
	return 0;
}

struct x4_claim *x4_state_find_vf(struct x4_state *s, const struct x4_pciaddr *vf)
{
	for (unsigned i = 0; i < s->n_claims; i++)
		if (x4_pciaddr_equal(&s->claims[i].vf, vf))
			return &s->claims[i];
	return NULL;
}

struct x4_claim *x4_state_find_vm(struct x4_state *s, const char *vm,
				  const struct x4_claim *after)
{
	unsigned i = after ? (unsigned)(after - s->claims) + 1 : 0;

	for (; i < s->n_claims; i++)
		if (strcmp(s->claims[i].vm, vm) == 0)
			return &s->claims[i];
	return NULL;
}

int x4_state_add(struct x4_state *s, const struct x4_claim *c, struct x4_err *e)
{
	const struct x4_claim *old;
	char a[X4_PCIADDR_STRLEN];
	int rc = x4_state_claim_check(c, e);

	if (rc < 0)
		return rc;
	old = x4_state_find_vf(s, &c->vf);
	if (old)
		return x4_fail(e, EEXIST, "VF %s is already claimed by VM '%s': stop that VM or "
			       "pick another VF", x4_pciaddr_format(&c->vf, a), old->vm);
	if (s->n_claims >= X4_STATE_MAX_CLAIMS)
		return x4_fail(e, ENOSPC, "state holds %d claims already: cannot add %s",
			       X4_STATE_MAX_CLAIMS, x4_pciaddr_format(&c->vf, a));
	s->claims[s->n_claims++] = *c;
	return 0;
}

int x4_state_remove(struct x4_state *s, const struct x4_pciaddr *vf)
{
	struct x4_claim *c = x4_state_find_vf(s, vf);
	unsigned i;

	if (!c)
		return -ENOENT;
	i = (unsigned)(c - s->claims);
	memmove(&s->claims[i], &s->claims[i + 1], (s->n_claims - i - 1) * sizeof(*c));
	s->n_claims--;
	memset(&s->claims[s->n_claims], 0, sizeof(*c));
	return 0;
}

/* ---- JSON <-> struct ---- */

static int state_claim_from_json(struct json_object *o, struct x4_claim *c, const char *where,
				 struct x4_err *e)
{
	static const char *const keys[] = { "vf",	  "vm",		 "uuid", "bound_by_us",
					    "orig_driver", "created_vfs", "lg_path", NULL };
	char vf[32];
	struct x4_err sub;
	int rc;

	memset(c, 0, sizeof(*c));
	if (!json_object_is_type(o, json_type_object))
		return x4_fail(e, EBADMSG, "%s: not an object", where);
	if ((rc = x4_json_only_keys(o, keys, where, e)) < 0 ||
	    (rc = x4_json_get_str(o, "vf", vf, sizeof(vf), where, e)) < 0 ||
	    (rc = x4_json_get_str(o, "vm", c->vm, sizeof(c->vm), where, e)) < 0 ||
	    (rc = x4_json_get_str(o, "uuid", c->uuid, sizeof(c->uuid), where, e)) < 0 ||
	    (rc = x4_json_get_bool(o, "bound_by_us", &c->bound_by_us, where, e)) < 0 ||
	    (rc = x4_json_get_str(o, "orig_driver", c->orig_driver, sizeof(c->orig_driver),
				  where, e)) < 0 ||
	    (rc = x4_json_get_bool(o, "created_vfs", &c->created_vfs, where, e)) < 0 ||
	    (json_object_object_get_ex(o, "lg_path", NULL) && /* absent before kvmfr per VM */
	     (rc = x4_json_get_str(o, "lg_path", c->lg_path, sizeof(c->lg_path), where, e)) < 0))
		return rc;
	if (x4_pciaddr_parse(vf, &c->vf, &sub) < 0)
		return x4_fail(e, EBADMSG, "%s.vf: %s", where, sub.msg);
	if (x4_state_claim_check(c, &sub) < 0)
		return x4_fail(e, EBADMSG, "%s: %s", where, sub.msg);
	return 0;
}

static int state_from_json(struct json_object *top, struct x4_state *s, struct x4_err *e)
{
	static const char *const keys[] = { "version", "before", "claims", NULL };
	static const char *const before_keys[] = { "numvfs", "autoprobe", NULL };
	struct json_object *before, *claims;
	uint64_t v = 0;
	size_t n;
	int rc;

	if ((rc = x4_json_only_keys(top, keys, "top", e)) < 0 ||
	    (rc = x4_json_get_uint(top, "version", 1000, &v, "top", e)) < 0)
		return rc;
	if (v != STATE_VERSION)
		return x4_fail(e, EBADMSG, "version %llu, this x4-sriov reads %d",
			       (unsigned long long)v, STATE_VERSION);
	if (!json_object_object_get_ex(top, "before", &before))
		return x4_fail(e, EBADMSG, "before: missing (null when unknown)");
	if (before) {
		if (!json_object_is_type(before, json_type_object))
			return x4_fail(e, EBADMSG, "before: not an object");
		if ((rc = x4_json_only_keys(before, before_keys, "before", e)) < 0 ||
		    (rc = x4_json_get_uint(before, "numvfs", 255, &v, "before", e)) < 0)
			return rc;
		s->numvfs_before = (unsigned)v;
		if ((rc = x4_json_get_bool(before, "autoprobe", &s->autoprobe_before, "before",
					   e)) < 0)
			return rc;
		s->have_before = 1;
	}
	if (!json_object_object_get_ex(top, "claims", &claims) ||
	    !json_object_is_type(claims, json_type_array))
		return x4_fail(e, EBADMSG, "claims: missing or not an array");
	n = json_object_array_length(claims);
	if (n > X4_STATE_MAX_CLAIMS)
		return x4_fail(e, EBADMSG, "claims: %zu entries, at most %d", n, X4_STATE_MAX_CLAIMS);
	for (size_t i = 0; i < n; i++) {
		struct x4_claim c;
		char where[32];

		snprintf(where, sizeof(where), "claims[%zu]", i);
		rc = state_claim_from_json(json_object_array_get_idx(claims, i), &c, where, e);
		if (rc < 0)
			return rc;
		if (x4_state_find_vf(s, &c.vf))
			return x4_fail(e, EBADMSG, "%s: VF claimed twice", where);
		s->claims[s->n_claims++] = c;
	}
	return 0;
}

int x4_state_load(struct x4_state *s, struct x4_err *e)
{
	struct json_object *top = NULL;
	struct x4_err why;
	char *buf;
	size_t len;
	int rc;

	x4_state_init(s);
	rc = x4_file_read(X4_STATE_FILE, X4_STATE_MAX_BYTES, &buf, &len, NULL, &why);
	if (rc == -ENOENT)
		return 0;
	if (rc == 0)
		rc = x4_json_parse(buf, len, &top, &why);
	if (rc == 0)
		rc = state_from_json(top, s, &why) < 0 ? -EBADMSG : 0;
	json_object_put(top);
	free(buf);
	if (rc == 0)
		return 0;
	x4_state_init(s);
	if (rc == -EBADMSG || rc == -EFBIG)
		return x4_fail(e, EBADMSG, "state file %s is damaged: %s" X4_STATE_REPAIR_HINT,
			       X4_STATE_FILE, why.msg);
	return x4_fail(e, -rc, "%s", why.msg);
}

int x4_state_set_aside(char *aside, size_t n, struct x4_err *e)
{
	char from[PATH_MAX], to[PATH_MAX], stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	int rc = x4_host_path(X4_STATE_FILE, from, sizeof(from), e);

	if (rc < 0)
		return rc;
	if (!gmtime_r(&now, &tm) || !strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm))
		snprintf(stamp, sizeof(stamp), "%lld", (long long)now);
	for (unsigned i = 0; i < 100; i++) {
		char seq[16] = "";

		if (i)
			snprintf(seq, sizeof(seq), ".%u", i);
		if (snprintf(aside, n, "%s%s%s", X4_STATE_ASIDE_PREFIX, stamp, seq) >= (int)n)
			return x4_fail(e, ENAMETOOLONG, "no room for the name of a damaged state file");
		if ((rc = x4_host_path(aside, to, sizeof(to), e)) < 0)
			return rc;
		/* link() never replaces a file: an earlier damaged copy stays as it is. */
		if (link(from, to) == 0) {
			if (unlink(from) < 0)
				return x4_fail(e, errno, "cannot remove %s after keeping it as %s: %s",
					       X4_STATE_FILE, aside, strerror(errno));
			return 0;
		}
		if (errno != EEXIST)
			return x4_fail(e, errno, "cannot keep %s as %s: %s", X4_STATE_FILE, aside,
				       strerror(errno));
	}
	return x4_fail(e, EEXIST, "too many damaged copies of %s: remove the old ones",
		       X4_STATE_FILE);
}

int x4_state_save(const struct x4_state *s, struct x4_err *e)
{
	struct json_object *top, *claims, *before = NULL;
	char a[X4_PCIADDR_STRLEN];
	int rc;

	if (s->n_claims > X4_STATE_MAX_CLAIMS)
		return x4_fail(e, EINVAL, "state has %u claims, at most %d", s->n_claims,
			       X4_STATE_MAX_CLAIMS);
	for (unsigned i = 0; i < s->n_claims; i++)
		if ((rc = x4_state_claim_check(&s->claims[i], e)) < 0)
			return rc;
	if ((rc = x4_mkdirs(X4_RUN_DIR, 0755, e)) < 0)
		return rc;
	top = json_object_new_object();
	claims = json_object_new_array();
	if (s->have_before) {
		before = json_object_new_object();
		json_object_object_add(before, "numvfs", json_object_new_int64(s->numvfs_before));
		json_object_object_add(before, "autoprobe",
				       json_object_new_boolean(s->autoprobe_before != 0));
	}
	for (unsigned i = 0; i < s->n_claims; i++) {
		const struct x4_claim *c = &s->claims[i];
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "vf", json_object_new_string(x4_pciaddr_format(&c->vf, a)));
		json_object_object_add(o, "vm", json_object_new_string(c->vm));
		json_object_object_add(o, "uuid", json_object_new_string(c->uuid));
		json_object_object_add(o, "bound_by_us", json_object_new_boolean(c->bound_by_us));
		json_object_object_add(o, "orig_driver", json_object_new_string(c->orig_driver));
		json_object_object_add(o, "created_vfs", json_object_new_boolean(c->created_vfs));
		if (c->lg_path[0])
			json_object_object_add(o, "lg_path", json_object_new_string(c->lg_path));
		json_object_array_add(claims, o);
	}
	json_object_object_add(top, "version", json_object_new_int(STATE_VERSION));
	json_object_object_add(top, "before", before);
	json_object_object_add(top, "claims", claims);
	rc = x4_json_write(X4_STATE_FILE, top, 0644, e);
	json_object_put(top);
	return rc;
}
