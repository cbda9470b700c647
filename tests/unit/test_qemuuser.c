/* SPDX-License-Identifier: MIT */
/* Unit tests: lib/qemuuser (which user and group QEMU runs as). */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "qemuuser.h"

/* Debian's user wins over upstream's; the Looking Glass group is kvm when it exists. The
 * answer is checked against the host's user database, whatever it holds. */
static void test_user_order(void **state)
{
	const struct passwd *deb = getpwnam(X4_QEMU_USER_DEBIAN);
	const struct passwd *pw = deb ? deb : getpwnam(X4_QEMU_USER_OTHER);
	const struct group *kvm = getgrnam(X4_QEMU_GROUP);
	struct x4_qemu_user u;
	struct x4_err e;
	int rc;

	(void)state;
	x4_err_clear(&e);
	rc = x4_qemu_user(&u, &e);
	if (!pw) {
		assert_int_equal(rc, -ENOENT);
		assert_int_equal(e.code, ENOENT);
		assert_non_null(strstr(e.msg, X4_QEMU_USER_DEBIAN));
		return;
	}
	assert_int_equal(rc, 0);
	assert_string_equal(u.name, deb ? X4_QEMU_USER_DEBIAN : X4_QEMU_USER_OTHER);
	pw = getpwnam(u.name);
	assert_non_null(pw);
	assert_int_equal(u.uid, pw->pw_uid);
	assert_int_equal(u.gid, pw->pw_gid);
	assert_int_equal(u.lg_gid, kvm ? kvm->gr_gid : pw->pw_gid);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_user_order),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
