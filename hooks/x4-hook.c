/* SPDX-License-Identifier: MIT */
/* x4-hook: placeholder main until its issue lands. */
#include <stdio.h>
#include "err.h"

int main(void)
{
	struct x4_err e;

	x4_err_clear(&e);
	fprintf(stderr, "x4-hook: not implemented yet\n");
	return e.code;
}
