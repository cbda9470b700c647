/* SPDX-License-Identifier: MIT */
/* qemuargv: owns QEMU's argv as libvirt passes it: probes, the VM name, its vfio-pci devices,
 * adding the ROM and Looking Glass. Callers: qemu-x4 only; no I/O. */
#ifndef X4_QEMUARGV_H
#define X4_QEMUARGV_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "pciaddr.h"

/* argc/argv are as main() gets them: argv[0] is the program, copied unchanged and never parsed.
 * Options are walked the way QEMU does: "-opt" or "--opt"; every option except QEMU's known
 * flags (-S, -nodefaults, -daemonize, ...) takes the next element as its value, so a value
 * that happens to read "-name" or "-device" is never taken for an option. */

/* 1 when argv has no -name option: a capability probe, -version, -help, "-device help"...
 * which the wrapper execs untouched. 0 otherwise. */
int x4_qemuargv_is_probe(int argc, char **argv);

/* The VM name from the last -name option: "guest=NAME,debug-threads=on" (QemuOpts syntax,
 * commas doubled: "guest=my,,vm" is "my,vm") or the old "-name NAME[,...]". Errors: no -name
 * (-ENOENT), no or empty guest name (-EINVAL), name of n bytes or more (-ENAMETOOLONG). */
int x4_qemuargv_vm_name(int argc, char **argv, char *out, size_t n, struct x4_err *e);

/* The PCI addresses of argv's vfio-pci (and vfio-pci-nohotplug) -device options, in argv
 * order: host in any QEMU spelling, else sysfsdev's last path component; devices without a
 * parsable address are skipped. Stores at most max and returns how many it stored, or a
 * negative errno (an unparsable JSON -device is -EINVAL). No I/O. */
int x4_qemuargv_find_vfio(int argc, char **argv, struct x4_pciaddr *out, size_t max,
			  struct x4_err *e);

/* What to add. */
struct x4_rewrite {
	const struct x4_pciaddr *vf; /* the VM's iGPU VF, NULL = none */
	const char *romfile;         /* romfile for the VF's vfio-pci device, NULL = none */
	const char *lg_mem_path;     /* Looking Glass backing file, NULL = no Looking Glass */
	uint64_t lg_size;            /* its size in bytes (> 0 when lg_mem_path is set) */
};

/* Bits of x4_qemuargv_rewrite()'s non-negative result: what it did. */
#define X4_REWRITE_ROM_ADDED 0x01     /* romfile added to the VF's vfio-pci device */
#define X4_REWRITE_ROM_KEPT 0x02      /* the VF's device already had a romfile: the user's wins */
#define X4_REWRITE_ROM_NO_DEVICE 0x04 /* no vfio-pci device with host = the VF in argv */
#define X4_REWRITE_LG_ADDED 0x08      /* memory-backend-file + ivshmem-plain added */
#define X4_REWRITE_LG_PRESENT 0x10    /* a memory-backend-file on lg_mem_path already exists */

/* Build a new argv (*out_argv, NULL-terminated, *out_argc elements) from argv plus:
 * - ROM: every vfio-pci device whose host (any QEMU spelling: "0000:00:02.1", "00:02.1",
 *   "0:2.1") or sysfsdev is rw->vf gets romfile = rw->romfile, unless it has a romfile
 *   already. JSON devices get ,"romfile":"PATH" inserted before the closing brace (the rest of
 *   the text stays byte-identical, so nothing libvirt wrote is re-interpreted); key=value
 *   devices get ",romfile=PATH" with commas in PATH doubled.
 * - Looking Glass: unless a memory-backend-file on lg_mem_path (or an ivshmem with that
 *   /dev/shm name) is already there, "-object" memory-backend-file (id x4-lgmem, share) and
 *   "-device" ivshmem-plain (id x4-lg) using it, with a counter appended to an id that argv
 *   already uses. Same syntax as libvirt's own -device (JSON when any -device is JSON), always
 *   with an explicit bus and addr: the first free slot (1..31) on a pcie-pci-bridge/pci-bridge,
 *   else an empty pcie-root-port at addr 0x0, else -ENOSPC ("no free PCI slot ...").
 *   The pair goes right after the last -device's value (at the end when there is none): next
 *   to the devices libvirt placed, independent of which trailing options (-sandbox, -msg, ...)
 *   a libvirt version emits; QEMU creates every -object before any -device, so order is free.
 * Everything else stays byte-identical and in order. Returns X4_REWRITE_* bits (>= 0) or a
 * negative errno (an unparsable JSON -device/-object is -EINVAL); on error *out_argv is NULL:
 * never a half-built argv. Free the result with x4_qemuargv_free(). No I/O. */
int x4_qemuargv_rewrite(int argc, char **argv, const struct x4_rewrite *rw, char ***out_argv,
			int *out_argc, struct x4_err *e);

/* Free what x4_qemuargv_rewrite() returned (one allocation holds the array and its strings). */
void x4_qemuargv_free(char **argv, int argc);

#endif
