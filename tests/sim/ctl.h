/* SPDX-License-Identifier: MIT */
/* x4sim ctl: the test-only control files under /sys/x4sim (faults, VFs held open, the write log). */
#ifndef X4SIM_CTL_H
#define X4SIM_CTL_H

#include <stdbool.h>
#include <stddef.h>

#include "sim.h"

#define SIM_LOG_BLOCKED 1 /* sim_log result: the write is waiting */

/* Wait on g_sim.cond (releasing the lock) while pred(arg) holds; -EIO if the daemon stops first. */
int sim_wait_while(bool (*pred)(int), int arg);

/* "+NAME" / "-NAME" on /sys/x4sim/fault and "+ADDR" / "-ADDR" on /sys/x4sim/inuse. */
int sim_ctl_fault(const char *tok);
int sim_ctl_inuse(const char *tok);

/* Contents of fault, inuse or log as a malloc'ed buffer. */
int sim_ctl_show(enum sim_attr attr, char **out, size_t *len);

/* Append "PATH VALUE -> ok|ENAME|blocked" for a write to the FUSE path. */
void sim_log(const char *path, const char *buf, size_t len, int result);

#endif
