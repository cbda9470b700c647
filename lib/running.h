/* SPDX-License-Identifier: MIT */
/* running: owns whether a libvirt VM's QEMU is alive and which one holds a VFIO group, from
 * /run/libvirt/qemu/NAME.pid and /proc. Callers: lib/reclaim only. */
#ifndef X4_RUNNING_H
#define X4_RUNNING_H

#include <stddef.h>

#define X4_LIBVIRT_QEMU_RUN "/run/libvirt/qemu"

/* 1 when libvirt's pid file of vm names a live QEMU (comm qemu* or kvm*, or a process holding
 * a /dev/vfio file), or when that cannot be told (unreadable pid file, a name libvirt cannot
 * have); 0 when the VM is not running: no pid file, the pid is gone, or it is another program
 * (the pid was reused). Errs towards "running": callers only reclaim on 0. */
int x4_running_vm(const char *vm);

/* 1 with the VM's name in vm (n bytes) when a running VM's QEMU holds /dev/vfio/GROUP open;
 * 0 when none does. */
int x4_running_group_holder(unsigned group, char *vm, size_t n);

#endif
