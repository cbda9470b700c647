/* SPDX-License-Identifier: MIT */
/* apparmor: owns whether AppArmor enforces here and the rule block x4-sriov adds to Debian's
 * local includes (text only). Callers: x4ctl install/doctor, x4-hook, qemu-x4, lib's hints. */
#ifndef X4_APPARMOR_H
#define X4_APPARMOR_H

#include <stddef.h>

#include "config.h"
#include "err.h"

/* Debian's site-local includes: libvirtd's own profile, and the abstraction every per-VM QEMU
 * profile (virt-aa-helper's libvirt-<uuid>) includes. */
#define X4_AA_LIBVIRTD_PROFILE "/etc/apparmor.d/usr.sbin.libvirtd"
#define X4_AA_LIBVIRTD_LOCAL "/etc/apparmor.d/local/usr.sbin.libvirtd"
#define X4_AA_QEMU_ABSTRACTION "/etc/apparmor.d/abstractions/libvirt-qemu"
#define X4_AA_QEMU_LOCAL "/etc/apparmor.d/local/abstractions/libvirt-qemu"
#define X4_AA_LIBVIRT_DIR "/etc/apparmor.d/libvirt" /* libvirt-<uuid> per-VM profiles */
#define X4_AA_ENABLED "/sys/module/apparmor/parameters/enabled"

#define X4_AA_BEGIN "# BEGIN x4-sriov (x4ctl install wrote this block; x4ctl uninstall removes it)"
#define X4_AA_END "# END x4-sriov"

/* 1 when the kernel runs AppArmor (X4_AA_ENABLED under the root reads Y), else 0. */
int x4_aa_enabled(void);

#define X4_AA_HINT "AppArmor is enabled and may be denying it: run x4ctl doctor"

/* The fix for an EACCES/EPERM (either sign) one of our programs got: on a host running
 * AppArmor, that AppArmor may be denying it and to run x4ctl doctor; else `otherwise`. */
const char *x4_aa_hint(int err, const char *otherwise);

/* The block (X4_AA_BEGIN ... X4_AA_END, newline-ended) for libvirtd's local include: exec of
 * qemu-x4 and of the hook where this build installs them. -ENAMETOOLONG when n is short. */
int x4_aa_libvirtd_block(char *out, size_t n, struct x4_err *e);

/* The block for the QEMU abstraction's local include: qemu-x4 itself, read of the config dir,
 * the plans and /var/lib/x4-sriov, the Looking Glass devices and shm files, and each ROM c
 * names. A path AppArmor cannot spell safely (control bytes) is left out, named in *skipped
 * (may be NULL; "" when none). */
int x4_aa_qemu_block(const struct x4_config *c, char *out, size_t n, char *skipped,
		     size_t skipped_n, struct x4_err *e);

/* One path as an AppArmor rule token: always double-quoted, glob and quote bytes escaped.
 * -EINVAL for control bytes or a relative path. */
int x4_aa_quote_path(const char *path, char *out, size_t n);

/* Where our block is in text: 1 and [*start, *end) (the first END line and the last BEGIN line
 * before it; end after END's newline, or the text's end), or 0 when there is none. */
int x4_aa_block_find(const char *text, size_t len, size_t *start, size_t *end);

/* Text with block in place of ours (replaced where it is, else appended; a newline is put
 * before it when text does not end with one and *sep is then set to 1). Returns 1 and a
 * malloc'd *out when the text changes, 0 when block is already there exactly, -ENOMEM. */
int x4_aa_block_set(const char *text, size_t len, const char *block, char **out,
		    size_t *out_len, int *sep);

/* Text without our block (and without the newline put before it when sep). 1 and *out when
 * there was one, 0 when none, -ENOMEM. */
int x4_aa_block_remove(const char *text, size_t len, int sep, char **out, size_t *out_len);

/* 1 when every rule line of block (not the comments) is in text's block of ours, else 0. */
int x4_aa_block_present(const char *text, size_t len, const char *block);

#endif
