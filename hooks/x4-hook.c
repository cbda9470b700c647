/* SPDX-License-Identifier: MIT */
/* x4-hook: libvirt's qemu hook. Decides cheaply whether a VM may be ours and, only then, execs
 * x4-hook-core with the same arguments and the domain XML: other VMs cost one small exec. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <syslog.h>
#include <unistd.h>

#include "apparmor.h"
#include "config.h"
#include "domxml.h"
#include "event.h"
#include "layout.h"
#include "log.h"
#include "name.h"
#include "paths.h"
#include "plan.h"

#define HOOK_XML_CAP X4_DOMXML_MAX_SIZE /* libvirt's XML is far smaller; more is not a domain */

static const char hook_usage[] =
	"usage: x4-hook VM OP SUBOP EXTRA  (run by libvirtd with the domain XML on stdin)\n"
	"Installed as /etc/libvirt/hooks/qemu or /etc/libvirt/hooks/qemu.d/x4-sriov.\n"
	"prepare begin: create the VFs, bind the VM's VF, check ROM and Looking Glass, write the plan.\n"
	"started/reconnect begin: re-adopt claims. stopped end, release end: give the VF back.\n"
	"Other VMs and events: exit 0 at once. Environment: X4_ROOT, X4_CONFIG, X4_DEBUG=1.\n"
	"See x4-hook(8).\n";

/* May the VM be ours? Errs towards yes: the core decides for real. A VM with no hostdev at all,
 * no [vm NAME] section and (when stopping) no plan of ours is not ours. */
static int hook_maybe_ours(const char *vm, const char *xml, size_t len, enum x4_event ev)
{
	static struct x4_config cfg; /* 54 KiB: too big for the stack (CODING-STYLE.md) */
	char abs[X4_PLAN_PATH_MAX], path[PATH_MAX];

	if (x4_domxml_may_have_hostdev(xml, len))
		return 1;
	if (x4_config_load(&cfg, NULL) == 0 && x4_config_vm(&cfg, vm))
		return 1;
	if (ev == X4_EV_STOPPED || ev == X4_EV_RELEASE) {
		/* A plan means we prepared it (its section may be gone since). */
		if (x4_plan_path(vm, abs, sizeof(abs), NULL) == 0 &&
		    x4_host_path(abs, path, sizeof(path), NULL) == 0 && access(path, F_OK) == 0)
			return 1;
	}
	return 0;
}

/* x4-hook-core beside this binary (build tree, libexec install), else in LIBEXECDIR. */
static int hook_core_path(char *out, size_t n)
{
	char self[PATH_MAX];
	ssize_t len = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (len > 0) {
		char *slash;

		self[len] = '\0';
		slash = strrchr(self, '/');
		if (slash) {
			*slash = '\0';
			if ((size_t)snprintf(out, n, "%s/x4-hook-core", self) < n &&
			    access(out, X_OK) == 0)
				return 0;
		}
	}
	if ((size_t)snprintf(out, n, "%s/x4-hook-core", X4_LIBEXECDIR) < n && access(out, X_OK) == 0)
		return 0;
	return -ENOENT;
}

/* Give the core the XML we already read as its stdin, through an anonymous memory file. */
static int hook_exec_core(char **argv, const char *xml, size_t len, struct x4_err *e)
{
	char core[PATH_MAX];
	int fd;

	if (hook_core_path(core, sizeof(core)) < 0)
		return x4_fail(e, ENOENT,
			       "x4-hook-core not found beside x4-hook nor in %s: reinstall x4-sriov (x4ctl install)",
			       X4_LIBEXECDIR);
	fd = memfd_create("x4-domxml", MFD_CLOEXEC);
	if (fd < 0 || write(fd, xml, len) != (ssize_t)len || lseek(fd, 0, SEEK_SET) != 0 ||
	    dup2(fd, STDIN_FILENO) < 0)
		return x4_fail(e, errno, "cannot pass the domain XML to %s: %s", core, strerror(errno));
	argv[0] = core;
	execv(core, argv);
	return x4_fail(e, errno, "cannot run %s: %s: %s", core, strerror(errno),
		       x4_aa_hint(errno, "reinstall x4-sriov (x4ctl install)"));
}

int main(int argc, char **argv)
{
	struct x4_err e;
	char *xml = NULL;
	size_t len = 0;
	enum x4_event ev;

	x4_log_open("x4-sriov", X4_LOG_STDERR | X4_LOG_SYSLOG | X4_LOG_QUIET);
	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		fputs(hook_usage, stdout);
		return 0;
	}
	if (argc < 5) {
		fprintf(stderr, "x4-sriov: x4-hook takes 4 arguments from libvirtd (VM OP SUBOP EXTRA), got %d: see x4-hook --help\n",
			argc - 1);
		return 2;
	}
	ev = x4_event_parse(argv[2], argv[3]);
	if (ev == X4_EV_IGNORE || ev == X4_EV_FILTER || ev == X4_EV_START)
		return 0; /* a filter that prints nothing leaves libvirt's XML as it is */
	if (x4_domxml_read_fd(STDIN_FILENO, HOOK_XML_CAP, &xml, &len, &e) < 0) {
		/* Not readable as a domain: we cannot tell whether it is ours, so do not block it. */
		x4_log(LOG_WARNING, "ignoring %s %s for '%.64s': %s", argv[2], argv[3], argv[1], e.msg);
		return 0;
	}
	if (!hook_maybe_ours(argv[1], xml, len, ev)) {
		free(xml);
		return 0;
	}
	hook_exec_core(argv, xml, len, &e);
	free(xml);
	x4_log_err(&e);
	return ev == X4_EV_PREPARE ? 1 : 0;
}
