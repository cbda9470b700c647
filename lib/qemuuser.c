/* SPDX-License-Identifier: MIT */
/* qemuuser: find the user and group QEMU runs as under the system libvirtd. */
#include "qemuuser.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stddef.h>

int x4_qemu_user(struct x4_qemu_user *u, struct x4_err *e)
{
	static const char *const names[] = { X4_QEMU_USER_DEBIAN, X4_QEMU_USER_OTHER };
	const struct group *gr;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const struct passwd *pw = getpwnam(names[i]);

		if (!pw)
			continue;
		u->name = names[i];
		u->uid = pw->pw_uid;
		u->gid = pw->pw_gid;
		gr = getgrnam(X4_QEMU_GROUP);
		u->lg_gid = gr ? gr->gr_gid : pw->pw_gid;
		return 0;
	}
	return x4_fail(e, ENOENT, "no " X4_QEMU_USER_DEBIAN " or " X4_QEMU_USER_OTHER " user: is "
		       "libvirt's QEMU driver installed (apt install libvirt-daemon-system)?");
}
