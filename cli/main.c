/* SPDX-License-Identifier: MIT */
/* x4ctl main: global options (--root, --config), dispatch to one file per command. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "x4ctl.h"

static const char usage_text[] =
    "usage: x4ctl [--root DIR] [--config FILE] COMMAND [ARGS]\n"
    "Set up and check iGPU SR-IOV passthrough and Looking Glass for libvirt (x4ctl(8)).\n"
    "\n"
    "Commands:\n"
    "  doctor [--json] [--report FILE] [--xml FILE]... [--uri URI]\n"
    "                                    check every precondition (i915 too), with fixes\n"
    "  status [--json]                   PF, VFs (driver, IOMMU group, VM), Looking Glass devices\n"
    "  vf create [N] | vf remove         create N VFs (default num_vfs) or remove them all\n"
    "  vf bind ADDR | vf unbind ADDR     move a VF to vfio-pci or give it back\n"
    "  vf repair                         rebuild a damaged state, release stale claims\n"
    "  lg-size WxH [--hdr]               Looking Glass memory size and kvmfr static_size_mb\n"
    "  lg status [VM] [--file PATH] [--json] [--watch] [--no-client]\n"
    "                                    is the guest's Looking Glass host running (read-only)\n"
    "  lg apply [--dry-run] [--reload]   kvmfr sizes and ACL for one device per VM\n"
    "  lg forget VM                      free the kvmfr device recorded for a VM\n"
    "  lg build-module SRC_DIR [--kernel VER] [--dry-run]\n"
    "                                    kvmfr with DKMS from Looking Glass's module/\n"
    "  rom check FILE                    what a ROM/EFI file is and whether it fits the VF\n"
    "  rom build --efi FILE --out FILE [--vendor ID] [--device ID]\n"
    "                                    wrap an EFI GOP driver into a PCI option ROM\n"
    "  rom extract IMAGE|--from-flash [--out DIR] [--optionrom] [--device ID] [--pick N]\n"
    "              [--json] [--guid GUID|--name NAME] [--list]\n"
    "                                    the Intel GOP driver from a BIOS image (no UEFITool)\n"
    "  install [--packaged] [--dry-run] [--root DIR] [--from DIR] [--templates DIR]\n"
    "                                    set up the host (hook, wrapper, config, kvmfr, ACL)\n"
    "  uninstall [--packaged] [--root DIR]\n"
    "                                    undo install, restoring every file it changed\n"
    "  define --name NAME [--iso PATH] [--virtio-win PATH] [--disk PATH] [--disk-size SIZE]\n"
    "         [--reuse-disk] [--memory MiB] [--cpus N] [--vf auto|ADDR|INDEX|none]\n"
    "         [--virt-type kvm|qemu] [--emulator PATH] [--templates DIR] [--uri URI] [--print]\n"
    "  define --name NAME --phase run [--xml FILE] [--uri URI] [--print]\n"
    "                                    define a Windows 11 VM with a VF, then switch it to run\n"
    "\n"
    "Global options:\n"
    "  --root DIR      act on the host tree under DIR (same as X4_ROOT=DIR)\n"
    "  --config FILE   read FILE instead of /etc/x4-sriov/x4-sriov.conf (same as X4_CONFIG)\n"
    "  --help, --version\n"
    "Run 'x4ctl COMMAND --help' for a command's options.\n";

int x4ctl_fail(const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	/* NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized): a false positive, ap is started */
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(stderr, "x4ctl: %s\n", line);
	return 1;
}

int x4ctl_fail_err(const struct x4_err *e)
{
	if (e->msg[0])
		return x4ctl_fail("%s", e->msg);
	return x4ctl_fail("%s", strerror(e->code ? e->code : EIO));
}

int x4ctl_load_config(const struct x4ctl *g, struct x4_config *c, struct x4_err *e)
{
	if (g->config)
		return x4_config_load_file(c, g->config, e);
	return x4_config_load(c, e);
}

int x4ctl_parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
	char *end = NULL;
	unsigned long v;
	int base = 10;

	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return -EINVAL;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
		if (!*s)
			return -EINVAL;
	}
	errno = 0;
	v = strtoul(s, &end, base);
	if (errno || *end || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

const char *x4ctl_size_str(uint64_t bytes, char *out, size_t n)
{
	if (bytes && bytes % (1ULL << 20) == 0)
		snprintf(out, n, "%llu MiB", (unsigned long long)(bytes >> 20));
	else
		snprintf(out, n, "%llu bytes", (unsigned long long)bytes);
	return out;
}

struct main_cmd {
	const char *name;
	int (*fn)(struct x4ctl *g, int argc, char **argv);
};

static const struct main_cmd main_cmds[] = {
    {"doctor", x4ctl_doctor},	    {"status", x4ctl_status}, {"vf", x4ctl_vf},
    {"lg-size", x4ctl_lgsize},	    {"rom", x4ctl_rom},	      {"install", x4ctl_install},
    {"uninstall", x4ctl_uninstall}, {"define", x4ctl_define},
    {"lg", x4ctl_lg},
};

enum { MAIN_ROOT = 0x100, MAIN_CONFIG, MAIN_VERSION };

static const struct option main_opts[] = {
    {"root", required_argument, NULL, MAIN_ROOT},
    {"config", required_argument, NULL, MAIN_CONFIG},
    {"version", no_argument, NULL, MAIN_VERSION},
    X4CTL_OPT_HELP,
    X4CTL_OPT_END,
};

int main(int argc, char **argv)
{
	struct x4ctl g = {.config = NULL, .argv0 = argv[0]};
	struct x4ctl_opts o = {.cmd = "", .usage = usage_text, .longopts = main_opts, .in_order = 1};
	const char *env_config;
	int c, i;
	size_t k;

	while ((c = x4ctl_opt_next(&o, argc, argv)) != -1) {
		switch (c) {
		case X4CTL_OPT_EXIT:
			return o.status;
		case MAIN_VERSION:
			printf("x4ctl %s\n", X4CTL_VERSION);
			return 0;
		case MAIN_ROOT:
			if (optarg[0] != '/')
				return x4ctl_fail("--root %s: give an absolute directory", optarg);
			setenv("X4_ROOT", optarg, 1);
			break;
		default: /* MAIN_CONFIG */
			g.config = optarg;
			break;
		}
	}
	i = optind;
	if (i >= argc) {
		fputs(usage_text, stderr);
		return 2;
	}
	env_config = getenv("X4_CONFIG");
	if (!g.config && env_config && *env_config)
		g.config = env_config;
	for (k = 0; k < sizeof(main_cmds) / sizeof(main_cmds[0]); k++)
		if (strcmp(argv[i], main_cmds[k].name) == 0)
			return main_cmds[k].fn(&g, argc - i, argv + i);
	if (strcmp(argv[i], "help") == 0) {
		fputs(usage_text, stdout);
		return 0;
	}
	fprintf(stderr, "x4ctl: unknown command '%s': see x4ctl --help\n", argv[i]);
	return 2;
}
