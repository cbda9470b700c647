/* SPDX-License-Identifier: MIT */
/* x4ctl lg apply [--dry-run] [--reload]: give kvmfr one device per Looking Glass VM: the
 * static_size_mb list in modprobe.d, every device in qemu.conf's cgroup_device_acl, and what
 * udev and AppArmor need; says when kvmfr must be reloaded, and reloads it only when no VM
 * uses it. `x4ctl install` can call x4ctl_lg_apply_run() for the same result. */
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "fileio.h"
#include "lgassign.h"
#include "lgsize_check.h"
#include "plan.h"
#include "qemuconf.h"
#include "sysfs.h"
#include "x4ctl.h"

static const char apply_usage[] =
    "usage: x4ctl lg apply [--dry-run] [--reload]\n"
    "kvmfr sizes (modprobe.d) and qemu.conf ACL entries for one kvmfr device per VM.\n"
    "  --dry-run   print what would change, touch nothing\n"
    "  --reload    then reload kvmfr (refused while a VM uses a kvmfr device)\n";
#define APPLY_UDEV "/etc/udev/rules.d/99-kvmfr.rules"
#define APPLY_AA "/etc/apparmor.d/local/abstractions/libvirt-qemu"

extern char **environ;

/* Replace abs with text when it differs; "would" in dry mode. 1 when changed. */
static int apply_file(const char *abs, const char *text, size_t len, int dry, struct x4_err *e)
{
	char *cur = NULL;
	size_t n = 0;
	int same = x4_file_read(abs, 1u << 20, &cur, &n, NULL, NULL) == 0 && n == len &&
		   memcmp(cur, text, len) == 0;
	int rc;

	free(cur);
	if (same)
		return 0;
	if (!dry && (rc = x4_file_write(abs, text, len, 0644, e)) < 0)
		return rc;
	return 1;
}

/* Every used device in cgroup_device_acl (the file's other bytes kept). */
static int apply_acl(const struct x4_lg_dev *dev, int count, int dry, struct x4_err *e)
{
	char *text = NULL, *out = NULL, abs[32];
	size_t len = 0, olen = 0;
	int i, rc, changed = 0;

	rc = x4_file_read(X4_QEMUCONF_PATH, X4_QEMUCONF_MAX_BYTES, &text, &len, NULL, e);
	if (rc == -ENOENT) {
		printf("skipping %s: not found (install libvirt-daemon-system)\n", X4_QEMUCONF_PATH);
		return 0;
	}
	if (rc < 0)
		return rc;
	for (i = 0; i < count; i++) {
		if (!dev[i].used)
			continue;
		snprintf(abs, sizeof(abs), "/dev/kvmfr%d", i);
		rc = x4_qemuconf_acl_add(text, len, abs, &out, &olen, e);
		if (rc < 0) {
			free(text);
			return rc;
		}
		if (rc == 1) {
			free(text);
			text = out;
			len = olen;
			changed = 1;
			printf("%s %s to cgroup_device_acl in %s\n", dry ? "would add" : "adding", abs,
			       X4_QEMUCONF_PATH);
		}
	}
	rc = changed && !dry ? x4_file_write(X4_QEMUCONF_PATH, text, len, 0644, e) : 0;
	free(text);
	if (rc == 0 && changed && !dry)
		printf("restart libvirtd for the new cgroup_device_acl\n");
	return rc;
}

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

int x4ctl_lg_apply_run(const struct x4_config *c, int dry, int reload)
{
	struct x4_lg_dev dev[X4_LG_MAX_DEVICES];
	char text[2048], sz[32], users[1024];
	const char *user = getenv("SUDO_USER"), *root = getenv("X4_ROOT");
	struct x4_err e;
	int count = x4_lg_table(c, dev, &e), i, len, rc, stale = 0;

	if (count < 0)
		return x4ctl_fail_err(&e);
	if (count == 0) {
		printf("no VM uses kvmfr (looking_glass = kvmfr or /dev/kvmfrN): nothing to apply\n");
		return 0;
	}
	for (i = 0; i < count; i++) {
		uint64_t have = 0;

		printf("/dev/kvmfr%d  %-9s %s", i, x4ctl_size_str(dev[i].size, sz, sizeof(sz)),
		       dev[i].used ? dev[i].vm : "(unused, kvmfr's list has no gaps)");
		if (dev[i].other[0])
			printf("  (warning: VM %s wants another size: give it its own device with "
			       "looking_glass = kvmfr)",
			       dev[i].other);
		if (x4_sysfs_exists("/sys/module/kvmfr") == 1) {
			char abs[32];

			snprintf(abs, sizeof(abs), "/dev/kvmfr%d", i);
			if (x4_lg_region_size(abs, &have, NULL) < 0 || have != dev[i].size) {
				printf("  [loaded kvmfr has %s]",
				       have ? x4ctl_size_str(have, sz, sizeof(sz)) : "no such device");
				stale = 1;
			}
		}
		printf("\n");
	}
	len = x4_lg_modprobe_text(dev, count, text, sizeof(text));
	if (len < 0)
		return x4ctl_fail("lg apply: the modprobe.d text does not fit");
	rc = apply_file(X4_LG_MODPROBE_FILE, text, (size_t)len, dry, &e);
	if (rc < 0)
		return x4ctl_fail_err(&e);
	printf("%s %s\n", rc ? (dry ? "would write" : "wrote") : "unchanged:", X4_LG_MODPROBE_FILE);
	if (apply_acl(dev, count, dry, &e) < 0)
		return x4ctl_fail_err(&e);
	if (x4_sysfs_exists(APPLY_UDEV) != 1)
		printf("missing %s: x4ctl install writes it (SUBSYSTEM==\"kvmfr\", GROUP=\"kvm\", "
		       "MODE=\"0660\")\n",
		       APPLY_UDEV);
	printf("the user running looking-glass-client must be in group kvm to open the devices: "
	       "sudo usermod -aG kvm %s (then log in again)\n",
	       user && *user ? user : "$USER");
	if (x4_sysfs_exists("/etc/apparmor.d") == 1)
		printf("AppArmor: x4ctl install's line '/dev/kvmfr[0-9] rw,' in %s covers every "
		       "device\n",
		       APPLY_AA);
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
