/* SPDX-License-Identifier: MIT */
/* x4ctl util: where the running binary and the templates are, and bounded file reads. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "x4ctl.h"

int x4ctl_self_dir(char *out, size_t n)
{
	char exe[PATH_MAX];
	ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;

	if (len <= 0)
		return -errno;
	exe[len] = '\0';
	slash = strrchr(exe, '/');
	if (!slash)
		return -EINVAL;
	*slash = '\0';
	if ((size_t)snprintf(out, n, "%s", exe[0] ? exe : "/") >= n)
		return -ENAMETOOLONG;
	return 0;
}

static int util_is_dir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

int x4ctl_templates_dir(const char *opt, char *out, size_t n, struct x4_err *e)
{
	static const char *const rel[] = {"../../templates", "../share/x4-sriov/templates"};
	char self[PATH_MAX];
	size_t i;

	if (opt) {
		if (!util_is_dir(opt))
			return x4_fail(e, ENOENT, "--templates %s: no such directory", opt);
		snprintf(out, n, "%s", opt);
		return 0;
	}
	if (x4ctl_self_dir(self, sizeof(self)) == 0)
		for (i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
			if ((size_t)snprintf(out, n, "%s/%s", self, rel[i]) < n && util_is_dir(out))
				return 0;
		}
	return x4_fail(e, ENOENT,
		       "cannot find the x4-sriov templates next to %s: pass "
		       "--templates DIR (the source tree's templates/)",
		       self);
}

int x4ctl_read_file(const char *path, size_t cap, char **buf, size_t *len, struct x4_err *e)
{
	struct x4_file f;
	int rc = x4_file_load(path, cap, 0, &f);

	*buf = NULL;
	*len = 0;
	switch (f.step) {
	case X4_FILE_DONE:
		break;
	case X4_FILE_AT_OPEN:
		return x4_fail(e, -rc, "cannot open %s: %s", path, strerror(-rc));
	case X4_FILE_AT_STAT:
	case X4_FILE_AT_TYPE:
		return x4_fail(e, EINVAL, "%s is not a regular file", path);
	case X4_FILE_AT_SIZE:
		return x4_fail(e, EFBIG, "%s is larger than %zu bytes", path, cap);
	case X4_FILE_AT_MEM:
		return x4_fail(e, ENOMEM, "out of memory reading %s", path);
	case X4_FILE_AT_READ:
		break; /* said below */
	}
	if (rc < 0 || f.len != (size_t)f.st.st_size) {
		free(f.buf);
		return x4_fail(e, EIO, "short read of %s: did it change while reading?", path);
	}
	*buf = f.buf;
	*len = f.len;
	return 0;
}
