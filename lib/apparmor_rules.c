/* SPDX-License-Identifier: MIT */
/* apparmor_rules: our rule lines and the marked block in Debian's local includes (x4ctl
 * install and doctor; apparmor.h declares them). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apparmor.h"
#include "layout.h"
#include "lgassign.h"
#include "paths.h"

int x4_aa_quote_path(const char *path, char *out, size_t n)
{
	size_t o = 0;
	const char *p;

	if (!path || path[0] != '/')
		return -EINVAL;
	if (n < 3)
		return -ENAMETOOLONG;
	out[o++] = '"';
	for (p = path; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (c < 0x20 || c == 0x7f)
			return -EINVAL;
		if (o + 4 >= n)
			return -ENAMETOOLONG;
		if (strchr("*?[]{}^\"\\", c))
			out[o++] = '\\';
		out[o++] = (char)c;
	}
	out[o++] = '"';
	out[o] = '\0';
	return 0;
}

/* Append text to out at *o; -ENAMETOOLONG once it does not fit. */
static int aa_add(char *out, size_t n, size_t *o, const char *text)
{
	size_t l = strlen(text);

	if (*o + l >= n)
		return -ENAMETOOLONG;
	memcpy(out + *o, text, l + 1);
	*o += l;
	return 0;
}

int x4_aa_libvirtd_block(char *out, size_t n, struct x4_err *e)
{
	size_t o = 0;

	/* qemu-x4: PUx as the stock profile runs QEMU (/usr/bin/...): libvirt has already asked
	 * for the VM's own libvirt-<uuid> profile on exec, and a probe runs unconfined.
	 * The hook: the stock profile runs the hooks in /etc/libvirt/hooks rmix, but AppArmor judges our
	 * hook symlink by its target in LIBEXECDIR. The same rmix keeps x4-hook and the core it
	 * execs inside libvirtd's profile: they bind PCI devices through sysfs as libvirtd itself
	 * does, and PUx would run root code unconfined (no profile of ours exists). */
	if (aa_add(out, n, &o,
		   X4_AA_BEGIN "\n"
			       "# libvirtd runs qemu-x4 as the emulator, and x4-hook (with x4-hook-core) "
			       "as its qemu hook.\n" X4_WRAPPER_PATH " PUx,\n" X4_HOOK_PATH
			       " rmix,\n" X4_HOOK_CORE_PATH " rmix,\n" X4_AA_END "\n") < 0)
		return x4_fail(e, ENAMETOOLONG, "AppArmor rules do not fit in %zu bytes", n);
	return 0;
}

/* Is path one of the globs the block always has? Then it needs no line of its own. */
static int aa_covered(const char *path)
{
	static const char *const dirs[] = {X4_CONF_DIR "/", X4_RUN_DIR "/", X4_STATE_DIR "/",
					   X4_LG_SHM_PREFIX};
	size_t i;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (strncmp(path, dirs[i], strlen(dirs[i])) == 0 && !strstr(path, "/../"))
			return 1;
	return strncmp(path, "/dev/kvmfr", 10) == 0 && path[10] >= '0' && path[10] <= '9' &&
	       !path[11];
}

/* One line "PATH PERM," for a configured path the globs above miss, once. */
static int aa_path_line(char *out, size_t n, size_t *o, const char *path, const char *perm,
			char *skipped, size_t skipped_n)
{
	char q[1100], line[1200];

	if (!path[0] || aa_covered(path))
		return 0;
	if (x4_aa_quote_path(path, q, sizeof(q)) < 0) {
		if (skipped && strlen(skipped) + 40 < skipped_n)
			snprintf(skipped + strlen(skipped), skipped_n - strlen(skipped), "%sa %s path",
				 skipped[0] ? ", " : "", perm);
		return 0;
	}
	snprintf(line, sizeof(line), "%s %s,\n", q, perm);
	if (memmem(out, *o, line, strlen(line)))
		return 0;
	return aa_add(out, n, o, line);
}

/* One line per kvmfr device the config gives a VM (lgassign); every device when it gives none
 * (a device set up by hand keeps working). */
static int aa_kvmfr_lines(const struct x4_config *c, char *out, size_t n, size_t *o)
{
	struct x4_lg_dev dev[X4_LG_MAX_DEVICES];
	int count = c ? x4_lg_table(c, dev, NULL) : 0, i, rc = 0;
	char line[32];

	if (count <= 0)
		return aa_add(out, n, o, "/dev/kvmfr[0-9] rw,\n");
	for (i = 0; i < count && rc == 0; i++)
		if (dev[i].used) {
			snprintf(line, sizeof(line), "/dev/kvmfr%d rw,\n", i);
			rc = aa_add(out, n, o, line);
		}
	return rc;
}

int x4_aa_qemu_block(const struct x4_config *c, char *out, size_t n, char *skipped,
		     size_t skipped_n, struct x4_err *e)
{
	size_t o = 0;
	unsigned i;
	int rc;

	if (skipped && skipped_n)
		skipped[0] = '\0';
	rc = aa_add(out, n, &o,
		    X4_AA_BEGIN "\n"
				"# QEMU's profile runs the emulator libvirt names, qemu-x4, which reads "
				"its config and plan and execs QEMU.\n" X4_WRAPPER_PATH
				" rmix,\n" X4_CONF_DIR "/** r,\n" X4_RUN_DIR "/** r,\n"
				X4_STATE_DIR "/** r,\n"
				"# Looking Glass: the kvmfr device or the shared memory file.\n");
	rc = rc < 0 ? rc : aa_kvmfr_lines(c, out, n, &o);
	rc = rc < 0 ? rc
		    : aa_add(out, n, &o,
			     X4_LG_SHM_PREFIX "* rw,\n"
			     "# What x4-sriov.conf names elsewhere: ROMs (rom =), kvmfr devices.\n");
	for (i = 0; c && i <= c->n_vms && rc == 0; i++) {
		const struct x4_settings *s = i == 0 ? &c->host : &c->vms[i - 1].s;

		rc = aa_path_line(out, n, &o, s->rom, "r", skipped, skipped_n);
		if (rc == 0 && s->lg == X4_LG_KVMFR)
			rc = aa_path_line(out, n, &o, s->lg_path, "rw", skipped, skipped_n);
	}
	if (rc == 0)
		rc = aa_add(out, n, &o, X4_AA_END "\n");
	if (rc < 0)
		return x4_fail(e, ENAMETOOLONG, "AppArmor rules do not fit in %zu bytes", n);
	return 0;
}

/* Does a line start at p (in text)? */
static int aa_line_start(const char *text, const char *p)
{
	return p == text || p[-1] == '\n';
}

int x4_aa_block_find(const char *text, size_t len, size_t *start, size_t *end)
{
	const char *f = text, *b, *last;
	size_t el = strlen(X4_AA_END), bl = strlen(X4_AA_BEGIN) + 1;

	/* Ours is a whole block: an END line, and the last BEGIN line before it. Half a block, or
	 * the same words inside another line, is not ours and is left as it is. */
	while ((f = memmem(f, len - (size_t)(f - text), X4_AA_END, el))) {
		size_t fo = (size_t)(f - text);

		if (aa_line_start(text, f) && (fo + el == len || f[el] == '\n')) {
			for (last = NULL, b = text; (b = memmem(b, fo - (size_t)(b - text),
								 X4_AA_BEGIN "\n", bl));
			     b++)
				if (aa_line_start(text, b))
					last = b;
			if (last) {
				*start = (size_t)(last - text);
				*end = fo + el + (fo + el < len);
				return 1;
			}
		}
		f += el;
	}
	return 0;
}

int x4_aa_block_set(const char *text, size_t len, const char *block, char **out,
		    size_t *out_len, int *sep)
{
	size_t s, en, bl = strlen(block), add = 0;
	char *p;

	if (x4_aa_block_find(text, len, &s, &en)) {
		if (en - s == bl && memcmp(text + s, block, bl) == 0)
			return 0;
	} else {
		s = en = len;
		add = len && text[len - 1] != '\n';
		if (sep)
			*sep = (int)add;
	}
	p = malloc(len - (en - s) + add + bl + 1);
	if (!p)
		return -ENOMEM;
	memcpy(p, text, s);
	if (add)
		p[s] = '\n';
	memcpy(p + s + add, block, bl);
	memcpy(p + s + add + bl, text + en, len - en);
	*out_len = len - (en - s) + add + bl;
	p[*out_len] = '\0';
	*out = p;
	return 1;
}

int x4_aa_block_remove(const char *text, size_t len, int sep, char **out, size_t *out_len)
{
	size_t s, en;
	char *p;

	if (!x4_aa_block_find(text, len, &s, &en))
		return 0;
	if (sep && en == len && s > 0 && text[s - 1] == '\n')
		s--;
	p = malloc(len - (en - s) + 1);
	if (!p)
		return -ENOMEM;
	memcpy(p, text, s);
	memcpy(p + s, text + en, len - en);
	*out_len = len - (en - s);
	p[*out_len] = '\0';
	*out = p;
	return 1;
}

int x4_aa_block_present(const char *text, size_t len, const char *block)
{
	size_t s, en;

	return text && x4_aa_block_find(text, len, &s, &en) && en - s == strlen(block) &&
	       memcmp(text + s, block, en - s) == 0;
}
