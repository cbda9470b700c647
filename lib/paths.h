/* SPDX-License-Identifier: MIT */
/* paths: owns turning an absolute host path into a real one under $X4_ROOT (the one place).
 * Callers: every lib module and program that opens a host path. */
#ifndef X4_PATHS_H
#define X4_PATHS_H

#include <stddef.h>

#include "err.h"
#include "layout.h"

#define X4_DEFAULT_CONFIG X4_CONF_DIR "/x4-sriov.conf"
#define X4_RUN_DIR "/run/x4-sriov"       /* lock, claims, plans: gone at reboot */
#define X4_STATE_DIR "/var/lib/x4-sriov" /* kept: converted ROMs, x4ctl install's journal */
#define X4_SHM_DIR "/dev/shm"
#define X4_LG_SHM_NAME "looking-glass-" /* + a VM's encoded name: its shm file's name */
#define X4_LG_SHM_PREFIX X4_SHM_DIR "/" X4_LG_SHM_NAME

/* The host root: $X4_ROOT when set and non-empty, else "" (the real root). */
const char *x4_root(void);

/* Resolve absolute host path abs (e.g. "/sys/bus/pci") under x4_root() into out.
 * Rejects relative paths, "." and ".." components and overlong results.
 * Returns 0 or a negative errno (with e filled). */
int x4_host_path(const char *abs, char *out, size_t n, struct x4_err *e);

/* Like x4_host_path for printf-style built paths; every %s argument must already be
 * a checked token (a formatted PCI address, a number, an encoded name). */
int x4_host_pathf(char *out, size_t n, struct x4_err *e, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* The config file: $X4_CONFIG as is when set, else X4_DEFAULT_CONFIG under the root. */
int x4_config_path(char *out, size_t n, struct x4_err *e);

#endif
