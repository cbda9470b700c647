/* SPDX-License-Identifier: MIT */
/* x4ctl: the commands' entry points and the few helpers they share. */
#ifndef X4CTL_H
#define X4CTL_H

#include <getopt.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "err.h"
#include "pciaddr.h"

/* A package build passes its own version (debian/rules: the changelog's). */
#ifndef X4CTL_VERSION
#define X4CTL_VERSION "0.1.0"
#endif

/* Global options, parsed by main before the command. */
struct x4ctl {
	const char *config; /* --config FILE (NULL = x4_config_path()) */
	const char *argv0;  /* how we were run, to find build/bin and templates */
};

/* Each command: argc/argv start at the command's own name; returns the exit status. */
int x4ctl_doctor(struct x4ctl *g, int argc, char **argv);
int x4ctl_status(struct x4ctl *g, int argc, char **argv);
int x4ctl_vf(struct x4ctl *g, int argc, char **argv);
int x4ctl_lgsize(struct x4ctl *g, int argc, char **argv);
int x4ctl_rom(struct x4ctl *g, int argc, char **argv);
/* rom extract (argv[0] = "extract"): the GOP driver from a BIOS image (cli/rom_extract.c). */
int x4ctl_rom_extract(struct x4ctl *g, int argc, char **argv);
/* The VF's PCI ids for a ROM (0 when no PF is found). */
void x4ctl_rom_vf_ids(const struct x4ctl *g, uint16_t *vendor, uint16_t *device);
/* Write buf to path atomically (temp file + rename), mode 0644 so QEMU can read it. 0, or 1
 * after printing why. */
int x4ctl_rom_write(const char *path, const uint8_t *buf, size_t len);
int x4ctl_install(struct x4ctl *g, int argc, char **argv);
int x4ctl_uninstall(struct x4ctl *g, int argc, char **argv);
int x4ctl_define(struct x4ctl *g, int argc, char **argv);
int x4ctl_lg(struct x4ctl *g, int argc, char **argv);

/* x4ctl lg apply: the kvmfr sizes (modprobe.d), qemu.conf ACL entries, udev/AppArmor notes;
 * the body install can call (dry: change nothing; reload: rmmod/modprobe kvmfr when no VM
 * uses it). Returns the exit status. */
int x4ctl_lg_apply(struct x4ctl *g, int argc, char **argv);
/* x4ctl lg build-module (argv[0] = "build-module"): kvmfr with DKMS (cli/lg_build.c). */
int x4ctl_lg_build(struct x4ctl *g, int argc, char **argv);
int x4ctl_lg_apply_run(const struct x4_config *c, int dry, int reload);
/* 1 when kvmfr is loaded and /dev/kvmfr<idx> is not want bytes (*have: its size, 0 unknown). */
int x4ctl_lg_loaded_size(int idx, uint64_t want, uint64_t *have);
/* One line per kvmfr record whose VM is gone from the config, with the lg forget command. */
void x4ctl_lg_orphans(const struct x4_config *c);

/* Looking Glass health of vm in a few words for `x4ctl status` ("B7 alive", "empty", "-"). */
void x4ctl_lg_brief(const struct x4_config *c, const char *vm, char *out, size_t n);

/* "x4ctl: <msg>" on stderr; returns 1 (the failure exit status). */
int x4ctl_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print e->msg as one line; returns 1. */
int x4ctl_fail_err(const struct x4_err *e);
/* Usage error of a command: "x4ctl CMD: <first line of usage> (see x4ctl CMD --help)" on
 * stderr; returns 2. */
int x4ctl_usage(const char *cmd, const char *usage);
/* "x4ctl CMD: unknown command 'SUB': see x4ctl CMD --help"; returns 2. */
int x4ctl_unknown_sub(const char *cmd, const char *sub);

/* Options of one command, parsed with getopt_long over argv (argv[0] = the command's word).
 * Each command keeps one usage text (first line "usage: x4ctl CMD ...") next to it. */
struct x4ctl_opts {
	const char *cmd;              /* "vf create" ("" for main's global options) */
	const char *usage;            /* printed by --help on stdout */
	const struct option *longopts;/* ends with {0}; holds X4CTL_OPT_HELP; other vals >= 0x100 */
	int in_order;                 /* 1: stop at the first argument (a COMMAND follows) */
	int status;                   /* exit status after X4CTL_OPT_EXIT */
	int started;
};
#define X4CTL_OPT_HELP {"help", no_argument, NULL, 'h'}
#define X4CTL_OPT_END {NULL, 0, NULL, 0}
#define X4CTL_OPT_EXIT (-2)
/* Next option's val, -1 when they end (optind = the first argument), or X4CTL_OPT_EXIT with
 * o->status set: 0 after printing the usage (--help, -h), 2 after one line on stderr for an
 * unknown option or a missing value ("x4ctl CMD: unknown option '--x': see ... --help"). */
int x4ctl_opt_next(struct x4ctl_opts *o, int argc, char **argv);
/* After the options: min..max arguments are left, else the usage line (returns 2). */
int x4ctl_opt_args(const struct x4ctl_opts *o, int argc, int min, int max);
/* A command whose only option is --help, with min..max arguments: -1 to go on (they start at
 * argv[optind]), else the exit status to return. */
int x4ctl_opt_plain(const char *cmd, const char *usage, int argc, char **argv, int min, int max);

/* Load the config (--config or the default path); a broken file is an error. */
int x4ctl_load_config(const struct x4ctl *g, struct x4_config *c, struct x4_err *e);

/* Parse an unsigned decimal (or 0x hex) number in [min, max]; -EINVAL otherwise. */
int x4ctl_parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *out);

/* Directory holding the running x4ctl (from /proc/self/exe). */
int x4ctl_self_dir(char *out, size_t n);

/* The templates directory: --templates, else <self>/../../templates (build tree),
 * else <self>/../share/x4-sriov/templates (make install). */
int x4ctl_templates_dir(const char *opt, char *out, size_t n, struct x4_err *e);

/* Read a whole regular file (at most cap bytes) into a malloc'd NUL-terminated buffer. */
int x4ctl_read_file(const char *path, size_t cap, char **buf, size_t *len, struct x4_err *e);

/* Format bytes as "32 MiB" (exact MiB) or "N bytes". */
const char *x4ctl_size_str(uint64_t bytes, char *out, size_t n);

#endif
