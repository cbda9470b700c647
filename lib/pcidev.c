/* SPDX-License-Identifier: MIT */
/* pcidev: libpci enumeration under a setjmp guard (libpci's errors never exit), and sysfs id reads. */
#include "pcidev.h"

#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pci/pci.h>

#include "paths.h"
#include "sysfs.h"

/* libpci declares its error callback noreturn and calls exit() in the default one; ours
 * longjmps back to the guard that is active on this thread. */
struct pcidev_guard {
	jmp_buf jb;
	char msg[256];
};

static _Thread_local struct pcidev_guard *pcidev_active;

__attribute__((format(printf, 1, 2), noreturn)) static void pcidev_on_error(char *fmt, ...)
{
	struct pcidev_guard *g = pcidev_active;
	va_list ap;

	if (!g)
		abort(); /* unreachable: every libpci call below runs under a guard */
	va_start(ap, fmt);
	/* NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized): va_start above; analyzer false positive */
	vsnprintf(g->msg, sizeof(g->msg), fmt, ap);
	va_end(ap);
	longjmp(g->jb, 1);
}

/* Warnings ("Cannot open .../config" on trees without config space) are not failures. */
__attribute__((format(printf, 1, 2))) static void pcidev_on_warning(char *fmt, ...)
{
	(void)fmt;
}

__attribute__((format(printf, 1, 2))) static void pcidev_on_debug(char *fmt, ...)
{
	(void)fmt;
}

struct pcidev_scan {
	const struct x4_pciaddr *only; /* NULL = every device */
	struct x4_pcidev *all;         /* grown as devices come; freed by the caller */
	size_t n, cap;
	int bad;                       /* set with msg when a device reads back as garbage */
	char msg[160];
};

/* libpci's sysfs scan calls error() (and leaks its DIR) on a name it cannot parse: refuse
 * such a tree before libpci sees it, with our own message. */
static int pcidev_check_dir(const char *dir, struct x4_err *e)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int rc = 0;

	if (!d)
		return x4_fail(e, errno, "cannot list %s: %s: is sysfs mounted?", dir,
			       strerror(errno));
	while ((de = readdir(d))) {
		struct x4_pciaddr a;

		if (de->d_name[0] == '.')
			continue;
		if (x4_pciaddr_parse(de->d_name, &a, NULL) != 0) {
			rc = x4_fail(e, EIO, "unexpected entry '%.64s' in %s: not a PCI address",
				     de->d_name, dir);
			break;
		}
	}
	closedir(d);
	return rc;
}

static void pcidev_collect(struct pci_access *acc, struct pcidev_scan *s)
{
	pci_scan_bus(acc);
	for (struct pci_dev *d = acc->devices; d; d = d->next) {
		struct x4_pcidev *p;
		char addr[X4_PCIADDR_STRLEN];

		if (d->domain < 0 || d->domain > 0xffff)
			continue;
		if (s->only && (s->only->domain != d->domain || s->only->bus != d->bus ||
				s->only->slot != d->dev || s->only->func != d->func))
			continue;
		if (s->n == s->cap) {
			size_t cap = s->cap ? s->cap * 2 : 32;
			struct x4_pcidev *grown = realloc(s->all, cap * sizeof(*grown));

			if (!grown) {
				s->bad = ENOMEM;
				snprintf(s->msg, sizeof(s->msg), "out of memory listing PCI devices");
				return;
			}
			s->all = grown;
			s->cap = cap;
		}
		p = &s->all[s->n];
		memset(p, 0, sizeof(*p));
		p->addr.domain = (uint16_t)d->domain;
		p->addr.bus = d->bus;
		p->addr.slot = d->dev;
		p->addr.func = d->func;
		pci_fill_info(d, PCI_FILL_IDENT | PCI_FILL_CLASS | PCI_FILL_CLASS_EXT);
		/* libpci reads garbage ids as 0; 0xffff is a device that stopped answering. */
		if (d->vendor_id == 0 || d->vendor_id == 0xffff) {
			s->bad = EIO;
			snprintf(s->msg, sizeof(s->msg), "%s: unreadable vendor ID 0x%04x",
				 x4_pciaddr_format(&p->addr, addr), d->vendor_id);
			return;
		}
		p->vendor = d->vendor_id;
		p->device = d->device_id;
		p->class = (uint32_t)d->device_class << 8 | d->prog_if;
		if (!pci_lookup_name(acc, p->name, sizeof(p->name),
				     PCI_LOOKUP_VENDOR | PCI_LOOKUP_DEVICE, p->vendor, p->device))
			snprintf(p->name, sizeof(p->name), "%04x:%04x", p->vendor, p->device);
		s->n++;
	}
}

/* Run one scan with libpci under the guard; fills s. */
static int pcidev_scan_run(struct pcidev_scan *s, struct x4_err *e)
{
	struct pcidev_guard g;
	struct pci_access *acc;
	char sysfs[4096], devices[4200];
	int rc;

	rc = x4_host_path(X4_PCI_SYSFS_DIR, sysfs, sizeof(sysfs), e);
	if (rc)
		return rc;
	snprintf(devices, sizeof(devices), "%s/devices", sysfs);
	rc = pcidev_check_dir(devices, e);
	if (rc)
		return rc;
	acc = pci_alloc();
	if (!acc)
		return x4_fail(e, ENOMEM, "libpci: out of memory");
	acc->error = pcidev_on_error;
	acc->warning = pcidev_on_warning;
	acc->debug = pcidev_on_debug;
	acc->method = PCI_ACCESS_SYS_BUS_PCI;
	g.msg[0] = '\0';
	pcidev_active = &g;
	if (setjmp(g.jb) == 0) {
		pci_set_param(acc, "sysfs.path", sysfs);
		pci_set_param(acc, "hwdb.disable", "1"); /* names from pci.ids only: reproducible */
		pci_init(acc);
		pcidev_collect(acc, s);
		pcidev_active = NULL;
		pci_cleanup(acc);
		if (s->bad)
			return x4_fail(e, s->bad, "%s: check the device (lspci -nn)", s->msg);
		return 0;
	}
	pcidev_active = NULL;
	pci_cleanup(acc);
	return x4_fail(e, EIO, "libpci on %s: %s", sysfs, g.msg);
}

static int pcidev_cmp(const void *a, const void *b)
{
	const struct x4_pciaddr *x = &((const struct x4_pcidev *)a)->addr;
	const struct x4_pciaddr *y = &((const struct x4_pcidev *)b)->addr;
	uint32_t kx = (uint32_t)x->domain << 16 | x->bus << 8 | x->slot << 3 | x->func;
	uint32_t ky = (uint32_t)y->domain << 16 | y->bus << 8 | y->slot << 3 | y->func;

	return (kx > ky) - (kx < ky);
}

int x4_pcidev_list(struct x4_pcidev *out, size_t max, struct x4_err *e)
{
	struct pcidev_scan s;
	int rc;

	memset(&s, 0, sizeof(s));
	rc = pcidev_scan_run(&s, e);
	if (rc == 0) {
		if (s.n)
			qsort(s.all, s.n, sizeof(*s.all), pcidev_cmp);
		if (out && max && s.n)
			memcpy(out, s.all, (s.n < max ? s.n : max) * sizeof(*out));
		rc = s.n > 0x7fffffff ? 0x7fffffff : (int)s.n;
	}
	free(s.all);
	return rc;
}

int x4_pcidev_get(const struct x4_pciaddr *a, struct x4_pcidev *out, struct x4_err *e)
{
	struct pcidev_scan s;
	char addr[X4_PCIADDR_STRLEN];
	int rc;

	if (!x4_pcidev_exists(a))
		return x4_fail(e, ENODEV, "no PCI device %s: check the address (lspci -D)",
			       x4_pciaddr_format(a, addr));
	memset(&s, 0, sizeof(s));
	s.only = a;
	rc = pcidev_scan_run(&s, e);
	if (rc == 0 && s.n == 0)
		rc = x4_fail(e, ENODEV, "libpci does not list %s: check the address (lspci -D)",
			     x4_pciaddr_format(a, addr));
	if (rc == 0 && s.all)
		*out = s.all[0];
	free(s.all);
	return rc;
}

int x4_pcidev_exists(const struct x4_pciaddr *a)
{
	char abs[X4_PCI_ATTR_PATH_MAX];

	return x4_pci_attr_path(a, NULL, abs, sizeof(abs), NULL) == 0 &&
	       x4_sysfs_exists(abs) == 1;
}

int x4_pcidev_read_ids(const struct x4_pciaddr *a, struct x4_pcidev *out, struct x4_err *e)
{
	char addr[X4_PCIADDR_STRLEN];
	unsigned long v, d, c;
	int rc;

	x4_pciaddr_format(a, addr);
	if (!x4_pcidev_exists(a))
		return x4_fail(e, ENODEV, "no PCI device %s: check the address (lspci -D)", addr);
	rc = x4_sysfs_pci_uint(a, "vendor", 0xffff, &v, e);
	if (!rc)
		rc = x4_sysfs_pci_uint(a, "device", 0xffff, &d, e);
	if (!rc)
		rc = x4_sysfs_pci_uint(a, "class", 0xffffff, &c, e);
	if (rc)
		return rc;
	memset(out, 0, sizeof(*out));
	out->addr = *a;
	out->vendor = (uint16_t)v;
	out->device = (uint16_t)d;
	out->class = (uint32_t)c;
	return 0;
}
