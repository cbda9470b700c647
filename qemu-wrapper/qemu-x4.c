/* SPDX-License-Identifier: MIT */
/* qemu-x4: placeholder main until its issue lands. */
#include <stdio.h>
#include "err.h"

int main(void)
{
	struct x4_err e;

	x4_err_clear(&e);
	fprintf(stderr, "qemu-x4: not implemented yet\n");
	return e.code;
}
