/* SPDX-License-Identifier: MIT */
/* libFuzzer target: dkms.conf's PACKAGE_NAME/PACKAGE_VERSION lines (x4ctl lg build-module). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dkmsconf.h"

static void fuzz_require(int cond)
{
	if (!cond)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size ? size : 1);
	struct x4_dkmsconf c;
	struct x4_err e;
	int r;

	if (!copy)
		return 0;
	memcpy(copy, data, size); /* exact size, unterminated */
	r = x4_dkmsconf_parse(copy, size, "dkms.conf", &c, &e);
	/* What it accepts is safe as one argv word and one path component. */
	fuzz_require(r != 0 || (x4_dkmsconf_token_ok(c.name) && x4_dkmsconf_token_ok(c.version)));
	fuzz_require(r == 0 || (e.msg[0] && strlen(e.msg) < sizeof(e.msg)));
	free(copy);
	return 0;
}
