/* SPDX-License-Identifier: MIT */
/* pciaddr: strict parse/format of "DDDD:BB:SS.F" and of libvirt's address attributes. */
#include "pciaddr.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#define PCIADDR_EXPECT "expected DDDD:BB:SS.F (e.g. 0000:00:02.1)"

static int pciaddr_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Exactly `digits` hex digits at *p, advancing it; -1 when any is missing. */
static long pciaddr_hexfield(const char **p, int digits)
{
	long v = 0;

	for (int i = 0; i < digits; i++) {
		int d = pciaddr_hexval((*p)[0]);

		if (d < 0)
			return -1;
		v = v * 16 + d;
		(*p)++;
	}
	return v;
}

int x4_pciaddr_parse(const char *text, struct x4_pciaddr *out, struct x4_err *e)
{
	char q[X4_QUOTE_BUF];
	const char *p = text;
	long dom = 0, bus, slot, fn;

	if (!text || !*text)
		return x4_fail(e, EINVAL, "bad PCI address %s: empty; " PCIADDR_EXPECT,
			       text ? "''" : "(null)");
	/* Long form when the 5th byte is ':' ("DDDD:"), short "BB:SS.F" otherwise. */
	if (strlen(text) > 4 && text[4] == ':') {
		dom = pciaddr_hexfield(&p, 4);
		if (dom < 0 || *p++ != ':')
			goto bad;
	}
	bus = pciaddr_hexfield(&p, 2);
	if (bus < 0 || *p++ != ':')
		goto bad;
	slot = pciaddr_hexfield(&p, 2);
	if (slot < 0 || *p++ != '.')
		goto bad;
	fn = pciaddr_hexfield(&p, 1);
	if (fn < 0 || *p != '\0')
		goto bad;
	if (slot > 0x1f)
		return x4_fail(e, EINVAL, "bad PCI address %s: slot 0x%02lx out of range (max 0x1f); "
			       PCIADDR_EXPECT, x4_quote(text, q), slot);
	if (fn > 7)
		return x4_fail(e, EINVAL, "bad PCI address %s: function %lx out of range (max 7); "
			       PCIADDR_EXPECT, x4_quote(text, q), fn);
	out->domain = (uint16_t)dom;
	out->bus = (uint8_t)bus;
	out->slot = (uint8_t)slot;
	out->func = (uint8_t)fn;
	return 0;
bad:
	return x4_fail(e, EINVAL, "bad PCI address %s: " PCIADDR_EXPECT,
		       x4_quote(text, q));
}

/* One libvirt attribute: "0x" + hex digits or plain decimal, no sign, no spaces, no junk.
 * A decimal with a leading zero is refused: libvirt would read "010" as octal 8. */
static int pciaddr_attr(const char *name, const char *text, unsigned long max,
			unsigned long *out, struct x4_err *e)
{
	char q[X4_QUOTE_BUF];
	unsigned long v = 0;
	const char *p = text;
	int base = 10, n = 0;

	if (!text)
		return x4_fail(e, EINVAL, "PCI address attribute %s missing; expected %s='0x..'",
			       name, name);
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	} else if (p[0] == '0' && p[1] != '\0') {
		return x4_fail(e, EINVAL, "bad PCI address attribute %s=%s: leading zero is "
			       "ambiguous (octal in libvirt); expected hex '0x..' or decimal",
			       name, x4_quote(text, q));
	}
	for (; *p; p++, n++) {
		int d = pciaddr_hexval(*p);

		if (d < 0 || d >= base)
			break;
		v = v * (unsigned long)base + (unsigned long)d;
		if (v > max)
			return x4_fail(e, EINVAL, "bad PCI address attribute %s=%s: out of range "
				       "(max 0x%lx)", name, x4_quote(text, q), max);
	}
	if (n == 0 || *p)
		return x4_fail(e, EINVAL, "bad PCI address attribute %s=%s: expected hex '0x..' "
			       "or decimal", name, x4_quote(text, q));
	*out = v;
	return 0;
}

int x4_pciaddr_from_attrs(const char *domain, const char *bus, const char *slot,
			  const char *function, struct x4_pciaddr *out, struct x4_err *e)
{
	unsigned long d = 0, b = 0, s = 0, f = 0;
	int rc;

	if ((domain && (rc = pciaddr_attr("domain", domain, 0xffff, &d, e)) < 0) ||
	    (rc = pciaddr_attr("bus", bus, 0xff, &b, e)) < 0 ||
	    (rc = pciaddr_attr("slot", slot, 0x1f, &s, e)) < 0 ||
	    (rc = pciaddr_attr("function", function, 7, &f, e)) < 0)
		return rc;
	out->domain = (uint16_t)d;
	out->bus = (uint8_t)b;
	out->slot = (uint8_t)s;
	out->func = (uint8_t)f;
	return 0;
}

char *x4_pciaddr_format(const struct x4_pciaddr *a, char out[X4_PCIADDR_STRLEN])
{
	/* Mask so a hand-filled struct can never overflow the fixed widths. */
	snprintf(out, X4_PCIADDR_STRLEN, "%04x:%02x:%02x.%x", (unsigned)a->domain, (unsigned)a->bus,
		 (unsigned)(a->slot & 0x1f), (unsigned)(a->func & 7));
	return out;
}

int x4_pciaddr_equal(const struct x4_pciaddr *a, const struct x4_pciaddr *b)
{
	return a->domain == b->domain && a->bus == b->bus && a->slot == b->slot &&
	       a->func == b->func;
}

/* One sysfs name (a formatted address, a driver or attribute name): [A-Za-z0-9_.:-] only, not
 * "." or "..", so never a '/' or anything a path could read differently. */
static int pciaddr_sysfs_name_ok(const char *s)
{
	if (!s[0] || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == '-' || *s == '.' || *s == ':'))
			return 0;
	return 1;
}

/* dir "/" name ["/" attr] into out, all checked; out is "" on any error. */
static int pciaddr_sysfs_path(const char *dir, const char *name, const char *attr, char *out,
			      size_t n, struct x4_err *e)
{
	int len;

	if (n)
		out[0] = '\0';
	if (!pciaddr_sysfs_name_ok(name))
		return x4_fail(e, EINVAL, "'%.64s' is not a sysfs name (under %s)", name, dir);
	if (attr && attr[0] && !pciaddr_sysfs_name_ok(attr))
		return x4_fail(e, EINVAL, "'%.64s' is not a sysfs attribute name (of %s)", attr,
			       name);
	if (attr && attr[0])
		len = snprintf(out, n, "%s/%s/%s", dir, name, attr);
	else
		len = snprintf(out, n, "%s/%s", dir, name);
	if (len < 0 || (size_t)len >= n) {
		if (n)
			out[0] = '\0';
		return x4_fail(e, ENAMETOOLONG, "%s/%s/%.64s: path longer than %zu bytes", dir,
			       name, attr ? attr : "", n ? n - 1 : 0);
	}
	return 0;
}

int x4_pci_attr_path(const struct x4_pciaddr *dev, const char *attr, char *out, size_t n,
		     struct x4_err *e)
{
	char a[X4_PCIADDR_STRLEN];

	return pciaddr_sysfs_path(X4_PCI_DEVICES_DIR, x4_pciaddr_format(dev, a), attr, out, n, e);
}

int x4_pci_driver_path(const char *driver, const char *attr, char *out, size_t n,
		       struct x4_err *e)
{
	return pciaddr_sysfs_path(X4_PCI_DRIVERS_DIR, driver ? driver : "", attr, out, n, e);
}
