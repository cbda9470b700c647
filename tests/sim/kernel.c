/* SPDX-License-Identifier: MIT */
/* x4sim kernel: the answers of drivers/pci/iov.c, pci-sysfs.c, pci-driver.c and drivers/base to writes. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "sim.h"

/* sysfs_streq-style token: the write without one trailing newline, NUL-terminated. */
static int kernel_token(const char *buf, size_t len, char *out, size_t n)
{
	if (len >= n)
		return -EINVAL;
	memcpy(out, buf, len);
	out[len] = '\0';
	if (len > 0 && out[len - 1] == '\n')
		out[len - 1] = '\0';
	return 0;
}

/* kstrtou16(buf, 0): optional '+', C base prefixes, one trailing newline; > 65535 is ERANGE. */
static int kernel_u16(const char *tok, unsigned *out)
{
	unsigned long long v;
	char *end;

	if (*tok == '+')
		tok++;
	if (*tok < '0' || *tok > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(tok, &end, 0);
	if (*end)
		return -EINVAL;
	if (errno == ERANGE || v > 0xffff)
		return -ERANGE;
	*out = (unsigned)v;
	return 0;
}

/* kstrtobool: y/Y/1/on true, n/N/0/off false, judged on the first characters only. */
static int kernel_bool(const char *tok, int *out)
{
	switch (tok[0]) {
	case 'y': case 'Y': case '1':
		*out = 1;
		return 0;
	case 'n': case 'N': case '0':
		*out = 0;
		return 0;
	case 'o': case 'O':
		if (tok[1] == 'n' || tok[1] == 'N') {
			*out = 1;
			return 0;
		}
		if (tok[1] == 'f' || tok[1] == 'F') {
			*out = 0;
			return 0;
		}
		break;
	default:
		break;
	}
	return -EINVAL;
}

static bool kernel_pf_removing(int dev)
{
	return g_sim.devs[dev].removing;
}

static bool kernel_vfs_in_use(int pf)
{
	int i;

	for (i = 0; i < SIM_MAX_DEVS; i++)
		if (g_sim.devs[i].used && g_sim.devs[i].pf == pf && sim_dev_in_use(i))
			return true;
	return false;
}

static bool kernel_dev_in_use(int dev)
{
	return g_sim.devs[dev].used && sim_dev_in_use(dev);
}

/* sriov_numvfs_store(): the checks in the kernel's order, then the PF driver's sriov_configure. */
static int kernel_numvfs(int dev, const char *path, const char *tok)
{
	struct sim_dev *d = &g_sim.devs[dev];
	unsigned n;
	int err = kernel_u16(tok, &n);

	if (err)
		return err;
	if (n > (unsigned)d->totalvfs)
		return -ERANGE;
	err = sim_wait_while(kernel_pf_removing, dev); /* device_lock */
	if (err)
		return err;
	if (n == (unsigned)d->numvfs)
		return 0;
	if (d->drv < 0 || !g_sim.drvs[d->drv].sriov_configure ||
	    (g_sim.faults & SIM_F_NUMVFS_ENOENT))
		return -ENOENT;
	if (n == 0) {
		if (kernel_vfs_in_use(dev)) {
			/* vfio_unregister_group_dev() waits for the user to let go */
			sim_log(path, tok, strlen(tok), 1);
			d->removing = true;
			err = sim_wait_while(kernel_vfs_in_use, dev);
			d->removing = false;
			pthread_cond_broadcast(&g_sim.cond);
			if (err)
				return err;
		}
		sim_vfs_remove(dev);
		return 0;
	}
	if (d->numvfs)
		return -EBUSY; /* "N VFs already enabled. Disable before enabling M VFs" */
	if (g_sim.faults & SIM_F_PF_BUSY)
		return -EBUSY; /* i915: PF init still running */
	return sim_vfs_create(dev, (int)n);
}

static int kernel_override(int dev, const char *buf, size_t len)
{
	struct sim_dev *d = &g_sim.devs[dev];
	const char *nl = memchr(buf, '\n', len);

	if (len >= SIM_OVERRIDE_MAX)
		return -EINVAL;
	if (nl)
		len = (size_t)(nl - buf);
	memcpy(d->override, buf, len);
	d->override[len] = '\0';
	return 0;
}

/* bind_store(): unknown or not matching -> ENODEV; bound -> EBUSY (Linux >= 5.14); probe errors. */
static int kernel_bind(int drv, const char *tok)
{
	int dev = sim_dev_find(tok);

	if (g_sim.faults & SIM_F_BIND_EBUSY)
		return -EBUSY;
	if (dev < 0 || !sim_drv_matches(drv, dev))
		return -ENODEV;
	if (g_sim.devs[dev].drv >= 0)
		return -EBUSY;
	return sim_dev_bind(dev, drv);
}

/* unbind_store(): only from the driver the device is bound to; a device held open blocks. */
static int kernel_unbind(int drv, const char *path, const char *tok)
{
	int dev = sim_dev_find(tok), err;

	if (g_sim.faults & SIM_F_BIND_EBUSY)
		return -EBUSY;
	if (dev < 0 || g_sim.devs[dev].drv != drv)
		return -ENODEV;
	if (sim_dev_in_use(dev)) {
		sim_log(path, tok, strlen(tok), 1);
		err = sim_wait_while(kernel_dev_in_use, dev);
		if (err)
			return err;
		if (!g_sim.devs[dev].used || g_sim.devs[dev].drv != drv)
			return -ENODEV;
	}
	sim_dev_unbind(dev);
	return 0;
}

/* new_id "VVVV DDDD [SV SD CLASS MASK DATA]" adds a dynamic ID and probes unbound devices. */
static int kernel_new_id(int drv, const char *tok)
{
	struct sim_drv *r = &g_sim.drvs[drv];
	unsigned v, d, sv = SIM_ANY, sd = SIM_ANY, cls = 0, mask = 0;
	int fields = sscanf(tok, "%x %x %x %x %x %x", &v, &d, &sv, &sd, &cls, &mask);
	int i;

	if (fields < 2 || v > 0xffff || d > 0xffff)
		return -EINVAL;
	for (i = 0; i < r->nids; i++)
		if (r->ids[i].vendor == v && r->ids[i].device == d)
			return -EEXIST;
	if (r->nids == SIM_MAX_IDS)
		return -ENOMEM;
	r->ids[r->nids++] = (struct sim_id){ (uint16_t)v, (uint16_t)d, cls, mask };
	for (i = 0; i < SIM_MAX_DEVS; i++)
		if (g_sim.devs[i].used && g_sim.devs[i].drv < 0 && sim_drv_matches(drv, i))
			sim_dev_bind(i, drv);
	return 0;
}

static int kernel_remove_id(int drv, const char *tok)
{
	struct sim_drv *r = &g_sim.drvs[drv];
	unsigned v, d;
	int i;

	if (sscanf(tok, "%x %x", &v, &d) < 2)
		return -EINVAL;
	for (i = r->nstatic; i < r->nids; i++)
		if (r->ids[i].vendor == v && r->ids[i].device == d) {
			memmove(&r->ids[i], &r->ids[i + 1], (size_t)(r->nids - i - 1) * sizeof(r->ids[0]));
			r->nids--;
			return 0;
		}
	return -ENODEV;
}

/* drivers_probe: unknown -> ENODEV; otherwise success, bound or not (Linux 6.1). */
static int kernel_probe(const char *tok)
{
	int dev = sim_dev_find(tok);

	if (dev < 0)
		return -ENODEV;
	sim_dev_probe(dev);
	return 0;
}

static int kernel_store(enum sim_attr attr, int dev, int drv, const char *path, const char *buf,
			size_t len)
{
	char tok[4096];
	int v, err = kernel_token(buf, len, tok, sizeof(tok));

	if (err)
		return err;
	switch (attr) {
	case SA_NUMVFS:
		return kernel_numvfs(dev, path, tok);
	case SA_AUTOPROBE:
		err = kernel_bool(tok, &v);
		if (!err)
			g_sim.devs[dev].autoprobe = v;
		return err;
	case SA_OVERRIDE:
		return kernel_override(dev, buf, len);
	case SA_BIND:
		return kernel_bind(drv, tok);
	case SA_UNBIND:
		return kernel_unbind(drv, path, tok);
	case SA_NEW_ID:
		return kernel_new_id(drv, tok);
	case SA_REMOVE_ID:
		return kernel_remove_id(drv, tok);
	case SA_PROBE:
		return kernel_probe(tok);
	case SA_BUS_AUTOPROBE:
		g_sim.drivers_autoprobe = tok[0] != '0';
		return 0;
	case SA_FAULT:
		return sim_ctl_fault(tok);
	case SA_INUSE:
		return sim_ctl_inuse(tok);
	default:
		return -EACCES;
	}
}

int sim_attr_write(const struct sim_node *n, const char *path, const char *buf, size_t len)
{
	enum sim_attr attr = n->attr;
	int err = kernel_store(attr, n->dev, n->drv, path, buf, len);

	if (attr != SA_FAULT && attr != SA_INUSE)
		sim_log(path, buf, len, err);
	if (err == 0)
		sim_rebuild();
	return err ? err : (int)len;
}

static int kernel_show(char **out, size_t *len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int kernel_show(char **out, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(out, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -ENOMEM;
	*len = (size_t)n;
	return 0;
}

int sim_attr_read(const struct sim_node *n, char **out, size_t *len)
{
	int dev = n->dev, err;

	switch (n->attr) {
	case SA_CONST:
		*out = malloc(n->len + 1);
		if (!*out)
			return -ENOMEM;
		memcpy(*out, n->data, n->len);
		*len = n->len;
		return 0;
	case SA_NUMVFS:
		/* while a removal is blocked, even reading blocks (device_lock) */
		err = sim_wait_while(kernel_pf_removing, dev);
		if (err)
			return err;
		return kernel_show(out, len, "%d\n", g_sim.devs[dev].numvfs);
	case SA_AUTOPROBE:
		return kernel_show(out, len, "%d\n", g_sim.devs[dev].autoprobe);
	case SA_OVERRIDE:
		return kernel_show(out, len, "%s\n",
				   g_sim.devs[dev].override[0] ? g_sim.devs[dev].override : "(null)");
	case SA_BUS_AUTOPROBE:
		return kernel_show(out, len, "%d\n", g_sim.drivers_autoprobe);
	case SA_FAULT:
	case SA_INUSE:
	case SA_LOG:
		return sim_ctl_show(n->attr, out, len);
	default:
		return -EACCES;
	}
}
