/* SPDX-License-Identifier: MIT */
/* testpoint: die by SIGKILL at a named step, so tests can check recovery from each one. */
#include "testpoint.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

void x4_testpoint(const char *name)
{
	const char *want = getenv("X4_TESTPOINT");

	if (want && !strcmp(want, name))
		raise(SIGKILL);
}
