/* SPDX-License-Identifier: MIT */
/* dkmsconf: the two lines of a DKMS source tree's dkms.conf that x4ctl lg build-module needs
 * (PACKAGE_NAME, PACKAGE_VERSION), parsed strictly: the version goes into dkms's argv and its
 * paths. Parsing only, of text the caller read (bounded); no I/O. Caller: cli/lg_build.c. */
#ifndef X4_DKMSCONF_H
#define X4_DKMSCONF_H

#include <stddef.h>

#include "err.h"

#define X4_DKMSCONF_MAX (64 * 1024) /* a longer dkms.conf is refused */
#define X4_DKMSCONF_TOKEN_MAX 64    /* longest name, version or kernel release */

struct x4_dkmsconf {
	char name[X4_DKMSCONF_TOKEN_MAX + 1];	 /* PACKAGE_NAME */
	char version[X4_DKMSCONF_TOKEN_MAX + 1]; /* PACKAGE_VERSION */
};

/* 1 when s is 1..X4_DKMSCONF_TOKEN_MAX bytes of [A-Za-z0-9._+~-] starting with a letter or
 * digit (no '/', no "..", no leading '-': safe in a path and as one argv word), else 0. */
int x4_dkmsconf_token_ok(const char *s);

/* Parse dkms.conf text (len bytes, need not be NUL-terminated; where = its path for messages).
 * Each of PACKAGE_NAME and PACKAGE_VERSION must be set exactly once, on its own line, as
 * KEY=VALUE, KEY="VALUE" or KEY='VALUE' (blanks and a # comment may follow), VALUE a token
 * (x4_dkmsconf_token_ok); any other assignment to them (after other text, ${KEY=...}) is
 * refused, as are NUL bytes and CR line ends on those lines. Other lines are dkms's and are
 * not read. 0, or -EINVAL/-EFBIG with e naming the line. */
int x4_dkmsconf_parse(const char *text, size_t len, const char *where, struct x4_dkmsconf *c,
		      struct x4_err *e);

#endif
