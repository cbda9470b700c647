/* SPDX-License-Identifier: MIT */
/* sriov: owns the PF's SR-IOV side: find the PF, its attributes, VF index <-> address,
 * create/remove VFs. Callers: lib/lifecycle, lib/reclaim (root writes) and x4ctl. */
#ifndef X4_SRIOV_H
#define X4_SRIOV_H

#include <stddef.h>

#include "config.h"
#include "err.h"
#include "pciaddr.h"

#define X4_SRIOV_MAX_VFS 256 /* virtfnN links we ever look at */

/* The PF to manage. s->pf_auto == 0 (s non-NULL): the configured address, any device class,
 * checked to exist and have sriov_totalvfs > 0. Auto (or s NULL): an Intel (0x8086) display
 * controller (class 0x03xxxx) with sriov_totalvfs > 0, X4_BOARD_PF (board.h) first, else the lowest
 * address. Nothing found is -ENODEV with a line that says what to load or configure. */
int x4_sriov_find_pf(const struct x4_settings *s, struct x4_pciaddr *pf, struct x4_err *e);

/* sriov_totalvfs / sriov_numvfs of pf. -ENODEV: no such device; -ENOTSUP: no SR-IOV capability
 * (attribute absent); -EINVAL: garbled attribute. */
int x4_sriov_totalvfs(const struct x4_pciaddr *pf, unsigned *out, struct x4_err *e);
int x4_sriov_numvfs(const struct x4_pciaddr *pf, unsigned *out, struct x4_err *e);

/* sriov_drivers_autoprobe: 0 keeps host drivers off new VFs (set it before creating them). */
int x4_sriov_set_autoprobe(const struct x4_pciaddr *pf, int on, struct x4_err *e);
int x4_sriov_get_autoprobe(const struct x4_pciaddr *pf, int *on, struct x4_err *e);

/* Address of VF number index of pf, counted from 1 as users do (VF1 = virtfn0), from the
 * kernel's virtfn link. -EINVAL for index 0, -ENOENT when that VF does not exist now. */
int x4_sriov_vf_addr(const struct x4_pciaddr *pf, unsigned index, struct x4_pciaddr *out,
		     struct x4_err *e);

/* Where VF index (from 1) will appear, computed without the VF existing: routing ID
 * PF + sriov_offset + (index-1) * sriov_stride when those attributes exist, else function
 * pf.func + index in the PF's slot. -ERANGE beyond sriov_totalvfs or the address space. */
int x4_sriov_vf_addr_expected(const struct x4_pciaddr *pf, unsigned index,
			      struct x4_pciaddr *out, struct x4_err *e);

/* The index (from 1) of existing VF vf of pf, via the VF's physfn link and the PF's virtfn
 * links. -EINVAL when vf is not a VF of pf, -ENODEV when vf does not exist. */
int x4_sriov_vf_index(const struct x4_pciaddr *pf, const struct x4_pciaddr *vf, unsigned *index,
		      struct x4_err *e);

/* 1 when addr is (or would be, once created) a VF of pf, else 0: the physfn link when addr
 * exists, else x4_sriov_vf_addr_expected() for 1..sriov_totalvfs. pf itself is never a VF. */
int x4_sriov_is_vf_of(const struct x4_pciaddr *pf, const struct x4_pciaddr *addr);

/* Make n VFs (1..totalvfs) as the kernel allows: n already there is a no-op; other VFs present
 * is -EBUSY (remove them first); n > totalvfs is -ERANGE. After the write, checks that
 * sriov_numvfs reads n and every virtfn link points at a device (-EIO otherwise).
 * Does not touch autoprobe: call x4_sriov_set_autoprobe(pf, 0) first to keep host drivers off. */
int x4_sriov_create(const struct x4_pciaddr *pf, unsigned n, struct x4_err *e);

/* 1 when a VF of pf is bound to a VFIO driver (vfio-pci or a *vfio* variant), with its address
 * in busy and driver name in drv (either may be NULL); 0 when none; negative errno when the
 * VFs could not be read. Writing 0 to sriov_numvfs while a VFIO user holds a VF blocks in
 * the kernel (and with it libvirtd), so "busy" means: do not remove. */
int x4_sriov_any_vf_busy(const struct x4_pciaddr *pf, struct x4_pciaddr *busy, char *drv,
			 size_t n, struct x4_err *e);

/* Remove all VFs of pf (write 0). Checks x4_sriov_any_vf_busy() itself and refuses with -EBUSY
 * instead of writing while a VF is on a VFIO driver, or when the VFs cannot be read.
 * No VFs is a no-op. */
int x4_sriov_remove(const struct x4_pciaddr *pf, struct x4_err *e);

#endif
