/* SPDX-License-Identifier: MIT */
/* qemuargv: a model of libvirt's QEMU argv (JSON and key=value -device/-object) and its rewrite. */
#include "qemuargv.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#define QA_LG_OBJ_ID "x4-lgmem"
#define QA_LG_DEV_ID "x4-lg"
#define QA_ID_TRIES 1000
#define QA_SLOTS 32
#define QA_QUOTE 60 /* bytes of an argument shown in an error */

/* QEMU's options that take no value (qemu-options.hx entries without HAS_ARG), including
 * ones older and newer QEMUs know; every other option consumes the next element. */
static const char *const qa_flags[] = {
	"S", "s", "h", "help", "version", "snapshot", "nographic", "nodefaults",
	"no-user-config", "nodefconfig", "daemonize", "no-reboot", "no-shutdown",
	"enable-kvm", "no-kvm", "no-acpi", "no-hpet", "no-fd-bootchk", "win2k-hack",
	"full-screen", "usb", "portrait", "curses", "sdl", "no-frame", "alt-grab",
	"ctrl-grab", "no-quit", "mem-prealloc", "audio-help", "xen-attach",
	"xen-domid-restrict", "xen-create", "only-migratable", "enable-sync-profile",
	"preconfig", "singlestep", "async-teardown", "semihosting", "enable-fips",
	"no-kvm-irqchip", "no-kvm-pit", "no-kvm-pit-reinjection", "tdf", "rtc-td-hack",
	"old-param", "show-cursor", "enable-kqemu", "kernel-kqemu", "no-kqemu",
};

/* One -device or -object argument, the properties we look at (unescaped, malloc'd). */
struct qa_item {
	int argi;       /* index of the value in argv */
	int is_object;  /* -object (driver holds qom-type) */
	int json;
	char *driver, *id, *bus, *addr, *host, *sysfsdev, *mem_path, *shm;
	int addr_devfn; /* slot << 3 | function, -1 when absent or unparsable */
	int has_romfile;
	size_t close;   /* JSON: offset of the closing brace */
};

/* A growing string; oom latches so callers check once at the end. */
struct qa_buf {
	char *p;
	size_t len, cap;
	int oom;
};

static void qa_put(struct qa_buf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (!b->p || b->len + n + 1 > b->cap) {
		size_t cap = (b->len + n + 1) * 2;
		char *p = realloc(b->p, cap);

		if (!p) {
			b->oom = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void qa_puts(struct qa_buf *b, const char *s)
{
	qa_put(b, s, strlen(s));
}

/* s as a JSON string literal. */
static void qa_put_json(struct qa_buf *b, const char *s)
{
	qa_put(b, "\"", 1);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		char esc[8];

		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			qa_put(b, esc, 2);
		} else if (c < 0x20) {
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			qa_put(b, esc, 6);
		} else {
			qa_put(b, s, 1);
		}
	}
	qa_put(b, "\"", 1);
}

/* s as a QemuOpts value: every comma doubled. */
static void qa_put_kv(struct qa_buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == ',')
			qa_put(b, ",,", 2);
		else
			qa_put(b, s, 1);
	}
}

/* Argument text for an error message: bounded, control bytes shown as '?'. */
static const char *qa_quote(const char *s, char *out, size_t n)
{
	size_t i;

	for (i = 0; i < QA_QUOTE && i + 4 < n && s[i]; i++)
		out[i] = ((unsigned char)s[i] < 0x20) ? '?' : s[i];
	if (s[i] && i + 4 < n) {
		memcpy(out + i, "...", 3);
		i += 3;
	}
	out[i] = '\0';
	return out;
}

static int qa_is_flag(const char *name)
{
	for (size_t i = 0; i < sizeof(qa_flags) / sizeof(qa_flags[0]); i++)
		if (strcmp(name, qa_flags[i]) == 0)
			return 1;
	return 0;
}

/* Next option at or after *i: its name without dashes, the index of its value (-1 for a
 * flag, or an option at the very end). Elements that are not options are skipped, as QEMU
 * takes them for a disk image. Returns 0 at the end. */
static int qa_next(int argc, char **argv, int *i, const char **name, int *val)
{
	while (*i < argc) {
		const char *a = argv[*i];

		(*i)++;
		if (!a || a[0] != '-' || a[1] == '\0')
			continue;
		a += a[1] == '-' ? 2 : 1;
		*name = a;
		*val = -1;
		if (!qa_is_flag(a) && *i < argc && argv[*i]) {
			*val = *i;
			(*i)++;
		}
		return 1;
	}
	return 0;
}

/* One key=value element of a QemuOpts string; value is raw (",," still doubled). */
struct qa_kv {
	const char *key, *val;
	size_t klen, vlen;
	int sep; /* a separating comma followed the element */
};

/* Walk QemuOpts syntax: "a=1,b=x,,y,flag"; the first element without '=' is the implied key
 * (driver for -device, qom-type for -object, guest for -name); a later bare "flag" is on. */
static int qa_kv_next(const char **pp, int first, const char *implied, struct qa_kv *kv)
{
	const char *p = *pp, *q = p, *v;

	if (!*p)
		return 0;
	while (*q && *q != '=' && *q != ',')
		q++;
	if (*q == '=') {
		kv->key = p;
		kv->klen = (size_t)(q - p);
		v = q + 1;
	} else if (first && implied) {
		kv->key = implied;
		kv->klen = strlen(implied);
		v = p;
	} else {
		kv->key = p;
		kv->klen = (size_t)(q - p);
		kv->val = "on";
		kv->vlen = 2;
		kv->sep = *q == ',';
		*pp = *q ? q + 1 : q;
		return 1;
	}
	for (q = v; *q; q++) {
		if (*q != ',')
			continue;
		if (q[1] != ',')
			break;
		q++;
	}
	kv->val = v;
	kv->vlen = (size_t)(q - v);
	kv->sep = *q == ',';
	*pp = *q ? q + 1 : q;
	return 1;
}

/* 1 when the QemuOpts string ends with a separating comma ("a=1,"): the next element may
 * follow directly; appending ",x" there would turn ",," into an escaped comma. */
static int qa_kv_ends_open(const char *s, const char *implied)
{
	struct qa_kv kv = { 0 };
	int first = 1;

	while (qa_kv_next(&s, first, implied, &kv))
		first = 0;
	return kv.sep;
}

/* Copy n bytes of s, turning ",," into "," when kv is set. */
static char *qa_dup(const char *s, size_t n, int kv)
{
	char *out = malloc(n + 1);
	size_t o = 0;

	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		out[o++] = s[i];
		if (kv && s[i] == ',' && i + 1 < n && s[i + 1] == ',')
			i++;
	}
	out[o] = '\0';
	return out;
}

static int qa_key_is(const char *key, size_t klen, const char *want)
{
	return strlen(want) == klen && memcmp(key, want, klen) == 0;
}

/* Hex number at *p with an optional 0x; -1 when there is no digit or it exceeds max. */
static long qa_hex(const char **p, long max)
{
	const char *s = *p;
	long v = 0;
	int digits = 0;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	for (;; s++, digits++) {
		int d;

		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (*s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			break;
		v = v * 16 + d;
		if (v > max)
			return -1;
	}
	*p = s;
	return digits ? v : -1;
}

/* QEMU's addr property: "SLOT[.FN]" in hex. */
static int qa_devfn(const char *s)
{
	long slot = qa_hex(&s, 0x1f), fn = 0;

	if (slot < 0)
		return -1;
	if (*s == '.') {
		s++;
		fn = qa_hex(&s, 7);
		if (fn < 0)
			return -1;
	}
	return *s ? -1 : (int)(slot << 3 | fn);
}

/* vfio-pci's host property as QEMU reads it: "[DOMAIN:]BUS:SLOT.FN", hex of any width. */
static int qa_parse_host(const char *s, struct x4_pciaddr *a)
{
	long f[4];
	int n = 0;

	for (;;) {
		f[n] = qa_hex(&s, 0xffff);
		if (f[n] < 0)
			return -1;
		n++;
		if (*s == ':' && n < 3) {
			s++;
			continue;
		}
		break;
	}
	if (n < 2 || *s != '.')
		return -1;
	s++;
	f[n] = qa_hex(&s, 7);
	if (f[n] < 0 || *s)
		return -1;
	if (n == 2) { /* no domain */
		f[3] = f[2];
		f[2] = f[1];
		f[1] = f[0];
		f[0] = 0;
	}
	if (f[1] > 0xff || f[2] > 0x1f)
		return -1;
	a->domain = (uint16_t)f[0];
	a->bus = (uint8_t)f[1];
	a->slot = (uint8_t)f[2];
	a->func = (uint8_t)f[3];
	return 0;
}

static void qa_item_free(struct qa_item *it)
{
	free(it->driver);
	free(it->id);
	free(it->bus);
	free(it->addr);
	free(it->host);
	free(it->sysfsdev);
	free(it->mem_path);
	free(it->shm);
}

/* Record one property of an item (last one wins, as in QEMU). Returns -ENOMEM or 0. */
static int qa_item_set(struct qa_item *it, const char *key, size_t klen, const char *val,
		       size_t vlen, int kv)
{
	char **slot = NULL;

	if (qa_key_is(key, klen, "romfile")) {
		it->has_romfile = 1;
		return 0;
	}
	if (qa_key_is(key, klen, it->is_object ? "qom-type" : "driver"))
		slot = &it->driver;
	else if (qa_key_is(key, klen, "id"))
		slot = &it->id;
	else if (qa_key_is(key, klen, "bus"))
		slot = &it->bus;
	else if (qa_key_is(key, klen, "addr"))
		slot = &it->addr;
	else if (qa_key_is(key, klen, "host"))
		slot = &it->host;
	else if (qa_key_is(key, klen, "sysfsdev"))
		slot = &it->sysfsdev;
	else if (qa_key_is(key, klen, "mem-path"))
		slot = &it->mem_path;
	else if (qa_key_is(key, klen, "shm"))
		slot = &it->shm;
	if (!slot)
		return 0;
	free(*slot);
	*slot = qa_dup(val, vlen, kv);
	if (!*slot)
		return -ENOMEM;
	if (slot == &it->addr)
		it->addr_devfn = qa_devfn(it->addr);
	return 0;
}

static int qa_parse_kv(const char *s, struct qa_item *it)
{
	struct qa_kv kv;
	int first = 1;

	while (qa_kv_next(&s, first, it->is_object ? "qom-type" : "driver", &kv)) {
		if (qa_item_set(it, kv.key, kv.klen, kv.val, kv.vlen, 1) < 0)
			return -ENOMEM;
		first = 0;
	}
	return 0;
}

static int qa_parse_json(const char *s, struct qa_item *it, struct json_tokener *tok,
			 struct x4_err *e)
{
	size_t len = strlen(s), end;
	json_object *o;
	char q[QA_QUOTE + 8];
	int r = 0;

	if (len > INT_MAX)
		return x4_fail(e, E2BIG, "argv[%d]: JSON argument too long", it->argi);
	json_tokener_reset(tok);
	o = json_tokener_parse_ex(tok, s, (int)len);
	if (!o || json_tokener_get_error(tok) != json_tokener_success) {
		enum json_tokener_error err = json_tokener_get_error(tok);
		const char *why = o ? "unexpected text"
			: err == json_tokener_continue ? "it ends early"
						       : json_tokener_error_desc(err);

		json_object_put(o);
		return x4_fail(e, EINVAL, "argv[%d] %s: not valid JSON (%s): fix the domain's "
			       "qemu:commandline or report the libvirt version", it->argi,
			       qa_quote(s, q, sizeof(q)), why);
	}
	for (end = json_tokener_get_parse_end(tok); end < len; end++)
		if (!strchr(" \t\r\n", s[end]))
			break;
	if (end < len || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return x4_fail(e, EINVAL, "argv[%d] %s: not one JSON object", it->argi,
			       qa_quote(s, q, sizeof(q)));
	}
	it->close = (size_t)(strrchr(s, '}') - s);
	json_object_object_foreach(o, key, val) {
		if (qa_key_is(key, strlen(key), "addr") && json_object_is_type(val, json_type_int)) {
			int64_t devfn = json_object_get_int64(val);

			it->addr_devfn = devfn >= 0 && devfn < 256 ? (int)devfn : -1;
			continue;
		}
		if (qa_key_is(key, strlen(key), "romfile")) {
			it->has_romfile = 1;
			continue;
		}
		if (!json_object_is_type(val, json_type_string))
			continue;
		r = qa_item_set(it, key, strlen(key), json_object_get_string(val),
				(size_t)json_object_get_string_len(val), 0);
		if (r < 0)
			break;
	}
	json_object_put(o);
	return r < 0 ? x4_fail(e, ENOMEM, "argv rewrite: out of memory") : 0;
}

/* The argv model: every -device/-object, where the last -device is, which syntax they use. */
struct qa_model {
	struct qa_item *items;
	int n;
	int last_dev_val; /* index of the last -device's value, -1 when none */
	int json_devs, kv_devs, json_objs;
};

static void qa_model_free(struct qa_model *m)
{
	for (int i = 0; i < m->n; i++)
		qa_item_free(&m->items[i]);
	free(m->items);
}

static int qa_model_build(int argc, char **argv, struct qa_model *m, struct x4_err *e)
{
	struct json_tokener *tok = NULL;
	const char *name;
	int i = 1, val, r = 0;

	memset(m, 0, sizeof(*m));
	m->last_dev_val = -1;
	m->items = calloc((size_t)argc / 2 + 1, sizeof(*m->items));
	if (!m->items)
		return x4_fail(e, ENOMEM, "argv rewrite: out of memory");
	while (r == 0 && qa_next(argc, argv, &i, &name, &val)) {
		struct qa_item *it;
		int obj = strcmp(name, "object") == 0;

		if (val < 0 || (!obj && strcmp(name, "device") != 0))
			continue;
		it = &m->items[m->n++];
		it->argi = val;
		it->is_object = obj;
		it->addr_devfn = -1;
		/* QEMU itself decides by the first byte: '{' is JSON, anything else QemuOpts. */
		it->json = argv[val][0] == '{';
		if (!obj)
			m->last_dev_val = val;
		if (it->json) {
			if (!tok && !(tok = json_tokener_new())) {
				r = x4_fail(e, ENOMEM, "argv rewrite: out of memory");
				break;
			}
			r = qa_parse_json(argv[val], it, tok, e);
			*(obj ? &m->json_objs : &m->json_devs) += 1;
		} else {
			if (qa_parse_kv(argv[val], it) < 0)
				r = x4_fail(e, ENOMEM, "argv rewrite: out of memory");
			m->kv_devs += !obj;
		}
	}
	if (tok)
		json_tokener_free(tok);
	if (r < 0)
		qa_model_free(m);
	return r;
}

int x4_qemuargv_is_probe(int argc, char **argv)
{
	const char *name;
	int i = 1, val;

	while (argv && qa_next(argc, argv, &i, &name, &val))
		if (strcmp(name, "name") == 0)
			return 0;
	return 1;
}

int x4_qemuargv_vm_name(int argc, char **argv, char *out, size_t n, struct x4_err *e)
{
	const char *name, *arg = NULL, *p;
	struct qa_kv kv, guest = { 0 };
	int i = 1, val, first = 1, found = 0, r = 0;
	char *vm;

	if (!argv || !out || n == 0)
		return x4_fail(e, EINVAL, "x4_qemuargv_vm_name: no argv or output");
	out[0] = '\0';
	while (qa_next(argc, argv, &i, &name, &val))
		if (strcmp(name, "name") == 0 && val >= 0)
			arg = argv[val]; /* QEMU merges repeated -name: the last one wins */
	if (!arg)
		return x4_fail(e, ENOENT, "no -name in the emulator's argv: cannot tell which VM "
			       "this is");
	for (p = arg; qa_kv_next(&p, first, "guest", &kv); first = 0)
		if (qa_key_is(kv.key, kv.klen, "guest")) {
			guest = kv;
			found = 1;
		}
	if (!found || guest.vlen == 0)
		return x4_fail(e, EINVAL, "-name %.60s has no guest name", arg);
	vm = qa_dup(guest.val, guest.vlen, 1);
	if (!vm)
		return x4_fail(e, ENOMEM, "reading -name: out of memory");
	if (strlen(vm) >= n)
		r = x4_fail(e, ENAMETOOLONG, "VM name in -name %.60s is longer than %zu bytes",
			    arg, n - 1);
	else
		memcpy(out, vm, strlen(vm) + 1);
	free(vm);
	return r;
}

static int qa_id_used(const struct qa_model *m, const char *id)
{
	for (int i = 0; i < m->n; i++)
		if (m->items[i].id && strcmp(m->items[i].id, id) == 0)
			return 1;
	return 0;
}

/* base, or base1, base2, ... : the first id nobody in argv uses. */
static int qa_free_id(const struct qa_model *m, const char *base, char *out, size_t n)
{
	snprintf(out, n, "%s", base);
	for (int k = 1; qa_id_used(m, out); k++) {
		if (k > QA_ID_TRIES)
			return -1;
		snprintf(out, n, "%s%d", base, k);
	}
	return 0;
}

static int qa_driver_is(const struct qa_item *it, const char *driver)
{
	return !it->is_object && it->driver && strcmp(it->driver, driver) == 0;
}

static int qa_on_bus(const struct qa_item *it, const char *bus)
{
	return !it->is_object && it->bus && strcmp(it->bus, bus) == 0;
}

/* A free slot for the ivshmem device: on a PCI bridge, else an empty root port. */
static int qa_pick_slot(const struct qa_model *m, const char **bus, char *addr, size_t n)
{
	for (int i = 0; i < m->n; i++) {
		const struct qa_item *br = &m->items[i];
		unsigned char used[QA_SLOTS] = { 1 }; /* slot 0 of a bridge is not for devices */
		int autos = 0;

		if (!br->id || !(qa_driver_is(br, "pcie-pci-bridge") || qa_driver_is(br, "pci-bridge")))
			continue;
		for (int j = 0; j < m->n; j++) {
			if (!qa_on_bus(&m->items[j], br->id))
				continue;
			if (m->items[j].addr_devfn >= 0)
				used[m->items[j].addr_devfn >> 3] = 1;
			else
				autos++;
		}
		/* Devices without addr take the lowest free slots when QEMU creates them. */
		for (int s = 1; s < QA_SLOTS && autos; s++)
			if (!used[s]) {
				used[s] = 1;
				autos--;
			}
		for (int s = 1; s < QA_SLOTS; s++)
			if (!used[s]) {
				*bus = br->id;
				snprintf(addr, n, "0x%x", s);
				return 0;
			}
	}
	for (int i = 0; i < m->n; i++) {
		const struct qa_item *rp = &m->items[i];
		int busy = 0;

		if (!rp->id || !(qa_driver_is(rp, "pcie-root-port") || qa_driver_is(rp, "ioh3420")))
			continue;
		for (int j = 0; j < m->n && !busy; j++)
			busy = qa_on_bus(&m->items[j], rp->id);
		if (!busy) {
			*bus = rp->id;
			snprintf(addr, n, "0x0");
			return 0;
		}
	}
	return -ENOSPC;
}

/* Looking Glass already wired: a memory-backend-file on the path, or a legacy ivshmem
 * device whose shm= names the same /dev/shm file. */
static int qa_lg_present(const struct qa_model *m, const char *path)
{
	for (int i = 0; i < m->n; i++) {
		const struct qa_item *it = &m->items[i];

		if (it->is_object && it->driver && strcmp(it->driver, "memory-backend-file") == 0 &&
		    it->mem_path && strcmp(it->mem_path, path) == 0)
			return 1;
		if (qa_driver_is(it, "ivshmem") && it->shm && strncmp(path, "/dev/shm/", 9) == 0 &&
		    strcmp(it->shm, path + 9) == 0)
			return 1;
	}
	return 0;
}

static int qa_is_vf(const struct qa_item *it, const struct x4_pciaddr *vf)
{
	struct x4_pciaddr a;
	const char *base;

	if (!qa_driver_is(it, "vfio-pci") && !qa_driver_is(it, "vfio-pci-nohotplug"))
		return 0;
	if (it->host && qa_parse_host(it->host, &a) == 0 && x4_pciaddr_equal(&a, vf))
		return 1;
	if (it->sysfsdev) {
		base = strrchr(it->sysfsdev, '/');
		base = base ? base + 1 : it->sysfsdev;
		if (qa_parse_host(base, &a) == 0 && x4_pciaddr_equal(&a, vf))
			return 1;
	}
	return 0;
}

/* The address a vfio-pci -device names: host, else sysfsdev's last component. */
static int qa_vfio_addr(const struct qa_item *it, struct x4_pciaddr *a)
{
	const char *base;

	if (it->is_object || (!qa_driver_is(it, "vfio-pci") &&
			      !qa_driver_is(it, "vfio-pci-nohotplug")))
		return -1;
	if (it->host)
		return qa_parse_host(it->host, a);
	if (!it->sysfsdev)
		return -1;
	base = strrchr(it->sysfsdev, '/');
	return qa_parse_host(base ? base + 1 : it->sysfsdev, a);
}

int x4_qemuargv_find_vfio(int argc, char **argv, struct x4_pciaddr *out, size_t max,
			  struct x4_err *e)
{
	struct qa_model m;
	size_t n = 0;
	int r;

	if (argc < 1 || !argv || (max && !out))
		return x4_fail(e, EINVAL, "argv scan: no argv or no room");
	for (int i = 0; i < argc; i++)
		if (!argv[i])
			return x4_fail(e, EINVAL, "argv scan: argv[%d] is NULL", i);
	r = qa_model_build(argc, argv, &m, e);
	if (r < 0)
		return r;
	for (int i = 0; i < m.n && n < max; i++) {
		struct x4_pciaddr a;

		if (qa_vfio_addr(&m.items[i], &a) == 0)
			out[n++] = a;
	}
	qa_model_free(&m);
	return (int)n;
}

/* The VF's device with romfile added, in the device's own syntax. */
static char *qa_with_rom(const char *arg, const struct qa_item *it, const char *romfile)
{
	struct qa_buf b = { 0 };
	size_t k = it->close;

	if (it->json) {
		/* No separator after '{' or after a trailing comma json-c tolerated. */
		while (k > 0 && strchr(" \t\r\n", arg[k - 1]))
			k--;
		qa_put(&b, arg, it->close);
		qa_puts(&b, k > 0 && (arg[k - 1] == '{' || arg[k - 1] == ',') ? "" : ",");
		qa_puts(&b, "\"romfile\":");
		qa_put_json(&b, romfile);
		qa_puts(&b, arg + it->close);
	} else {
		qa_puts(&b, arg);
		qa_puts(&b, qa_kv_ends_open(arg, "driver") ? "romfile=" : ",romfile=");
		qa_put_kv(&b, romfile);
	}
	if (b.oom) {
		free(b.p);
		return NULL;
	}
	return b.p;
}

/* 1 when s is one JSON object with a romfile: guards the textual insertion against
 * json-c extensions QEMU does not have (comments next to the closing brace). */
static int qa_json_has_rom(const char *s)
{
	struct json_tokener *tok = json_tokener_new();
	struct qa_item t = { .addr_devfn = -1 };
	int ok;

	if (!tok)
		return 0;
	ok = qa_parse_json(s, &t, tok, NULL) == 0 && t.has_romfile;
	qa_item_free(&t);
	json_tokener_free(tok);
	return ok;
}

/* The -object and -device values for Looking Glass, JSON or key=value. */
static int qa_lg_args(int json, const char *obj_id, const char *dev_id, const char *path,
		      uint64_t size, const char *bus, const char *addr, char **obj, char **dev)
{
	struct qa_buf o = { 0 }, d = { 0 };
	char num[32];

	snprintf(num, sizeof(num), "%" PRIu64, size);
	if (json) {
		qa_puts(&o, "{\"qom-type\":\"memory-backend-file\",\"id\":");
		qa_put_json(&o, obj_id);
		qa_puts(&o, ",\"mem-path\":");
		qa_put_json(&o, path);
		qa_puts(&o, ",\"size\":");
		qa_puts(&o, num);
		qa_puts(&o, ",\"share\":true}");
		qa_puts(&d, "{\"driver\":\"ivshmem-plain\",\"id\":");
		qa_put_json(&d, dev_id);
		qa_puts(&d, ",\"memdev\":");
		qa_put_json(&d, obj_id);
		qa_puts(&d, ",\"bus\":");
		qa_put_json(&d, bus);
		qa_puts(&d, ",\"addr\":");
		qa_put_json(&d, addr);
		qa_puts(&d, "}");
	} else {
		qa_puts(&o, "memory-backend-file,id=");
		qa_put_kv(&o, obj_id);
		qa_puts(&o, ",mem-path=");
		qa_put_kv(&o, path);
		qa_puts(&o, ",size=");
		qa_puts(&o, num);
		qa_puts(&o, ",share=on");
		qa_puts(&d, "ivshmem-plain,id=");
		qa_put_kv(&d, dev_id);
		qa_puts(&d, ",memdev=");
		qa_put_kv(&d, obj_id);
		qa_puts(&d, ",bus=");
		qa_put_kv(&d, bus);
		qa_puts(&d, ",addr=");
		qa_puts(&d, addr);
	}
	if (o.oom || d.oom) {
		free(o.p);
		free(d.p);
		return -ENOMEM;
	}
	*obj = o.p;
	*dev = d.p;
	return 0;
}

/* Copy the final argv into one allocation: the pointer array, then every string. */
static char **qa_pack(const char **v, int n)
{
	size_t bytes = ((size_t)n + 1) * sizeof(char *);
	char **out, *s;

	for (int i = 0; i < n; i++)
		bytes += strlen(v[i]) + 1;
	out = malloc(bytes);
	if (!out)
		return NULL;
	s = (char *)(out + n + 1);
	for (int i = 0; i < n; i++) {
		size_t l = strlen(v[i]) + 1;

		memcpy(s, v[i], l);
		out[i] = s;
		s += l;
	}
	out[n] = NULL;
	return out;
}

static int qa_check_rw(int argc, char **argv, const struct x4_rewrite *rw, struct x4_err *e)
{
	if (argc < 1 || !argv || !rw)
		return x4_fail(e, EINVAL, "argv rewrite: no argv or nothing to do");
	for (int i = 0; i < argc; i++)
		if (!argv[i])
			return x4_fail(e, EINVAL, "argv rewrite: argv[%d] is NULL", i);
	if (rw->romfile && (!rw->vf || !*rw->romfile))
		return x4_fail(e, EINVAL, "argv rewrite: a romfile needs a VF address and a path");
	if (rw->lg_mem_path && (!*rw->lg_mem_path || rw->lg_size == 0))
		return x4_fail(e, EINVAL, "argv rewrite: Looking Glass needs a path and a size");
	return 0;
}

int x4_qemuargv_rewrite(int argc, char **argv, const struct x4_rewrite *rw, char ***out_argv,
			int *out_argc, struct x4_err *e)
{
	struct qa_model m;
	const char **v = NULL;
	char *owned[2] = { NULL, NULL }, **packed = NULL;
	char **rom = NULL;
	int r, flags = 0, n = 0;

	if (!out_argv || !out_argc)
		return x4_fail(e, EINVAL, "argv rewrite: no output");
	*out_argv = NULL;
	*out_argc = 0;
	r = qa_check_rw(argc, argv, rw, e);
	if (r < 0)
		return r;
	r = qa_model_build(argc, argv, &m, e);
	if (r < 0)
		return r;
	rom = calloc((size_t)argc, sizeof(*rom)); /* replaced values, by argv index */
	v = calloc((size_t)argc + 5, sizeof(*v));
	if (!rom || !v) {
		r = x4_fail(e, ENOMEM, "argv rewrite: out of memory");
		goto out;
	}
	if (rw->romfile) {
		flags |= X4_REWRITE_ROM_NO_DEVICE;
		for (int i = 0; i < m.n; i++) {
			const struct qa_item *it = &m.items[i];

			if (!qa_is_vf(it, rw->vf))
				continue;
			flags &= ~X4_REWRITE_ROM_NO_DEVICE;
			if (it->has_romfile) {
				flags |= X4_REWRITE_ROM_KEPT;
				continue;
			}
			rom[it->argi] = qa_with_rom(argv[it->argi], it, rw->romfile);
			if (!rom[it->argi]) {
				r = x4_fail(e, ENOMEM, "argv rewrite: out of memory");
				goto out;
			}
			if (it->json && !qa_json_has_rom(rom[it->argi])) {
				r = x4_fail(e, EINVAL, "argv[%d]: cannot add romfile to this JSON "
					    "device (comments or other non-standard JSON?)", it->argi);
				goto out;
			}
			flags |= X4_REWRITE_ROM_ADDED;
		}
	}
	if (rw->lg_mem_path) {
		if (qa_lg_present(&m, rw->lg_mem_path)) {
			flags |= X4_REWRITE_LG_PRESENT;
		} else {
			char obj_id[32], dev_id[32], addr[8];
			const char *bus = NULL;
			int json = m.json_devs > 0 || (m.kv_devs == 0 && m.json_objs > 0) ||
				   (m.kv_devs == 0 && m.n == 0);

			if (qa_free_id(&m, QA_LG_OBJ_ID, obj_id, sizeof(obj_id)) < 0 ||
			    qa_free_id(&m, QA_LG_DEV_ID, dev_id, sizeof(dev_id)) < 0) {
				r = x4_fail(e, EEXIST, "no free id for the Looking Glass device");
				goto out;
			}
			if (qa_pick_slot(&m, &bus, addr, sizeof(addr)) < 0) {
				r = x4_fail(e, ENOSPC, "no free PCI slot for the Looking Glass device: "
					    "add a pcie-pci-bridge controller or a spare "
					    "pcie-root-port to the domain");
				goto out;
			}
			if (qa_lg_args(json, obj_id, dev_id, rw->lg_mem_path, rw->lg_size, bus,
				       addr, &owned[0], &owned[1]) < 0) {
				r = x4_fail(e, ENOMEM, "argv rewrite: out of memory");
				goto out;
			}
			flags |= X4_REWRITE_LG_ADDED;
		}
	}
	/* Assemble: argv with replaced values, the Looking Glass pair after the last -device. */
	for (int i = 0; i < argc; i++) {
		v[n++] = rom[i] ? rom[i] : argv[i];
		if (owned[0] && (i == m.last_dev_val || (m.last_dev_val < 0 && i == argc - 1))) {
			v[n++] = "-object";
			v[n++] = owned[0];
			v[n++] = "-device";
			v[n++] = owned[1];
		}
	}
	packed = qa_pack(v, n);
	if (!packed) {
		r = x4_fail(e, ENOMEM, "argv rewrite: out of memory");
		goto out;
	}
	*out_argv = packed;
	*out_argc = n;
	r = flags;
out:
	if (rom)
		for (int i = 0; i < argc; i++)
			free(rom[i]);
	free(rom);
	free(v);
	free(owned[0]);
	free(owned[1]);
	qa_model_free(&m);
	return r;
}

void x4_qemuargv_free(char **argv, int argc)
{
	(void)argc;
	free(argv);
}
