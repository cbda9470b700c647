/* SPDX-License-Identifier: MIT */
/* lgassign: each looking_glass = kvmfr VM gets its own /dev/kvmfrN, from the config's order
 * (stable across starts and reboots, and known to `x4ctl lg apply` before any VM runs), and two
 * running VMs never share one. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lgassign.h"
#include "log.h"
#include "name.h"
#include "paths.h"
#include "plan.h"

uint64_t x4_lg_wanted_size(const struct x4_settings *s)
{
	if (s->lg_size)
		return s->lg_size;
	if (s->lg_width && s->lg_height)
		return x4_lg_size_for(s->lg_width, s->lg_height, s->lg_hdr);
	return 0;
}

/* The [vm] section name holding auto index idx ("" when none). */
static const char *lga_auto_owner(const struct x4_config *c, unsigned idx)
{
	unsigned i, next = 0;

	for (i = 0; i < c->n_vms; i++) {
		struct x4_settings o;

		x4_config_for_vm(c, c->vms[i].name, &o);
		if (o.lg != X4_LG_KVMFR || o.lg_path[0])
			continue;
		if (next++ == idx)
			return c->vms[i].name;
	}
	return "";
}

int x4_lg_assign(const struct x4_config *c, const char *vm, char *out, size_t n,
		 struct x4_err *e)
{
	unsigned i, next = 0, idx;
	struct x4_settings s;
	const char *owner;

	x4_config_for_vm(c, vm, &s);
	if (s.lg != X4_LG_KVMFR)
		return x4_fail(e, ENOENT, "VM %s does not use kvmfr", vm);
	if (s.lg_path[0]) {
		/* An explicit device must not be one a kvmfr VM is given. */
		if (x4_lg_device_index(s.lg_path, &idx, NULL) == 0 &&
		    *(owner = lga_auto_owner(c, idx)) && strcmp(owner, vm) != 0)
			return x4_fail(e, EBUSY,
				       "VM %s: %s is VM %s's (its looking_glass = kvmfr gives it "
				       "that device): set looking_glass = kvmfr for %s too, or "
				       "another /dev/kvmfrN",
				       vm, s.lg_path, owner, vm);
		snprintf(out, n, "%s", s.lg_path);
		return 0;
	}
	if (!x4_config_vm(c, vm))
		return x4_fail(e, EINVAL,
			       "VM %s: looking_glass = kvmfr comes from [host] and the VM has no "
			       "[vm %s] section: add one so it gets its own /dev/kvmfrN",
			       vm, vm);
	for (i = 0; i < c->n_vms; i++) {
		struct x4_settings o;

		x4_config_for_vm(c, c->vms[i].name, &o);
		if (o.lg != X4_LG_KVMFR || o.lg_path[0])
			continue;
		if (strcmp(c->vms[i].name, vm) == 0)
			break;
		next++;
	}
	if (next >= X4_LG_MAX_DEVICES)
		return x4_fail(e, ENOSPC,
			       "VM %s: looking_glass = kvmfr: all %d kvmfr devices go to VMs "
			       "before it in the config",
			       vm, X4_LG_MAX_DEVICES);
	snprintf(out, n, "/dev/kvmfr%u", next);
	return 0;
}

static void lga_put(struct x4_lg_dev *d, const char *vm, uint64_t size)
{
	if (!d->used) {
		d->used = 1;
		d->size = size;
		snprintf(d->vm, sizeof(d->vm), "%s", vm);
	} else if (size && d->size != size && !d->other[0]) {
		snprintf(d->other, sizeof(d->other), "%s", vm);
	}
}

int x4_lg_table(const struct x4_config *c, struct x4_lg_dev dev[X4_LG_MAX_DEVICES],
		struct x4_err *e)
{
	unsigned i, idx;
	int count = 0;

	memset(dev, 0, sizeof(*dev) * X4_LG_MAX_DEVICES);
	for (i = 0; i < c->n_vms; i++) {
		char path[64];
		struct x4_settings s;
		int rc;

		x4_config_for_vm(c, c->vms[i].name, &s);
		if (s.lg != X4_LG_KVMFR)
			continue;
		rc = x4_lg_assign(c, c->vms[i].name, path, sizeof(path), e);
		if (rc < 0)
			return rc;
		if (x4_lg_device_index(path, &idx, e) < 0)
			return -EINVAL;
		lga_put(&dev[idx], c->vms[i].name, x4_lg_wanted_size(&s));
	}
	if (c->host.lg == X4_LG_KVMFR && c->host.lg_path[0] &&
	    x4_lg_device_index(c->host.lg_path, &idx, NULL) == 0)
		lga_put(&dev[idx], "[host]", x4_lg_wanted_size(&c->host));
	for (i = 0; i < X4_LG_MAX_DEVICES; i++) {
		if (dev[i].used)
			count = (int)i + 1;
		if (!dev[i].size)
			dev[i].size = X4_LG_DEFAULT_SIZE;
	}
	return count;
}

int x4_lg_modprobe_text(const struct x4_lg_dev *dev, int count, char *out, size_t n)
{
	size_t len = 0;
	int i, k;

	k = snprintf(out, n,
		     "# x4-sriov (x4ctl lg apply): one kvmfr device per Looking Glass VM, sizes "
		     "in MiB.\n");
	for (i = 0; k >= 0 && (size_t)k < n - len && i < count; i++) {
		len += (size_t)k;
		k = snprintf(out + len, n - len, "# /dev/kvmfr%d: %s\n", i,
			     dev[i].used ? dev[i].vm : "(unused)");
	}
	for (i = 0; k >= 0 && (size_t)k < n - len && i <= count; i++) {
		len += (size_t)k;
		if (i == count)
			k = snprintf(out + len, n - len, "\n");
		else
			k = snprintf(out + len, n - len, "%s%llu",
				     i ? "," : "options kvmfr static_size_mb=",
				     (unsigned long long)(dev[i].size >> 20));
	}
	if (k < 0 || (size_t)k >= n - len)
		return -ENOSPC;
	return (int)(len + (size_t)k);
}

int x4_lg_check_not_shared(const char *vm, const char *abs, struct x4_err *e)
{
	char dir[4096];
	struct dirent *de;
	DIR *d;
	int rc = 0;

	if ((rc = x4_host_path(X4_PLAN_DIR, dir, sizeof(dir), e)) < 0)
		return rc;
	d = opendir(dir);
	if (!d)
		return 0; /* no plan yet: nobody else runs */
	while (rc == 0 && (de = readdir(d))) {
		char enc[X4_NAME_ENC_MAX], other[X4_NAME_MAX + 1];
		size_t len = strlen(de->d_name);
		struct x4_plan p;
		struct x4_err pe;
		int prc;

		if (len <= 5 || len - 5 >= sizeof(enc) || strcmp(de->d_name + len - 5, ".json"))
			continue;
		memcpy(enc, de->d_name, len - 5);
		enc[len - 5] = '\0';
		if (x4_name_decode(enc, other, sizeof(other), NULL) < 0 || !strcmp(other, vm))
			continue;
		/* A damaged plan cannot say which device its VM holds: logged, not counted. */
		if ((prc = x4_plan_read(other, &p, &pe)) < 0 && prc != -ENOENT)
			x4_log(LOG_WARNING, "%s (cannot tell whether VM %s uses %s)", pe.msg, other, abs);
		if (prc < 0 || p.lg != X4_LG_KVMFR)
			continue;
		if (strcmp(p.lg_path, abs) == 0)
			rc = x4_fail(e, EBUSY,
				     "VM %s: %s is in use by VM %s (two VMs cannot share a kvmfr "
				     "device): set looking_glass = kvmfr for both, so each gets its "
				     "own, or stop %s",
				     vm, abs, other, other);
	}
	closedir(d);
	return rc;
}
