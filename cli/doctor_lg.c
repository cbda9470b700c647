/* SPDX-License-Identifier: MIT */
/* doctor, Looking Glass: kvmfr module and device, its access and size, qemu.conf ACL, AppArmor. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doctor.h"
#include "lg.h"
#include "lgassign.h"
#include "paths.h"
#include "qemuconf.h"
#include "qemuuser.h"
#include "sysfs.h"

#define LG_AA_FILE "/etc/apparmor.d/local/abstractions/libvirt-qemu"

/* One Looking Glass path the config uses, with the size it wants (0 = any). */
struct lg_use {
	char path[64];
	uint64_t size;
	int kvmfr;
};

static uint64_t lg_want(const struct x4_settings *s)
{
	if (s->lg_size)
		return s->lg_size;
	if (s->lg_width && s->lg_height)
		return x4_lg_size_for(s->lg_width, s->lg_height, s->lg_hdr);
	return 0;
}

static unsigned lg_uses(const struct x4_config *c, struct lg_use *u, unsigned max)
{
	unsigned n = 0, i, k;

	for (i = 0; i <= c->n_vms && n < max; i++) {
		struct x4_settings s;
		const char *p;
		char own[16];

		if (i == 0)
			s = c->host;
		else
			x4_config_for_vm(c, c->vms[i - 1].name, &s);
		if (s.lg == X4_LG_OFF)
			continue;
		p = s.lg == X4_LG_KVMFR ? s.lg_path : X4_LG_SHM_PREFIX "*";
		if (s.lg == X4_LG_KVMFR && !s.lg_path[0]) { /* looking_glass = kvmfr */
			if (i == 0 ||
			    x4_lg_assign(c, c->vms[i - 1].name, own, sizeof(own), NULL) < 0)
				continue;
			p = own;
		}
		for (k = 0; k < n && strcmp(u[k].path, p); k++)
			;
		if (k < n) {
			if (!u[k].size)
				u[k].size = lg_want(&s);
			continue;
		}
		snprintf(u[n].path, sizeof(u[n].path), "%s", p);
		u[n].size = lg_want(&s);
		u[n].kvmfr = s.lg == X4_LG_KVMFR;
		n++;
	}
	return n;
}

static void lg_device(struct doc *d, const struct lg_use *u)
{
	struct x4_err e;
	char fix[1024], sz[32];
	unsigned long long mb = (u->size ? u->size : X4_LG_DEFAULT_SIZE) >> 20; /* static_size_mb */
	unsigned idx = 0;
	uint64_t have = 0;
	struct x4_qemu_user qu;
	int rc = x4_lg_check_device(u->path, u->size, &e);

	if (rc < 0) {
		if (e.code == EEXIST)
			snprintf(fix, sizeof(fix),
				 "stop the VMs using it, rm %.63s, modprobe kvmfr "
				 "static_size_mb=%llu (x4ctl install makes that happen at boot)",
				 u->path, mb);
		else if (e.code == ERANGE)
			snprintf(
			    fix, sizeof(fix),
			    "make both agree: lg_size in x4-sriov.conf, or "
			    "options kvmfr static_size_mb=%llu in /etc/modprobe.d/kvmfr.conf and "
			    "reload kvmfr",
			    mb);
		else
			snprintf(fix, sizeof(fix),
				 "modprobe kvmfr static_size_mb=%llu (x4ctl install "
				 "writes modprobe.d and modules-load.d files for boot)",
				 mb);
		doc_row(d, DOC_FAIL, "kvmfr-device", fix, "%s", e.msg);
		return;
	}
	x4_lg_device_index(u->path, &idx, &e);
	if (x4_lg_static_size(idx, &have, &e) == 0)
		doc_row(d, DOC_PASS, "kvmfr-device", NULL, "%s is a char device of %s%s", u->path,
			x4ctl_size_str(have, sz, sizeof(sz)),
			u->size ? " as configured" : " (lg_size auto uses it)");
	else
		doc_row(d, DOC_WARN, "kvmfr-device", "reload kvmfr with static_size_mb=N",
			"%s is a char device but its size is unknown: %s", u->path, e.msg);
	if (x4_qemu_user(&qu, NULL) < 0) {
		doc_row(d, DOC_WARN, "kvmfr-access", "install libvirt-daemon-system",
			"no " X4_QEMU_USER_DEBIAN " (or " X4_QEMU_USER_OTHER ") user to check %s "
			"against", u->path);
	} else if (x4_lg_check_access(u->path, qu.uid, qu.gid, 1, &e) < 0) {
		snprintf(
		    fix, sizeof(fix),
		    "install the udev rule SUBSYSTEM==\"kvmfr\", "
		    "GROUP=\"kvm\", MODE=\"0660\" as /etc/udev/rules.d/99-kvmfr.rules (x4ctl "
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
	char *text, want[96], fix[1024];
	unsigned i;

	if (!lg_apparmor_on()) {
		doc_row(d, DOC_PASS, "apparmor", NULL, "AppArmor is not enabled: no rules needed");
		return;
	}
	text = doc_read_host(LG_AA_FILE, 1u << 20, &len);
	for (i = 0; i < n; i++) {
		snprintf(want, sizeof(want), "%s rw,", u[i].path);
		snprintf(fix, sizeof(fix),
			 "x4ctl install, or add the line '%s' to " LG_AA_FILE
			 " and reload AppArmor (systemctl reload apparmor)",
			 want);
		if (!text ||
		    (!strstr(text, want) && !(u[i].kvmfr && strstr(text, "/dev/kvmfr[0-9] rw,"))))
			doc_row(d, DOC_FAIL, "apparmor", fix,
				"AppArmor is enabled and " LG_AA_FILE " does not allow %s",
				u[i].path);
		else
			doc_row(d, DOC_PASS, "apparmor", NULL, LG_AA_FILE " allows %s", u[i].path);
	}
	free(text);
}

void doc_check_lg(struct doc *d)
{
	struct lg_use u[X4_MAX_VM_SECTIONS + 1];
	unsigned n = lg_uses(&d->c, u, sizeof(u) / sizeof(u[0])), i;

	if (n == 0) {
		doc_row(d, DOC_PASS, "looking-glass", NULL,
			"looking_glass = off everywhere: "
			"kvmfr not needed");
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
