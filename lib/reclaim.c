/* SPDX-License-Identifier: MIT */
/* reclaim: set a damaged state aside and rebuild it from the kernel; drop stale claims. */
#include "reclaim.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "iommu.h"
#include "log.h"
#include "paths.h"
#include "plan.h"
#include "running.h"
#include "sriov.h"
#include "vfio.h"

int x4_reclaim_vm_stale(const char *vm)
{
	char abs[PATH_MAX], path[PATH_MAX];
	struct stat sb;

	if (x4_running_vm(vm))
		return 0;
	if (x4_plan_path(vm, abs, sizeof(abs), NULL) == 0 &&
	    x4_host_path(abs, path, sizeof(path), NULL) == 0 && lstat(path, &sb) == 0 &&
	    time(NULL) - sb.st_mtime < X4_RECLAIM_GRACE_S)
		return 0;
	return 1;
}

/* Claims for the VFs a running QEMU holds: what the kernel shows when the state is lost.
 * Whether we bound a VF is unknown, so none is marked bound_by_us: a release then leaves
 * it on vfio-pci rather than unbinding a device libvirt manages. */
static unsigned reclaim_rebuild(const struct x4_config *c, struct x4_state *st)
{
	struct x4_pciaddr pf;
	unsigned numvfs = 0, n = 0;

	if (x4_sriov_find_pf(&c->host, &pf, NULL) < 0 || x4_sriov_numvfs(&pf, &numvfs, NULL) < 0)
		return 0;
	for (unsigned i = 1; i <= numvfs; i++) {
		struct x4_claim cl;
		char drv[64] = "";
		unsigned group;

		memset(&cl, 0, sizeof(cl));
		if (x4_sriov_vf_addr(&pf, i, &cl.vf, NULL) < 0 ||
		    x4_vfio_driver(&cl.vf, drv, sizeof(drv), NULL) < 0 || strcmp(drv, "vfio-pci") ||
		    x4_iommu_group(&cl.vf, &group, NULL) < 0 ||
		    !x4_running_group_holder(group, cl.vm, sizeof(cl.vm)))
			continue;
		if (x4_state_add(st, &cl, NULL) == 0)
			n++;
	}
	return n;
}

int x4_reclaim_load(const struct x4_config *c, struct x4_state *st, struct x4_reclaim *r,
		    struct x4_err *e)
{
	struct x4_err why;
	char *hint;
	int rc;

	r->aside[0] = '\0';
	r->rebuilt = 0;
	rc = x4_state_load(st, &why);
	if (rc == 0)
		return 0;
	x4_state_init(st);
	if (rc != -EBADMSG) {
		if (e)
			*e = why;
		return rc;
	}
	if ((rc = x4_state_set_aside(r->aside, sizeof(r->aside), e)) < 0)
		return rc;
	hint = strstr(why.msg, X4_STATE_REPAIR_HINT); /* done here: not advice any more */
	if (hint)
		*hint = '\0';
	r->rebuilt = reclaim_rebuild(c, st);
	if ((rc = x4_state_save(st, e)) < 0)
		return rc;
	x4_fail(e, EBADMSG, "%s; kept it as %s and rebuilt %u claim(s) from the running VMs",
		why.msg, r->aside, r->rebuilt);
	return 1;
}

unsigned x4_reclaim_stale(struct x4_state *st, const char *keep_vm)
{
	unsigned dropped = 0;

	for (unsigned i = 0; i < st->n_claims;) {
		struct x4_claim cl = st->claims[i];
		char a[X4_PCIADDR_STRLEN];
		struct x4_err e;

		if ((keep_vm && strcmp(cl.vm, keep_vm) == 0) || !x4_reclaim_vm_stale(cl.vm)) {
			i++;
			continue;
		}
		if (cl.bound_by_us && x4_vfio_unbind(&cl.vf, &e) < 0)
			x4_log_err(&e);
		x4_state_remove(st, &cl.vf); /* shifts the rest down: i stays */
		x4_plan_remove(cl.vm, NULL);
		dropped++;
		x4_log(LOG_WARNING, "released the stale claim of VF %s by VM '%s': it is not running "
		       "(no live QEMU in " X4_LIBVIRT_QEMU_RUN ")", x4_pciaddr_format(&cl.vf, a), cl.vm);
	}
	return dropped;
}

int x4_reclaim_repair(const struct x4_config *c, struct x4_reclaim *r, unsigned *released,
		      struct x4_err *e)
{
	static struct x4_state st; /* 80 KiB: not on the stack of a CLI helper */
	struct x4_lock lock;
	int rc;

	*released = 0;
	if ((rc = x4_state_lock(&lock, e)) < 0)
		return rc;
	rc = x4_reclaim_load(c, &st, r, e);
	if (rc >= 0) {
		*released = x4_reclaim_stale(&st, NULL);
		rc = *released ? x4_state_save(&st, e) : 0;
	}
	x4_state_unlock(&lock);
	return rc;
}
