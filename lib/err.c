/* SPDX-License-Identifier: MIT */
/* err: formatting of the one-line failure record. */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int x4_fail(struct x4_err *e, int code, const char *fmt, ...)
{
	if (code < 0)
		code = -code;
	if (e) {
		va_list ap;

		va_start(ap, fmt);
		/* NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized): va_start above; analyzer false positive */
		vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
		va_end(ap);
		/* Keep it one line even when a caller passed device text with newlines. */
		for (char *p = e->msg; *p; p++)
			if (*p == '\n' || *p == '\r')
				*p = ' ';
		e->code = code;
	}
	return -code;
}

void x4_err_clear(struct x4_err *e)
{
	if (e) {
		e->code = 0;
		e->msg[0] = '\0';
	}
}
