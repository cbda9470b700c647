/* SPDX-License-Identifier: MIT */
/* install, kvmfr: one device per Looking Glass VM: its record (lgassign), the module's
 * static_size_mb list in modprobe.d, a udev rule, an entry in qemu.conf's cgroup_device_acl
 * per device. x4ctl install runs it; x4ctl lg apply runs it alone, into the same journal, so
 * x4ctl uninstall undoes what either wrote. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "install.h"
#include "lgassign.h"
#include "qemuconf.h"
#include "sysfs.h"
#include "x4ctl.h"

/* The devices the edit below adds (inst_edit's callback takes no context). */
static const struct x4_lg_dev *kv_dev;
static int kv_count;

static int kv_acl_edit(const char *text, size_t len, char **out, size_t *out_len, struct x4_err *e)
{
	char *cur = NULL, *neu = NULL, abs[32];
	size_t clen = len, nlen = 0;
	int i, rc = 0, changed = 0;

	for (i = 0; i < kv_count && rc >= 0; i++) {
		if (!kv_dev[i].used)
			continue;
		snprintf(abs, sizeof(abs), "/dev/kvmfr%d", i);
		rc = x4_qemuconf_acl_add(cur ? cur : text, clen, abs, &neu, &nlen, e);
		if (rc == 1) {
			free(cur);
			cur = neu;
			clen = nlen;
			changed = 1;
		}
	}
	if (rc < 0 || !changed) {
		free(cur);
		return rc < 0 ? rc : 0;
	}
	*out = cur;
	*out_len = clen;
	return 1;
}

void inst_kvmfr_group_hint(void)
{
	const char *user = getenv("SUDO_USER");

	printf("the user running looking-glass-client must be in group " X4_LG_GROUP " to open the "
	       "devices: sudo usermod -aG " X4_LG_GROUP " %s (then log in again)\n",
	       user && *user ? user : "$USER");
}

int inst_kvmfr(struct inst *in, const struct x4_config *c, int say_reload, struct x4_err *e)
{
	struct x4_lg_dev dev[X4_LG_MAX_DEVICES];
	char text[4096], what[200];
	size_t wl;
	int count, len, rc, i;

	if (!c)
		return 0;
	/* Every looking_glass = kvmfr VM gets its device now, so the sizes are known before any
	 * VM runs (a dry run only shows what it would get). */
	if (!in->dry_run && (rc = x4_lg_record(c, NULL, e)) < 0)
		return rc;
	if ((count = x4_lg_table(c, dev, e)) <= 0)
		return count;
	if ((len = x4_lg_modprobe_text(dev, count, text, sizeof(text))) < 0)
		return x4_fail(e, ENOSPC, "the kvmfr options do not fit in %zu bytes",
			       sizeof(text));
	if ((rc = inst_file(in, X4_LG_MODPROBE_FILE, text, (size_t)len, 0644, 0, e)) < 0)
		return rc;
	if ((len = x4_lg_udev_text(dev, count, text, sizeof(text))) < 0)
		return x4_fail(e, ENOSPC, "the kvmfr udev rules do not fit in %zu bytes",
			       sizeof(text));
	if ((rc = inst_file(in, X4_LG_UDEV_FILE, text, (size_t)len, 0644, 0, e)) < 0)
		return rc;
	wl = (size_t)snprintf(what, sizeof(what), "cgroup_device_acl gets");
	for (i = 0; i < count && wl < sizeof(what); i++)
		if (dev[i].used)
			wl += (size_t)snprintf(what + wl, sizeof(what) - wl, " /dev/kvmfr%d", i);
	kv_dev = dev;
	kv_count = count;
	if (x4_sysfs_exists(X4_QEMUCONF_PATH) == 1)
		rc = inst_edit(in, X4_QEMUCONF_PATH, kv_acl_edit, what, e);
	else
		printf("skipping %s: not found (install libvirt-daemon-system, then run x4ctl "
		       "lg apply again)\n",
		       inst_show(X4_QEMUCONF_PATH));
	kv_dev = NULL;
	for (i = 0; say_reload && rc >= 0 && i < count; i++) {
		uint64_t have;

		if (x4ctl_lg_loaded_size(i, dev[i].size, &have)) {
			printf("kvmfr must be reloaded for these sizes: x4ctl lg apply --reload "
			       "when no VM uses it\n");
			break;
		}
	}
	return rc < 0 ? rc : count;
}
