/* SPDX-License-Identifier: MIT */
/* lgshm: owns making the Looking Glass memory (/dev/shm file or kvmfr node) the VM's alone.
 * Callers: lib/lifecycle (x4-hook-core, root) and qemu-x4 (the qemu user). */
#ifndef X4_LGSHM_H
#define X4_LGSHM_H

#include <sys/types.h>

#include "config.h"
#include "err.h"

/* Who QEMU runs as, and the group the Looking Glass client's users share. As root: the qemu
 * user and its Looking Glass group (x4_qemu_user: lg_gid; root when there is no qemu user).
 * As anyone else (qemu-x4 runs as the qemu user): ourselves. */
void x4_lgshm_owner(uid_t *uid, gid_t *gid);

/* Make the VM's Looking Glass memory at abs (under $X4_ROOT) safe to map before QEMU opens
 * it, since /dev/shm is world-writable and QEMU opens without O_EXCL:
 * - shm: a missing file is created here (O_CREAT|O_EXCL|O_NOFOLLOW) owned by uid:gid, mode
 *   0660; an existing one must be a regular file with one link, not a symlink, owned by root
 *   or uid, that others can neither read nor write. When the directory itself is missing
 *   nobody can plant a file either, and QEMU reports it.
 * - kvmfr: a character device there must be owned by root or uid and closed to others (the
 *   rest of the device checks are x4_lg_check_device's).
 * Anything else: -EPERM with one line naming the VM, the path, what is wrong and the fix. */
int x4_lgshm_guard(const char *vm, enum x4_lg_kind kind, const char *abs, uid_t uid, gid_t gid,
		   struct x4_err *e);

/* x4_lgshm_guard for the owner x4_lgshm_owner finds: what prepare and qemu-x4 call. */
int x4_lgshm_secure(const char *vm, enum x4_lg_kind kind, const char *abs, struct x4_err *e);

#endif
