/* SPDX-License-Identifier: MIT */
/* running: libvirt's pid files and /proc tell whether a VM's QEMU is alive and what it holds. */
#include "running.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "fileio.h"
#include "paths.h"

#define RUN_PID_MAX 4194304 /* the kernel's PID_MAX_LIMIT */

/* The pid in the pid file `file` of libvirt's run directory: > 0, 0 when missing or not a pid,
 * -1 when it cannot be read. */
static long run_read_pid(const char *file)
{
	char path[PATH_MAX], buf[32];
	char *end;
	long pid;
	ssize_t got;

	if (x4_host_pathf(path, sizeof(path), NULL, "%s/%s", X4_LIBVIRT_QEMU_RUN, file) < 0)
		return -1;
	got = x4_file_read_str(path, X4_FILE_NOFOLLOW, buf, sizeof(buf));
	if (got < 0)
		return got == -ENOENT ? 0 : -1;
	errno = 0;
	pid = strtol(buf, &end, 10);
	if (errno || end == buf || (*end && *end != '\n') || pid <= 0 || pid > RUN_PID_MAX)
		return 0;
	return pid;
}

/* Does process pid have /dev/vfio/GROUP (or, with group < 0, any /dev/vfio/ file) open? */
static int run_holds_vfio(long pid, long group)
{
	char path[PATH_MAX], want[32], link[64];
	struct dirent *de;
	DIR *d;
	int found = 0;

	if (x4_host_pathf(path, sizeof(path), NULL, "/proc/%ld/fd", pid) < 0)
		return 0;
	d = opendir(path);
	if (!d)
		return 0;
	if (group >= 0)
		snprintf(want, sizeof(want), "/dev/vfio/%ld", group);
	else
		snprintf(want, sizeof(want), "/dev/vfio/");
	while (!found && (de = readdir(d)) != NULL) {
		ssize_t n = readlinkat(dirfd(d), de->d_name, link, sizeof(link) - 1);

		if (n <= 0)
			continue;
		link[n] = '\0';
		found = group >= 0 ? strcmp(link, want) == 0 : strncmp(link, want, strlen(want)) == 0;
	}
	closedir(d);
	return found;
}

/* 1 live QEMU, 0 gone or another program, -1 unknown. */
static int run_pid_is_qemu(long pid)
{
	char path[PATH_MAX], comm[32] = "";
	ssize_t got;

	if (x4_host_pathf(path, sizeof(path), NULL, "/proc/%ld/comm", pid) < 0)
		return -1;
	got = x4_file_read_str(path, X4_FILE_NOFOLLOW, comm, sizeof(comm));
	if (got < 0)
		return got == -ENOENT ? 0 : -1;
	if (!strncmp(comm, "qemu", 4) || !strncmp(comm, "kvm", 3))
		return 1;
	/* An emulator with another name still shows itself by holding a VFIO file. */
	return run_holds_vfio(pid, -1);
}

/* "NAME.pid" for vm; 0 when libvirt cannot have such a file (no '/' in libvirt names). */
static int run_pid_file(const char *vm, char *out, size_t n)
{
	int len = snprintf(out, n, "%s.pid", vm);

	return *vm && *vm != '.' && !strchr(vm, '/') && len > 0 && (size_t)len < n;
}

int x4_running_vm(const char *vm)
{
	char file[X4_NAME_MAX + 8];
	long pid;

	if (!run_pid_file(vm, file, sizeof(file)))
		return 1;
	pid = run_read_pid(file);
	if (pid < 0)
		return 1;
	if (pid == 0)
		return 0;
	return run_pid_is_qemu(pid) != 0;
}

int x4_running_group_holder(unsigned group, char *vm, size_t n)
{
	char dir[PATH_MAX];
	struct dirent *de;
	DIR *d;
	int found = 0;

	if (x4_host_path(X4_LIBVIRT_QEMU_RUN, dir, sizeof(dir), NULL) < 0)
		return 0;
	d = opendir(dir);
	if (!d)
		return 0;
	while (!found && (de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);
		long pid;

		if (len <= 4 || len - 4 > X4_NAME_MAX || strcmp(de->d_name + len - 4, ".pid") != 0 ||
		    de->d_name[0] == '.')
			continue;
		pid = run_read_pid(de->d_name);
		if (pid <= 0 || run_pid_is_qemu(pid) != 1 || !run_holds_vfio(pid, (long)group))
			continue;
		if (len - 4 < n) {
			snprintf(vm, n, "%.*s", (int)(len - 4), de->d_name);
			found = 1;
		}
	}
	closedir(d);
	return found;
}
