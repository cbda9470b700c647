/* SPDX-License-Identifier: MIT */
/* lgassign: each looking_glass = kvmfr VM gets its own /dev/kvmfrN, once: the lowest index no
 * VM holds and no config line names, recorded in lgstore and kept until `x4ctl lg forget`
 * (so editing the config moves nobody); two VMs never share one. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lgassign.h"
#include "log.h"
#include "name.h"
#include "paths.h"
#include "plan.h"
#include "state.h"

uint64_t x4_lg_wanted_size(const struct x4_settings *s)
{
	if (s->lg_size)
		return s->lg_size;
	if (s->lg_width && s->lg_height)
		return x4_lg_size_for(s->lg_width, s->lg_height, s->lg_hdr);
	return 0;
}

/* Does [vm name] give it looking_glass = kvmfr (no explicit device)? */
static int lga_is_auto(const struct x4_config *c, const char *name)
{
	struct x4_settings s;

	if (!x4_config_vm(c, name))
		return 0;
	x4_config_for_vm(c, name, &s);
	return s.lg == X4_LG_KVMFR && !s.lg_path[0];
}

/* Does any config line name /dev/kvmfr<idx> explicitly ([host] or a [vm] section)? */
static int lga_explicit(const struct x4_config *c, unsigned idx)
{
	unsigned i, k;

	for (i = 0; i <= c->n_vms; i++) {
		struct x4_settings s;

		if (i == 0)
			s = c->host;
		else
			x4_config_for_vm(c, c->vms[i - 1].name, &s);
		if (s.lg == X4_LG_KVMFR && s.lg_path[0] &&
		    x4_lg_device_index(s.lg_path, &k, NULL) == 0 && k == idx)
			return 1;
	}
	return 0;
}

/* Give vm (a kvmfr VM with a [vm] section) an index in s when it has none: the lowest one no
 * VM holds and no config line names. 1 when given, 0 when it had one. */
static int lga_give(const struct x4_config *c, struct x4_lg_store *s, const char *vm,
		    struct x4_err *e)
{
	unsigned i;

	if (x4_lg_store_find(s, vm) >= 0)
		return 0;
	for (i = 0; i < X4_LG_MAX_DEVICES; i++)
		if (!s->vm[i][0] && !lga_explicit(c, i)) {
			snprintf(s->vm[i], sizeof(s->vm[i]), "%s", vm);
			return 1;
		}
	return x4_fail(e, ENOSPC,
		       "VM %s: looking_glass = kvmfr: all %d kvmfr devices are taken (x4ctl lg apply "
		       "lists them; x4ctl lg forget VM frees one of a VM that is gone)",
		       vm, X4_LG_MAX_DEVICES);
}

/* Every kvmfr [vm] section given its index in s, in config order. */
static int lga_give_all(const struct x4_config *c, struct x4_lg_store *s, struct x4_err *e)
{
	unsigned i;
	int rc, n = 0;

	for (i = 0; i < c->n_vms; i++) {
		if (!lga_is_auto(c, c->vms[i].name))
			continue;
		if ((rc = lga_give(c, s, c->vms[i].name, e)) < 0)
			return rc;
		n += rc;
	}
	return n;
}

int x4_lg_orphan_line(const struct x4_config *c, const struct x4_lg_store *s, unsigned idx,
		      char *out, size_t n)
{
	const char *vm = s->vm[idx];

	if (!vm[0] || lga_is_auto(c, vm))
		return 0;
	snprintf(out, n, "kvmfr%u: recorded for VM %s which %s (x4ctl lg forget %s)", idx, vm,
		 x4_config_vm(c, vm) ? "no longer has looking_glass = kvmfr" : "is not in the config",
		 vm);
	return 1;
}

/* An explicit device of vm that another VM holds: refused, naming the holder. */
static int lga_explicit_taken(const struct x4_config *c, const struct x4_lg_store *s,
			      const char *vm, const char *path, struct x4_err *e)
{
	unsigned idx;
	const char *owner;

	if (x4_lg_device_index(path, &idx, NULL) < 0 || !*(owner = s->vm[idx]) ||
	    strcmp(owner, vm) == 0)
		return 0;
	if (lga_is_auto(c, owner))
		return x4_fail(e, EBUSY,
			       "VM %s: %s is VM %s's (its looking_glass = kvmfr gives it that "
			       "device): set looking_glass = kvmfr for %s too, or another "
			       "/dev/kvmfrN",
			       vm, path, owner, vm);
	return x4_fail(e, EBUSY,
		       "VM %s: %s is still recorded for VM %s, which no longer uses it: run x4ctl lg "
		       "forget %s, or give %s another /dev/kvmfrN",
		       vm, path, owner, owner, vm);
}

int x4_lg_assign(const struct x4_config *c, const char *vm, char *out, size_t n,
		 struct x4_err *e)
{
	struct x4_lg_store s;
	struct x4_settings set;
	int rc, idx;

	x4_config_for_vm(c, vm, &set);
	if (set.lg != X4_LG_KVMFR)
		return x4_fail(e, ENOENT, "VM %s does not use kvmfr", vm);
	if ((rc = x4_lg_store_load(&s, e)) < 0)
		return rc;
	if (set.lg_path[0]) {
		if ((rc = lga_explicit_taken(c, &s, vm, set.lg_path, e)) < 0)
			return rc;
		snprintf(out, n, "%s", set.lg_path);
		return 0;
	}
	if (!x4_config_vm(c, vm))
		return x4_fail(e, EINVAL,
			       "VM %s: looking_glass = kvmfr comes from [host] and the VM has no "
			       "[vm %s] section: add one so it gets its own /dev/kvmfrN",
			       vm, vm);
	/* Not recorded yet: what the next x4ctl lg apply (or this VM's start) records. */
	if ((idx = x4_lg_store_find(&s, vm)) < 0) {
		if ((rc = lga_give_all(c, &s, e)) < 0)
			return rc;
		idx = x4_lg_store_find(&s, vm);
	}
	snprintf(out, n, "/dev/kvmfr%d", idx);
	return 0;
}

int x4_lg_record(const struct x4_config *c, const char *vm, struct x4_err *e)
{
	struct x4_lg_store s;
	struct x4_lock lock;
	int rc;

	if (vm && !lga_is_auto(c, vm))
		return 0;
	/* Nothing to give (the usual case): no lock taken, nothing created. */
	if ((rc = x4_lg_store_load(&s, e)) < 0)
		return rc;
	if ((rc = vm ? lga_give(c, &s, vm, e) : lga_give_all(c, &s, e)) <= 0)
		return rc;
	if ((rc = x4_state_lock(&lock, e)) < 0)
		return rc;
	rc = x4_lg_store_load(&s, e);
	if (rc == 0)
		rc = vm ? lga_give(c, &s, vm, e) : lga_give_all(c, &s, e);
	if (rc > 0) {
		int wrc = x4_lg_store_save(&s, e);

		rc = wrc < 0 ? wrc : rc;
	}
	x4_state_unlock(&lock);
	return rc;
}

int x4_lg_forget(const char *vm, int *idx, struct x4_err *e)
{
	struct x4_lg_store s;
	struct x4_plan p;
	struct x4_lock lock;
	struct x4_err pe;
	int rc, prc = 0;

	if ((rc = x4_state_lock(&lock, e)) < 0)
		return rc;
	rc = x4_lg_store_load(&s, e);
	if (rc == 0 && (*idx = x4_lg_store_find(&s, vm)) < 0)
		rc = x4_fail(e, ENOENT, "VM %s has no recorded kvmfr device (x4ctl lg apply lists "
			     "them)", vm);
	/* A VM between prepare and release uses its device: keep it until it stops. A plan
	 * that cannot be read may be a running VM's too: refused, naming why. */
	if (rc == 0 && (prc = x4_plan_read(vm, &p, &pe)) == 0)
		rc = x4_fail(e, EBUSY, "VM %s is running on /dev/kvmfr%d: stop it first, then x4ctl "
			     "lg forget %s", vm, *idx, vm);
	else if (rc == 0 && prc != -ENOENT)
		rc = x4_fail(e, -prc, "%s: cannot tell whether VM %s runs; stop it, then x4ctl "
			     "lg forget %s", pe.msg, vm, vm);
	if (rc == 0) {
		s.vm[*idx][0] = '\0';
		rc = x4_lg_store_save(&s, e);
	}
	x4_state_unlock(&lock);
	return rc;
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
	struct x4_lg_store s;
	unsigned i, idx;
	int count = 0, rc;

	memset(dev, 0, sizeof(*dev) * X4_LG_MAX_DEVICES);
	if ((rc = x4_lg_store_load(&s, e)) < 0 || (rc = lga_give_all(c, &s, e)) < 0)
		return rc;
	for (i = 0; i < c->n_vms; i++) {
		const char *vm = c->vms[i].name;
		struct x4_settings set;

		x4_config_for_vm(c, vm, &set);
		if (set.lg != X4_LG_KVMFR)
			continue;
		if (set.lg_path[0]) {
			if ((rc = lga_explicit_taken(c, &s, vm, set.lg_path, e)) < 0)
				return rc;
			if (x4_lg_device_index(set.lg_path, &idx, e) < 0)
				return -EINVAL;
		} else {
			idx = (unsigned)x4_lg_store_find(&s, vm);
		}
		lga_put(&dev[idx], vm, x4_lg_wanted_size(&set));
	}
	if (c->host.lg == X4_LG_KVMFR && c->host.lg_path[0] &&
	    x4_lg_device_index(c->host.lg_path, &idx, NULL) == 0)
		lga_put(&dev[idx], "[host]", x4_lg_wanted_size(&c->host));
	for (i = 0; i < X4_LG_MAX_DEVICES; i++) {
		if (dev[i].used)
			count = (int)i + 1;
		else if (s.vm[i][0])
			snprintf(dev[i].vm, sizeof(dev[i].vm), "%s", s.vm[i]); /* a record only */
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
		     "# x4-sriov (x4ctl install, x4ctl lg apply): one kvmfr device per Looking Glass "
		     "VM, sizes in MiB.\n");
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

int x4_lg_udev_text(const struct x4_lg_dev *dev, int count, char *out, size_t n)
{
	size_t len = 0;
	int i, k;

	k = snprintf(out, n,
		     "# x4-sriov (x4ctl install, x4ctl lg apply): each Looking Glass VM's kvmfr "
		     "device, for QEMU and\n# the desktop user's looking-glass-client (group " X4_LG_GROUP
		     "): sudo usermod -aG " X4_LG_GROUP " USER\n");
	for (i = 0; k >= 0 && (size_t)k < n - len && i <= count; i++) {
		len += (size_t)k;
		k = i == count || !dev[i].used
			    ? 0
			    : snprintf(out + len, n - len,
				       "SUBSYSTEM==\"kvmfr\", KERNEL==\"kvmfr%d\", OWNER=\"root\", "
				       "GROUP=\"" X4_LG_GROUP "\", MODE=\"0660\"\n",
				       i);
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
