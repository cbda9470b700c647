/* SPDX-License-Identifier: MIT */
/* doctor, the kvmfr module: loaded or not, its devices and their sizes; when it is missing and
 * a VM needs it, how to build it with DKMS from the Looking Glass source of the client's
 * release, and what loads it at boot. */
#include <stdio.h>
#include <string.h>

#include "doctor.h"
#include "lg.h"
#include "lgassign.h"
#include "lgsize_check.h"
#include "plan.h"
#include "sysfs.h"

/* Exactly what to run; one line, as doctor fixes are. */
#define KVMFR_BUILD_STEPS                                                                          \
	"build kvmfr with DKMS from the Looking Glass source of the same release as your client "  \
	"(client: looking-glass-client --version; source: the release in its tarball name, e.g. "  \
	"looking-glass-B7, or git describe --tags; guest host: x4ctl lg status): "                 \
	"apt install dkms linux-headers-$(uname -r); sudo x4ctl lg build-module looking-glass-B7 " \
	"(runs dkms add, build and install on its module/ directory); then modprobe kvmfr "        \
	"static_size_mb=%llu (x4ctl install writes 'options kvmfr static_size_mb=...' to "         \
	X4_LG_MODPROBE_FILE " and the line 'kvmfr' to /etc/modules-load.d/x4-sriov.conf, so it "    \
	"loads at boot)"

/* Does any VM (or [host]) use a /dev/kvmfrN? The first one's size in MiB for the fix: what
 * x4-hook would plan for it (x4_plan_decide_lg), [host]'s own size, else the default. */
static int kvmfr_needed(const struct x4_config *c, unsigned long long *mb)
{
	struct x4_plan p;
	unsigned i;

	if (c->host.lg == X4_LG_KVMFR) {
		uint64_t want = x4_lg_wanted_size(&c->host);

		*mb = (want ? want : X4_LG_DEFAULT_SIZE) >> 20;
		return 1;
	}
	for (i = 0; i < c->n_vms; i++) {
		struct x4_settings s;

		x4_config_for_vm(c, c->vms[i].name, &s);
		if (s.lg != X4_LG_KVMFR)
			continue;
		/* a decision that fails is doctor_lg's row; the fix still needs a size */
		*mb = (x4_plan_decide_lg(c, c->vms[i].name, &p, NULL) == 0 ? p.lg_size
									  : X4_LG_DEFAULT_SIZE) >> 20;
		return 1;
	}
	return 0;
}

/* "/dev/kvmfr0 32 MiB, /dev/kvmfr1 64 MiB" for the devices that exist; their count. */
static unsigned kvmfr_devices(char *out, size_t n)
{
	unsigned i, count = 0;
	size_t len = 0;

	out[0] = '\0';
	for (i = 0; i < X4_LG_MAX_DEVICES && len < n; i++) {
		char abs[32], sys[48], sz[32] = "size unknown";
		uint64_t bytes = 0;
		int rc;

		snprintf(abs, sizeof(abs), "/dev/kvmfr%u", i);
		snprintf(sys, sizeof(sys), "/sys/class/kvmfr/kvmfr%u", i);
		if (x4_sysfs_exists(abs) != 1 && x4_sysfs_exists(sys) != 1)
			continue;
		rc = x4_lg_region_size(abs, &bytes, NULL);
		if (rc == 0)
			x4ctl_size_str(bytes, sz, sizeof(sz));
		else if (x4_sysfs_exists(abs) != 1)
			snprintf(sz, sizeof(sz), "no node in /dev");
		len += (size_t)snprintf(out + len, n - len, "%s%s %s", count ? ", " : "", abs, sz);
		count++;
	}
	return count;
}

void doc_check_kvmfr(struct doc *d)
{
	unsigned long long mb = X4_LG_DEFAULT_SIZE >> 20;
	int needed = kvmfr_needed(&d->c, &mb);
	char devs[512], ver[64] = "", fix[1024];
	unsigned count;

	if (x4_sysfs_exists("/sys/module/kvmfr") != 1) {
		snprintf(fix, sizeof(fix), KVMFR_BUILD_STEPS, mb);
		if (needed)
			doc_row(d, DOC_FAIL, "kvmfr", fix,
				"kvmfr module not loaded, and a VM uses /dev/kvmfrN");
		else
			doc_row(d, DOC_PASS, "kvmfr", NULL,
				"kvmfr module not loaded (no VM uses /dev/kvmfrN)");
		return;
	}
	if (x4_sysfs_read("/sys/module/kvmfr/version", ver, sizeof(ver), NULL) == 0)
		ver[strcspn(ver, "\n")] = '\0';
	count = kvmfr_devices(devs, sizeof(devs));
	if (count == 0)
		doc_row(
		    d, needed ? DOC_FAIL : DOC_WARN, "kvmfr",
		    "reload it with sizes: rmmod kvmfr; modprobe kvmfr static_size_mb=32 (x4ctl "
		    "install writes /etc/modprobe.d/x4-sriov-kvmfr.conf)",
		    "kvmfr module loaded%s%s but it made no device (static_size_mb not given)",
		    ver[0] ? ", version " : "", ver);
	else
		doc_row(d, DOC_PASS, "kvmfr", NULL, "kvmfr module loaded%s%s: %s",
			ver[0] ? ", version " : "", ver, devs);
}
