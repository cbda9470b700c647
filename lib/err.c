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

const char *x4_quote(const char *text, char out[X4_QUOTE_BUF])
{
	size_t o = 0, i;
	const size_t n = X4_QUOTE_BUF;

	if (!text)
		return "(null)";
	out[o++] = '\'';
	for (i = 0; i < X4_QUOTE_MAX && text[i] && o + 8 < n; i++) {
		unsigned char c = (unsigned char)text[i];

		if (c < 0x20 || c >= 0x7f || c == '\\' || c == '\'')
			o += (size_t)snprintf(out + o, n - o, "\\x%02x", c);
		else
			out[o++] = (char)c;
	}
	out[o++] = '\'';
	if (text[i] && o + 4 < n) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
	return out;
}
