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
#include "lgstore.h"

/* The /dev/kvmfrN of vm: its explicit looking_glass = /dev/kvmfrN, or for looking_glass = kvmfr
 * the index recorded for it (lgstore), or, not recorded yet, the one x4_lg_record would give
 * it now (read only). -ENOENT when vm does not use kvmfr, -ENOSPC when every device is taken,
 * -EINVAL for a VM with looking_glass = kvmfr from [host] and no [vm] section, -EBUSY for an
 * explicit device recorded for another VM (naming it), -EBADMSG for a damaged store. */
int x4_lg_assign(const struct x4_config *c, const char *vm, char *out, size_t n,
		 struct x4_err *e);

/* Record a device for vm (NULL: for every [vm] section with looking_glass = kvmfr, in config
 * order) when it has none: the lowest index no VM holds and no config line names. Under the
 * state lock; the store is written only when something was given. Returns how many were
 * given (0 when all had one, or vm does not use looking_glass = kvmfr), or a negative errno. */
int x4_lg_record(const struct x4_config *c, const char *vm, struct x4_err *e);

/* Drop vm's record (under the state lock): *idx receives its index. -ENOENT when it has none,
 * -EBUSY while vm has a plan (it runs). */
int x4_lg_forget(const char *vm, int *idx, struct x4_err *e);

/* 1 and one line in out when index idx is recorded for a VM that is not (or no longer) a
 * looking_glass = kvmfr [vm] section of c: "kvmfrN: recorded for VM X which is not in the
 * config (x4ctl lg forget X)". 0 otherwise. */
int x4_lg_orphan_line(const struct x4_config *c, const struct x4_lg_store *s, unsigned idx,
		      char *out, size_t n);

/* The size a VM's settings ask for: lg_size, else from lg_resolution, else 0 (unset). */
uint64_t x4_lg_wanted_size(const struct x4_settings *s);

/* What kvmfr must provide: per index, its size and the first VM using it. */
struct x4_lg_dev {
	int used;
	uint64_t size;               /* bytes; X4_LG_DEFAULT_SIZE when no VM says */
	char vm[X4_NAME_MAX + 1];    /* first VM using it */
	char other[X4_NAME_MAX + 1]; /* a second VM with another size ("" when none) */
	/* unused (!used) with vm set: recorded for a VM gone from the config (kept, not reused) */
};

/* The table for every [vm] section using kvmfr (and [host] with an explicit device), with the
 * devices not recorded yet as x4_lg_record would give them (read only); returns the device count (highest used index + 1; unused lower indices get X4_LG_DEFAULT_SIZE, since
 * kvmfr's static_size_mb is a list) or a negative errno. */
int x4_lg_table(const struct x4_config *c, struct x4_lg_dev dev[X4_LG_MAX_DEVICES],
		struct x4_err *e);

#define X4_LG_MODPROBE_FILE "/etc/modprobe.d/x4-sriov-kvmfr.conf"

/* The modprobe.d file for the table (count devices): a comment naming each device's VM and
 * "options kvmfr static_size_mb=S0,S1,...". Returns the length, or -ENOSPC when n is short. */
int x4_lg_modprobe_text(const struct x4_lg_dev *dev, int count, char *out, size_t n);

/* The group that owns the devices (udev rule): QEMU's and the desktop user's. */
#define X4_LG_GROUP "kvm"
#define X4_LG_UDEV_FILE "/etc/udev/rules.d/99-kvmfr.rules"

/* The udev rules file: one line per used device, owner root, group X4_LG_GROUP, mode 0660.
 * Returns the length, or -ENOSPC when n is short. */
int x4_lg_udev_text(const struct x4_lg_dev *dev, int count, char *out, size_t n);

/* Before vm starts with kvmfr device abs: no other VM with a plan (a VM between prepare and
 * release) uses it. -EBUSY naming that VM. */
int x4_lg_check_not_shared(const char *vm, const char *abs, struct x4_err *e);

#endif
