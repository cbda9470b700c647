/* SPDX-License-Identifier: MIT */
/* lgassign: owns which kvmfr device each VM gets (looking_glass = kvmfr) and the module sizes
 * that follow. Callers: lib/plan, lib/lifecycle, x4ctl lg apply and doctor. */
#ifndef X4_LGASSIGN_H
#define X4_LGASSIGN_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "err.h"
#include "lg.h"

/* The /dev/kvmfrN of vm: its explicit looking_glass = /dev/kvmfrN, or for looking_glass = kvmfr
 * /dev/kvmfr<K>, K = how many [vm] sections before it have looking_glass = kvmfr. Derived from
 * the config alone: the same at every start and after a reboot, known to `x4ctl lg apply`
 * before any VM runs, and not moved by explicit devices (appending a VM moves nobody).
 * -ENOENT when vm does not use kvmfr, -ENOSPC past /dev/kvmfr9, -EINVAL for a VM with
 * looking_glass = kvmfr from [host] and no [vm] section (it has no place in the order),
 * -EBUSY for an explicit device that a kvmfr VM is given (naming it). */
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

#define X4_LG_MODPROBE_FILE "/etc/modprobe.d/x4-sriov-kvmfr.conf"

/* The modprobe.d file for the table (count devices): a comment naming each device's VM and
 * "options kvmfr static_size_mb=S0,S1,...". Returns the length, or -ENOSPC when n is short. */
int x4_lg_modprobe_text(const struct x4_lg_dev *dev, int count, char *out, size_t n);

/* Before vm starts with kvmfr device abs: no other VM with a plan (a VM between prepare and
 * release) uses it. -EBUSY naming that VM. */
int x4_lg_check_not_shared(const char *vm, const char *abs, struct x4_err *e);

#endif
