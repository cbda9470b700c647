/* SPDX-License-Identifier: MIT */
/* domxml_read: bounded read of the domain XML from stdin, apart from the parser so the hook's
 * fast path (hooks/x4-hook.c) does not load libxml2. */
#include "domxml.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int x4_domxml_read_fd(int fd, size_t cap, char **buf, size_t *len, struct x4_err *e)
{
	size_t size = 0, alloc = cap < 65536 ? cap + 2 : 65536;
	char *b = malloc(alloc);

	*buf = NULL;
	*len = 0;
	if (!b)
		return x4_fail(e, ENOMEM, "out of memory reading the domain XML");
	/* Read at most cap+1 bytes: one more than allowed is enough to know it is too big. */
	while (size <= cap) {
		ssize_t r;

		if (size + 1 >= alloc) {
			size_t next = alloc * 2 > cap + 2 ? cap + 2 : alloc * 2;
			char *nb = realloc(b, next);

			if (!nb) {
				free(b);
				return x4_fail(e, ENOMEM, "out of memory reading the domain XML");
			}
			b = nb;
			alloc = next;
		}
		r = read(fd, b + size, alloc - 1 - size);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int err = errno;

			free(b);
			return x4_fail(e, err, "cannot read the domain XML: %s", strerror(err));
		}
		if (r == 0)
			break;
		size += (size_t)r;
	}
	if (size > cap) {
		free(b);
		return x4_fail(e, EFBIG, "domain XML is larger than %zu bytes: refusing it", cap);
	}
	if (size == 0) {
		free(b);
		return x4_fail(e, ENODATA, "no domain XML on input (empty): libvirt passes it on stdin");
	}
	b[size] = '\0';
	*buf = b;
	*len = size;
	return 0;
}
