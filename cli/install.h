/* SPDX-License-Identifier: MIT */
/* install: the journal of what x4ctl install did, and the file operations it records. */
#ifndef X4CTL_INSTALL_H
#define X4CTL_INSTALL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <json-c/json.h>

#include "err.h"
#include "paths.h"

#define INST_STATE_DIR X4_STATE_DIR
/* The journal and the originals of edited files: x4ctl install's (install.json, backup/), or
 * --packaged's (package.json, package-backup/: the package's maintainer scripts), kept apart
 * so each uninstall undoes only what its own install did. inst_use_packaged() switches. */
extern const char *inst_manifest, *inst_backup_dir;
#define INST_MANIFEST inst_manifest
#define INST_BACKUP_DIR inst_backup_dir
void inst_use_packaged(void);

/* The journal: each change is written to INST_MANIFEST before it is made (write-ahead), so a
 * failure at any step leaves a journal uninstall can finish from; every undo accepts the
 * change as made or not made. Entries: {type: dir|file|link|edit|block, path, ...}. */
struct inst {
	int dry_run;
	json_object *entries; /* in the order done */
	char *saved;	      /* journal text as last read or written ("" when none) */
	int open;	      /* the journal file exists and is ours to append to */
	unsigned changed;     /* changes made by this run */
	unsigned aa_blocks;   /* AppArmor blocks written or removed by this run */
};

/* FNV-1a 64 of data as 16 hex digits: enough to notice a file changed since we wrote it. */
void inst_hash(const void *data, size_t len, char out[17]);

/* The path as the user sees it: the root (--root) applied. One of 4 rotating buffers. */
const char *inst_show(const char *abs);

int inst_manifest_load(struct inst *in, struct x4_err *e);
json_object *inst_find(struct inst *in, const char *type, const char *path);
/* Entries that changed the tree (not those recording a file that was already right). */
unsigned inst_done_count(struct inst *in);

/* mkdir -p of a host path, journaling each directory it creates. */
int inst_mkdirs(struct inst *in, const char *abs, struct x4_err *e);

/* A file we own: created when missing; replaced when we made it and it differs (keep_user:
 * never replaced once there, for the config the user edits); a file that is not ours is
 * left alone with a note; one that already matched is journaled as found. */
int inst_file(struct inst *in, const char *abs, const void *data, size_t len, mode_t mode,
	      int keep_user, struct x4_err *e);

/* A symlink abs -> target, same rules. */
int inst_link(struct inst *in, const char *abs, const char *target, struct x4_err *e);

/* Where abs points (a symlink), "" when it is none; 1 when abs exists at all (lstat). */
int inst_lexists(const char *abs, char *target, size_t n);

/* An edit of an existing file: edit() returns 1 and new bytes when a change is needed. The
 * original goes to a backup the uninstall restores byte for byte. */
typedef int (*inst_edit_fn)(const char *text, size_t len, char **out, size_t *out_len,
			    struct x4_err *e);
int inst_edit(struct inst *in, const char *abs, inst_edit_fn edit, const char *what,
	      struct x4_err *e);

/* Our marked AppArmor block (lib/apparmor.h) in abs, created with the file when missing;
 * uninstall removes exactly the block, whatever else the file holds by then. */
int inst_block(struct inst *in, const char *abs, const char *block, struct x4_err *e);

struct x4ctl;
/* install_aa.c: our AppArmor blocks where Debian's profiles are (enabled or not). */
int inst_apparmor(struct inst *in, const struct x4ctl *g, struct x4_err *e);
/* When AppArmor is enabled: apparmor_parser -r of libvirtd's and the VMs' profiles (not for a
 * --root tree unless $X4_APPARMOR_PARSER names the parser), saying so. */
int inst_aa_reload(struct x4_err *e);

struct x4_config;
/* install_aa.c: only the QEMU abstraction's block (c may be NULL: no config). */
int inst_apparmor_qemu(struct inst *in, const struct x4_config *c, struct x4_err *e);

/* install_kvmfr.c: every looking_glass = kvmfr VM of c recorded, then modprobe.d, the udev
 * rules and qemu.conf's cgroup_device_acl for every device the config uses; say_reload: a
 * line when the loaded kvmfr has other sizes. Returns how many devices kvmfr gets (0: no VM
 * uses kvmfr, nothing written), or a negative errno. */
int inst_kvmfr(struct inst *in, const struct x4_config *c, int say_reload, struct x4_err *e);
/* The usermod line the desktop user needs for the devices' group. */
void inst_kvmfr_group_hint(void);

/* The GRUB_CMDLINE_LINUX_DEFAULT value with x4-sriov's kernel arguments in: 1 when changed. */
int inst_grub_line(const char *cur, char *out, size_t n);

/* Undo every journal entry, newest first, dropping each from the journal as it is done (so an
 * interrupted uninstall resumes); the journal goes last. *kept: files the user changed since,
 * left in place; returns how many entries could not be undone (they stay journaled). */
unsigned inst_undo_all(struct inst *in, unsigned *kept);

/* Read a host file whole (no symlink followed). */
int inst_read_host(const char *abs, char **buf, size_t *len, struct x4_err *e);

#endif
