/* SPDX-License-Identifier: MIT */
/* qemuuser: the one answer to "whom does the system libvirtd run QEMU as". prepare's access
 * checks (lifecycle), the owner of a Looking Glass shm file (lgshm) and x4ctl doctor ask here;
 * nobody else spells these names. */
#ifndef X4_QEMUUSER_H
#define X4_QEMUUSER_H

#include <sys/types.h>

#include "err.h"

#define X4_QEMU_USER_DEBIAN "libvirt-qemu" /* Debian's and Ubuntu's libvirt */
#define X4_QEMU_USER_OTHER "qemu"          /* upstream's default (Fedora, Arch) */
#define X4_QEMU_GROUP "kvm" /* /dev/kvm's group, which Looking Glass client users join too */

struct x4_qemu_user {
	const char *name; /* X4_QEMU_USER_DEBIAN or X4_QEMU_USER_OTHER */
	uid_t uid;
	gid_t gid;    /* the user's own group: what QEMU runs with */
	gid_t lg_gid; /* X4_QEMU_GROUP when it exists, else gid: for files QEMU and the
		       * Looking Glass client share */
};

/* The qemu user: X4_QEMU_USER_DEBIAN when it exists, else X4_QEMU_USER_OTHER. -ENOENT when
 * this host has neither (e says which names were tried). Reads the host's user database
 * (getpwnam), not $X4_ROOT. */
int x4_qemu_user(struct x4_qemu_user *u, struct x4_err *e);

#endif
