/* SPDX-License-Identifier: MIT */
/* name: reversible escaping of VM names into single path components. */
#include "name.h"

#include <errno.h>
#include <string.h>

static const char name_hex[] = "0123456789ABCDEF";

/* Bytes kept as they are; '.' only when not the first byte (no ".", "..", hidden files). */
static int name_keep(unsigned char c, size_t pos)
{
	if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
		return 1;
	if (c == '_' || c == '-')
		return 1;
	return c == '.' && pos > 0;
}

static int name_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1; /* lowercase is not what we write, so it is not accepted */
}

int x4_name_check(const char *name, struct x4_err *e)
{
	size_t len;

	if (!name || !*name)
		return x4_fail(e, EINVAL, "empty VM name: libvirt domains always have a name");
	len = strnlen(name, X4_NAME_MAX + 1);
	if (len > X4_NAME_MAX)
		return x4_fail(e, EINVAL, "VM name '%.32s...' is longer than %d bytes: rename the domain",
			       name, X4_NAME_MAX);
	return 0;
}

int x4_name_encode(const char *name, char *out, size_t n, struct x4_err *e)
{
	size_t o = 0;
	int rc = x4_name_check(name, e);

	if (rc < 0)
		return rc;
	for (size_t i = 0; name[i]; i++) {
		unsigned char c = (unsigned char)name[i];

		if (name_keep(c, i)) {
			if (o + 1 >= n)
				goto too_long;
			out[o++] = (char)c;
		} else {
			if (o + 3 >= n)
				goto too_long;
			out[o++] = '%';
			out[o++] = name_hex[c >> 4];
			out[o++] = name_hex[c & 0xf];
		}
	}
	out[o] = '\0';
	return 0;
too_long:
	if (n)
		out[0] = '\0';
	return x4_fail(e, ENAMETOOLONG, "encoded VM name of '%.32s' does not fit in %zu bytes", name, n);
}

int x4_name_decode(const char *enc, char *out, size_t n, struct x4_err *e)
{
	size_t o = 0;

	if (!enc || !*enc)
		return x4_fail(e, EINVAL, "empty encoded VM name");
	for (size_t i = 0; enc[i]; i++) {
		unsigned char c = (unsigned char)enc[i];
		int hi, lo;

		if (o + 1 >= n || o >= X4_NAME_MAX)
			return x4_fail(e, o >= X4_NAME_MAX ? EINVAL : ENAMETOOLONG,
				       "encoded VM name '%.48s' decodes to more than %zu bytes", enc,
				       o >= X4_NAME_MAX ? (size_t)X4_NAME_MAX : n - 1);
		if (c != '%') {
			if (!name_keep(c, o))
				goto bad;
			out[o++] = (char)c;
			continue;
		}
		hi = name_hexval(enc[i + 1]);
		lo = hi < 0 ? -1 : name_hexval(enc[i + 2]);
		if (hi < 0 || lo < 0)
			goto bad;
		c = (unsigned char)(hi << 4 | lo);
		/* Canonical form only: a byte that encoding keeps must not arrive escaped. */
		if (c == 0 || name_keep(c, o))
			goto bad;
		out[o++] = (char)c;
		i += 2;
	}
	out[o] = '\0';
	return 0;
bad:
	if (n)
		out[0] = '\0';
	return x4_fail(e, EINVAL, "'%.64s' is not an encoded VM name (only [A-Za-z0-9_.-] and %%XX)",
		       enc);
}
