/* SPDX-License-Identifier: MIT */
/* dkmsconf: strict parse of dkms.conf's PACKAGE_NAME and PACKAGE_VERSION lines. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "dkmsconf.h"

static const char *const dkmsconf_keys[2] = {"PACKAGE_NAME", "PACKAGE_VERSION"};

static int dkmsconf_tokch(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       ch == '.' || ch == '_' || ch == '+' || ch == '~' || ch == '-';
}

static int dkmsconf_identch(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       ch == '_';
}

static int dkmsconf_token_n(const char *s, size_t n)
{
	size_t i;

	if (n < 1 || n > X4_DKMSCONF_TOKEN_MAX || !dkmsconf_identch(s[0]) || s[0] == '_')
		return 0;
	for (i = 0; i < n; i++)
		if (!dkmsconf_tokch(s[i]))
			return 0;
	return 1;
}

int x4_dkmsconf_token_ok(const char *s)
{
	return s && dkmsconf_token_n(s, strnlen(s, X4_DKMSCONF_TOKEN_MAX + 1));
}

/* Does line [p, end) assign key anywhere but as "KEY=" at its start (at)? Bash would take
 * "export KEY=", "x; KEY=", "KEY+=", "KEY[0]=", "${KEY=...}", "${KEY:=...}" too. */
static int dkmsconf_other_assign(const char *p, const char *end, const char *at, const char *key)
{
	size_t k = strlen(key);
	const char *s;

	for (s = p; s + k < end; s++) {
		const char *n = s + k;

		if (memcmp(s, key, k) != 0 || (s > p && dkmsconf_identch(s[-1])))
			continue;
		if (s == at && *n == '=')
			continue; /* the one form we read */
		if (*n == '=' || *n == '[' || (*n == '+' && n + 1 < end && n[1] == '=') ||
		    (*n == ':' && n + 1 < end && n[1] == '='))
			return 1;
	}
	return 0;
}

/* The value of "KEY=..." at v (line ends at end) into out; 0 or -EINVAL with e. */
static int dkmsconf_value(const char *v, const char *end, const char *key, const char *where,
			  unsigned line, char *out, struct x4_err *e)
{
	const char *s = v, *stop, *after, *vend;
	char q[X4_QUOTE_BUF], raw[X4_DKMSCONF_TOKEN_MAX + 8];
	int trailing;
	size_t n;

	if (v < end && (*v == '"' || *v == '\'')) {
		s = v + 1;
		stop = memchr(s, *v, (size_t)(end - s));
		if (!stop)
			return x4_fail(e, EINVAL,
				       "%s line %u: %s's quote is not closed on that line: write "
				       "%s=\"VERSION\"",
				       where, line, key, key);
		after = stop + 1;
	} else {
		for (stop = s; stop < end && dkmsconf_tokch(*stop);)
			stop++;
		after = stop;
	}
	vend = after;
	while (after < end && (*after == ' ' || *after == '\t'))
		after++;
	if (after < end && *after == '\r' && after + 1 == end)
		return x4_fail(e, EINVAL,
			       "%s line %u ends in CR (Windows line ends): dkms would read %s with "
			       "a CR in it: convert the file (dos2unix %s)",
			       where, line, key, where);
	/* Nothing but a comment may follow; bash starts one only after a blank ("1#x" is the
	 * value 1#x). */
	trailing = after < end && (*after != '#' || after == vend);
	n = (size_t)((trailing ? end : stop) - s); /* show what follows too */
	snprintf(raw, sizeof(raw), "%.*s", (int)(n < sizeof(raw) - 1 ? n : sizeof(raw) - 1), s);
	if (trailing || !dkmsconf_token_n(s, (size_t)(stop - s)))
		return x4_fail(e, EINVAL,
			       "%s line %u: %s=%s is not a plain value (1 to %d letters, digits "
			       "or . _ + ~ -, no $, spaces or /): x4ctl passes it to dkms and uses "
			       "it in paths",
			       where, line, key, x4_quote(raw, q), X4_DKMSCONF_TOKEN_MAX);
	memcpy(out, s, (size_t)(stop - s));
	out[stop - s] = '\0';
	return 0;
}

/* One line [p, eol), s at its first non-blank: every other assignment first, then ours. */
static int dkmsconf_line(struct x4_dkmsconf *c, unsigned seen[2], const char *s, const char *p,
			 const char *eol, const char *where, unsigned line, struct x4_err *e)
{
	const char *at[2];
	size_t i;

	for (i = 0; i < 2; i++) {
		const char *key = dkmsconf_keys[i];
		size_t k = strlen(key);

		at[i] = (size_t)(eol - s) > k && !memcmp(s, key, k) && s[k] == '=' ? s : NULL;
		if (dkmsconf_other_assign(p, eol, at[i], key))
			return x4_fail(e, EINVAL,
				       "%s line %u sets %s in a way x4ctl does not read: write it "
				       "on its own line as %s=\"...\"",
				       where, line, key, key);
	}
	for (i = 0; i < 2; i++) {
		const char *key = dkmsconf_keys[i];

		if (!at[i])
			continue;
		if (seen[i])
			return x4_fail(e, EINVAL, "%s sets %s twice (lines %u and %u): keep one",
				       where, key, seen[i], line);
		seen[i] = line;
		return dkmsconf_value(s + strlen(key) + 1, eol, key, where, line,
				      i ? c->version : c->name, e);
	}
	return 0;
}

int x4_dkmsconf_parse(const char *text, size_t len, const char *where, struct x4_dkmsconf *c,
		      struct x4_err *e)
{
	unsigned seen[2] = {0, 0}, line = 0;
	const char *p = text, *end = text + len;
	size_t i;

	memset(c, 0, sizeof(*c));
	if (len > X4_DKMSCONF_MAX)
		return x4_fail(e, EFBIG, "%s is larger than %d bytes: not a dkms.conf", where,
			       X4_DKMSCONF_MAX);
	if (len && memchr(text, '\0', len))
		return x4_fail(e, EINVAL, "%s has a NUL byte: not a dkms.conf (a text file)",
			       where);
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p)), *s = p;

		if (!eol)
			eol = end;
		line++;
		while (s < eol && (*s == ' ' || *s == '\t'))
			s++;
		if (s < eol && *s != '#') {
			int rc = dkmsconf_line(c, seen, s, p, eol, where, line, e);

			if (rc < 0)
				return rc;
		}
		if (eol == end)
			break;
		p = eol + 1;
	}
	for (i = 0; i < 2; i++)
		if (!seen[i])
			return x4_fail(e, EINVAL,
				       "%s has no %s= line: not a DKMS source tree (Looking Glass's "
				       "is its module/ directory)",
				       where, dkmsconf_keys[i]);
	return 0;
}
