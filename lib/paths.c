/* SPDX-License-Identifier: MIT */
/* paths: $X4_ROOT prefixing with strict checks, so no ".." ever escapes the root. */
#include "paths.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *x4_root(void)
{
	const char *root = getenv("X4_ROOT");

	return (root && *root) ? root : "";
}

/* True when a path has an empty, "." or ".." component after its leading '/'. */
static int paths_has_bad_component(const char *abs)
{
	const char *p = abs + 1;

	while (*p) {
		const char *slash = strchr(p, '/');
		size_t len = slash ? (size_t)(slash - p) : strlen(p);

		if ((len == 1 && p[0] == '.') || (len == 2 && p[0] == '.' && p[1] == '.'))
			return 1;
		if (len == 0 && slash) /* "//" */
			return 1;
		p += len + (slash ? 1 : 0);
	}
	return 0;
}

int x4_host_path(const char *abs, char *out, size_t n, struct x4_err *e)
{
	const char *root = x4_root();
	int len;

	if (!abs || abs[0] != '/')
		return x4_fail(e, EINVAL, "bad host path '%s': must be absolute", abs ? abs : "(null)");
	if (paths_has_bad_component(abs))
		return x4_fail(e, EINVAL, "bad host path '%s': '.', '..' or empty components are not allowed", abs);
	len = snprintf(out, n, "%s%s", root, abs);
	if (len < 0 || (size_t)len >= n)
		return x4_fail(e, ENAMETOOLONG, "host path too long: %s%s", root, abs);
	return 0;
}

int x4_host_pathf(char *out, size_t n, struct x4_err *e, const char *fmt, ...)
{
	char abs[4096];
	va_list ap;
	int len;

	va_start(ap, fmt);
	/* NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized): va_start above; analyzer false positive */
	len = vsnprintf(abs, sizeof(abs), fmt, ap);
	va_end(ap);
	if (len < 0 || (size_t)len >= sizeof(abs))
		return x4_fail(e, ENAMETOOLONG, "host path too long: %.64s...", abs);
	return x4_host_path(abs, out, n, e);
}

int x4_config_path(char *out, size_t n, struct x4_err *e)
{
	const char *cfg = getenv("X4_CONFIG");

	if (cfg && *cfg) {
		int len = snprintf(out, n, "%s", cfg);

		if (len < 0 || (size_t)len >= n)
			return x4_fail(e, ENAMETOOLONG, "X4_CONFIG path too long: %.64s...", cfg);
		return 0;
	}
	return x4_host_path(X4_DEFAULT_CONFIG, out, n, e);
}
