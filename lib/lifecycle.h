/* SPDX-License-Identifier: MIT */
/* lifecycle: owns what x4-sriov does for one VM at each libvirt event (prepare, adopt,
 * release), under the state lock. Callers: x4-hook-core only (root). */
#ifndef X4_LIFECYCLE_H
#define X4_LIFECYCLE_H

#include "config.h"
#include "domxml.h"
#include "err.h"
#include "event.h"
#include "pciaddr.h"

#define X4_MAX_VM_VFS 8

/* Why a VM is ours: its VF hostdevs of the managed PF, and/or a [vm NAME] section. */
struct x4_vm {
	const char *name;
	const struct x4_domain *dom;   /* may be NULL (x4ctl by name) */
	int has_section;
	int pf_known;
	struct x4_pciaddr pf;
	int passes_pf;                 /* a hostdev is the PF itself: prepare refuses the VM */
	unsigned n_vfs;
	struct {
		struct x4_pciaddr addr;
		int managed;
	} vfs[X4_MAX_VM_VFS];
};

/* Decide whether the domain is ours. Touches sysfs only for hostdevs that may be VFs of the
 * PF (same PCI slot as the configured or default PF), so other VMs cost no sysfs access.
 * A hostdev that is the PF itself makes the VM ours too (passes_pf), so prepare can refuse it.
 * Returns 1 ours, 0 not ours, negative errno on failure (e filled). */
int x4_lifecycle_classify(const struct x4_config *c, const struct x4_domain *d, struct x4_vm *vm,
			  struct x4_err *e);

/* prepare begin: check everything first (PF, VF, ROM, Looking Glass), then create the VFs,
 * claim, bind managed='no' VFs to vfio-pci, check IOMMU groups, write the plan. On failure
 * undoes what this call did. Takes the state lock itself. */
int x4_lifecycle_prepare(const struct x4_config *c, struct x4_vm *vm, struct x4_err *e);

/* started / reconnect: re-adopt the VM's claims and plan when they are missing. */
int x4_lifecycle_adopt(const struct x4_config *c, struct x4_vm *vm, struct x4_err *e);

/* stopped (final = 0): give back VFs we bound; release (final = 1): also drop the claims and
 * plan, and with vf_teardown = remove remove the VFs when none is claimed or on vfio-pci.
 * Works from the state alone, so it copes with a missing config or a prepare that never ran. */
int x4_lifecycle_release(const struct x4_config *c, const char *vm_name, int final,
			 struct x4_err *e);

#endif
