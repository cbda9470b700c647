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

#include "lg.h"
#include "name.h"
#include "paths.h"

#define STATE_VERSION 1
#define STATE_JSON_DEPTH 8

/* ---- files ---- */

int x4_state_mkdirs(const char *abs, mode_t mode, struct x4_err *e)
{
	char path[PATH_MAX];
	size_t rootlen = strlen(x4_root());
	struct stat st;
	int rc = x4_host_path(abs, path, sizeof(path), e);

	if (rc < 0)
		return rc;
	/* Walk the components after the root: the root itself is the caller's business. */
	for (char *p = path + rootlen + 1;; p++) {
		int last = *p == '\0';

		if (*p != '/' && !last)
			continue;
		*p = '\0';
		if (mkdir(path, mode) == 0) {
			if (chmod(path, mode) < 0)
				return x4_fail(e, errno, "cannot chmod %s: %s", path, strerror(errno));
		} else if (errno != EEXIST) {
			return x4_fail(e, errno, "cannot create directory %s: %s", path,
				       strerror(errno));
		} else if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode)) {
			return x4_fail(e, ENOTDIR, "%s exists and is not a directory: remove it", path);
		}
		if (last)
			break;
		*p = '/';
	}
	return 0;
}

int x4_state_read_file(const char *abs, size_t cap, char **buf, size_t *len, struct stat *st_out,
		       struct x4_err *e)
{
	char path[PATH_MAX];
	struct stat st;
	char *b = NULL;
	size_t got = 0;
	int fd, rc = x4_host_path(abs, path, sizeof(path), e);

	*buf = NULL;
	*len = 0;
	if (rc < 0)
		return rc;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ELOOP)
			return x4_fail(e, EBADMSG, "%s is a symlink: refusing it", abs);
		return x4_fail(e, errno, "cannot open %s: %s", abs, strerror(errno));
	}
	if (fstat(fd, &st) < 0) {
		rc = x4_fail(e, errno, "cannot stat %s: %s", abs, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = x4_fail(e, EBADMSG, "%s is not a regular file: remove it", abs);
		goto out;
	}
	if ((uint64_t)st.st_size > cap) {
		rc = x4_fail(e, EFBIG, "%s is %lld bytes, more than the %zu allowed", abs,
			     (long long)st.st_size, cap);
		goto out;
	}
	b = malloc(cap + 1);
	if (!b) {
		rc = x4_fail(e, ENOMEM, "out of memory reading %s", abs);
		goto out;
	}
	/* Read up to cap+1 bytes: the size may have grown since fstat. */
	for (;;) {
		ssize_t r = got <= cap ? read(fd, b + got, cap + 1 - got) : 0;

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = x4_fail(e, errno, "cannot read %s: %s", abs, strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	if (got > cap) {
		rc = x4_fail(e, EFBIG, "%s is more than %zu bytes", abs, cap);
		goto out;
	}
	b[got] = '\0';
	*buf = b;
	*len = got;
	b = NULL;
	if (st_out)
		*st_out = st;
	rc = 0;
out:
	free(b);
	close(fd);
	return rc;
}

static int state_write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, data, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		data += w;
		len -= (size_t)w;
	}
	return 0;
}

int x4_state_write_file(const char *abs, const char *data, size_t len, mode_t mode,
			struct x4_err *e)
{
	char path[PATH_MAX], tmp[PATH_MAX + 16], dir[PATH_MAX];
	char *slash;
	int fd, dfd, rc = x4_host_path(abs, path, sizeof(path), e);

	if (rc < 0)
		return rc;
	if (snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path) >= (int)sizeof(tmp))
		return x4_fail(e, ENAMETOOLONG, "path too long: %s", path);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return x4_fail(e, errno, "cannot create a temporary file next to %s: %s", abs,
			       strerror(errno));
	rc = fchmod(fd, mode) < 0 ? -errno : state_write_all(fd, data, len);
	if (rc == 0 && fsync(fd) < 0)
		rc = -errno;
	if (close(fd) < 0 && rc == 0)
		rc = -errno;
	if (rc == 0 && rename(tmp, path) < 0)
		rc = -errno;
	if (rc < 0) {
		unlink(tmp);
		return x4_fail(e, -rc, "cannot write %s: %s", abs, strerror(-rc));
	}
	/* Make the rename itself durable. */
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd >= 0) {
			(void)fsync(dfd); /* best effort: tmpfs /run ignores it anyway */
			close(dfd);
		}
	}
	return 0;
}

int x4_state_json_parse(const char *buf, size_t len, struct json_object **out, struct x4_err *e)
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
	tok = json_tokener_new_ex(STATE_JSON_DEPTH);
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

/* ---- lock ---- */

int x4_state_lock(struct x4_lock *l, struct x4_err *e)
{
	char path[PATH_MAX];
	int rc;

	l->fd = -1;
	rc = x4_state_mkdirs(X4_RUN_DIR, 0755, e);
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

/* A string member into out[n]: must be a JSON string without NUL that fits. */
static int state_get_str(struct json_object *o, const char *key, char *out, size_t n,
			 const char *where, struct x4_err *e)
{
	struct json_object *v;
	int len;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return x4_fail(e, EBADMSG, "%s.%s: missing or not a string", where, key);
	len = json_object_get_string_len(v);
	if (len < 0 || (size_t)len >= n || strlen(json_object_get_string(v)) != (size_t)len)
		return x4_fail(e, EBADMSG, "%s.%s: too long or holds a NUL byte", where, key);
	memcpy(out, json_object_get_string(v), (size_t)len + 1);
	return 0;
}

static int state_get_bool(struct json_object *o, const char *key, int *out, const char *where,
			  struct x4_err *e)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_boolean))
		return x4_fail(e, EBADMSG, "%s.%s: missing or not true/false", where, key);
	*out = json_object_get_boolean(v) ? 1 : 0;
	return 0;
}

static int state_get_uint(struct json_object *o, const char *key, uint64_t max, uint64_t *out,
			  const char *where, struct x4_err *e)
{
	struct json_object *v;
	int64_t x;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
		return x4_fail(e, EBADMSG, "%s.%s: missing or not an integer", where, key);
	errno = 0;
	x = json_object_get_int64(v);
	if (x < 0 || (uint64_t)x > max || errno == EINVAL)
		return x4_fail(e, EBADMSG, "%s.%s: %lld is out of range 0..%llu", where, key,
			       (long long)x, (unsigned long long)max);
	*out = (uint64_t)x;
	return 0;
}

/* Every key of o must be one of keys (NULL-terminated): typos and junk are damage. */
int x4_state_json_only_keys(struct json_object *o, const char *const *keys, const char *where,
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
	if ((rc = x4_state_json_only_keys(o, keys, where, e)) < 0 ||
	    (rc = state_get_str(o, "vf", vf, sizeof(vf), where, e)) < 0 ||
	    (rc = state_get_str(o, "vm", c->vm, sizeof(c->vm), where, e)) < 0 ||
	    (rc = state_get_str(o, "uuid", c->uuid, sizeof(c->uuid), where, e)) < 0 ||
	    (rc = state_get_bool(o, "bound_by_us", &c->bound_by_us, where, e)) < 0 ||
	    (rc = state_get_str(o, "orig_driver", c->orig_driver, sizeof(c->orig_driver), where,
				e)) < 0 ||
	    (rc = state_get_bool(o, "created_vfs", &c->created_vfs, where, e)) < 0 ||
	    (json_object_object_get_ex(o, "lg_path", NULL) && /* absent before kvmfr per VM */
	     (rc = state_get_str(o, "lg_path", c->lg_path, sizeof(c->lg_path), where, e)) < 0))
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

	if ((rc = x4_state_json_only_keys(top, keys, "top", e)) < 0 ||
	    (rc = state_get_uint(top, "version", 1000, &v, "top", e)) < 0)
		return rc;
	if (v != STATE_VERSION)
		return x4_fail(e, EBADMSG, "version %llu, this x4-sriov reads %d",
			       (unsigned long long)v, STATE_VERSION);
	if (!json_object_object_get_ex(top, "before", &before))
		return x4_fail(e, EBADMSG, "before: missing (null when unknown)");
	if (before) {
		if (!json_object_is_type(before, json_type_object))
			return x4_fail(e, EBADMSG, "before: not an object");
		if ((rc = x4_state_json_only_keys(before, before_keys, "before", e)) < 0 ||
		    (rc = state_get_uint(before, "numvfs", 255, &v, "before", e)) < 0)
			return rc;
		s->numvfs_before = (unsigned)v;
		if ((rc = state_get_bool(before, "autoprobe", &s->autoprobe_before, "before", e)) < 0)
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
	rc = x4_state_read_file(X4_STATE_FILE, X4_STATE_MAX_BYTES, &buf, &len, NULL, &why);
	if (rc == -ENOENT)
		return 0;
	if (rc == 0)
		rc = x4_state_json_parse(buf, len, &top, &why);
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
	const char *text;
	int rc;

	if (s->n_claims > X4_STATE_MAX_CLAIMS)
		return x4_fail(e, EINVAL, "state has %u claims, at most %d", s->n_claims,
			       X4_STATE_MAX_CLAIMS);
	for (unsigned i = 0; i < s->n_claims; i++)
		if ((rc = x4_state_claim_check(&s->claims[i], e)) < 0)
			return rc;
	if ((rc = x4_state_mkdirs(X4_RUN_DIR, 0755, e)) < 0)
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
	text = json_object_to_json_string_ext(top, JSON_C_TO_STRING_PRETTY |
							   JSON_C_TO_STRING_NOSLASHESCAPE);
	rc = text ? x4_state_write_file(X4_STATE_FILE, text, strlen(text), 0644, e)
		  : x4_fail(e, ENOMEM, "out of memory writing %s", X4_STATE_FILE);
	json_object_put(top);
	return rc;
}
