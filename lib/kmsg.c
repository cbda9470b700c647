/* SPDX-License-Identifier: MIT */
/* kmsg: read the kernel log bounded, keep the message part of each line, search it. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kmsg.h"
#include "paths.h"

#define KMSG_CHUNK 8192 /* one /dev/kmsg record always fits (the kernel's limit is ~1 KiB) */

static int kmsg_grow(struct x4_kmsg *k, size_t need)
{
	size_t cap = k->cap ? k->cap : 4096;
	char *t;

	while (cap < need)
		cap *= 2;
	if (cap == k->cap)
		return 0;
	t = realloc(k->text, cap);
	if (!t)
		return -ENOMEM;
	k->text = t;
	k->cap = cap;
	return 0;
}

/* Drop the oldest lines until n more bytes fit in X4_KMSG_KEEP. */
static void kmsg_make_room(struct x4_kmsg *k, size_t n)
{
	size_t cut = 0;

	while (k->len - cut + n > X4_KMSG_KEEP && cut < k->len) {
		const char *nl = memchr(k->text + cut, '\n', k->len - cut);

		cut = nl ? (size_t)(nl - k->text) + 1 : k->len;
		k->dropped++;
	}
	if (cut) {
		memmove(k->text, k->text + cut, k->len - cut);
		k->len -= cut;
		k->text[k->len] = '\0';
	}
}

/* Append one message, control bytes shown as '?', and a newline. */
static int kmsg_append(struct x4_kmsg *k, const char *msg, size_t n)
{
	size_t i;

	if (n + 1 > X4_KMSG_KEEP) {
		k->dropped++;
		return 0;
	}
	kmsg_make_room(k, n + 1);
	if (kmsg_grow(k, k->len + n + 2) < 0)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)msg[i];

		k->text[k->len++] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
	}
	k->text[k->len++] = '\n';
	k->text[k->len] = '\0';
	return 0;
}

static void kmsg_reset(struct x4_kmsg *k)
{
	k->len = 0;
	if (k->text)
		k->text[0] = '\0';
}

/* "[    1.234567] msg" -> "msg"; other text unchanged. */
static const char *kmsg_skip_stamp(const char *p, const char *end)
{
	const char *q = p;

	if (q >= end || *q != '[')
		return p;
	for (q++; q < end && (*q == ' ' || *q == '.' || (*q >= '0' && *q <= '9')); q++)
		;
	if (q >= end || *q != ']')
		return p;
	q++;
	return q < end && *q == ' ' ? q + 1 : q;
}

/* The message of one input line, or NULL to skip the line. */
static const char *kmsg_message(const char *p, const char *end, enum x4_kmsg_fmt fmt)
{
	const char *q;

	switch (fmt) {
	case X4_KMSG_FMT_RECORD:
		if (p < end && *p == ' ')
			return NULL; /* a " KEY=VALUE" dictionary line of the record above */
		/* "PRI,SEQ,TS,FLAGS[,caller=T1];": a digit first, no blank before the ';' */
		if (p >= end || *p < '0' || *p > '9')
			return NULL;
		for (q = p; q < end && q - p < 96 && *q != ';'; q++)
			if (*q == ' ')
				return NULL;
		return q < end && *q == ';' ? q + 1 : NULL;
	case X4_KMSG_FMT_SYSLOG:
		q = memmem(p, (size_t)(end - p), " kernel: ", 9);
		return q ? kmsg_skip_stamp(q + 9, end) : NULL;
	case X4_KMSG_FMT_DMESG:
		q = kmsg_skip_stamp(p, end);
		return q != p ? q : NULL;
	}
	return NULL;
}

int x4_kmsg_feed(struct x4_kmsg *k, const char *raw, size_t len, enum x4_kmsg_fmt fmt)
{
	const char *p = raw, *end = raw + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *m;

		if (!nl)
			break; /* incomplete: the caller feeds it again with more */
		if ((size_t)(nl - p) > X4_KMSG_LINE_MAX) {
			k->dropped++;
		} else if ((m = kmsg_message(p, nl, fmt)) != NULL) {
			if (fmt != X4_KMSG_FMT_RECORD && nl - m >= 14 &&
			    memcmp(m, "Linux version ", 14) == 0)
				kmsg_reset(k); /* a new boot: the lines above are an older one's */
			if (kmsg_append(k, m, (size_t)(nl - m)) < 0)
				return -ENOMEM;
		}
		p = nl + 1;
	}
	return 0;
}

/* Read fd to its end (or max bytes), feeding whole lines. EAGAIN ends /dev/kmsg; EPIPE there
 * means records were overwritten while we read, and the next read goes on. */
static int kmsg_slurp(struct x4_kmsg *k, int fd, size_t max, enum x4_kmsg_fmt fmt)
{
	char *buf = malloc(2 * KMSG_CHUNK + 2);
	size_t have = 0, total = 0;
	int rc = 0;

	if (!buf)
		return -ENOMEM;
	while (total < max) {
		ssize_t r = read(fd, buf + have, KMSG_CHUNK);
		char *last;

		if (r < 0 && (errno == EINTR || errno == EPIPE))
			continue;
		if (r < 0 && errno == EAGAIN)
			break;
		if (r < 0) {
			rc = -errno;
			break;
		}
		if (r == 0)
			break;
		total += (size_t)r;
		have += (size_t)r;
		last = memrchr(buf, '\n', have);
		if (!last) {
			if (have >= KMSG_CHUNK)
				have = 0; /* a line longer than a chunk: drop it */
			continue;
		}
		if (x4_kmsg_feed(k, buf, (size_t)(last - buf) + 1, fmt) < 0) {
			rc = -ENOMEM;
			break;
		}
		have -= (size_t)(last - buf) + 1;
		memmove(buf, last + 1, have);
	}
	free(buf);
	return rc;
}

static void kmsg_note(struct x4_kmsg *k, const char *abs, int err)
{
	size_t o = strlen(k->note);
	const char *why;

	if (err == EACCES || err == EPERM)
		why = "permission denied: reading the kernel log needs root "
		      "(or sysctl kernel.dmesg_restrict=0)";
	else if (err == ENOENT)
		why = "absent";
	else
		why = strerror(err);
	if (o < sizeof(k->note) - 1)
		snprintf(k->note + o, sizeof(k->note) - o, "%s%s: %s", o ? "; " : "", abs, why);
}

/* One source: 0 when read, else a positive errno (noted). */
static int kmsg_try(struct x4_kmsg *k, const char *abs, enum x4_kmsg_fmt fmt)
{
	char path[4096];
	struct stat st;
	size_t max = X4_KMSG_DEV_MAX;
	int fd, rc;

	if (x4_host_path(abs, path, sizeof(path), NULL) < 0)
		return EINVAL;
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		rc = errno;
		kmsg_note(k, abs, rc);
		return rc;
	}
	if (fstat(fd, &st) < 0 || !(S_ISREG(st.st_mode) || S_ISCHR(st.st_mode))) {
		close(fd);
		kmsg_note(k, abs, EINVAL);
		return EINVAL;
	}
	if (S_ISREG(st.st_mode)) {
		max = X4_KMSG_FILE_TAIL;
		if (st.st_size > (off_t)max && lseek(fd, st.st_size - (off_t)max, SEEK_SET) < 0)
			max = 0;
	}
	rc = kmsg_slurp(k, fd, max, fmt);
	close(fd);
	if (rc < 0) {
		kmsg_note(k, abs, -rc);
		kmsg_reset(k);
		return -rc;
	}
	snprintf(k->source, sizeof(k->source), "%s", abs);
	return 0;
}

int x4_kmsg_read(struct x4_kmsg *k, struct x4_err *e)
{
	static const struct {
		const char *abs;
		enum x4_kmsg_fmt fmt;
	} src[] = {
		{X4_KMSG_DEV, X4_KMSG_FMT_RECORD},
		{X4_KMSG_KERNLOG, X4_KMSG_FMT_SYSLOG},
		{X4_KMSG_DMESG, X4_KMSG_FMT_DMESG},
	};
	size_t i;
	int first = 0;

	memset(k, 0, sizeof(*k));
	for (i = 0; i < sizeof(src) / sizeof(src[0]); i++) {
		int rc = kmsg_try(k, src[i].abs, src[i].fmt);

		if (rc == 0)
			return 0;
		if (!first || first == ENOENT)
			first = rc;
	}
	return x4_fail(e, first ? first : ENOENT, "cannot read the kernel log: %s", k->note);
}

const char *x4_kmsg_next(const struct x4_kmsg *k, const char **pos, const char *needle, size_t *n)
{
	const char *p = *pos ? *pos : k->text, *end = k->text ? k->text + k->len : NULL;

	while (p && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);

		*pos = nl ? nl + 1 : end;
		if (!needle || memmem(p, len, needle, strlen(needle))) {
			*n = len;
			return p;
		}
		p = *pos;
	}
	return NULL;
}

unsigned x4_kmsg_find(const struct x4_kmsg *k, const char *needle, char *out, size_t n)
{
	const char *pos = NULL, *line;
	unsigned count = 0;
	size_t len;

	if (n)
		out[0] = '\0';
	while ((line = x4_kmsg_next(k, &pos, needle, &len)) != NULL) {
		count++;
		if (n) {
			size_t c = len < n - 1 ? len : n - 1;

			memcpy(out, line, c);
			out[c] = '\0';
		}
	}
	return count;
}

void x4_kmsg_free(struct x4_kmsg *k)
{
	free(k->text);
	k->text = NULL;
	k->len = k->cap = 0;
}
