/* SPDX-License-Identifier: MIT */
/* x4ctl install / uninstall: set the host up (hook, wrapper, config, kvmfr, qemu.conf, AppArmor,
 * boot unit) and undo it exactly, from the manifest. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "board.h"
#include "install.h"
#include "layout.h"
#include "lg.h"
#include "lgassign.h"
#include "paths.h"
#include "qemuconf.h"
#include "state.h"
#include "sysfs.h"
#include "x4ctl.h"

static const char inst_usage[] =
    "usage: x4ctl install [--packaged] [--dry-run] [--root DIR] [--from DIR] [--templates DIR]\n"
    "Set the host up: hook, wrapper, config, kvmfr, udev, qemu.conf ACL, AppArmor, boot unit.\n"
    "  --packaged        the Debian package's setup (dpkg owns programs, config and unit)\n"
    "  --dry-run         print what would change, touch nothing\n"
    "  --root DIR        install into the host tree under DIR\n"
    "  --from DIR        take the programs from DIR\n"
    "  --templates DIR   take the templates from DIR\n";
static const char uninst_usage[] =
    "usage: x4ctl uninstall [--packaged] [--root DIR]\n"
    "Undo install from its journal, restoring every file it changed.\n"
    "  --packaged   undo the Debian package's setup (its own journal)\n"
    "  --root DIR   the host tree under DIR\n";

#define P_HOOK_BIN X4_HOOK_PATH
#define P_HOOK_CORE X4_HOOK_CORE_PATH
#define P_WRAPPER X4_WRAPPER_PATH
#define P_X4CTL X4_X4CTL_PATH
#define P_HOOK_MAIN "/etc/libvirt/hooks/qemu"
#define P_HOOK_DROPIN "/etc/libvirt/hooks/qemu.d/x4-sriov"
#define P_CONFIG X4_DEFAULT_CONFIG
#define P_MODLOAD "/etc/modules-load.d/x4-sriov.conf"
#define P_UNIT "/etc/systemd/system/x4-sriov-vfs.service"
#define P_UNIT_WANTS "/etc/systemd/system/multi-user.target.wants/x4-sriov-vfs.service"
#define KERNEL_ARGS X4_KARGS_I915 /* board.h */

static char inst_tdir[PATH_MAX];

/* install's and uninstall's options: -1 to go on, else the exit status. */
static int inst_opts(int argc, char **argv, int allow_install, int *dry, int *packaged,
		     const char **from, const char **tdir)
{
	enum { I_PACKAGED = 0x100, I_ROOT, I_DRY, I_FROM, I_TEMPLATES };
	static const struct option inst[] = {{"packaged", no_argument, NULL, I_PACKAGED},
					     {"root", required_argument, NULL, I_ROOT},
					     {"dry-run", no_argument, NULL, I_DRY},
					     {"from", required_argument, NULL, I_FROM},
					     {"templates", required_argument, NULL, I_TEMPLATES},
					     X4CTL_OPT_HELP,
					     X4CTL_OPT_END};
	static const struct option uninst[] = {{"packaged", no_argument, NULL, I_PACKAGED},
					       {"root", required_argument, NULL, I_ROOT},
					       X4CTL_OPT_HELP,
					       X4CTL_OPT_END};
	struct x4ctl_opts o = {.cmd = allow_install ? "install" : "uninstall",
			       .usage = allow_install ? inst_usage : uninst_usage,
			       .longopts = allow_install ? inst : uninst};
	int c;

	while ((c = x4ctl_opt_next(&o, argc, argv)) != -1) {
		switch (c) {
		case X4CTL_OPT_EXIT:
			return o.status;
		case I_PACKAGED:
			*packaged = 1;
			break;
		case I_DRY:
			*dry = 1;
			break;
		case I_ROOT:
			if (optarg[0] != '/') {
				fprintf(stderr, "x4ctl %s: --root %s: give an absolute directory\n",
					o.cmd, optarg);
				return 2;
			}
			setenv("X4_ROOT", optarg, 1);
			break;
		case I_FROM:
			*from = optarg;
			break;
		default: /* I_TEMPLATES */
			*tdir = optarg;
			break;
		}
	}
	return x4ctl_opt_args(&o, argc, 0, 0) ? 2 : -1;
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

/* The kvmfr size for modprobe.d: from the config (lg_size, else lg_resolution), else 32 MiB. */
static unsigned long long inst_lg_mb(const struct x4ctl *g)
{
	static struct x4_config c; /* too big for the stack (CODING-STYLE.md) */
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

/* Is word's key (up to '=') the same as want's? "i915.enable_guc=2" vs "i915.enable_guc=3". */
static int inst_same_key(const char *word, size_t wl, const char *want, size_t ml)
{
	const char *eq = memchr(want, '=', ml);
	size_t kl = eq ? (size_t)(eq - want) + 1 : ml;

	return eq ? wl >= kl && memcmp(word, want, kl) == 0 : wl == ml && memcmp(word, want, ml) == 0;
}

/* cur with each KERNEL_ARGS word in: a word with the same key is replaced where it stands (a
 * different value), a missing one appended. Returns 1 when the line changed. */
int inst_grub_line(const char *cur, char *out, size_t n)
{
	char words[64][128];
	size_t nw = 0, i, o = 0;
	const char *p, *q;
	int changed = 0;

	for (p = cur; *(p += strspn(p, " \t")) && nw < 64; p += strcspn(p, " \t"))
		snprintf(words[nw++], sizeof(words[0]), "%.*s", (int)strcspn(p, " \t"), p);
	for (q = KERNEL_ARGS; *q; q += strspn(q, " ")) {
		size_t ml = strcspn(q, " ");

		for (i = 0; i < nw && !inst_same_key(words[i], strlen(words[i]), q, ml); i++)
			;
		if (i < nw && (strlen(words[i]) != ml || memcmp(words[i], q, ml) != 0)) {
			snprintf(words[i], sizeof(words[0]), "%.*s", (int)ml, q);
			changed = 1;
		} else if (i == nw && nw < 64) {
			snprintf(words[nw++], sizeof(words[0]), "%.*s", (int)ml, q);
			changed = 1;
		}
		q += ml;
	}
	out[0] = '\0';
	for (i = 0; i < nw && o < n; i++)
		o += (size_t)snprintf(out + o, n - o, "%s%s", i ? " " : "", words[i]);
	return changed;
}

/* The GRUB line: the current GRUB_CMDLINE_LINUX_DEFAULT with ours in. */
static void inst_print_grub(void)
{
	char *text = NULL, cur[1024] = "quiet", line[2048];
	const char *p, *k = "GRUB_CMDLINE_LINUX_DEFAULT=\"";
	size_t len = 0;

	if (inst_read_host("/etc/default/grub", &text, &len, NULL) == 0 && (p = strstr(text, k))) {
		const char *q = strchr(p + strlen(k), '"');

		if (q && (size_t)(q - p) - strlen(k) < sizeof(cur))
			snprintf(cur, sizeof(cur), "%.*s", (int)(q - p - strlen(k)), p + strlen(k));
	}
	free(text);
	if (!inst_grub_line(cur, line, sizeof(line))) {
		printf("kernel command line: %s already has %s\n", inst_show("/etc/default/grub"),
		       KERNEL_ARGS);
		return;
	}
	printf("kernel command line (x4ctl does not edit the bootloader): in %s set\n"
	       "  GRUB_CMDLINE_LINUX_DEFAULT=\"%s\"\n"
	       "then run: sudo update-grub && sudo update-initramfs -u && sudo reboot\n"
	       "(update-initramfs: i915-sriov-dkms's module and options must be in the initramfs; "
	       "with the xe driver instead: " X4_KARG_XE_VFS " " X4_KARG_XE_PROBE " "
	       "module_blacklist=i915)\n",
	       inst_show("/etc/default/grub"), line);
}

/* A link to an x4-hook, this build's or another layout's (make install into /usr/local). */
static int inst_our_hook(const char *target)
{
	const char *b = strrchr(target, '/');

	return target[0] == '/' && b && strcmp(b, "/x4-hook") == 0;
}

/* Register the hook once: where it already is ours (main hook or qemu.d), else libvirt's main
 * hook when there is none, else a qemu.d entry beside the user's own hook. The package always
 * uses qemu.d (the main hook is the admin's), unless the main hook already runs ours. */
static int inst_hook(struct inst *in, int packaged, struct x4_err *e)
{
	char main_to[PATH_MAX], drop_to[PATH_MAX];
	int main_there = inst_lexists(P_HOOK_MAIN, main_to, sizeof(main_to));

	inst_lexists(P_HOOK_DROPIN, drop_to, sizeof(drop_to));
	if (packaged && inst_our_hook(main_to)) {
		printf("not registering the hook in %s: %s already runs x4-sriov's hook %s (from "
		       "x4ctl install; x4ctl uninstall of that install hands it to the package)\n",
		       inst_show(P_HOOK_DROPIN), inst_show(P_HOOK_MAIN), main_to);
		return 0;
	}
	if (packaged)
		return inst_link(in, P_HOOK_DROPIN, P_HOOK_BIN, e);
	if (inst_our_hook(drop_to) && strcmp(drop_to, P_HOOK_BIN) != 0) {
		printf("not registering the hook in %s: %s already runs x4-sriov's hook %s\n",
		       inst_show(P_HOOK_MAIN), inst_show(P_HOOK_DROPIN), drop_to);
		return 0;
	}
	if (strcmp(main_to, P_HOOK_BIN) == 0 || (!main_there && strcmp(drop_to, P_HOOK_BIN) != 0))
		return inst_link(in, P_HOOK_MAIN, P_HOOK_BIN, e);
	return inst_link(in, P_HOOK_DROPIN, P_HOOK_BIN, e);
}

/* The programs, the config and the boot unit: a package ships them (dpkg owns them). */
static int inst_owned_files(struct inst *in, const struct inst_src *from, struct x4_err *e)
{
	int rc;

	/* Programs: this build's layout (lib/layout.h). */
	if ((rc = inst_copy_bin(in, from, "x4-hook", P_HOOK_BIN, e)) < 0 ||
	    (rc = inst_copy_bin(in, from, "x4-hook-core", P_HOOK_CORE, e)) < 0 ||
	    (rc = inst_copy_bin(in, from, "qemu-x4", P_WRAPPER, e)) < 0 ||
	    (rc = inst_copy_bin(in, from, "x4ctl", P_X4CTL, e)) < 0)
		return rc;
	return inst_tfile(in, "x4-sriov.conf", NULL, NULL, P_CONFIG, 1, e);
}

/* No VM uses kvmfr: /dev/kvmfr0 at [host]'s size, the generic udev rule and ACL entry. */
static int inst_kvmfr_default(struct inst *in, const struct x4ctl *g, struct x4_err *e)
{
	char mb[32];
	int rc;

	snprintf(mb, sizeof(mb), "%llu", inst_lg_mb(g));
	if ((rc = inst_tfile(in, "kvmfr-modprobe.conf", "@STATIC_SIZE_MB@", mb, X4_LG_MODPROBE_FILE, 0, e)) <
		    0 ||
	    (rc = inst_tfile(in, "99-kvmfr.rules", NULL, NULL, X4_LG_UDEV_FILE, 0, e)) < 0)
		return rc;
	if (inst_exists(X4_QEMUCONF_PATH))
		return inst_edit(in, X4_QEMUCONF_PATH, inst_acl_edit,
				 "added /dev/kvmfr0 to cgroup_device_acl", e);
	printf("skipping %s: not found (install libvirt-daemon-system, then run x4ctl "
	       "install again)\n",
	       inst_show(X4_QEMUCONF_PATH));
	return 0;
}

static int inst_run(struct inst *in, const struct x4ctl *g, const struct inst_src *from,
		    int packaged, struct x4_err *e)
{
	static struct x4_config c; /* 64 VM sections: too big for the stack */
	struct x4_err ce;
	int rc = 0;

	if ((!packaged && (rc = inst_owned_files(in, from, e)) < 0) ||
	    (rc = inst_hook(in, packaged, e)) < 0)
		return rc;
	if ((rc = inst_tfile(in, "modules-load.conf", NULL, NULL, P_MODLOAD, 0, e)) < 0)
		return rc;
	if (!packaged &&
	    ((rc = inst_tfile(in, "x4-sriov-vfs.service", "@X4CTL@", P_X4CTL, P_UNIT, 0, e)) < 0 ||
	     (rc = inst_link(in, P_UNIT_WANTS, P_UNIT, e)) < 0))
		return rc;
	/* kvmfr: a device per Looking Glass VM, sized from the config: written here, not shipped
	 * (x4ctl lg apply runs the same step after a config change). */
	rc = inst_kvmfr(in, x4ctl_load_config(g, &c, &ce) == 0 ? &c : NULL, 1, e);
	if (rc == 0)
		rc = inst_kvmfr_default(in, g, e);
	if (rc < 0)
		return rc;
	if (!in->dry_run)
		inst_kvmfr_group_hint();
	return inst_apparmor(in, g, e);
}

/* --root DIR must be a directory: else every path below it would be blamed instead. */
static int inst_root_ok(const char *cmd)
{
	struct stat st;

	errno = 0;
	if (*x4_root() && (stat(x4_root(), &st) < 0 || !S_ISDIR(st.st_mode)))
		return x4ctl_fail("%s: --root %s: %s: create it first or fix the path", cmd,
				  x4_root(), errno ? strerror(errno) : "not a directory");
	return 0;
}

static void inst_free(struct inst *in)
{
	json_object_put(in->entries);
	free(in->saved);
}

int x4ctl_install(struct x4ctl *g, int argc, char **argv)
{
	struct inst in = {0};
	const char *from = NULL, *tdir = NULL;
	struct inst_src src;
	struct x4_err e;
	int dry = 0, packaged = 0, rc;

	rc = inst_opts(argc, argv, 1, &dry, &packaged, &from, &tdir);
	if (rc >= 0)
		return rc;
	if (inst_root_ok("install"))
		return 1;
	if (packaged)
		inst_use_packaged();
	inst_src_find(&src, from);
	if (x4ctl_templates_dir(tdir, inst_tdir, sizeof(inst_tdir), &e) < 0) {
		if (tdir || access(X4_TEMPLATES_DIR, R_OK | X_OK) != 0)
			return x4ctl_fail("install: %s", e.msg);
		snprintf(inst_tdir, sizeof(inst_tdir), "%s", X4_TEMPLATES_DIR);
	}
	in.dry_run = dry;
	if (inst_manifest_load(&in, &e) < 0)
		return x4ctl_fail("install: %s", e.msg);
	rc = inst_run(&in, g, &src, packaged, &e);
	if (rc < 0) {
		unsigned done = inst_done_count(&in);

		inst_free(&in);
		if (dry || !done)
			return x4ctl_fail("install: %s (nothing was changed)", e.msg);
		return x4ctl_fail("install: %s (what was done so far is in %s; x4ctl uninstall%s "
				  "undoes it)",
				  e.msg, inst_show(INST_MANIFEST), packaged ? " --packaged" : "");
	}
	if (!dry && in.aa_blocks && inst_aa_reload(&e) < 0) {
		inst_free(&in);
		return x4ctl_fail("install: %s", e.msg);
	}
	if (dry)
		printf("dry run: nothing was changed\n");
	else if (in.changed == 0)
		printf("nothing to change: x4-sriov is installed%s%s\n",
		       *x4_root() ? " under " : "", x4_root());
	else if (packaged) /* the package's unit is shipped disabled; libvirtd is never restarted */
		printf("x4-sriov: libvirtd must be restarted to see the hook and qemu.conf: run "
		       "systemctl restart libvirtd when no VM is running (and systemctl enable "
		       "x4-sriov-vfs.service to create the VFs at boot)\n");
	else
		printf("done: now run systemctl daemon-reload && systemctl enable "
		       "x4-sriov-vfs.service && systemctl restart libvirtd (the boot unit creates "
		       "the VFs; libvirtd must see the hook and qemu.conf)\n");
	inst_free(&in);
	inst_print_grub();
	return 0;
}

/* The package goes only when no VM holds a VF: its hook must give the VF back at the VM's
 * stop. 1 (after one line naming the VM and the VF) when one does, or when the state cannot
 * tell. */
static int inst_vf_held(void)
{
	static struct x4_state st; /* 256 claims: too big for the stack */
	char a[X4_PCIADDR_STRLEN];
	struct x4_err e;

	x4_state_init(&st);
	if (x4_state_load(&st, &e) < 0)
		return x4ctl_fail("uninstall: %s: refusing to remove the hook without knowing which "
				  "VMs hold VFs",
				  e.msg);
	if (st.n_claims == 0)
		return 0;
	return x4ctl_fail("uninstall: VM '%s' holds VF %s: shut it down (virsh shutdown %s), "
			  "then remove x4-sriov again",
			  st.claims[0].vm, x4_pciaddr_format(&st.claims[0].vf, a), st.claims[0].vm);
}

int x4ctl_uninstall(struct x4ctl *g, int argc, char **argv)
{
	struct inst in = {0};
	const char *from = NULL, *tdir = NULL;
	struct x4_err e;
	unsigned bad, kept;
	int dry = 0, packaged = 0, rc;

	(void)g;
	rc = inst_opts(argc, argv, 0, &dry, &packaged, &from, &tdir);
	if (rc >= 0)
		return rc;
	if (inst_root_ok("uninstall"))
		return 1;
	if (packaged) {
		inst_use_packaged();
		if (inst_vf_held())
			return 1;
	}
	if (inst_manifest_load(&in, &e) < 0)
		return x4ctl_fail("uninstall: %s", e.msg);
	if (!in.open) {
		printf("nothing to uninstall: no %s\n", inst_show(INST_MANIFEST));
		inst_free(&in);
		return 0;
	}
	bad = inst_undo_all(&in, &kept);
	if (in.aa_blocks && inst_aa_reload(&e) < 0)
		printf("%s\n", e.msg);
	inst_free(&in);
	if (bad)
		return x4ctl_fail("uninstall: %u item(s) could not be undone (listed above): fix "
				  "the cause and run x4ctl uninstall%s again, it resumes",
				  bad, packaged ? " --packaged" : "");
	if (kept)
		printf("uninstalled; kept %u file(s) you changed since install (listed above), as "
		       "dpkg keeps edited conffiles: remove them by hand if you want them gone\n",
		       kept);
	else
		printf("uninstalled: every file x4ctl install wrote is gone or restored\n");
	return 0;
}
