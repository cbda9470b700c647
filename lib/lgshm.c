/* SPDX-License-Identifier: MIT */
/* lgshm: create the /dev/shm file ourselves, or refuse one (or a kvmfr node) others can reach. */
#include "lgshm.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "paths.h"
#include "qemuuser.h"

void x4_lgshm_owner(uid_t *uid, gid_t *gid)
{
	struct x4_qemu_user q;

	*uid = geteuid();
	*gid = getegid();
	if (*uid != 0 || x4_qemu_user(&q, NULL) < 0)
		return;
	*uid = q.uid;
	*gid = q.lg_gid;
}

/* Who may own it: root, or the user QEMU runs as. */
static int lgshm_owner_ok(const struct stat *st, uid_t uid)
{
	return st->st_uid == 0 || st->st_uid == uid;
}

static int lgshm_refuse(const char *vm, const char *abs, const char *what, const char *fix,
			struct x4_err *e)
{
	char q[X4_QUOTE_BUF];

	return x4_fail(e, EPERM, "VM %s: Looking Glass memory %s %s, so another user could read "
		       "or change its screen: %s, then start the VM again", x4_quote(vm, q), abs,
		       what, fix);
}

/* An existing file or node at real: owner, mode and kind as x4_lgshm_guard says. */
static int lgshm_check(const char *vm, enum x4_lg_kind kind, const char *abs, const char *real,
		       uid_t uid, struct x4_err *e)
{
	char what[160], fix[320], q[X4_QUOTE_BUF];
	struct stat st;

	if (lstat(real, &st) < 0)
		return x4_fail(e, errno, "VM %s: cannot check Looking Glass memory %s: %s",
			       x4_quote(vm, q), abs, strerror(errno));
	snprintf(fix, sizeof(fix), "stop whatever uses it and rm %s", abs);
	if (kind == X4_LG_KVMFR) {
		if (!S_ISCHR(st.st_mode))
			return 0; /* a plain file or a missing node: x4_lg_check_device's lines */
		snprintf(fix, sizeof(fix), "give it to root with no access for others (udev: "
			 "SUBSYSTEM==\"kvmfr\", OWNER=\"root\", GROUP=\"kvm\", MODE=\"0660\")");
	}
	if (S_ISLNK(st.st_mode))
		snprintf(what, sizeof(what), "is a symbolic link");
	else if (kind == X4_LG_SHM && !S_ISREG(st.st_mode))
		snprintf(what, sizeof(what), "is not a regular file");
	else if (!lgshm_owner_ok(&st, uid))
		snprintf(what, sizeof(what), "is owned by uid %u, not root or the qemu user (uid %u)",
			 (unsigned)st.st_uid, (unsigned)uid);
	else if (st.st_mode & 0006)
		snprintf(what, sizeof(what), "has mode %04o: others can %s it",
			 (unsigned)(st.st_mode & 07777),
			 (st.st_mode & 0004) && (st.st_mode & 0002) ? "read and write"
			 : (st.st_mode & 0004)			    ? "read"
								    : "write");
	else if (kind == X4_LG_SHM && st.st_nlink != 1)
		snprintf(what, sizeof(what), "has %lu hard links", (unsigned long)st.st_nlink);
	else
		return 0;
	return lgshm_refuse(vm, abs, what, fix, e);
}

/* Create the shm file afresh; 1 when it was already there, 0 when made, <0 on error. */
static int lgshm_create(const char *vm, const char *abs, const char *real, uid_t uid, gid_t gid,
			struct x4_err *e)
{
	int fd = open(real, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	char q[X4_QUOTE_BUF];
	int err;

	if (fd < 0 && errno == EEXIST)
		return 1;
	if (fd < 0 && errno == ENOENT)
		return 0; /* no /dev/shm: nothing can be planted, and QEMU says what is missing */
	if (fd < 0)
		return x4_fail(e, errno, "VM %s: cannot create Looking Glass memory %s: %s",
			       x4_quote(vm, q), abs, strerror(errno));
	/* fchown first, fchmod after: the group gets access only once it is the right group. */
	if ((geteuid() == 0 && fchown(fd, uid, gid) < 0) || fchmod(fd, 0660) < 0) {
		err = errno;
		close(fd);
		unlink(real);
		return x4_fail(e, err, "VM %s: cannot give Looking Glass memory %s to uid %u gid %u: "
			       "%s", x4_quote(vm, q), abs, (unsigned)uid, (unsigned)gid, strerror(err));
	}
	close(fd);
	return 0;
}

int x4_lgshm_guard(const char *vm, enum x4_lg_kind kind, const char *abs, uid_t uid, gid_t gid,
		   struct x4_err *e)
{
	char real[4096];
	int rc;

	if (kind == X4_LG_OFF)
		return 0;
	rc = x4_host_path(abs, real, sizeof(real), e);
	if (rc < 0)
		return rc;
	if (kind == X4_LG_SHM) {
		rc = lgshm_create(vm, abs, real, uid, gid, e);
		if (rc <= 0)
			return rc;
	} else if (access(real, F_OK) < 0 && errno == ENOENT) {
		return 0; /* x4_lg_check_device says how to load kvmfr */
	}
	return lgshm_check(vm, kind, abs, real, uid, e);
}

int x4_lgshm_secure(const char *vm, enum x4_lg_kind kind, const char *abs, struct x4_err *e)
{
	uid_t uid;
	gid_t gid;

	if (kind == X4_LG_OFF)
		return 0;
	x4_lgshm_owner(&uid, &gid);
	return x4_lgshm_guard(vm, kind, abs, uid, gid, e);
}
