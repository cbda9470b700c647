/* SPDX-License-Identifier: MIT */
/* lgsize_check: the real size of a Looking Glass region (kvmfr ioctl, or fstat for a shm file)
 * against the plan, so a mismatch stops the VM with our line instead of QEMU's (or the
 * client's) puzzling failure. Opens read-only, never maps or writes. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lg.h"
#include "lgmp.h"
#include "lgsize_check.h"
#include "paths.h"

#define LGSC_MIB (1ULL << 20)

int x4_lg_region_size(const char *abs, uint64_t *bytes, struct x4_err *e)
{
	char path[4096];
	struct stat st;
	unsigned idx;
	long sz = -1;
	int fd, rc = x4_host_path(abs, path, sizeof(path), e);

	if (rc < 0)
		return rc;
	if (stat(path, &st) < 0)
		return x4_fail(e, errno, "cannot stat %s: %s", abs, strerror(errno));
	if (S_ISREG(st.st_mode)) {
		*bytes = (uint64_t)st.st_size;
		return 0;
	}
	if (!S_ISCHR(st.st_mode))
		return x4_fail(e, ENODATA, "%s is neither a file nor a kvmfr device", abs);
	/* Only a device sysfs calls kvmfr is opened and asked with kvmfr's ioctl. */
	if (x4_lgmp_is_kvmfr(st.st_rdev)) {
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
		if (fd >= 0) {
			sz = ioctl(fd, X4_LGMP_KVMFR_IOCTL_SIZE, 0);
			close(fd);
		}
		if (sz > 0) {
			*bytes = (uint64_t)sz;
			return 0;
		}
	}
	if (x4_lg_device_index(abs, &idx, NULL) == 0 && x4_lg_static_size(idx, bytes, NULL) == 0)
		return 0;
	return x4_fail(e, ENODATA, "cannot learn the size of %s", abs);
}

int x4_lg_check_region_size(const char *vm, const char *abs, uint64_t want, struct x4_err *e)
{
	uint64_t have = 0;
	int kvmfr = strncmp(abs, "/dev/kvmfr", 10) == 0;
	int rc = x4_lg_region_size(abs, &have, NULL);

	if (rc == -ENOENT && !kvmfr)
		return 0; /* QEMU creates the shm file with the planned size */
	if (rc < 0 || !want || have == want)
		return 0; /* absent kvmfr nodes and their types are x4_lg_check_device's job */
	if (!kvmfr && have == 0)
		return 0; /* the empty file prepare made (lgshm): QEMU sizes it */
	if (kvmfr)
		return x4_fail(e, EINVAL,
			       "VM %s: %s is %llu MiB but the VM wants %llu MiB: set lg_size = "
			       "%lluM for [vm %s] in x4-sriov.conf, or give its size to kvmfr "
			       "(x4ctl lg apply, then with no VM using it: rmmod kvmfr && "
			       "modprobe kvmfr)",
			       vm, abs, (unsigned long long)(have / LGSC_MIB),
			       (unsigned long long)(want / LGSC_MIB),
			       (unsigned long long)(have / LGSC_MIB), vm);
	return x4_fail(e, EINVAL,
		       "VM %s: %s is %llu bytes but the VM wants %llu MiB: it is left from a run "
		       "with another lg_size; with VM %s off, rm %s (QEMU makes it again)",
		       vm, abs, (unsigned long long)have, (unsigned long long)(want / LGSC_MIB), vm,
		       abs);
}
