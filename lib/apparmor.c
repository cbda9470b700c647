/* SPDX-License-Identifier: MIT */
/* apparmor: is it enabled, and the hint an EACCES/EPERM gets then. Kept apart from the rule
 * blocks (apparmor_rules.c) so that every program can link it without the config and plan
 * code those pull in (the hook front stays lean). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>

#include "apparmor.h"
#include "fileio.h"
#include "paths.h"

int x4_aa_enabled(void)
{
	char path[PATH_MAX], c[2];

	/* Not x4_sysfs_read: its error hints ask us, and this read could fail too. */
	if (x4_host_path(X4_AA_ENABLED, path, sizeof(path), NULL) < 0)
		return 0;
	return x4_file_read_str(path, 0, c, sizeof(c)) == 1 && c[0] == 'Y';
}

const char *x4_aa_hint(int err, const char *otherwise)
{
	if (err < 0)
		err = -err;
	if ((err == EACCES || err == EPERM) && x4_aa_enabled())
		return X4_AA_HINT;
	return otherwise;
}
