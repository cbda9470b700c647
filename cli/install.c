/* SPDX-License-Identifier: MIT */
/* x4ctl install / uninstall: set the host up (hook, wrapper, config, kvmfr, qemu.conf, AppArmor,
 * boot unit) and undo it exactly, from the manifest. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "install.h"
#include "layout.h"
#include "lg.h"
#include "paths.h"
#include "qemuconf.h"
#include "sysfs.h"
#include "x4ctl.h"

#define INST_SYN "install [--dry-run] [--root DIR] [--from DIR] [--templates DIR]"
#define UNINST_SYN "uninstall [--root DIR]"

#define P_HOOK_BIN X4_HOOK_PATH
#define P_HOOK_CORE X4_HOOK_CORE_PATH
#define P_WRAPPER X4_WRAPPER_PATH
#define P_X4CTL X4_X4CTL_PATH
#define P_HOOK_MAIN "/etc/libvirt/hooks/qemu"
#define P_HOOK_DROPIN "/etc/libvirt/hooks/qemu.d/x4-sriov"
#define P_CONFIG X4_DEFAULT_CONFIG
#define P_MODPROBE "/etc/modprobe.d/x4-sriov-kvmfr.conf"
#define P_MODLOAD "/etc/modules-load.d/x4-sriov.conf"
#define P_UDEV "/etc/udev/rules.d/99-kvmfr.rules"
#define P_AA_LOCAL "/etc/apparmor.d/local/abstractions/libvirt-qemu"
#define P_UNIT "/etc/systemd/system/x4-sriov-vfs.service"
#define P_UNIT_WANTS "/etc/systemd/system/multi-user.target.wants/x4-sriov-vfs.service"
#define KERNEL_ARGS "intel_iommu=on iommu=pt i915.enable_guc=3 i915.max_vfs=7 module_blacklist=xe"

static char inst_tdir[PATH_MAX];
static char inst_aa[4096];

static int inst_opts(int argc, char **argv, int allow_install, int *dry, const char **from,
		     const char **tdir)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (allow_install && strcmp(argv[i], "--dry-run") == 0) {
			*dry = 1;
		} else if (strcmp(argv[i], "--root") == 0 && i + 1 < argc) {
			if (argv[i + 1][0] != '/')
				return -1;
			setenv("X4_ROOT", argv[++i], 1);
		} else if (allow_install && strcmp(argv[i], "--from") == 0 && i + 1 < argc) {
			*from = argv[++i];
		} else if (allow_install && strcmp(argv[i], "--templates") == 0 && i + 1 < argc) {
			*tdir = argv[++i];
		} else {
			return -1;
		}
	}
	return 0;
}

/* A template with @KEY@ replaced by val (one key is all any template has). */
static char *inst_template(const char *name, const char *key, const char *val, size_t *len,
			   struct x4_err *e)
{
	char path[PATH_MAX + 64], *buf = NULL, *at, *out;
	size_t n = 0, kl, vl;

	snprintf(path, sizeof(path), "%s/%s", inst_tdir, name);
	if (x4ctl_read_file(path, 1u << 20, &buf, &n, e) < 0)
		return NULL;
	if (!key || !(at = strstr(buf, key))) {
		*len = n;
		return buf;
	}
	kl = strlen(key);
	vl = strlen(val);
	out = malloc(n - kl + vl + 1);
	if (out) {
		memcpy(out, buf, (size_t)(at - buf));
		memcpy(out + (at - buf), val, vl);
		memcpy(out + (at - buf) + vl, at + kl, n - (size_t)(at - buf) - kl + 1);
		*len = n - kl + vl;
	}
	free(buf);
	return out;
}

/* Where the programs to install come from: --from DIR holds all four (a build tree's bin/);
 * else x4ctl's own directory when its siblings are there (./build/bin/x4ctl install); else
 * where this build's `make install` put each (BINDIR, SBINDIR, LIBEXECDIR), on the real root. */
struct inst_src {
	const char *from;
	char self[PATH_MAX];
};

static void inst_src_path(const struct inst_src *s, const char *name, const char *installed,
			  char *out, size_t n)
{
	if (s->from)
		snprintf(out, n, "%s/%s", s->from, name);
	else
		snprintf(out, n, "%s", installed);
}

static int inst_copy_bin(struct inst *in, const struct inst_src *s, const char *name,
			 const char *dest, struct x4_err *e)
{
	char src[PATH_MAX + 64], why[sizeof(e->msg)], *buf = NULL;
	size_t n = 0;
	int rc;

	inst_src_path(s, name, dest, src, sizeof(src));
	if (x4ctl_read_file(src, 64u << 20, &buf, &n, e) < 0) {
		snprintf(why, sizeof(why), "%s", e->msg); /* e->msg cannot be its own argument */
		return x4_fail(e, e->code,
			       "%s: build it first (make, then sudo make install), or pass "
			       "--from DIR (a build tree's build/bin)",
			       why);
	}
	rc = inst_file(in, dest, buf, n, 0755, 0, e);
	free(buf);
	return rc;
}

/* The build tree: x4ctl's directory holds qemu-x4 and x4-hook too. */
static void inst_src_find(struct inst_src *s, const char *from)
{
	static const char *const sib[] = {"qemu-x4", "x4-hook", "x4-hook-core"};
	char p[PATH_MAX + 32];
	size_t i;

	s->from = from;
	if (from || x4ctl_self_dir(s->self, sizeof(s->self)) < 0)
		return;
	for (i = 0; i < sizeof(sib) / sizeof(sib[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", s->self, sib[i]);
		if (access(p, R_OK) != 0)
			return;
	}
	s->from = s->self;
}

static int inst_tfile(struct inst *in, const char *tname, const char *key, const char *val,
		      const char *dest, int keep_user, struct x4_err *e)
{
	size_t n = 0;
	char *buf = inst_template(tname, key, val, &n, e);
	int rc;

	if (!buf)
		return -ENOENT;
	rc = inst_file(in, dest, buf, n, 0644, keep_user, e);
	free(buf);
	return rc;
}

static int inst_acl_edit(const char *text, size_t len, char **out, size_t *out_len,
			 struct x4_err *e)
{
	return x4_qemuconf_acl_add(text, len, "/dev/kvmfr0", out, out_len, e);
}

/* Append the AppArmor lines once (their first line marks them). */
static int inst_aa_edit(const char *text, size_t len, char **out, size_t *out_len, struct x4_err *e)
{
	const char *nl = strchr(inst_aa, '\n');
	char first[256];
	size_t fl = nl ? (size_t)(nl - inst_aa) : strlen(inst_aa), al = strlen(inst_aa), sep;

	snprintf(first, sizeof(first), "%.*s", (int)fl, inst_aa);
	if (memmem(text, len, first, strlen(first)))
		return 0;
	sep = len && text[len - 1] != '\n';
	*out = malloc(len + sep + al + 1);
	if (!*out)
		return x4_fail(e, ENOMEM, "out of memory");
	memcpy(*out, text, len);
	if (sep)
		(*out)[len] = '\n';
	memcpy(*out + len + sep, inst_aa, al + 1);
	*out_len = len + sep + al;
	return 1;
}

/* The kvmfr size for modprobe.d: from the config (lg_size, else lg_resolution), else 32 MiB. */
static unsigned long long inst_lg_mb(const struct x4ctl *g)
{
	struct x4_config c;
	struct x4_err e;
	uint64_t b = 0;

	if (x4ctl_load_config(g, &c, &e) == 0) {
		if (c.host.lg_size)
			b = c.host.lg_size;
		else if (c.host.lg_width)
			b = x4_lg_size_for(c.host.lg_width, c.host.lg_height, c.host.lg_hdr);
	}
	return b ? b >> 20 : X4_LG_DEFAULT_SIZE >> 20;
}

static int inst_exists(const char *abs)
{
	return x4_sysfs_exists(abs) == 1;
}

/* The GRUB line: the current GRUB_CMDLINE_LINUX_DEFAULT plus what is missing. */
static void inst_print_grub(void)
{
	char *text = NULL, cur[1024] = "quiet", line[2048], word[128];
	const char *p, *k = "GRUB_CMDLINE_LINUX_DEFAULT=\"";
	size_t len = 0, o;
	struct x4_err e;
	int missing = 0;

	if (inst_read_host("/etc/default/grub", &text, &len, &e) == 0 && (p = strstr(text, k))) {
		const char *q = strchr(p + strlen(k), '"');

		if (q && (size_t)(q - p) - strlen(k) < sizeof(cur))
			snprintf(cur, sizeof(cur), "%.*s", (int)(q - p - strlen(k)), p + strlen(k));
	}
	free(text);
	o = (size_t)snprintf(line, sizeof(line), "%s", cur);
	for (p = KERNEL_ARGS; *p;) {
		size_t wl = strcspn(p, " ");
		char pad[132];

		snprintf(word, sizeof(word), "%.*s", (int)wl, p);
		snprintf(pad, sizeof(pad), " %s ", word);
		{
			char hay[1100];

			snprintf(hay, sizeof(hay), " %s ", cur);
			if (!strstr(hay, pad) && o + wl + 2 < sizeof(line)) {
				o += (size_t)snprintf(line + o, sizeof(line) - o, "%s%s",
						      o ? " " : "", word);
				missing = 1;
			}
		}
		p += wl;
		p += strspn(p, " ");
	}
	if (!missing) {
		printf("kernel command line: /etc/default/grub already has %s\n", KERNEL_ARGS);
		return;
	}
	printf(
	    "kernel command line (x4ctl does not edit the bootloader): in /etc/default/grub set\n"
	    "  GRUB_CMDLINE_LINUX_DEFAULT=\"%s\"\n"
	    "then run: update-grub && reboot\n"
	    "(with the xe driver instead of i915-sriov-dkms: xe.max_vfs=7 xe.force_probe=46d1 "
	    "module_blacklist=i915)\n",
	    line);
}

static int inst_run(struct inst *in, const struct x4ctl *g, const struct inst_src *from,
		    struct x4_err *e)
{
	char mb[32];
	size_t n = 0;
	char *aa;
	int rc = 0;

	/* Programs: make install's paths. */
	if ((rc = inst_copy_bin(in, from, "x4-hook", P_HOOK_BIN, e)) < 0 ||
	    (rc = inst_copy_bin(in, from, "x4-hook-core", P_HOOK_CORE, e)) < 0 ||
	    (rc = inst_copy_bin(in, from, "qemu-x4", P_WRAPPER, e)) < 0 ||
	    (rc = inst_copy_bin(in, from, "x4ctl", P_X4CTL, e)) < 0)
		return rc;
	/* The hook: libvirt's main hook when there is none (or it is ours), else a qemu.d entry. */
	if (!inst_exists(P_HOOK_MAIN) || inst_find(in, "link", P_HOOK_MAIN))
		rc = inst_link(in, P_HOOK_MAIN, P_HOOK_BIN, e);
	else
		rc = inst_link(in, P_HOOK_DROPIN, P_HOOK_BIN, e);
	if (rc < 0)
		return rc;
	snprintf(mb, sizeof(mb), "%llu", inst_lg_mb(g));
	if ((rc = inst_tfile(in, "x4-sriov.conf", NULL, NULL, P_CONFIG, 1, e)) < 0 ||
	    (rc = inst_tfile(in, "kvmfr-modprobe.conf", "@STATIC_SIZE_MB@", mb, P_MODPROBE, 0, e)) <
		0 ||
	    (rc = inst_tfile(in, "modules-load.conf", NULL, NULL, P_MODLOAD, 0, e)) < 0 ||
	    (rc = inst_tfile(in, "99-kvmfr.rules", NULL, NULL, P_UDEV, 0, e)) < 0 ||
	    (rc = inst_tfile(in, "x4-sriov-vfs.service", "@X4CTL@", P_X4CTL, P_UNIT, 0, e)) < 0 ||
	    (rc = inst_link(in, P_UNIT_WANTS, P_UNIT, e)) < 0)
		return rc;
	if (inst_exists(X4_QEMUCONF_PATH))
		rc = inst_edit(in, X4_QEMUCONF_PATH, inst_acl_edit,
			       "added /dev/kvmfr0 to cgroup_device_acl", e);
	else
		printf("skipping %s: not found (install libvirt-daemon-system, then run x4ctl "
		       "install again)\n",
		       X4_QEMUCONF_PATH);
	if (rc < 0)
		return rc;
	if (inst_exists("/sys/kernel/security/apparmor") || inst_exists("/etc/apparmor.d")) {
		aa = inst_template("apparmor-libvirt-qemu", NULL, NULL, &n, e);
		if (!aa)
			return -ENOENT;
		snprintf(inst_aa, sizeof(inst_aa), "%s", aa);
		free(aa);
		if (inst_exists(P_AA_LOCAL))
			rc = inst_edit(in, P_AA_LOCAL, inst_aa_edit,
				       "allowed the Looking Glass "
				       "device and x4-sriov's ROMs",
				       e);
		else
			rc = inst_file(in, P_AA_LOCAL, inst_aa, strlen(inst_aa), 0644, 0, e);
		if (rc < 0)
			return rc;
	}
	return inst_manifest_save(in, e);
}

int x4ctl_install(struct x4ctl *g, int argc, char **argv)
{
	struct inst in = {0};
	const char *from = NULL, *tdir = NULL;
	struct inst_src src;
	struct x4_err e;
	int dry = 0, rc;

	if (argc >= 2 && strcmp(argv[1], "--help") == 0)
		return printf("usage: x4ctl %s\n", INST_SYN), 0;
	if (inst_opts(argc, argv, 1, &dry, &from, &tdir))
		return x4ctl_usage("install", INST_SYN);
	inst_src_find(&src, from);
	if (x4ctl_templates_dir(tdir, inst_tdir, sizeof(inst_tdir), &e) < 0) {
		if (tdir || access(X4_TEMPLATES_DIR, R_OK | X_OK) != 0)
			return x4ctl_fail("install: %s", e.msg);
		snprintf(inst_tdir, sizeof(inst_tdir), "%s", X4_TEMPLATES_DIR);
	}
	in.dry_run = dry;
	if (inst_manifest_load(&in, &e) < 0)
		return x4ctl_fail("install: %s", e.msg);
	rc = inst_run(&in, g, &src, &e);
	json_object_put(in.entries);
	free(in.loaded);
	if (rc < 0)
		return x4ctl_fail("install: %s (what was done so far is in " INST_MANIFEST
				  "; x4ctl uninstall undoes it)",
				  e.msg);
	if (!dry && in.changed == 0)
		printf("nothing to change: x4-sriov is installed%s%s\n",
		       *x4_root() ? " under " : "", x4_root());
	else if (!dry)
		printf(
		    "done: restart libvirtd so it sees the hook and qemu.conf (systemctl restart "
		    "libvirtd); enable the boot unit with systemctl daemon-reload\n");
	inst_print_grub();
	return 0;
}

int x4ctl_uninstall(struct x4ctl *g, int argc, char **argv)
{
	struct inst in = {0};
	const char *from = NULL, *tdir = NULL;
	struct x4_err e;
	unsigned bad;
	int dry = 0;

	(void)g;
	if (argc >= 2 && strcmp(argv[1], "--help") == 0)
		return printf("usage: x4ctl %s\n", UNINST_SYN), 0;
	if (inst_opts(argc, argv, 0, &dry, &from, &tdir))
		return x4ctl_usage("uninstall", UNINST_SYN);
	if (inst_manifest_load(&in, &e) < 0)
		return x4ctl_fail("uninstall: %s", e.msg);
	if (json_object_array_length(in.entries) == 0 && in.loaded && !in.loaded[0]) {
		printf("nothing to uninstall: no " INST_MANIFEST "\n");
		json_object_put(in.entries);
		free(in.loaded);
		return 0;
	}
	bad = inst_undo_all(&in);
	json_object_put(in.entries);
	free(in.loaded);
	if (bad)
		return x4ctl_fail("uninstall: %u item(s) changed since install were kept (listed "
				  "above)",
				  bad);
	printf("uninstalled: every file x4ctl install wrote is gone or restored\n");
	return 0;
}
