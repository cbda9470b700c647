/* SPDX-License-Identifier: MIT */
/* reclaim: owns distrusting the state: a damaged state.json set aside, its claims rebuilt from
 * the kernel, claims of dead VMs given back. Callers: lib/lifecycle (root), x4ctl status/vf. */
#ifndef X4_RECLAIM_H
#define X4_RECLAIM_H

#include <limits.h>

#include "config.h"
#include "err.h"
#include "state.h"

/* A VM prepared this recently may still be on its way to starting QEMU (libvirt writes the
 * pid file only then): its claim is not stale yet. */
#define X4_RECLAIM_GRACE_S 120

/* 1 when vm's claims are stale: libvirt shows no live QEMU for it (x4_running_vm) and its
 * plan is missing or older than X4_RECLAIM_GRACE_S; else 0. */
int x4_reclaim_vm_stale(const char *vm);

struct x4_reclaim {
	char aside[PATH_MAX]; /* where a damaged state.json went ("" = it was fine) */
	unsigned rebuilt;     /* claims rebuilt from the kernel */
};

/* Load the state (the caller holds the lock). 0: loaded. 1: state.json was damaged: it is
 * set aside (r->aside), the claims are rebuilt from the kernel (VFs of the PF on vfio-pci
 * whose IOMMU group a running VM's QEMU holds open) and saved; e holds the line to log.
 * Negative errno: the state could not be read (I/O, permissions): do not save over it. */
int x4_reclaim_load(const struct x4_config *c, struct x4_state *st, struct x4_reclaim *r,
		    struct x4_err *e);

/* Drop the claims of every VM but keep_vm (NULL = none kept) that is stale: give back the VFs
 * we bound, remove its plan, log each. Returns how many claims were dropped. */
unsigned x4_reclaim_stale(struct x4_state *st, const char *keep_vm);

/* x4ctl vf repair: under the state lock, x4_reclaim_load then x4_reclaim_stale(NULL), saved.
 * released receives how many stale claims were dropped. */
int x4_reclaim_repair(const struct x4_config *c, struct x4_reclaim *r, unsigned *released,
		      struct x4_err *e);

#endif
