/* SPDX-License-Identifier: MIT */
/* testutil: header-only helpers shared by unit tests that need no fake sysfs: fixture
 * directories and temp-root removal without a shell. */
#ifndef X4_TEST_UTIL_H
#define X4_TEST_UTIL_H

#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* tests/fixtures/SUB, found upwards from the test binary (build/tests, build/asan/tests), or
 * $X4_FIXTURES/SUB. 0 or -1. */
static inline int tu_fixture_dir(const char *sub, char *out, size_t n)
{
	char exe[PATH_MAX];
	ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	struct stat st;

	if (getenv("X4_FIXTURES")) {
		snprintf(out, n, "%s/%s", getenv("X4_FIXTURES"), sub);
		return 0;
	}
	if (len <= 0)
		return -1;
	exe[len] = '\0';
	for (int up = 0; up < 5; up++) {
		char *slash = strrchr(exe, '/');

		if (!slash)
			break;
		*slash = '\0';
		snprintf(out, n, "%s/tests/fixtures/%s", exe, sub);
		if (stat(out, &st) == 0)
			return 0;
	}
	return -1;
}

static inline int tu_rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p) == 0 ? 0 : -1;
}

/* rm -rf root, without a shell. 0 or -1. */
static inline int tu_rm_tree(const char *root)
{
	return nftw(root, tu_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* A fresh host root for a test: mkdtemp /tmp/x4-test-TAG.XXXXXX into root (n bytes), exported
 * as X4_ROOT. 0 or -1. */
static inline int tu_root_make(char *root, size_t n, const char *tag)
{
	if ((size_t)snprintf(root, n, "/tmp/x4-test-%s.XXXXXX", tag) >= n || !mkdtemp(root))
		return -1;
	return setenv("X4_ROOT", root, 1);
}

/* Undo tu_root_make: X4_ROOT unset, the tree removed. 0 or -1. */
static inline int tu_root_remove(const char *root)
{
	unsetenv("X4_ROOT");
	return tu_rm_tree(root);
}

#endif
