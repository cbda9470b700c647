/* SPDX-License-Identifier: MIT */
/* kmsg: the current boot's kernel log, read bounded from /dev/kmsg or a log file under $X4_ROOT.
 * Owns the reading and the parsing of kernel log text; callers (x4ctl doctor) only search the
 * message lines it keeps. Never needs root itself: it says why a source could not be read. */
#ifndef X4_KMSG_H
#define X4_KMSG_H

#include <stddef.h>

#include "err.h"

#define X4_KMSG_DEV "/dev/kmsg"
#define X4_KMSG_KERNLOG "/var/log/kern.log"
#define X4_KMSG_DMESG "/var/log/dmesg"
#define X4_KMSG_KEEP (1u << 20)       /* bytes of message text kept: the newest ones */
#define X4_KMSG_FILE_TAIL (4u << 20)  /* bytes read from the end of a log file */
#define X4_KMSG_DEV_MAX (32u << 20)   /* bytes read from /dev/kmsg at most */
#define X4_KMSG_LINE_MAX 2048         /* longer input lines are dropped */

/* The input formats: a /dev/kmsg record ("6,1234,5678,-;msg" + " KEY=VAL" lines), a syslog
 * line ("... host kernel: [ 1.2] msg", as rsyslog writes kern.log) or a dmesg line
 * ("[    1.234] msg"). */
enum x4_kmsg_fmt { X4_KMSG_FMT_RECORD, X4_KMSG_FMT_SYSLOG, X4_KMSG_FMT_DMESG };

struct x4_kmsg {
	char *text;	   /* message lines, '\n'-terminated, no prefixes; NUL after the last */
	size_t len;	   /* bytes in text */
	size_t cap;	   /* allocated bytes */
	unsigned dropped;  /* lines dropped (too long, or pushed out by newer ones) */
	char source[64];   /* what was read ("/dev/kmsg"), "" when nothing could be */
	char note[512];	   /* sources that could not be read and why; "" when none */
};

/* Read the kernel log of the current boot: /dev/kmsg, else /var/log/kern.log (only the lines
 * after its last "Linux version" boot line), else /var/log/dmesg. Returns 0, or a negative
 * errno with e saying that no source could be read (k->note says why for each; a
 * permission error names the way out: root, or sysctl kernel.dmesg_restrict=0). k is always
 * initialised; free it with x4_kmsg_free(). */
int x4_kmsg_read(struct x4_kmsg *k, struct x4_err *e);

/* Append the message lines of raw input text in format fmt to k (for x4_kmsg_read and tests).
 * A boot line ("Linux version ...") in a syslog or dmesg text drops what came before it.
 * Incomplete last lines are ignored. Returns 0 or -ENOMEM. */
int x4_kmsg_feed(struct x4_kmsg *k, const char *raw, size_t len, enum x4_kmsg_fmt fmt);

/* The next message line after *pos (start with *pos = NULL) that contains needle (NULL: any);
 * returns its start and sets *n to its length without the newline, or NULL at the end. */
const char *x4_kmsg_next(const struct x4_kmsg *k, const char **pos, const char *needle, size_t *n);

/* Copy the newest line containing needle into out (cut to n-1 bytes); returns how many lines
 * contain it (0: out is ""). */
unsigned x4_kmsg_find(const struct x4_kmsg *k, const char *needle, char *out, size_t n);

void x4_kmsg_free(struct x4_kmsg *k);

#endif
