/* SPDX-License-Identifier: MIT */
/* x4ctl lg build-module SRC_DIR [--kernel VER] [--dry-run]: kvmfr from a Looking Glass source
 * tree with DKMS (dkms add, build, install), after checking the tree, the kernel headers and
 * dkms itself; each failure is one line with the step, dkms's build log and the fix. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dkmsconf.h"
#include "paths.h"
#include "x4ctl.h"

#define LGB_SYN "lg build-module SRC_DIR [--kernel VER] [--dry-run]"
#define LGB_MODLOAD "/etc/modules-load.d/x4-sriov.conf"
#define LGB_MODPROBE "/etc/modprobe.d/x4-sriov-kvmfr.conf"

extern char **environ;

static const char lgb_usage[] =
    "usage: x4ctl " LGB_SYN "\n"
    "Build and install Looking Glass's kvmfr module with DKMS: dkms add, build and install of\n"
    "SRC_DIR (the Looking Glass source directory, or its module/ directory), after checking\n"
    "its dkms.conf, the kernel headers and dkms. Needs root (--dry-run does not).\n"
    "  --kernel VER   build for kernel release VER instead of the running one (uname -r)\n"
    "  --dry-run      check everything and print the dkms commands without running them\n"
    "  --help         this text\n";

struct lgb {
	char moddir[PATH_MAX]; /* absolute, holds dkms.conf */
	char release[64];      /* the source's VERSION file ("B7"), "" when absent */
	char kver[X4_DKMSCONF_TOKEN_MAX + 1];
	char dkms[PATH_MAX];
	char log[PATH_MAX]; /* dkms's make.log, as the user sees it */
	struct x4_dkmsconf conf;
};

/* SRC_DIR or SRC_DIR/module, whichever holds dkms.conf, made absolute; its dkms.conf parsed. */
static int lgb_source(const char *src, struct lgb *b)
{
	char real[PATH_MAX], conf[PATH_MAX + 16], *text = NULL, q[X4_QUOTE_BUF];
	struct x4_err e;
	struct stat st;
	size_t len;
	int rc;

	if (!realpath(src, real) || stat(real, &st) < 0 || !S_ISDIR(st.st_mode))
		return x4ctl_fail("%s is not a directory: give the Looking Glass source directory "
				  "(e.g. looking-glass-B7) or its module/ directory",
				  src);
	snprintf(b->moddir, sizeof(b->moddir), "%s", real);
	snprintf(conf, sizeof(conf), "%s/dkms.conf", real);
	if (access(conf, F_OK) < 0) {
		if (snprintf(b->moddir, sizeof(b->moddir), "%s/module", real) >=
		    (int)sizeof(b->moddir))
			return x4ctl_fail("%s: path too long", src);
		snprintf(conf, sizeof(conf), "%s/dkms.conf", b->moddir);
		if (access(conf, F_OK) < 0)
			return x4ctl_fail("no dkms.conf in %s or %s/module: give the Looking Glass "
					  "source directory (e.g. looking-glass-B7) or its module/ "
					  "directory",
					  src, src);
	}
	/* dkms add reads the path unquoted in bash (word splitting, globs) */
	if (strpbrk(b->moddir, " \t\n*?[\\"))
		return x4ctl_fail("%s has a space or a glob character, which dkms add cannot "
				  "take: move or link the source to a plain path (e.g. "
				  "/usr/local/src/looking-glass-B7) and give that",
				  b->moddir);
	if (x4ctl_read_file(conf, X4_DKMSCONF_MAX, &text, &len, &e) < 0)
		return x4ctl_fail_err(&e);
	rc = x4_dkmsconf_parse(text, len, conf, &b->conf, &e);
	free(text);
	if (rc < 0)
		return x4ctl_fail_err(&e);
	if (strcmp(b->conf.name, "kvmfr") != 0)
		return x4ctl_fail("%s: PACKAGE_NAME is %s, not kvmfr: this is not Looking Glass's "
				  "module/ directory",
				  conf, x4_quote(b->conf.name, q));
	return 0;
}

/* The Looking Glass release from VERSION beside module/ (first line, printable only). */
static void lgb_release(struct lgb *b)
{
	char path[PATH_MAX + 16], *slash;
	FILE *f;
	size_t i;

	b->release[0] = '\0';
	snprintf(path, sizeof(path), "%s", b->moddir);
	slash = strrchr(path, '/');
	if (!slash)
		return;
	snprintf(slash, sizeof(path) - (size_t)(slash - path), "/VERSION");
	f = fopen(path, "re");
	if (!f)
		return;
	if (!fgets(b->release, sizeof(b->release), f))
		b->release[0] = '\0';
	fclose(f);
	for (i = 0; b->release[i]; i++)
		if (b->release[i] < 0x21 || b->release[i] > 0x7e)
			break;
	b->release[i] = '\0';
}

/* dkms on $PATH (like execvp would find it); 0 or -ENOENT. */
static int lgb_find_dkms(char *out, size_t n)
{
	const char *path = getenv("PATH"), *p;

	if (!path || !*path)
		path = "/usr/sbin:/usr/bin:/sbin:/bin";
	for (p = path; *p;) {
		size_t len = strcspn(p, ":");

		if (len && len + sizeof("/dkms") <= n) {
			snprintf(out, n, "%.*s/dkms", (int)len, p);
			if (access(out, X_OK) == 0)
				return 0;
		}
		p += len;
		if (*p == ':')
			p++;
	}
	return -ENOENT;
}

/* Run argv (no shell); its exit status, or -1 when it could not run or was killed. */
static int lgb_spawn(char *const argv[])
{
	pid_t pid;
	int st, rc;

	fflush(stdout);
	rc = posix_spawn(&pid, argv[0], NULL, NULL, argv, environ);
	if (rc != 0) {
		errno = rc;
		return -1;
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void lgb_print_cmd(char *const argv[])
{
	int i;

	printf("would run:");
	for (i = 0; argv[i]; i++)
		printf(" %s", argv[i]);
	printf("\n");
}

/* One dkms step; 0, or 1 after the one line naming it, the log and the fix. */
static int lgb_step(const struct lgb *b, char *const argv[], int dry)
{
	const char *step = argv[1], *v = b->conf.version, *k = b->kver;
	char why[48];
	int st;

	if (dry) {
		lgb_print_cmd(argv);
		return 0;
	}
	printf("x4ctl: dkms %s kvmfr %s%s%s\n", step, v, strcmp(step, "add") ? " for kernel " : "",
	       strcmp(step, "add") ? k : "");
	st = lgb_spawn(argv);
	if (st == 0)
		return 0;
	if (st < 0)
		snprintf(why, sizeof(why), "dkms could not run or was killed");
	else
		snprintf(why, sizeof(why), "exit %d", st);
	if (!strcmp(step, "add"))
		return x4ctl_fail("dkms add of kvmfr %s (%.200s) failed (%s): dkms's message above "
				  "says why (no build ran: %s is not written yet); fix: use the "
				  "module/ of a Looking Glass release; if an old kvmfr %s is half "
				  "registered, 'dkms remove kvmfr/%s --all'; then rerun",
				  v, b->moddir, why, b->log, v, v);
	if (!strcmp(step, "build"))
		return x4ctl_fail("dkms build of kvmfr %s for kernel %s failed (%s): the compiler's "
				  "output is in %s; fix: use the module/ of the Looking Glass "
				  "release your client has, with headers that match the kernel (apt "
				  "install linux-headers-%s), then 'dkms remove kvmfr/%s --all; rm "
				  "-rf /usr/src/kvmfr-%s' and rerun",
				  v, k, why, b->log, k, v, v);
	return x4ctl_fail("dkms install of kvmfr %s for kernel %s failed (%s): dkms's message above "
			  "says why (the build log is %s); fix: if another kvmfr is installed for "
			  "that kernel ('dkms status kvmfr'), 'dkms remove kvmfr/OTHER --all'; "
			  "else free space in /lib/modules; then rerun",
			  v, k, why, b->log);
}

/* Already registered with DKMS (dkms add would refuse with exit 3)? */
static int lgb_added(const struct lgb *b)
{
	char abs[PATH_MAX], path[PATH_MAX];
	struct stat st;

	snprintf(abs, sizeof(abs), "/var/lib/dkms/kvmfr/%s/source", b->conf.version);
	return x4_host_path(abs, path, sizeof(path), NULL) == 0 && lstat(path, &st) == 0;
}

/* Which kvmfr version DKMS has installed for the kernel: its link kernel-KVER-ARCH points to
 * VERSION/KVER/ARCH (dkms's own test). 1 when it is ours, else 0 with the other one (or "") in
 * other. */
static int lgb_installed(const struct lgb *b, char *other, size_t n)
{
	char abs[PATH_MAX], path[PATH_MAX], link[PATH_MAX], want[PATH_MAX];
	struct utsname u;
	ssize_t len;

	other[0] = '\0';
	if (uname(&u) < 0)
		return 0;
	snprintf(abs, sizeof(abs), "/var/lib/dkms/kvmfr/kernel-%s-%s", b->kver, u.machine);
	if (x4_host_path(abs, path, sizeof(path), NULL) < 0 ||
	    (len = readlink(path, link, sizeof(link) - 1)) <= 0)
		return 0;
	link[len] = '\0';
	snprintf(want, sizeof(want), "%s/%s/%s", b->conf.version, b->kver, u.machine);
	if (strcmp(link, want) == 0)
		return 1;
	len = (ssize_t)strcspn(link, "/");
	link[len] = '\0';
	if (x4_dkmsconf_token_ok(link))
		snprintf(other, n, "%.*s", X4_DKMSCONF_TOKEN_MAX, link);
	return 0;
}

/* add (unless added), build, install; nothing when that version is installed for the kernel
 * (*before = 1). 0, or 1 after the failing step's line. */
static int lgb_run(struct lgb *b, int dry, int *before)
{
	char other[X4_DKMSCONF_TOKEN_MAX + 1];
	char *v = b->conf.version, *k = b->kver, *d = b->dkms;
	char *add[] = {d, "add", b->moddir, NULL};
	char *build[] = {d, "build", "-m", "kvmfr", "-v", v, "-k", k, NULL};
	char *inst[] = {d, "install", "-m", "kvmfr", "-v", v, "-k", k, NULL};

	*before = lgb_installed(b, other, sizeof(other));
	if (*before) {
		printf("x4ctl: kvmfr %s is already installed for kernel %s (dkms status kvmfr): "
		       "nothing to run\n",
		       v, k);
		return 0;
	}
	if (other[0])
		printf("x4ctl: kvmfr %s is installed for kernel %s now; dkms install replaces it "
		       "only with a newer version (else: dkms remove kvmfr/%s --all, then rerun)\n",
		       other, k, other);
	if (lgb_added(b))
		printf("x4ctl: kvmfr %s is already added to DKMS (/var/lib/dkms/kvmfr/%s): no dkms "
		       "add; it builds /usr/src/kvmfr-%s (to build changed sources of the same "
		       "version: dkms remove kvmfr/%s --all; rm -rf /usr/src/kvmfr-%s)\n",
		       v, v, v, v, v);
	else if (lgb_step(b, add, dry) != 0)
		return 1;
	return lgb_step(b, build, dry) != 0 || lgb_step(b, inst, dry) != 0;
}

static void lgb_after(const struct lgb *b, int dry)
{
	const char *v = b->conf.version;
	struct utsname u;

	printf("%s kvmfr %s for kernel %s from %s\n", dry ? "dry run: would install" : "installed",
	       v, b->kver, b->moddir);
	printf("check: dkms status kvmfr; modinfo -k %s kvmfr\n", b->kver);
	printf("load: modprobe kvmfr%s (x4ctl install and x4ctl lg apply write its sizes, "
	       "'options kvmfr static_size_mb=...', to %s)\n",
	       uname(&u) == 0 && strcmp(u.release, b->kver) != 0 ? " after booting that kernel" : "",
	       LGB_MODPROBE);
	printf("with Secure Boot on, modprobe refuses the module until DKMS's key is enrolled: mokutil "
	       "--import /var/lib/dkms/mok.pub, then reboot\n");
	printf("at boot: x4ctl install writes the line 'kvmfr' to %s\n", LGB_MODLOAD);
	if (b->release[0])
		printf("versions: the client, the guest's Looking Glass host and this module must "
		       "be one Looking Glass release: this source is '%s' (its VERSION file; kvmfr "
		       "PACKAGE_VERSION %s); the client's is in 'looking-glass-client --version'\n",
		       b->release, v);
	else
		printf("versions: the client, the guest's Looking Glass host and this module must "
		       "be one Looking Glass release: this source has no VERSION file beside "
		       "module/ (kvmfr PACKAGE_VERSION %s); the client's is in "
		       "'looking-glass-client --version'\n",
		       v);
}

int x4ctl_lg_build(struct x4ctl *g, int argc, char **argv)
{
	enum { B_KERNEL = 0x100, B_DRY };
	static const struct option opts[] = {{"kernel", required_argument, NULL, B_KERNEL},
					     {"dry-run", no_argument, NULL, B_DRY},
					     X4CTL_OPT_HELP,
					     X4CTL_OPT_END};
	struct x4ctl_opts o = {.cmd = "lg build-module", .usage = lgb_usage, .longopts = opts};
	const char *kernel = NULL, *src;
	char headers[PATH_MAX], q[X4_QUOTE_BUF];
	struct utsname u;
	struct stat st;
	struct lgb b;
	int dry = 0, before = 0, c;

	(void)g;
	memset(&b, 0, sizeof(b));
	while ((c = x4ctl_opt_next(&o, argc, argv)) != -1) {
		if (c == X4CTL_OPT_EXIT)
			return o.status;
		if (c == B_KERNEL)
			kernel = optarg;
		else
			dry = 1;
	}
	if (x4ctl_opt_args(&o, argc, 1, 1))
		return 2;
	src = argv[optind];
	if (!kernel)
		kernel = uname(&u) == 0 ? u.release : "";
	if (!x4_dkmsconf_token_ok(kernel))
		return x4ctl_fail("--kernel %s: not a kernel release (like 6.1.0-18-amd64, as "
				  "uname -r prints it)",
				  x4_quote(kernel, q));
	snprintf(b.kver, sizeof(b.kver), "%s", kernel);
	if (!dry && geteuid() != 0)
		return x4ctl_fail("lg build-module needs root: dkms writes /usr/src, /var/lib/dkms "
				  "and /lib/modules/%s: run it with sudo (--dry-run checks without)",
				  b.kver);
	if (lgb_source(src, &b) != 0)
		return 1;
	lgb_release(&b);
	snprintf(b.log, sizeof(b.log), "/var/lib/dkms/kvmfr/%s/build/make.log", b.conf.version);
	if (x4_host_pathf(headers, sizeof(headers), NULL, "/lib/modules/%s/build", b.kver) < 0 ||
	    stat(headers, &st) < 0 || !S_ISDIR(st.st_mode))
		return x4ctl_fail("kernel headers for %s are missing (no /lib/modules/%s/build): "
				  "apt install linux-headers-%s",
				  b.kver, b.kver, b.kver);
	if (lgb_find_dkms(b.dkms, sizeof(b.dkms)) < 0)
		return x4ctl_fail("dkms is not installed (not on PATH): apt install dkms");
	if (lgb_run(&b, dry, &before) != 0)
		return 1;
	lgb_after(&b, dry && !before);
	return 0;
}
