/* SPDX-License-Identifier: MIT */
/* plan: decide, write and strictly read back the per-VM plan under /run/x4-sriov/vm. */
#include "plan.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "fileio.h"
#include "json.h"
#include "board.h"
#include "lg.h"
#include "lgassign.h"
#include "lgsize_check.h"
#include "name.h"
#include "romcache.h"
#include "sysfs.h"

#define PLAN_FILE_NAME_MAX 255
#define PLAN_FILE_BUF (X4_PLAN_PATH_MAX + 64) /* X4_PLAN_DIR/ + a 255-byte file name fits */

/* vf = N: the PF's virtfn(N-1) link, as the kernel made it. */
static int plan_vf_by_index(const struct x4_settings *s, int index, struct x4_pciaddr *out,
			    struct x4_err *e)
{
	struct x4_pciaddr pf;
	char a[X4_PCIADDR_STRLEN], abs[X4_PCI_ATTR_PATH_MAX], attr[32], target[64];
	struct x4_err sub;
	int rc;

	if (s->pf_auto)
		x4_pciaddr_parse(X4_BOARD_PF, &pf, NULL);
	else
		pf = s->pf;
	x4_pciaddr_format(&pf, a);
	snprintf(attr, sizeof(attr), "virtfn%d", index - 1);
	if ((rc = x4_pci_attr_path(&pf, attr, abs, sizeof(abs), e)) < 0)
		return rc;
	rc = x4_sysfs_link_name(abs, target, sizeof(target), &sub);
	if (rc == -ENOENT)
		return x4_fail(e, ENOENT, "VF %d of %s does not exist (no virtfn%d): create the VFs "
			       "first (x4ctl vfs create) or give vf as an address", index, a, index - 1);
	if (rc < 0)
		return x4_fail(e, -rc, "%s", sub.msg);
	if (x4_pciaddr_parse(target, out, &sub) < 0)
		return x4_fail(e, EIO, "%s points at '%s', not a PCI address", abs, target);
	return 0;
}

/* The PF's vendor:device for the option ROM's header, as prepare reads them; an Intel
 * vendor and device 0 when sysfs does not say (no PF: the ROM is then unused anyway). */
static void plan_pf_ids(const struct x4_settings *s, uint16_t *vendor, uint16_t *device)
{
	struct x4_pciaddr pf;
	unsigned long v = 0, d = 0;

	if (s->pf_auto)
		x4_pciaddr_parse(X4_BOARD_PF, &pf, NULL);
	else
		pf = s->pf;
	if (x4_sysfs_pci_uint(&pf, "vendor", 0xffff, &v, NULL) < 0)
		v = X4_BOARD_GPU_VENDOR;
	if (x4_sysfs_pci_uint(&pf, "device", 0xffff, &d, NULL) < 0)
		d = 0;
	*vendor = (uint16_t)v;
	*device = (uint16_t)d;
}

/* /dev/shm/looking-glass-<encoded vm>, kept within one file name. */
static int plan_shm_path(const char *vm, char *out, size_t n, struct x4_err *e)
{
	char enc[X4_NAME_ENC_MAX];
	int rc = x4_name_encode(vm, enc, sizeof(enc), e);

	if (rc < 0)
		return rc;
	if (strlen(X4_LG_SHM_NAME) + strlen(enc) > PLAN_FILE_NAME_MAX ||
	    (size_t)snprintf(out, n, "%s%s", X4_LG_SHM_PREFIX, enc) >= n)
		return x4_fail(e, ENAMETOOLONG, "VM name '%.32s...' is too long for a /dev/shm file "
			       "name: shorten it or use looking_glass = /dev/kvmfr0", vm);
	return 0;
}

/* The size of the kvmfr device at abs as the device says (kvmfr's size ioctl): 0 when there
 * is no such char device or its size is not one a plan may hold. Never the module parameter
 * static_size_mb: the kernel makes it mode 0000 (see lgsize_check.h for the sim's case). */
static uint64_t plan_kvmfr_size(const char *abs)
{
	char path[PATH_MAX];
	uint64_t bytes = 0;
	struct stat st;

	if (x4_host_path(abs, path, sizeof(path), NULL) < 0 || stat(path, &st) < 0 ||
	    !S_ISCHR(st.st_mode) || x4_lg_region_size(abs, &bytes, NULL) < 0)
		return 0;
	if (bytes < X4_CONFIG_LG_SIZE_MIN || bytes > X4_CONFIG_LG_SIZE_MAX ||
	    bytes % X4_CONFIG_LG_SIZE_MIN)
		return 0;
	return bytes;
}

/* Looking Glass: kind, path and size of out from the VM's settings s. */
static int plan_lg(const struct x4_config *c, const struct x4_settings *s, const char *vm,
		   struct x4_plan *out, struct x4_err *e)
{
	int rc;

	out->lg = s->lg;
	out->lg_path[0] = '\0';
	out->lg_size = 0;
	if (s->lg == X4_LG_OFF)
		return 0;
	if (s->lg == X4_LG_SHM)
		rc = plan_shm_path(vm, out->lg_path, sizeof(out->lg_path), e);
	else /* this VM's own device for kvmfr; an explicit one no kvmfr VM is given */
		rc = x4_lg_assign(c, vm, out->lg_path, sizeof(out->lg_path), e);
	if (rc < 0)
		return rc;
	if (s->lg_size) {
		out->lg_size = s->lg_size;
	} else if (s->lg_width && s->lg_height) {
		out->lg_size = x4_lg_size_for(s->lg_width, s->lg_height, s->lg_hdr);
		if (out->lg_size == 0 || out->lg_size > X4_CONFIG_LG_SIZE_MAX)
			return x4_fail(e, ERANGE, "lg_resolution %ux%u%s needs more than %llu MiB of "
				       "shared memory: lower it", s->lg_width, s->lg_height,
				       s->lg_hdr ? " hdr" : "",
				       (unsigned long long)(X4_CONFIG_LG_SIZE_MAX >> 20));
	} else {
		/* The device's own size avoids a mismatch; none (kvmfr not loaded): the default,
		 * which is what x4ctl lg apply gives kvmfr, and x4_lg_check_device says what to
		 * load. */
		if (s->lg == X4_LG_KVMFR)
			out->lg_size = plan_kvmfr_size(out->lg_path);
		if (!out->lg_size)
			out->lg_size = X4_LG_DEFAULT_SIZE;
	}
	return 0;
}

/* Both decisions start here: an empty plan for a valid VM name, and the VM's settings. */
static int plan_begin(const struct x4_config *c, const char *vm, struct x4_settings *s,
		      struct x4_plan *out, struct x4_err *e)
{
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = x4_name_check(vm, e)) < 0)
		return rc;
	x4_config_for_vm(c, vm, s);
	memcpy(out->vm, vm, strlen(vm) + 1);
	return 0;
}

int x4_plan_decide_lg(const struct x4_config *c, const char *vm, struct x4_plan *out,
		      struct x4_err *e)
{
	struct x4_settings s;
	int rc;

	if ((rc = plan_begin(c, vm, &s, out, e)) < 0)
		return rc;
	if ((rc = plan_lg(c, &s, vm, out, e)) < 0)
		memset(out, 0, sizeof(*out));
	return rc;
}

int x4_plan_decide(const struct x4_config *c, const char *vm, const struct x4_pciaddr *vf,
		   struct x4_plan *out, struct x4_err *e)
{
	struct x4_settings s;
	struct x4_pciaddr pf;
	char a[X4_PCIADDR_STRLEN];
	int rc;

	if ((rc = plan_begin(c, vm, &s, out, e)) < 0)
		return rc;

	if (vf) {
		out->vf = *vf;
		out->has_vf = 1;
	} else if (s.vf_set && s.vf_index > 0) {
		if ((rc = plan_vf_by_index(&s, s.vf_index, &out->vf, e)) < 0)
			goto fail;
		out->has_vf = 1;
	} else if (s.vf_set) {
		out->vf = s.vf_addr;
		out->has_vf = 1;
	}
	if (out->has_vf) {
		if (s.pf_auto)
			x4_pciaddr_parse(X4_BOARD_PF, &pf, NULL);
		else
			pf = s.pf;
		if (x4_pciaddr_equal(&pf, &out->vf)) {
			rc = x4_fail(e, EINVAL, "VM '%s' would get the PF %s itself: never pass the "
				     "PF (the host loses its display and every VF crashes); give a VF",
				     vm, x4_pciaddr_format(&pf, a));
			goto fail;
		}
	}

	if (s.rom[0] && s.rom_mode == X4_ROM_OPTIONROM) {
		uint16_t vendor, device;

		plan_pf_ids(&s, &vendor, &device);
		rc = x4_romcache_path(s.rom, vendor, device, out->rom, sizeof(out->rom), e);
	} else
		rc = snprintf(out->rom, sizeof(out->rom), "%s", s.rom) < (int)sizeof(out->rom)
			     ? 0
			     : x4_fail(e, ENAMETOOLONG, "rom path too long");
	if (rc < 0)
		goto fail;

	if ((rc = plan_lg(c, &s, vm, out, e)) < 0)
		goto fail;
	return 0;
fail:
	memset(out, 0, sizeof(*out));
	return rc;
}

/* An absolute real path QEMU may be given: no "." / ".." / empty components, no commas
 * (QEMU option separator), no control bytes. */
static int plan_path_ok(const char *p)
{
	char tmp[8];

	if (p[0] != '/' || strchr(p, ','))
		return 0;
	for (const char *q = p; *q; q++)
		if ((unsigned char)*q < 0x20 || *q == 0x7f)
			return 0;
	/* reuse the host-path rules without a root */
	return x4_host_path(p, tmp, sizeof(tmp), NULL) != -EINVAL;
}

int x4_plan_check(const struct x4_plan *p, struct x4_err *e)
{
	char want[X4_PLAN_PATH_MAX];
	unsigned idx;
	int rc;

	if (!memchr(p->vm, '\0', sizeof(p->vm)) || !memchr(p->rom, '\0', sizeof(p->rom)) ||
	    !memchr(p->lg_path, '\0', sizeof(p->lg_path)))
		return x4_fail(e, EINVAL, "plan has an unterminated string");
	if ((rc = x4_name_check(p->vm, e)) < 0)
		return rc;
	if (p->has_vf && (p->vf.slot > 0x1f || p->vf.func > 7))
		return x4_fail(e, EINVAL, "plan for '%s': impossible VF address", p->vm);
	if (p->rom[0] && !plan_path_ok(p->rom))
		return x4_fail(e, EINVAL, "plan for '%s': rom '%.64s' is not an absolute path "
			       "without commas or '..'", p->vm, p->rom);
	switch (p->lg) {
	case X4_LG_OFF:
		if (p->lg_path[0] || p->lg_size)
			return x4_fail(e, EINVAL, "plan for '%s': Looking Glass is off but has a "
				       "path or size", p->vm);
		return 0;
	case X4_LG_KVMFR:
		if (x4_lg_device_index(p->lg_path, &idx, NULL) < 0)
			return x4_fail(e, EINVAL, "plan for '%s': '%.64s' is not /dev/kvmfrN", p->vm,
				       p->lg_path);
		break;
	case X4_LG_SHM:
		if ((rc = plan_shm_path(p->vm, want, sizeof(want), e)) < 0)
			return rc;
		if (strcmp(want, p->lg_path) != 0)
			return x4_fail(e, EINVAL, "plan for '%s': shm path '%.64s' is not %s", p->vm,
				       p->lg_path, want);
		break;
	default:
		return x4_fail(e, EINVAL, "plan for '%s': unknown Looking Glass kind", p->vm);
	}
	if (p->lg_size < X4_CONFIG_LG_SIZE_MIN || p->lg_size > X4_CONFIG_LG_SIZE_MAX ||
	    p->lg_size % X4_CONFIG_LG_SIZE_MIN)
		return x4_fail(e, EINVAL, "plan for '%s': Looking Glass size %llu is not whole MiB "
			       "within 1 MiB..%llu MiB", p->vm, (unsigned long long)p->lg_size,
			       (unsigned long long)(X4_CONFIG_LG_SIZE_MAX >> 20));
	return 0;
}

int x4_plan_write(const struct x4_plan *p, struct x4_err *e)
{
	char path[PLAN_FILE_BUF], a[X4_PCIADDR_STRLEN];
	struct json_object *o;
	int rc;

	if ((rc = x4_plan_check(p, e)) < 0 || (rc = x4_plan_path(p->vm, path, sizeof(path), e)) < 0)
		return rc;
	if ((rc = x4_mkdirs(X4_PLAN_DIR, 0755, e)) < 0)
		return rc;
	o = json_object_new_object();
	json_object_object_add(o, "version", json_object_new_int(X4_PLAN_VERSION));
	json_object_object_add(o, "vm", json_object_new_string(p->vm));
	json_object_object_add(o, "vf", p->has_vf ? json_object_new_string(x4_pciaddr_format(
							    &p->vf, a))
						  : NULL);
	json_object_object_add(o, "rom", json_object_new_string(p->rom));
	json_object_object_add(o, "lg", json_object_new_string(x4_lg_kind_name(p->lg)));
	json_object_object_add(o, "lg_path", json_object_new_string(p->lg_path));
	json_object_object_add(o, "lg_size", json_object_new_int64((int64_t)p->lg_size));
	rc = x4_json_write(path, o, 0644, e);
	json_object_put(o);
	return rc;
}

static int plan_from_json(struct json_object *o, struct x4_plan *p, struct x4_err *e)
{
	static const char *const keys[] = { "version", "vm",	  "vf",	     "rom",
					    "lg",      "lg_path", "lg_size", NULL };
	struct json_object *v;
	char kind[16], a[32];
	struct x4_err sub;
	int rc;

	if ((rc = x4_json_only_keys(o, keys, "plan", e)) < 0)
		return rc;
	if (!json_object_object_get_ex(o, "version", &v) || !json_object_is_type(v, json_type_int) ||
	    json_object_get_int64(v) != X4_PLAN_VERSION)
		return x4_fail(e, EBADMSG, "version: missing or not %d", X4_PLAN_VERSION);
	if ((rc = x4_json_get_str(o, "vm", p->vm, sizeof(p->vm), NULL, e)) < 0 ||
	    (rc = x4_json_get_str(o, "rom", p->rom, sizeof(p->rom), NULL, e)) < 0 ||
	    (rc = x4_json_get_str(o, "lg", kind, sizeof(kind), NULL, e)) < 0 ||
	    (rc = x4_json_get_str(o, "lg_path", p->lg_path, sizeof(p->lg_path), NULL, e)) < 0)
		return rc;
	if (!json_object_object_get_ex(o, "vf", &v))
		return x4_fail(e, EBADMSG, "vf: missing (null for none)");
	if (v) {
		if (!json_object_is_type(v, json_type_string) ||
		    (size_t)json_object_get_string_len(v) >= sizeof(a))
			return x4_fail(e, EBADMSG, "vf: not an address string");
		memcpy(a, json_object_get_string(v), (size_t)json_object_get_string_len(v) + 1);
		if (x4_pciaddr_parse(a, &p->vf, &sub) < 0)
			return x4_fail(e, EBADMSG, "vf: %s", sub.msg);
		p->has_vf = 1;
	}
	if (x4_lg_kind_parse(kind, &p->lg) < 0)
		return x4_fail(e, EBADMSG, "lg: unknown kind '%s'", kind);
	if (!json_object_object_get_ex(o, "lg_size", &v) || !json_object_is_type(v, json_type_int) ||
	    json_object_get_int64(v) < 0)
		return x4_fail(e, EBADMSG, "lg_size: missing or not a byte count");
	p->lg_size = (uint64_t)json_object_get_int64(v);
	if (x4_plan_check(p, &sub) < 0)
		return x4_fail(e, EBADMSG, "%s", sub.msg);
	return 0;
}

int x4_plan_read(const char *vm, struct x4_plan *p, struct x4_err *e)
{
	char path[PLAN_FILE_BUF];
	struct json_object *o = NULL;
	struct x4_err why;
	struct stat st;
	char *buf = NULL;
	size_t len;
	int rc;

	memset(p, 0, sizeof(*p));
	if ((rc = x4_plan_path(vm, path, sizeof(path), e)) < 0)
		return rc;
	rc = x4_file_read(path, X4_PLAN_MAX_BYTES, &buf, &len, &st, &why);
	if (rc == -ENOENT)
		return x4_fail(e, ENOENT, "no plan for VM '%s' (%s): the hook has not prepared it",
			       vm, path);
	if (rc < 0)
		return x4_fail(e, -rc, "%s", why.msg);
	/* Only root (or whoever we are, in tests) may have written what QEMU will be given. */
	if ((st.st_uid != 0 && st.st_uid != geteuid()) || (st.st_mode & 022)) {
		free(buf);
		return x4_fail(e, EBADMSG, "plan %s is owned by uid %u or writable by others "
			       "(mode %04o): refusing it; remove it", path, (unsigned)st.st_uid,
			       (unsigned)(st.st_mode & 07777));
	}
	rc = x4_json_parse(buf, len, &o, &why);
	if (rc == 0)
		rc = plan_from_json(o, p, &why);
	json_object_put(o);
	free(buf);
	if (rc == 0 && strcmp(p->vm, vm) != 0)
		rc = x4_fail(&why, EBADMSG, "it is for VM '%.64s'", p->vm);
	if (rc < 0) {
		memset(p, 0, sizeof(*p));
		return x4_fail(e, EBADMSG, "plan %s is damaged: %s: remove it and start the VM "
			       "again", path, why.msg);
	}
	return 0;
}

static int plan_name_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

int x4_plan_list(char (*vms)[X4_NAME_MAX + 1], unsigned max, struct x4_err *e)
{
	static const char ext[] = X4_PLAN_SUFFIX;
	char dir[PATH_MAX];
	struct dirent *de;
	unsigned n = 0;
	DIR *d;
	int rc;

	if ((rc = x4_host_path(X4_PLAN_DIR, dir, sizeof(dir), e)) < 0)
		return rc;
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0
				       : x4_fail(e, errno, "cannot list %s: %s", X4_PLAN_DIR,
						 strerror(errno));
	while (n < max && (de = readdir(d))) {
		char enc[X4_NAME_ENC_MAX];
		size_t len = strlen(de->d_name), base = len - (sizeof(ext) - 1);

		/* "<name>.json" only: the writer's temp files end in .tmp.XXXXXX */
		if (len < sizeof(ext) || base >= sizeof(enc) || strcmp(de->d_name + base, ext))
			continue;
		memcpy(enc, de->d_name, base);
		enc[base] = '\0';
		if (x4_name_decode(enc, vms[n], sizeof(vms[n]), NULL) == 0)
			n++;
	}
	closedir(d);
	qsort(vms, n, sizeof(vms[0]), plan_name_cmp);
	return (int)n;
}

int x4_plan_remove(const char *vm, struct x4_err *e)
{
	char abs[PLAN_FILE_BUF], path[PATH_MAX];
	int rc;

	if ((rc = x4_plan_path(vm, abs, sizeof(abs), e)) < 0 ||
	    (rc = x4_host_path(abs, path, sizeof(path), e)) < 0)
		return rc;
	if (unlink(path) < 0 && errno != ENOENT)
		return x4_fail(e, errno, "cannot remove plan %s: %s", abs, strerror(errno));
	return 0;
}
