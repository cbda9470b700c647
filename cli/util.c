/* SPDX-License-Identifier: MIT */
/* x4ctl util: where the running binary and the templates are, and bounded file reads. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	struct stat st;
	size_t got = 0;
	char *b;

	if (fd < 0)
		return x4_fail(e, errno, "cannot open %s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return x4_fail(e, EINVAL, "%s is not a regular file", path);
	}
	if ((uint64_t)st.st_size > cap) {
		close(fd);
		return x4_fail(e, EFBIG, "%s is larger than %zu bytes", path, cap);
	}
	b = malloc((size_t)st.st_size + 1);
	if (!b) {
		close(fd);
		return x4_fail(e, ENOMEM, "out of memory reading %s", path);
	}
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, b + got, (size_t)st.st_size - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	if (got != (size_t)st.st_size) {
		free(b);
		return x4_fail(e, EIO, "short read of %s: did it change while reading?", path);
	}
	b[got] = '\0';
	*buf = b;
	*len = got;
	return 0;
}
