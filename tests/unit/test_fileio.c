/* SPDX-License-Identifier: MIT */
/* Unit tests: lib/fileio (bounded whole-file reads, atomic write with a mode, mkdir -p). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "testutil.h"

#include "fileio.h"

static char root[256];

static void rootpath(char *out, size_t n, const char *abs)
{
	snprintf(out, n, "%s%s", root, abs);
}

/* Write text to the host path abs (under root) with plain stdio. */
static void put(const char *abs, const char *text, size_t len)
{
	char p[512];
	FILE *f;

	rootpath(p, sizeof(p), abs);
	f = fopen(p, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	fclose(f);
}

/* Entries of the directory abs (host path), "." and ".." not counted. */
static int entries(const char *abs)
{
	char p[512];
	struct dirent *de;
	DIR *d;
	int n = 0;

	rootpath(p, sizeof(p), abs);
	d = opendir(p);
	assert_non_null(d);
	while ((de = readdir(d)))
		n += strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
	closedir(d);
	return n;
}

static int setup(void **state)
{
	char p[512];

	(void)state;
	if (tu_root_make(root, sizeof(root), "fileio") < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/d", root);
	return mkdir(p, 0755);
}

static int teardown(void **state)
{
	(void)state;
	return tu_root_remove(root);
}

static void test_mkdirs(void **state)
{
	char p[512];
	struct x4_err e;
	struct stat st;
	mode_t old = umask(077);

	(void)state;
	/* exactly the mode asked for, whatever the umask */
	assert_int_equal(x4_mkdirs("/d/a/b", 0755, &e), 0);
	umask(old);
	rootpath(p, sizeof(p), "/d/a/b");
	assert_int_equal(stat(p, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0755);
	/* again: nothing to do */
	assert_int_equal(x4_mkdirs("/d/a/b", 0755, &e), 0);
	/* a file in the way */
	put("/d/f", "x", 1);
	assert_int_equal(x4_mkdirs("/d/f/g", 0755, &e), -ENOTDIR);
	assert_non_null(strstr(e.msg, "is not a directory"));
	/* a path out of the root */
	assert_int_equal(x4_mkdirs("/d/../../x", 0755, &e), -EINVAL);
	rootpath(p, sizeof(p), "/d/a");
	assert_int_equal(tu_rm_tree(p), 0);
	rootpath(p, sizeof(p), "/d/f");
	unlink(p);
}

static void test_write_read(void **state)
{
	char p[512], *buf;
	struct x4_err e;
	struct stat st;
	size_t len;

	(void)state;
	assert_int_equal(x4_file_write("/d/w", "hello", 5, 0600, &e), 0);
	assert_int_equal(x4_file_read("/d/w", 5, &buf, &len, &st, &e), 0);
	assert_int_equal(len, 5);
	assert_string_equal(buf, "hello");
	assert_int_equal(st.st_mode & 07777, 0600);
	free(buf);
	/* replaced whole, new mode, no temp file left */
	assert_int_equal(x4_file_write("/d/w", "hi", 2, 0644, &e), 0);
	assert_int_equal(x4_file_read("/d/w", 100, &buf, &len, &st, &e), 0);
	assert_int_equal(len, 2);
	assert_string_equal(buf, "hi");
	assert_int_equal(st.st_mode & 07777, 0644);
	free(buf);
	assert_int_equal(entries("/d"), 1);
	/* empty file: an empty, terminated buffer */
	assert_int_equal(x4_file_write("/d/w", "", 0, 0644, &e), 0);
	assert_int_equal(x4_file_read("/d/w", 0, &buf, &len, NULL, &e), 0);
	assert_int_equal(len, 0);
	assert_string_equal(buf, "");
	free(buf);
	/* no directory: the error names the file, nothing left behind */
	assert_int_equal(x4_file_write("/d/none/w", "x", 1, 0644, &e), -ENOENT);
	assert_non_null(strstr(e.msg, "/d/none/w"));
	rootpath(p, sizeof(p), "/d/w");
	unlink(p);
	assert_int_equal(entries("/d"), 0);
}

/* A planted link at the target is replaced, never written through. */
static void test_write_replaces_link(void **state)
{
	char p[512], victim[512], *buf;
	struct x4_err e;
	size_t len;

	(void)state;
	put("/d/victim", "keep", 4);
	rootpath(victim, sizeof(victim), "/d/victim");
	rootpath(p, sizeof(p), "/d/l");
	assert_int_equal(symlink(victim, p), 0);
	assert_int_equal(x4_file_write("/d/l", "new", 3, 0644, &e), 0);
	assert_int_equal(x4_file_read("/d/victim", 10, &buf, &len, NULL, &e), 0);
	assert_string_equal(buf, "keep");
	free(buf);
	assert_int_equal(x4_file_read("/d/l", 10, &buf, &len, NULL, &e), 0);
	assert_string_equal(buf, "new");
	free(buf);
	unlink(p);
	unlink(victim);
}

static void test_read_errors(void **state)
{
	char p[512], target[512], *buf = (char *)"x";
	struct x4_err e;
	size_t len = 7;

	(void)state;
	put("/d/f", "hello", 5);
	/* too big: says the size and the cap; *buf and *len reset */
	assert_int_equal(x4_file_read("/d/f", 4, &buf, &len, NULL, &e), -EFBIG);
	assert_null(buf);
	assert_int_equal(len, 0);
	assert_string_equal(e.msg, "/d/f is 5 bytes, more than the 4 allowed");
	/* missing */
	assert_int_equal(x4_file_read("/d/none", 4, &buf, &len, NULL, &e), -ENOENT);
	assert_non_null(strstr(e.msg, "cannot open /d/none"));
	/* a symlink, even to a good file, is refused */
	rootpath(target, sizeof(target), "/d/f");
	rootpath(p, sizeof(p), "/d/l");
	assert_int_equal(symlink(target, p), 0);
	assert_int_equal(x4_file_read("/d/l", 100, &buf, &len, NULL, &e), -EBADMSG);
	assert_string_equal(e.msg, "/d/l is a symlink: refusing it");
	unlink(p);
	/* a directory, a FIFO (which must not hang us) */
	assert_int_equal(x4_file_read("/d", 100, &buf, &len, NULL, &e), -EBADMSG);
	assert_string_equal(e.msg, "/d is not a regular file: remove it");
	rootpath(p, sizeof(p), "/d/fifo");
	assert_int_equal(mkfifo(p, 0600), 0);
	assert_int_equal(x4_file_read("/d/fifo", 100, &buf, &len, NULL, &e), -EBADMSG);
	unlink(p);
	/* out of the root */
	assert_int_equal(x4_file_read("/d/../../etc/passwd", 4, &buf, &len, NULL, &e), -EINVAL);
	rootpath(p, sizeof(p), "/d/f");
	unlink(p);
}

/* x4_file_load reports where it stopped, so callers word their own lines. */
static void test_load_steps(void **state)
{
	char p[512], l[512];
	struct x4_file f;

	(void)state;
	rootpath(p, sizeof(p), "/d/f");
	rootpath(l, sizeof(l), "/d/l");
	put("/d/f", "0123456789", 10);
	assert_int_equal(symlink(p, l), 0);
	/* links followed unless NOFOLLOW */
	assert_int_equal(x4_file_load(l, 10, 0, &f), 0);
	assert_int_equal(f.step, X4_FILE_DONE);
	assert_int_equal(f.len, 10);
	assert_int_equal(f.st.st_size, 10);
	free(f.buf);
	assert_int_equal(x4_file_load(l, 10, X4_FILE_NOFOLLOW, &f), -ELOOP);
	assert_int_equal(f.step, X4_FILE_AT_OPEN);
	assert_null(f.buf);
	unlink(l);
	/* too big: st is there for the message */
	assert_int_equal(x4_file_load(p, 9, 0, &f), -EFBIG);
	assert_int_equal(f.step, X4_FILE_AT_SIZE);
	assert_int_equal(f.st.st_size, 10);
	/* PREFIX: the first cap bytes, no error */
	assert_int_equal(x4_file_load(p, 4, X4_FILE_PREFIX, &f), 0);
	assert_int_equal(f.len, 4);
	assert_string_equal(f.buf, "0123");
	free(f.buf);
	/* not regular: refused unless ANYTYPE */
	rootpath(l, sizeof(l), "/d");
	assert_int_equal(x4_file_load(l, 10, 0, &f), -EINVAL);
	assert_int_equal(f.step, X4_FILE_AT_TYPE);
	assert_true(S_ISDIR(f.st.st_mode));
	assert_int_equal(x4_file_load(l, 10, X4_FILE_ANYTYPE, &f), -EISDIR);
	assert_int_equal(f.step, X4_FILE_AT_READ);
	/* procfs says size 0: read to the end anyway */
	assert_int_equal(x4_file_load("/proc/self/status", 1 << 20, X4_FILE_ANYTYPE, &f), 0);
	assert_true(f.len > 0);
	assert_non_null(strstr(f.buf, "Pid:"));
	free(f.buf);
	assert_int_equal(x4_file_load("/proc/self/status", 8, X4_FILE_ANYTYPE, &f), -EFBIG);
	assert_int_equal(f.step, X4_FILE_AT_SIZE);
	/* missing */
	rootpath(l, sizeof(l), "/d/none");
	assert_int_equal(x4_file_load(l, 10, 0, &f), -ENOENT);
	assert_int_equal(f.step, X4_FILE_AT_OPEN);
	unlink(p);
}

/* x4_fd_read grows its buffer past the first chunk and stops one byte after the cap. */
static void test_fd_read(void **state)
{
	enum { BIG = 200000 };
	char p[512], *data = malloc(BIG), *buf;
	size_t len;
	int fd;

	(void)state;
	assert_non_null(data);
	for (size_t i = 0; i < BIG; i++)
		data[i] = (char)('a' + i % 26);
	put("/d/big", data, BIG);
	rootpath(p, sizeof(p), "/d/big");
	fd = open(p, O_RDONLY);
	assert_true(fd >= 0);
	/* no hint: starts at 64 KiB and grows */
	assert_int_equal(x4_fd_read(fd, BIG, 0, 0, &buf, &len), 0);
	assert_int_equal(len, BIG);
	assert_memory_equal(buf, data, BIG);
	assert_int_equal(buf[BIG], '\0');
	free(buf);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	assert_int_equal(x4_fd_read(fd, BIG - 1, 0, 0, &buf, &len), -EFBIG);
	assert_null(buf);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	/* a hint smaller than the truth still reads it all */
	assert_int_equal(x4_fd_read(fd, BIG, 10, 0, &buf, &len), 0);
	assert_int_equal(len, BIG);
	free(buf);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	assert_int_equal(x4_fd_read(fd, 100, 0, X4_FILE_PREFIX, &buf, &len), 0);
	assert_int_equal(len, 100);
	assert_memory_equal(buf, data, 100);
	free(buf);
	close(fd);
	unlink(p);
	free(data);
	assert_int_equal(x4_fd_read(-1, 10, 0, 0, &buf, &len), -EBADF);
	assert_null(buf);
}

/* One short value: cut at n - 1 bytes, "" on failure, links refused on asking. */
static void test_read_str(void **state)
{
	char p[512], l[512], buf[4];

	(void)state;
	rootpath(p, sizeof(p), "/d/v");
	rootpath(l, sizeof(l), "/d/l");
	put("/d/v", "1234\n", 5);
	assert_int_equal(x4_file_read_str(p, 0, buf, sizeof(buf)), 3);
	assert_string_equal(buf, "123");
	assert_int_equal(symlink(p, l), 0);
	assert_int_equal(x4_file_read_str(l, 0, buf, sizeof(buf)), 3);
	assert_int_equal(x4_file_read_str(l, X4_FILE_NOFOLLOW, buf, sizeof(buf)), -ELOOP);
	assert_string_equal(buf, "");
	unlink(l);
	rootpath(l, sizeof(l), "/d/none");
	assert_int_equal(x4_file_read_str(l, 0, buf, sizeof(buf)), -ENOENT);
	assert_string_equal(buf, "");
	/* a directory opens but does not read */
	rootpath(l, sizeof(l), "/d");
	assert_int_equal(x4_file_read_str(l, 0, buf, sizeof(buf)), -EISDIR);
	assert_string_equal(buf, "");
	assert_int_equal(x4_file_read_str(p, 0, buf, 0), -EINVAL);
	/* procfs: the value, whatever size it claims */
	assert_true(x4_file_read_str("/proc/self/comm", 0, buf, sizeof(buf)) > 0);
	unlink(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mkdirs),
		cmocka_unit_test(test_write_read),
		cmocka_unit_test(test_write_replaces_link),
		cmocka_unit_test(test_read_errors),
		cmocka_unit_test(test_load_steps),
		cmocka_unit_test(test_fd_read),
		cmocka_unit_test(test_read_str),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
