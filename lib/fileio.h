/* SPDX-License-Identifier: MIT */
/* fileio: the one home of "read a whole file into memory, bounded", "read one short value",
 * "replace a file atomically with a mode" and "mkdir -p" for all of x4-sriov. Any lib/ module,
 * program or test may call it. sysfs attributes go through sysfs.h (built on it: one page,
 * newline cut, error hints); callers word their own messages from x4_file_load's step. */
#ifndef X4_FILEIO_H
#define X4_FILEIO_H

#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "err.h"

/* How x4_file_load opens and reads (or-ed; 0 = a regular file, symlinks followed, at most
 * cap bytes or -EFBIG). Every open is O_NONBLOCK: a FIFO put there never hangs us. */
#define X4_FILE_NOFOLLOW 0x1u /* a symlink as the last component: -ELOOP at X4_FILE_AT_OPEN */
#define X4_FILE_ANYTYPE 0x2u  /* no regular-file check (procfs, sysfs, efivarfs) */
#define X4_FILE_PREFIX 0x4u   /* more than cap bytes: keep the first cap, no error */

/* Where x4_file_load stopped, so callers can word their own message. */
enum x4_file_step {
	X4_FILE_DONE,
	X4_FILE_AT_OPEN, /* open(): its errno (-ENOENT missing, -ELOOP a refused symlink, ...) */
	X4_FILE_AT_STAT, /* fstat(): its errno */
	X4_FILE_AT_TYPE, /* not a regular file: -EINVAL (st is valid) */
	X4_FILE_AT_SIZE, /* more than cap bytes: -EFBIG (st is valid; st_size <= cap when it
			  * grew while we read) */
	X4_FILE_AT_READ, /* read(): its errno */
	X4_FILE_AT_MEM,  /* out of memory: -ENOMEM */
};

/* One file read whole. */
struct x4_file {
	char *buf;              /* malloc'ed, NUL-terminated; NULL unless it succeeded */
	size_t len;             /* bytes in buf (the file may hold NULs: do not strlen) */
	struct stat st;         /* its fstat, from X4_FILE_AT_TYPE on */
	enum x4_file_step step; /* X4_FILE_DONE, or where it failed */
};

/* Read fd to its end into a malloc'ed, NUL-terminated *buf, growing the buffer as data comes
 * (start: hint + 1 bytes when the caller knows the size, else 64 KiB; doubling, never above
 * cap + 1), so a big input costs about what it holds, a huge one cap. More than cap bytes:
 * -EFBIG (with X4_FILE_PREFIX: keep the first cap). -ENOMEM, read()'s -errno, -EINVAL for
 * an absurd cap. Only flag read: X4_FILE_PREFIX. */
int x4_fd_read(int fd, size_t cap, size_t hint, unsigned flags, char **buf, size_t *len);

/* Open path as given (no $X4_ROOT: resolve host paths with x4_host_path first) and read it
 * whole into f. 0, or a negative errno with f->step saying where; no message: the caller
 * words one for its users. Free f->buf. */
int x4_file_load(const char *path, size_t cap, unsigned flags, struct x4_file *f);

/* Read a regular file at absolute host path abs ($X4_ROOT applies; no symlink followed) of at
 * most cap bytes into a malloc'ed, NUL-terminated *buf. -ENOENT when missing, -EFBIG when
 * larger, -EBADMSG when a symlink or not a regular file; e says which. st_out (may be NULL)
 * receives its fstat. */
int x4_file_read(const char *abs, size_t cap, char **buf, size_t *len, struct stat *st_out,
		 struct x4_err *e);

/* One short value: open path as given (X4_FILE_NOFOLLOW honoured), read at most n - 1 bytes
 * into buf and NUL-terminate it (buf is "" on failure). The byte count, or a negative errno
 * from open() or read(). Nothing is cut or parsed: the caller does. */
ssize_t x4_file_read_str(const char *path, unsigned flags, char *buf, size_t n);

/* Replace abs (host path) atomically with data: temp file in the same directory (created
 * O_EXCL, never following a link), fchmod mode, write, fsync, rename, fsync the directory.
 * Leaves no temp file behind on failure. */
int x4_file_write(const char *abs, const char *data, size_t len, mode_t mode, struct x4_err *e);

/* mkdir -p abs (host path); directories we create get exactly mode (umask does not apply).
 * -ENOTDIR when a component exists and is not a directory. */
int x4_mkdirs(const char *abs, mode_t mode, struct x4_err *e);

#endif
