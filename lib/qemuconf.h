/* SPDX-License-Identifier: MIT */
/* qemuconf: owns reading and extending cgroup_device_acl in libvirt's qemu.conf, keeping every
 * other byte. Callers: x4ctl (install, lg apply, doctor). */
#ifndef X4_QEMUCONF_H
#define X4_QEMUCONF_H

#include <stddef.h>

#include "err.h"

#define X4_QEMUCONF_PATH "/etc/libvirt/qemu.conf"
#define X4_QEMUCONF_MAX_ACL 64
#define X4_QEMUCONF_MAX_BYTES (1u << 20)

/* The active (uncommented) cgroup_device_acl setting of a qemu.conf text. */
struct x4_qemuconf_acl {
	int present;	 /* the file sets cgroup_device_acl */
	size_t close;	 /* offset of its closing ']' */
	size_t last_end; /* offset just past its last string ("" list: just past '[') */
	unsigned n;
	char entries[X4_QEMUCONF_MAX_ACL][128];
};

/* Scan text as libvirt's config parser does (# comments, "..." and '...' strings, [ ] lists
 * over several lines) and find cgroup_device_acl. A list that is not a list of strings, a
 * second setting, an unterminated string or list: -EINVAL with the line number. */
int x4_qemuconf_acl_parse(const char *text, size_t len, struct x4_qemuconf_acl *acl,
			  struct x4_err *e);

/* 1 when dev is listed, else 0. */
int x4_qemuconf_acl_has(const struct x4_qemuconf_acl *acl, const char *dev);

/* A copy of text with dev added to cgroup_device_acl: inserted after the last entry of an
 * existing list, or, when the file has none (Debian ships it commented out), a new setting
 * appended at the end holding libvirt's default devices plus dev. Every other byte is kept.
 * Returns 1 and a malloc'd *out when it changed something, 0 (and *out NULL) when dev is
 * already listed; negative errno on a parse error. dev must be an absolute path of
 * [A-Za-z0-9/_.-]. */
int x4_qemuconf_acl_add(const char *text, size_t len, const char *dev, char **out, size_t *out_len,
			struct x4_err *e);

#endif
