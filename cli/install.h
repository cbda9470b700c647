/* SPDX-License-Identifier: MIT */
/* install: the manifest of what x4ctl install did, and the file operations it records. */
#ifndef X4CTL_INSTALL_H
#define X4CTL_INSTALL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <json-c/json.h>

#include "err.h"

#define INST_STATE_DIR "/var/lib/x4-sriov"
#define INST_MANIFEST INST_STATE_DIR "/install.json"
#define INST_BACKUP_DIR INST_STATE_DIR "/backup"

struct inst {
	int dry_run;
	json_object *entries; /* manifest: [{type, path, hash, target, backup}], in order done */
	char *loaded;	      /* manifest text as read ("" when none) */
	unsigned changed;     /* operations that changed the tree */
	unsigned failed;
};

/* FNV-1a 64 of data as 16 hex digits: enough to notice a file changed since we wrote it. */
void inst_hash(const void *data, size_t len, char out[17]);

int inst_manifest_load(struct inst *in, struct x4_err *e);
int inst_manifest_save(struct inst *in, struct x4_err *e);
json_object *inst_find(struct inst *in, const char *type, const char *path);

/* mkdir -p of a host path, recording each directory it creates. */
int inst_mkdirs(struct inst *in, const char *abs, struct x4_err *e);

/* A file we own: created when missing; replaced when we made it and it differs (keep_user:
 * never replaced once there, for the config the user edits); a file that is not ours is
 * left alone with a warning. */
int inst_file(struct inst *in, const char *abs, const void *data, size_t len, mode_t mode,
	      int keep_user, struct x4_err *e);

/* A symlink abs -> target, same rules. */
int inst_link(struct inst *in, const char *abs, const char *target, struct x4_err *e);

/* An edit of an existing file: edit() returns 1 and new bytes when a change is needed. The
 * original goes to a backup the uninstall restores byte for byte. */
typedef int (*inst_edit_fn)(const char *text, size_t len, char **out, size_t *out_len,
			    struct x4_err *e);
int inst_edit(struct inst *in, const char *abs, inst_edit_fn edit, const char *what,
	      struct x4_err *e);

/* Undo every manifest entry, newest first; returns how many could not be undone. */
unsigned inst_undo_all(struct inst *in);

/* Read a host file whole (no symlink followed for regular files). */
int inst_read_host(const char *abs, char **buf, size_t *len, struct x4_err *e);

#endif
