/* SPDX-License-Identifier: MIT */
/* planpath: where a VM's plan lives. Its own object, without json-c, so that the lean hook
 * front (hooks/x4-hook.c) asks the same function as plan.c's reader and writer. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "name.h"
#include "plan.h"

#define PLANPATH_FILE_NAME_MAX 255 /* NAME_MAX: one directory entry */

int x4_plan_path(const char *vm, char *out, size_t n, struct x4_err *e)
{
	char enc[X4_NAME_ENC_MAX];
	int rc = x4_name_encode(vm, enc, sizeof(enc), e);

	if (rc < 0)
		return rc;
	if (strlen(enc) + strlen(X4_PLAN_SUFFIX) > PLANPATH_FILE_NAME_MAX ||
	    (size_t)snprintf(out, n, "%s/%s%s", X4_PLAN_DIR, enc, X4_PLAN_SUFFIX) >= n)
		return x4_fail(e, ENAMETOOLONG, "VM name '%.32s...' encodes to %zu bytes, too long "
			       "for a file name: shorten the VM name", vm, strlen(enc));
	return 0;
}
