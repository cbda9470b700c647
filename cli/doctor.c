/* SPDX-License-Identifier: MIT */
/* x4ctl doctor: every precondition of iGPU SR-IOV + Looking Glass, one row each, with the fix. */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "doctor.h"
#include "iommu.h"
#include "lg.h"
#include "paths.h"
#include "rom.h"
#include "sriov.h"
#include "sysfs.h"
#include "vfio.h"

#define DOC_SYN "doctor [--json] [--xml FILE]... [--uri URI]"
#define DOC_GRUB                                                                                   \
	"add them to GRUB_CMDLINE_LINUX_DEFAULT in /etc/default/grub, run update-grub, reboot"
#define DOC_I915_ARGS "intel_iommu=on iommu=pt i915.enable_guc=3 i915.max_vfs=7 module_blacklist=xe"
#define DOC_XE_ARGS "intel_iommu=on iommu=pt xe.max_vfs=7 xe.force_probe=46d1 module_blacklist=i915"

static const char *const doc_names[] = {"PASS", "WARN", "FAIL"};

void doc_row(struct doc *d, enum doc_status s, const char *check, const char *fix, const char *fmt,
	     ...)
{
	char detail[1024];
	json_object *o;
	va_list ap;

	va_start(ap, fmt);
	/* NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized): a false positive, ap is started */
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	d->n[s]++;
	if (!d->json) {
		printf("%-4s  %-14s %s\n", doc_names[s], check, detail);
		if (fix && s != DOC_PASS)
			printf("      %-14s fix: %s\n", "", fix);
		return;
	}
	o = json_object_new_object();
	json_object_object_add(o, "check", json_object_new_string(check));
	json_object_object_add(o, "status",
			       json_object_new_string(s == DOC_PASS   ? "pass"
						      : s == DOC_WARN ? "warn"
								      : "fail"));
	json_object_object_add(o, "detail", json_object_new_string(detail));
	json_object_object_add(o, "fix", fix && s != DOC_PASS ? json_object_new_string(fix) : NULL);
	json_object_array_add(d->rows, o);
}

char *doc_read_host(const char *abs, size_t cap, size_t *len)
{
	char path[4096], *buf;
	struct x4_err e;
	size_t got = 0;
	int fd;

	if (x4_host_path(abs, path, sizeof(path), &e) < 0)
		return NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return NULL;
	buf = malloc(cap + 1);
	while (buf && got < cap) {
		ssize_t r = read(fd, buf + got, cap - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	if (buf) {
		buf[got] = '\0';
		if (len)
			*len = got;
	}
	return buf;
}

int doc_qemu_user(uid_t *uid, gid_t *gid)
{
	static const char *const names[] = {"libvirt-qemu", "qemu"};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct passwd *pw = getpwnam(names[i]);

		if (pw) {
			*uid = pw->pw_uid;
			*gid = pw->pw_gid;
			return 0;
		}
	}
	return -ENOENT;
}

/* A word of /proc/cmdline ("intel_iommu=on"), matched whole. */
static int doc_cmdline_has(const char *cmdline, const char *word)
{
	size_t n = strlen(word);
	const char *p = cmdline;

	while ((p = strstr(p, word)) != NULL) {
		if ((p == cmdline || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' ' || p[n] == '\n'))
			return 1;
		p += n;
	}
	return 0;
}

static int doc_exists(const char *abs)
{
	return x4_sysfs_exists(abs) == 1;
}

static void doc_config(struct doc *d, const struct x4ctl *g)
{
	struct x4_err e;
	char path[4096] = "";

	if (x4ctl_load_config(g, &d->c, &e) < 0) {
		x4_config_defaults(&d->c);
		doc_row(d, DOC_FAIL, "config",
			"correct the line named above (x4-sriov.conf(5)); "
			"x4-hook and qemu-x4 refuse to act on our VMs until it parses",
			"%s", e.msg);
		return;
	}
	d->config_ok = 1;
	if (g->config)
		snprintf(path, sizeof(path), "%s", g->config);
	else
		x4_config_path(path, sizeof(path), &e);
	if (!d->c.file_present)
		doc_row(d, DOC_WARN, "config",
			"x4ctl install (writes a commented "
			"/etc/x4-sriov/x4-sriov.conf)",
			"%s missing: built-in defaults used", path);
	else
		doc_row(d, DOC_PASS, "config", NULL, "%s valid, %u [vm] section(s)", path,
			d->c.n_vms);
}

static void doc_iommu(struct doc *d, const char *cmdline)
{
	int on = doc_cmdline_has(cmdline, "intel_iommu=on");
	int dmar = doc_exists("/sys/firmware/acpi/tables/DMAR");

	if (x4_iommu_enabled()) {
		doc_row(d, DOC_PASS, "iommu", NULL, "IOMMU groups present%s",
			on ? ", intel_iommu=on" : " (intel_iommu=on not on the command line)");
		return;
	}
	if (!dmar)
		doc_row(d, DOC_FAIL, "iommu",
			"enable VT-d in the firmware setup (Chipset > VT-d), "
			"and boot with intel_iommu=on iommu=pt: " DOC_GRUB,
			"no IOMMU groups and no ACPI DMAR table: VT-d is off in the firmware%s",
			on ? "" : " and intel_iommu=on is missing");
	else if (!on)
		doc_row(d, DOC_FAIL, "iommu", "boot with intel_iommu=on iommu=pt: " DOC_GRUB,
			"no IOMMU groups: intel_iommu=on is not on the kernel command line");
	else
		doc_row(d, DOC_FAIL, "iommu",
			"check 'dmesg | grep -i -e DMAR -e IOMMU' for why "
			"the IOMMU did not start",
			"intel_iommu=on is set but there are no IOMMU groups");
}

static unsigned long doc_param(const char *mod, const char *param, int *present)
{
	char abs[128], buf[32];
	struct x4_err e;
	char *end;
	unsigned long v;

	snprintf(abs, sizeof(abs), "/sys/module/%s/parameters/%s", mod, param);
	*present = 0;
	if (x4_sysfs_read(abs, buf, sizeof(buf), &e) < 0)
		return 0;
	*present = 1;
	v = strtoul(buf, &end, 10);
	return (*end || end == buf) ? 0 : v;
}

static void doc_gpu_driver(struct doc *d)
{
	int i915 = doc_exists("/sys/module/i915"), xe = doc_exists("/sys/module/xe");
	int has_guc, has_max;
	unsigned long guc, max;

	if (i915 && xe) {
		doc_row(d, DOC_FAIL, "gpu-driver",
			"keep one: add module_blacklist=xe (i915-sriov-dkms) "
			"or module_blacklist=i915 (xe) to the kernel command line: " DOC_GRUB,
			"i915 and xe are both loaded: they fight over the iGPU");
		return;
	}
	if (xe) {
		max = doc_param("xe", "max_vfs", &has_max);
		if (!has_max || max == 0)
			doc_row(d, DOC_FAIL, "gpu-driver", "boot with " DOC_XE_ARGS ": " DOC_GRUB,
				"xe is loaded with max_vfs %s", has_max ? "= 0" : "unsupported");
		else
			doc_row(d, DOC_PASS, "gpu-driver", NULL, "xe with max_vfs = %lu", max);
		return;
	}
	if (!i915) {
		doc_row(d, DOC_FAIL, "gpu-driver",
			"install i915-sriov-dkms and boot with " DOC_I915_ARGS
			" (or the xe driver with " DOC_XE_ARGS ")",
			"neither i915 nor xe is loaded");
		return;
	}
	guc = doc_param("i915", "enable_guc", &has_guc);
	max = doc_param("i915", "max_vfs", &has_max);
	if (!has_max)
		doc_row(d, DOC_FAIL, "gpu-driver",
			"install i915-sriov-dkms (the in-tree i915 has no "
			"SR-IOV for ADL-N) and boot with " DOC_I915_ARGS,
			"i915 has no max_vfs parameter: it is not the SR-IOV build");
	else if (guc != 3 || max == 0)
		doc_row(d, DOC_FAIL, "gpu-driver", "boot with " DOC_I915_ARGS ": " DOC_GRUB,
			"i915 has enable_guc = %lu, max_vfs = %lu (need 3 and 1..7)", guc, max);
	else
		doc_row(d, DOC_PASS, "gpu-driver", NULL,
			"i915 (SR-IOV) with enable_guc = 3, "
			"max_vfs = %lu",
			max);
}

static void doc_pf(struct doc *d)
{
	char a[X4_PCIADDR_STRLEN], drv[64] = "";
	unsigned total = 0;
	struct x4_err e;

	if (x4_sriov_find_pf(&d->c.host, &d->pf, &e) < 0) {
		char *self = strstr(e.msg, " (x4ctl doctor)"); /* this is doctor: no pointer back */

		if (self || (self = strstr(e.msg, ", or run x4ctl doctor")))
			*self = '\0';
		doc_row(d, DOC_FAIL, "sriov-pf",
			"load the SR-IOV GPU driver: i915-sriov-dkms with " DOC_I915_ARGS
			", or xe with " DOC_XE_ARGS "; then reboot",
			"%s", e.msg);
		return;
	}
	d->have_pf = 1;
	x4_pciaddr_format(&d->pf, a);
	x4_sriov_totalvfs(&d->pf, &total, &e);
	x4_vfio_driver(&d->pf, drv, sizeof(drv), &e);
	if (strcmp(drv, X4_VFIO_DRIVER) == 0)
		doc_row(d, DOC_FAIL, "sriov-pf",
			"never pass the PF to a VM: remove its hostdev, "
			"then: echo | sudo tee /sys/bus/pci/devices/%s/driver_override and reboot",
			"PF %s is bound to vfio-pci: the host lost its GPU", a);
	else
		doc_row(d, DOC_PASS, "sriov-pf", NULL, "PF %s on %s, sriov_totalvfs %u", a,
			drv[0] ? drv : "no driver", total);
}

static void doc_vfs(struct doc *d)
{
	unsigned num = 0, i, held = 0, host = 0;
	char list[512] = "", a[X4_PCIADDR_STRLEN];
	struct x4_err e;
	size_t o = 0;

	if (!d->have_pf)
		return;
	if (x4_sriov_numvfs(&d->pf, &num, &e) < 0) {
		doc_row(d, DOC_FAIL, "vfs", "check dmesg for the GPU driver's SR-IOV errors", "%s",
			e.msg);
		return;
	}
	if (num == 0) {
		doc_row(d, DOC_WARN, "vfs",
			"x4ctl vf create (x4ctl install adds a unit that does it "
			"at boot; the hook also creates them when a VM starts)",
			"no VFs created yet");
		return;
	}
	for (i = 1; i <= num && o < sizeof(list) - 64; i++) {
		struct x4_pciaddr vf;
		struct x4_claim *c;
		char drv[64] = "";

		if (x4_sriov_vf_addr(&d->pf, i, &vf, &e) < 0)
			continue;
		x4_vfio_driver(&vf, drv, sizeof(drv), &e);
		c = x4_state_find_vf(&d->st, &vf);
		held += c != NULL;
		host += strcmp(drv, "i915") == 0 || strcmp(drv, "xe") == 0;
		o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%s %s%s%s", o ? ", " : "",
				      x4_pciaddr_format(&vf, a) + 5, drv[0] ? drv : "free",
				      c ? " by " : "", c ? c->vm : "");
	}
	if (host)
		doc_row(d, DOC_WARN, "vfs",
			"set sriov_drivers_autoprobe to 0 before creating VFs "
			"(x4ctl vf remove; x4ctl vf create does it) so the host driver leaves them "
			"alone",
			"%u VFs, %u on the host's GPU driver: %s", num, host, list);
	else
		doc_row(d, DOC_PASS, "vfs", NULL, "%u VFs, %u held by VMs: %s", num, held, list);
}

static void doc_vfio(struct doc *d)
{
	struct x4_err e;

	if (x4_vfio_loaded(&e) == 1)
		doc_row(d, DOC_PASS, "vfio-pci", NULL, "vfio-pci loaded");
	else
		doc_row(d, DOC_FAIL, "vfio-pci",
			"sudo modprobe vfio-pci; echo vfio-pci | sudo tee "
			"/etc/modules-load.d/vfio-pci.conf (to load it at boot)",
			"vfio-pci is not loaded (/sys/bus/pci/drivers/vfio-pci missing)");
}

/* x4-hook as libvirt runs it: a symlink to x4-hook or a file naming it. */
static int doc_hook_is_ours(const char *abs, char *why, size_t n)
{
	char path[4096], target[4096], tpath[4096];
	struct x4_err e;
	struct stat st;
	ssize_t len;
	size_t blen = 0;
	char *buf;
	int ours;

	if (x4_host_path(abs, path, sizeof(path), &e) < 0 || lstat(path, &st) < 0)
		return 0;
	if (S_ISLNK(st.st_mode)) {
		len = readlink(path, target, sizeof(target) - 1);
		if (len <= 0)
			return 0;
		target[len] = '\0';
		if (!strstr(target, "x4-hook"))
			return 0;
		/* An absolute target lives under the same root. */
		if (target[0] == '/' && x4_host_path(target, tpath, sizeof(tpath), &e) == 0 &&
		    (stat(tpath, &st) < 0 || !(st.st_mode & S_IXUSR))) {
			snprintf(why, n, "%s -> %.300s is missing or not executable", abs, target);
			return -1;
		}
		return 1;
	}
	if (!S_ISREG(st.st_mode))
		return 0;
	buf = doc_read_host(abs, 8u << 20, &blen);
	ours = buf && memmem(buf, blen, "x4-hook", 7) != NULL;
	free(buf);
	if (ours && !(st.st_mode & S_IXUSR)) {
		snprintf(why, n, "%s is not executable", abs);
		return -1;
	}
	return ours;
}

static void doc_hook(struct doc *d)
{
	static const char *const main_hook = "/etc/libvirt/hooks/qemu";
	static const char *const dropin = "/etc/libvirt/hooks/qemu.d/x4-sriov";
	char why[512] = "";
	int m = doc_hook_is_ours(main_hook, why, sizeof(why));
	int q = m == 1 ? 0 : doc_hook_is_ours(dropin, why, sizeof(why));

	if (m == 1 || q == 1)
		doc_row(d, DOC_PASS, "hook", NULL, "x4-hook installed as %s",
			m == 1 ? main_hook : dropin);
	else if (m < 0 || q < 0)
		doc_row(d, DOC_FAIL, "hook", "x4ctl install (or chmod 755 the hook)", "%s", why);
	else
		doc_row(
		    d, DOC_FAIL, "hook",
		    "x4ctl install (as /etc/libvirt/hooks/qemu, or as "
		    "qemu.d/x4-sriov next to a hook you have), then restart libvirtd",
		    "x4-hook is not installed: libvirt will not create or check VFs at VM start");
}

static void doc_wrapper(struct doc *d)
{
	char path[4096], rpath[4096];
	struct x4_err e;
	struct stat st;
	const char *q = d->c.host.qemu;

	if (x4_host_path(X4_WRAPPER_PATH, path, sizeof(path), &e) == 0 &&
	    stat(path, &st) == 0 && (st.st_mode & S_IXOTH))
		doc_row(d, DOC_PASS, "wrapper", NULL, X4_WRAPPER_PATH " installed");
	else
		doc_row(d, DOC_FAIL, "wrapper",
			"x4ctl install (copies qemu-x4 to " X4_BINDIR ", mode 0755)",
			X4_WRAPPER_PATH " missing or not executable by the qemu user");
	if (strstr(q, "qemu-x4"))
		doc_row(d, DOC_FAIL, "qemu",
			"set qemu = /usr/bin/qemu-system-x86_64 in "
			"x4-sriov.conf",
			"qemu = %s is the wrapper itself: it would exec itself", q);
	else if (x4_host_path(q, rpath, sizeof(rpath), &e) == 0 && stat(rpath, &st) == 0 &&
		 (st.st_mode & S_IXOTH))
		doc_row(d, DOC_PASS, "qemu", NULL, "real emulator %s", q);
	else
		doc_row(d, DOC_FAIL, "qemu",
			"apt install qemu-system-x86, or set qemu = in "
			"x4-sriov.conf",
			"qemu = %s is missing or not executable", q);
}

static void doc_one_rom(struct doc *d, const char *scope, const struct x4_settings *s)
{
	struct x4_rom_info info;
	struct x4_err e;
	char path[4096], fix[512];
	uid_t uid;
	gid_t gid;

	if (x4_host_path(s->rom, path, sizeof(path), &e) < 0 ||
	    x4_rom_check_file(path, 0, 0, &info, &e) < 0) {
		snprintf(fix, sizeof(fix),
			 "extract the Intel GOP driver from the board's BIOS "
			 "(UEFITool, 'Extract body') to %s, or clear rom in %s",
			 s->rom, scope);
		doc_row(d, DOC_FAIL, "rom", fix, "rom = %s (%s): %s", s->rom, scope, e.msg);
		return;
	}
	if (s->rom_mode == X4_ROM_OPTIONROM && info.kind != X4_ROM_PCI_EFI) {
		snprintf(fix, sizeof(fix),
			 "x4ctl rom build --efi %s --out "
			 "/var/lib/x4-sriov/gop.rom, then rom = /var/lib/x4-sriov/gop.rom",
			 s->rom);
		doc_row(d, DOC_FAIL, "rom", fix,
			"rom = %s (%s) is a %s but rom_mode = optionrom "
			"needs a PCI option ROM with an EFI image",
			s->rom, scope, x4_rom_kind_name(info.kind));
		return;
	}
	if (doc_qemu_user(&uid, &gid) == 0 && x4_lg_check_access(s->rom, uid, gid, 0, &e) < 0) {
		snprintf(fix, sizeof(fix),
			 "chmod 0644 %s and make its directories searchable "
			 "(0755)",
			 s->rom);
		doc_row(d, DOC_FAIL, "rom", fix, "%s", e.msg);
		return;
	}
	if (info.kind == X4_ROM_PCI_LEGACY)
		doc_row(d, DOC_WARN, "rom",
			"use the GOP driver (EFI) instead: OVMF ignores legacy "
			"images",
			"rom = %s (%s) holds no EFI image", s->rom, scope);
	else
		doc_row(d, DOC_PASS, "rom", NULL, "rom = %s (%s): %s%s%s", s->rom, scope,
			x4_rom_kind_name(info.kind), info.warning[0] ? "; " : "", info.warning);
}

static void doc_roms(struct doc *d)
{
	unsigned i, any = 0;
	char scope[X4_NAME_MAX + 8];

	if (d->c.host.rom[0]) {
		doc_one_rom(d, "[host]", &d->c.host);
		any = 1;
	}
	for (i = 0; i < d->c.n_vms; i++) {
		struct x4_settings s;

		if (!(d->c.vms[i].s.set_mask & X4_SET_ROM) || !d->c.vms[i].s.rom[0])
			continue;
		x4_config_for_vm(&d->c, d->c.vms[i].name, &s);
		snprintf(scope, sizeof(scope), "[vm %s]", d->c.vms[i].name);
		doc_one_rom(d, scope, &s);
		any = 1;
	}
	if (!any)
		doc_row(d, DOC_WARN, "rom",
			"extract IntelGopDriver.efi from the board's BIOS with "
			"UEFITool and set rom = /var/lib/x4-sriov/IntelGopDriver.efi",
			"no GOP ROM configured: Windows may show Code 43 for the VF");
}

static void doc_state(struct doc *d)
{
	struct x4_err e;

	if (x4_state_load(&d->st, &e) < 0) {
		x4_state_init(&d->st);
		doc_row(d, DOC_FAIL, "state",
			"when no VM of ours runs: rm " X4_STATE_FILE
			" (x4-hook re-adopts running VMs at libvirtd's reconnect)",
			"%s", e.msg);
		return;
	}
	doc_row(d, DOC_PASS, "state", NULL, "%u VF claim(s) in " X4_STATE_FILE, d->st.n_claims);
}

int x4ctl_doctor(struct x4ctl *g, int argc, char **argv)
{
	static struct doc d; /* holds a config and a state: too big for the stack */
	char *cmdline;
	int i, rc;

	memset(&d, 0, sizeof(d));
	d.uri = "qemu:///system";
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			d.json = 1;
		} else if (strcmp(argv[i], "--help") == 0) {
			printf("usage: x4ctl %s\n", DOC_SYN);
			return 0;
		} else if (strcmp(argv[i], "--xml") == 0 && i + 1 < argc) {
			if (d.n_xml >= sizeof(d.xml_files) / sizeof(d.xml_files[0]))
				return x4ctl_fail("doctor: at most 16 --xml files");
			d.xml_files[d.n_xml++] = argv[++i];
		} else if (strcmp(argv[i], "--uri") == 0 && i + 1 < argc) {
			d.uri = argv[++i];
		} else {
			return x4ctl_usage("doctor", DOC_SYN);
		}
	}
	d.rows = json_object_new_array();
	x4_state_init(&d.st);
	cmdline = doc_read_host("/proc/cmdline", 4096, NULL);
	doc_config(&d, g);
	doc_iommu(&d, cmdline ? cmdline : "");
	free(cmdline);
	doc_gpu_driver(&d);
	doc_pf(&d);
	doc_state(&d);
	doc_vfs(&d);
	doc_vfio(&d);
	doc_check_lg(&d);
	doc_check_apparmor(&d);
	doc_hook(&d);
	doc_wrapper(&d);
	doc_roms(&d);
	doc_check_vms(&d);
	if (d.json) {
		json_object *root = json_object_new_object();
		json_object *sum = json_object_new_object();

		json_object_object_add(sum, "pass", json_object_new_int((int)d.n[DOC_PASS]));
		json_object_object_add(sum, "warn", json_object_new_int((int)d.n[DOC_WARN]));
		json_object_object_add(sum, "fail", json_object_new_int((int)d.n[DOC_FAIL]));
		json_object_object_add(root, "rows", d.rows);
		json_object_object_add(root, "summary", sum);
		printf("%s\n", json_object_to_json_string_ext(
				   root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(root);
	} else {
		printf("doctor: %u pass, %u warn, %u fail\n", d.n[DOC_PASS], d.n[DOC_WARN],
		       d.n[DOC_FAIL]);
		json_object_put(d.rows);
	}
	rc = d.n[DOC_FAIL] ? 1 : 0;
	return rc;
}
