/* SPDX-License-Identifier: MIT */
/* x4ctl define, host side: memory and CPU defaults the host can afford, user paths, the disk. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "define.h"
#include "fileio.h"
#include "paths.h"

/* MemTotal in MiB from /proc/meminfo (under $X4_ROOT); 0 when it cannot be read. procfs
 * reports a size of 0, so read it as a stream, bounded. */
static unsigned long host_mem_total(char *path, size_t n)
{
	struct x4_err e;
	char buf[8192], *p;

	if (x4_host_path("/proc/meminfo", path, n, &e) < 0 ||
	    x4_file_read_str(path, 0, buf, sizeof(buf)) < 0)
		return 0;
	p = strstr(buf, "MemTotal:");
	return p ? strtoul(p + 9, NULL, 10) / 1024 : 0;
}

/* Online CPUs: /sys/devices/system/cpu/online ("0-3,5"), else sysconf. */
static unsigned long host_cpus(void)
{
	char path[PATH_MAX], line[256], *p;
	struct x4_err e;
	unsigned long count = 0;

	if (x4_host_path("/sys/devices/system/cpu/online", path, sizeof(path), &e) == 0 &&
	    x4_file_read_str(path, 0, line, sizeof(line)) > 0) {
		for (p = line; *p && *p != '\n';) {
			char *end;
			unsigned long a = strtoul(p, &end, 10), b = a;

			if (end == p)
				break;
			if (*end == '-')
				b = strtoul(end + 1, &end, 10);
			count += b >= a ? b - a + 1 : 0;
			p = *end == ',' ? end + 1 : end;
		}
	}
	if (count == 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);

		count = n > 0 ? (unsigned long)n : 1;
	}
	return count;
}

int def_host_limits(struct def_opts *o)
{
	char path[PATH_MAX] = "/proc/meminfo";
	unsigned long total = host_mem_total(path, sizeof(path)), cpus = host_cpus(), limit;

	if (o->cpus == 0)
		o->cpus = cpus > 1 ? cpus - 1 : 1; /* the host keeps a core */
	if (total == 0) { /* no /proc/meminfo: only in a simulated root (X4_ROOT) */
		if (o->memory == 0)
			o->memory = DEF_DEFAULT_MEMORY;
		return 0;
	}
	limit = total > DEF_HOST_RESERVE ? total - DEF_HOST_RESERVE : 0;
	if (o->memory == 0)
		o->memory = limit < DEF_DEFAULT_MEMORY ? limit / 256 * 256 : DEF_DEFAULT_MEMORY;
	if (o->memory > limit || o->memory < 1024)
		return x4ctl_fail(
		    "define: memory %lu MiB: VFIO pins all guest memory and this host "
		    "has %lu MiB (MemTotal, %s), %lu MiB of it kept for the host: "
		    "give --memory %lu or less",
		    o->memory, total, path, DEF_HOST_RESERVE, limit);
	return 0;
}

int def_resolve(const char *opt, const char *in, int must_exist, char *out, size_t n)
{
	char cwd[PATH_MAX], joined[2 * PATH_MAX + 2];
	struct stat st;
	const char *p;

	for (p = in; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return x4ctl_fail("define: %s: the path holds a control character", opt);
	if (!in[0])
		return x4ctl_fail("define: %s: empty path", opt);
	if (in[0] == '/') {
		snprintf(joined, sizeof(joined), "%s", in);
	} else {
		if (!getcwd(cwd, sizeof(cwd)))
			return x4ctl_fail("define: %s %s: cannot read the current directory (%s): "
					  "give an absolute path",
					  opt, in, strerror(errno));
		snprintf(joined, sizeof(joined), "%s/%s", strcmp(cwd, "/") ? cwd : "", in);
	}
	if (must_exist) {
		if (!realpath(joined, out) || strlen(out) >= n)
			return x4ctl_fail(
			    "define: %s %s: %s: %s: give the path of an existing file", opt, in,
			    joined, strerror(errno ? errno : ENAMETOOLONG));
		if (stat(out, &st) < 0 || !(S_ISREG(st.st_mode) || S_ISBLK(st.st_mode)))
			return x4ctl_fail("define: %s %s: %s is not a file: give the ISO file", opt,
					  in, out);
		return 0;
	}
	if (strlen(joined) >= n)
		return x4ctl_fail("define: %s: path too long", opt);
	snprintf(out, n, "%s", joined);
	return 0;
}

/* "64G": digits and one of M, G, T (what qemu-img takes), at least 1 GiB, at most 64 TiB. */
static int disk_size_ok(const char *s)
{
	char *end;
	unsigned long long v;

	if (!s || *s < '0' || *s > '9')
		return 0;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end[0] == '\0' || end[1] != '\0')
		return 0;
	if (*end == 'M')
		return v >= 1024 && v <= (64ULL << 20);
	if (*end == 'G')
		return v >= 1 && v <= (64ULL << 10);
	if (*end == 'T')
		return v >= 1 && v <= 64;
	return 0;
}

int def_disk_plan(struct def_opts *o)
{
	struct x4_err e;
	char def[PATH_MAX], dir[PATH_MAX], *slash;
	struct stat st;

	if (!o->disk_size)
		o->disk_size = "64G";
	if (!disk_size_ok(o->disk_size))
		return x4ctl_fail(
		    "define: --disk-size %s: give a size like 64G (M, G or T; Windows "
		    "11 needs 64G)",
		    o->disk_size);
	if (o->disk) {
		if (def_resolve("--disk", o->disk, 0, o->disk_abs, sizeof(o->disk_abs)))
			return 1;
		snprintf(o->disk_file, sizeof(o->disk_file), "%s", o->disk_abs);
	} else {
		snprintf(def, sizeof(def), "%s/%s.qcow2", DEF_DISK_DIR, o->name);
		snprintf(o->disk_abs, sizeof(o->disk_abs), "%s", def);
		if (x4_host_path(def, o->disk_file, sizeof(o->disk_file), &e) < 0)
			return x4ctl_fail("define: %s", e.msg);
	}
	if (o->print)
		return 0; /* --print creates nothing */
	if (lstat(o->disk_file, &st) == 0) {
		if (o->reuse_disk && S_ISREG(st.st_mode))
			return 0;
		return x4ctl_fail("define: the disk %s exists and x4ctl never overwrites one: "
				  "give another --disk PATH, or --reuse-disk to attach it as it is",
				  o->disk_file);
	}
	if (o->reuse_disk)
		return x4ctl_fail("define: --reuse-disk: %s does not exist: drop --reuse-disk to "
				  "create it",
				  o->disk_file);
	snprintf(dir, sizeof(dir), "%s", o->disk_file);
	slash = strrchr(dir, '/');
	if (slash)
		*(slash == dir ? slash + 1 : slash) = '\0';
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
		return x4ctl_fail("define: the disk's directory %s does not exist: create it (for "
				  "%s: install libvirt-daemon-system) or give --disk PATH",
				  dir, DEF_DISK_DIR);
	return 0;
}

int def_disk_create(const struct def_opts *o, int *made)
{
	char *argv[] = {"qemu-img",	      "create", "-q", "-f", "qcow2", (char *)o->disk_file,
			(char *)o->disk_size, NULL};
	char msg[512] = "";
	int fd, pfd[2], status = 0;
	ssize_t got = 0, r;
	pid_t pid;

	*made = 0;
	if (o->reuse_disk)
		return 0;
	/* Claim the name first: qemu-img create would truncate a file that appeared meanwhile. */
	fd = open(o->disk_file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return x4ctl_fail("define: cannot create the disk %s: %s: give another --disk PATH",
				  o->disk_file, strerror(errno));
	close(fd);
	*made = 1;
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return x4ctl_fail("define: pipe: %s", strerror(errno));
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(pfd[1], 2);
		if (null >= 0)
			dup2(null, 1);
		execvp(argv[0], argv);
		fprintf(stderr, "cannot run qemu-img: %s: install qemu-utils", strerror(errno));
		_exit(127);
	}
	close(pfd[1]);
	while (pid > 0 && (size_t)got < sizeof(msg) - 1 &&
	       ((r = read(pfd[0], msg + got, sizeof(msg) - 1 - (size_t)got)) > 0 ||
		(r < 0 && errno == EINTR)))
		got += r > 0 ? r : 0;
	close(pfd[0]);
	msg[got] = '\0';
	msg[strcspn(msg, "\n")] = '\0';
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0) {
		unlink(o->disk_file);
		*made = 0;
		return x4ctl_fail("define: qemu-img create -f qcow2 %s %s failed: %s", o->disk_file,
				  o->disk_size, msg[0] ? msg : "no message; run it by hand");
	}
	return 0;
}
