/* SPDX-License-Identifier: MIT */
/* x4ctl doctor: loads config, state, PF, command line and kernel log once, then walks a table of
 * checks (none depends on another having run); the report prints their rows at the end. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "doctor.h"
#include "lg.h"
#include "paths.h"
#include "qemuuser.h"
#include "rom.h"
#include "sriov.h"
#include "sysfs.h"
#include "vfio.h"

static const char doc_usage[] =
    "usage: x4ctl doctor [--json] [--report FILE] [--xml FILE]... [--uri URI]\n"
    "Check every precondition of iGPU SR-IOV passthrough and Looking Glass, one row each,\n"
    "with the fix for what fails (exit 1 when a row fails).\n"
    "  --json          print JSON\n"
    "  --report FILE   also write a bug-report bundle (no user names, host names or UUIDs)\n"
    "  --xml FILE      check this domain XML (repeatable, at most 16) instead of libvirt's\n"
    "  --uri URI       libvirt to read VMs from (default qemu:///system)\n";

/* Load what every check reads, once; failures are kept for the rows that report them. */
static void doc_load(struct doc *d, const struct x4ctl *g)
{
	struct x4_err e;
	char *text;
	struct utsname u;

	if (x4ctl_load_config(g, &d->c, &e) < 0) {
		x4_config_defaults(&d->c);
		snprintf(d->config_err, sizeof(d->config_err), "%s", e.msg);
	} else {
		d->config_ok = 1;
	}
	if (g->config)
		snprintf(d->config_path, sizeof(d->config_path), "%s", g->config);
	else
		x4_config_path(d->config_path, sizeof(d->config_path), &e);
	x4_state_init(&d->st);
	if (x4_state_load(&d->st, &e) < 0) {
		x4_state_init(&d->st);
		snprintf(d->state_err, sizeof(d->state_err), "%s", e.msg);
	} else {
		d->state_ok = 1;
	}
	if (x4_sriov_find_pf(&d->c.host, &d->pf, &e) < 0) {
		char *self = strstr(e.msg, " (x4ctl doctor)"); /* this is doctor: no pointer back */

		if (self || (self = strstr(e.msg, ", or run x4ctl doctor")))
			*self = '\0';
		snprintf(d->pf_err, sizeof(d->pf_err), "%s", e.msg);
	} else {
		d->have_pf = 1;
	}
	if (d->have_pf)
		d->gpu = d->pf;
	else if (!d->c.host.pf_auto)
		d->gpu = d->c.host.pf;
	else
		x4_pciaddr_parse(X4_BOARD_PF, &d->gpu, &e);
	text = doc_read_host("/proc/cmdline", sizeof(d->cmdline) - 1, NULL);
	snprintf(d->cmdline, sizeof(d->cmdline), "%s", text ? text : "");
	d->cmdline[strcspn(d->cmdline, "\n")] = '\0';
	free(text);
	/* the release the kernel reports, faked under $X4_ROOT by tests */
	text = doc_read_host("/proc/sys/kernel/osrelease", sizeof(d->kver) - 1, NULL);
	if (text && text[0])
		snprintf(d->kver, sizeof(d->kver), "%.*s", (int)strcspn(text, "\n"), text);
	else if (uname(&u) == 0)
		snprintf(d->kver, sizeof(d->kver), "%s", u.release);
	free(text);
	if (x4_kmsg_read(&d->log, &e) == 0)
		d->log_ok = 1;
	else {
		snprintf(d->log_err, sizeof(d->log_err), "%s", e.msg);
		d->log_errno = e.code;
	}
}

static void doc_config(struct doc *d)
{
	if (!d->config_ok)
		doc_row(d, DOC_FAIL, "config",
			"correct the line named above (x4-sriov.conf(5)); "
			"x4-hook and qemu-x4 refuse to act on our VMs until it parses",
			"%s", d->config_err);
	else if (!d->c.file_present)
		doc_row(d, DOC_WARN, "config",
			"x4ctl install (writes a commented "
			"/etc/x4-sriov/x4-sriov.conf)",
			"%s missing: built-in defaults used", d->config_path);
	else
		doc_row(d, DOC_PASS, "config", NULL, "%s valid, %u [vm] section(s)", d->config_path,
			d->c.n_vms);
}

static void doc_pf(struct doc *d)
{
	char a[X4_PCIADDR_STRLEN], drv[64] = "";
	unsigned total = 0;
	struct x4_err e;

	if (!d->have_pf) {
		doc_row(d, DOC_FAIL, "sriov-pf",
			"load the SR-IOV GPU driver: i915-sriov-dkms with " DOC_I915_ARGS
			", or xe with " DOC_XE_ARGS "; then reboot (the module and max-vfs rows "
			"say which part is missing)",
			"%s", d->pf_err);
		return;
	}
	x4_pciaddr_format(&d->pf, a);
	x4_sriov_totalvfs(&d->pf, &total, &e);
	doc_driver_of(&d->pf, drv, sizeof(drv));
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
	struct x4_qemu_user qu;

	if (x4_host_path(s->rom, path, sizeof(path), &e) < 0 ||
	    x4_rom_check_file(path, 0, 0, &info, &e) < 0) {
		snprintf(fix, sizeof(fix),
			 "sudo x4ctl rom extract BIOS.bin (the vendor's BIOS file, or "
			 "--from-flash) and put it at %s, or clear rom in %s",
			 s->rom, scope);
		doc_row(d, DOC_FAIL, "rom", fix, "rom = %s (%s): %s", s->rom, scope, e.msg);
		return;
	}
	if (s->rom_mode == X4_ROM_OPTIONROM && info.kind != X4_ROM_PCI_EFI) {
		snprintf(fix, sizeof(fix),
			 "x4ctl rom build --efi %s --out "
			 X4_STATE_DIR "/gop.rom, then rom = " X4_STATE_DIR "/gop.rom",
			 s->rom);
		doc_row(d, DOC_FAIL, "rom", fix,
			"rom = %s (%s) is a %s but rom_mode = optionrom "
			"needs a PCI option ROM with an EFI image",
			s->rom, scope, x4_rom_kind_name(info.kind));
		return;
	}
	if (x4_qemu_user(&qu, NULL) == 0 && x4_lg_check_access(s->rom, qu.uid, qu.gid, 0, &e) < 0) {
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
			"sudo x4ctl rom extract BIOS.bin --out " X4_STATE_DIR " (the vendor's "
			"BIOS file, or --from-flash), then set the rom = line it prints",
			"no GOP ROM configured: Windows may show Code 43 for the VF");
}

static void doc_state(struct doc *d)
{
	if (!d->state_ok)
		doc_row(d, DOC_FAIL, "state",
			"sudo x4ctl vf repair (keeps the file aside, rebuilds the claims from the "
			"running VMs); with no VM of ours running, rm " X4_STATE_FILE " does too",
			"%s", d->state_err);
	else
		doc_row(d, DOC_PASS, "state", NULL, "%u VF claim(s) in " X4_STATE_FILE,
			d->st.n_claims);
}

/* The checks, in the order the rows are printed: kernel side first (F1-F6, F8), then ours. */
static const struct doc_check {
	const char *name;
	void (*fn)(struct doc *d);
} doc_checks[] = {
	{"config", doc_config},
	{"kernel-log", doc_check_kmsg},
	{"iommu", doc_check_iommu},
	{"gpu-driver", doc_check_driver},
	{"module", doc_check_module},
	{"secure-boot", doc_check_secureboot},
	{"max-vfs", doc_check_maxvfs},
	{"guc", doc_check_guc},
	{"firmware", doc_check_firmware},
	{"sriov-pf", doc_pf},
	{"state", doc_state},
	{"state-health", doc_check_state_health},
	{"vfs", doc_vfs},
	{"vfs-at-boot", doc_check_vfs_boot},
	{"vf-groups", doc_check_vf_groups},
	{"host-display", doc_check_display},
	{"vfio-pci", doc_vfio},
	{"kvmfr", doc_check_kvmfr},
	{"looking-glass", doc_check_lg},
	{"apparmor", doc_check_apparmor},
	{"hook", doc_hook},
	{"wrapper", doc_wrapper},
	{"rom", doc_roms},
	{"vms", doc_check_vms},
};

int x4ctl_doctor(struct x4ctl *g, int argc, char **argv)
{
	static struct doc d; /* holds a config and a state: too big for the stack */
	const char *bundle = NULL;
	struct x4_err e;
	size_t i;
	int json = 0, rc, c;
	enum { D_JSON = 0x100, D_REPORT, D_XML, D_URI };
	static const struct option opts[] = {{"json", no_argument, NULL, D_JSON},
					     {"report", required_argument, NULL, D_REPORT},
					     {"xml", required_argument, NULL, D_XML},
					     {"uri", required_argument, NULL, D_URI},
					     X4CTL_OPT_HELP,
					     X4CTL_OPT_END};
	struct x4ctl_opts o = {.cmd = "doctor", .usage = doc_usage, .longopts = opts};

	memset(&d, 0, sizeof(d));
	d.uri = "qemu:///system";
	while ((c = x4ctl_opt_next(&o, argc, argv)) != -1) {
		if (c == X4CTL_OPT_EXIT) {
			return o.status;
		} else if (c == D_JSON) {
			json = 1;
		} else if (c == D_REPORT) {
			bundle = optarg;
		} else if (c == D_XML) {
			if (d.n_xml >= sizeof(d.xml_files) / sizeof(d.xml_files[0]))
				return x4ctl_fail("doctor: at most 16 --xml files");
			d.xml_files[d.n_xml++] = optarg;
		} else {
			d.uri = optarg;
		}
	}
	if (x4ctl_opt_args(&o, argc, 0, 0))
		return 2;
	doc_load(&d, g);
	for (i = 0; i < sizeof(doc_checks) / sizeof(doc_checks[0]); i++)
		doc_checks[i].fn(&d);
	if (json)
		report_print_json(&d.rep, stdout);
	else
		report_print_text(&d.rep, stdout);
	rc = d.rep.count[REP_FAIL] ? 1 : 0;
	if (bundle && doc_write_bundle(&d, bundle, &e) < 0)
		rc = x4ctl_fail_err(&e);
	else if (bundle && !json)
		printf("doctor: report written to %s (no user names, host names or UUIDs)\n",
		       bundle);
	report_free(&d.rep);
	x4_kmsg_free(&d.log);
	return rc;
}
