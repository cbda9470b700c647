/* SPDX-License-Identifier: MIT */
/* x4ctl status [--json]: the PF, its VFs (driver, IOMMU group, VM holding it), Looking Glass. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <json-c/json.h>

#include "iommu.h"
#include "lg.h"
#include "lgsize_check.h"
#include "paths.h"
#include "pcidev.h"
#include "plan.h"
#include "reclaim.h"
#include "sriov.h"
#include "state.h"
#include "vfio.h"
#include "x4ctl.h"

static json_object *status_pf(const struct x4_settings *s, struct x4_pciaddr *pf, unsigned *numvfs,
			      int *have_pf, struct x4_err *e)
{
	json_object *o = json_object_new_object();
	struct x4_pcidev d;
	char a[X4_PCIADDR_STRLEN], drv[64] = "";
	unsigned total = 0;
	int ap = -1;

	*have_pf = 0;
	*numvfs = 0;
	if (x4_sriov_find_pf(s, pf, e) < 0) {
		json_object_object_add(o, "error", json_object_new_string(e->msg));
		return o;
	}
	*have_pf = 1;
	json_object_object_add(o, "address", json_object_new_string(x4_pciaddr_format(pf, a)));
	if (x4_pcidev_get(pf, &d, e) == 0 || x4_pcidev_read_ids(pf, &d, e) == 0) {
		char id[16];

		snprintf(id, sizeof(id), "%04x:%04x", d.vendor, d.device);
		json_object_object_add(o, "id", json_object_new_string(id));
		json_object_object_add(o, "name", json_object_new_string(d.name));
	}
	x4_vfio_driver(pf, drv, sizeof(drv), e);
	json_object_object_add(o, "driver", json_object_new_string(drv));
	if (x4_sriov_totalvfs(pf, &total, e) == 0)
		json_object_object_add(o, "totalvfs", json_object_new_int((int)total));
	if (x4_sriov_numvfs(pf, numvfs, e) == 0)
		json_object_object_add(o, "numvfs", json_object_new_int((int)*numvfs));
	if (x4_sriov_get_autoprobe(pf, &ap, e) == 0)
		json_object_object_add(o, "autoprobe", json_object_new_int(ap));
	return o;
}

static json_object *status_vfs(const struct x4_pciaddr *pf, unsigned numvfs, struct x4_state *st,
			       const struct x4_config *cfg)
{
	json_object *arr = json_object_new_array();
	unsigned i, grp;
	struct x4_err e;

	for (i = 1; i <= numvfs; i++) {
		json_object *o = json_object_new_object();
		struct x4_pciaddr vf;
		struct x4_claim *c;
		char a[X4_PCIADDR_STRLEN], drv[64] = "";

		json_object_object_add(o, "index", json_object_new_int((int)i));
		if (x4_sriov_vf_addr(pf, i, &vf, &e) < 0) {
			json_object_object_add(o, "error", json_object_new_string(e.msg));
			json_object_array_add(arr, o);
			continue;
		}
		json_object_object_add(o, "address",
				       json_object_new_string(x4_pciaddr_format(&vf, a)));
		x4_vfio_driver(&vf, drv, sizeof(drv), &e);
		json_object_object_add(o, "driver", json_object_new_string(drv));
		json_object_object_add(
		    o, "iommu_group",
		    x4_iommu_group(&vf, &grp, &e) == 0 ? json_object_new_int((int)grp) : NULL);
		c = x4_state_find_vf(st, &vf);
		json_object_object_add(o, "vm", c ? json_object_new_string(c->vm) : NULL);
		/* A claim of a VM with no live QEMU: the hook reclaims it at the next prepare. */
		if (c)
			json_object_object_add(o, "stale",
					       json_object_new_boolean(x4_reclaim_vm_stale(c->vm)));
		if (c) { /* the VM's Looking Glass health (x4ctl lg status for details) */
			char lg[64];

			x4ctl_lg_brief(cfg, c->vm, lg, sizeof(lg));
			json_object_object_add(o, "lg", json_object_new_string(lg));
		}
		json_object_array_add(arr, o);
	}
	return arr;
}

/* The kvmfr devices there are, each with the size the device itself gives (kvmfr's size
 * ioctl: its static_size_mb parameter is mode 0000), and [host]'s Looking Glass setting. */
static json_object *status_lg(const struct x4_config *c)
{
	json_object *arr = json_object_new_array();
	struct x4_err e;
	unsigned i;

	for (i = 0; i < X4_LG_MAX_DEVICES; i++) {
		char abs[32], path[4096];
		uint64_t size = 0;
		struct stat st;
		const char *kind;
		int have_size = 0;
		json_object *o;

		snprintf(abs, sizeof(abs), "/dev/kvmfr%u", i);
		if (x4_host_path(abs, path, sizeof(path), &e) < 0 || stat(path, &st) < 0)
			continue;
		kind = S_ISCHR(st.st_mode)   ? "char device"
		       : S_ISREG(st.st_mode) ? "plain file (kvmfr was not loaded)"
					     : "other";
		if (S_ISCHR(st.st_mode))
			have_size = x4_lg_region_size(abs, &size, &e) == 0;
		o = json_object_new_object();
		json_object_object_add(o, "path", json_object_new_string(abs));
		json_object_object_add(o, "kind", json_object_new_string(kind));
		json_object_object_add(o, "size",
				       have_size ? json_object_new_int64((int64_t)size) : NULL);
		json_object_array_add(arr, o);
	}
	if (c->host.lg != X4_LG_OFF) {
		json_object *o = json_object_new_object();

		json_object_object_add(
		    o, "config",
		    json_object_new_string(c->host.lg != X4_LG_KVMFR ? "shm"
					   : c->host.lg_path[0] ? c->host.lg_path
								: "kvmfr (one device per VM)"));
		json_object_object_add(o, "lg_size",
				       json_object_new_int64((int64_t)c->host.lg_size));
		json_object_array_add(arr, o);
	}
	return arr;
}

/* Every plan file x4-hook wrote (a VM between prepare and release): what it holds, or why it
 * cannot be used (the contract is in plan.h). */
static json_object *status_plans(void)
{
	static char vms[X4_MAX_VM_SECTIONS * 4][X4_NAME_MAX + 1]; /* ~32 KiB: not on the stack */
	json_object *arr = json_object_new_array();
	struct x4_err e;
	int n = x4_plan_list(vms, sizeof(vms) / sizeof(vms[0]), &e);

	if (n < 0) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "error", json_object_new_string(e.msg));
		json_object_array_add(arr, o);
		return arr;
	}
	for (int i = 0; i < n; i++) {
		json_object *o = json_object_new_object();
		char a[X4_PCIADDR_STRLEN];
		struct x4_plan p;

		json_object_object_add(o, "vm", json_object_new_string(vms[i]));
		if (x4_plan_read(vms[i], &p, &e) < 0) {
			json_object_object_add(o, "error", json_object_new_string(e.msg));
			json_object_array_add(arr, o);
			continue;
		}
		json_object_object_add(o, "vf", p.has_vf ? json_object_new_string(x4_pciaddr_format(
								   &p.vf, a))
							 : NULL);
		json_object_object_add(o, "rom", json_object_new_string(p.rom));
		json_object_object_add(o, "lg", json_object_new_string(x4_lg_kind_name(p.lg)));
		json_object_object_add(o, "lg_path", json_object_new_string(p.lg_path));
		json_object_object_add(o, "lg_size", json_object_new_int64((int64_t)p.lg_size));
		json_object_array_add(arr, o);
	}
	return arr;
}

/* "plan VM: VF ..., ROM ..., Looking Glass ..." or "plan VM: error", one line each. */
static void status_print_plans(json_object *plans)
{
	size_t i;

	for (i = 0; i < json_object_array_length(plans); i++) {
		json_object *o = json_object_array_get_idx(plans, i), *v, *vf;
		const char *rom, *kind;
		char sz[32];

		if (json_object_object_get_ex(o, "error", &v)) {
			printf("plan %s: %s\n",
			       json_object_get_string(json_object_object_get(o, "vm")),
			       json_object_get_string(v));
			continue;
		}
		vf = json_object_object_get(o, "vf");
		rom = json_object_get_string(json_object_object_get(o, "rom"));
		kind = json_object_get_string(json_object_object_get(o, "lg"));
		printf("plan %s: VF %s, ROM %s, Looking Glass %s",
		       json_object_get_string(json_object_object_get(o, "vm")),
		       vf ? json_object_get_string(vf) : "none", rom && *rom ? rom : "none", kind);
		if (strcmp(kind, "off") != 0)
			printf(" %s %s", json_object_get_string(json_object_object_get(o, "lg_path")),
			       x4ctl_size_str((uint64_t)json_object_get_int64(
						  json_object_object_get(o, "lg_size")),
					      sz, sizeof(sz)));
		printf("\n");
	}
}

static void status_print(json_object *root)
{
	json_object *pf = json_object_object_get(root, "pf");
	json_object *vfs = json_object_object_get(root, "vfs");
	json_object *lg = json_object_object_get(root, "looking_glass");
	json_object *v;
	size_t i;
	int stale, n_stale = 0;

	if (json_object_object_get_ex(pf, "error", &v)) {
		printf("PF: none: %s\n", json_object_get_string(v));
	} else {
		printf("PF %s  %s %s  driver %s  VFs %d of %d  autoprobe %d\n",
		       json_object_get_string(json_object_object_get(pf, "address")),
		       json_object_get_string(json_object_object_get(pf, "id")),
		       json_object_get_string(json_object_object_get(pf, "name")),
		       *json_object_get_string(json_object_object_get(pf, "driver"))
			   ? json_object_get_string(json_object_object_get(pf, "driver"))
			   : "(none)",
		       json_object_get_int(json_object_object_get(pf, "numvfs")),
		       json_object_get_int(json_object_object_get(pf, "totalvfs")),
		       json_object_get_int(json_object_object_get(pf, "autoprobe")));
	}
	if (json_object_array_length(vfs) == 0 && json_object_object_get_ex(pf, "error", &v)) {
		printf("VFs: none: no SR-IOV PF (x4ctl doctor says what is missing)\n");
	} else if (json_object_array_length(vfs) == 0) {
		printf("VFs: none (x4ctl vf create, or the hook creates them at VM start)\n");
	} else {
		printf("%-3s %-13s %-10s %-6s %-16s %s\n", "VF", "ADDRESS", "DRIVER", "GROUP", "VM",
		       "LOOKING GLASS");
		for (i = 0; i < json_object_array_length(vfs); i++) {
			json_object *o = json_object_array_get_idx(vfs, i);
			json_object *g = json_object_object_get(o, "iommu_group");
			json_object *vm = json_object_object_get(o, "vm");
			json_object *vlg = json_object_object_get(o, "lg");
			const char *drv =
			    json_object_get_string(json_object_object_get(o, "driver"));
			char grp[16] = "-";

			if (json_object_object_get_ex(o, "error", &v)) {
				printf("%-3d %s\n",
				       json_object_get_int(json_object_object_get(o, "index")),
				       json_object_get_string(v));
				continue;
			}
			if (g)
				snprintf(grp, sizeof(grp), "%d", json_object_get_int(g));
			stale = json_object_get_boolean(json_object_object_get(o, "stale"));
			n_stale += stale;
			printf("%-3d %-13s %-10s %-6s %-16s %s%s\n",
			       json_object_get_int(json_object_object_get(o, "index")),
			       json_object_get_string(json_object_object_get(o, "address")),
			       drv && *drv ? drv : "-", grp, vm ? json_object_get_string(vm) : "-",
			       vlg ? json_object_get_string(vlg) : "-",
			       stale ? " (stale: not running)" : "");
		}
		if (n_stale)
			printf("stale claims: their VMs are not running; the next VM start reclaims "
			       "them, or now: sudo x4ctl vf repair\n");
	}
	for (i = 0; i < json_object_array_length(lg); i++) {
		json_object *o = json_object_array_get_idx(lg, i);
		json_object *sz = json_object_object_get(o, "size");
		char s[32] = "size unknown";

		if (json_object_object_get_ex(o, "config", &v)) {
			uint64_t b =
			    (uint64_t)json_object_get_int64(json_object_object_get(o, "lg_size"));

			printf("Looking Glass config: %s, lg_size %s\n", json_object_get_string(v),
			       b ? x4ctl_size_str(b, s, sizeof(s)) : "auto");
			continue;
		}
		if (sz)
			x4ctl_size_str((uint64_t)json_object_get_int64(sz), s, sizeof(s));
		printf("Looking Glass %s: %s, %s\n",
		       json_object_get_string(json_object_object_get(o, "path")),
		       json_object_get_string(json_object_object_get(o, "kind")), s);
	}
	if (json_object_array_length(lg) == 0)
		printf("Looking Glass: no kvmfr device, looking_glass = off\n");
	status_print_plans(json_object_object_get(root, "plans"));
}

static const char status_usage[] =
    "usage: x4ctl status [--json]\n"
    "The PF, its VFs (driver, IOMMU group, VM holding it) and the Looking Glass devices.\n"
    "  --json   print JSON\n";

int x4ctl_status(struct x4ctl *g, int argc, char **argv)
{
	static struct x4_config c; /* too big for the stack (CODING-STYLE.md) */
	static struct x4_state st;
	struct x4_pciaddr pf;
	struct x4_err e;
	json_object *root;
	unsigned numvfs = 0;
	int json = 0, have_pf = 0, i, rc;
	static const struct option opts[] = {
	    {"json", no_argument, NULL, 0x100}, X4CTL_OPT_HELP, X4CTL_OPT_END};
	struct x4ctl_opts o = {.cmd = "status", .usage = status_usage, .longopts = opts};

	while ((i = x4ctl_opt_next(&o, argc, argv)) != -1) {
		if (i == X4CTL_OPT_EXIT)
			return o.status;
		json = 1;
	}
	if (x4ctl_opt_args(&o, argc, 0, 0))
		return 2;
	if (x4ctl_load_config(g, &c, &e) < 0) {
		fprintf(stderr, "x4ctl: warning: %s (using defaults)\n", e.msg);
		x4_config_defaults(&c);
	}
	x4_state_init(&st);
	if (x4_state_load(&st, &e) < 0)
		fprintf(stderr, "x4ctl: warning: %s\n", e.msg);
	root = json_object_new_object();
	json_object_object_add(root, "pf", status_pf(&c.host, &pf, &numvfs, &have_pf, &e));
	json_object_object_add(root, "vfs",
			       have_pf ? status_vfs(&pf, numvfs, &st, &c) : json_object_new_array());
	json_object_object_add(root, "looking_glass", status_lg(&c));
	json_object_object_add(root, "plans", status_plans());
	if (json)
		printf("%s\n", json_object_to_json_string_ext(
				   root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	else {
		status_print(root);
		x4ctl_lg_orphans(&c); /* kvmfr records of VMs gone from the config */
	}
	rc = have_pf ? 0 : 1;
	json_object_put(root);
	return rc;
}
