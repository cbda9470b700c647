/* SPDX-License-Identifier: MIT */
/* qemu-x4: libvirt's <emulator>; execs the real QEMU with Looking Glass and the VF's ROM added. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "apparmor.h"
#include "board.h"
#include "config.h"
#include "lg.h"
#include "lgshm.h"
#include "lgsize_check.h"
#include "log.h"
#include "plan.h"
#include "qemuargv.h"
#include "rom.h"

static const char qx_usage[] =
	"usage: qemu-x4 QEMU-ARGS...   (set as <emulator> of a libvirt domain)\n"
	"Execs the real QEMU ([host] qemu in x4-sriov.conf, default " X4_DEFAULT_QEMU ")\n"
	"with the Looking Glass ivshmem device and the VF's romfile added, as planned by x4-hook\n"
	"at prepare (/run/x4-sriov/vm/VM.json) or, with no plan (no hook: config-only mode), as\n"
	"x4-sriov.conf says for the VM named by -name. A damaged or foreign plan is refused.\n"
	"An argv without -name (libvirt's capability probes, -version, -help) is passed on as is.\n"
	"Environment: X4_CONFIG, X4_ROOT. See qemu-x4(1).\n";

static int qx_die(const struct x4_err *e)
{
	x4_log_err(e);
	return 1;
}

/* Refuse a qemu = that leads back to us: exec'ing ourselves would loop forever. */
static int qx_check_not_self(const char *qemu, struct x4_err *e)
{
	char self[PATH_MAX], target[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n <= 0 || !realpath(qemu, target))
		return 0; /* exec reports a missing QEMU itself */
	self[n] = '\0';
	if (!strcmp(self, target))
		return x4_fail(e, ELOOP,
			       "qemu = %s in x4-sriov.conf is qemu-x4 itself: set it to the real emulator, e.g. %s",
			       qemu, X4_DEFAULT_QEMU);
	return 0;
}

/* Set before every exec, so a qemu = script that execs qemu-x4 again is caught at once instead
 * of looping; its value is the qemu = that led back here. */
#define QX_REENTRY_ENV "X4_QEMU_X4_EXECED"

static int qx_check_reentry(struct x4_err *e)
{
	const char *via = getenv(QX_REENTRY_ENV);
	char q[X4_QUOTE_BUF];

	if (!via)
		return 0;
	return x4_fail(e, ELOOP, "qemu = %s in x4-sriov.conf runs qemu-x4 again: set it to the "
		       "real emulator, e.g. %s", x4_quote(via, q), X4_DEFAULT_QEMU);
}

static int qx_exec(const char *qemu, char **argv, struct x4_err *e)
{
	argv[0] = (char *)qemu;
	if (setenv(QX_REENTRY_ENV, qemu, 1) < 0)
		return x4_fail(e, errno, "cannot set %s: %s", QX_REENTRY_ENV, strerror(errno));
	execv(qemu, argv);
	return x4_fail(e, errno, "cannot run %s: %s: %s", qemu, strerror(errno),
		       x4_aa_hint(errno, "install qemu-system-x86 or fix qemu = in x4-sriov.conf"));
}

/* Config-only mode, a ROM and no VF in the config: the vfio-pci device in argv at one of the
 * PF's VF addresses (same slot as the PF: 0000:00:02.1-7 on the X4), the lowest function.
 * No sysfs, so no libpci in the wrapper. */
#define QX_MAX_VFIO 16 /* vfio-pci devices looked at; a VM has one VF, rarely more */

static int qx_find_vf(const struct x4_settings *s, int argc, char **argv, struct x4_plan *plan,
		      struct x4_err *e)
{
	struct x4_pciaddr pf = s->pf;
	struct x4_pciaddr dev[QX_MAX_VFIO];
	int n;

	if (s->pf_auto)
		x4_pciaddr_parse(X4_BOARD_PF, &pf, NULL);
	n = x4_qemuargv_find_vfio(argc, argv, dev, QX_MAX_VFIO, e);

	if (n < 0)
		return n;
	for (int i = 0; i < n; i++) {
		if (dev[i].domain != pf.domain || dev[i].bus != pf.bus || dev[i].slot != pf.slot ||
		    dev[i].func <= pf.func || (plan->has_vf && dev[i].func >= plan->vf.func))
			continue;
		plan->has_vf = 1;
		plan->vf = dev[i];
	}
	return 0;
}

/* The plan x4-hook wrote at prepare (the contract is in plan.h). None: config-only mode, the
 * same decision from x4-sriov.conf (and argv for the VF), said once in the log by the caller.
 * A plan that is there but cannot be used is an error, never a reason to decide again. */
static int qx_plan(const struct x4_config *cfg, const struct x4_settings *s, const char *name,
		   int argc, char **argv, struct x4_plan *plan, int *config_only, struct x4_err *e)
{
	int rc = x4_plan_read(name, plan, e);

	*config_only = rc == -ENOENT;
	if (rc == 0)
		return 0;
	if (rc != -ENOENT) {
		const char *hint = x4_aa_hint(e->code, NULL);
		struct x4_err why = *e;

		if (hint)
			x4_fail(e, why.code, "%s: %s", why.msg, hint);
		return rc;
	}
	if ((rc = x4_plan_decide(cfg, name, NULL, plan, e)) < 0)
		return rc;
	if (!plan->has_vf && plan->rom[0])
		return qx_find_vf(s, argc, argv, plan, e);
	return 0;
}

/* The ROM must be something OVMF can use and QEMU (this user) can read. */
static int qx_check_rom(const char *path, struct x4_err *e)
{
	struct x4_rom_info info;
	int rc;

	if (access(path, R_OK) < 0)
		return x4_fail(e, errno, "ROM %s is not readable by this user (uid %u): %s: chmod 0644 it or fix rom = in x4-sriov.conf",
			       path, (unsigned)getuid(), strerror(errno));
	if ((rc = x4_rom_check_file(path, 0, 0, &info, e)) < 0)
		return rc;
	if (info.warning[0])
		x4_log(LOG_WARNING, "ROM %s: %s", path, info.warning);
	return 0;
}

int main(int argc, char **argv)
{
	static struct x4_config cfg; /* 54 KiB: too big for the stack (CODING-STYLE.md) */
	struct x4_settings s;
	struct x4_plan plan;
	struct x4_err e;
	char name[X4_NAME_MAX + 1];
	char **out = NULL;
	int out_argc = 0, bits, config_only = 0;

	x4_log_open("x4-sriov", X4_LOG_STDERR);
	x4_err_clear(&e);
	if (argc == 2 && !strcmp(argv[1], "--help")) {
		fputs(qx_usage, stdout);
		return 0;
	}
	if (qx_check_reentry(&e) < 0)
		return qx_die(&e);
	if (x4_qemuargv_is_probe(argc, argv)) {
		/* A probe is passed on untouched; only the emulator's path comes from the config,
		 * so that probes and starts run the same QEMU. A broken config: the default. */
		if (x4_config_load(&cfg, NULL) < 0)
			x4_config_defaults(&cfg);
		if (qx_check_not_self(cfg.host.qemu, &e) < 0)
			return qx_die(&e);
		qx_exec(cfg.host.qemu, argv, &e);
		return qx_die(&e);
	}
	if (x4_qemuargv_vm_name(argc, argv, name, sizeof(name), &e) < 0)
		return qx_die(&e);
	if (x4_config_load(&cfg, &e) < 0)
		return qx_die(&e);
	x4_config_for_vm(&cfg, name, &s);
	if (qx_check_not_self(s.qemu, &e) < 0)
		return qx_die(&e);
	if (qx_plan(&cfg, &s, name, argc, argv, &plan, &config_only, &e) < 0)
		return qx_die(&e);
	if (plan.rom[0] && plan.has_vf && qx_check_rom(plan.rom, &e) < 0)
		return qx_die(&e);
	/* kvmfr's static_size_mb is not in sysfs (mode 0000): the size is asked of the device. */
	if (plan.lg == X4_LG_KVMFR && x4_lg_check_device(plan.lg_path, 0, &e) < 0)
		return qx_die(&e);
	/* Again here: without the hook nobody made the shm file, and QEMU opens without O_EXCL.
	 * Whose it is comes before how big it is. */
	if (x4_lgshm_secure(name, plan.lg, plan.lg_path, &e) < 0)
		return qx_die(&e);
	if (plan.lg != X4_LG_OFF &&
	    x4_lg_check_region_size(name, plan.lg_path, plan.lg_size, &e) < 0)
		return qx_die(&e);

	struct x4_rewrite rw = {
		.vf = plan.has_vf ? &plan.vf : NULL,
		/* A ROM without a VF (a Looking Glass-only VM, [host] rom set) is simply unused. */
		.romfile = plan.rom[0] && plan.has_vf ? plan.rom : NULL,
		.lg_mem_path = plan.lg != X4_LG_OFF ? plan.lg_path : NULL,
		.lg_size = plan.lg_size,
	};
	bits = x4_qemuargv_rewrite(argc, argv, &rw, &out, &out_argc, &e);
	if (bits < 0)
		return qx_die(&e);
	if (rw.romfile && rw.vf && (bits & X4_REWRITE_ROM_NO_DEVICE))
		x4_log(LOG_WARNING, "'%s' has no vfio-pci device for its VF: no romfile added", name);
	/* Said once per start, and only when QEMU will run: a refusal stays one line. */
	if (config_only && (plan.lg != X4_LG_OFF || rw.romfile) && access(s.qemu, X_OK) == 0)
		x4_log(LOG_NOTICE, "VM '%s' has no plan from x4-hook: config-only mode, decided from "
		       "x4-sriov.conf and QEMU's arguments (x4ctl install puts the hook in place)",
		       name);
	qx_exec(s.qemu, out, &e);
	x4_qemuargv_free(out, out_argc);
	return qx_die(&e);
}
