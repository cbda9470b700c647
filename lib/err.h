/* SPDX-License-Identifier: MIT */
/* err: owns struct x4_err, the one human line a failure carries from lib/ to the program that
 * prints it. Callers: everyone; lib/ fills it, only programs print it (through log). */
#ifndef X4_ERR_H
#define X4_ERR_H

#include <stddef.h>

/* A failure: a negative errno plus one line "what failed: where: what to do". */
struct x4_err {
	int code;      /* positive errno of the failure, 0 when none */
	char msg[512]; /* one line, no trailing newline, no "x4-sriov:" prefix */
};

/* Record a failure in e (may be NULL) and return -code, so callers write
 * `return x4_fail(e, EINVAL, "...");`. */
int x4_fail(struct x4_err *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define X4_QUOTE_MAX 48                    /* bytes of untrusted text shown in a message */
#define X4_QUOTE_BUF (4 * X4_QUOTE_MAX + 8) /* room x4_quote() needs */

/* Quote untrusted text for a one-line message: '...' around it, control, non-ASCII, quote and
 * backslash bytes as \xNN, "..." after it when cut at X4_QUOTE_MAX bytes. Returns out
 * ("(null)" for NULL text). out has X4_QUOTE_BUF bytes. */
const char *x4_quote(const char *text, char out[X4_QUOTE_BUF]);

/* Clear e (may be NULL). */
void x4_err_clear(struct x4_err *e);

#endif
