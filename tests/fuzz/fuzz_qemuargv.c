/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the argv model, rewrite and vfio-pci scan on NUL-separated arguments, with
 * invariants. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "qemuargv.h"

#define FUZZ_MAX_ARGS 4096

static const struct x4_pciaddr fuzz_vf = { 0, 0, 2, 1 };

/* Abort (a finding) unless cond holds. */
static void fuzz_require(int cond)
{
	if (!cond)
		abort();
}

static void fuzz_check_rewrite(int argc, char **argv, const struct x4_rewrite *rw)
{
	struct x4_err e;
	char **out = (char **)1, **again = NULL;
	int outn = -1, againn = 0, r, r2;

	r = x4_qemuargv_rewrite(argc, argv, rw, &out, &outn, &e);
	if (r < 0) {
		/* never a half-built argv, always a message */
		fuzz_require(out == NULL && outn == 0 && e.msg[0] != '\0');
		return;
	}
	fuzz_require(out != NULL && out[outn] == NULL);
	fuzz_require(outn == argc + ((r & X4_REWRITE_LG_ADDED) ? 4 : 0));
	if (!(r & X4_REWRITE_LG_ADDED))
		for (int i = 0; i < argc; i++)
			fuzz_require(strcmp(out[i], argv[i]) == 0 ||
				     ((r & X4_REWRITE_ROM_ADDED) && strstr(out[i], "romfile")));
	/* Idempotent: a second pass finds everything in place and adds nothing. */
	r2 = x4_qemuargv_rewrite(outn, out, rw, &again, &againn, &e);
	fuzz_require(r2 >= 0);
	fuzz_require(!(r2 & (X4_REWRITE_ROM_ADDED | X4_REWRITE_LG_ADDED)));
	if (r & X4_REWRITE_LG_ADDED)
		fuzz_require(r2 & X4_REWRITE_LG_PRESENT);
	x4_qemuargv_free(again, againn);
	x4_qemuargv_free(out, outn);
}

/* Every vfio-pci address x4_qemuargv_find_vfio reports is one the rewrite finds a device for. */
static void fuzz_check_find_vfio(int argc, char **argv)
{
	struct x4_pciaddr found[4];
	struct x4_err e;
	int n = x4_qemuargv_find_vfio(argc, argv, found, 4, &e);

	fuzz_require(n <= 4);
	if (n < 0) {
		fuzz_require(e.msg[0] != '\0');
		return;
	}
	for (int i = 0; i < n; i++) {
		struct x4_rewrite rw = { &found[i], "/r.rom", NULL, 0 };
		char **out = NULL;
		int outn = 0, r = x4_qemuargv_rewrite(argc, argv, &rw, &out, &outn, &e);

		fuzz_require(r >= 0 && !(r & X4_REWRITE_ROM_NO_DEVICE));
		x4_qemuargv_free(out, outn);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf, **argv, name[64];
	struct x4_err e;
	int argc = 1;
	struct x4_rewrite rw = { &fuzz_vf, "/var/lib/x4-sriov/g,o\"p.rom", "/dev/kvmfr0",
				 32u << 20 };

	if (size > (1u << 16))
		return 0;
	buf = malloc(size + 1);
	argv = malloc((FUZZ_MAX_ARGS + 2) * sizeof(*argv));
	if (!buf || !argv) {
		free(buf);
		free(argv);
		return 0;
	}
	memcpy(buf, data, size);
	buf[size] = '\0';
	argv[0] = "qemu";
	/* argv[1..]: the input split on NUL bytes */
	for (size_t i = 0, start = 0; i <= size && argc < FUZZ_MAX_ARGS; i++)
		if (buf[i] == '\0') {
			argv[argc++] = buf + start;
			start = i + 1;
		}
	argv[argc] = NULL;

	(void)x4_qemuargv_is_probe(argc, argv);
	if (x4_qemuargv_vm_name(argc, argv, name, sizeof(name), &e) == 0)
		fuzz_require(strlen(name) > 0 && strlen(name) < sizeof(name));
	fuzz_check_find_vfio(argc, argv);
	fuzz_check_rewrite(argc, argv, &rw);
	rw.lg_mem_path = NULL;
	fuzz_check_rewrite(argc, argv, &rw);
	rw = (struct x4_rewrite){ NULL, NULL, "/dev/shm/looking-glass", 1 };
	fuzz_check_rewrite(argc, argv, &rw);
	free(argv);
	free(buf);
	return 0;
}
