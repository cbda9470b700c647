/* SPDX-License-Identifier: MIT */
/* rom: owns recognising PCI option ROMs and PE32 EFI drivers and building an EfiRom-style EFI
 * option ROM. Callers: lib/romcache, qemu-x4 and x4ctl rom. */
#ifndef X4_ROM_H
#define X4_ROM_H

#include <stddef.h>
#include <stdint.h>

#include "enumname.h"
#include "err.h"

/* Largest file we read or build: EfiRom's limit and far above any real GOP driver. */
#define X4_ROM_MAX_SIZE (16u * 1024 * 1024)
/* Most images we follow in one PCI ROM chain (real ROMs carry 1-3). */
#define X4_ROM_MAX_IMAGES 16

#define X4_ROM_CODE_X86 0x00
#define X4_ROM_CODE_EFI 0x03

#define X4_PE_SUBSYSTEM_EFI_APP 10
#define X4_PE_SUBSYSTEM_EFI_BOOT_DRIVER 11
#define X4_PE_SUBSYSTEM_EFI_RUNTIME_DRIVER 12

#define X4_PE_MACHINE_I386 0x014c
#define X4_PE_MACHINE_X64 0x8664
#define X4_PE_MACHINE_EBC 0x0ebc
#define X4_PE_MACHINE_AARCH64 0xaa64

enum x4_rom_kind {
	X4_ROM_UNKNOWN,    /* neither 0x55AA nor MZ/PE */
	X4_ROM_PCI_LEGACY, /* 0x55AA chain without an EFI image */
	X4_ROM_PCI_EFI,    /* 0x55AA chain with at least one EFI image (what OVMF dispatches) */
	X4_ROM_PE32_EFI,   /* a bare PE32/PE32+ EFI driver or application ("MZ") */
	X4_ROM_KIND_COUNT
};

/* One image of a PCI option ROM chain. */
struct x4_rom_image {
	size_t offset;          /* where the image starts in the file */
	size_t length;          /* PCIR image length, bytes (512-byte units in the file) */
	uint16_t pcir_offset;   /* PCIR pointer at 0x18, relative to offset */
	uint16_t vendor, device;/* PCIR ids */
	uint16_t pcir_length;   /* PCIR structure length (0x18 PCI 2.x, 0x1C PCI 3.0) */
	uint8_t pcir_revision;
	uint32_t class_code;    /* base class << 16 | subclass << 8 | prog-if */
	uint16_t code_revision;
	uint8_t code_type;      /* X4_ROM_CODE_X86, X4_ROM_CODE_EFI, ... */
	uint8_t indicator;      /* bit 7 = last image */
	/* Legacy (code type 0): */
	size_t legacy_size;     /* byte 0x02 x 512 */
	int checksum_ok;        /* bytes of legacy_size sum to 0 */
	/* EFI (code type 3): */
	size_t efi_init_size;   /* InitializationSize x 512 */
	uint16_t efi_subsystem, efi_machine, efi_compression, efi_image_offset;
};

struct x4_rom_info {
	enum x4_rom_kind kind;
	size_t size;            /* bytes inspected */
	/* PCI ROM chain */
	unsigned n_images;
	struct x4_rom_image images[X4_ROM_MAX_IMAGES];
	/* Ids that matter: of the first EFI image, else of the first image (0 for PE32). */
	uint16_t vendor, device;
	/* PE32 file (X4_ROM_PE32_EFI) */
	uint16_t pe_machine, pe_subsystem;
	int pe32plus;           /* optional header magic 0x20b */
	/* Non-fatal findings for the user ("" = none): id mismatch, no last flag, EFI application. */
	char warning[256];
};

/* What buf holds. Every offset is bounds-checked; truncated or lying headers (PCIR past the
 * image, image length 0 or past the end, bad signatures, misaligned PCIR) are -EINVAL with e
 * naming the image and offset. Unknown content is -EINVAL with info->kind = X4_ROM_UNKNOWN. */
int x4_rom_inspect(const uint8_t *buf, size_t len, struct x4_rom_info *info, struct x4_err *e);

/* Read path as given (a user's file, not a host path under $X4_ROOT; at most X4_ROM_MAX_SIZE
 * bytes, regular files only) and inspect it. want_vendor/want_device (0 = do not check) are
 * the VF's ids: a PCI ROM whose ids differ succeeds with info->warning saying so. */
int x4_rom_check_file(const char *path, uint16_t want_vendor, uint16_t want_device,
		      struct x4_rom_info *info, struct x4_err *e);

/* Wrap a PE32/PE32+ EFI boot-service or runtime driver into an uncompressed, single-image
 * EFI option ROM as EDK2's EfiRom does: 0x55AA header with 0x0EF1, subsystem and machine from
 * the PE, PCIR 3.0 (vendor, device, class 0x030000, code type 3, last image), 512-byte
 * blocks. The PE ends exactly at the end of the image (padding goes before it, as EfiRom does)
 * so PciBusDxe hands LoadImage the driver's bytes unchanged and a signed driver still verifies.
 * *out is malloc'd; the caller frees it. */
int x4_rom_build_efi(const uint8_t *pe, size_t pe_len, uint16_t vendor, uint16_t device,
		     uint8_t **out, size_t *out_len, struct x4_err *e);

/* "PCI option ROM (legacy x86)", "PCI option ROM (EFI)", "PE32 EFI driver", "unknown". */
X4_ENUM_DECL(x4_rom_kind, enum x4_rom_kind);

#endif
