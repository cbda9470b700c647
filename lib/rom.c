/* SPDX-License-Identifier: MIT */
/* rom: PCI option ROM chains and PE32 EFI drivers, parsed with every offset bounds-checked. */
#include "rom.h"

#include "apparmor.h"
#include "fileio.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Layout of the 0x55AA header (PCI Firmware spec, UEFI spec "PCI Option ROMs"). */
#define ROM_HDR_SIZE 0x1a
#define ROM_OFF_INIT_SIZE 0x02
#define ROM_OFF_EFI_SIG 0x04
#define ROM_OFF_EFI_SUBSYS 0x08
#define ROM_OFF_EFI_MACHINE 0x0a
#define ROM_OFF_EFI_COMPRESS 0x0c
#define ROM_OFF_EFI_IMAGE 0x16
#define ROM_OFF_PCIR 0x18
#define ROM_EFI_SIGNATURE 0x0ef1
/* PCI data structure ("PCIR"): 0x18 bytes in PCI 2.x, 0x1c in PCI 3.0. */
#define PCIR_MIN_SIZE 0x18
#define PCIR_30_SIZE 0x1c
#define PCIR_LAST_IMAGE 0x80
#define ROM_BLOCK 512u

static uint16_t rom_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t rom_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
	       ((uint32_t)p[3] << 24);
}

static void rom_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void rom_put32(uint8_t *p, uint32_t v)
{
	rom_put16(p, (uint16_t)v);
	rom_put16(p + 2, (uint16_t)(v >> 16));
}

/* 1 when [off, off + n) lies inside a buffer of len bytes (no overflow for any input). */
static int rom_has(size_t len, size_t off, size_t n)
{
	return off <= len && n <= len - off;
}

/* Append one finding to info->warning, "; "-separated, truncated rather than overflowing. */
__attribute__((format(printf, 2, 3))) static void rom_warn(struct x4_rom_info *info,
							   const char *fmt, ...)
{
	size_t used = strlen(info->warning);
	va_list ap;

	if (used && used + 2 < sizeof(info->warning)) {
		memcpy(info->warning + used, "; ", 3);
		used += 2;
	}
	if (used + 1 >= sizeof(info->warning))
		return;
	va_start(ap, fmt);
	/* NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized): va_start above; analyzer false positive */
	vsnprintf(info->warning + used, sizeof(info->warning) - used, fmt, ap);
	va_end(ap);
}

X4_ENUM_IMPL(x4_rom_kind, enum x4_rom_kind, X4_ROM_KIND_COUNT,
	     [X4_ROM_UNKNOWN] = "unknown", [X4_ROM_PCI_LEGACY] = "PCI option ROM (legacy x86)",
	     [X4_ROM_PCI_EFI] = "PCI option ROM (EFI)", [X4_ROM_PE32_EFI] = "PE32 EFI driver")

/* The PE headers EfiRom reads: DOS "MZ", e_lfanew, "PE\0\0", machine, optional header magic
 * and subsystem. what names the thing in errors ("PE32 file", "image 1's EFI driver"). */
static int rom_parse_pe(const uint8_t *b, size_t len, const char *what, uint16_t *machine,
			uint16_t *subsys, int *plus, struct x4_err *e)
{
	size_t pe, opt;
	uint16_t optsz, magic;

	if (len < 0x40 || b[0] != 'M' || b[1] != 'Z')
		return x4_fail(e, EINVAL, "%s: no DOS header (\"MZ\", 64 bytes): not a PE image",
			       what);
	pe = rom_le32(b + 0x3c);
	if (!rom_has(len, pe, 24))
		return x4_fail(e, EINVAL,
			       "%s: PE header offset 0x%zx is past the end (%zu bytes): truncated "
			       "or not a PE image", what, pe, len);
	if (memcmp(b + pe, "PE\0\0", 4) != 0)
		return x4_fail(e, EINVAL, "%s: no \"PE\\0\\0\" signature at 0x%zx", what, pe);
	*machine = rom_le16(b + pe + 4);
	optsz = rom_le16(b + pe + 20);
	opt = pe + 24;
	/* The subsystem field sits at 68 in both PE32 and PE32+ optional headers. */
	if (optsz < 70 || !rom_has(len, opt, 70))
		return x4_fail(e, EINVAL, "%s: optional header truncated (%u bytes declared)",
			       what, optsz);
	magic = rom_le16(b + opt);
	if (magic == 0x10b)
		*plus = 0;
	else if (magic == 0x20b)
		*plus = 1;
	else
		return x4_fail(e, EINVAL, "%s: optional header magic 0x%x is neither PE32 nor PE32+",
			       what, magic);
	*subsys = rom_le16(b + opt + 68);
	return 0;
}

static int rom_is_efi_subsystem(uint16_t s)
{
	return s >= X4_PE_SUBSYSTEM_EFI_APP && s <= X4_PE_SUBSYSTEM_EFI_RUNTIME_DRIVER;
}

static void rom_warn_efi(struct x4_rom_info *info, const char *what, uint16_t subsys,
			 uint16_t machine)
{
	if (subsys == X4_PE_SUBSYSTEM_EFI_APP)
		rom_warn(info, "%s is an EFI application: OVMF runs only drivers from a ROM", what);
	if (machine != X4_PE_MACHINE_X64 && machine != X4_PE_MACHINE_EBC)
		rom_warn(info, "%s is for machine 0x%04x, not x64", what, machine);
}

/* The EFI part of an image header: 0x0EF1, sizes, compression, the embedded PE. */
static int rom_parse_efi(const uint8_t *b, unsigned idx, struct x4_rom_image *img,
			 struct x4_rom_info *info, struct x4_err *e)
{
	uint16_t machine = 0, subsys = 0;
	int plus = 0;
	size_t start, end;
	char what[48];

	if (rom_le32(b + ROM_OFF_EFI_SIG) != ROM_EFI_SIGNATURE)
		return x4_fail(e, EINVAL, "ROM image %u at 0x%zx: code type EFI but no 0x0EF1 "
			       "signature", idx, img->offset);
	img->efi_init_size = (size_t)rom_le16(b + ROM_OFF_INIT_SIZE) * ROM_BLOCK;
	img->efi_subsystem = rom_le16(b + ROM_OFF_EFI_SUBSYS);
	img->efi_machine = rom_le16(b + ROM_OFF_EFI_MACHINE);
	img->efi_compression = rom_le16(b + ROM_OFF_EFI_COMPRESS);
	img->efi_image_offset = rom_le16(b + ROM_OFF_EFI_IMAGE);
	/* PciBusDxe's own checks: initialization size within the image, EFI image inside it. */
	if (img->efi_init_size == 0 || img->efi_init_size > img->length)
		return x4_fail(e, EINVAL, "ROM image %u at 0x%zx: initialization size %zu bytes "
			       "is 0 or larger than the image (%zu)", idx, img->offset,
			       img->efi_init_size, img->length);
	start = img->efi_image_offset;
	end = img->efi_init_size;
	if (start < ROM_HDR_SIZE || start >= end ||
	    (start < (size_t)img->pcir_offset + img->pcir_length && img->pcir_offset < end))
		return x4_fail(e, EINVAL, "ROM image %u at 0x%zx: EFI image offset 0x%zx overlaps "
			       "the headers or lies outside the initialization size", idx,
			       img->offset, start);
	if (img->efi_compression > 1)
		return x4_fail(e, EINVAL, "ROM image %u at 0x%zx: unknown compression type %u",
			       idx, img->offset, img->efi_compression);
	if (!rom_is_efi_subsystem(img->efi_subsystem))
		rom_warn(info, "image %u: EFI subsystem %u is not 10, 11 or 12", idx,
			 img->efi_subsystem);
	snprintf(what, sizeof(what), "image %u", idx);
	rom_warn_efi(info, what, img->efi_subsystem, img->efi_machine);
	if (img->efi_compression)
		return 0; /* EFI-compressed: the PE inside is not readable without decompressing */
	snprintf(what, sizeof(what), "ROM image %u at 0x%zx: EFI driver", idx, img->offset);
	if (rom_parse_pe(b + start, end - start, what, &machine, &subsys, &plus, e) < 0)
		return -EINVAL;
	if (subsys != img->efi_subsystem || machine != img->efi_machine)
		rom_warn(info, "image %u: header says subsystem %u machine 0x%04x, its PE says %u "
			 "0x%04x", idx, img->efi_subsystem, img->efi_machine, subsys, machine);
	return 0;
}

/* One 0x55AA image starting at off. */
static int rom_parse_image(const uint8_t *buf, size_t len, size_t off, unsigned idx,
			   struct x4_rom_image *img, struct x4_rom_info *info, struct x4_err *e)
{
	const uint8_t *b = buf + off, *p;
	size_t rem = len - off;

	memset(img, 0, sizeof(*img));
	img->offset = off;
	if (rem < ROM_HDR_SIZE)
		return x4_fail(e, EINVAL, "ROM image %u at 0x%zx: header truncated (%zu bytes)",
			       idx, off, rem);
	if (b[0] != 0x55 || b[1] != 0xaa)
		return x4_fail(e, EINVAL, "ROM image %u at 0x%zx: no 0x55AA signature", idx, off);
	img->pcir_offset = rom_le16(b + ROM_OFF_PCIR);
	/* PciBusDxe stops at a PCIR pointer that is 0 or not DWORD-aligned. */
	if (img->pcir_offset < ROM_HDR_SIZE || (img->pcir_offset & 3))
		return x4_fail(e, EINVAL, "ROM image %u at 0x%zx: PCIR pointer 0x%x is inside the "
			       "header or not DWORD-aligned", idx, off, img->pcir_offset);
	if (!rom_has(rem, img->pcir_offset, PCIR_MIN_SIZE))
		return x4_fail(e, EINVAL, "ROM image %u at 0x%zx: PCIR at 0x%x is past the end of "
			       "the file", idx, off, img->pcir_offset);
	p = b + img->pcir_offset;
	if (memcmp(p, "PCIR", 4) != 0)
		return x4_fail(e, EINVAL, "ROM image %u at 0x%zx: no \"PCIR\" signature at 0x%x",
			       idx, off, img->pcir_offset);
	img->vendor = rom_le16(p + 4);
	img->device = rom_le16(p + 6);
	img->pcir_length = rom_le16(p + 0x0a);
	img->pcir_revision = p[0x0c];
	img->class_code = (uint32_t)p[0x0d] | ((uint32_t)p[0x0e] << 8) | ((uint32_t)p[0x0f] << 16);
	img->length = (size_t)rom_le16(p + 0x10) * ROM_BLOCK;
	img->code_revision = rom_le16(p + 0x12);
	img->code_type = p[0x14];
	img->indicator = p[0x15];
	if (img->pcir_length < PCIR_MIN_SIZE)
		return x4_fail(e, EINVAL, "ROM image %u at 0x%zx: PCIR length 0x%x is below 0x18",
			       idx, off, img->pcir_length);
	if (img->length == 0)
		return x4_fail(e, EINVAL, "ROM image %u at 0x%zx: image length is 0", idx, off);
	if (img->length > rem)
		return x4_fail(e, EINVAL, "ROM image %u at 0x%zx: image length %zu is past the end "
			       "of the file (%zu bytes left): truncated ROM", idx, off, img->length,
			       rem);
	if (!rom_has(img->length, img->pcir_offset, img->pcir_length))
		return x4_fail(e, EINVAL, "ROM image %u at 0x%zx: PCIR (0x%x + 0x%x) lies outside "
			       "the image (%zu bytes)", idx, off, img->pcir_offset,
			       img->pcir_length, img->length);
	if (img->code_type == X4_ROM_CODE_EFI)
		return rom_parse_efi(b, idx, img, info, e);
	if (img->code_type == X4_ROM_CODE_X86) {
		unsigned sum = 0;

		img->legacy_size = (size_t)b[ROM_OFF_INIT_SIZE] * ROM_BLOCK;
		if (img->legacy_size > rem)
			return x4_fail(e, EINVAL, "ROM image %u at 0x%zx: legacy size %zu is past "
				       "the end of the file", idx, off, img->legacy_size);
		for (size_t i = 0; i < img->legacy_size; i++)
			sum += b[i];
		img->checksum_ok = img->legacy_size > 0 && (sum & 0xff) == 0;
		if (!img->checksum_ok)
			rom_warn(info, "image %u: legacy checksum is not zero", idx);
	}
	return 0;
}

static int rom_inspect_chain(const uint8_t *buf, size_t len, struct x4_rom_info *info,
			     struct x4_err *e)
{
	size_t off = 0;
	int efi = -1;

	for (;;) {
		struct x4_rom_image *img;

		if (info->n_images == X4_ROM_MAX_IMAGES)
			return x4_fail(e, EINVAL, "ROM has more than %d images: not a real option "
				       "ROM", X4_ROM_MAX_IMAGES);
		img = &info->images[info->n_images];
		if (rom_parse_image(buf, len, off, info->n_images, img, info, e) < 0)
			return -EINVAL;
		if (efi < 0 && img->code_type == X4_ROM_CODE_EFI)
			efi = (int)info->n_images;
		info->n_images++;
		if (img->indicator & PCIR_LAST_IMAGE)
			break;
		off += img->length; /* length >= 512, so the walk always moves forward */
		if (off >= len) {
			rom_warn(info, "image %u is not marked as the last image",
				 info->n_images - 1);
			break;
		}
	}
	info->kind = efi >= 0 ? X4_ROM_PCI_EFI : X4_ROM_PCI_LEGACY;
	info->vendor = info->images[efi >= 0 ? efi : 0].vendor;
	info->device = info->images[efi >= 0 ? efi : 0].device;
	return 0;
}

int x4_rom_inspect(const uint8_t *buf, size_t len, struct x4_rom_info *info, struct x4_err *e)
{
	int r;

	if (!info)
		return x4_fail(e, EINVAL, "x4_rom_inspect: no info");
	memset(info, 0, sizeof(*info));
	info->size = len;
	if (!buf || len < 2)
		return x4_fail(e, EINVAL, "ROM is empty or shorter than 2 bytes");
	if (buf[0] == 0x55 && buf[1] == 0xaa)
		return rom_inspect_chain(buf, len, info, e);
	if (buf[0] == 'M' && buf[1] == 'Z') {
		r = rom_parse_pe(buf, len, "PE32 file", &info->pe_machine, &info->pe_subsystem,
				 &info->pe32plus, e);
		if (r < 0)
			return r;
		if (!rom_is_efi_subsystem(info->pe_subsystem))
			return x4_fail(e, EINVAL, "PE32 file with subsystem %u is not an EFI "
				       "driver (10, 11 or 12): a Windows or DOS program?",
				       info->pe_subsystem);
		info->kind = X4_ROM_PE32_EFI;
		rom_warn_efi(info, "the PE32 file", info->pe_subsystem, info->pe_machine);
		return 0;
	}
	return x4_fail(e, EINVAL, "neither a PCI option ROM (0x55AA) nor a PE32 EFI driver (MZ): "
		       "starts with %02x %02x", buf[0], buf[1]);
}

/* Read a whole regular file of 1 byte to X4_ROM_MAX_SIZE bytes. */
static int rom_read_file(const char *path, uint8_t **out, size_t *out_len, struct x4_err *e)
{
	struct x4_file f;
	int r = x4_file_load(path, X4_ROM_MAX_SIZE, 0, &f);

	switch (f.step) {
	case X4_FILE_DONE:
		break;
	case X4_FILE_AT_OPEN:
		return x4_fail(e, -r, "cannot open ROM %s: %s%s", path, strerror(-r),
			       r == -EACCES || r == -EPERM ? x4_aa_enabled() ? ": " X4_AA_HINT
								       : ": make it readable by the qemu user"
						  : "");
	case X4_FILE_AT_STAT:
	case X4_FILE_AT_TYPE:
		return x4_fail(e, EINVAL, "ROM %s is not a regular file", path);
	case X4_FILE_AT_SIZE:
		break; /* said below */
	case X4_FILE_AT_MEM:
		return x4_fail(e, ENOMEM, "cannot read ROM %s: out of memory", path);
	case X4_FILE_AT_READ:
		return x4_fail(e, -r, "cannot read ROM %s: %s", path, strerror(-r));
	}
	if (f.st.st_size <= 0 || (uint64_t)f.st.st_size > X4_ROM_MAX_SIZE || r == -EFBIG) {
		free(f.buf);
		return x4_fail(e, f.st.st_size <= 0 ? EINVAL : EFBIG,
			       "ROM %s has %lld bytes: expected 1 byte to 16 MiB", path,
			       (long long)f.st.st_size);
	}
	*out = (uint8_t *)f.buf;
	*out_len = f.len; /* shrank while we read: inspect what is there */
	return 0;
}

int x4_rom_check_file(const char *path, uint16_t want_vendor, uint16_t want_device,
		      struct x4_rom_info *info, struct x4_err *e)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	struct x4_err sub;
	int r;

	if (!path || !*path || !info)
		return x4_fail(e, EINVAL, "ROM check: no file given");
	memset(info, 0, sizeof(*info));
	r = rom_read_file(path, &buf, &len, e);
	if (r < 0)
		return r;
	x4_err_clear(&sub);
	r = x4_rom_inspect(buf, len, info, &sub);
	free(buf);
	if (r < 0)
		return x4_fail(e, -r, "ROM %s: %s", path, sub.msg);
	if (info->kind == X4_ROM_PCI_LEGACY || info->kind == X4_ROM_PCI_EFI) {
		if ((want_vendor && info->vendor != want_vendor) ||
		    (want_device && info->device != want_device))
			rom_warn(info, "ROM is for %04x:%04x but the device is %04x:%04x",
				 info->vendor, info->device, want_vendor ? want_vendor : info->vendor,
				 want_device ? want_device : info->device);
		if (info->kind == X4_ROM_PCI_LEGACY)
			rom_warn(info, "no EFI image: OVMF will not run a legacy-only ROM");
	}
	return 0;
}

int x4_rom_build_efi(const uint8_t *pe, size_t pe_len, uint16_t vendor, uint16_t device,
		     uint8_t **out, size_t *out_len, struct x4_err *e)
{
	/* EfiRom's layout: 0x1a-byte header, 2 pad bytes so PCIR is DWORD-aligned, PCIR 3.0. */
	const size_t pcir = ROM_HDR_SIZE + 2, hdr = pcir + PCIR_30_SIZE;
	uint16_t machine = 0, subsys = 0;
	size_t total, img;
	uint8_t *rom, *p;
	int plus = 0;

	if (!out || !out_len)
		return x4_fail(e, EINVAL, "x4_rom_build_efi: no output");
	*out = NULL;
	*out_len = 0;
	if (!pe)
		return x4_fail(e, EINVAL, "option ROM build: no EFI driver given");
	if (rom_parse_pe(pe, pe_len, "EFI driver", &machine, &subsys, &plus, e) < 0)
		return -EINVAL;
	if (subsys != X4_PE_SUBSYSTEM_EFI_BOOT_DRIVER && subsys != X4_PE_SUBSYSTEM_EFI_RUNTIME_DRIVER)
		return x4_fail(e, EINVAL, "EFI driver: subsystem %u is not a boot-service (11) or "
			       "runtime (12) driver, and OVMF dispatches only those from a ROM",
			       subsys);
	if (pe_len > X4_ROM_MAX_SIZE - hdr - ROM_BLOCK)
		return x4_fail(e, EFBIG, "EFI driver of %zu bytes does not fit a 16 MiB option ROM",
			       pe_len);
	total = (hdr + pe_len + ROM_BLOCK - 1) / ROM_BLOCK * ROM_BLOCK;
	img = total - pe_len; /* padding before the PE, as EfiRom does for uncompressed images */
	rom = malloc(total);
	if (!rom)
		return x4_fail(e, ENOMEM, "option ROM build: out of memory");
	memset(rom, 0, hdr);
	memset(rom + hdr, 0xff, img - hdr);
	memcpy(rom + img, pe, pe_len);

	rom[0] = 0x55;
	rom[1] = 0xaa;
	rom_put16(rom + ROM_OFF_INIT_SIZE, (uint16_t)(total / ROM_BLOCK));
	rom_put32(rom + ROM_OFF_EFI_SIG, ROM_EFI_SIGNATURE);
	rom_put16(rom + ROM_OFF_EFI_SUBSYS, subsys);
	rom_put16(rom + ROM_OFF_EFI_MACHINE, machine);
	rom_put16(rom + ROM_OFF_EFI_COMPRESS, 0);
	rom_put16(rom + ROM_OFF_EFI_IMAGE, (uint16_t)img);
	rom_put16(rom + ROM_OFF_PCIR, (uint16_t)pcir);

	p = rom + pcir;
	memcpy(p, "PCIR", 4);
	rom_put16(p + 4, vendor);
	rom_put16(p + 6, device);
	rom_put16(p + 0x08, 0); /* no device list */
	rom_put16(p + 0x0a, PCIR_30_SIZE);
	p[0x0c] = 3; /* PCI 3.0 data structure, as EfiRom writes */
	p[0x0d] = 0x00; /* prog-if */
	p[0x0e] = 0x00; /* subclass: VGA-compatible */
	p[0x0f] = 0x03; /* base class: display controller */
	rom_put16(p + 0x10, (uint16_t)(total / ROM_BLOCK));
	rom_put16(p + 0x12, 0); /* code revision */
	p[0x14] = X4_ROM_CODE_EFI;
	p[0x15] = PCIR_LAST_IMAGE;
	/* 0x16..0x1b: max runtime length, config utility and DMTF CLP pointers: 0 */

	*out = rom;
	*out_len = total;
	return 0;
}
