/* SPDX-License-Identifier: MIT */
/* x4ctl lg apply [--dry-run] [--reload]: x4ctl install's kvmfr step alone (install_kvmfr.c),
 * into install's journal so x4ctl uninstall undoes it: every looking_glass = kvmfr VM
 * recorded, the static_size_mb list in modprobe.d, a udev rule, a cgroup_device_acl entry and
 * an AppArmor line per device; says when kvmfr must be reloaded, and reloads it only when no
 * VM uses it. */
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "install.h"
#include "lgassign.h"
#include "lgsize_check.h"
#include "plan.h"
#include "sysfs.h"
#include "x4ctl.h"

static const char apply_usage[] =
    "usage: x4ctl lg apply [--dry-run] [--reload]\n"
    "Give each VM with looking_glass = kvmfr its own kvmfr device: the sizes (modprobe.d), a\n"
    "udev rule, the qemu.conf ACL entry and the AppArmor line per device, in x4ctl install's\n"
    "journal (x4ctl uninstall undoes them).\n"
    "  --dry-run   print what would change, touch nothing\n"
    "  --reload    then reload kvmfr (refused while a VM uses a kvmfr device)\n";

extern char **environ;

/* VMs between prepare and release whose plan holds a kvmfr device ("" when none). A plan
 * that cannot be read may hold one: its VM counts as a user, and the error is printed. */
static void apply_users(const struct x4_config *c, char *out, size_t n)
{
	unsigned i;
	size_t len = 0;

	out[0] = '\0';
	for (i = 0; i < c->n_vms && len < n; i++) {
		struct x4_plan p;
		struct x4_err e;
		int rc = x4_plan_read(c->vms[i].name, &p, &e);

		if (rc < 0 && rc != -ENOENT)
			fprintf(stderr, "x4ctl: %s\n", e.msg);
		if (rc == 0 && p.lg == X4_LG_KVMFR)
			len += (size_t)snprintf(out + len, n - len, "%s%s (%s)", len ? ", " : "",
						p.vm, p.lg_path);
		else if (rc < 0 && rc != -ENOENT)
			len += (size_t)snprintf(out + len, n - len, "%s%s (plan unreadable)",
						len ? ", " : "", c->vms[i].name);
	}
}

static int apply_modprobe(const char *op)
{
	char *argv[] = {"modprobe", (char *)op, "kvmfr", NULL};
	pid_t pid;
	int st;

	if (!op[0]) {
		argv[1] = "kvmfr";
		argv[2] = NULL;
	}
	if (posix_spawnp(&pid, "modprobe", NULL, NULL, argv, environ) != 0 ||
	    waitpid(pid, &st, 0) < 0)
		return -1;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

int x4ctl_lg_loaded_size(int idx, uint64_t want, uint64_t *have)
{
	char abs[32];

	*have = 0;
	if (x4_sysfs_exists("/sys/module/kvmfr") != 1)
		return 0; /* not loaded: the next load reads the new sizes */
	snprintf(abs, sizeof(abs), "/dev/kvmfr%d", idx);
	return x4_lg_region_size(abs, have, NULL) < 0 || *have != want;
}

void x4ctl_lg_orphans(const struct x4_config *c)
{
	struct x4_lg_store st;
	char line[512];
	unsigned i;

	if (x4_lg_store_load(&st, NULL) == 0)
		for (i = 0; i < X4_LG_MAX_DEVICES; i++)
			if (x4_lg_orphan_line(c, &st, i, line, sizeof(line)))
				printf("%s\n", line);
}

/* The table, each device's VM and size, and what the loaded module has instead. 1 when the
 * loaded kvmfr has other sizes (a reload is needed). */
static int apply_show(const struct x4_config *c, const struct x4_lg_dev *dev, int count)
{
	char sz[32];
	int i, stale = 0;

	for (i = 0; i < count; i++) {
		uint64_t have = 0;

		printf("/dev/kvmfr%d  %-9s %s", i, x4ctl_size_str(dev[i].size, sz, sizeof(sz)),
		       dev[i].used  ? dev[i].vm
		       : dev[i].vm[0] ? "(recorded for a VM gone from the config)"
				      : "(unused, kvmfr's list has no gaps)");
		if (dev[i].other[0])
			printf("  (warning: VM %s wants another size: give it its own device with "
			       "looking_glass = kvmfr)",
			       dev[i].other);
		if (x4ctl_lg_loaded_size(i, dev[i].size, &have)) {
			printf("  [loaded kvmfr has %s]",
			       have ? x4ctl_size_str(have, sz, sizeof(sz)) : "no such device");
			stale = 1;
		}
		printf("\n");
	}
	x4ctl_lg_orphans(c);
	return stale;
}

int x4ctl_lg_apply_run(const struct x4_config *c, int dry, int reload)
{
	struct x4_lg_dev dev[X4_LG_MAX_DEVICES];
	char users[1024];
	const char *root = getenv("X4_ROOT");
	struct inst in = {0};
	struct x4_err e;
	int count = x4_lg_table(c, dev, &e), stale, rc;
	unsigned before;

	if (count < 0)
		return x4ctl_fail_err(&e);
	if (count == 0) {
		printf("no VM uses kvmfr (looking_glass = kvmfr or /dev/kvmfrN): nothing to apply\n");
		x4ctl_lg_orphans(c);
		return 0;
	}
	stale = apply_show(c, dev, count);
	in.dry_run = dry;
	if (inst_manifest_load(&in, &e) < 0)
		return x4ctl_fail("lg apply: %s", e.msg);
	before = in.changed;
	rc = inst_kvmfr(&in, c, 0, &e);
	if (rc >= 0)
		rc = inst_apparmor_qemu(&in, c, &e);
	if (rc >= 0 && !dry && in.aa_blocks)
		rc = inst_aa_reload(&e);
	json_object_put(in.entries);
	free(in.saved);
	if (rc < 0)
		return x4ctl_fail("lg apply: %s (x4ctl uninstall undoes what was written)", e.msg);
	if (in.changed == before && !dry)
		printf("unchanged: " X4_LG_MODPROBE_FILE ", " X4_LG_UDEV_FILE
		       ", cgroup_device_acl and the AppArmor rules\n");
	else if (!dry)
		printf("restart libvirtd when no VM runs, for a new cgroup_device_acl (x4ctl "
		       "uninstall undoes these files)\n");
	inst_kvmfr_group_hint();
	if (!stale)
		return 0;
	apply_users(c, users, sizeof(users));
	if (!reload) {
		printf("kvmfr must be reloaded for these sizes: %s\n",
		       users[0] ? "stop the VMs using it first, then x4ctl lg apply --reload"
				: "x4ctl lg apply --reload (rmmod kvmfr; modprobe kvmfr)");
		if (users[0])
			printf("in use by: %s\n", users);
		return 0;
	}
	if (users[0])
		return x4ctl_fail("lg apply --reload: refused, kvmfr is in use by VM %s: stop it "
				  "first",
				  users);
	if (dry)
		return printf("would reload kvmfr\n"), 0;
	if (root && *root)
		return x4ctl_fail("lg apply --reload: not with --root (it reloads this machine's "
				  "kvmfr)");
	if (apply_modprobe("-r") < 0 || apply_modprobe("") < 0)
		return x4ctl_fail("lg apply --reload: modprobe -r kvmfr / modprobe kvmfr failed: "
				  "is a client still holding /dev/kvmfrN? close it and retry");
	printf("reloaded kvmfr\n");
	return 0;
}

int x4ctl_lg_apply(struct x4ctl *g, int argc, char **argv)
{
	static struct x4_config c; /* too big for the stack (CODING-STYLE.md) */
	struct x4_err e;
	int dry = 0, reload = 0, c_opt;
	enum { A_DRY = 0x100, A_RELOAD };
	static const struct option opts[] = {{"dry-run", no_argument, NULL, A_DRY},
					     {"reload", no_argument, NULL, A_RELOAD},
					     X4CTL_OPT_HELP,
					     X4CTL_OPT_END};
	struct x4ctl_opts o = {.cmd = "lg apply", .usage = apply_usage, .longopts = opts};

	while ((c_opt = x4ctl_opt_next(&o, argc, argv)) != -1) {
		if (c_opt == X4CTL_OPT_EXIT)
			return o.status;
		if (c_opt == A_DRY)
			dry = 1;
		else
			reload = 1;
	}
	if (x4ctl_opt_args(&o, argc, 0, 0))
		return 2;
	if (x4ctl_load_config(g, &c, &e) < 0)
		return x4ctl_fail_err(&e);
	return x4ctl_lg_apply_run(&c, dry, reload);
}
