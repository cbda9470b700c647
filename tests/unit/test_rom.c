/* SPDX-License-Identifier: MIT */
/* Unit tests: lib/rom (option ROM and PE32 parsing, EfiRom-style build). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "rom.h"

#define PE_LEN 1000
#define PE_OPT 0x58 /* optional header offset in our crafted PE */

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)rd16(p) | ((uint32_t)rd16(p + 2) << 16);
}

static void wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

/* A minimal PE32+ image: DOS header, "PE\0\0", file header, 240-byte optional header
 * (magic 0x20b, subsystem at 68), then a recognisable body. */
static void make_pe(uint8_t *pe, size_t len, uint16_t machine, uint16_t subsystem)
{
	memset(pe, 0, len);
	pe[0] = 'M';
	pe[1] = 'Z';
	pe[0x3c] = 0x40;
	memcpy(pe + 0x40, "PE\0\0", 4);
	wr16(pe + 0x44, machine);
	wr16(pe + 0x46, 0);      /* sections */
	wr16(pe + 0x54, 0xf0);   /* SizeOfOptionalHeader */
	wr16(pe + 0x56, 0x2022); /* characteristics */
	wr16(pe + PE_OPT, 0x20b);
	wr16(pe + PE_OPT + 68, subsystem);
	for (size_t i = PE_OPT + 0xf0; i < len; i++)
		pe[i] = (uint8_t)(i * 7 + 1);
}

static uint8_t *build(size_t *len)
{
	uint8_t pe[PE_LEN], *rom = NULL;
	struct x4_err e;

	make_pe(pe, sizeof(pe), X4_PE_MACHINE_X64, X4_PE_SUBSYSTEM_EFI_BOOT_DRIVER);
	assert_int_equal(x4_rom_build_efi(pe, sizeof(pe), 0x8086, 0x46d1, &rom, len, &e), 0);
	return rom;
}

static void test_build_header_fields(void **state)
{
	uint8_t pe[PE_LEN];
	size_t len;
	uint8_t *rom = build(&len);
	const uint8_t *p;
	uint16_t img;

	(void)state;
	make_pe(pe, sizeof(pe), X4_PE_MACHINE_X64, X4_PE_SUBSYSTEM_EFI_BOOT_DRIVER);
	assert_int_equal(len % 512, 0);
	assert_int_equal(len, 1536); /* 0x38 header + 1000 bytes -> 3 blocks */
	assert_int_equal(rom[0], 0x55);
	assert_int_equal(rom[1], 0xaa);
	assert_int_equal(rd16(rom + 0x02), len / 512);     /* InitializationSize */
	assert_int_equal(rd32(rom + 0x04), 0x0ef1);        /* EfiSignature */
	assert_int_equal(rd16(rom + 0x08), 11);            /* EfiSubsystem */
	assert_int_equal(rd16(rom + 0x0a), 0x8664);        /* EfiMachineType */
	assert_int_equal(rd16(rom + 0x0c), 0);             /* CompressionType */
	for (int i = 0x0e; i < 0x16; i++)
		assert_int_equal(rom[i], 0);               /* reserved */
	img = rd16(rom + 0x16);                            /* EfiImageHeaderOffset */
	assert_int_equal(img, len - PE_LEN);               /* the PE ends with the image */
	assert_true(img >= 0x38);
	assert_memory_equal(rom + img, pe, PE_LEN);
	for (size_t i = 0x38; i < img; i++)
		assert_int_equal(rom[i], 0xff);            /* EfiRom pads with 0xff */
	assert_int_equal(rd16(rom + 0x18), 0x1c);          /* PcirOffset, DWORD-aligned */
	p = rom + 0x1c;
	assert_memory_equal(p, "PCIR", 4);
	assert_int_equal(rd16(p + 0x04), 0x8086);
	assert_int_equal(rd16(p + 0x06), 0x46d1);
	assert_int_equal(rd16(p + 0x08), 0);               /* device list */
	assert_int_equal(rd16(p + 0x0a), 0x1c);            /* PCIR length */
	assert_int_equal(p[0x0c], 3);                      /* revision */
	assert_int_equal(p[0x0d], 0x00);
	assert_int_equal(p[0x0e], 0x00);
	assert_int_equal(p[0x0f], 0x03);                   /* class 0x030000 */
	assert_int_equal(rd16(p + 0x10), len / 512);       /* image length */
	assert_int_equal(rd16(p + 0x12), 0);               /* code revision */
	assert_int_equal(p[0x14], 3);                      /* EFI */
	assert_int_equal(p[0x15], 0x80);                   /* last image */
	free(rom);
}

static void test_build_parse_back(void **state)
{
	size_t len;
	uint8_t *rom = build(&len);
	struct x4_rom_info info;
	struct x4_err e;
	const struct x4_rom_image *im = &info.images[0];

	(void)state;
	assert_int_equal(x4_rom_inspect(rom, len, &info, &e), 0);
	assert_int_equal(info.kind, X4_ROM_PCI_EFI);
	assert_string_equal(x4_rom_kind_name(info.kind), "PCI option ROM (EFI)");
	assert_int_equal(info.n_images, 1);
	assert_int_equal(info.vendor, 0x8086);
	assert_int_equal(info.device, 0x46d1);
	assert_int_equal(im->offset, 0);
	assert_int_equal(im->length, len);
	assert_int_equal(im->pcir_offset, 0x1c);
	assert_int_equal(im->pcir_length, 0x1c);
	assert_int_equal(im->pcir_revision, 3);
	assert_int_equal(im->class_code, 0x030000);
	assert_int_equal(im->code_type, X4_ROM_CODE_EFI);
	assert_int_equal(im->indicator, 0x80);
	assert_int_equal(im->efi_init_size, len);
	assert_int_equal(im->efi_subsystem, 11);
	assert_int_equal(im->efi_machine, 0x8664);
	assert_int_equal(im->efi_compression, 0);
	assert_int_equal(im->efi_image_offset, len - PE_LEN);
	assert_string_equal(info.warning, "");
	free(rom);
}

static void test_build_block_boundary(void **state)
{
	/* 0x38 + 968 = 1024 exactly: no padding at all, image right after PCIR. */
	uint8_t pe[968], *rom;
	size_t len;
	struct x4_err e;

	(void)state;
	make_pe(pe, sizeof(pe), X4_PE_MACHINE_X64, X4_PE_SUBSYSTEM_EFI_RUNTIME_DRIVER);
	assert_int_equal(x4_rom_build_efi(pe, sizeof(pe), 0x8086, 0x46d0, &rom, &len, &e), 0);
	assert_int_equal(len, 1024);
	assert_int_equal(rd16(rom + 0x16), 0x38);
	assert_int_equal(rd16(rom + 0x08), 12);
	free(rom);
}

static void test_build_refuses(void **state)
{
	uint8_t pe[PE_LEN], *rom = (uint8_t *)1;
	size_t len = 1;
	struct x4_err e;

	(void)state;
	make_pe(pe, sizeof(pe), X4_PE_MACHINE_X64, X4_PE_SUBSYSTEM_EFI_APP);
	assert_int_equal(x4_rom_build_efi(pe, sizeof(pe), 0x8086, 0x46d1, &rom, &len, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "subsystem 10"));
	assert_null(rom);
	assert_int_equal(len, 0);
	make_pe(pe, sizeof(pe), X4_PE_MACHINE_X64, 2); /* Windows GUI */
	assert_int_equal(x4_rom_build_efi(pe, sizeof(pe), 0x8086, 0x46d1, &rom, &len, &e), -EINVAL);
	assert_int_equal(x4_rom_build_efi(pe, 0x90, 0x8086, 0x46d1, &rom, &len, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "optional header truncated"));
	pe[0] = 'Z';
	assert_int_equal(x4_rom_build_efi(pe, sizeof(pe), 0x8086, 0x46d1, &rom, &len, &e), -EINVAL);
	assert_int_equal(x4_rom_build_efi(NULL, 0, 0x8086, 0x46d1, &rom, &len, &e), -EINVAL);
}

static void test_pe_inspect(void **state)
{
	uint8_t pe[PE_LEN];
	struct x4_rom_info info;
	struct x4_err e;

	(void)state;
	make_pe(pe, sizeof(pe), X4_PE_MACHINE_X64, X4_PE_SUBSYSTEM_EFI_BOOT_DRIVER);
	assert_int_equal(x4_rom_inspect(pe, sizeof(pe), &info, &e), 0);
	assert_int_equal(info.kind, X4_ROM_PE32_EFI);
	assert_int_equal(info.pe_machine, 0x8664);
	assert_int_equal(info.pe_subsystem, 11);
	assert_int_equal(info.pe32plus, 1);
	assert_string_equal(info.warning, "");
	/* PE32 (0x10b), IA32, application: parsed, with warnings */
	make_pe(pe, sizeof(pe), X4_PE_MACHINE_I386, X4_PE_SUBSYSTEM_EFI_APP);
	wr16(pe + PE_OPT, 0x10b);
	assert_int_equal(x4_rom_inspect(pe, sizeof(pe), &info, &e), 0);
	assert_int_equal(info.pe32plus, 0);
	assert_non_null(strstr(info.warning, "EFI application"));
	assert_non_null(strstr(info.warning, "not x64"));
	/* not EFI, bad magic, e_lfanew past the end, no PE signature */
	make_pe(pe, sizeof(pe), X4_PE_MACHINE_X64, 3);
	assert_int_equal(x4_rom_inspect(pe, sizeof(pe), &info, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "not an EFI driver"));
	make_pe(pe, sizeof(pe), X4_PE_MACHINE_X64, 11);
	wr16(pe + PE_OPT, 0x107);
	assert_int_equal(x4_rom_inspect(pe, sizeof(pe), &info, &e), -EINVAL);
	make_pe(pe, sizeof(pe), X4_PE_MACHINE_X64, 11);
	memset(pe + 0x3c, 0xff, 4);
	assert_int_equal(x4_rom_inspect(pe, sizeof(pe), &info, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "past the end"));
	make_pe(pe, sizeof(pe), X4_PE_MACHINE_X64, 11);
	pe[0x41] = 'X';
	assert_int_equal(x4_rom_inspect(pe, sizeof(pe), &info, &e), -EINVAL);
	make_pe(pe, sizeof(pe), X4_PE_MACHINE_X64, 11);
	wr16(pe + 0x54, 60); /* optional header too small to hold the subsystem */
	assert_int_equal(x4_rom_inspect(pe, sizeof(pe), &info, &e), -EINVAL);
}

static void test_truncated_prefixes(void **state)
{
	size_t len;
	uint8_t *rom = build(&len), pe[PE_LEN];
	struct x4_rom_info info;
	struct x4_err e;

	(void)state;
	/* Every strict prefix of a one-image ROM claims more than it has. */
	for (size_t n = 0; n < len; n++) {
		uint8_t *copy = malloc(n ? n : 1);

		memcpy(copy, rom, n);
		assert_int_equal(x4_rom_inspect(copy, n, &info, &e), -EINVAL);
		free(copy); /* a heap copy of exactly n bytes lets ASan catch any overread */
	}
	make_pe(pe, sizeof(pe), X4_PE_MACHINE_X64, 11);
	for (size_t n = 0; n < PE_OPT + 70; n++)
		assert_int_equal(x4_rom_inspect(pe, n, &info, &e), -EINVAL);
	assert_int_equal(x4_rom_inspect(pe, PE_OPT + 70, &info, &e), 0);
	assert_int_equal(x4_rom_inspect(NULL, 0, &info, &e), -EINVAL);
	free(rom);
}

/* Corrupt one field of a built ROM and expect -EINVAL with text in the message. */
static void expect_lie(size_t off, unsigned width, uint32_t val, const char *text)
{
	size_t len;
	uint8_t *rom = build(&len);
	struct x4_rom_info info;
	struct x4_err e;

	if (width == 1)
		rom[off] = (uint8_t)val;
	else if (width == 2)
		wr16(rom + off, (uint16_t)val);
	else
		memcpy(rom + off, &val, 4);
	x4_err_clear(&e);
	assert_int_equal(x4_rom_inspect(rom, len, &info, &e), -EINVAL);
	if (!strstr(e.msg, text))
		fail_msg("corrupting 0x%zx: expected '%s' in '%s'", off, text, e.msg);
	free(rom);
}

static void test_lying_headers(void **state)
{
	(void)state;
	expect_lie(0x18, 2, 0x2000, "past the end");      /* PCIR beyond end */
	expect_lie(0x18, 2, 0x1e, "DWORD-aligned");       /* misaligned PCIR */
	expect_lie(0x18, 2, 0, "inside the header");      /* PCIR pointer 0 */
	expect_lie(0x1c, 1, 'X', "\"PCIR\" signature");
	expect_lie(0x1c + 0x10, 2, 0, "image length is 0");
	expect_lie(0x1c + 0x10, 2, 4, "past the end of the file");
	expect_lie(0x1c + 0x10, 2, 0xffff, "past the end of the file");
	expect_lie(0x1c + 0x0a, 2, 0x10, "below 0x18");
	expect_lie(0x1c + 0x0a, 2, 0xffff, "outside the image");
	expect_lie(0x04, 2, 0x0ef2, "0x0EF1");
	expect_lie(0x02, 2, 0, "initialization size");
	expect_lie(0x02, 2, 4, "initialization size");
	expect_lie(0x16, 2, 0x600, "EFI image offset");
	expect_lie(0x16, 2, 0x10, "EFI image offset");
	expect_lie(0x16, 2, 0x20, "EFI image offset");     /* inside PCIR */
	expect_lie(0x16, 2, 0x100, "EFI driver");          /* no MZ there */
	expect_lie(0x0c, 2, 2, "compression");
	expect_lie(0x01, 1, 0xab, "neither a PCI option ROM");
}

/* A 512-byte legacy x86 image with a correct checksum. */
static void make_legacy(uint8_t *b, uint16_t device, uint8_t indicator)
{
	unsigned sum = 0;

	memset(b, 0, 512);
	b[0] = 0x55;
	b[1] = 0xaa;
	b[2] = 1; /* 512 bytes */
	b[3] = 0xcb; /* retf */
	wr16(b + 0x18, 0x20);
	memcpy(b + 0x20, "PCIR", 4);
	wr16(b + 0x24, 0x8086);
	wr16(b + 0x26, device);
	wr16(b + 0x2a, 0x18);
	b[0x2d] = 0x00;
	b[0x2e] = 0x00;
	b[0x2f] = 0x03;
	wr16(b + 0x30, 1);
	b[0x34] = X4_ROM_CODE_X86;
	b[0x35] = indicator;
	for (int i = 0; i < 511; i++)
		sum += b[i];
	b[511] = (uint8_t)(0x100 - (sum & 0xff));
}

static void test_legacy(void **state)
{
	uint8_t b[512];
	struct x4_rom_info info;
	struct x4_err e;

	(void)state;
	make_legacy(b, 0x46d1, 0x80);
	assert_int_equal(x4_rom_inspect(b, sizeof(b), &info, &e), 0);
	assert_int_equal(info.kind, X4_ROM_PCI_LEGACY);
	assert_int_equal(info.n_images, 1);
	assert_int_equal(info.images[0].legacy_size, 512);
	assert_true(info.images[0].checksum_ok);
	assert_int_equal(info.images[0].pcir_length, 0x18);
	assert_int_equal(info.device, 0x46d1);
	assert_string_equal(info.warning, "");
	b[100] ^= 1;
	assert_int_equal(x4_rom_inspect(b, sizeof(b), &info, &e), 0);
	assert_false(info.images[0].checksum_ok);
	assert_non_null(strstr(info.warning, "checksum"));
	b[2] = 2; /* legacy size past the end */
	assert_int_equal(x4_rom_inspect(b, sizeof(b), &info, &e), -EINVAL);
}

static void test_chain(void **state)
{
	size_t elen;
	uint8_t *efi = build(&elen);
	uint8_t *chain = malloc(512 + elen + 512);
	struct x4_rom_info info;
	struct x4_err e;

	(void)state;
	make_legacy(chain, 0x46d0, 0);
	memcpy(chain + 512, efi, elen);
	assert_int_equal(x4_rom_inspect(chain, 512 + elen, &info, &e), 0);
	assert_int_equal(info.kind, X4_ROM_PCI_EFI);
	assert_int_equal(info.n_images, 2);
	assert_int_equal(info.images[0].code_type, X4_ROM_CODE_X86);
	assert_int_equal(info.images[1].offset, 512);
	assert_int_equal(info.images[1].code_type, X4_ROM_CODE_EFI);
	assert_int_equal(info.device, 0x46d1); /* the EFI image's ids are the ones that matter */
	/* trailing padding after the last image is fine */
	memset(chain + 512 + elen, 0xff, 512);
	assert_int_equal(x4_rom_inspect(chain, 512 + elen + 512, &info, &e), 0);
	assert_int_equal(info.n_images, 2);
	/* last image without the last flag: a warning, not an error */
	chain[512 + 0x1c + 0x15] = 0;
	assert_int_equal(x4_rom_inspect(chain, 512 + elen, &info, &e), 0);
	assert_non_null(strstr(info.warning, "not marked as the last image"));
	/* ... but garbage where the next image should start is an error */
	assert_int_equal(x4_rom_inspect(chain, 512 + elen + 512, &info, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "image 2"));
	free(chain);
	free(efi);
}

static void test_too_many_images(void **state)
{
	uint8_t *b = malloc(512 * (X4_ROM_MAX_IMAGES + 1));
	struct x4_rom_info info;
	struct x4_err e;

	(void)state;
	for (int i = 0; i <= X4_ROM_MAX_IMAGES; i++)
		make_legacy(b + 512 * i, 0x46d1, i == X4_ROM_MAX_IMAGES ? 0x80 : 0);
	assert_int_equal(x4_rom_inspect(b, 512 * X4_ROM_MAX_IMAGES, &info, &e), 0);
	assert_int_equal(info.n_images, X4_ROM_MAX_IMAGES);
	assert_int_equal(x4_rom_inspect(b, 512 * (X4_ROM_MAX_IMAGES + 1), &info, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "more than"));
	free(b);
}

static void write_file(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void test_check_file(void **state)
{
	char dir[] = "/tmp/x4-rom-test-XXXXXX", path[128];
	size_t len;
	uint8_t *rom = build(&len), legacy[512];
	struct x4_rom_info info;
	struct x4_err e;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/gop.rom", dir);
	write_file(path, rom, len);
	assert_int_equal(x4_rom_check_file(path, 0x8086, 0x46d1, &info, &e), 0);
	assert_int_equal(info.kind, X4_ROM_PCI_EFI);
	assert_string_equal(info.warning, "");
	assert_int_equal(x4_rom_check_file(path, 0x8086, 0x46d0, &info, &e), 0);
	assert_non_null(strstr(info.warning, "ROM is for 8086:46d1 but the device is 8086:46d0"));
	assert_int_equal(x4_rom_check_file(path, 0, 0, &info, &e), 0);
	assert_string_equal(info.warning, "");
	make_legacy(legacy, 0x46d1, 0x80);
	write_file(path, legacy, sizeof(legacy));
	assert_int_equal(x4_rom_check_file(path, 0x8086, 0x46d1, &info, &e), 0);
	assert_non_null(strstr(info.warning, "no EFI image"));
	write_file(path, "hello world", 11);
	assert_int_equal(x4_rom_check_file(path, 0x8086, 0x46d1, &info, &e), -EINVAL);
	assert_non_null(strstr(e.msg, path));
	assert_non_null(strstr(e.msg, "neither"));
	write_file(path, "", 0);
	assert_int_equal(x4_rom_check_file(path, 0x8086, 0x46d1, &info, &e), -EINVAL);
	unlink(path);
	assert_int_equal(x4_rom_check_file(path, 0x8086, 0x46d1, &info, &e), -ENOENT);
	assert_non_null(strstr(e.msg, path));
	assert_int_equal(x4_rom_check_file(dir, 0x8086, 0x46d1, &info, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "not a regular file"));
	assert_int_equal(x4_rom_check_file("", 0, 0, &info, &e), -EINVAL);
	rmdir(dir);
	free(rom);
}

static void test_random_bytes(void **state)
{
	/* Deterministic noise behind valid signatures: must never crash or read out of bounds. */
	uint32_t x = 12345;
	struct x4_rom_info info;
	struct x4_err e;

	(void)state;
	for (int round = 0; round < 2000; round++) {
		size_t n = 2 + (round * 37) % 1500;
		uint8_t *b = malloc(n);

		for (size_t i = 0; i < n; i++) {
			x = x * 1103515245u + 12345u;
			b[i] = (uint8_t)(x >> 16);
		}
		if (round & 1) {
			b[0] = 0x55;
			b[1] = 0xaa;
			if (n > 0x1a)
				wr16(b + 0x18, 0x1c);
			if (n > 0x20)
				memcpy(b + 0x1c, "PCIR", 4);
		} else {
			b[0] = 'M';
			b[1] = 'Z';
			if (n > 0x40)
				b[0x3c] = 0x40, b[0x3d] = b[0x3e] = b[0x3f] = 0;
		}
		(void)x4_rom_inspect(b, n, &info, &e);
		free(b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build_header_fields),
		cmocka_unit_test(test_build_parse_back),
		cmocka_unit_test(test_build_block_boundary),
		cmocka_unit_test(test_build_refuses),
		cmocka_unit_test(test_pe_inspect),
		cmocka_unit_test(test_truncated_prefixes),
		cmocka_unit_test(test_lying_headers),
		cmocka_unit_test(test_legacy),
		cmocka_unit_test(test_chain),
		cmocka_unit_test(test_too_many_images),
		cmocka_unit_test(test_check_file),
		cmocka_unit_test(test_random_bytes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
