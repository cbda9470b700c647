/* SPDX-License-Identifier: MIT */
/* x4sim fs: the FUSE operations table (libfuse3 high-level API). */
#ifndef X4SIM_FS_H
#define X4SIM_FS_H

#define FUSE_USE_VERSION 31
#include <fuse.h>

extern const struct fuse_operations sim_fs_ops;

/* Mount the sysfs at ROOT/sys, daemonize unless foreground, serve until stopped.
 * Returns the process exit status (the parent returns 0 once the mount is ready). */
int sim_daemon_run(const char *sysdir, const char *pidfile, int foreground);

/* Unmount ROOT/sys and wait for the daemon named in pidfile to exit. */
int sim_daemon_stop(const char *sysdir, const char *pidfile);

#endif
