/* SPDX-License-Identifier: MIT */
/* x4ctl define: a Windows 11 domain with a VF in two phases. install: a QXL display over SPICE
 * for Windows setup, the disk created; run: the same domain with no emulated video, SPICE kept
 * for Looking Glass's input, clipboard and audio. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/parser.h>

#include "layout.h"
#include "define.h"
#include "name.h"
#include "sriov.h"
#include "state.h"

static const char def_usage[] =
    "usage: x4ctl define --name NAME [--iso PATH] [--virtio-win PATH] [--disk PATH] "
    "[--disk-size SIZE] [--reuse-disk] [--memory MiB] [--cpus N] [--vf auto|ADDR|INDEX|none] "
    "[--virt-type kvm|qemu] [--emulator PATH] [--templates DIR] [--uri URI] [--print]\n"
    "       x4ctl define --name NAME --phase run [--xml FILE] [--uri URI] [--print]\n"
    "Define a Windows 11 VM with a VF (install phase), or switch it to the run phase (no\n"
    "emulated video, Looking Glass). See x4ctl(8) for each option.\n";

/* --vf auto: the first VF (1..num_vfs) no VM holds in the state; INDEX: the VF of that number;
 * addresses come from the kernel's virtfn links, or where the VFs will appear. */
static int def_pick_vf(const struct x4ctl *g, const char *want, struct x4_pciaddr *vf)
{
	static struct x4_state st;
	static struct x4_config c; /* too big for the stack (CODING-STYLE.md) */
	struct x4_pciaddr pf;
	struct x4_err e;
	char a[X4_PCIADDR_STRLEN];
	unsigned long idx = 0;
	unsigned i, total = 0, n;

	if (x4ctl_load_config(g, &c, &e) < 0)
		return x4ctl_fail("define: %s", e.msg);
	if (strcmp(want, "auto") != 0 && x4ctl_parse_uint(want, 1, 255, &idx) != 0) {
		if (x4_pciaddr_parse(want, vf, &e) < 0)
			return x4ctl_fail("define: --vf %s: give auto, a VF number (1..) or an "
					  "address DDDD:BB:SS.F",
					  want);
		if (x4_sriov_find_pf(&c.host, &pf, &e) == 0 && x4_pciaddr_equal(vf, &pf))
			return x4ctl_fail("define: --vf %s is the PF (the host's GPU): give one of "
					  "its VFs",
					  want);
		return 0;
	}
	if (x4_sriov_find_pf(&c.host, &pf, &e) < 0)
		return x4ctl_fail("define: --vf %s: %s; or give --vf DDDD:BB:SS.F", want, e.msg);
	x4_sriov_totalvfs(&pf, &total, &e);
	if (idx) {
		if (idx > total || (x4_sriov_vf_addr(&pf, (unsigned)idx, vf, &e) < 0 &&
				    x4_sriov_vf_addr_expected(&pf, (unsigned)idx, vf, &e) < 0))
			return x4ctl_fail("define: --vf %lu: %s has VFs 1..%u: give one of them",
					  idx, x4_pciaddr_format(&pf, a), total);
		return 0;
	}
	x4_state_init(&st);
	if (x4_state_load(&st, &e) < 0)
		return x4ctl_fail("define: --vf auto: %s; give --vf ADDR", e.msg);
	n = c.host.num_vfs < total ? c.host.num_vfs : total;
	for (i = 1; i <= n; i++) {
		if (x4_sriov_vf_addr(&pf, i, vf, &e) < 0 &&
		    x4_sriov_vf_addr_expected(&pf, i, vf, &e) < 0)
			continue;
		if (!x4_state_find_vf(&st, vf))
			return 0;
	}
	return x4ctl_fail("define: --vf auto: every VF of %s is held by a VM (x4ctl status): "
			  "give --vf ADDR",
			  x4_pciaddr_format(&pf, a));
}

/* Where Looking Glass's client reads the frames for this VM, from x4-sriov.conf. */
static void def_lg_hint(const struct x4ctl *g, const char *name, char *out, size_t n)
{
	static struct x4_config c; /* too big for the stack */
	struct x4_settings s;
	struct x4_err e;

	if (x4ctl_load_config(g, &c, &e) < 0) {
		snprintf(out, n, "looking-glass-client -f /dev/kvmfr0 (x4-sriov.conf: %s)", e.msg);
		return;
	}
	x4_config_for_vm(&c, name, &s);
	if (s.lg == X4_LG_KVMFR)
		snprintf(out, n, "looking-glass-client -f %s", s.lg_path);
	else if (s.lg == X4_LG_SHM)
		snprintf(out, n, "looking-glass-client -f " X4_LG_SHM_PREFIX "%s", name);
	else
		snprintf(out, n,
			 "set looking_glass = /dev/kvmfr0 in %s (it is off, so qemu-x4 adds no "
			 "Looking Glass device), then looking-glass-client -f /dev/kvmfr0",
			 c.path[0] ? c.path : "/etc/x4-sriov/x4-sriov.conf");
}

static int def_install(struct x4ctl *g, struct def_opts *o)
{
	char *xml = NULL, a[X4_PCIADDR_STRLEN], lg[4608];
	int made = 0, rc, exists;

	if (o->iso && def_resolve("--iso", o->iso, 1, o->iso_abs, sizeof(o->iso_abs)))
		return 1;
	if (o->virtio_win &&
	    def_resolve("--virtio-win", o->virtio_win, 1, o->virtio_abs, sizeof(o->virtio_abs)))
		return 1;
	if (o->emulator[0] != '/')
		return x4ctl_fail("define: --emulator %s: give an absolute path (libvirt runs it)",
				  o->emulator);
	if (def_host_limits(o))
		return 1;
	/* An existing domain first: its disk exists too; switching it is what the user wants. */
	exists = o->print ? 0 : def_lv_exists(o->uri, o->name);
	if (exists)
		return exists < 0
			   ? 1
			   : x4ctl_fail("define: domain '%s' already exists in %s: x4ctl "
					"define --name %s --phase run switches it to the run "
					"phase; virsh undefine --nvram %s removes it",
					o->name, o->uri, o->name, o->name);
	if (def_disk_plan(o))
		return 1;
	if (!o->no_vf && def_pick_vf(g, o->vf, &o->vf_addr))
		return 1;
	rc = def_build_install(o, &xml);
	if (rc)
		return rc;
	if (o->print) {
		fputs(xml, stdout);
		free(xml);
		return 0;
	}
	rc = def_disk_create(o, &made);
	if (rc == 0)
		rc = def_lv_define(o->uri, o->name, xml);
	free(xml);
	if (rc) {
		if (made)
			unlink(o->disk_file); /* ours, and empty: do not leave it behind */
		return rc;
	}
	def_lg_hint(g, o->name, lg, sizeof(lg));
	printf("defined domain '%s' in %s, install phase: QXL display over SPICE, %s, disk %s "
	       "(%s), %lu MiB, %lu CPUs\n",
	       o->name, o->uri, o->no_vf ? "no VF (--vf none)" : x4_pciaddr_format(&o->vf_addr, a),
	       o->disk_file, made ? o->disk_size : "existing", o->memory, o->cpus);
	printf("next steps:\n"
	       "  1. virsh start %s; open its screen: virt-viewer -c %s %s\n",
	       o->name, o->uri, o->name);
	printf("  2. install Windows%s\n",
	       o->virtio_win ? "; setup sees the disk after \"Load driver\" from the virtio-win "
			       "CD (viostor\\w11\\amd64)"
			     : " (the disk is on SATA: setup sees it without drivers)");
	printf("  3. in Windows: install the Intel graphics driver for the VF, the Looking Glass "
	       "host, and a virtual display driver if the VF shows no display\n"
	       "  4. shut Windows down, then: x4ctl define --name %s --phase run\n"
	       "  5. start it again; on the host: %s\n",
	       o->name, lg);
	if (!o->iso)
		printf("  (no --iso: insert it first: virsh change-media %s sdb --insert "
		       "/path/Win11.iso --config)\n",
		       o->name);
	return 0;
}

/* Is doc a <domain> whose <name> is name? */
static int def_name_is(xmlDocPtr doc, const char *name)
{
	xmlNodePtr root = xmlDocGetRootElement(doc), n;
	int same = 0;

	if (!root || xmlStrcmp(root->name, (const xmlChar *)"domain") != 0)
		return 0;
	for (n = root->children; n; n = n->next)
		if (n->type == XML_ELEMENT_NODE && !xmlStrcmp(n->name, (const xmlChar *)"name")) {
			xmlChar *v = xmlNodeGetContent(n);

			same = v && strcmp((const char *)v, name) == 0;
			xmlFree(v);
			break;
		}
	return same;
}

static int def_run(struct x4ctl *g, struct def_opts *o)
{
	char *src = NULL, *xml = NULL, lg[4608];
	struct x4_err e;
	size_t len = 0;
	int active = 0, rc;
	xmlDocPtr doc;

	if (o->xml_in) {
		if (x4ctl_read_file(o->xml_in, 1 << 20, &src, &len, &e) < 0)
			return x4ctl_fail(
			    "define: --xml: %s: give a domain XML file (virsh dumpxml "
			    "NAME > FILE)",
			    e.msg);
	} else if (!(src = def_lv_get(o->uri, o->name, &active))) {
		return 1;
	}
	doc = xmlReadMemory(src, (int)strlen(src), o->xml_in ? o->xml_in : "domain.xml", NULL,
			    XML_PARSE_NONET | XML_PARSE_NOBLANKS | XML_PARSE_NOERROR |
				XML_PARSE_NOWARNING);
	free(src);
	if (!doc)
		return x4ctl_fail("define: %s is not well-formed XML: give virsh dumpxml's output",
				  o->xml_in ? o->xml_in : "the domain");
	rc = def_name_is(doc, o->name)
		 ? 0
		 : x4ctl_fail("define: %s is not the domain '%s' (its <name> "
			      "differs): give the XML of %s",
			      o->xml_in ? o->xml_in : "libvirt's XML", o->name, o->name);
	if (rc == 0)
		rc = def_to_run(doc);
	if (rc == 0)
		rc = def_dump(doc, &xml);
	xmlFreeDoc(doc);
	if (rc)
		return rc;
	if (o->print) {
		fputs(xml, stdout);
		free(xml);
		return 0;
	}
	rc = def_lv_define(o->uri, o->name, xml);
	free(xml);
	if (rc)
		return rc;
	def_lg_hint(g, o->name, lg, sizeof(lg));
	printf("switched domain '%s' in %s to the run phase: no emulated video (model none), "
	       "SPICE kept for Looking Glass's keyboard and mouse, clipboard channel, ich9 audio "
	       "over SPICE\n",
	       o->name, o->uri);
	if (active)
		printf("'%s' is running: the change applies once it is shut down and started "
		       "again\n",
		       o->name);
	printf("next steps:\n  1. virsh start %s\n  2. on the host: %s\n", o->name, lg);
	return 0;
}

int x4ctl_define(struct x4ctl *g, int argc, char **argv)
{
	struct def_opts o = {.vf = "auto",
			     .emulator = X4_WRAPPER_PATH,
			     .uri = "qemu:///system",
			     .virt_type = "kvm"};
	const char *phase = "install";
	int i, c, install_only = 0, run_only = 0;
	struct x4_err e;
	/* Options with a value, in the order of their slots below; then the others. */
	enum { D_NAME = 0x100, D_DISK, D_DISK_SIZE, D_ISO, D_VIRTIO, D_VF, D_EMULATOR,
	       D_TEMPLATES, D_URI, D_XML, D_VIRT_TYPE, D_PHASE, D_MEMORY, D_CPUS, D_PRINT,
	       D_REUSE };
	static const struct option opts[] = {
	    {"name", required_argument, NULL, D_NAME},
	    {"disk", required_argument, NULL, D_DISK},
	    {"disk-size", required_argument, NULL, D_DISK_SIZE},
	    {"iso", required_argument, NULL, D_ISO},
	    {"virtio-win", required_argument, NULL, D_VIRTIO},
	    {"vf", required_argument, NULL, D_VF},
	    {"emulator", required_argument, NULL, D_EMULATOR},
	    {"templates", required_argument, NULL, D_TEMPLATES},
	    {"uri", required_argument, NULL, D_URI},
	    {"xml", required_argument, NULL, D_XML},
	    {"virt-type", required_argument, NULL, D_VIRT_TYPE},
	    {"phase", required_argument, NULL, D_PHASE},
	    {"memory", required_argument, NULL, D_MEMORY},
	    {"cpus", required_argument, NULL, D_CPUS},
	    {"print", no_argument, NULL, D_PRINT},
	    {"reuse-disk", no_argument, NULL, D_REUSE},
	    X4CTL_OPT_HELP,
	    X4CTL_OPT_END};
	const char **slots[] = {&o.name,       &o.disk,	    &o.disk_size, &o.iso,
				&o.virtio_win, &o.vf,	    &o.emulator,  &o.templates,
				&o.uri,	       &o.xml_in,   &o.virt_type, &phase};
	struct x4ctl_opts p = {.cmd = "define", .usage = def_usage, .longopts = opts};

	while ((c = x4ctl_opt_next(&p, argc, argv)) != -1) {
		if (c == X4CTL_OPT_EXIT)
			return p.status;
		if (c >= D_NAME && c <= D_PHASE) {
			*slots[c - D_NAME] = optarg;
			/* --phase run takes only these; --xml only goes with it */
			install_only += c != D_NAME && c != D_URI && c != D_XML && c != D_PHASE;
			run_only += c == D_XML;
		} else if (c == D_MEMORY) {
			if (x4ctl_parse_uint(optarg, 1024, 1u << 22, &o.memory))
				return x4ctl_fail("define: --memory %s: give MiB, 1024..4194304",
						  optarg);
			install_only++;
		} else if (c == D_CPUS) {
			if (x4ctl_parse_uint(optarg, 1, 255, &o.cpus))
				return x4ctl_fail("define: --cpus %s: give 1..255", optarg);
			install_only++;
		} else if (c == D_PRINT) {
			o.print = 1;
		} else { /* D_REUSE */
			o.reuse_disk = 1;
			install_only++;
		}
	}
	if (x4ctl_opt_args(&p, argc, 0, 0))
		return 2;
	if (!o.name)
		return x4ctl_usage("define", def_usage);
	if (x4_name_check(o.name, &e) < 0 || strchr(o.name, '/') ||
	    strspn(o.name, " ") == strlen(o.name))
		return x4ctl_fail("define: --name '%s' is not a usable VM name: no '/', not empty",
				  o.name);
	for (i = 0; o.name[i]; i++)
		if ((unsigned char)o.name[i] < 0x20)
			return x4ctl_fail("define: --name holds a control character");
	if (strcmp(o.virt_type, "kvm") != 0 && strcmp(o.virt_type, "qemu") != 0)
		return x4ctl_fail("define: --virt-type %s: give kvm, or qemu (TCG: hosts without "
				  "KVM, tests)",
				  o.virt_type);
	o.no_vf = strcmp(o.vf, "none") == 0;
	if (strcmp(phase, "run") == 0) {
		if (install_only)
			return x4ctl_fail("define: --phase run takes only --name, --xml, --uri and "
					  "--print: it edits the domain as libvirt has it");
		o.phase = DEF_RUN;
		return def_run(g, &o);
	}
	if (strcmp(phase, "install") != 0)
		return x4ctl_fail("define: --phase %s: give install (the default) or run", phase);
	if (run_only)
		return x4ctl_fail("define: --xml goes with --phase run");
	return def_install(g, &o);
}
