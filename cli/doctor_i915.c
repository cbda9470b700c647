/* SPDX-License-Identifier: MIT */
/* doctor, VFs on the i915/xe side: max_vfs and sriov_totalvfs (F3), what makes the VFs at boot
 * (F3), and the host's own display next to them (F8). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doctor.h"
#include "paths.h"
#include "sriov.h"

#define I915_UNIT "/etc/systemd/system/x4-sriov-vfs.service"
#define I915_UNIT_WANTS "/etc/systemd/system/multi-user.target.wants/x4-sriov-vfs.service"

/* A parameter's value and where it comes from: the module (root only: 0400), the command line,
 * modprobe.d. 0 with out and from filled, -ENOENT when set nowhere. */
static int i915_param(const struct doc *d, const char *mod, const char *p, char *out, size_t n,
		      char *from, size_t fn)
{
	char key[96], file[512];

	if (doc_param(mod, p, out, n) == 0) {
		snprintf(from, fn, "/sys/module/%s/parameters/%s", mod, p);
		return 0;
	}
	snprintf(key, sizeof(key), "%s.%s=", mod, p);
	if (doc_cmdline_value(d->cmdline, key, out, n) == 0) {
		snprintf(from, fn, "kernel command line");
		return 0;
	}
	if (doc_modprobe_option(mod, p, out, n, file, sizeof(file)) == 0) {
		snprintf(from, fn, "%s", file);
		return 0;
	}
	return -ENOENT;
}

/* "915.enable_guc=3" and the like: an i915/xe parameter the kernel will not see. */
static int i915_typo(const char *cmdline, char *out, size_t n)
{
	static const char *const params[] = {"max_vfs=", "enable_guc=", "force_probe="};
	const char *w = cmdline;

	while (*w) {
		size_t len = strcspn(w, " "), i;

		for (i = 0; i < sizeof(params) / sizeof(params[0]); i++) {
			const char *p = memmem(w, len, params[i], strlen(params[i]));

			if (p && p > w && p[-1] == '.' &&
			    !((p - w == 5 && strncmp(w, "i915.", 5) == 0) ||
			      (p - w == 3 && strncmp(w, "xe.", 3) == 0))) {
				snprintf(out, n, "%.*s", (int)(len < 120 ? len : 120), w);
				return 1;
			}
		}
		w += len;
		w += strspn(w, " ");
	}
	return 0;
}

void doc_check_maxvfs(struct doc *d)
{
	struct doc_mod m;
	char val[64] = "", from[600] = "", line[256] = "", typo[128], fix[512];
	unsigned total = 0;
	const char *mod;
	struct x4_err e;
	int rc, have_total;

	doc_module_facts(d, &m);
	if (i915_typo(d->cmdline, typo, sizeof(typo)))
		doc_emit(d, DOC_WARN, "max-vfs", "the kernel passes this word to no module",
			 "write it as i915.<param>= (or xe.<param>=): " DOC_GRUB,
			 "kernel command line has '%s'", typo);
	if (strcmp(m.bound, "i915") == 0 && !m.i915_max_vfs)
		return; /* the in-tree i915: the i915-module row says why */
	if (strcmp(m.bound, "i915") != 0 && strcmp(m.bound, "xe") != 0)
		return; /* no driver: the gpu-driver row */
	mod = m.bound;
	rc = i915_param(d, mod, "max_vfs", val, sizeof(val), from, sizeof(from));
	have_total = x4_sriov_totalvfs(&d->gpu, &total, &e) == 0;
	if (have_total && total > 0) {
		doc_emit(d, DOC_PASS, "max-vfs", NULL, NULL, "%s.max_vfs=%s (%s), sriov_totalvfs %u",
			 mod, rc == 0 ? val : "?", rc == 0 ? from : "not set", total);
		return;
	}
	snprintf(fix, sizeof(fix), "boot with %s: " DOC_GRUB,
		 strcmp(mod, "xe") == 0 ? DOC_XE_ARGS : DOC_I915_ARGS);
	if (rc < 0 || strtoul(val, NULL, 10) == 0) {
		doc_emit(d, DOC_FAIL, "max-vfs",
			 "max_vfs defaults to 0: the driver runs the iGPU natively and makes no VFs "
			 "(writing sriov_numvfs answers 'Numerical result out of range')",
			 fix, "sriov_totalvfs %s; %s.max_vfs %s%s%s",
			 have_total ? "0" : "absent", mod, rc < 0 ? "set nowhere" : "= 0",
			 rc < 0 ? " (kernel command line, /etc/modprobe.d)" : " in ",
			 rc < 0 ? "" : from);
		return;
	}
	doc_log(d, "No VFs could be associated", line, sizeof(line));
	doc_emit(d, DOC_FAIL, "max-vfs",
		 "max_vfs is set but the PF gave SR-IOV up: its GuC did not start (the guc and "
		 "firmware rows say why)",
		 "fix what the guc and firmware rows name, then reboot",
		 "sriov_totalvfs %s although %s.max_vfs=%s (%s)%s%s", have_total ? "0" : "absent",
		 mod, val, from, line[0] ? "; log: " : "", line);
}

/* Active lines of the files in dir (suffix .conf/.rules) or of one file that name
 * sriov_numvfs: the first such "file: line" into out. */
static int i915_writer_in(const char *abs, char *out, size_t n)
{
	char *text = doc_read_host(abs, 256 * 1024, NULL), *line, *save = NULL;
	int found = 0;

	if (!text)
		return 0;
	for (line = strtok_r(text, "\n", &save); line && !found;
	     line = strtok_r(NULL, "\n", &save)) {
		line += strspn(line, " \t");
		if (line[0] == '#' || !strstr(line, "sriov_numvfs"))
			continue;
		snprintf(out, n, "%s: '%.160s'", abs, line);
		found = 1;
	}
	free(text);
	return found;
}

static int i915_writer_dir(const char *dir, const char *suffix, char *out, size_t n)
{
	char path[4096], abs[512];
	struct dirent **names = NULL;
	int i, count, found = 0;

	if (x4_host_path(dir, path, sizeof(path), NULL) < 0)
		return 0;
	count = scandir(path, &names, NULL, alphasort);
	for (i = 0; i < count; i++) {
		const char *nm = names[i]->d_name;
		size_t l = strlen(nm), s = strlen(suffix);

		if (!found && l > s && l < 200 && strcmp(nm + l - s, suffix) == 0 &&
		    strstr(nm, "x4-sriov") == NULL) {
			snprintf(abs, sizeof(abs), "%s/%s", dir, nm);
			found = i915_writer_in(abs, out, n);
		}
		free(names[i]);
	}
	free(names);
	return found;
}

/* Another thing that writes sriov_numvfs at boot: sysfsutils, tmpfiles.d, udev. */
static int i915_other_writer(char *out, size_t n)
{
	return i915_writer_in("/etc/sysfs.conf", out, n) ||
	       i915_writer_dir("/etc/sysfs.d", ".conf", out, n) ||
	       i915_writer_dir("/etc/tmpfiles.d", ".conf", out, n) ||
	       i915_writer_dir("/etc/udev/rules.d", ".rules", out, n);
}

void doc_check_vfs_boot(struct doc *d)
{
	int unit = doc_exists(I915_UNIT), on = doc_exists(I915_UNIT_WANTS);
	char other[512] = "";
	int o = i915_other_writer(other, sizeof(other));

	if (on && !o)
		doc_emit(d, DOC_PASS, "vfs-at-boot", NULL, NULL,
			 "x4-sriov-vfs.service is enabled and nothing else writes sriov_numvfs");
	else if (on)
		doc_emit(d, DOC_WARN, "vfs-at-boot",
			 "two writers of sriov_numvfs: the second fails (EBUSY) or makes VFs with "
			 "autoprobe on, so the host's i915 takes them",
			 "remove that line: x4-sriov-vfs.service makes the VFs with autoprobe off",
			 "x4-sriov-vfs.service is enabled and %s", other);
	else if (o)
		doc_emit(d, DOC_WARN, "vfs-at-boot",
			 "VFs made at boot this way get probed by the host's i915 (autoprobe on)",
			 "remove that line and run x4ctl install (x4-sriov-vfs.service makes them "
			 "with autoprobe off), then systemctl enable x4-sriov-vfs.service",
			 "VFs made at boot by %s", other);
	else
		doc_emit(d, DOC_WARN, "vfs-at-boot",
			 "VFs exist only after x4ctl vf create or a VM start (the hook makes them)",
			 unit ? "systemctl enable x4-sriov-vfs.service"
			      : "x4ctl install, then systemctl enable x4-sriov-vfs.service",
			 "%s, and no sysfsutils/tmpfiles/udev rule writes sriov_numvfs",
			 unit ? "x4-sriov-vfs.service is installed but not enabled"
			      : "x4-sriov-vfs.service is not installed");
}

/* Connectors under /sys/class/drm: how many there are and how many are connected. */
static void i915_connectors(unsigned *all, unsigned *connected)
{
	char path[4096], abs[600], st[32];
	struct dirent **names = NULL;
	int i, count;

	*all = *connected = 0;
	if (x4_host_path("/sys/class/drm", path, sizeof(path), NULL) < 0)
		return;
	count = scandir(path, &names, NULL, alphasort);
	for (i = 0; i < count; i++) {
		const char *nm = names[i]->d_name;
		char *t;

		if (strncmp(nm, "card", 4) == 0 && strchr(nm, '-') && strlen(nm) < 64) {
			snprintf(abs, sizeof(abs), "/sys/class/drm/%s/status", nm);
			t = doc_read_host(abs, sizeof(st), NULL);
			if (t) {
				(*all)++;
				*connected += strncmp(t, "connected", 9) == 0;
			}
			free(t);
		}
		free(names[i]);
	}
	free(names);
}

void doc_check_display(struct doc *d)
{
	char a[X4_PCIADDR_STRLEN], list[256] = "", line[256] = "";
	unsigned num = 0, i, host = 0, all, conn;
	struct x4_err e;
	int autoprobe = -1;
	size_t o = 0;

	if (d->have_pf) {
		x4_sriov_get_autoprobe(&d->pf, &autoprobe, &e);
		if (x4_sriov_numvfs(&d->pf, &num, &e) < 0)
			num = 0;
	}
	for (i = 1; i <= num; i++) {
		struct x4_pciaddr vf;
		char drv[64];

		if (x4_sriov_vf_addr(&d->pf, i, &vf, &e) < 0)
			continue;
		doc_driver_of(&vf, drv, sizeof(drv));
		if (strcmp(drv, "i915") == 0 || strcmp(drv, "xe") == 0) {
			host++;
			if (o < sizeof(list) - 40)
				o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%s on %s",
						      o ? ", " : "", x4_pciaddr_format(&vf, a), drv);
		}
	}
	doc_log(d, "Failed to hotplug secondary gpu", line, sizeof(line));
	if (host)
		doc_emit(d, DOC_WARN, "host-display",
			 "the host's GPU driver probed the VFs: a running desktop may lose its "
			 "session, and those VFs are not free for vfio-pci",
			 "x4ctl vf remove && x4ctl vf create (turns sriov_drivers_autoprobe off "
			 "before making VFs)",
			 "%s; sriov_drivers_autoprobe = %d%s%s", list, autoprobe,
			 line[0] ? "; log: " : "", line);
	else if (line[0])
		doc_emit(d, DOC_WARN, "host-display",
			 "the desktop saw VFs appear as GPUs while it ran",
			 "make VFs with x4ctl vf create (autoprobe off) or at boot "
			 "(x4-sriov-vfs.service)",
			 "log: %s", line);
	i915_connectors(&all, &conn);
	if (all && !conn)
		doc_emit(d, DOC_WARN, "host-display",
			 "a headless boot: with i915-sriov-dkms some boards were reported to need a "
			 "display attached (i915-sriov-dkms #217, unconfirmed)",
			 "if the host hangs or the VFs fail without a monitor, attach one or an HDMI "
			 "dummy plug",
			 "no display connected (%u connector(s) under /sys/class/drm, all "
			 "disconnected)",
			 all);
	if (!host && !line[0] && !(all && !conn))
		doc_emit(d, DOC_PASS, "host-display", NULL, NULL,
			 "no VF on the host's GPU driver%s", num ? "" : " (no VFs yet)");
}
