/* SPDX-License-Identifier: MIT */
/* doctor, GuC (F4): enable_guc, the GuC/HuC/DMC firmware files ADL-N loads, and the kernel log
 * lines of a GuC that did not start (after which the PF makes no VFs). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doctor.h"

#define GUC_PKG_FIX                                                                                \
	"apt install firmware-misc-nonfree (Debian 12, component non-free-firmware; Debian 13: "   \
	"firmware-intel-graphics; Proxmox: pve-firmware), then update-initramfs -u and reboot"

/* One firmware the iGPU needs, with the names i915 tries in order. */
static const struct guc_fw {
	const char *what;
	const char *names[3];
} guc_fws[] = {
	{"GuC", {"adlp_guc_70.bin", "adlp_guc_70.1.1.bin", "adlp_guc_69.0.3.bin"}},
	{"HuC", {"tgl_huc.bin", "tgl_huc_7.9.3.bin", NULL}},
	{"DMC", {"adlp_dmc.bin", "adlp_dmc_ver2_16.bin", NULL}},
};

/* /lib/firmware/i915/NAME[.xz|.zst]: the path found, "" when none. */
static void guc_find(const struct guc_fw *f, char *out, size_t n)
{
	static const char *const exts[] = {"", ".xz", ".zst"};
	char abs[256];
	size_t i, k;

	out[0] = '\0';
	for (i = 0; i < 3 && f->names[i]; i++)
		for (k = 0; k < sizeof(exts) / sizeof(exts[0]); k++) {
			snprintf(abs, sizeof(abs), "/lib/firmware/i915/%s%s", f->names[i], exts[k]);
			if (doc_exists(abs)) {
				snprintf(out, n, "%s", abs);
				return;
			}
		}
}

void doc_check_firmware(struct doc *d)
{
	char found[256], missing[256] = "", have[512] = "", line[256] = "";
	size_t i, mo = 0, ho = 0;

	for (i = 0; i < sizeof(guc_fws) / sizeof(guc_fws[0]); i++) {
		guc_find(&guc_fws[i], found, sizeof(found));
		if (found[0])
			ho += (size_t)snprintf(have + ho, sizeof(have) - ho, "%s%s", ho ? ", " : "",
					       found);
		else
			mo += (size_t)snprintf(missing + mo, sizeof(missing) - mo, "%si915/%s (%s)",
					       mo ? ", " : "", guc_fws[i].names[0], guc_fws[i].what);
	}
	if (!doc_log(d, "failed to load i915/", line, sizeof(line)))
		doc_log(d, "fetch failed", line, sizeof(line));
	if (missing[0] && !line[0] && d->have_pf) /* the GuC runs: loaded from the initramfs? */
		doc_emit(d, DOC_WARN, "firmware",
			 "the PF runs SR-IOV now, but the next initramfs rebuild or kernel update "
			 "drops the firmware it loaded",
			 GUC_PKG_FIX, "missing under /lib/firmware: %s", missing);
	else if (missing[0] || line[0])
		doc_emit(d, DOC_FAIL, "firmware",
			 "without its GuC firmware the PF cannot run SR-IOV ('No VFs could be "
			 "associated with this PF!')",
			 GUC_PKG_FIX, "%s%s%s%s%s", missing[0] ? "missing under /lib/firmware: " : "",
			 missing, missing[0] && line[0] ? "; " : "", line[0] ? "log: " : "", line);
	else
		doc_emit(d, DOC_PASS, "firmware", NULL, NULL, "%s", have);
}

void doc_check_guc(struct doc *d)
{
	/* log lines of a GuC that did not start, each with its one fix */
	static const struct {
		const char *needle, *meaning, *fix;
	} bad[] = {
		{"Incompatible option enable_guc", "enable_guc has a value the driver refuses",
		 "set " X4_KARG_I915_GUC " (or remove it: 3 is the default on ADL-N): " DOC_GRUB},
		{"Unable to confirm version",
		 "the host's GuC firmware and the guest's driver speak different VF interface "
		 "versions",
		 "update the host's GuC firmware (" GUC_PKG_FIX ")"},
		{"declaring it wedged", "the GPU did not initialise: the PF makes no VFs",
		 GUC_PKG_FIX},
		{"GuC initialization failed", "the GuC did not start: the PF makes no VFs",
		 GUC_PKG_FIX},
		{"IOV: Initialization failed", "SR-IOV needs GuC submission, which did not start",
		 "boot with " X4_KARG_I915_GUC ", and " GUC_PKG_FIX},
		{"No VFs could be associated", "the PF gave SR-IOV up (its GuC did not start)",
		 "boot with " X4_KARG_I915_GUC ", and " GUC_PKG_FIX},
		{"GuC submission is N/A", "GuC submission is off: SR-IOV needs it",
		 "set " X4_KARG_I915_GUC ": " DOC_GRUB},
	};
	struct doc_mod m;
	char val[64] = "", line[256] = "", fw[256] = "", from[64] = "";
	size_t i;
	long guc;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (doc_log(d, bad[i].needle, line, sizeof(line))) {
			doc_emit(d, DOC_FAIL, "guc", bad[i].meaning, bad[i].fix, "log: %s", line);
			return;
		}
	doc_module_facts(d, &m);
	if (strcmp(m.bound, "i915") != 0) {
		if (strcmp(m.bound, "xe") == 0)
			doc_emit(d, DOC_PASS, "guc", NULL, NULL,
				 "xe always uses the GuC; no GuC failure in the kernel log");
		return; /* no i915: the gpu-driver row */
	}
	if (doc_param("i915", "enable_guc", val, sizeof(val)) == 0)
		snprintf(from, sizeof(from), "/sys/module/i915/parameters");
	else if (doc_cmdline_value(d->cmdline, "i915.enable_guc=", val, sizeof(val)) == 0)
		snprintf(from, sizeof(from), "kernel command line");
	else if (doc_modprobe_option("i915", "enable_guc", val, sizeof(val), from, sizeof(from)) <
		 0)
		val[0] = '\0';
	guc = val[0] ? strtol(val, NULL, 10) : -1;
	if (guc != -1 && guc != 3) {
		doc_emit(d, DOC_FAIL, "guc",
			 "SR-IOV needs GuC submission and HuC loading (3); other values turn them "
			 "off or are refused",
			 "set " X4_KARG_I915_GUC " (or remove it: 3 is the default on ADL-N): " DOC_GRUB,
			 "i915.enable_guc=%s (%s)", val, from);
		return;
	}
	doc_log(d, "GuC firmware", fw, sizeof(fw));
	doc_emit(d, DOC_PASS, "guc", NULL, NULL, "enable_guc %s%s%s%s%s%s",
		 val[0] ? val : "default (-1 = 3 on ADL-N)", from[0] ? " (" : "", from,
		 from[0] ? ")" : "", fw[0] ? "; log: " : "", fw);
}
