/* SPDX-License-Identifier: MIT */
/* libFuzzer target: our marked AppArmor block in a local include (outside text): set then
 * remove gives the input back byte for byte, set twice changes nothing, remove never grows. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "apparmor.h"

static void fuzz_require(int cond)
{
	if (!cond)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char block[] = X4_AA_BEGIN "\n/usr/local/bin/qemu-x4 PUx,\n" X4_AA_END "\n";
	char *text = malloc(size + 1), *set = NULL, *back = NULL, *again = NULL;
	size_t sl = 0, bl = 0, al = 0, s, e;
	int sep = 0, had, r;

	if (!text)
		return 0;
	memcpy(text, data, size); /* exact size: ASan sees a read past the end */
	text[size] = '\0';
	had = x4_aa_block_find(text, size, &s, &e);
	fuzz_require(!had || (s <= e && e <= size));
	r = x4_aa_block_set(text, size, block, &set, &sl, &sep);
	if (r == 1) {
		fuzz_require(x4_aa_block_present(set, sl, block));
		fuzz_require(x4_aa_block_set(set, sl, block, &again, &al, NULL) == 0);
		if (!had && memchr(text, '#', size) == NULL) { /* no block of ours: exact round trip */
			fuzz_require(x4_aa_block_remove(set, sl, sep, &back, &bl) == 1);
			fuzz_require(bl == size && memcmp(back, text, size) == 0);
		}
	}
	free(back);
	back = NULL;
	if (x4_aa_block_remove(text, size, 0, &back, &bl) == 1)
		fuzz_require(bl <= size);
	free(set);
	free(back);
	free(text);
	return 0;
}
