/* SPDX-License-Identifier: MIT */
/* lifecycle: prepare / adopt / release of one VM: claim, create VFs, bind, plan; and the undo. */
#include "lifecycle.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "board.h"
#include "iommu.h"
#include "lg.h"
#include "lgshm.h"
#include "lgassign.h"
#include "lgsize_check.h"
#include "log.h"
#include "pcidev.h"
#include "plan.h"
#include "qemuuser.h"
#include "reclaim.h"
#include "romcache.h"
#include "sriov.h"
#include "state.h"
#include "sysfs.h"
#include "testpoint.h"
#include "vfio.h"

/* Without sysfs: can this address be a VF of pf? (Intel iGPU and NVMe VFs share the PF's slot.) */
static int lc_may_be_vf(const struct x4_pciaddr *pf, const struct x4_pciaddr *a)
{
	return a->domain == pf->domain && a->bus == pf->bus && a->slot == pf->slot &&
	       a->func > pf->func;
}

static int lc_physfn_exists(const struct x4_pciaddr *a)
{
	char abs[X4_PCI_ATTR_PATH_MAX];

	return x4_pci_attr_path(a, "physfn", abs, sizeof(abs), NULL) == 0 &&
	       x4_sysfs_exists(abs) == 1;
}

int x4_lifecycle_classify(const struct x4_config *c, const struct x4_domain *d, struct x4_vm *vm,
			  struct x4_err *e)
{
	const struct x4_domxml_hostdev *cand[X4_DOMXML_MAX_HOSTDEVS];
	/* pf = auto: the board's iGPU, the PF that auto most likely finds */
	struct x4_pciaddr board_pf;
	const struct x4_pciaddr *guess = &c->host.pf;
	unsigned n_cand = 0;
	int pf_hostdev = 0, rc;

	if (c->host.pf_auto) {
		x4_pciaddr_parse(X4_BOARD_PF, &board_pf, NULL);
		guess = &board_pf;
	}
	memset(vm, 0, sizeof(*vm));
	vm->name = d->name;
	vm->dom = d;
	vm->has_section = x4_config_vm(c, d->name) != NULL;
	for (unsigned i = 0; i < d->n_hostdevs && n_cand < X4_DOMXML_MAX_HOSTDEVS; i++) {
		const struct x4_pciaddr *a = &d->hostdevs[i].host;

		if (x4_pciaddr_equal(guess, a))
			pf_hostdev = 1;
		else if (lc_may_be_vf(guess, a) || (!c->host.pf_auto && lc_physfn_exists(a)))
			cand[n_cand++] = &d->hostdevs[i];
	}
	if (n_cand == 0 && !pf_hostdev)
		return vm->has_section;

	if ((rc = x4_sriov_find_pf(&c->host, &vm->pf, e)) < 0) {
		/* "pf = auto" on a host without an SR-IOV iGPU: passing 00:02.0 is not our business. */
		if (n_cand == 0)
			return vm->has_section;
		return rc;
	}
	vm->pf_known = 1;
	vm->passes_pf = pf_hostdev && x4_pciaddr_equal(&vm->pf, guess);
	for (unsigned i = 0; i < n_cand; i++) {
		if (x4_sriov_is_vf_of(&vm->pf, &cand[i]->host) != 1)
			continue;
		if (vm->n_vfs == X4_MAX_VM_VFS)
			return x4_fail(e, E2BIG, "domain '%s' has more than %d VF hostdevs", d->name,
				       X4_MAX_VM_VFS);
		vm->vfs[vm->n_vfs].addr = cand[i]->host;
		vm->vfs[vm->n_vfs].managed = cand[i]->managed;
		vm->n_vfs++;
	}
	return vm->n_vfs > 0 || vm->has_section || vm->passes_pf;
}

/* A callee's answer as a step's result: its negative errno as is (never -e->code, which is 0
 * when the callee left e empty), anything else (a count, a yes) as 0. */
static int lc_failed(int rc)
{
	return rc < 0 ? rc : 0;
}

/* Everything that can be checked before the host is changed: ROM and Looking Glass. */
static int lc_precheck(const struct x4_vm *vm, const struct x4_settings *s,
		       struct x4_plan *plan, struct x4_err *e)
{
	struct x4_qemu_user qu = { 0 };
	/* no qemu user on this host: nothing to check access for */
	int have_user = x4_qemu_user(&qu, NULL) == 0;
	int rc;

	if (plan->rom[0]) {
		/* VFs carry the PF's ids, and the VF itself may not exist yet. */
		struct x4_pcidev ids = { .vendor = X4_PCI_VENDOR_INTEL };

		if (vm->pf_known)
			x4_pcidev_read_ids(&vm->pf, &ids, NULL);
		if (s->rom_mode == X4_ROM_OPTIONROM &&
		    (rc = x4_romcache_ensure(s->rom, plan->rom, ids.vendor, ids.device, e)) < 0)
			return rc;
		if (have_user && (rc = x4_lg_check_access(plan->rom, qu.uid, qu.gid, 0, e)) < 0)
			return rc;
	}
	if (plan->lg == X4_LG_KVMFR) {
		if ((rc = x4_lg_check_device(plan->lg_path, 0, e)) < 0)
			return rc;
		if (have_user && (rc = x4_lg_check_access(plan->lg_path, qu.uid, qu.gid, 1, e)) < 0)
			return rc;
	}
	/* Whose the region is comes before how big it is: a planted file is refused as such. */
	if ((rc = x4_lgshm_secure(plan->vm, plan->lg, plan->lg_path, e)) < 0)
		return rc;
	if (plan->lg != X4_LG_OFF &&
	    (rc = x4_lg_check_region_size(plan->vm, plan->lg_path, plan->lg_size, e)) < 0)
		return rc;
	return 0;
}

/* Load the state under the lock. A damaged file is set aside (never saved over) and the
 * claims rebuilt from the kernel; a file we cannot read fails the event (saving would lose it). */
static int lc_state_load(const struct x4_config *c, struct x4_state *st, struct x4_err *e)
{
	struct x4_reclaim r;
	int rc = x4_reclaim_load(c, st, &r, e);

	if (rc == 1)
		x4_log(LOG_WARNING, "%s", e->msg);
	return rc < 0 ? rc : 0;
}

/* Lock the state and load it into a calloc'd struct (61 KiB: never on the stack, see
 * CODING-STYLE.md); on failure *st is NULL and the lock released. tp: a testpoint between the
 * lock and the load, or NULL. lc_close undoes it. */
static int lc_open(const struct x4_config *c, struct x4_lock *lock, struct x4_state **st,
		   const char *tp, struct x4_err *e)
{
	int rc;

	*st = calloc(1, sizeof(**st));
	if (!*st)
		return x4_fail(e, ENOMEM, "out of memory for the x4-sriov state");
	if ((rc = x4_state_lock(lock, e)) < 0)
		goto fail;
	if (tp)
		x4_testpoint(tp);
	if ((rc = lc_state_load(c, *st, e)) < 0) {
		x4_state_unlock(lock);
		goto fail;
	}
	return 0;
fail:
	free(*st);
	*st = NULL;
	return rc;
}

static void lc_close(struct x4_lock *lock, struct x4_state *st)
{
	x4_state_unlock(lock);
	free(st);
}

static int lc_vf_exists(const struct x4_pciaddr *vf)
{
	return x4_pcidev_exists(vf) == 1;
}

/* What one prepare call changed, so a failure can undo exactly that. */
struct lc_undo {
	int created_vfs;
	unsigned n_claimed;
	struct x4_pciaddr claimed[X4_MAX_VM_VFS];
	int bound[X4_MAX_VM_VFS];
};

static void lc_teardown_vfs(const struct x4_pciaddr *pf, struct x4_state *st);

static void lc_undo_prepare(const struct x4_vm *vm, struct x4_state *st, const struct lc_undo *u)
{
	struct x4_err e;

	for (unsigned i = 0; i < u->n_claimed; i++) {
		if (u->bound[i] && x4_vfio_unbind(&u->claimed[i], &e) < 0)
			x4_log_err(&e);
		x4_state_remove(st, &u->claimed[i]);
	}
	if (u->created_vfs && st->n_claims == 0)
		lc_teardown_vfs(&vm->pf, st);
	if (x4_state_save(st, &e) < 0)
		x4_log_err(&e);
}

/* Make sure the PF has VFs: create num_vfs of them (autoprobe off first) when there are none.
 * A non-zero count is never changed here: VFs may be in use. */
static int lc_ensure_vfs(const struct x4_settings *s, const struct x4_vm *vm,
			 struct x4_state *st, struct lc_undo *u, struct x4_err *e)
{
	unsigned numvfs;
	int autoprobe, rc;

	if ((rc = x4_sriov_numvfs(&vm->pf, &numvfs, e)) < 0)
		return rc;
	if (numvfs > 0)
		return 0;
	if ((rc = x4_sriov_get_autoprobe(&vm->pf, &autoprobe, e)) < 0)
		return rc;
	if (!st->have_before) {
		st->have_before = 1;
		st->numvfs_before = 0;
		st->autoprobe_before = autoprobe;
		/* Saved before the kernel is touched: a kill -9 from here on still lets release
		 * put the host back. */
		if ((rc = x4_state_save(st, e)) < 0)
			return rc;
	}
	x4_testpoint("prepare-before-saved");
	if (autoprobe && (rc = x4_sriov_set_autoprobe(&vm->pf, 0, e)) < 0)
		return rc;
	x4_testpoint("prepare-autoprobe-off");
	if ((rc = x4_sriov_create(&vm->pf, s->num_vfs, e)) < 0) {
		/* Nothing was created: put autoprobe back as it was. */
		if (autoprobe)
			x4_sriov_set_autoprobe(&vm->pf, autoprobe, NULL);
		st->have_before = 0;
		x4_state_save(st, NULL);
		return rc;
	}
	u->created_vfs = 1;
	x4_testpoint("prepare-vfs-created");
	x4_log(LOG_INFO, "created %u VFs", s->num_vfs);
	return 0;
}

static int lc_add_claim(struct x4_state *st, const struct x4_vm *vm, unsigned i,
			const char *orig, struct x4_err *e)
{
	struct x4_claim cl;

	memset(&cl, 0, sizeof(cl));
	cl.vf = vm->vfs[i].addr;
	snprintf(cl.vm, sizeof(cl.vm), "%s", vm->name);
	snprintf(cl.uuid, sizeof(cl.uuid), "%s", vm->dom ? vm->dom->uuid : "");
	snprintf(cl.orig_driver, sizeof(cl.orig_driver), "%s", orig);
	cl.bound_by_us = !vm->vfs[i].managed;
	return x4_state_add(st, &cl, e);
}

/* Claim and (for managed='no') bind one VF. */
static int lc_take_vf(const struct x4_vm *vm, unsigned i, struct x4_state *st, struct lc_undo *u,
		      struct x4_err *e)
{
	const struct x4_pciaddr *vf = &vm->vfs[i].addr;
	char addr[X4_PCIADDR_STRLEN], orig[64] = "";
	struct x4_claim *cl = x4_state_find_vf(st, vf);
	unsigned group;
	int rc;

	/* cl set and ours: this VM holds the VF from an earlier prepare whose release never ran
	 * (libvirtd killed, hook registered twice): take it again as it is, never undo it here. */
	x4_pciaddr_format(vf, addr);
	if (cl && strcmp(cl->vm, vm->name) != 0)
		return x4_fail(e, EBUSY,
			       "VF %s is in use by VM '%s': stop that VM or give '%s' another VF",
			       addr, cl->vm, vm->name);
	if (!lc_vf_exists(vf))
		return x4_fail(e, ENODEV,
			       "VF %s does not exist: the PF has fewer VFs; raise num_vfs in x4-sriov.conf, then 'x4ctl vf remove' and start again",
			       addr);
	if ((rc = x4_iommu_group(vf, &group, e)) < 0)
		return rc;
	if (!cl) {
		if ((rc = x4_vfio_driver(vf, orig, sizeof(orig), e)) < 0)
			return rc;
		if (!strcmp(orig, "vfio-pci"))
			return x4_fail(e, EBUSY,
				       "VF %s is already bound to vfio-pci by someone else (another VM?): not touching it",
				       addr);
		/* Intent first: a kill -9 during the bind leaves a claim release can undo. */
		if ((rc = lc_add_claim(st, vm, i, orig, e)) < 0)
			return rc;
		u->claimed[u->n_claimed] = *vf;
		u->bound[u->n_claimed++] = 0;
		if ((rc = x4_state_save(st, e)) < 0)
			return rc;
		x4_testpoint("prepare-claimed");
	}
	if (!vm->vfs[i].managed) {
		if (!x4_vfio_loaded(e))
			return -ENOENT; /* x4_vfio_loaded answers 0 or 1 */
		if ((rc = x4_vfio_bind(vf, &vm->pf, orig, sizeof(orig), e)) < 0)
			return rc;
		if (!cl)
			u->bound[u->n_claimed - 1] = 1; /* the claim this call just added */
		else if (strcmp(orig, "vfio-pci") != 0)
			cl->bound_by_us = 1; /* a claim from before (re-prepare): release gives it back */
		x4_testpoint("prepare-bound");
	}
	rc = x4_iommu_viable(group, vf, e);
	return rc < 0 ? rc : 0;
}

int x4_lifecycle_prepare(const struct x4_config *c, struct x4_vm *vm, struct x4_err *e)
{
	struct x4_settings s;
	struct x4_plan plan;
	struct x4_state *st; /* lc_open */
	struct x4_lock lock;
	struct lc_undo u;
	int rc = 0;

	memset(&u, 0, sizeof(u));
	if (vm->passes_pf) {
		char a[X4_PCIADDR_STRLEN];

		return x4_fail(e, EPERM, "VM '%s' has the PF %s itself as a hostdev: never pass the "
			       "PF (the host loses its display and every VF crashes); give a VF",
			       vm->name, x4_pciaddr_format(&vm->pf, a));
	}
	x4_config_for_vm(c, vm->name, &s);
	/* looking_glass = kvmfr: the VM's own device, recorded at its first start and kept. */
	if ((rc = x4_lg_record(c, vm->name, e)) < 0)
		return rc;
	if ((rc = x4_plan_decide(c, vm->name, vm->n_vfs ? &vm->vfs[0].addr : NULL, &plan, e)) < 0)
		return rc;
	if ((rc = lc_precheck(vm, &s, &plan, e)) < 0)
		return rc;
	if ((rc = lc_open(c, &lock, &st, "prepare-locked", e)) < 0)
		return rc;
	/* VMs that vanished without a release (libvirtd crashed) hold nothing any more. */
	x4_reclaim_stale(st, vm->name);
	rc = 0;
	if (plan.lg == X4_LG_KVMFR)
		rc = lc_failed(x4_lg_check_not_shared(vm->name, plan.lg_path, e));
	if (rc == 0 && vm->n_vfs > 0)
		rc = lc_failed(lc_ensure_vfs(&s, vm, st, &u, e));
	for (unsigned i = 0; rc == 0 && i < vm->n_vfs; i++)
		rc = lc_failed(lc_take_vf(vm, i, st, &u, e));
	/* The kvmfr device goes with the claim too (lgstore keeps it across starts). */
	for (struct x4_claim *cl = x4_state_find_vm(st, vm->name, NULL); rc == 0 && cl;
	     cl = x4_state_find_vm(st, vm->name, cl))
		snprintf(cl->lg_path, sizeof(cl->lg_path), "%.15s", /* "/dev/kvmfrN" (plan_check) */
			 plan.lg == X4_LG_KVMFR ? plan.lg_path : "");
	if (rc == 0)
		rc = lc_failed(x4_state_save(st, e));
	x4_testpoint("prepare-state-saved");
	if (rc == 0)
		rc = lc_failed(x4_plan_write(&plan, e));
	x4_testpoint("prepare-plan-written");
	if (rc < 0)
		lc_undo_prepare(vm, st, &u);
	else
		x4_log(LOG_INFO, "prepared '%s' (%u VF%s)", vm->name, vm->n_vfs,
		       vm->n_vfs == 1 ? "" : "s");
	lc_close(&lock, st);
	return rc;
}

int x4_lifecycle_adopt(const struct x4_config *c, struct x4_vm *vm, struct x4_err *e)
{
	struct x4_state *st; /* lc_open */
	struct x4_lock lock;
	struct x4_plan plan;
	struct x4_err pe;
	int changed = 0, rc = 0, prc;

	if (vm->passes_pf && vm->n_vfs == 0 && !vm->has_section)
		return 0; /* ours only to be refused at prepare: nothing to adopt */
	if ((rc = lc_open(c, &lock, &st, NULL, e)) < 0)
		return rc;
	rc = 0;
	for (unsigned i = 0; i < vm->n_vfs; i++) {
		struct x4_claim *cl = x4_state_find_vf(st, &vm->vfs[i].addr);
		char drv[64] = "";

		if (cl) {
			/* A claim rebuilt from the kernel does not know who bound the VF: the
			 * running VM's managed='no' hostdev says it was us. */
			if (!strcmp(cl->vm, vm->name) && !cl->bound_by_us && !vm->vfs[i].managed &&
			    x4_vfio_driver(&vm->vfs[i].addr, drv, sizeof(drv), NULL) == 0 &&
			    !strcmp(drv, "vfio-pci")) {
				cl->bound_by_us = 1;
				changed = 1;
			}
			continue;
		}
		/* Ours to give back only if it sits on vfio-pci because of a managed='no' hostdev. */
		if ((rc = x4_vfio_driver(&vm->vfs[i].addr, drv, sizeof(drv), e)) < 0 ||
		    (rc = lc_add_claim(st, vm, i, "", e)) < 0)
			break;
		x4_state_find_vf(st, &vm->vfs[i].addr)->bound_by_us =
			!vm->vfs[i].managed && !strcmp(drv, "vfio-pci");
		changed = 1;
	}
	if (rc >= 0 && changed)
		rc = lc_failed(x4_state_save(st, e));
	/* Still under the lock: a release running next must find the plan to remove it. None:
	 * write it; a damaged one is the hook's own file to replace, said in the log. */
	if (rc >= 0 && (prc = x4_plan_read(vm->name, &plan, &pe)) < 0) {
		if (prc != -ENOENT)
			x4_log(LOG_WARNING, "%s (adopting the running VM: writing a new plan)", pe.msg);
		if ((rc = x4_plan_decide(c, vm->name, vm->n_vfs ? &vm->vfs[0].addr : NULL, &plan,
					 e)) >= 0)
			rc = x4_plan_write(&plan, e);
	}
	rc = lc_failed(rc);
	lc_close(&lock, st);
	return rc;
}

/* Remove the VFs and put autoprobe back, but only when nothing can be holding a VF: writing 0
 * to sriov_numvfs while a VF is open through VFIO blocks in the kernel (and libvirtd with it). */
static void lc_teardown_vfs(const struct x4_pciaddr *pf, struct x4_state *st)
{
	struct x4_pciaddr busy;
	char addr[X4_PCIADDR_STRLEN];
	struct x4_err e;

	if (st->n_claims > 0)
		return;
	if (x4_sriov_any_vf_busy(pf, &busy, NULL, 0, NULL) != 0) {
		x4_log(LOG_INFO, "keeping the VFs: %s is bound to vfio-pci",
		       x4_pciaddr_format(&busy, addr));
		return;
	}
	if (x4_sriov_remove(pf, &e) < 0) {
		x4_log_err(&e);
		return;
	}
	if (st->have_before && st->autoprobe_before &&
	    x4_sriov_set_autoprobe(pf, st->autoprobe_before, &e) < 0)
		x4_log_err(&e);
	st->have_before = 0;
	x4_log(LOG_INFO, "removed the VFs");
}

int x4_lifecycle_release(const struct x4_config *c, const char *vm_name, int final,
			 struct x4_err *e)
{
	struct x4_state *st; /* lc_open */
	struct x4_lock lock;
	struct x4_pciaddr pf;
	struct x4_settings s;
	int had = 0, changed = 0, rc;

	x4_config_for_vm(c, vm_name, &s); /* [vm NAME] vf_teardown overrides [host] */

	if ((rc = lc_open(c, &lock, &st, NULL, e)) < 0)
		return rc;
	for (unsigned i = 0; i < st->n_claims;) {
		struct x4_claim *cl = &st->claims[i];

		if (strcmp(cl->vm, vm_name) != 0) {
			i++;
			continue;
		}
		had = 1;
		if (cl->bound_by_us) {
			struct x4_err ue;

			if (x4_vfio_unbind(&cl->vf, &ue) < 0)
				x4_log_err(&ue);
			cl->bound_by_us = 0;
		}
		if (final) {
			struct x4_pciaddr vf = cl->vf;

			x4_state_remove(st, &vf); /* shifts the rest down */
		} else {
			i++;
		}
	}
	if (final) {
		/* A prepare killed between making the VFs and recording its claim leaves the host
		 * snapshot with no claim: this release still owes the host the teardown. */
		int orphan = !had && st->have_before && st->n_claims == 0;

		x4_plan_remove(vm_name, NULL);
		if ((had || orphan) && s.vf_teardown == X4_TEARDOWN_REMOVE &&
		    x4_sriov_find_pf(&c->host, &pf, NULL) == 0) {
			lc_teardown_vfs(&pf, st);
			changed = orphan && !st->have_before;
		}
	}
	if ((had || changed) && (rc = x4_state_save(st, e)) < 0) {
		lc_close(&lock, st);
		return rc;
	}
	lc_close(&lock, st);
	if (had)
		x4_log(LOG_INFO, "%s '%s'", final ? "released" : "gave back the VFs of", vm_name);
	return 0;
}
