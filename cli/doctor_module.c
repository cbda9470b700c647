/* SPDX-License-Identifier: MIT */
/* doctor, GPU driver modules: which driver has the iGPU, i915 vs xe (F6), and whether the loaded
 * i915 is i915-sriov-dkms's build for the running kernel (F1). Read from /sys/module,
 * /lib/modules, /usr/src and the kernel log; no modinfo needed. */
#include <dirent.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doctor.h"
#include "kconf.h"
#include "paths.h"
#include "sysfs.h"

#define MOD_BANNER "You are using the i915-sriov-dkms module"
#define MOD_UNKNOWN "unknown parameter 'max_vfs' ignored"
#define MOD_NOSYSFS "driver does not support SR-IOV configuration via sysfs"
#define MOD_NODRV "no driver bound to device; cannot configure SR-IOV"

/* uname -r is a path component here: letters, digits and ._+- only. */
static int mod_kver_ok(const char *k)
{
	return k[0] && k[0] != '.' && strspn(k, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
						"0123456789._+-") == strlen(k);
}

/* /lib/modules/KVER/updates{/dkms,}/i915.ko[.xz|.zst] */
static void mod_find_ko(const char *kver, char *out, size_t n)
{
	static const char *const dirs[] = {"updates/dkms", "updates"};
	static const char *const exts[] = {"", ".xz", ".zst", ".gz"};
	char abs[512];
	size_t i, k;

	out[0] = '\0';
	if (!mod_kver_ok(kver))
		return;
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		for (k = 0; k < sizeof(exts) / sizeof(exts[0]); k++) {
			snprintf(abs, sizeof(abs), "/lib/modules/%s/%s/i915.ko%s", kver, dirs[i],
				 exts[k]);
			if (doc_exists(abs)) {
				snprintf(out, n, "%.255s", abs);
				return;
			}
		}
}

/* BUILD_EXCLUSIVE_KERNEL="..." of a dkms.conf, quotes removed. */
static void mod_exclusive(const char *abs, char *out, size_t n)
{
	size_t len = 0;
	char *text = doc_read_host(abs, 64 * 1024, &len);

	if (!text || x4_kconf_shell_value(text, len, "BUILD_EXCLUSIVE_KERNEL", out, n) < 0)
		out[0] = '\0';
	free(text);
}

/* The newest /usr/src/i915-sriov-dkms-VER: its version and BUILD_EXCLUSIVE_KERNEL. */
static void mod_source(struct doc_mod *m)
{
	static const char pre[] = "i915-sriov-dkms-";
	char dir[4096], abs[512];
	struct dirent **names = NULL;
	int i, count;

	if (x4_host_path("/usr/src", dir, sizeof(dir), NULL) < 0)
		return;
	count = scandir(dir, &names, NULL, alphasort);
	for (i = 0; i < count; i++) {
		const char *nm = names[i]->d_name;

		if (strncmp(nm, pre, sizeof(pre) - 1) == 0 && mod_kver_ok(nm + sizeof(pre) - 1) &&
		    strlen(nm) < 64)
			snprintf(m->ver, sizeof(m->ver), "%s", nm + sizeof(pre) - 1);
		free(names[i]);
	}
	free(names);
	if (!m->ver[0])
		return;
	snprintf(abs, sizeof(abs), "/usr/src/%s%s/dkms.conf", pre, m->ver);
	mod_exclusive(abs, m->exclusive, sizeof(m->exclusive));
}

static int mod_match(const char *re, const char *kver)
{
	regex_t r;
	int rc;

	if (regcomp(&r, re, REG_EXTENDED | REG_NOSUB) != 0)
		return -1;
	rc = regexec(&r, kver, 0, NULL, 0) == 0;
	regfree(&r);
	return rc;
}

void doc_module_facts(const struct doc *d, struct doc_mod *m)
{
	struct x4_err e;

	memset(m, 0, sizeof(*m));
	doc_driver_of(&d->gpu, m->bound, sizeof(m->bound));
	m->i915 = doc_exists("/sys/module/i915");
	m->xe = doc_exists("/sys/module/xe");
	m->i915_max_vfs = doc_exists("/sys/module/i915/parameters/max_vfs");
	m->xe_max_vfs = doc_exists("/sys/module/xe/parameters/max_vfs");
	if (x4_sysfs_read("/sys/module/i915/taint", m->taint, sizeof(m->taint), &e) < 0)
		m->taint[0] = '\0';
	m->banner = doc_log(d, MOD_BANNER, NULL, 0) > 0;
	mod_find_ko(d->kver, m->ko, sizeof(m->ko));
	mod_source(m);
	m->in_range = m->exclusive[0] ? mod_match(m->exclusive, d->kver) : -1;
}

int doc_mod_sriov_i915(const struct doc_mod *m)
{
	return m->i915 && m->i915_max_vfs;
}

void doc_check_driver(struct doc *d)
{
	struct doc_mod m;
	char a[X4_PCIADDR_STRLEN], line[256] = "";
	int bl_i915 = 0, bl_xe = 0;
	char bl[256] = "";

	doc_module_facts(d, &m);
	x4_pciaddr_format(&d->gpu, a);
	if (doc_cmdline_value(d->cmdline, "module_blacklist=", bl, sizeof(bl)) == 0) {
		bl_i915 = strstr(bl, "i915") != NULL;
		bl_xe = strstr(bl, "xe") != NULL;
	}
	if (m.i915 && m.xe) {
		doc_emit(d, DOC_FAIL, "gpu-driver", "two drivers fight over the iGPU",
			 "keep one: add module_blacklist=xe (i915-sriov-dkms) or "
			 "module_blacklist=i915 (xe) to the kernel command line: " DOC_GRUB,
			 "i915 and xe are both loaded (/sys/module/i915, /sys/module/xe); %s is on "
			 "%s",
			 a, m.bound[0] ? m.bound : "no driver");
		return;
	}
	if (!m.bound[0] || (strcmp(m.bound, "i915") != 0 && strcmp(m.bound, "xe") != 0)) {
		if (strcmp(m.bound, "vfio-pci") == 0)
			return; /* the PF given to a VM: the sriov-pf row says so */
		doc_log(d, MOD_NODRV, line, sizeof(line));
		if (bl_i915 && bl_xe)
			doc_emit(d, DOC_FAIL, "gpu-driver", "both GPU drivers are blacklisted",
				 "keep module_blacklist= to one of them: " DOC_I915_ARGS
				 " (i915), or " DOC_XE_ARGS " (xe): " DOC_GRUB,
				 "%s has no driver; module_blacklist=%s%s%s", a, bl,
				 line[0] ? "; log: " : "", line);
		else
			doc_emit(d, DOC_FAIL, "gpu-driver", "no GPU driver took the iGPU",
				 "install i915-sriov-dkms and boot with " DOC_I915_ARGS
				 " (or the xe driver with " DOC_XE_ARGS "); the i915-module row "
				 "says what is missing",
				 "%s has no driver%s; i915 %s, xe %s%s%s", a,
				 m.bound[0] ? "" : " bound", m.i915 ? "loaded" : "not loaded",
				 m.xe ? "loaded" : "not loaded", line[0] ? "; log: " : "", line);
		return;
	}
	if (strcmp(m.bound, "xe") == 0) {
		if (!m.xe_max_vfs)
			doc_emit(d, DOC_FAIL, "gpu-driver",
				 "the in-tree xe has no SR-IOV for ADL-N",
				 "install i915-sriov-dkms 2025.10.09 or newer (it ships xe) and boot "
				 "with " DOC_XE_ARGS ", or use its i915 with " DOC_I915_ARGS,
				 "%s is on xe without a max_vfs parameter", a);
		else if (doc_cmdline_value(d->cmdline, "i915.max_vfs=", line, sizeof(line)) == 0)
			doc_emit(d, DOC_WARN, "gpu-driver",
				 "i915 parameters do nothing while xe drives the iGPU",
				 "boot with " DOC_XE_ARGS " only: " DOC_GRUB,
				 "%s is on xe but the command line sets i915.max_vfs=%s", a, line);
		else
			doc_emit(d, DOC_PASS, "gpu-driver", NULL, NULL, "%s on xe (with max_vfs)", a);
		return;
	}
	if (doc_cmdline_value(d->cmdline, "xe.max_vfs=", line, sizeof(line)) == 0)
		doc_emit(d, DOC_WARN, "gpu-driver", "xe parameters do nothing while i915 drives it",
			 "boot with " DOC_I915_ARGS " only: " DOC_GRUB,
			 "%s is on i915 but the command line sets xe.max_vfs=%s", a, line);
	else
		doc_emit(d, DOC_PASS, "gpu-driver", NULL, NULL, "%s on i915%s", a,
			 bl_xe ? " (module_blacklist=xe)" : "");
}

/* Why the loaded (or missing) i915 is not i915-sriov-dkms's, from what is installed. */
static void mod_not_sriov(struct doc *d, const struct doc_mod *m, const char *seen)
{
	char fix[1024], sig[1024];
	const char *k = d->kver;

	if (m->ver[0] && m->in_range == 0) {
		snprintf(fix, sizeof(fix),
			 "install the i915-sriov-dkms release made for %s (6.1-6.7: the "
			 "intel-lts-v6.1 branch; 6.8-6.12: 2025.07.22; 6.12-6.19: 2026.03.05.1), or "
			 "boot a kernel that matches %s; then dkms autoinstall -k %s, "
			 "update-initramfs -u -k %s, reboot",
			 k, m->exclusive, k, k);
		snprintf(sig, sizeof(sig),
			 "kernel %s does not match BUILD_EXCLUSIVE_KERNEL=\"%s\" of "
			 "i915-sriov-dkms %s (/usr/src/i915-sriov-dkms-%s/dkms.conf); %s",
			 k, m->exclusive, m->ver, m->ver, seen);
		doc_emit(d, DOC_FAIL, "i915-module",
			 "dkms skipped the build for this kernel: the in-tree i915 (no SR-IOV) runs",
			 fix, "%s", sig);
	} else if (m->ver[0] && !m->ko[0]) {
		snprintf(fix, sizeof(fix),
			 "apt install linux-headers-%s; dkms install -m i915-sriov-dkms -v %s -k %s; "
			 "update-initramfs -u -k %s; reboot",
			 k, m->ver, k, k);
		doc_emit(d, DOC_FAIL, "i915-module",
			 "the module was never built for the running kernel (headers missing, or "
			 "built for another kernel)",
			 fix,
			 "i915-sriov-dkms %s is installed but not built for %s (no "
			 "/lib/modules/%s/updates/dkms/i915.ko*); %s",
			 m->ver, k, k, seen);
	} else if (m->ko[0]) {
		snprintf(fix, sizeof(fix),
			 "update-initramfs -u -k %s and reboot; with Secure Boot on, enroll the "
			 "module key first (the secure-boot row)",
			 k);
		doc_emit(d, DOC_FAIL, "i915-module",
			 "the built module did not load: Secure Boot refused it, or the initramfs "
			 "still holds the in-tree i915",
			 fix, "%s is built but the loaded i915 is not it; %s", m->ko, seen);
	} else {
		snprintf(fix, sizeof(fix),
			 "install i915-sriov-dkms (the .deb of the release for %s from "
			 "github.com/strongtz/i915-sriov-dkms/releases) and linux-headers-%s, then "
			 "boot with " DOC_I915_ARGS,
			 k, k);
		doc_emit(d, DOC_FAIL, "i915-module",
			 "the in-tree i915 has no SR-IOV for ADL-N: no VFs can be made", fix,
			 "i915-sriov-dkms is not installed (no /usr/src/i915-sriov-dkms-*, no "
			 "/lib/modules/%s/updates/dkms/i915.ko*); %s",
			 k, seen);
	}
}

void doc_check_module(struct doc *d)
{
	struct doc_mod m;
	char seen[512], line[256] = "";
	size_t o;

	doc_module_facts(d, &m);
	if (strcmp(m.bound, "xe") == 0 && !m.i915)
		return; /* xe drives the iGPU: the gpu-driver row checks its build */
	if (doc_mod_sriov_i915(&m)) {
		doc_emit(d, DOC_PASS, "i915-module", NULL, NULL,
			 "i915-sriov-dkms%s%s loaded for %s: max_vfs parameter present, taint %s%s%s",
			 m.ver[0] ? " " : "", m.ver, d->kver, m.taint[0] ? m.taint : "none",
			 m.ko[0] ? ", " : "", m.ko);
		return;
	}
	o = (size_t)snprintf(seen, sizeof(seen), "%s",
			     m.i915 ? "loaded i915 has no max_vfs parameter" : "i915 is not loaded");
	if (m.i915)
		o += (size_t)snprintf(seen + o, sizeof(seen) - o, ", taint %s",
				      m.taint[0] ? m.taint : "none (in-tree)");
	if (doc_log(d, MOD_UNKNOWN, line, sizeof(line)) ||
	    doc_log(d, MOD_NOSYSFS, line, sizeof(line)))
		snprintf(seen + o, sizeof(seen) - o, "; log: %s", line);
	mod_not_sriov(d, &m, seen);
}
