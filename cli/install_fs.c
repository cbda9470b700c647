/* SPDX-License-Identifier: MIT */
/* install_fs: create, edit and undo host files under the root, each change journaled before
 * it is made. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apparmor.h"
#include "fileio.h"
#include "install.h"
#include "json.h"
#include "paths.h"

#define INST_MAX_FILE (64u << 20) /* x4ctl/x4-hook binaries with debug info fit */

const char *inst_manifest = INST_STATE_DIR "/install.json";
const char *inst_backup_dir = INST_STATE_DIR "/backup";

void inst_use_packaged(void)
{
	inst_manifest = INST_STATE_DIR "/package.json";
	inst_backup_dir = INST_STATE_DIR "/package-backup";
}

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

/* What to do about a failed write or mkdir. */
static const char *inst_fix(int err)
{
	switch (err) {
	case ENOSPC:
	case EDQUOT:
		return ": free some space there, then run x4ctl install again";
	case EROFS:
		return ": remount it read-write, then run x4ctl install again";
	case EACCES:
	case EPERM:
		return x4_aa_enabled() ? ": " X4_AA_HINT : ": run it as root (sudo)";
	default:
		return "";
	}
}

const char *inst_show(const char *abs)
{
	static char buf[4][PATH_MAX];
	static unsigned k;
	char *b = buf[k++ % 4];

	snprintf(b, PATH_MAX, "%s%s", x4_root(), abs);
	return b;
}

int inst_read_host(const char *abs, char **buf, size_t *len, struct x4_err *e)
{
	return x4_file_read(abs, INST_MAX_FILE, buf, len, NULL, e);
}

json_object *inst_find(struct inst *in, const char *type, const char *path)
{
	size_t i;

	for (i = 0; i < json_object_array_length(in->entries); i++) {
		json_object *o = json_object_array_get_idx(in->entries, i);
		const char *t = x4_json_str_or_null(o, "type"), *p = x4_json_str_or_null(o, "path");

		if (t && p && strcmp(t, type) == 0 && strcmp(p, path) == 0)
			return o;
	}
	return NULL;
}

unsigned inst_done_count(struct inst *in)
{
	size_t i;
	unsigned n = 0;

	for (i = 0; i < json_object_array_length(in->entries); i++)
		n += !x4_json_int_or_0(json_object_array_get_idx(in->entries, i), "found");
	return n;
}

int inst_manifest_load(struct inst *in, struct x4_err *e)
{
	json_object *root = NULL, *arr;
	size_t len = 0;
	char *buf = NULL;
	int rc = x4_file_read(INST_MANIFEST, 4u << 20, &buf, &len, NULL, e);

	in->entries = json_object_new_array();
	in->saved = NULL;
	in->open = 0;
	if (rc == -ENOENT) {
		in->saved = strdup("");
		x4_err_clear(e);
		return 0;
	}
	if (rc < 0)
		return x4_fail(e, -rc, "cannot read %s: %s: fix it, then run x4ctl again",
			       inst_show(INST_MANIFEST), strerror(-rc));
	rc = x4_json_parse(buf, len, &root, e);
	if (rc < 0 || !json_object_object_get_ex(root, "entries", &arr) ||
	    !json_object_is_type(arr, json_type_array)) {
		free(buf);
		json_object_put(root);
		return x4_fail(e, EBADMSG,
			       "%s is damaged: x4ctl cannot tell what it installed; restore it "
			       "from a backup or remove the files by hand",
			       inst_show(INST_MANIFEST));
	}
	json_object_put(in->entries);
	in->entries = json_object_get(arr);
	json_object_put(root);
	in->saved = buf;
	in->open = 1;
	return 0;
}

static char *inst_manifest_text(struct inst *in)
{
	json_object *root = json_object_new_object();
	char *s;

	json_object_object_add(root, "version", json_object_new_int(2));
	json_object_object_add(root, "entries", json_object_get(in->entries));
	s = strdup(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
							    JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(root);
	return s;
}

/* Write the journal when it differs from what is on disk. */
static int inst_save(struct inst *in, struct x4_err *e)
{
	char *s = inst_manifest_text(in);
	struct x4_err we;

	if (!s)
		return x4_fail(e, ENOMEM, "out of memory");
	if (in->saved && strcmp(s, in->saved) == 0) {
		free(s);
		return 0;
	}
	if (x4_file_write(INST_MANIFEST, s, strlen(s), 0644, &we) < 0) {
		free(s);
		return x4_fail(e, we.code, "cannot write the install journal %s: %s%s",
			       inst_show(INST_MANIFEST), strerror(we.code), inst_fix(we.code));
	}
	free(in->saved);
	in->saved = s;
	return 0;
}

static json_object *inst_entry(const char *type, const char *path)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "type", json_object_new_string(type));
	json_object_object_add(o, "path", json_object_new_string(path));
	return o;
}

static void inst_set(json_object *o, const char *key, const char *val)
{
	json_object_object_add(o, key, json_object_new_string(val));
}

static void inst_set_int(json_object *o, const char *key, int val)
{
	json_object_object_add(o, key, json_object_new_int(val));
}

/* Drop entry o from the journal (a change that was not made after all). */
static void inst_drop(struct inst *in, json_object *o)
{
	size_t i;
	struct x4_err e;

	for (i = 0; i < json_object_array_length(in->entries); i++)
		if (json_object_array_get_idx(in->entries, i) == o) {
			json_object_array_del_idx(in->entries, i, 1);
			if (in->open)
				inst_save(in, &e);
			return;
		}
}

static int inst_journal_open(struct inst *in, struct x4_err *e);

/* Journal o (taking it) before the change it names is made; nothing is changed on failure. */
static int inst_journal(struct inst *in, json_object *o, struct x4_err *e)
{
	int rc = inst_journal_open(in, e);

	if (rc < 0) {
		json_object_put(o);
		return rc;
	}
	json_object_array_add(in->entries, o);
	rc = inst_save(in, e);
	if (rc < 0)
		json_object_array_del_idx(in->entries, json_object_array_length(in->entries) - 1,
					  1);
	return rc;
}

/* The journal's own directories are made first and journaled with the first write, so they are
 * its oldest entries and uninstall removes them last. */
static int inst_journal_open(struct inst *in, struct x4_err *e)
{
	const char *abs = INST_STATE_DIR;
	char part[PATH_MAX], real[PATH_MAX], made[8][PATH_MAX];
	size_t i, n = strlen(abs), k = 0;
	struct stat st;
	int rc = 0;

	if (in->open)
		return 0;
	for (i = 1; i <= n && rc == 0; i++) {
		if (abs[i] != '/' && abs[i] != '\0')
			continue;
		memcpy(part, abs, i);
		part[i] = '\0';
		if (x4_host_path(part, real, sizeof(real), e) < 0)
			return -EINVAL;
		if (stat(real, &st) == 0 && S_ISDIR(st.st_mode))
			continue;
		if (mkdir(real, 0755) < 0 || k >= 8)
			rc = x4_fail(e, errno, "cannot create %s: %s%s", inst_show(part),
				     strerror(errno), inst_fix(errno));
		else
			snprintf(made[k++], PATH_MAX, "%s", part);
	}
	for (i = 0; rc == 0 && i < k; i++) {
		json_object *o = inst_entry("dir", made[i]);

		json_object_array_add(in->entries, o);
		x4_host_path(made[i], real, sizeof(real), NULL);
		chmod(real, 0755); /* not the umask's choice */
	}
	if (rc == 0)
		rc = inst_save(in, e);
	if (rc < 0) { /* nothing journaled: take back the directories made here */
		json_object_array_del_idx(in->entries, 0, json_object_array_length(in->entries));
		while (k-- > 0)
			if (x4_host_path(made[k], real, sizeof(real), NULL) == 0)
				rmdir(real);
		return rc;
	}
	in->open = 1;
	in->changed += (unsigned)k;
	return 0;
}

int inst_mkdirs(struct inst *in, const char *abs, struct x4_err *e)
{
	char part[PATH_MAX], real[PATH_MAX];
	size_t i, n = strlen(abs);
	struct stat st;
	int rc;

	if (n >= sizeof(part))
		return x4_fail(e, ENAMETOOLONG, "path too long: %s", inst_show(abs));
	for (i = 1; i <= n; i++) {
		json_object *o;

		if (abs[i] != '/' && abs[i] != '\0')
			continue;
		memcpy(part, abs, i);
		part[i] = '\0';
		if (x4_host_path(part, real, sizeof(real), e) < 0)
			return -EINVAL;
		if (stat(real, &st) == 0) {
			if (!S_ISDIR(st.st_mode))
				return x4_fail(e, ENOTDIR, "%s is not a directory: move it away",
					       inst_show(part));
			continue;
		}
		if (in->dry_run) {
			printf("would create directory %s\n", inst_show(part));
			continue;
		}
		o = inst_entry("dir", part);
		if ((rc = inst_journal(in, o, e)) < 0)
			return rc;
		if (mkdir(real, 0755) < 0 && errno != EEXIST) {
			rc = x4_fail(e, errno, "cannot create %s: %s%s", inst_show(part),
				     strerror(errno), inst_fix(errno));
			inst_drop(in, o);
			return rc;
		}
		chmod(real, 0755); /* not the umask's choice */
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

/* A file or link that was already as it should be, journaled once as found: uninstall leaves
 * it, since install did not make it. */
static int inst_found(struct inst *in, const char *type, const char *abs, struct x4_err *e)
{
	json_object *o;

	if (in->dry_run || inst_find(in, type, abs))
		return 0;
	o = inst_entry(type, abs);
	inst_set_int(o, "found", 1);
	return inst_journal(in, o, e);
}

/* Write data to abs; the message names the real path and the cause. */
static int inst_write(const char *abs, const void *data, size_t len, mode_t mode,
		      struct x4_err *e)
{
	struct x4_err we;

	if (x4_file_write(abs, data, len, mode, &we) < 0)
		return x4_fail(e, we.code, "cannot write %s: %s%s", inst_show(abs),
			       strerror(we.code), inst_fix(we.code));
	return 0;
}

int inst_file(struct inst *in, const char *abs, const void *data, size_t len, mode_t mode,
	      int keep_user, struct x4_err *e)
{
	json_object *rec = inst_find(in, "file", abs), *o = NULL;
	char *cur = NULL, hash[17], curhash[17] = "";
	const char *was;
	size_t clen = 0;
	struct stat st;
	char real[PATH_MAX];
	int rc, ours;

	inst_hash(data, len, hash);
	if (x4_host_path(abs, real, sizeof(real), e) < 0)
		return -EINVAL;
	ours = rec && !x4_json_int_or_0(rec, "found");
	if (lstat(real, &st) == 0) {
		rc = S_ISREG(st.st_mode) ? inst_read_host(abs, &cur, &clen, NULL) : -EEXIST;
		if (rc == 0 && clen == len && memcmp(cur, data, len) == 0 &&
		    (st.st_mode & 07777) == mode) {
			free(cur);
			return inst_found(in, "file", abs, e); /* already as it should be */
		}
		if (rc == 0)
			inst_hash(cur, clen, curhash);
		free(cur);
		if (!ours || keep_user) {
			printf("keeping %s: it exists and is %s\n", inst_show(abs),
			       ours ? "edited by you" : "not from x4ctl install");
			return 0;
		}
		was = x4_json_str_or_null(rec, "hash");
		if (rc < 0 || strcmp(curhash, was ? was : "") != 0) {
			printf("keeping %s: changed since x4ctl install wrote it\n",
			       inst_show(abs));
			return 0;
		}
	}
	if (in->dry_run) {
		printf("would %s %s (mode %04o)\n", ours ? "update" : "create", inst_show(abs),
		       (unsigned)mode);
		return 0;
	}
	if ((rc = inst_parent(in, abs, e)) < 0)
		return rc;
	if (ours) { /* the journal accepts the old bytes or the new until the write is done */
		inst_set(rec, "old", curhash);
		inst_set(rec, "hash", hash);
		rc = inst_save(in, e);
	} else {
		o = inst_entry("file", abs);
		inst_set(o, "hash", hash);
		rc = inst_journal(in, o, e);
	}
	if (rc == 0)
		rc = inst_write(abs, data, len, mode, e);
	if (rc < 0) {
		if (o)
			inst_drop(in, o);
		return rc;
	}
	printf("%s %s\n", ours ? "updated" : "created", inst_show(abs));
	in->changed++;
	return 0;
}

int inst_lexists(const char *abs, char *target, size_t n)
{
	char real[PATH_MAX];
	struct stat st;
	ssize_t l;

	target[0] = '\0';
	if (x4_host_path(abs, real, sizeof(real), NULL) < 0 || lstat(real, &st) < 0)
		return 0;
	if (S_ISLNK(st.st_mode) && (l = readlink(real, target, n - 1)) >= 0)
		target[l] = '\0';
	return 1;
}

int inst_link(struct inst *in, const char *abs, const char *target, struct x4_err *e)
{
	char real[PATH_MAX], cur[PATH_MAX];
	json_object *o;
	int rc;

	if (x4_host_path(abs, real, sizeof(real), e) < 0)
		return -EINVAL;
	if (inst_lexists(abs, cur, sizeof(cur))) {
		if (strcmp(cur, target) == 0)
			return inst_found(in, "link", abs, e);
		printf("keeping %s: it exists and is not from x4ctl install\n", inst_show(abs));
		return 0;
	}
	if (in->dry_run) {
		printf("would link %s -> %s\n", inst_show(abs), target);
		return 0;
	}
	if ((rc = inst_parent(in, abs, e)) < 0)
		return rc;
	o = inst_entry("link", abs);
	inst_set(o, "target", target);
	if ((rc = inst_journal(in, o, e)) < 0)
		return rc;
	if (symlink(target, real) < 0) {
		rc = x4_fail(e, errno, "cannot create the link %s: %s%s", inst_show(abs),
			     strerror(errno), inst_fix(errno));
		inst_drop(in, o);
		return rc;
	}
	printf("linked %s -> %s\n", inst_show(abs), target);
	in->changed++;
	return 0;
}

/* "/etc/libvirt/qemu.conf" -> INST_BACKUP_DIR "/etc%2Flibvirt%2Fqemu.conf"-style flat name. */
static void inst_backup_name(const char *abs, char *out, size_t n)
{
	size_t o = (size_t)snprintf(out, n, "%s/", INST_BACKUP_DIR);

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

/* Read abs for a change; the message names the real path. */
static int inst_read_for_edit(const char *abs, char **cur, size_t *clen, struct stat *st,
			      struct x4_err *e)
{
	struct x4_err re;
	int rc = x4_file_read(abs, INST_MAX_FILE, cur, clen, st, &re);

	if (rc == -EBADMSG)
		return x4_fail(e, EBADMSG,
			       "%s is a symbolic link or not a regular file: x4ctl edits only "
			       "regular files; replace it with the file it stands for",
			       inst_show(abs));
	if (rc < 0)
		return x4_fail(e, -rc, "cannot read %s: %s", inst_show(abs), strerror(-rc));
	return 0;
}

/* Replace abs with data, keeping mode and owner. */
static int inst_rewrite(const char *abs, const char *data, size_t len, const struct stat *st,
			struct x4_err *e)
{
	char real[PATH_MAX];
	int rc = inst_write(abs, data, len, st->st_mode & 07777, e);

	if (rc == 0 && x4_host_path(abs, real, sizeof(real), e) == 0 &&
	    chown(real, st->st_uid, st->st_gid) < 0)
		rc = x4_fail(e, errno, "cannot keep the owner of %s: %s", inst_show(abs),
			     strerror(errno));
	return rc;
}

int inst_edit(struct inst *in, const char *abs, inst_edit_fn edit, const char *what,
	      struct x4_err *e)
{
	json_object *rec = inst_find(in, "edit", abs), *o = NULL;
	char *cur = NULL, *neu = NULL, hash[17], orig[17], backup[PATH_MAX];
	size_t clen = 0, nlen = 0;
	struct stat st;
	int rc;

	if ((rc = inst_read_for_edit(abs, &cur, &clen, &st, e)) < 0)
		return rc;
	rc = edit(cur, clen, &neu, &nlen, e);
	if (rc <= 0) {
		free(cur);
		return rc; /* error, or nothing to add */
	}
	inst_backup_name(abs, backup, sizeof(backup));
	if (in->dry_run) {
		printf("would edit %s: %s (the original kept in %s)\n", inst_show(abs), what,
		       inst_show(backup));
		goto out;
	}
	inst_hash(neu, nlen, hash);
	inst_hash(cur, clen, orig);
	/* The first edit keeps the pristine file; later ones keep that backup. */
	if (!rec) {
		if ((rc = inst_mkdirs(in, INST_BACKUP_DIR, e)) < 0)
			goto out;
		o = inst_entry("edit", abs);
		inst_set(o, "orig", orig);
		inst_set(o, "hash", hash);
		inst_set(o, "backup", backup);
		if ((rc = inst_journal(in, o, e)) < 0) {
			o = NULL;
			goto out;
		}
		rc = inst_write(backup, cur, clen, 0600, e);
	} else {
		inst_set(rec, "old", x4_json_str_or_null(rec, "hash") ? x4_json_str_or_null(rec, "hash") : "");
		inst_set(rec, "hash", hash);
		rc = inst_save(in, e);
	}
	if (rc == 0)
		rc = inst_rewrite(abs, neu, nlen, &st, e);
	if (rc < 0)
		goto out;
	printf("edited %s: %s\n", inst_show(abs), what);
	in->changed++;
	o = NULL;
out:
	if (o) { /* not edited after all: the backup and its entry go */
		char real[PATH_MAX];

		if (x4_host_path(backup, real, sizeof(real), NULL) == 0)
			unlink(real);
		inst_drop(in, o);
	}
	free(cur);
	free(neu);
	return rc;
}

int inst_block(struct inst *in, const char *abs, const char *block, struct x4_err *e)
{
	json_object *rec = inst_find(in, "block", abs), *o = NULL;
	char *cur = NULL, *neu = NULL, real[PATH_MAX];
	size_t clen = 0, nlen = 0;
	struct stat st = {.st_mode = 0644, .st_uid = 0, .st_gid = 0};
	int rc, created = 0, sep = 0;

	if (x4_host_path(abs, real, sizeof(real), e) < 0)
		return -EINVAL;
	if (lstat(real, &st) < 0 && errno == ENOENT) {
		created = 1;
		st.st_mode = 0644;
		st.st_uid = getuid();
		st.st_gid = getgid();
		cur = strdup("");
	} else if ((rc = inst_read_for_edit(abs, &cur, &clen, &st, e)) < 0) {
		return rc;
	}
	if (!cur)
		return x4_fail(e, ENOMEM, "out of memory");
	rc = x4_aa_block_set(cur, clen, block, &neu, &nlen, &sep);
	if (rc <= 0) {
		free(cur);
		return rc == 0 ? 0 : x4_fail(e, ENOMEM, "out of memory");
	}
	if (in->dry_run) {
		printf("would %s %s: x4-sriov's AppArmor rules\n", created ? "create" : "add to",
		       inst_show(abs));
		goto out;
	}
	if (created && (rc = inst_parent(in, abs, e)) < 0)
		goto out;
	if (!rec) {
		o = inst_entry("block", abs);
		inst_set_int(o, "created", created);
		inst_set_int(o, "sep", sep);
		if ((rc = inst_journal(in, o, e)) < 0)
			goto out;
	}
	rc = inst_rewrite(abs, neu, nlen, &st, e);
	if (rc < 0) {
		if (o)
			inst_drop(in, o);
		goto out;
	}
	printf("%s %s: x4-sriov's AppArmor rules\n", rec ? "updated" : created ? "created" : "added to",
	       inst_show(abs));
	in->changed++;
	in->aa_blocks++;
out:
	free(cur);
	free(neu);
	return rc;
}

/* --- uninstall ---------------------------------------------------------------------------- */

/* KEPT: a file the user changed, left and counted; LEFT: a directory that still holds files
 * (theirs, or kept ones), left without a word more. */
enum undo { UNDO_DONE, UNDO_KEPT, UNDO_LEFT, UNDO_FAIL };

static enum undo inst_undo_dir(const char *p, const char *real)
{
	if (rmdir(real) == 0 || errno == ENOENT) {
		printf("removed directory %s\n", inst_show(p));
		return UNDO_DONE;
	}
	if (errno == ENOTEMPTY || errno == EEXIST) {
		printf("keeping directory %s: it holds files that are not ours\n", inst_show(p));
		return UNDO_LEFT;
	}
	printf("cannot remove directory %s: %s\n", inst_show(p), strerror(errno));
	return UNDO_FAIL;
}

static enum undo inst_undo_link(json_object *o, const char *p, const char *real)
{
	const char *target = x4_json_str_or_null(o, "target");
	char cur[PATH_MAX];
	ssize_t n = readlink(real, cur, sizeof(cur) - 1);

	if (n < 0)
		return UNDO_DONE; /* gone, or never made */
	cur[n] = '\0';
	if (!target || strcmp(cur, target) != 0) {
		printf("keeping %s: it no longer points at %s\n", inst_show(p),
		       target ? target : "?");
		return UNDO_KEPT;
	}
	if (unlink(real) < 0) {
		printf("cannot remove %s: %s\n", inst_show(p), strerror(errno));
		return UNDO_FAIL;
	}
	printf("removed %s\n", inst_show(p));
	return UNDO_DONE;
}

static enum undo inst_undo_block(json_object *o, const char *p, const char *real, unsigned *aa)
{
	char *buf = NULL, *neu = NULL;
	size_t len = 0, nlen = 0;
	struct stat st;
	struct x4_err e;
	int rc = x4_file_read(p, INST_MAX_FILE, &buf, &len, &st, &e);

	if (rc == -ENOENT)
		return UNDO_DONE;
	if (rc < 0) {
		printf("cannot remove x4-sriov's AppArmor rules from %s: %s\n", inst_show(p), e.msg);
		return UNDO_FAIL;
	}
	rc = x4_aa_block_remove(buf, len, x4_json_int_or_0(o, "sep"), &neu, &nlen);
	free(buf);
	if (rc == 0)
		return UNDO_DONE;
	if (rc < 0)
		return UNDO_FAIL;
	if (x4_json_int_or_0(o, "created") && nlen == 0)
		rc = unlink(real) < 0 ? x4_fail(&e, errno, "%s", strerror(errno)) : 0;
	else
		rc = inst_rewrite(p, neu, nlen, &st, &e);
	free(neu);
	if (rc < 0) {
		printf("cannot remove x4-sriov's AppArmor rules from %s: %s\n", inst_show(p), e.msg);
		return UNDO_FAIL;
	}
	printf("removed x4-sriov's AppArmor rules from %s\n", inst_show(p));
	(*aa)++;
	return UNDO_DONE;
}

static int inst_hash_is(json_object *o, const char *key, const char *hash)
{
	const char *h = x4_json_str_or_null(o, key);

	return h && strcmp(h, hash) == 0;
}

static enum undo inst_undo_file(json_object *o, const char *t, const char *p, const char *real)
{
	const char *b = x4_json_str_or_null(o, "backup");
	char hash[17], breal[PATH_MAX];
	struct x4_err e;
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
	int rc = x4_file_read(p, INST_MAX_FILE, &buf, &len, &st, &e);

	if (rc == -ENOENT && strcmp(t, "file") == 0)
		return UNDO_DONE;
	if (rc < 0) {
		printf("cannot undo %s: %s\n", inst_show(p), e.msg);
		return UNDO_FAIL;
	}
	inst_hash(buf, len, hash);
	free(buf);
	if (strcmp(t, "edit") == 0 && inst_hash_is(o, "orig", hash)) {
		/* never edited (a failure in between), or already restored */
		if (b && x4_host_path(b, breal, sizeof(breal), NULL) == 0)
			unlink(breal);
		return UNDO_DONE;
	}
	if (!inst_hash_is(o, "hash", hash) && !inst_hash_is(o, "old", hash)) {
		printf("keeping %s: changed since x4ctl install%s%s\n", inst_show(p),
		       b ? "; the original is in " : "", b ? inst_show(b) : "");
		return UNDO_KEPT;
	}
	if (strcmp(t, "file") == 0) {
		if (unlink(real) < 0) {
			printf("cannot remove %s: %s\n", inst_show(p), strerror(errno));
			return UNDO_FAIL;
		}
		printf("removed %s\n", inst_show(p));
		return UNDO_DONE;
	}
	/* edit: put the original bytes back, with the file's mode and owner. */
	if (!b || x4_file_read(b, INST_MAX_FILE, &buf, &len, NULL, &e) < 0) {
		printf("cannot restore %s: its backup %s is unreadable\n", inst_show(p),
		       b ? inst_show(b) : "(none)");
		return UNDO_FAIL;
	}
	rc = inst_rewrite(p, buf, len, &st, &e);
	free(buf);
	if (rc < 0) {
		printf("cannot restore %s: %s\n", inst_show(p), e.msg);
		return UNDO_FAIL;
	}
	if (x4_host_path(b, breal, sizeof(breal), NULL) == 0)
		unlink(breal);
	printf("restored %s\n", inst_show(p));
	return UNDO_DONE;
}

static enum undo inst_undo_one(json_object *o, unsigned *aa)
{
	const char *t = x4_json_str_or_null(o, "type"), *p = x4_json_str_or_null(o, "path");
	char real[PATH_MAX];

	if (!t || !p || x4_host_path(p, real, sizeof(real), NULL) < 0) {
		printf("cannot undo a damaged entry of %s\n", inst_show(INST_MANIFEST));
		return UNDO_FAIL;
	}
	if (x4_json_int_or_0(o, "found"))
		return UNDO_DONE; /* there before install: not ours to remove */
	if (strcmp(t, "dir") == 0)
		return inst_undo_dir(p, real);
	if (strcmp(t, "link") == 0)
		return inst_undo_link(o, p, real);
	if (strcmp(t, "block") == 0)
		return inst_undo_block(o, p, real, aa);
	if (strcmp(t, "file") == 0 || strcmp(t, "edit") == 0)
		return inst_undo_file(o, t, p, real);
	printf("cannot undo %s: unknown kind %s\n", inst_show(p), t);
	return UNDO_FAIL;
}

/* A directory that holds the journal: removed after everything else, with the journal. */
static int inst_holds_journal(json_object *o)
{
	const char *t = x4_json_str_or_null(o, "type"), *p = x4_json_str_or_null(o, "path");
	size_t l = p ? strlen(p) : 0;

	return t && p && strcmp(t, "dir") == 0 && strncmp(INST_MANIFEST, p, l) == 0 &&
	       INST_MANIFEST[l] == '/';
}

unsigned inst_undo_all(struct inst *in, unsigned *kept)
{
	unsigned bad = 0, pass;
	size_t i;
	char real[PATH_MAX];
	struct x4_err e;

	*kept = 0;
	for (pass = 0; pass < 2; pass++) {
		if (pass == 1) {
			if (bad) /* what is left stays journaled, for the next uninstall */
				break;
			if (x4_host_path(INST_MANIFEST, real, sizeof(real), NULL) == 0 &&
			    unlink(real) < 0 && errno != ENOENT) {
				printf("cannot remove %s: %s\n", inst_show(INST_MANIFEST),
				       strerror(errno));
				return 1;
			}
			in->open = 0;
		}
		for (i = json_object_array_length(in->entries); i-- > 0;) {
			json_object *o = json_object_array_get_idx(in->entries, i);
			enum undo r;

			if (inst_holds_journal(o) != (int)pass)
				continue;
			r = inst_undo_one(o, &in->aa_blocks);
			if (r == UNDO_FAIL) {
				bad++;
				continue;
			}
			*kept += r == UNDO_KEPT;
			json_object_array_del_idx(in->entries, i, 1);
			if (in->open && inst_save(in, &e) < 0)
				printf("%s\n", e.msg);
		}
	}
	if (bad)
		printf("%s lists the %u item(s) left\n", inst_show(INST_MANIFEST), bad);
	return bad;
}
