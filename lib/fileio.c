/* SPDX-License-Identifier: MIT */
/* fileio: bounded whole-file reads, atomic replace with a mode, mkdir -p. */
#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "paths.h"

#define FILEIO_CHUNK 65536 /* first buffer when the size is unknown (a pipe, procfs) */

int x4_fd_read(int fd, size_t cap, size_t hint, unsigned flags, char **buf, size_t *len)
{
	/* Read one byte more than allowed: enough to know it is too big. */
	size_t limit = flags & X4_FILE_PREFIX ? cap : cap + 1, size = 0;
	size_t room = hint ? hint + 1 : FILEIO_CHUNK; /* data bytes; +1 sees the end */
	char *b;

	*buf = NULL;
	*len = 0;
	if (cap >= SIZE_MAX / 4)
		return -EINVAL;
	if (room > limit)
		room = limit;
	b = malloc(room + 1);
	if (!b)
		return -ENOMEM;
	while (size < limit) {
		ssize_t r;

		if (size == room) {
			size_t next = room * 2 > limit ? limit : room * 2;
			char *nb = realloc(b, next + 1);

			if (!nb) {
				free(b);
				return -ENOMEM;
			}
			b = nb;
			room = next;
		}
		r = read(fd, b + size, room - size);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int err = errno;

			free(b);
			return -err;
		}
		if (r == 0)
			break;
		size += (size_t)r;
	}
	if (size > cap) {
		free(b);
		return -EFBIG;
	}
	b[size] = '\0';
	*buf = b;
	*len = size;
	return 0;
}

int x4_file_load(const char *path, size_t cap, unsigned flags, struct x4_file *f)
{
	int oflags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
	int fd, rc, reg;

	memset(f, 0, sizeof(*f));
	f->step = X4_FILE_AT_OPEN;
	if (flags & X4_FILE_NOFOLLOW)
		oflags |= O_NOFOLLOW;
	fd = open(path, oflags);
	if (fd < 0)
		return -errno;
	f->step = X4_FILE_AT_STAT;
	if (fstat(fd, &f->st) < 0) {
		rc = -errno;
		goto out;
	}
	reg = S_ISREG(f->st.st_mode);
	f->step = X4_FILE_AT_TYPE;
	if (!reg && !(flags & X4_FILE_ANYTYPE)) {
		rc = -EINVAL;
		goto out;
	}
	f->step = X4_FILE_AT_SIZE;
	if (reg && !(flags & X4_FILE_PREFIX) && (uint64_t)f->st.st_size > cap) {
		rc = -EFBIG;
		goto out;
	}
	/* procfs and sysfs files say 0 or 4096 whatever they hold: only a hint. */
	rc = x4_fd_read(fd, cap, reg && f->st.st_size > 0 ? (size_t)f->st.st_size : 0, flags,
			&f->buf, &f->len);
	f->step = rc == 0 ? X4_FILE_DONE : rc == -EFBIG ? X4_FILE_AT_SIZE
				: rc == -ENOMEM ? X4_FILE_AT_MEM : X4_FILE_AT_READ;
out:
	close(fd);
	return rc;
}

ssize_t x4_file_read_str(const char *path, unsigned flags, char *buf, size_t n)
{
	int fd, err = 0;
	size_t got = 0;

	if (n == 0)
		return -EINVAL;
	buf[0] = '\0';
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK |
				(flags & X4_FILE_NOFOLLOW ? O_NOFOLLOW : 0));
	if (fd < 0)
		return -errno;
	while (got < n - 1) {
		ssize_t r = read(fd, buf + got, n - 1 - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			err = errno;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	if (err) {
		buf[0] = '\0';
		return -err;
	}
	buf[got] = '\0';
	return (ssize_t)got;
}

int x4_file_read(const char *abs, size_t cap, char **buf, size_t *len, struct stat *st_out,
		 struct x4_err *e)
{
	char path[PATH_MAX];
	struct x4_file f;
	int rc = x4_host_path(abs, path, sizeof(path), e);

	*buf = NULL;
	*len = 0;
	if (rc < 0)
		return rc;
	rc = x4_file_load(path, cap, X4_FILE_NOFOLLOW, &f);
	switch (f.step) {
	case X4_FILE_DONE:
		break;
	case X4_FILE_AT_OPEN:
		if (rc == -ELOOP)
			return x4_fail(e, EBADMSG, "%s is a symlink: refusing it", abs);
		return x4_fail(e, -rc, "cannot open %s: %s", abs, strerror(-rc));
	case X4_FILE_AT_STAT:
		return x4_fail(e, -rc, "cannot stat %s: %s", abs, strerror(-rc));
	case X4_FILE_AT_TYPE:
		return x4_fail(e, EBADMSG, "%s is not a regular file: remove it", abs);
	case X4_FILE_AT_SIZE:
		if ((uint64_t)f.st.st_size > cap)
			return x4_fail(e, EFBIG, "%s is %lld bytes, more than the %zu allowed", abs,
				       (long long)f.st.st_size, cap);
		return x4_fail(e, EFBIG, "%s is more than %zu bytes", abs, cap);
	case X4_FILE_AT_MEM:
		return x4_fail(e, ENOMEM, "out of memory reading %s", abs);
	case X4_FILE_AT_READ:
		return x4_fail(e, -rc, "cannot read %s: %s", abs, strerror(-rc));
	}
	*buf = f.buf;
	*len = f.len;
	if (st_out)
		*st_out = f.st;
	return 0;
}

static int fileio_write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, data, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		data += w;
		len -= (size_t)w;
	}
	return 0;
}

int x4_file_write(const char *abs, const char *data, size_t len, mode_t mode, struct x4_err *e)
{
	char path[PATH_MAX], tmp[PATH_MAX + 16], dir[PATH_MAX];
	char *slash;
	int fd, dfd, rc = x4_host_path(abs, path, sizeof(path), e);

	if (rc < 0)
		return rc;
	if (snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path) >= (int)sizeof(tmp))
		return x4_fail(e, ENAMETOOLONG, "path too long: %s", path);
	/* mkostemp creates with O_CREAT|O_EXCL: a planted link is never followed. */
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return x4_fail(e, errno, "cannot create a temporary file next to %s: %s", abs,
			       strerror(errno));
	rc = fchmod(fd, mode) < 0 ? -errno : fileio_write_all(fd, data, len);
	if (rc == 0 && fsync(fd) < 0)
		rc = -errno;
	if (close(fd) < 0 && rc == 0)
		rc = -errno;
	if (rc == 0 && rename(tmp, path) < 0)
		rc = -errno;
	if (rc < 0) {
		unlink(tmp);
		return x4_fail(e, -rc, "cannot write %s: %s", abs, strerror(-rc));
	}
	/* Make the rename itself durable. */
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd >= 0) {
			(void)fsync(dfd); /* best effort: tmpfs /run ignores it anyway */
			close(dfd);
		}
	}
	return 0;
}

int x4_mkdirs(const char *abs, mode_t mode, struct x4_err *e)
{
	char path[PATH_MAX];
	size_t rootlen = strlen(x4_root());
	struct stat st;
	int rc = x4_host_path(abs, path, sizeof(path), e);

	if (rc < 0)
		return rc;
	/* Walk the components after the root: the root itself is the caller's business. */
	for (char *p = path + rootlen + 1;; p++) {
		int last = *p == '\0';

		if (*p != '/' && !last)
			continue;
		*p = '\0';
		if (mkdir(path, mode) == 0) {
			if (chmod(path, mode) < 0)
				return x4_fail(e, errno, "cannot chmod %s: %s", path, strerror(errno));
		} else if (errno != EEXIST) {
			return x4_fail(e, errno, "cannot create directory %s: %s", path,
				       strerror(errno));
		} else if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode)) {
			return x4_fail(e, ENOTDIR, "%s exists and is not a directory: remove it", path);
		}
		if (last)
			break;
		*p = '/';
	}
	return 0;
}
