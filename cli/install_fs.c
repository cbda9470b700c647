/* SPDX-License-Identifier: MIT */
/* install_fs: create, edit and undo host files under the root, recorded in a JSON manifest. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "install.h"
#include "paths.h"
#include "state.h"

#define INST_MAX_FILE (64u << 20) /* x4ctl/x4-hook binaries with debug info fit */

void inst_hash(const void *data, size_t len, char out[17])
{
	const unsigned char *p = data;
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	snprintf(out, 17, "%016llx", (unsigned long long)h);
}

int inst_read_host(const char *abs, char **buf, size_t *len, struct x4_err *e)
{
	return x4_state_read_file(abs, INST_MAX_FILE, buf, len, NULL, e);
}

static const char *inst_str(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : NULL;
}

static void inst_record(struct inst *in, const char *type, const char *path, const char *hash,
			const char *target, const char *backup)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "type", json_object_new_string(type));
	json_object_object_add(o, "path", json_object_new_string(path));
	if (hash)
		json_object_object_add(o, "hash", json_object_new_string(hash));
	if (target)
		json_object_object_add(o, "target", json_object_new_string(target));
	if (backup)
		json_object_object_add(o, "backup", json_object_new_string(backup));
	json_object_array_add(in->entries, o);
}

json_object *inst_find(struct inst *in, const char *type, const char *path)
{
	size_t i;

	for (i = 0; i < json_object_array_length(in->entries); i++) {
		json_object *o = json_object_array_get_idx(in->entries, i);
		const char *t = inst_str(o, "type"), *p = inst_str(o, "path");

		if (t && p && strcmp(t, type) == 0 && strcmp(p, path) == 0)
			return o;
	}
	return NULL;
}

int inst_manifest_load(struct inst *in, struct x4_err *e)
{
	json_object *root = NULL, *arr;
	size_t len = 0;
	char *buf = NULL;
	int rc = x4_state_read_file(INST_MANIFEST, 4u << 20, &buf, &len, NULL, e);

	in->entries = json_object_new_array();
	in->loaded = NULL;
	if (rc == -ENOENT) {
		in->loaded = strdup("");
		x4_err_clear(e);
		return 0;
	}
	if (rc < 0)
		return rc;
	rc = x4_state_json_parse(buf, len, &root, e);
	if (rc < 0 || !json_object_object_get_ex(root, "entries", &arr) ||
	    !json_object_is_type(arr, json_type_array)) {
		free(buf);
		json_object_put(root);
		return x4_fail(e, EBADMSG,
			       INST_MANIFEST
			       " is damaged: x4ctl cannot tell what it "
			       "installed; restore it from a backup or remove the files by hand");
	}
	json_object_put(in->entries);
	in->entries = json_object_get(arr);
	json_object_put(root);
	in->loaded = buf;
	return 0;
}

static char *inst_manifest_text(struct inst *in)
{
	json_object *root = json_object_new_object();
	char *s;

	json_object_object_add(root, "version", json_object_new_int(1));
	json_object_object_add(root, "entries", json_object_get(in->entries));
	s = strdup(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
							    JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(root);
	return s;
}

int inst_manifest_save(struct inst *in, struct x4_err *e)
{
	char *s;
	int rc = 0;

	if (in->dry_run)
		return 0;
	s = inst_manifest_text(in);
	if (!s)
		return x4_fail(e, ENOMEM, "out of memory");
	/* Unchanged: do not even rewrite it, so a second install changes no byte. */
	if (!in->loaded || strcmp(s, in->loaded) != 0) {
		rc = inst_mkdirs(in, INST_STATE_DIR, e);
		free(s);
		s = inst_manifest_text(in); /* mkdirs may have recorded the directory */
		if (rc == 0)
			rc = x4_state_write_file(INST_MANIFEST, s, strlen(s), 0644, e);
	}
	free(s);
	return rc;
}

int inst_mkdirs(struct inst *in, const char *abs, struct x4_err *e)
{
	char part[PATH_MAX], real[PATH_MAX];
	size_t i, n = strlen(abs);
	struct stat st;

	if (n >= sizeof(part))
		return x4_fail(e, ENAMETOOLONG, "path too long: %s", abs);
	for (i = 1; i <= n; i++) {
		if (abs[i] != '/' && abs[i] != '\0')
			continue;
		memcpy(part, abs, i);
		part[i] = '\0';
		if (x4_host_path(part, real, sizeof(real), e) < 0)
			return -EINVAL;
		if (stat(real, &st) == 0) {
			if (!S_ISDIR(st.st_mode))
				return x4_fail(e, ENOTDIR, "%s is not a directory: move it away",
					       part);
			continue;
		}
		if (in->dry_run) {
			printf("would create directory %s\n", part);
			continue;
		}
		if (mkdir(real, 0755) < 0 && errno != EEXIST)
			return x4_fail(e, errno, "cannot create %s: %s", part, strerror(errno));
		chmod(real, 0755); /* not the umask's choice */
		inst_record(in, "dir", part, NULL, NULL, NULL);
		in->changed++;
	}
	return 0;
}

static int inst_parent(struct inst *in, const char *abs, struct x4_err *e)
{
	char dir[PATH_MAX];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", abs);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	return inst_mkdirs(in, dir, e);
}

int inst_file(struct inst *in, const char *abs, const void *data, size_t len, mode_t mode,
	      int keep_user, struct x4_err *e)
{
	json_object *rec = inst_find(in, "file", abs);
	char *cur = NULL, hash[17], curhash[17];
	size_t clen = 0;
	struct stat st;
	char real[PATH_MAX];
	int rc;

	inst_hash(data, len, hash);
	if (x4_host_path(abs, real, sizeof(real), e) < 0)
		return -EINVAL;
	if (lstat(real, &st) == 0) {
		rc = S_ISREG(st.st_mode) ? inst_read_host(abs, &cur, &clen, e) : -EEXIST;
		if (rc == 0 && clen == len && memcmp(cur, data, len) == 0 &&
		    (st.st_mode & 07777) == mode) {
			free(cur);
			return 0; /* already as it should be */
		}
		if (rc == 0)
			inst_hash(cur, clen, curhash);
		free(cur);
		if (!rec || keep_user) {
			printf("keeping %s: it exists and is %s\n", abs,
			       rec ? "edited by you" : "not from x4ctl install");
			return 0;
		}
		if (rc < 0 || strcmp(curhash, inst_str(rec, "hash") ? inst_str(rec, "hash") : "")) {
			printf("keeping %s: changed since x4ctl install wrote it\n", abs);
			return 0;
		}
	}
	if (in->dry_run) {
		printf("would %s %s (mode %04o)\n", rec ? "update" : "create", abs, (unsigned)mode);
		return 0;
	}
	rc = inst_parent(in, abs, e);
	if (rc == 0)
		rc = x4_state_write_file(abs, data, len, mode, e);
	if (rc < 0)
		return rc;
	if (rec)
		json_object_object_add(rec, "hash", json_object_new_string(hash));
	else
		inst_record(in, "file", abs, hash, NULL, NULL);
	printf("%s %s\n", rec ? "updated" : "created", abs);
	in->changed++;
	return 0;
}

int inst_link(struct inst *in, const char *abs, const char *target, struct x4_err *e)
{
	char real[PATH_MAX], cur[PATH_MAX];
	ssize_t n;

	if (x4_host_path(abs, real, sizeof(real), e) < 0)
		return -EINVAL;
	n = readlink(real, cur, sizeof(cur) - 1);
	if (n >= 0) {
		cur[n] = '\0';
		if (strcmp(cur, target) == 0)
			return 0;
	}
	if (n >= 0 || access(real, F_OK) == 0 || errno != ENOENT) {
		printf("keeping %s: it exists and is not from x4ctl install\n", abs);
		return 0;
	}
	if (in->dry_run) {
		printf("would link %s -> %s\n", abs, target);
		return 0;
	}
	if (inst_parent(in, abs, e) < 0)
		return -EIO;
	if (symlink(target, real) < 0)
		return x4_fail(e, errno, "cannot create the link %s: %s", abs, strerror(errno));
	inst_record(in, "link", abs, NULL, target, NULL);
	printf("linked %s -> %s\n", abs, target);
	in->changed++;
	return 0;
}

/* "/etc/libvirt/qemu.conf" -> INST_BACKUP_DIR "/etc%2Flibvirt%2Fqemu.conf"-style flat name. */
static void inst_backup_name(const char *abs, char *out, size_t n)
{
	size_t o = (size_t)snprintf(out, n, INST_BACKUP_DIR "/");

	for (abs++; *abs && o + 4 < n; abs++) {
		if (*abs == '/') {
			out[o++] = '%';
			out[o++] = '2';
			out[o++] = 'F';
		} else {
			out[o++] = *abs;
		}
	}
	out[o] = '\0';
}

int inst_edit(struct inst *in, const char *abs, inst_edit_fn edit, const char *what,
	      struct x4_err *e)
{
	json_object *rec = inst_find(in, "edit", abs);
	char *cur = NULL, *neu = NULL, hash[17], backup[PATH_MAX];
	size_t clen = 0, nlen = 0;
	struct stat st;
	char real[PATH_MAX];
	int rc;

	if (x4_host_path(abs, real, sizeof(real), e) < 0)
		return -EINVAL;
	rc = x4_state_read_file(abs, INST_MAX_FILE, &cur, &clen, &st, e);
	if (rc < 0)
		return rc;
	rc = edit(cur, clen, &neu, &nlen, e);
	if (rc <= 0) {
		free(cur);
		return rc; /* error, or nothing to add */
	}
	if (in->dry_run) {
		printf("would edit %s: %s (backup in " INST_BACKUP_DIR ")\n", abs, what);
		free(cur);
		free(neu);
		return 0;
	}
	inst_backup_name(abs, backup, sizeof(backup));
	/* The first edit keeps the pristine file; later ones keep that backup. */
	if (!rec) {
		rc = inst_mkdirs(in, INST_BACKUP_DIR, e);
		if (rc == 0)
			rc = x4_state_write_file(backup, cur, clen, 0600, e);
		if (rc < 0)
			goto out;
	}
	rc = x4_state_write_file(abs, neu, nlen, st.st_mode & 07777, e);
	if (rc < 0)
		goto out;
	if (chown(real, st.st_uid, st.st_gid) < 0) {
		rc = x4_fail(e, errno, "cannot keep the owner of %s: %s", abs, strerror(errno));
		goto out;
	}
	inst_hash(neu, nlen, hash);
	if (rec)
		json_object_object_add(rec, "hash", json_object_new_string(hash));
	else
		inst_record(in, "edit", abs, hash, NULL, backup);
	printf("edited %s: %s\n", abs, what);
	in->changed++;
out:
	free(cur);
	free(neu);
	return rc;
}

static int inst_undo_one(json_object *o)
{
	const char *t = inst_str(o, "type"), *p = inst_str(o, "path");
	const char *h = inst_str(o, "hash"), *target = inst_str(o, "target");
	const char *b = inst_str(o, "backup");
	char real[PATH_MAX], cur[PATH_MAX], hash[17];
	struct x4_err e;
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
	ssize_t n;

	if (!t || !p || x4_host_path(p, real, sizeof(real), &e) < 0)
		return -EINVAL;
	if (strcmp(t, "dir") == 0) {
		if (rmdir(real) < 0 && errno != ENOENT) {
			printf("keeping directory %s: %s\n", p, strerror(errno));
			return -errno;
		}
		printf("removed directory %s\n", p);
		return 0;
	}
	if (strcmp(t, "link") == 0) {
		n = readlink(real, cur, sizeof(cur) - 1);
		if (n < 0)
			return 0;
		cur[n] = '\0';
		if (!target || strcmp(cur, target) != 0) {
			printf("keeping %s: it no longer points at %s\n", p, target ? target : "?");
			return -EEXIST;
		}
		unlink(real);
		printf("removed %s\n", p);
		return 0;
	}
	if (x4_state_read_file(p, INST_MAX_FILE, &buf, &len, &st, &e) < 0) {
		if (e.code == ENOENT && strcmp(t, "file") == 0)
			return 0;
		printf("cannot undo %s: %s\n", p, e.msg);
		return -EIO;
	}
	inst_hash(buf, len, hash);
	free(buf);
	if (!h || strcmp(hash, h) != 0) {
		printf("keeping %s: changed since x4ctl install%s%s\n", p,
		       b ? "; the original is in " : "", b ? b : "");
		return -EEXIST;
	}
	if (strcmp(t, "file") == 0) {
		unlink(real);
		printf("removed %s\n", p);
		return 0;
	}
	/* edit: put the original bytes back, with the file's mode and owner. */
	if (!b || x4_state_read_file(b, INST_MAX_FILE, &buf, &len, NULL, &e) < 0) {
		printf("cannot restore %s: backup %s unreadable\n", p, b ? b : "(none)");
		return -EIO;
	}
	if (x4_state_write_file(p, buf, len, st.st_mode & 07777, &e) < 0 ||
	    chown(real, st.st_uid, st.st_gid) < 0) {
		free(buf);
		printf("cannot restore %s: %s\n", p, e.msg);
		return -EIO;
	}
	free(buf);
	if (x4_host_path(b, real, sizeof(real), &e) == 0)
		unlink(real);
	printf("restored %s\n", p);
	return 0;
}

unsigned inst_undo_all(struct inst *in)
{
	size_t n = json_object_array_length(in->entries), i;
	unsigned char *failed = calloc(n + 1, 1);
	unsigned bad = 0;
	char real[PATH_MAX];
	struct x4_err e;

	if (!failed)
		return 1;
	/* The manifest goes before the directories that hold it. */
	if (x4_host_path(INST_MANIFEST, real, sizeof(real), &e) == 0)
		unlink(real);
	for (i = n; i-- > 0;)
		if (inst_undo_one(json_object_array_get_idx(in->entries, i)) < 0) {
			failed[i] = 1;
			bad++;
		}
	if (bad) {
		/* What is left stays recorded, in its order, so a later uninstall can finish;
		 * directories made again for the manifest are recorded too. */
		json_object *left = json_object_new_array();
		char *s;

		for (i = 0; i < n; i++)
			if (failed[i])
				json_object_array_add(
				    left,
				    json_object_get(json_object_array_get_idx(in->entries, i)));
		json_object_put(in->entries);
		in->entries = left;
		in->dry_run = 0;
		if (inst_mkdirs(in, INST_STATE_DIR, &e) == 0 && (s = inst_manifest_text(in))) {
			x4_state_write_file(INST_MANIFEST, s, strlen(s), 0644, &e);
			free(s);
		}
		printf("kept " INST_MANIFEST " listing the %u item(s) left\n", bad);
	}
	free(failed);
	return bad;
}
