/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the option ROM / PE32 parser, and build-then-parse for every EFI driver. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rom.h"

static void fuzz_require(int cond)
{
	if (!cond)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct x4_rom_info info, back;
	struct x4_err e;
	uint8_t *rom = NULL, *copy;
	size_t len = 0;
	int r;

	/* An exact-size heap copy, so ASan sees any read past the end. */
	copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	r = x4_rom_inspect(copy, size, &info, &e);
	fuzz_require(r == 0 || (r < 0 && e.msg[0] != '\0'));
	fuzz_require(info.n_images <= X4_ROM_MAX_IMAGES);
	fuzz_require(strlen(info.warning) < sizeof(info.warning));
	for (unsigned i = 0; r == 0 && i < info.n_images; i++)
		fuzz_require(info.images[i].offset + info.images[i].length <= size);

	r = x4_rom_build_efi(copy, size, 0x8086, 0x46d1, &rom, &len, &e);
	if (r == 0) {
		/* Whatever we build must parse back as an EFI ROM that carries the input intact. */
		fuzz_require(len % 512 == 0 && len >= size + 0x38);
		fuzz_require(x4_rom_inspect(rom, len, &back, &e) == 0);
		fuzz_require(back.kind == X4_ROM_PCI_EFI && back.n_images == 1);
		fuzz_require(back.images[0].efi_image_offset + size == len);
		fuzz_require(memcmp(rom + back.images[0].efi_image_offset, copy, size) == 0);
		free(rom);
	} else {
		fuzz_require(rom == NULL && len == 0);
	}
	free(copy);
	return 0;
}
