/* SPDX-License-Identifier: MIT */
/* log: owns the one-line log output to stderr and/or syslog, "ident: message". Callers: the
 * programs (x4_log_open) and lib modules that report without failing. */
#ifndef X4_LOG_H
#define X4_LOG_H

#include <syslog.h> /* LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG for callers */

#include "err.h"

#define X4_LOG_STDERR 0x1 /* "ident: message\n" on fd 2 */
#define X4_LOG_SYSLOG 0x2 /* openlog(ident, LOG_PID, LOG_DAEMON) + syslog() */
#define X4_LOG_DEBUG 0x4  /* also LOG_DEBUG lines (so does X4_DEBUG=1 in the environment) */
#define X4_LOG_QUIET 0x8  /* stderr only for warnings and errors (a hook: libvirt shows stderr) */

/* Set the ident (copied) and the sinks; before any call the default is "x4-sriov", stderr. */
void x4_log_open(const char *ident, int flags);

/* Log one event at syslog priority prio; newlines in the text become spaces. errno is kept. */
void x4_log(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Log e->msg at LOG_ERR (strerror(e->code) when the message is empty; nothing for NULL or
 * a cleared e). */
void x4_log_err(const struct x4_err *e);

#endif
