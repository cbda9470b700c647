/* SPDX-License-Identifier: MIT */
/* libFuzzer target: modprobe.d options, shell KEY=VALUE lines and the kernel command line. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kconf.h"

static void fuzz_require(int cond)
{
	if (!cond)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char out[32], *copy = malloc(size + 1);
	int r;

	if (!copy)
		return 0;
	memcpy(copy, data, size); /* the text parsers get the exact size, unterminated */
	r = x4_kconf_modprobe_option(copy, size, "i915", "max_vfs", out, sizeof(out));
	fuzz_require(r != 0 || strlen(out) < sizeof(out));
	r = x4_kconf_shell_value(copy, size, "BUILD_EXCLUSIVE_KERNEL", out, sizeof(out));
	fuzz_require(r != 0 || strlen(out) < sizeof(out));
	copy[size] = '\0'; /* the command line is a C string */
	r = x4_kconf_cmdline_value(copy, "i915.max_vfs=", out, sizeof(out));
	fuzz_require(r != 0 || strlen(out) < sizeof(out));
	x4_kconf_cmdline_has(copy, "intel_iommu=on");
	free(copy);
	return 0;
}
