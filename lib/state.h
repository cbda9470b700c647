/* SPDX-License-Identifier: MIT */
/* state: which VF each VM holds and what the host looked like before us (state.json under
 * /run/x4-sriov), and the lock every change to it is made under. Owns the lock and the claims
 * only (files: fileio.h, JSON: json.h). Callers: lifecycle and reclaim (the hook), x4ctl's vf,
 * status, define and doctor; only code holding x4_state_lock() may save. */
#ifndef X4_STATE_H
#define X4_STATE_H

#include <stddef.h>

#include "config.h"
#include "err.h"
#include "paths.h" /* X4_RUN_DIR */
#include "pciaddr.h"

#define X4_STATE_MAX_CLAIMS 256
#define X4_STATE_FILE X4_RUN_DIR "/state.json"
#define X4_STATE_LOCK X4_RUN_DIR "/lock"
#define X4_STATE_MAX_BYTES (1u << 20) /* a full state is ~100 KiB; more is damage */

/* The exclusive lock every hook holds while it reads and changes the state. */
struct x4_lock {
	int fd; /* -1 when not held */
};

/* One VF given to one VM. */
struct x4_claim {
	struct x4_pciaddr vf;
	char vm[X4_NAME_MAX + 1];
	char uuid[37];         /* "" when libvirt gave none */
	int bound_by_us;       /* we moved it to vfio-pci (managed='no'): give it back */
	char orig_driver[64];  /* driver before us ([a-z0-9_-], "" = none) */
	int created_vfs;       /* this claim's prepare created the VFs */
	char lg_path[16];      /* the VM's kvmfr device at prepare ("/dev/kvmfrN", "" = none) */
};

struct x4_state {
	int have_before;           /* the host snapshot below is valid */
	unsigned numvfs_before;    /* sriov_numvfs before we first changed it */
	int autoprobe_before;      /* sriov_drivers_autoprobe before we first changed it */
	unsigned n_claims;
	struct x4_claim claims[X4_STATE_MAX_CLAIMS];
};

/* mkdir -p /run/x4-sriov (0755), open its lock file and flock(LOCK_EX), waiting for any
 * other holder: concurrent hooks run one after the other. */
int x4_state_lock(struct x4_lock *l, struct x4_err *e);
void x4_state_unlock(struct x4_lock *l);

/* Empty state. */
void x4_state_init(struct x4_state *s);

/* Load state.json. Missing -> empty state, 0. Unreadable, too big, not JSON, or any field
 * out of range -> -EBADMSG (s is left empty) with a line naming the file: the caller decides
 * whether to go on. Other I/O errors -> their errno. */
int x4_state_load(struct x4_state *s, struct x4_err *e);

/* What x4_state_load's damaged-file line ends with: the command that fixes it. */
#define X4_STATE_REPAIR_HINT \
	": run 'sudo x4ctl vf repair' (keeps it aside, rebuilds the claims from the running VMs)"

/* A damaged state.json is kept for the admin as state.json.damaged-<UTC time>[.N]. */
#define X4_STATE_ASIDE_PREFIX X4_STATE_FILE ".damaged-"

/* Move state.json aside under a name no file has yet (never overwriting one); aside (n bytes)
 * receives its absolute host path. */
int x4_state_set_aside(char *aside, size_t n, struct x4_err *e);

/* Write state.json atomically: temp file in the same directory, fsync, rename (0644). */
int x4_state_save(const struct x4_state *s, struct x4_err *e);

/* Validate one claim (address, VM name, uuid shape, driver name). */
int x4_state_claim_check(const struct x4_claim *c, struct x4_err *e);

/* Lookups; NULL when none. find_vm returns the first claim of vm, or the one after `after`
 * (NULL = from the start) so callers can walk every claim of a VM. */
struct x4_claim *x4_state_find_vf(struct x4_state *s, const struct x4_pciaddr *vf);
struct x4_claim *x4_state_find_vm(struct x4_state *s, const char *vm,
				  const struct x4_claim *after);

/* Add a validated claim: -EEXIST when its VF is claimed (e names the holder), -ENOSPC when full. */
int x4_state_add(struct x4_state *s, const struct x4_claim *c, struct x4_err *e);

/* Remove the claim of vf (order of the rest kept); -ENOENT when there is none. */
int x4_state_remove(struct x4_state *s, const struct x4_pciaddr *vf);

#endif
