/* SPDX-License-Identifier: MIT */
/* qemuconf: a small scanner for libvirt's qemu.conf syntax to find and extend cgroup_device_acl. */
#include "qemuconf.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define QC_KEY "cgroup_device_acl"

/* libvirt 9.0's built-in list (qemu.conf's commented example): kept when we add ours. */
static const char *const qc_defaults[] = {
    "/dev/null", "/dev/full", "/dev/zero", "/dev/random", "/dev/urandom", "/dev/ptmx", "/dev/kvm",
};

struct qc_scan {
	const char *t;
	size_t len, i;
};

static unsigned qc_line_at(const char *t, size_t off)
{
	unsigned line = 1;
	size_t i;

	for (i = 0; i < off; i++)
		line += t[i] == '\n';
	return line;
}

/* Skip blanks, newlines and comments. */
static void qc_skip(struct qc_scan *s)
{
	while (s->i < s->len) {
		char c = s->t[s->i];

		if (c == '#') {
			while (s->i < s->len && s->t[s->i] != '\n')
				s->i++;
		} else if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
			s->i++;
		} else {
			break;
		}
	}
}

/* A quoted string at s->i; sets [*b, *end) to its content. */
static int qc_string(struct qc_scan *s, size_t *b, size_t *end, struct x4_err *e)
{
	char q = s->t[s->i];
	size_t start = s->i;

	s->i++;
	*b = s->i;
	while (s->i < s->len && s->t[s->i] != q && s->t[s->i] != '\n')
		s->i++;
	if (s->i >= s->len || s->t[s->i] != q)
		return x4_fail(e, EINVAL, "qemu.conf line %u: unterminated string: fix the file",
			       qc_line_at(s->t, start));
	*end = s->i;
	s->i++;
	return 0;
}

/* Skip one value (string, number, identifier or list) of another setting. */
static int qc_skip_value(struct qc_scan *s, struct x4_err *e)
{
	size_t b, end;
	int depth = 0;

	do {
		qc_skip(s);
		if (s->i >= s->len)
			return depth ? x4_fail(e, EINVAL,
					       "qemu.conf: unterminated list at the end "
					       "of the file: fix the file")
				     : 0;
		if (s->t[s->i] == '"' || s->t[s->i] == '\'') {
			if (qc_string(s, &b, &end, e) < 0)
				return -EINVAL;
		} else if (s->t[s->i] == '[') {
			depth++;
			s->i++;
		} else if (s->t[s->i] == ']') {
			depth--;
			s->i++;
		} else if (s->t[s->i] == ',') {
			s->i++;
		} else {
			while (s->i < s->len && !strchr(" \t\r\n#,[]\"'", s->t[s->i]))
				s->i++;
		}
	} while (depth > 0);
	return 0;
}

static int qc_list(struct qc_scan *s, struct x4_qemuconf_acl *acl, struct x4_err *e)
{
	size_t b, end;
	unsigned l = qc_line_at(s->t, s->i);

	qc_skip(s);
	if (s->i >= s->len || s->t[s->i] != '[')
		return x4_fail(e, EINVAL,
			       "qemu.conf line %u: cgroup_device_acl is not a list: "
			       "write it as [ \"/dev/...\", ... ]",
			       l);
	s->i++;
	acl->last_end = s->i;
	for (;;) {
		qc_skip(s);
		if (s->i >= s->len)
			return x4_fail(e, EINVAL,
				       "qemu.conf line %u: cgroup_device_acl list is "
				       "not closed with ']': fix the file",
				       l);
		if (s->t[s->i] == ']') {
			acl->close = s->i++;
			return 0;
		}
		if (s->t[s->i] == ',') {
			s->i++;
			continue;
		}
		if (s->t[s->i] != '"' && s->t[s->i] != '\'')
			return x4_fail(e, EINVAL,
				       "qemu.conf line %u: cgroup_device_acl holds "
				       "something other than strings: fix the file",
				       qc_line_at(s->t, s->i));
		if (qc_string(s, &b, &end, e) < 0)
			return -EINVAL;
		acl->last_end = s->i;
		if (acl->n >= X4_QEMUCONF_MAX_ACL || end - b >= sizeof(acl->entries[0]))
			return x4_fail(e, E2BIG,
				       "qemu.conf line %u: cgroup_device_acl is too long "
				       "for x4ctl (%d entries of 127 bytes at most)",
				       qc_line_at(s->t, b), X4_QEMUCONF_MAX_ACL);
		memcpy(acl->entries[acl->n], s->t + b, end - b);
		acl->entries[acl->n][end - b] = '\0';
		acl->n++;
	}
}

int x4_qemuconf_acl_parse(const char *text, size_t len, struct x4_qemuconf_acl *acl,
			  struct x4_err *e)
{
	struct qc_scan s = {text, len, 0};

	memset(acl, 0, sizeof(*acl));
	if (len > X4_QEMUCONF_MAX_BYTES || memchr(text, '\0', len))
		return x4_fail(e, EINVAL, "qemu.conf is larger than 1 MiB or holds NUL bytes");
	for (;;) {
		size_t b;

		qc_skip(&s);
		if (s.i >= len)
			return 0;
		b = s.i;
		if (!isalpha((unsigned char)text[s.i]) && text[s.i] != '_')
			return x4_fail(e, EINVAL,
				       "qemu.conf line %u: expected a setting name: fix "
				       "the file",
				       qc_line_at(text, s.i));
		while (s.i < len && (isalnum((unsigned char)text[s.i]) || text[s.i] == '_'))
			s.i++;
		{
			int ours = s.i - b == strlen(QC_KEY) && !memcmp(text + b, QC_KEY, s.i - b);

			qc_skip(&s);
			if (s.i >= len || text[s.i] != '=')
				return x4_fail(e, EINVAL,
					       "qemu.conf line %u: expected '=' after the "
					       "setting name: fix the file",
					       qc_line_at(text, b));
			s.i++;
			if (!ours) {
				if (qc_skip_value(&s, e) < 0)
					return -EINVAL;
				continue;
			}
			if (acl->present)
				return x4_fail(e, EINVAL,
					       "qemu.conf line %u: cgroup_device_acl is set "
					       "twice: keep one",
					       qc_line_at(text, b));
			acl->present = 1;
			if (qc_list(&s, acl, e) < 0)
				return -EINVAL;
		}
	}
}

int x4_qemuconf_acl_has(const struct x4_qemuconf_acl *acl, const char *dev)
{
	unsigned i;

	for (i = 0; i < acl->n; i++)
		if (strcmp(acl->entries[i], dev) == 0)
			return 1;
	return 0;
}

static int qc_dev_ok(const char *dev)
{
	size_t i, n = strlen(dev);

	if (n < 2 || n > 100 || dev[0] != '/')
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)dev[i]) && !strchr("/_.-", dev[i]))
			return 0;
	return 1;
}

int x4_qemuconf_acl_add(const char *text, size_t len, const char *dev, char **out, size_t *out_len,
			struct x4_err *e)
{
	struct x4_qemuconf_acl acl;
	char ins[2048];
	size_t at, n, k;
	int rc;

	*out = NULL;
	*out_len = 0;
	if (!qc_dev_ok(dev))
		return x4_fail(e, EINVAL, "'%s' is not a device path for cgroup_device_acl", dev);
	rc = x4_qemuconf_acl_parse(text, len, &acl, e);
	if (rc < 0)
		return rc;
	if (x4_qemuconf_acl_has(&acl, dev))
		return 0;
	if (acl.present) {
		/* After the last entry; on its own line when the list spans lines. */
		int multi = memchr(text + acl.last_end, '\n', acl.close - acl.last_end) != NULL;

		at = acl.last_end;
		snprintf(ins, sizeof(ins), "%s%s\"%s\"", acl.n ? "," : "",
			 multi ? "\n    " : (acl.n ? " " : ""), dev);
	} else {
		size_t o;

		at = len;
		o = (size_t)snprintf(ins, sizeof(ins),
				     "%s\n# Added by x4ctl install (x4-sriov): "
				     "libvirt's default devices plus the Looking Glass device.\n"
				     "cgroup_device_acl = [\n",
				     len && text[len - 1] != '\n' ? "\n" : "");
		for (k = 0; k < sizeof(qc_defaults) / sizeof(qc_defaults[0]); k++)
			o += (size_t)snprintf(ins + o, sizeof(ins) - o, "    \"%s\",\n",
					      qc_defaults[k]);
		snprintf(ins + o, sizeof(ins) - o, "    \"%s\"\n]\n", dev);
	}
	n = strlen(ins);
	*out = malloc(len + n + 1);
	if (!*out)
		return x4_fail(e, ENOMEM, "out of memory editing qemu.conf");
	memcpy(*out, text, at);
	memcpy(*out + at, ins, n);
	memcpy(*out + at + n, text + at, len - at);
	(*out)[len + n] = '\0';
	*out_len = len + n;
	return 1;
}
