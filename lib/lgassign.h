/* SPDX-License-Identifier: MIT */
/* lgassign: one kvmfr device per VM (looking_glass = kvmfr) and the module sizes that follow. */
#ifndef X4_LGASSIGN_H
#define X4_LGASSIGN_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "err.h"
#include "lg.h"

/* The /dev/kvmfrN of vm: its explicit looking_glass = /dev/kvmfrN, or for looking_glass = kvmfr
 * the lowest index, in the order of the [vm] sections, that no explicit device and no earlier
 * kvmfr VM holds. Derived from the config alone, so it is the same at every start and after a
 * reboot, and `x4ctl lg apply` (run before any VM starts) writes the sizes in the same order.
 * -ENOENT when vm does not use kvmfr, -ENOSPC past /dev/kvmfr9, -EINVAL for a VM with
 * looking_glass = kvmfr from [host] and no [vm] section (it has no place in the order). */
int x4_lg_assign(const struct x4_config *c, const char *vm, char *out, size_t n,
		 struct x4_err *e);

/* The size a VM's settings ask for: lg_size, else from lg_resolution, else 0 (unset). */
uint64_t x4_lg_wanted_size(const struct x4_settings *s);

/* What kvmfr must provide: per index, its size and the first VM using it. */
struct x4_lg_dev {
	int used;
	uint64_t size;               /* bytes; X4_LG_DEFAULT_SIZE when no VM says */
	char vm[X4_NAME_MAX + 1];    /* first VM using it */
	char other[X4_NAME_MAX + 1]; /* a second VM with another size ("" when none) */
};

/* The table for every [vm] section using kvmfr (and [host] with an explicit device); returns
 * the device count (highest used index + 1; unused lower indices get X4_LG_DEFAULT_SIZE, since
 * kvmfr's static_size_mb is a list) or a negative errno. */
int x4_lg_table(const struct x4_config *c, struct x4_lg_dev dev[X4_LG_MAX_DEVICES],
		struct x4_err *e);

/* Before vm starts with kvmfr device abs: no other VM with a plan (a VM between prepare and
 * release) uses it. -EBUSY naming that VM. */
int x4_lg_check_not_shared(const char *vm, const char *abs, struct x4_err *e);

#endif
