/* SPDX-License-Identifier: MIT */
/* x4-hook-core: the part of libvirt's qemu hook that acts: parses the domain, gives a VM its
 * iGPU VF at prepare and takes it back at release. x4-hook execs it for VMs that may be ours. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "config.h"
#include "domxml.h"
#include "lifecycle.h"
#include "log.h"

#define HOOK_XML_CAP X4_DOMXML_MAX_SIZE

/* One line for libvirt to show the user, and the same line to syslog. */
static int hook_fail(const struct x4_err *e)
{
	x4_log_err(e);
	return 1;
}

/* Events where starting cannot be stopped any more: warn, never fail. */
static int hook_warn(const struct x4_err *e)
{
	x4_log(LOG_WARNING, "%s", e->msg);
	return 0;
}

int main(int argc, char **argv)
{
	struct x4_err e;
	static struct x4_config cfg; /* 54 KiB: too big for the stack (CODING-STYLE.md) */
	struct x4_domain dom;
	struct x4_vm vm;
	char *xml = NULL;
	size_t xml_len = 0;
	int cfg_rc, ours, rc = 0;
	enum x4_event ev;

	x4_log_open("x4-sriov", X4_LOG_STDERR | X4_LOG_SYSLOG | X4_LOG_QUIET);
	x4_err_clear(&e);
	if (argc < 5) { /* x4-hook checked the arguments; this is not meant to be run by hand */
		fputs("x4-sriov: x4-hook-core is run by x4-hook: see x4-hook --help\n", stderr);
		return 2;
	}
	ev = x4_event_parse(argv[2], argv[3]);

	if (x4_domxml_read_fd(STDIN_FILENO, HOOK_XML_CAP, &xml, &xml_len, &e) < 0) {
		/* Not readable as a domain: we cannot tell whether it is ours, so do not block it. */
		x4_log(LOG_WARNING, "ignoring %s %s for '%.64s': %s", argv[2], argv[3], argv[1], e.msg);
		return 0;
	}
	if (x4_domxml_parse(xml, xml_len, &dom, &e) < 0) {
		x4_log(LOG_WARNING, "ignoring %s %s for '%.64s': %s", argv[2], argv[3], argv[1], e.msg);
		free(xml);
		return 0;
	}
	free(xml);
	if (strcmp(dom.name, argv[1]) != 0) {
		x4_log(LOG_WARNING, "ignoring %s %s: argument '%.64s' is not the domain's name '%.64s'",
		       argv[2], argv[3], argv[1], dom.name);
		return 0;
	}

	cfg_rc = x4_config_load(&cfg, &e);
	if (cfg_rc < 0)
		x4_config_defaults(&cfg); /* classify with defaults; fail below only if ours */
	struct x4_err ce = e;

	x4_err_clear(&e);
	ours = x4_lifecycle_classify(&cfg, &dom, &vm, &e);
	if (ours < 0)
		return ev == X4_EV_PREPARE ? hook_fail(&e) : hook_warn(&e);

	switch (ev) {
	case X4_EV_PREPARE:
		if (!ours) {
			x4_log(LOG_DEBUG, "'%s' is not ours", dom.name);
			return 0;
		}
		if (cfg_rc < 0)
			return hook_fail(&ce);
		rc = x4_lifecycle_prepare(&cfg, &vm, &e);
		return rc < 0 ? hook_fail(&e) : 0;
	case X4_EV_STARTED:
	case X4_EV_RECONNECT:
		if (!ours || cfg_rc < 0)
			return 0;
		rc = x4_lifecycle_adopt(&cfg, &vm, &e);
		return rc < 0 ? hook_warn(&e) : 0;
	case X4_EV_STOPPED:
	case X4_EV_RELEASE:
		/* From the state alone: works with a broken config or a VM no longer ours. */
		rc = x4_lifecycle_release(&cfg, dom.name, ev == X4_EV_RELEASE, &e);
		return rc < 0 ? hook_warn(&e) : 0;
	default:
		return 0;
	}
}
