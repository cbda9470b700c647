/* SPDX-License-Identifier: MIT */
/* plan: owns the per-VM decision (VF, ROM, Looking Glass) and its file; x4-hook-core writes it
 * (lib/lifecycle); qemu-x4, x4ctl and lib (lgassign, reclaim) read it, x4ctl decides too.
 *
 * The hook -> wrapper contract: the plan file.
 *
 *   path      X4_PLAN_DIR/<VM>.json = /run/x4-sriov/vm/<VM>.json, <VM> the name as
 *             x4_name_encode spells it (x4_plan_path; never built by hand). /run is tmpfs.
 *   owner     root:root, file 0644, directory 0755: readable by the qemu user, writable by
 *             root alone. A reader accepts only uid 0 (or its own euid, in tests) and no
 *             group/other write bit.
 *   format    one JSON object, at most X4_PLAN_MAX_BYTES, exactly the keys
 *             version (X4_PLAN_VERSION = 1), vm (the VM's name, must equal the file's),
 *             vf ("DDDD:BB:SS.F" or null), rom (absolute path or ""), lg ("off", "kvmfr",
 *             "shm"), lg_path (/dev/kvmfrN, /dev/shm/looking-glass-<VM> or ""), lg_size
 *             (bytes, whole MiB; 0 when lg is off); every field passes x4_plan_check.
 *             Paths are the real host paths QEMU opens (never under $X4_ROOT).
 *   writer    x4-hook-core only: x4_lifecycle_prepare (prepare begin) and x4_lifecycle_adopt
 *             (reconnect/attach of a running VM), both while holding the state lock
 *             (x4_state_lock), by atomic replace (temp file, fsync, rename).
 *   readers   qemu-x4 at every start (as the qemu user); x4ctl status, doctor and lg apply;
 *             the hook itself (x4_lg_check_not_shared, x4_reclaim_vm_stale reads its mtime as
 *             the prepare time). Readers take no lock: a rename is seen whole or not at all.
 *   lifetime  from prepare until release end (x4_lifecycle_release, final), or until a later
 *             prepare reclaims a VM that died without release (x4_reclaim_stale); and a reboot.
 *   missing   (-ENOENT) the VM was not started by the hook: qemu-x4 runs in config-only mode,
 *             the same x4_plan_decide from x4-sriov.conf and argv, and says so once in the log;
 *             x4ctl decides with x4_plan_decide / x4_plan_decide_lg as for a stopped VM.
 *   damaged   (any other error: bad JSON, unknown key, another version, another VM's name,
 *   foreign   a field out of range, too big, owned by another user, writable by others, not
 *             readable) an error naming the file and the fix (remove it and start the VM
 *             again), never a silent fallback: qemu-x4 refuses to start the VM with one
 *             line; x4ctl status and doctor show the line; adopt, the writer, replaces it and
 *             logs why; lg apply counts the VM as a possible kvmfr user.
 */
#ifndef X4_PLAN_H
#define X4_PLAN_H

#include <stdint.h>

#include "config.h"
#include "err.h"
#include "paths.h"
#include "pciaddr.h"

#define X4_PLAN_DIR X4_RUN_DIR "/vm"
#define X4_PLAN_ROM_DIR X4_STATE_DIR "/rom" /* converted option ROMs (rom_mode = optionrom) */
#define X4_PLAN_SUFFIX ".json" /* X4_PLAN_DIR/<encoded vm>.json */
#define X4_PLAN_VERSION 1 /* the format version a reader accepts */
#define X4_PLAN_MAX_BYTES (16u << 10)
#define X4_PLAN_PATH_MAX 320 /* "/dev/shm/" + a 255-byte file name, with room */

/* Paths in a plan are real host paths for QEMU (never prefixed with $X4_ROOT). */
struct x4_plan {
	char vm[X4_NAME_MAX + 1];
	int has_vf;
	struct x4_pciaddr vf;
	char rom[X4_PLAN_PATH_MAX];     /* romfile for the VF, "" = none */
	enum x4_lg_kind lg;
	char lg_path[X4_PLAN_PATH_MAX]; /* /dev/kvmfrN or /dev/shm/looking-glass-<encoded vm> */
	uint64_t lg_size;               /* bytes; 0 when lg is off */
};

/* The one decision hook, wrapper and x4ctl share. Settings are [host] with [vm NAME] over it.
 * VF: vf when given, else the [vm] vf = address, else vf = index N resolved through the PF's
 * virtfn link (pf, or X4_BOARD_PF for pf = auto; -ENOENT when that VF does not exist yet),
 * else none. The PF itself is refused. ROM: rom as configured (raw) or its converted copy
 * X4_PLAN_ROM_DIR/<sha256 of rom's bytes and the PF's ids>.optionrom (x4_romcache_path;
 * rom must be readable). Looking Glass size: lg_size, else from lg_resolution, else for
 * /dev/kvmfrN the device's own size (x4_lg_region_size: kvmfr's size ioctl) when that char
 * device exists, else X4_LG_DEFAULT_SIZE (what x4ctl lg apply writes): kvmfr's static_size_mb
 * parameter is mode 0000 on real hosts, so nothing here reads it. */
int x4_plan_decide(const struct x4_config *c, const char *vm, const struct x4_pciaddr *vf,
		   struct x4_plan *out, struct x4_err *e);

/* Only the Looking Glass part of x4_plan_decide (vm, lg, lg_path, lg_size; no VF, no ROM):
 * for x4ctl's checks of a VM that is not running, whose VF may not exist yet. */
int x4_plan_decide_lg(const struct x4_config *c, const char *vm, struct x4_plan *out,
		      struct x4_err *e);

/* Every field in range: VM name, absolute comma-free paths without "..", the shm path that
 * belongs to this VM, /dev/kvmfrN, a size in whole MiB within the config's limits. */
int x4_plan_check(const struct x4_plan *p, struct x4_err *e);

/* The plan file of vm: X4_PLAN_DIR/<encoded vm>.json (absolute host path, no $X4_ROOT). */
int x4_plan_path(const char *vm, char *out, size_t n, struct x4_err *e);

/* Write atomically (directory 0755, file 0644) after x4_plan_check. */
int x4_plan_write(const struct x4_plan *p, struct x4_err *e);

/* Read vm's plan. -ENOENT when there is none (e says so); any other error means the plan is
 * there but unusable, e naming the file and the fix: -EBADMSG when damaged, for another VM, or
 * owned or writable by anyone but root (or us); -EFBIG over X4_PLAN_MAX_BYTES; the read's own
 * errno (-EACCES, -EISDIR, ...) otherwise. Callers tell the two apart (see the contract). */
int x4_plan_read(const char *vm, struct x4_plan *p, struct x4_err *e);

/* The names of the VMs that have a plan file (X4_PLAN_DIR/<encoded name>.json), sorted, at
 * most max; returns how many it stored (0 without the directory) or a negative errno. Each
 * is then read with x4_plan_read, which says whether it is usable. */
int x4_plan_list(char (*vms)[X4_NAME_MAX + 1], unsigned max, struct x4_err *e);

/* Remove vm's plan; none is fine. */
int x4_plan_remove(const char *vm, struct x4_err *e);

#endif
