/* SPDX-License-Identifier: MIT */
/* log: format once, write one line to stderr with a single write(), and to syslog. */
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char log_ident[64] = "x4-sriov";
static int log_flags = X4_LOG_STDERR;

void x4_log_open(const char *ident, int flags)
{
	snprintf(log_ident, sizeof(log_ident), "%s", ident && *ident ? ident : "x4-sriov");
	log_flags = flags;
	if (log_flags & X4_LOG_SYSLOG)
		openlog(log_ident, LOG_PID, LOG_DAEMON);
	else
		closelog();
}

/* Debug lines: asked for by the program, or by X4_DEBUG=1 (read on each call, so a test or a
 * hook environment can turn it on without reopening). */
static int log_debug_on(void)
{
	const char *dbg = getenv("X4_DEBUG");

	return (log_flags & X4_LOG_DEBUG) || (dbg && strcmp(dbg, "1") == 0);
}

void x4_log(int prio, const char *fmt, ...)
{
	char line[1024];
	int saved = errno;
	va_list ap;

	if (LOG_PRI(prio) == LOG_DEBUG && !log_debug_on())
		return;
	va_start(ap, fmt);
	/* NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized): va_start above; analyzer false positive */
	if (vsnprintf(line, sizeof(line), fmt, ap) < 0)
		line[0] = '\0';
	va_end(ap);
	/* One event, one line: readers of the journal and of stderr split on newlines. */
	for (char *p = line; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	if (log_flags & X4_LOG_SYSLOG)
		syslog(prio, "%s", line);
	if ((log_flags & X4_LOG_STDERR) &&
	    !((log_flags & X4_LOG_QUIET) && LOG_PRI(prio) > LOG_WARNING && LOG_PRI(prio) != LOG_DEBUG)) {
		char out[sizeof(line) + sizeof(log_ident) + 4];
		int n = snprintf(out, sizeof(out), "%s: %s\n", log_ident, line);

		/* A single write() so lines from concurrent processes do not interleave. */
		if (n > 0 && write(STDERR_FILENO, out, (size_t)n) < 0)
			(void)0; /* nowhere left to report it */
	}
	errno = saved;
}

void x4_log_err(const struct x4_err *e)
{
	if (!e)
		return;
	if (e->msg[0])
		x4_log(LOG_ERR, "%s", e->msg);
	else if (e->code)
		x4_log(LOG_ERR, "%s", strerror(e->code));
}
