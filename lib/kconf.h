/* SPDX-License-Identifier: MIT */
/* kconf: the kernel-side settings text doctor reads: the kernel command line, modprobe.d
 * "options" lines, shell-style KEY="VALUE" files (dkms.conf). Parsing only, of text the caller
 * read (bounded); no I/O. Callers: x4ctl doctor. */
#ifndef X4_KCONF_H
#define X4_KCONF_H

#include <stddef.h>

#define X4_KCONF_VALUE_MAX 256 /* values are cut to this many bytes (with the NUL) */

/* 1 when word ("intel_iommu=on") is a whole word of the command line, else 0. */
int x4_kconf_cmdline_has(const char *cmdline, const char *word);

/* The value of the last "key" word ("i915.max_vfs=" -> "7") of the command line into out;
 * 0, or -ENOENT. */
int x4_kconf_cmdline_value(const char *cmdline, const char *key, char *out, size_t n);

/* The last "options MOD ... PARAM=VALUE" of a modprobe.d text (len bytes, need not be
 * NUL-terminated) into out; 0, or -ENOENT. Comment lines ('#') are skipped. */
int x4_kconf_modprobe_option(const char *text, size_t len, const char *mod, const char *param,
			     char *out, size_t n);

/* The last KEY=VALUE line of a shell-style text (dkms.conf), one level of '' or "" quotes
 * removed; 0, or -ENOENT. */
int x4_kconf_shell_value(const char *text, size_t len, const char *key, char *out, size_t n);

#endif
