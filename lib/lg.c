/* SPDX-License-Identifier: MIT */
/* lg: Looking Glass sizing and the checks that catch the usual kvmfr set-up mistakes. */
#include "lg.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "paths.h"
#include "sysfs.h"

#define LG_STATIC_SIZE_PARAM "/sys/module/kvmfr/parameters/static_size_mb"
#define LG_MIB (1ULL << 20)

uint64_t x4_lg_size_for(unsigned w, unsigned h, int hdr)
{
	uint64_t need, size = 1;

	if (w == 0 || h == 0 || w > 65535 || h > 65535)
		return 0;
	need = (uint64_t)w * h * 4 * 2 * (hdr ? 2 : 1) + 10 * LG_MIB;
	while (size < need)
		size <<= 1;
	return size;
}

int x4_lg_device_index(const char *abs, unsigned *idx, struct x4_err *e)
{
	static const char prefix[] = "/dev/kvmfr";
	const char *p;

	if (!abs || strncmp(abs, prefix, sizeof(prefix) - 1) != 0)
		goto bad;
	p = abs + sizeof(prefix) - 1;
	/* one digit: kvmfr makes at most 10 devices, and "01" is not a name it uses */
	if (p[0] < '0' || p[0] > '9' || p[1] != '\0')
		goto bad;
	*idx = (unsigned)(p[0] - '0');
	return 0;
bad:
	return x4_fail(e, EINVAL, "Looking Glass device '%s' is not /dev/kvmfrN (N = 0..9)",
		       abs ? abs : "(null)");
}

int x4_lg_static_size(unsigned idx, uint64_t *bytes, struct x4_err *e)
{
	char buf[256];
	const char *p = buf;
	uint64_t mb[X4_LG_MAX_DEVICES];
	unsigned count = 0;
	int rc = x4_sysfs_read(LG_STATIC_SIZE_PARAM, buf, sizeof(buf), e);

	if (rc == -ENOENT)
		return x4_fail(e, ENOENT, "kvmfr is not loaded (%s missing): modprobe kvmfr "
			       "static_size_mb=32", LG_STATIC_SIZE_PARAM);
	if (rc < 0)
		return rc;
	/* The whole list must parse, not just the entry asked for. */
	for (;;) {
		uint64_t v = 0;
		int digits = 0;

		while (*p >= '0' && *p <= '9' && digits < 8) {
			v = v * 10 + (uint64_t)(*p++ - '0');
			digits++;
		}
		if (digits == 0 || (*p != ',' && *p != '\0') || count >= X4_LG_MAX_DEVICES)
			return x4_fail(e, EINVAL, "%s: cannot parse '%.64s': expected up to %d MiB "
				       "numbers separated by commas", LG_STATIC_SIZE_PARAM, buf,
				       X4_LG_MAX_DEVICES);
		mb[count++] = v;
		if (*p == '\0')
			break;
		p++;
	}
	if (idx >= count)
		return x4_fail(e, ENOENT, "kvmfr has %u device(s), so /dev/kvmfr%u does not exist: "
			       "add a size for it to static_size_mb (modprobe kvmfr "
			       "static_size_mb=32,...)", count, idx);
	if (mb[idx] == 0)
		return x4_fail(e, ENOENT, "kvmfr device %u has static_size_mb 0: reload kvmfr with a "
			       "size, e.g. modprobe kvmfr static_size_mb=32", idx);
	*bytes = mb[idx] << 20;
	return 0;
}

/* "64 MiB", or bytes when not a whole number of MiB. */
static const char *lg_fmt_size(uint64_t bytes, char *buf, size_t n)
{
	if (bytes % LG_MIB == 0)
		snprintf(buf, n, "%llu MiB", (unsigned long long)(bytes / LG_MIB));
	else
		snprintf(buf, n, "%llu bytes", (unsigned long long)bytes);
	return buf;
}

int x4_lg_check_device(const char *abs, uint64_t want_size, struct x4_err *e)
{
	char path[4096], have_s[32], want_s[32];
	unsigned long long want_mb = want_size ? (want_size + LG_MIB - 1) / LG_MIB : 32;
	uint64_t have = 0;
	unsigned idx = 0;
	struct stat st;
	int rc = x4_lg_device_index(abs, &idx, e);

	if (rc < 0)
		return rc;
	rc = x4_host_path(abs, path, sizeof(path), e);
	if (rc < 0)
		return rc;
	if (stat(path, &st) < 0) {
		if (errno == ENOENT)
			return x4_fail(e, ENOENT, "%s does not exist: kvmfr is not loaded: modprobe "
				       "kvmfr static_size_mb=%llu (and list kvmfr in "
				       "/etc/modules-load.d/kvmfr.conf)", abs, want_mb);
		return x4_fail(e, errno, "cannot stat %s: %s", abs, strerror(errno));
	}
	if (S_ISREG(st.st_mode))
		return x4_fail(e, EEXIST, "%s is a plain file, not the kvmfr device: QEMU created it "
			       "because kvmfr was not loaded; stop the VM, rm %s, modprobe kvmfr "
			       "static_size_mb=%llu", abs, abs, want_mb);
	if (!S_ISCHR(st.st_mode))
		return x4_fail(e, ENODEV, "%s is not a character device: remove it and modprobe "
			       "kvmfr static_size_mb=%llu", abs, want_mb);
	if (want_size == 0)
		return 0;
	rc = x4_lg_static_size(idx, &have, e);
	if (rc < 0)
		return rc;
	if (have != want_size)
		return x4_fail(e, ERANGE, "%s is %s (kvmfr static_size_mb) but the VM wants %s: set "
			       "lg_size = %lluM in x4-sriov.conf, or reload: rmmod kvmfr; modprobe "
			       "kvmfr static_size_mb=%llu", abs,
			       lg_fmt_size(have, have_s, sizeof(have_s)),
			       lg_fmt_size(want_size, want_s, sizeof(want_s)),
			       (unsigned long long)(have / LG_MIB), want_mb);
	return 0;
}

/* Is gid among uid's groups (primary or supplementary, from the user database)? */
static int lg_in_group(uid_t uid, gid_t gid, gid_t file_gid)
{
	char pwbuf[4096];
	struct passwd pw, *res = NULL;
	gid_t groups[64];
	int ng = (int)(sizeof(groups) / sizeof(groups[0]));

	if (gid == file_gid)
		return 1;
	if (getpwuid_r(uid, &pw, pwbuf, sizeof(pwbuf), &res) != 0 || !res)
		return 0;
	if (getgrouplist(pw.pw_name, pw.pw_gid, groups, &ng) < 0)
		return 0; /* more than 64 groups: judge by the primary group alone */
	for (int i = 0; i < ng; i++)
		if (groups[i] == file_gid)
			return 1;
	return 0;
}

/* The permission bits (rwx, 0..7) that apply to uid/gid for st. */
static unsigned lg_bits_for(const struct stat *st, uid_t uid, gid_t gid)
{
	if (st->st_uid == uid)
		return (st->st_mode >> 6) & 7;
	if (lg_in_group(uid, gid, st->st_gid))
		return (st->st_mode >> 3) & 7;
	return st->st_mode & 7;
}

int x4_lg_check_access(const char *abs, uid_t uid, gid_t gid, int want_write, struct x4_err *e)
{
	char dir[4096], path[4096], dpath[4096];
	struct stat st;
	unsigned need = want_write ? 6 : 4;
	size_t len;
	int rc = x4_host_path(abs, path, sizeof(path), e);

	if (rc < 0)
		return rc;
	if (uid == 0)
		return 0; /* root passes DAC checks */
	/* Every directory above abs must be searchable. */
	len = strlen(abs);
	for (size_t i = 0; i < len; i++) {
		if (abs[i] != '/')
			continue;
		memcpy(dir, abs, i ? i : 1);
		dir[i ? i : 1] = '\0';
		rc = x4_host_path(dir, dpath, sizeof(dpath), e);
		if (rc < 0)
			return rc;
		if (stat(dpath, &st) < 0)
			return x4_fail(e, errno, "cannot stat %s: %s", dir, strerror(errno));
		if (!(lg_bits_for(&st, uid, gid) & 1))
			return x4_fail(e, EACCES, "uid %u cannot enter directory %s (owner %u:%u mode "
				       "%04o): chmod o+x %s", (unsigned)uid, dir, (unsigned)st.st_uid,
				       (unsigned)st.st_gid, (unsigned)(st.st_mode & 07777), dir);
	}
	if (stat(path, &st) < 0)
		return x4_fail(e, errno, "cannot stat %s: %s", abs, strerror(errno));
	if ((lg_bits_for(&st, uid, gid) & need) != need)
		return x4_fail(e, EACCES, "%s is not %s by uid %u gid %u (owner %u:%u mode %04o): "
			       "%s", abs, want_write ? "readable and writable" : "readable",
			       (unsigned)uid, (unsigned)gid, (unsigned)st.st_uid, (unsigned)st.st_gid,
			       (unsigned)(st.st_mode & 07777),
			       strncmp(abs, "/dev/kvmfr", 10) == 0
				       ? "add a udev rule SUBSYSTEM==\"kvmfr\", GROUP=\"kvm\", "
					 "MODE=\"0660\" (99-kvmfr.rules)"
				       : want_write ? "chgrp kvm it and chmod g+rw"
						    : "chmod a+r it");
	return 0;
}
