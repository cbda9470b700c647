/* SPDX-License-Identifier: MIT */
/* doctor: what every check gets (config, state, PF, kernel log and command line, loaded once by
 * doctor.c before any check runs), how a check adds a row, and what the checks read from the
 * host (doctor_host.c). A check is `void doc_check_X(struct doc *d)`: it reads d, adds rows, and
 * depends on no other check having run. */
#ifndef X4CTL_DOCTOR_H
#define X4CTL_DOCTOR_H

#include <sys/types.h>

#include "board.h"
#include "config.h"
#include "kmsg.h"
#include "pciaddr.h"
#include "report.h"
#include "state.h"
#include "x4ctl.h"

enum doc_status { DOC_PASS = REP_PASS, DOC_WARN = REP_WARN, DOC_FAIL = REP_FAIL, DOC_SKIP = REP_SKIP };

#define DOC_GRUB                                                                                   \
	"add them to GRUB_CMDLINE_LINUX_DEFAULT in /etc/default/grub, run update-grub, reboot"
#define DOC_I915_ARGS X4_KARGS_I915 /* board.h */
#define DOC_XE_ARGS X4_KARGS_XE

struct doc {
	struct report rep;
	/* loaded once by doctor.c; read-only to the checks */
	struct x4_config c;
	int config_ok;		/* the file parsed (or is absent: defaults) */
	char config_err[512];	/* why not, when !config_ok */
	char config_path[4096];
	struct x4_state st;
	int state_ok;
	char state_err[512];
	struct x4_pciaddr pf;
	int have_pf;
	struct x4_pciaddr gpu;	/* the iGPU: the PF when found, else pf = or X4_BOARD_PF */
	char pf_err[512];
	struct x4_kmsg log;	/* the current boot's kernel log */
	int log_ok;		/* log holds lines from log.source */
	char log_err[512];	/* why it could not be read, when !log_ok */
	int log_errno;		/* and its errno (EACCES/EPERM: not root) */
	char cmdline[4096];	/* /proc/cmdline, "" when unreadable */
	char kver[128];		/* the running kernel's release (uname -r) */
	/* options */
	const char *uri;	   /* libvirt URI for the VM checks */
	const char *xml_files[16]; /* --xml FILE: check these domains instead of libvirt's */
	unsigned n_xml;
};

/* Add one row: check name, status, fix (NULL for none), the signal as printf. */
void doc_row(struct doc *d, enum doc_status s, const char *check, const char *fix, const char *fmt,
	     ...) __attribute__((format(printf, 5, 6)));

/* Add one row with what the signal means: id, status, meaning and fix (NULL for none), the
 * signal (what was seen: a log line, a sysfs value, an errno) as printf. */
void doc_emit(struct doc *d, enum doc_status s, const char *id, const char *meaning,
	      const char *fix, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* doctor_state.c: damaged state files kept aside and stale claims (VMs not running). */
void doc_check_state_health(struct doc *d);
/* The kvmfr module: loaded, its devices and sizes, how to build it (doctor_kvmfr.c). */
void doc_check_kvmfr(struct doc *d);

/* The checks, each in its file; doctor.c walks them in a table. */
void doc_check_lg(struct doc *d);	  /* doctor_lg.c: kvmfr, qemu.conf ACL */
void doc_check_apparmor(struct doc *d);	  /* doctor_apparmor.c: x4-sriov's rules, DENIED lines */
void doc_check_vms(struct doc *d);	  /* doctor_vm.c: each VM that is ours (F7 causes) */
void doc_check_driver(struct doc *d);	  /* doctor_module.c: which driver, i915 vs xe (F6) */
void doc_check_module(struct doc *d);	  /* doctor_module.c: dkms build vs the kernel (F1) */
void doc_check_secureboot(struct doc *d); /* doctor_secureboot.c: Secure Boot, MOK, lockdown (F2) */
void doc_check_maxvfs(struct doc *d);	  /* doctor_i915.c: max_vfs, sriov_totalvfs (F3) */
void doc_check_vfs_boot(struct doc *d);	  /* doctor_i915.c: what makes VFs at boot (F3) */
void doc_check_guc(struct doc *d);	  /* doctor_guc.c: enable_guc, GuC log lines (F4) */
void doc_check_firmware(struct doc *d);	  /* doctor_guc.c: GuC/HuC/DMC files (F4) */
void doc_check_iommu(struct doc *d);	  /* doctor_iommu.c: DMAR, intel_iommu=on (F5) */
void doc_check_vf_groups(struct doc *d);  /* doctor_iommu.c: a VF's group alone (F5) */
void doc_check_display(struct doc *d);	  /* doctor_i915.c: VFs on the host driver (F8) */
void doc_check_kmsg(struct doc *d);	  /* doctor_host.c: could the kernel log be read */

/* --report FILE: the rows, kernel release, module facts, relevant kernel log lines, our config
 * and state, with user names, host names and UUIDs replaced (doctor_bundle.c). 0 or -errno. */
int doc_write_bundle(const struct doc *d, const char *path, struct x4_err *e);

/* What is known about the GPU driver modules, read fresh by each check that needs it
 * (doctor_module.c). */
struct doc_mod {
	char bound[64];	     /* the driver bound to the iGPU, "" when none */
	int i915, xe;	     /* /sys/module/{i915,xe} exist */
	int i915_max_vfs;    /* /sys/module/i915/parameters/max_vfs exists: the SR-IOV build */
	int xe_max_vfs;	     /* /sys/module/xe/parameters/max_vfs exists */
	char taint[16];	     /* /sys/module/i915/taint ("OE"), "" when none */
	int banner;	     /* "You are using the i915-sriov-dkms module" in the log */
	char ko[256];	     /* the dkms build for the running kernel, "" when none */
	char ver[64];	     /* the installed i915-sriov-dkms version (/usr/src), "" when none */
	char exclusive[128]; /* its dkms.conf BUILD_EXCLUSIVE_KERNEL, "" when none */
	int in_range;	     /* the running kernel matches it: 1, 0, or -1 unknown */
};
void doc_module_facts(const struct doc *d, struct doc_mod *m);
/* 1 when the i915 loaded now is i915-sriov-dkms's (its max_vfs parameter exists). */
int doc_mod_sriov_i915(const struct doc_mod *m);

/* Host reading, all under $X4_ROOT (doctor_host.c). */
/* A file under the host root read whole (at most cap bytes); NULL when absent or unreadable. */
char *doc_read_host(const char *abs, size_t cap, size_t *len);
/* 1 when the host path exists. */
int doc_exists(const char *abs);
/* A word of the kernel command line ("intel_iommu=on"), matched whole. */
int doc_cmdline_has(const char *cmdline, const char *word);
/* The value of "key=" on the command line ("i915.max_vfs=" -> "7"); 0, or -ENOENT. */
int doc_cmdline_value(const char *cmdline, const char *key, char *out, size_t n);
/* /sys/module/MOD/parameters/PARAM: 0 and its value, or a negative errno (-ENOENT: the module
 * has no such parameter; -EACCES: 0400, needs root). */
int doc_param(const char *mod, const char *param, char *out, size_t n);
/* "options MOD PARAM=VALUE" in /etc/modprobe.d/\*.conf: 0 and its value and file, or -ENOENT. */
int doc_modprobe_option(const char *mod, const char *param, char *out, size_t n, char *file,
			size_t fn);
/* The driver bound to a PCI device ("i915"), "" when none. */
void doc_driver_of(const struct x4_pciaddr *a, char *out, size_t n);
/* The newest kernel log line containing needle into out; its count, 0 when absent or the log
 * could not be read. */
unsigned doc_log(const struct doc *d, const char *needle, char *out, size_t n);

#endif
