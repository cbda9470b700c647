/* SPDX-License-Identifier: MIT */
/* x4ctl vf create [N] | remove | bind ADDR | unbind ADDR | repair: the hook's VF operations by hand. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "reclaim.h"
#include "sriov.h"
#include "state.h"
#include "vfio.h"
#include "x4ctl.h"

static const char vf_usage[] =
    "usage: x4ctl vf create [N] | vf remove | vf bind ADDR | vf unbind ADDR | vf repair\n"
    "The hook's VF operations by hand, under the state lock; VFs a VM holds are refused.\n"
    "Run 'x4ctl vf SUBCOMMAND --help' for one of them.\n";
static const char vf_create_usage[] =
    "usage: x4ctl vf create [N]\n"
    "Create N VFs (default: num_vfs of the config, at most sriov_totalvfs) on the PF, with\n"
    "sriov_drivers_autoprobe off first so the host's GPU driver leaves them alone.\n";
static const char vf_remove_usage[] =
    "usage: x4ctl vf remove\n"
    "Remove all VFs of the PF (refused while a VF is bound to vfio-pci or held by a VM).\n";
static const char vf_bind_usage[] =
    "usage: x4ctl vf bind ADDR\n"
    "Move the free VF ADDR (DDDD:BB:SS.F) to vfio-pci.\n";
static const char vf_unbind_usage[] =
    "usage: x4ctl vf unbind ADDR\n"
    "Give the VF ADDR (DDDD:BB:SS.F) back from vfio-pci, unless a VM holds it.\n";
static const char vf_repair_usage[] =
    "usage: x4ctl vf repair\n"
    "Rebuild a damaged state file from the running VMs and release stale claims.\n";

/* Config, PF and the state, with the state lock held (the hook may run at the same time). */
struct vf_ctx {
	struct x4_config c;
	struct x4_pciaddr pf;
	struct x4_state st;
	struct x4_lock lock;
};

static int vf_open(const struct x4ctl *g, struct vf_ctx *v)
{
	struct x4_err e;

	v->lock.fd = -1;
	if (x4ctl_load_config(g, &v->c, &e) < 0)
		return x4ctl_fail("%s", e.msg);
	if (x4_sriov_find_pf(&v->c.host, &v->pf, &e) < 0)
		return x4ctl_fail("%s", e.msg);
	if (x4_state_lock(&v->lock, &e) < 0)
		return x4ctl_fail("%s", e.msg);
	x4_state_init(&v->st);
	if (x4_state_load(&v->st, &e) < 0) {
		x4_state_unlock(&v->lock);
		/* A damaged state hides which VFs VMs hold: touch nothing. */
		return x4ctl_fail("%s: refusing to change VFs without knowing who holds them",
				  e.msg);
	}
	return 0;
}

static int vf_create(const struct x4ctl *g, int argc, char **argv)
{
	static struct vf_ctx v; /* too big for the stack (CODING-STYLE.md) */
	struct x4_err e;
	unsigned long n;
	unsigned total = 0, now = 0;
	char a[X4_PCIADDR_STRLEN];
	const char *count;
	int rc = x4ctl_opt_plain("vf create", vf_create_usage, argc, argv, 0, 1);

	if (rc >= 0)
		return rc;
	count = optind < argc ? argv[optind] : NULL;
	rc = 0;
	if (vf_open(g, &v))
		return 1;
	n = v.c.host.num_vfs;
	x4_pciaddr_format(&v.pf, a);
	if (x4_sriov_totalvfs(&v.pf, &total, &e) < 0 || x4_sriov_numvfs(&v.pf, &now, &e) < 0) {
		rc = x4ctl_fail_err(&e);
		goto out;
	}
	if (count && x4ctl_parse_uint(count, 1, total ? total : 1, &n)) {
		rc = x4ctl_fail(
		    "vf create: '%s' is not a VF count: give 1..%u (sriov_totalvfs of %s)", count,
		    total, a);
		goto out;
	}
	if (n > total) {
		rc = x4ctl_fail("vf create: num_vfs = %lu but %s supports %u: lower num_vfs in "
				"x4-sriov.conf",
				n, a, total);
		goto out;
	}
	if (now == n) {
		printf("%s already has %u VFs\n", a, now);
		goto out;
	}
	/* Keep the host's i915/xe off the new VFs, as the hook does. */
	if (now == 0 && x4_sriov_set_autoprobe(&v.pf, 0, &e) < 0) {
		rc = x4ctl_fail_err(&e);
		goto out;
	}
	if (x4_sriov_create(&v.pf, (unsigned)n, &e) < 0) {
		rc = x4ctl_fail_err(&e);
		goto out;
	}
	printf("created %lu VFs on %s\n", n, a);
out:
	x4_state_unlock(&v.lock);
	return rc;
}

static int vf_remove(const struct x4ctl *g)
{
	static struct vf_ctx v; /* too big for the stack */
	struct x4_err e;
	char a[X4_PCIADDR_STRLEN], b[X4_PCIADDR_STRLEN];
	int rc = 0;

	if (vf_open(g, &v))
		return 1;
	if (v.st.n_claims > 0) {
		rc = x4ctl_fail("vf remove: VF %s is held by VM '%s': stop the VM first (virsh "
				"shutdown %s)",
				x4_pciaddr_format(&v.st.claims[0].vf, b), v.st.claims[0].vm,
				v.st.claims[0].vm);
		goto out;
	}
	if (x4_sriov_remove(&v.pf, &e) < 0) {
		rc = x4ctl_fail_err(&e);
		goto out;
	}
	printf("removed the VFs of %s\n", x4_pciaddr_format(&v.pf, a));
out:
	x4_state_unlock(&v.lock);
	return rc;
}

static int vf_bind(const struct x4ctl *g, const char *cmd, const char *text)
{
	struct x4_pciaddr dev;
	struct x4_claim *cl;
	static struct vf_ctx v; /* too big for the stack */
	struct x4_err e;
	char a[X4_PCIADDR_STRLEN], orig[64] = "";
	int rc = 0;

	if (x4_pciaddr_parse(text, &dev, &e) < 0)
		return x4ctl_fail("vf %s: %s", cmd, e.msg);
	x4_pciaddr_format(&dev, a);
	if (vf_open(g, &v))
		return 1;
	if (x4_pciaddr_equal(&dev, &v.pf)) {
		rc =
		    x4ctl_fail("vf %s: %s is the PF (the host's GPU): never unbind or pass it; use "
			       "one of its VFs (x4ctl status)",
			       cmd, a);
		goto out;
	}
	if (!x4_sriov_is_vf_of(&v.pf, &dev)) {
		rc =
		    x4ctl_fail("vf %s: %s is not a VF of the managed PF: see x4ctl status", cmd, a);
		goto out;
	}
	cl = x4_state_find_vf(&v.st, &dev);
	if (cl) {
		rc = x4ctl_fail("vf %s: VF %s is held by VM '%s': stop the VM first", cmd, a,
				cl->vm);
		goto out;
	}
	if (strcmp(cmd, "bind") == 0)
		rc = x4_vfio_bind(&dev, &v.pf, orig, sizeof(orig), &e);
	else
		rc = x4_vfio_unbind(&dev, &e);
	if (rc < 0) {
		rc = x4ctl_fail_err(&e);
		goto out;
	}
	if (strcmp(cmd, "bind") == 0)
		printf("%s bound to vfio-pci (was %s)\n", a, orig[0] ? orig : "on no driver");
	else
		printf("%s given back (driver_override cleared)\n", a);
out:
	x4_state_unlock(&v.lock);
	return rc;
}

/* A damaged state set aside and rebuilt, stale claims (VMs not running) released. */
static int vf_repair(const struct x4ctl *g)
{
	static struct x4_config c; /* too big for the stack */
	struct x4_reclaim r;
	struct x4_err e;
	unsigned released = 0;

	if (x4ctl_load_config(g, &c, &e) < 0)
		return x4ctl_fail("%s", e.msg);
	if (x4_reclaim_repair(&c, &r, &released, &e) < 0)
		return x4ctl_fail_err(&e);
	if (r.aside[0])
		printf("%s was damaged: kept it as %s; rebuilt %u claim(s) from the running VMs\n",
		       X4_STATE_FILE, r.aside, r.rebuilt);
	if (released)
		printf("released %u stale claim(s) of VMs that are not running\n", released);
	if (!r.aside[0] && !released)
		printf("state is sound: no damage, no stale claims\n");
	return 0;
}

int x4ctl_vf(struct x4ctl *g, int argc, char **argv)
{
	static const struct option opts[] = {X4CTL_OPT_HELP, X4CTL_OPT_END};
	struct x4ctl_opts o = {.cmd = "vf", .usage = vf_usage, .longopts = opts, .in_order = 1};
	const char *sub;
	int rc;

	if (x4ctl_opt_next(&o, argc, argv) != -1)
		return o.status;
	if (optind >= argc)
		return x4ctl_usage("vf", vf_usage);
	argc -= optind;
	argv += optind;
	sub = argv[0];
	if (strcmp(sub, "create") == 0)
		return vf_create(g, argc, argv);
	if (strcmp(sub, "remove") == 0) {
		rc = x4ctl_opt_plain("vf remove", vf_remove_usage, argc, argv, 0, 0);
		return rc >= 0 ? rc : vf_remove(g);
	}
	if (strcmp(sub, "repair") == 0) {
		rc = x4ctl_opt_plain("vf repair", vf_repair_usage, argc, argv, 0, 0);
		return rc >= 0 ? rc : vf_repair(g);
	}
	if (strcmp(sub, "bind") == 0 || strcmp(sub, "unbind") == 0) {
		rc = x4ctl_opt_plain(sub[0] == 'b' ? "vf bind" : "vf unbind",
				     sub[0] == 'b' ? vf_bind_usage : vf_unbind_usage, argc, argv, 1,
				     1);
		return rc >= 0 ? rc : vf_bind(g, sub, argv[optind]);
	}
	return x4ctl_unknown_sub("vf", sub);
}
