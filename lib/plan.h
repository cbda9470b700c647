/* SPDX-License-Identifier: MIT */
/* plan: the per-VM decision (VF, ROM, Looking Glass) the hook writes and the wrapper reads. */
#ifndef X4_PLAN_H
#define X4_PLAN_H

#include <stdint.h>

#include "config.h"
#include "err.h"
#include "paths.h"
#include "pciaddr.h"

#define X4_PLAN_DIR X4_RUN_DIR "/vm"
#define X4_PLAN_ROM_DIR X4_STATE_DIR "/rom" /* converted option ROMs (rom_mode = optionrom) */
#define X4_PLAN_SHM_PREFIX X4_LG_SHM_PREFIX
#define X4_PLAN_SUFFIX ".json" /* X4_PLAN_DIR/<encoded vm>.json */
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
 * rom must be readable). Looking Glass size: lg_size, else from lg_resolution,
 * else kvmfr's static_size_mb for /dev/kvmfrN, else 32 MiB. */
int x4_plan_decide(const struct x4_config *c, const char *vm, const struct x4_pciaddr *vf,
		   struct x4_plan *out, struct x4_err *e);

/* Every field in range: VM name, absolute comma-free paths without "..", the shm path that
 * belongs to this VM, /dev/kvmfrN, a size in whole MiB within the config's limits. */
int x4_plan_check(const struct x4_plan *p, struct x4_err *e);

/* The plan file of vm: X4_PLAN_DIR/<encoded vm>.json (absolute host path, no $X4_ROOT). */
int x4_plan_path(const char *vm, char *out, size_t n, struct x4_err *e);

/* Write atomically (directory 0755, file 0644) after x4_plan_check. */
int x4_plan_write(const struct x4_plan *p, struct x4_err *e);

/* Read vm's plan: -ENOENT when there is none; -EBADMSG when damaged, for another VM, or
 * writable by anyone but root (or us); -EFBIG over X4_PLAN_MAX_BYTES. */
int x4_plan_read(const char *vm, struct x4_plan *p, struct x4_err *e);

/* Remove vm's plan; none is fine. */
int x4_plan_remove(const char *vm, struct x4_err *e);

#endif
