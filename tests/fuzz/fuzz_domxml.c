/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the domain XML reader, and the hook front's quick look against it (the front
 * must never say "no hostdev" where the parser finds one: that VM would start unprepared). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "domxml.h"
#include "name.h"

static void fuzz_require(int cond)
{
	if (!cond)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct x4_domain d;
	struct x4_err e;
	char *copy;
	int r;

	if (size > X4_DOMXML_MAX_SIZE)
		return 0; /* the hook never reads more */
	/* An exact-size heap copy, so ASan sees any read past the end. */
	copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	x4_err_clear(&e);
	r = x4_domxml_parse(copy, size, &d, &e);
	/* A failure is one non-empty line the hook can log as it is. */
	fuzz_require(r == 0 || (r < 0 && e.msg[0] && !strchr(e.msg, '\n')));
	if (r == 0) {
		fuzz_require(x4_name_check(d.name, NULL) == 0);
		fuzz_require(memchr(d.uuid, '\0', sizeof(d.uuid)) && memchr(d.type, '\0', sizeof(d.type)));
		fuzz_require(memchr(d.emulator, '\0', sizeof(d.emulator)) != NULL);
		fuzz_require(d.n_hostdevs <= X4_DOMXML_MAX_HOSTDEVS);
		fuzz_require(d.n_videos <= X4_DOMXML_MAX_VIDEOS);
		fuzz_require(d.n_shmems <= X4_DOMXML_MAX_SHMEMS);
		for (unsigned i = 0; i < d.n_hostdevs; i++)
			fuzz_require(memchr(d.hostdevs[i].rom_file, '\0', sizeof(d.hostdevs[i].rom_file)) &&
				     memchr(d.hostdevs[i].alias, '\0', sizeof(d.hostdevs[i].alias)));
		/* front vs core */
		if (d.n_hostdevs > 0)
			fuzz_require(x4_domxml_may_have_hostdev(copy, size) == 1);
	}
	free(copy);
	return 0;
}
