/* SPDX-License-Identifier: MIT */
/* doctor, Looking Glass: kvmfr module and device, its access and size, qemu.conf ACL, AppArmor. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apparmor.h"
#include "doctor.h"
#include "lg.h"
#include "lgassign.h"
#include "lgsize_check.h"
#include "paths.h"
#include "plan.h"
#include "qemuconf.h"
#include "qemuuser.h"
#include "sysfs.h"

/* One Looking Glass path in use or planned, with the size its plan holds (0 = any: [host]'s
 * own device with no size asked for). */
struct lg_use {
	char path[X4_PLAN_PATH_MAX];
	uint64_t size;
	int kvmfr;
};

static void lg_add(struct lg_use *u, unsigned *n, unsigned max, const char *path, uint64_t size,
		   int kvmfr)
{
	unsigned k;

	for (k = 0; k < *n && strcmp(u[k].path, path); k++)
		;
	if (k < *n) {
		if (!u[k].size)
			u[k].size = size;
		return;
	}
	if (*n >= max)
		return;
	snprintf(u[k].path, sizeof(u[k].path), "%s", path);
	u[k].size = size;
	u[k].kvmfr = kvmfr;
	(*n)++;
}

/* Each [vm]: its plan when it runs (x4_plan_read), else what the hook would decide
 * (x4_plan_decide_lg); a plan that is there but unusable, or a decision that fails, is a row
 * of its own. Then [host]'s own device or shm files, for VMs without a section. */
static unsigned lg_uses(struct doc *d, struct lg_use *u, unsigned max, int *failed)
{
	const struct x4_config *c = &d->c;
	unsigned n = 0, i;

	*failed = 0;
	for (i = 0; i < c->n_vms; i++) {
		const char *vm = c->vms[i].name;
		struct x4_plan p;
		struct x4_err e;
		int rc = x4_plan_read(vm, &p, &e);

		if (rc < 0 && rc != -ENOENT) {
			char path[X4_PLAN_PATH_MAX + 64], fix[sizeof(path) + 96];

			if (x4_plan_path(vm, path, sizeof(path), NULL) < 0)
				snprintf(path, sizeof(path), "the file");
			snprintf(fix, sizeof(fix), "sudo rm %s, then start the VM again (x4-hook "
				 "writes a new one)", path);
			doc_row(d, DOC_FAIL, "plan", fix, "%s", e.msg);
			*failed = 1;
			continue;
		}
		if (rc == -ENOENT && x4_plan_decide_lg(c, vm, &p, &e) < 0) {
			char fix[X4_NAME_MAX + 96];

			snprintf(fix, sizeof(fix), "fix the Looking Glass keys of [vm %s] in "
				 "x4-sriov.conf", vm);
			doc_row(d, DOC_FAIL, "looking-glass", fix, "VM %s: %s", vm, e.msg);
			*failed = 1;
			continue;
		}
		if (p.lg != X4_LG_OFF)
			lg_add(u, &n, max, p.lg == X4_LG_SHM ? "/dev/shm/looking-glass-*" : p.lg_path,
			       p.lg_size, p.lg == X4_LG_KVMFR);
	}
	if (c->host.lg == X4_LG_SHM)
		lg_add(u, &n, max, "/dev/shm/looking-glass-*", 0, 0);
	else if (c->host.lg == X4_LG_KVMFR && c->host.lg_path[0])
		lg_add(u, &n, max, c->host.lg_path, x4_lg_wanted_size(&c->host), 1);
	return n;
}

/* What x4ctl lg apply writes for the device at abs (its static_size_mb entry), 0 when the
 * config gives it no size (a table that cannot be built: the row that fails says why). */
static uint64_t lg_apply_size(const struct x4_config *c, const char *abs)
{
	struct x4_lg_dev dev[X4_LG_MAX_DEVICES];
	unsigned idx;

	if (x4_lg_device_index(abs, &idx, NULL) < 0 || x4_lg_table(c, dev, NULL) < 0)
		return 0;
	return dev[idx].size;
}

static void lg_device(struct doc *d, const struct lg_use *u)
{
	struct x4_err e;
	char fix[1024], sz[32], want[32];
	uint64_t apply = lg_apply_size(&d->c, u->path), have = 0;
	unsigned long long mb = (u->size ? u->size : apply ? apply : X4_LG_DEFAULT_SIZE) >> 20;
	struct x4_qemu_user qu;
	/* Only what the node is here; its size is the device's own, asked below. */
	int rc = x4_lg_check_device(u->path, 0, &e);

	if (rc < 0) {
		if (e.code == EEXIST)
			snprintf(fix, sizeof(fix),
				 "stop the VMs using it, rm %.63s, modprobe kvmfr "
				 "static_size_mb=%llu (x4ctl install makes that happen at boot)",
				 u->path, mb);
		else
			snprintf(fix, sizeof(fix),
				 "x4ctl lg apply, then modprobe kvmfr (x4ctl install "
				 "writes modprobe.d and modules-load.d files for boot)");
		if (e.code == ENOENT)
			/* kvmfr's static_size_mb is mode 0000: without the device its size is not
			 * known, only what lg apply gives it. */
			doc_row(d, DOC_FAIL, "kvmfr-device", fix,
				"%s; the size kvmfr is configured with is unknown until it loads; "
				"x4ctl lg apply writes static_size_mb=%llu for it to %s",
				e.msg, mb, X4_LG_MODPROBE_FILE);
		else
			doc_row(d, DOC_FAIL, "kvmfr-device", fix, "%s", e.msg);
		return;
	}
	if (x4_lg_region_size(u->path, &have, &e) < 0)
		doc_row(d, DOC_WARN, "kvmfr-device", "x4ctl lg apply, then with no VM using it: "
			"rmmod kvmfr && modprobe kvmfr",
			"%s is a char device but it does not say its size: %s", u->path, e.msg);
	else if (u->size && have != u->size) {
		snprintf(fix, sizeof(fix),
			 "make both agree: lg_size = %lluM in x4-sriov.conf, or give kvmfr the VM's "
			 "size: x4ctl lg apply (options kvmfr static_size_mb=%llu), then with no VM "
			 "using it: rmmod kvmfr && modprobe kvmfr",
			 (unsigned long long)(have >> 20), mb);
		doc_row(d, DOC_FAIL, "kvmfr-device", fix, "%s is %s but the VM wants %s", u->path,
			x4ctl_size_str(have, sz, sizeof(sz)),
			x4ctl_size_str(u->size, want, sizeof(want)));
	} else
		doc_row(d, DOC_PASS, "kvmfr-device", NULL, "%s is a char device of %s%s", u->path,
			x4ctl_size_str(have, sz, sizeof(sz)),
			u->size ? " as planned" : " (lg_size auto uses it)");
	if (x4_qemu_user(&qu, NULL) < 0) {
		doc_row(d, DOC_WARN, "kvmfr-access", "install libvirt-daemon-system",
			"no " X4_QEMU_USER_DEBIAN " (or " X4_QEMU_USER_OTHER ") user to check %s "
			"against", u->path);
	} else if (x4_lg_check_access(u->path, qu.uid, qu.gid, 1, &e) < 0) {
		snprintf(
		    fix, sizeof(fix),
		    "install the udev rule SUBSYSTEM==\"kvmfr\", "
		    "GROUP=\"kvm\", MODE=\"0660\" as " X4_LG_UDEV_FILE " (x4ctl "
		    "install does), then udevadm trigger; or chgrp kvm %.63s && chmod 0660 %.63s",
		    u->path, u->path);
		doc_row(d, DOC_FAIL, "kvmfr-access", fix, "%s", e.msg);
	} else {
		doc_row(d, DOC_PASS, "kvmfr-access", NULL, "the qemu user can read and write %s",
			u->path);
	}
}

static void lg_acl(struct doc *d, const struct lg_use *u)
{
	struct x4_qemuconf_acl acl;
	struct x4_err e;
	size_t len = 0;
	char *text = doc_read_host(X4_QEMUCONF_PATH, X4_QEMUCONF_MAX_BYTES, &len);
	char fix[1024];

	if (!text) {
		doc_row(d, DOC_WARN, "qemu-acl", "apt install libvirt-daemon-system",
			X4_QEMUCONF_PATH " not found: is libvirt installed?");
		return;
	}
	snprintf(fix, sizeof(fix),
		 "x4ctl install (merges it, keeping the file's comments), or "
		 "add \"%.63s\" to cgroup_device_acl in " X4_QEMUCONF_PATH
		 "; then restart libvirtd",
		 u->path);
	if (x4_qemuconf_acl_parse(text, len, &acl, &e) < 0)
		doc_row(d, DOC_FAIL, "qemu-acl", "fix " X4_QEMUCONF_PATH " at the line named", "%s",
			e.msg);
	else if (!acl.present)
		doc_row(d, DOC_FAIL, "qemu-acl", fix,
			"cgroup_device_acl is not set in " X4_QEMUCONF_PATH
			": QEMU may not open %s",
			u->path);
	else if (!x4_qemuconf_acl_has(&acl, u->path))
		doc_row(d, DOC_FAIL, "qemu-acl", fix,
			"cgroup_device_acl in " X4_QEMUCONF_PATH " does not list %s", u->path);
	else
		doc_row(d, DOC_PASS, "qemu-acl", NULL, "cgroup_device_acl lists %s", u->path);
	free(text);
}

/* AppArmor confines QEMU when the kernel runs it. */
static int lg_apparmor_on(void)
{
	char buf[8];
	struct x4_err e;

	if (x4_sysfs_exists("/sys/kernel/security/apparmor") == 1)
		return 1;
	return x4_sysfs_read("/sys/module/apparmor/parameters/enabled", buf, sizeof(buf), &e) ==
		   0 &&
	       buf[0] == 'Y';
}

static void lg_apparmor(struct doc *d, const struct lg_use *u, unsigned n)
{
	size_t len = 0;
	char *text, want[sizeof(u->path) + 8], fix[1024]; /* want: "PATH rw," */
	unsigned i;

	if (!lg_apparmor_on()) {
		doc_row(d, DOC_PASS, "apparmor", NULL, "AppArmor is not enabled: no rules needed");
		return;
	}
	text = doc_read_host(X4_AA_QEMU_LOCAL, 1u << 20, &len);
	for (i = 0; i < n; i++) {
		snprintf(want, sizeof(want), "%s rw,", u[i].path);
		snprintf(fix, sizeof(fix),
			 "x4ctl install, or add the line '%s' to " X4_AA_QEMU_LOCAL
			 " and reload AppArmor (systemctl reload apparmor)",
			 want);
		if (!text ||
		    (!strstr(text, want) && !(u[i].kvmfr && strstr(text, "/dev/kvmfr[0-9] rw,"))))
			doc_row(d, DOC_FAIL, "apparmor", fix,
				"AppArmor is enabled and " X4_AA_QEMU_LOCAL " does not allow %s",
				u[i].path);
		else
			doc_row(d, DOC_PASS, "apparmor", NULL, X4_AA_QEMU_LOCAL " allows %s", u[i].path);
	}
	free(text);
}

void doc_check_lg(struct doc *d)
{
	struct lg_use u[X4_MAX_VM_SECTIONS + 2];
	int failed;
	unsigned n = lg_uses(d, u, sizeof(u) / sizeof(u[0]), &failed), i;

	if (n == 0) {
		if (!failed)
			doc_row(d, DOC_PASS, "looking-glass", NULL,
				"looking_glass = off everywhere: kvmfr not needed");
		lg_apparmor(d, u, 0);
		return;
	}
	/* The kvmfr module's own row is doc_check_kvmfr's (doctor_kvmfr.c). */
	for (i = 0; i < n; i++) {
		if (!u[i].kvmfr) {
			doc_row(d, DOC_PASS, "looking-glass", NULL,
				"shared memory file %s (no "
				"kvmfr needed)",
				u[i].path);
			continue;
		}
		lg_device(d, &u[i]);
		lg_acl(d, &u[i]);
	}
	lg_apparmor(d, u, n);
}
