/* SPDX-License-Identifier: MIT */
/* sysfs: bounded attribute reads, one-write() attribute writes, link names, with hints. */
#include "sysfs.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apparmor.h"
#include "fileio.h"
#include "paths.h"

#define SYSFS_PAGE 4096     /* the kernel's show() fills at most one page */

static const char *sysfs_basename(const char *abs)
{
	const char *slash = abs ? strrchr(abs, '/') : NULL;

	return slash ? slash + 1 : (abs ? abs : "");
}

const char *x4_sysfs_hint(const char *abs, int err)
{
	const char *attr = sysfs_basename(abs);

	if (err < 0)
		err = -err;
	switch (err) {
	case EBUSY:
		return strcmp(attr, "sriov_numvfs") == 0 ? "VFs already enabled: write 0 first"
							 : "device busy";
	case EACCES:
	case EPERM:
		return x4_aa_hint(err, "run as root");
	case ENOENT:
		return "no such file: driver not loaded or device gone?";
	case ENODEV:
		if (strcmp(attr, "bind") == 0 || strcmp(attr, "unbind") == 0 ||
		    strcmp(attr, "drivers_probe") == 0)
			return "device not bound to that driver / no such device";
		return NULL;
	case ERANGE:
		return strcmp(attr, "sriov_numvfs") == 0 ? "more VFs than sriov_totalvfs" : NULL;
	case EINVAL:
		return "kernel rejected the value";
	default:
		return NULL;
	}
}

/* Fill e for a failed syscall on abs: "<what> <abs>: <strerror>[: <hint>]". */
static int sysfs_fail(struct x4_err *e, int err, const char *what, const char *abs)
{
	const char *hint = x4_sysfs_hint(abs, err);

	return x4_fail(e, err, "%s %s: %s%s%s", what, abs, strerror(err), hint ? ": " : "",
		       hint ? hint : "");
}

int x4_sysfs_read(const char *abs, char *buf, size_t n, struct x4_err *e)
{
	char path[PATH_MAX];
	ssize_t got;
	int rc;

	if (!buf || n == 0)
		return x4_fail(e, EINVAL, "cannot read %s: no buffer", abs ? abs : "(null)");
	buf[0] = '\0';
	rc = x4_host_path(abs, path, sizeof(path), e);
	if (rc < 0)
		return rc;
	got = x4_file_read_str(path, 0, buf, n - 1 < SYSFS_PAGE ? n : SYSFS_PAGE + 1);
	if (got < 0)
		return sysfs_fail(e, (int)-got, "cannot read", abs);
	if (got > 0 && buf[got - 1] == '\n')
		buf[got - 1] = '\0';
	return 0;
}

int x4_sysfs_read_uint(const char *abs, unsigned long *out, struct x4_err *e)
{
	char buf[64], q[X4_QUOTE_BUF];
	const char *digits = buf;
	unsigned long v;
	char *end;
	int base = 10, rc;

	rc = x4_sysfs_read(abs, buf, sizeof(buf), e);
	if (rc < 0)
		return rc;
	if (buf[0] == '0' && (buf[1] == 'x' || buf[1] == 'X')) {
		base = 16;
		digits += 2;
	}
	/* strtoul would take spaces and signs: demand a digit up front, nothing after. */
	if (!(base == 16 ? isxdigit((unsigned char)digits[0]) : isdigit((unsigned char)digits[0])))
		goto bad;
	errno = 0;
	v = strtoul(digits, &end, base);
	if (errno == ERANGE)
		return x4_fail(e, ERANGE, "%s: value %s too large", abs,
			       x4_quote(buf, q));
	if (*end != '\0')
		goto bad;
	*out = v;
	return 0;
bad:
	return x4_fail(e, EINVAL, "%s: expected a number, got %s", abs,
		       x4_quote(buf, q));
}

int x4_sysfs_write(const char *abs, const char *val, struct x4_err *e)
{
	char path[PATH_MAX], q[X4_QUOTE_BUF], what[X4_QUOTE_BUF + 24];
	size_t len;
	ssize_t w;
	int fd, rc, err;

	if (!val)
		return x4_fail(e, EINVAL, "cannot write to %s: no value", abs ? abs : "(null)");
	rc = x4_host_path(abs, path, sizeof(path), e);
	if (rc < 0)
		return rc;
	snprintf(what, sizeof(what), "cannot write %s to", x4_quote(val, q));
	/* O_TRUNC is what a shell's `echo v > attr` does: sysfs ignores it, and plain-file fake
	 * trees then hold exactly the value written. */
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return sysfs_fail(e, errno, what, abs);
	len = strlen(val);
	/* One write(): the kernel's store() sees the whole value at once; no retry on EINTR, as a
	 * sysfs store is not restartable half-way. */
	w = write(fd, val, len);
	err = errno;
	if (w < 0) {
		close(fd);
		return sysfs_fail(e, err, what, abs);
	}
	if ((size_t)w != len) {
		close(fd);
		return x4_fail(e, EIO, "%s %s: short write (%zd of %zu bytes)", what, abs, w, len);
	}
	/* Some stores (and FUSE/NFS fakes) report their error only at close. */
	if (close(fd) != 0)
		return sysfs_fail(e, errno, what, abs);
	return 0;
}

int x4_sysfs_link_name(const char *abs, char *out, size_t n, struct x4_err *e)
{
	char path[PATH_MAX], target[PATH_MAX];
	const char *base;
	ssize_t len;
	int rc;

	if (!out || n == 0)
		return x4_fail(e, EINVAL, "cannot read link %s: no buffer", abs ? abs : "(null)");
	out[0] = '\0';
	rc = x4_host_path(abs, path, sizeof(path), e);
	if (rc < 0)
		return rc;
	len = readlink(path, target, sizeof(target));
	if (len < 0) {
		int err = errno;

		if (err == ENOENT)
			return x4_fail(e, ENOENT, "no link %s", abs);
		if (err == EINVAL)
			return x4_fail(e, EINVAL, "%s is not a symbolic link", abs);
		return sysfs_fail(e, err, "cannot read link", abs);
	}
	if ((size_t)len >= sizeof(target))
		return x4_fail(e, ENAMETOOLONG, "link %s: target too long", abs);
	/* Drop trailing slashes so ".../drivers/i915/" still names "i915". */
	while (len > 1 && target[len - 1] == '/')
		len--;
	target[len] = '\0';
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	if (!*base || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
		return x4_fail(e, EINVAL, "link %s: target '%s' has no name", abs, target);
	if (strlen(base) >= n)
		return x4_fail(e, ENAMETOOLONG, "link %s: name '%s' too long", abs, base);
	memcpy(out, base, strlen(base) + 1);
	return 0;
}

int x4_sysfs_exists(const char *abs)
{
	char path[PATH_MAX];
	struct stat st;
	int rc = x4_host_path(abs, path, sizeof(path), NULL);

	if (rc < 0)
		return rc;
	if (lstat(path, &st) == 0)
		return 1;
	if (errno == ENOENT || errno == ENOTDIR)
		return 0;
	return -errno;
}

int x4_sysfs_pci_uint(const struct x4_pciaddr *a, const char *attr, unsigned long max,
		      unsigned long *v, struct x4_err *e)
{
	char abs[X4_PCI_ATTR_PATH_MAX];
	int rc;

	if ((rc = x4_pci_attr_path(a, attr, abs, sizeof(abs), e)) < 0)
		return rc;
	rc = x4_sysfs_read_uint(abs, v, e);
	if (rc)
		return rc;
	if (*v > max)
		return x4_fail(e, EINVAL, "%s: value 0x%lx out of range (at most 0x%lx)", abs, *v,
			       max);
	return 0;
}
