/* SPDX-License-Identifier: MIT */
/* lgmp_region: open a Looking Glass region read-only (kvmfr device or shm file), copy it out,
 * and watch its LGMP timestamp. Nothing here ever writes to the region. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "lgmp.h"
#include "paths.h"

_Static_assert(X4_LGMP_KVMFR_IOCTL_SIZE == _IO('u', 0x44), "kvmfr's KVMFR_DMABUF_GETSIZE");

int x4_lgmp_is_kvmfr(dev_t rdev)
{
	char link[4096], target[4096];
	struct x4_err e;
	ssize_t n;

	if (x4_host_pathf(link, sizeof(link), &e, "/sys/dev/char/%u:%u", major(rdev), minor(rdev)) <
	    0)
		return 0;
	n = readlink(link, target, sizeof(target) - 1);
	if (n <= 0)
		return 0;
	target[n] = '\0';
	return strstr(target, "/kvmfr/kvmfr") != NULL;
}

int x4_lgmp_open(const char *path, struct x4_lgmp_region *r, struct x4_err *e)
{
	struct stat st;
	int fd;

	memset(r, 0, sizeof(*r));
	r->fd = -1;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return x4_fail(e, errno, "%s: cannot open: %s%s", path, strerror(errno),
			       errno == EACCES ? " (run as root, or add the kvmfr udev rule)" : "");
	if (fstat(fd, &st) < 0) {
		int err = errno;

		close(fd);
		return x4_fail(e, err, "%s: %s", path, strerror(err));
	}
	if (S_ISREG(st.st_mode)) {
		r->size = (uint64_t)st.st_size;
	} else if (S_ISCHR(st.st_mode)) {
		/* kvmfr answers its size as the ioctl's return value; others refuse it. */
		long sz =
		    x4_lgmp_is_kvmfr(st.st_rdev) ? ioctl(fd, X4_LGMP_KVMFR_IOCTL_SIZE, 0) : -1;

		if (sz <= 0) {
			close(fd);
			return x4_fail(e, ENOTTY,
				       "%s: a character device that is not kvmfr (not in "
				       "/sys/class/kvmfr, or its size ioctl failed): give a "
				       "/dev/kvmfrN or a /dev/shm file",
				       path);
		}
		r->size = (uint64_t)sz;
		r->is_chr = 1;
		r->map_len = r->size < X4_LGMP_WINDOW ? (size_t)r->size : X4_LGMP_WINDOW;
		r->map = mmap(NULL, r->map_len, PROT_READ, MAP_SHARED, fd, 0);
		if (r->map == MAP_FAILED) {
			int err = errno;

			r->map = NULL;
			close(fd);
			return x4_fail(e, err, "%s: cannot map it read-only: %s", path,
				       strerror(err));
		}
	} else {
		close(fd);
		return x4_fail(e, EINVAL,
			       "%s: not a kvmfr device or a regular file: give /dev/kvmfrN or "
			       X4_LG_SHM_PREFIX "*",
			       path);
	}
	r->fd = fd;
	return 0;
}

void x4_lgmp_close(struct x4_lgmp_region *r)
{
	if (r->map)
		munmap((void *)(uintptr_t)r->map, r->map_len);
	if (r->fd >= 0)
		close(r->fd);
	r->map = NULL;
	r->fd = -1;
}

long x4_lgmp_copy(const struct x4_lgmp_region *r, uint8_t *buf, size_t cap)
{
	size_t n, i, got = 0;

	if (r->map) {
		n = r->map_len < cap ? r->map_len : cap;
		/* Byte by byte from volatile memory: the guest writes it concurrently. */
		for (i = 0; i < n; i++)
			buf[i] = r->map[i];
		return (long)n;
	}
	n = r->size < cap ? (size_t)r->size : cap;
	while (got < n) {
		ssize_t k = pread(r->fd, buf + got, n - got, (off_t)got);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -errno;
		if (k == 0)
			break; /* the file shrank under us: parse what we have */
		got += (size_t)k;
	}
	return (long)got;
}

int x4_lgmp_read(const struct x4_lgmp_region *r, struct x4_lgmp_info *info, struct x4_err *e)
{
	uint8_t *buf = malloc(X4_LGMP_WINDOW);
	long n;

	if (!buf)
		return x4_fail(e, ENOMEM, "out of memory");
	n = x4_lgmp_copy(r, buf, X4_LGMP_WINDOW);
	if (n < 0) {
		free(buf);
		return x4_fail(e, (int)-n, "cannot read the region: %s", strerror((int)-n));
	}
	x4_lgmp_parse(buf, (size_t)n, r->size, info);
	free(buf);
	return 0;
}

static uint64_t lgmp_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* What changes while a host runs: timestamp and session of a known layout, or else the
 * first X4_LGMP_SCAN bytes as a whole. */
static int lgmp_fingerprint(const struct x4_lgmp_region *r, uint8_t *buf, size_t cap,
			    const struct x4_lgmp_info *in, uint64_t *ts, uint32_t *session)
{
	long n = x4_lgmp_copy(r, buf, cap);
	struct x4_lgmp_info now;

	if (n < 0)
		return (int)n;
	x4_lgmp_parse(buf, (size_t)n, r->size, &now);
	if (now.kind != X4_LGMP_HOST || now.magic_off != in->magic_off)
		return -ESTALE;
	*ts = now.timestamp;
	*session = now.session;
	return 0;
}

enum x4_lgmp_live x4_lgmp_sample(const struct x4_lgmp_region *r, const struct x4_lgmp_info *in,
				 unsigned max_ms, unsigned step_ms)
{
	enum x4_lgmp_live verdict = X4_LGMP_STALE;
	uint8_t *first, *buf;
	uint64_t t0 = lgmp_now_ms(), ts0, ts;
	uint32_t s0, s;
	size_t cap = X4_LGMP_WINDOW;

	if (in->kind != X4_LGMP_HOST)
		return X4_LGMP_LIVE_UNKNOWN;
	first = malloc(cap);
	buf = malloc(cap);
	if (!first || !buf || lgmp_fingerprint(r, first, cap, in, &ts0, &s0) < 0) {
		free(first);
		free(buf);
		return X4_LGMP_LIVE_UNKNOWN;
	}
	if (in->layout_known) { /* what the caller parsed is the baseline: changes since count */
		ts0 = in->timestamp;
		s0 = in->session;
	}
	for (;;) {
		struct timespec d = {.tv_sec = step_ms / 1000,
				     .tv_nsec = (long)(step_ms % 1000) * 1000000L};
		int rc;

		nanosleep(&d, NULL);
		rc = lgmp_fingerprint(r, buf, cap, in, &ts, &s);
		if (rc == -ESTALE) {
			verdict = X4_LGMP_RESTARTED; /* the header was rewritten or wiped */
			break;
		}
		if (rc == 0 && s != s0) {
			verdict = X4_LGMP_RESTARTED;
			break;
		}
		if (rc == 0 &&
		    (in->layout_known ? ts != ts0 : memcmp(first, buf, X4_LGMP_SCAN) != 0)) {
			verdict = X4_LGMP_ALIVE;
			break;
		}
		if (lgmp_now_ms() - t0 >= max_ms)
			break;
	}
	free(first);
	free(buf);
	return verdict;
}
