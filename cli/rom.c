/* SPDX-License-Identifier: MIT */
/* x4ctl rom check FILE | rom build --efi FILE --out FILE: inspect a GOP ROM, wrap an EFI driver. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "board.h"
#include "gopfind.h"
#include "pcidev.h"
#include "rom.h"
#include "sriov.h"
#include "sysfs.h"
#include "x4ctl.h"

static const char rom_usage[] =
    "usage: x4ctl rom check FILE | rom build --efi FILE --out FILE [--vendor ID] [--device ID] "
    "| rom extract IMAGE|--from-flash [options]\n"
    "Inspect a GOP ROM, wrap an EFI GOP driver into an option ROM, or extract the GOP driver\n"
    "from a BIOS image. Run 'x4ctl rom SUBCOMMAND --help' for one of them.\n";
static const char rom_check_usage[] =
    "usage: x4ctl rom check FILE\n"
    "What a ROM or EFI file is and whether it fits the VF (exit 1 when it does not).\n";
static const char rom_build_usage[] =
    "usage: x4ctl rom build --efi FILE --out FILE [--vendor ID] [--device ID]\n"
    "Wrap an EFI GOP driver into a PCI option ROM (use it with rom_mode = optionrom).\n"
    "  --efi FILE     the EFI GOP driver (PE32+)\n"
    "  --out FILE     the option ROM to write (atomically, mode 0644)\n"
    "  --vendor ID    PCI vendor id in the ROM (default " X4_BOARD_STR(X4_BOARD_GPU_VENDOR) ")\n"
    "  --device ID    PCI device id (default: the VF's, else " X4_BOARD_STR(X4_BOARD_VF_DEVICE) ")\n";

/* The VF's ids: sriov_vf_device of the PF when present, else the PF's own ids (on ADL-N the
 * VFs carry the PF's device id). 0 when no PF is found. */
void x4ctl_rom_vf_ids(const struct x4ctl *g, uint16_t *vendor, uint16_t *device)
{
	static struct x4_config c; /* too big for the stack (CODING-STYLE.md) */
	struct x4_pciaddr pf;
	struct x4_pcidev d;
	struct x4_err e;
	char abs[X4_PCI_ATTR_PATH_MAX];
	char buf[16];
	char *end = NULL;
	unsigned long v;

	*vendor = *device = 0;
	if (x4ctl_load_config(g, &c, &e) < 0)
		x4_config_defaults(&c);
	if (x4_sriov_find_pf(&c.host, &pf, &e) < 0 || x4_pcidev_read_ids(&pf, &d, &e) < 0)
		return;
	*vendor = d.vendor;
	*device = d.device;
	/* The kernel prints it as bare hex ("46d1"). */
	if (x4_pci_attr_path(&pf, "sriov_vf_device", abs, sizeof(abs), &e) < 0 ||
	    x4_sysfs_read(abs, buf, sizeof(buf), &e) < 0 || !buf[0])
		return;
	v = strtoul(buf, &end, 16);
	if (*end == '\0' && v > 0 && v <= 0xffff)
		*device = (uint16_t)v;
}

/* Whether a PE driver is an Intel GOP, and a published one (informational). */
static void rom_check_gop(const char *file)
{
	uint8_t sha[X4_SHA256_LEN];
	char hex[X4_SHA256_HEX];
	const char *known;
	struct x4_err e;
	char *buf = NULL;
	size_t len = 0;

	if (x4ctl_read_file(file, X4_ROM_MAX_SIZE, &buf, &len, &e) < 0)
		return;
	x4_sha256(buf, len, sha);
	x4_sha256_hex(sha, hex);
	known = x4_gop_known(hex);
	printf("gop: %s\n", x4_gop_has_string((const uint8_t *)buf, len)
				     ? "an Intel GOP driver (\"Intel(R) GOP Driver\" inside)"
				     : "no \"Intel(R) GOP Driver\" string: not an Intel GOP driver");
	printf("sha256: %s (%s)\n", hex,
	       known ? known : "not a published known-good GOP; normal for another BIOS version");
	free(buf);
}

static int rom_check(const struct x4ctl *g, const char *file)
{
	struct x4_rom_info info;
	uint16_t ven, dev;
	struct x4_err e;
	unsigned i;
	int fits = 1;

	x4ctl_rom_vf_ids(g, &ven, &dev);
	if (x4_rom_check_file(file, ven, dev, &info, &e) < 0)
		return x4ctl_fail("rom check: %s", e.msg);
	printf("file: %s (%zu bytes)\n", file, info.size);
	printf("kind: %s\n", x4_rom_kind_name(info.kind));
	if (info.kind == X4_ROM_PE32_EFI) {
		printf("pe: %s, machine 0x%04x, subsystem %u\n", info.pe32plus ? "PE32+" : "PE32",
		       info.pe_machine, info.pe_subsystem);
		if (info.pe_machine != X4_PE_MACHINE_X64) {
			printf(
			    "fits: no: not an x86-64 EFI driver (OVMF runs x64 or EBC images)\n");
			fits = 0;
		} else if (info.pe_subsystem != X4_PE_SUBSYSTEM_EFI_BOOT_DRIVER &&
			   info.pe_subsystem != X4_PE_SUBSYSTEM_EFI_RUNTIME_DRIVER) {
			printf("fits: no: an EFI application, not a driver\n");
			fits = 0;
		}
		rom_check_gop(file);
	} else {
		for (i = 0; i < info.n_images; i++) {
			const struct x4_rom_image *im = &info.images[i];

			printf("image %u: offset 0x%zx, %zu bytes, %04x:%04x, class %06x, code "
			       "type %u%s%s\n",
			       i, im->offset, im->length, im->vendor, im->device, im->class_code,
			       im->code_type,
			       im->code_type == X4_ROM_CODE_EFI ? " (EFI)" : " (x86)",
			       (im->indicator & 0x80) ? ", last" : "");
		}
		printf("ids: %04x:%04x\n", info.vendor, info.device);
		if (info.kind != X4_ROM_PCI_EFI) {
			printf("fits: no: no EFI image, OVMF will not run it (rebuild from the GOP "
			       "driver: x4ctl rom build)\n");
			fits = 0;
		} else if (ven && (info.vendor != ven || info.device != dev)) {
			printf(
			    "fits: no: built for %04x:%04x but the VF is %04x:%04x (rebuild: x4ctl "
			    "rom build --device 0x%04x)\n",
			    info.vendor, info.device, ven, dev, dev);
			fits = 0;
		}
	}
	if (info.warning[0])
		printf("warning: %s\n", info.warning);
	if (fits) {
		if (ven)
			printf("fits: yes: the VF is %04x:%04x; use rom_mode = %s\n", ven, dev,
			       info.kind == X4_ROM_PE32_EFI ? "raw (or optionrom after x4ctl rom "
							      "build)"
							    : "raw");
		else
			printf("fits: yes (no PF found to compare ids with)\n");
	}
	return fits ? 0 : 1;
}

int x4ctl_rom_write(const char *path, const uint8_t *buf, size_t len)
{
	char tmp[4096];
	size_t off = 0;
	int fd;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmpXXXXXX", path) >= sizeof(tmp))
		return x4ctl_fail("rom: %s: path too long", path);
	fd = mkstemp(tmp);
	if (fd < 0)
		return x4ctl_fail("rom: cannot create %s: %s: check the directory", tmp,
				  strerror(errno));
	while (off < len) {
		ssize_t w = write(fd, buf + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	if (off != len || fchmod(fd, 0644) < 0 || fsync(fd) < 0 || close(fd) < 0) {
		unlink(tmp);
		return x4ctl_fail("rom: cannot write %s: %s", path, strerror(errno));
	}
	if (rename(tmp, path) < 0) {
		int err = errno;

		unlink(tmp);
		return x4ctl_fail("rom: cannot rename to %s: %s", path, strerror(err));
	}
	return 0;
}

static int rom_build(const struct x4ctl *g, int argc, char **argv)
{
	const char *efi = NULL, *out = NULL;
	unsigned long v = X4_BOARD_GPU_VENDOR, d = 0;
	uint16_t pven, pdev;
	struct x4_rom_info info;
	struct x4_err e;
	uint8_t *rom = NULL;
	size_t len = 0, rlen = 0;
	char *pe = NULL;
	enum { B_EFI = 0x100, B_OUT, B_VENDOR, B_DEVICE };
	static const struct option opts[] = {{"efi", required_argument, NULL, B_EFI},
					     {"out", required_argument, NULL, B_OUT},
					     {"vendor", required_argument, NULL, B_VENDOR},
					     {"device", required_argument, NULL, B_DEVICE},
					     X4CTL_OPT_HELP,
					     X4CTL_OPT_END};
	struct x4ctl_opts o = {.cmd = "rom build", .usage = rom_build_usage, .longopts = opts};
	int c;

	while ((c = x4ctl_opt_next(&o, argc, argv)) != -1) {
		if (c == X4CTL_OPT_EXIT)
			return o.status;
		if (c == B_EFI) {
			efi = optarg;
		} else if (c == B_OUT) {
			out = optarg;
		} else {
			unsigned long *p = c == B_VENDOR ? &v : &d;

			if (x4ctl_parse_uint(optarg, 1, 0xfffe, p))
				return x4ctl_fail("rom build: --%s '%s': give a PCI id like " X4_BOARD_STR(X4_BOARD_VF_DEVICE),
						  c == B_VENDOR ? "vendor" : "device", optarg);
		}
	}
	if (!efi || !out || x4ctl_opt_args(&o, argc, 0, 0))
		return x4ctl_usage("rom build", rom_build_usage);
	if (d == 0) {
		x4ctl_rom_vf_ids(g, &pven, &pdev);
		d = pdev ? pdev : X4_BOARD_VF_DEVICE;
	}
	if (x4ctl_read_file(efi, X4_ROM_MAX_SIZE, &pe, &len, &e) < 0)
		return x4ctl_fail("rom build: %s", e.msg);
	if (x4_rom_build_efi((const uint8_t *)pe, len, (uint16_t)v, (uint16_t)d, &rom, &rlen, &e) <
	    0) {
		free(pe);
		return x4ctl_fail("rom build: %s: %s", efi, e.msg);
	}
	free(pe);
	/* Read back what we made before anyone boots it. */
	if (x4_rom_inspect(rom, rlen, &info, &e) < 0 || info.kind != X4_ROM_PCI_EFI) {
		free(rom);
		return x4ctl_fail("rom build: the built ROM does not parse back: %s", e.msg);
	}
	if (x4ctl_rom_write(out, rom, rlen)) {
		free(rom);
		return 1;
	}
	free(rom);
	printf("wrote %s: PCI option ROM (EFI), %zu bytes, %04lx:%04lx\n", out, rlen, v, d);
	printf("use it with: rom = %s and rom_mode = optionrom\n", out);
	return 0;
}

int x4ctl_rom(struct x4ctl *g, int argc, char **argv)
{
	static const struct option opts[] = {X4CTL_OPT_HELP, X4CTL_OPT_END};
	struct x4ctl_opts o = {.cmd = "rom", .usage = rom_usage, .longopts = opts, .in_order = 1};
	int rc;

	if (x4ctl_opt_next(&o, argc, argv) != -1)
		return o.status;
	if (optind >= argc)
		return x4ctl_usage("rom", rom_usage);
	argc -= optind;
	argv += optind;
	if (strcmp(argv[0], "check") == 0) {
		rc = x4ctl_opt_plain("rom check", rom_check_usage, argc, argv, 1, 1);
		return rc >= 0 ? rc : rom_check(g, argv[optind]);
	}
	if (strcmp(argv[0], "build") == 0)
		return rom_build(g, argc, argv);
	if (strcmp(argv[0], "extract") == 0)
		return x4ctl_rom_extract(g, argc, argv);
	return x4ctl_unknown_sub("rom", argv[0]);
}
