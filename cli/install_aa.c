/* SPDX-License-Identifier: MIT */
/* install, AppArmor: our blocks in Debian's local includes of libvirtd's profile and of the
 * QEMU abstraction, and the reload of the profiles they are part of (only when enabled). */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "apparmor.h"
#include "install.h"
#include "paths.h"
#include "x4ctl.h"

static int aa_exists(const char *abs)
{
	char real[PATH_MAX];

	return x4_host_path(abs, real, sizeof(real), NULL) == 0 && access(real, F_OK) == 0;
}

int inst_apparmor_qemu(struct inst *in, const struct x4_config *c, struct x4_err *e)
{
	char block[8192], skipped[256];
	int rc;

	if (!aa_exists(X4_AA_QEMU_ABSTRACTION))
		return 0;
	if ((rc = x4_aa_qemu_block(c, block, sizeof(block), skipped, sizeof(skipped), e)) < 0)
		return rc;
	if (skipped[0])
		printf("AppArmor: left out %s from x4-sriov.conf (control bytes in the path): "
		       "rename it\n",
		       skipped);
	return inst_block(in, X4_AA_QEMU_LOCAL, block, e);
}

int inst_apparmor(struct inst *in, const struct x4ctl *g, struct x4_err *e)
{
	static struct x4_config c; /* 64 VM sections: too big for the stack */
	char block[8192];
	struct x4_err ce;
	int rc;

	/* The rules go in whenever the profiles are there, enabled or not: the README's kernel
	 * line turns AppArmor on at the next boot. */
	if (!aa_exists(X4_AA_LIBVIRTD_PROFILE) && !aa_exists(X4_AA_QEMU_ABSTRACTION))
		return 0;
	if (aa_exists(X4_AA_LIBVIRTD_PROFILE)) {
		if ((rc = x4_aa_libvirtd_block(block, sizeof(block), e)) < 0 ||
		    (rc = inst_block(in, X4_AA_LIBVIRTD_LOCAL, block, e)) < 0)
			return rc;
	}
	return inst_apparmor_qemu(in, x4ctl_load_config(g, &c, &ce) == 0 ? &c : NULL, e);
}

/* apparmor_parser -r FILE, no shell: $X4_APPARMOR_PARSER (tests) or Debian's. */
static int aa_reload_one(const char *parser, const char *abs, struct x4_err *e)
{
	char real[PATH_MAX];
	pid_t pid;
	int st;

	if (x4_host_path(abs, real, sizeof(real), e) < 0)
		return -EINVAL;
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return x4_fail(e, errno, "cannot run %s: %s", parser, strerror(errno));
	if (pid == 0) {
		execl(parser, parser, "-r", real, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return x4_fail(e, errno, "waiting for %s: %s", parser, strerror(errno));
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return x4_fail(e, EIO,
			       "%s -r %s failed (exit %d): the rules are written but not loaded; "
			       "fix the profile, then run: sudo %s -r %s",
			       parser, real, WIFEXITED(st) ? WEXITSTATUS(st) : -1, parser, real);
	printf("reloaded AppArmor profile %s\n", real);
	return 0;
}

/* A per-VM profile virt-aa-helper wrote (libvirt-<uuid>, not its .files include). */
static int aa_vm_profile(const char *name)
{
	size_t l = strlen(name);

	return strncmp(name, "libvirt-", 8) == 0 && l > 8 &&
	       !(l > 6 && strcmp(name + l - 6, ".files") == 0) && !strchr(name, '/');
}

int inst_aa_reload(struct x4_err *e)
{
	const char *parser = getenv("X4_APPARMOR_PARSER");
	char dir[PATH_MAX], abs[PATH_MAX];
	struct dirent *d;
	DIR *dh;
	int rc;

	if (!x4_aa_enabled()) {
		printf("AppArmor is not enabled: its rules are in place for when it is (nothing to "
		       "reload)\n");
		return 0;
	}
	if (!parser && *x4_root()) {
		printf("AppArmor: not reloading the running kernel's profiles for the tree under "
		       "--root; on that host run: apparmor_parser -r " X4_AA_LIBVIRTD_PROFILE "\n");
		return 0;
	}
	if (!parser)
		parser = access("/usr/sbin/apparmor_parser", X_OK) == 0 ? "/usr/sbin/apparmor_parser"
									: "/sbin/apparmor_parser";
	if (aa_exists(X4_AA_LIBVIRTD_PROFILE) &&
	    (rc = aa_reload_one(parser, X4_AA_LIBVIRTD_PROFILE, e)) < 0)
		return rc;
	/* Running VMs' profiles include the abstraction; new ones are loaded by libvirt. */
	if (x4_host_path(X4_AA_LIBVIRT_DIR, dir, sizeof(dir), NULL) < 0 || !(dh = opendir(dir)))
		return 0;
	rc = 0;
	/* libvirt leaves the profile of a VM that is gone but removes the .files it includes:
	 * such a profile cannot be parsed, and no running VM uses it. */
	while (rc == 0 && (d = readdir(dh)))
		if (aa_vm_profile(d->d_name) &&
		    (size_t)snprintf(abs, sizeof(abs), X4_AA_LIBVIRT_DIR "/%s.files", d->d_name) <
			sizeof(abs) &&
		    aa_exists(abs)) {
			abs[strlen(abs) - 6] = '\0';
			rc = aa_reload_one(parser, abs, e);
		}
	closedir(dh);
	return rc;
}
