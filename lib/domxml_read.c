/* SPDX-License-Identifier: MIT */
/* domxml_read: bounded read of the domain XML from stdin and the quick "no hostdev" look, apart
 * from the parser so the hook's fast path (hooks/x4-hook.c) does not load libxml2. */
#include "domxml.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fileio.h"

int x4_domxml_read_fd(int fd, size_t cap, char **buf, size_t *len, struct x4_err *e)
{
	/* The buffer grows with what comes (from 64 KiB): a huge XML costs cap, not its size. */
	int rc = x4_fd_read(fd, cap, 0, 0, buf, len);

	if (rc == -ENOMEM)
		return x4_fail(e, ENOMEM, "out of memory reading the domain XML");
	if (rc == -EFBIG)
		return x4_fail(e, EFBIG, "domain XML is larger than %zu bytes: refusing it", cap);
	if (rc < 0)
		return x4_fail(e, -rc, "cannot read the domain XML: %s", strerror(-rc));
	if (*len == 0) {
		free(*buf);
		*buf = NULL;
		return x4_fail(e, ENODATA, "no domain XML on input (empty): libvirt passes it on stdin");
	}
	return 0;
}

/* Does an XML declaration at p (if any) leave the document in UTF-8? */
static int domxml_utf8_declared(const char *p, const char *end)
{
	const char *close, *enc;
	char q;

	if ((size_t)(end - p) < 5 || memcmp(p, "<?xml", 5) != 0)
		return 1; /* no declaration: UTF-8 */
	close = memmem(p, (size_t)(end - p), "?>", 2);
	if (!close)
		return 0;
	enc = memmem(p, (size_t)(close - p), "encoding", 8);
	if (!enc)
		return 1;
	for (enc += 8; enc < close && (*enc == ' ' || *enc == '=' || *enc == '\t'); enc++)
		;
	if (enc >= close || (*enc != '\'' && *enc != '"'))
		return 0;
	q = *enc++;
	return close - enc > 5 && !strncasecmp(enc, "UTF-8", 5) && enc[5] == q;
}

int x4_domxml_may_have_hostdev(const char *xml, size_t len)
{
	const char *p = xml, *end = xml + len;

	/* Judged from its bytes only when it is what libvirt writes: UTF-8 (so "hostdev" is those
	 * 7 bytes; UTF-16/32 have NULs, EBCDIC does not start with an ASCII '<'). */
	if (memchr(xml, '\0', len))
		return 1;
	if (len >= 3 && !memcmp(p, "\xef\xbb\xbf", 3))
		p += 3;
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	if (p >= end || *p != '<' || !domxml_utf8_declared(p, end))
		return 1;
	/* Any PCI hostdev (<hostdev>, <interface type='hostdev'>) names "hostdev", unless a
	 * character reference spells it (&#104;ostdev) or a DOCTYPE hides markup in entities:
	 * those go to the core (which refuses a DOCTYPE). */
	return memmem(p, (size_t)(end - p), "hostdev", 7) || memmem(p, (size_t)(end - p), "&#", 2) ||
	       memmem(p, (size_t)(end - p), "<!DOCTYPE", 9);
}
