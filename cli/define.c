/* SPDX-License-Identifier: MIT */
/* x4ctl define: a Windows 11 domain from templates/win11.xml with a free VF, through libvirt. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>

#include "layout.h"
#include "name.h"
#include "sriov.h"
#include "state.h"
#include "x4ctl.h"

#define DEF_SYN                                                                                    \
	"define --name NAME [--memory MiB] [--cpus N] [--disk PATH] [--iso PATH] "                 \
	"[--vf auto|ADDR] [--emulator PATH] [--templates DIR] [--uri URI] [--print]"

struct def_opts {
	const char *name, *disk, *iso, *vf, *emulator, *templates, *uri;
	unsigned long memory, cpus;
	int print;
};

static void def_silent(void *opaque, virErrorPtr err)
{
	(void)opaque;
	(void)err;
}

/* An absolute path without control characters or quotes libvirt would choke on. */
static int def_path_ok(const char *p)
{
	if (!p || p[0] != '/' || strlen(p) > 1024)
		return 0;
	for (; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return 0;
	return 1;
}

/* --vf auto: the first VF (1..num_vfs) no VM holds in the state; addresses come from the
 * kernel's virtfn links, or where the VFs will appear when they are not created yet. */
static int def_pick_vf(const struct x4ctl *g, const char *want, struct x4_pciaddr *vf)
{
	static struct x4_state st;
	struct x4_config c;
	struct x4_pciaddr pf;
	struct x4_err e;
	char a[X4_PCIADDR_STRLEN];
	unsigned i, total = 0, n;

	if (x4ctl_load_config(g, &c, &e) < 0)
		return x4ctl_fail("define: %s", e.msg);
	if (strcmp(want, "auto") != 0) {
		if (x4_pciaddr_parse(want, vf, &e) < 0)
			return x4ctl_fail("define: --vf: %s", e.msg);
		if (x4_sriov_find_pf(&c.host, &pf, &e) == 0 && x4_pciaddr_equal(vf, &pf))
			return x4ctl_fail("define: --vf %s is the PF (the host's GPU): give one of "
					  "its VFs",
					  want);
		return 0;
	}
	if (x4_sriov_find_pf(&c.host, &pf, &e) < 0)
		return x4ctl_fail("define: --vf auto: %s; or give --vf DDDD:BB:SS.F", e.msg);
	x4_state_init(&st);
	if (x4_state_load(&st, &e) < 0)
		return x4ctl_fail("define: --vf auto: %s; give --vf ADDR", e.msg);
	x4_sriov_totalvfs(&pf, &total, &e);
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

static xmlNodePtr def_node(xmlXPathContextPtr ctx, const char *xpath)
{
	xmlXPathObjectPtr r = xmlXPathEvalExpression((const xmlChar *)xpath, ctx);
	xmlNodePtr n = NULL;

	if (r && r->nodesetval && r->nodesetval->nodeNr > 0)
		n = r->nodesetval->nodeTab[0];
	xmlXPathFreeObject(r);
	return n;
}

/* Set the text or attribute at xpath; a template missing it is an error. */
static int def_set(xmlXPathContextPtr ctx, const char *xpath, const char *attr, const char *val)
{
	xmlNodePtr n = def_node(ctx, xpath);

	if (!n)
		return x4ctl_fail("define: the template has no %s: use the one from x4-sriov's "
				  "templates/",
				  xpath);
	if (attr)
		xmlSetProp(n, (const xmlChar *)attr, (const xmlChar *)val);
	else
		xmlNodeSetContent(n, NULL), xmlNodeAddContent(n, (const xmlChar *)val);
	return 0;
}

static int def_build(const struct def_opts *o, const struct x4_pciaddr *vf, char **xml)
{
	char tdir[4096], path[4200], num[32], disk[1100], h[4][8];
	struct x4_err e;
	xmlXPathContextPtr ctx;
	xmlChar *out = NULL;
	xmlDocPtr doc;
	int len = 0, rc = 0;

	if (x4ctl_templates_dir(o->templates, tdir, sizeof(tdir), &e) < 0)
		return x4ctl_fail("define: %s", e.msg);
	snprintf(path, sizeof(path), "%s/win11.xml", tdir);
	doc = xmlReadFile(path, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (!doc)
		return x4ctl_fail("define: cannot parse the template %s: reinstall x4-sriov", path);
	ctx = xmlXPathNewContext(doc);
	snprintf(disk, sizeof(disk), "/var/lib/libvirt/images/%s.qcow2", o->name);
	snprintf(h[0], sizeof(h[0]), "0x%04x", vf->domain);
	snprintf(h[1], sizeof(h[1]), "0x%02x", vf->bus);
	snprintf(h[2], sizeof(h[2]), "0x%02x", vf->slot);
	snprintf(h[3], sizeof(h[3]), "0x%x", vf->func);
	rc |= def_set(ctx, "/domain/name", NULL, o->name);
	snprintf(num, sizeof(num), "%lu", o->memory);
	rc |= def_set(ctx, "/domain/memory", NULL, num);
	rc |= def_set(ctx, "/domain/currentMemory", NULL, num);
	snprintf(num, sizeof(num), "%lu", o->cpus);
	rc |= def_set(ctx, "/domain/vcpu", NULL, num);
	rc |= def_set(ctx, "/domain/cpu/topology", "cores", num);
	rc |= def_set(ctx, "/domain/devices/emulator", NULL, o->emulator);
	rc |= def_set(ctx, "/domain/devices/disk[@device='disk']/source", "file",
		      o->disk ? o->disk : disk);
	rc |= def_set(ctx, "/domain/devices/hostdev/source/address", "domain", h[0]);
	rc |= def_set(ctx, "/domain/devices/hostdev/source/address", "bus", h[1]);
	rc |= def_set(ctx, "/domain/devices/hostdev/source/address", "slot", h[2]);
	rc |= def_set(ctx, "/domain/devices/hostdev/source/address", "function", h[3]);
	if (o->iso) {
		rc |= def_set(ctx, "/domain/devices/disk[@device='cdrom']/source", "file", o->iso);
	} else {
		/* An empty CD-ROM drive: insert the ISO later (virsh change-media). */
		xmlNodePtr src = def_node(ctx, "/domain/devices/disk[@device='cdrom']/source");

		if (src) {
			xmlUnlinkNode(src);
			xmlFreeNode(src);
		}
	}
	xmlXPathFreeContext(ctx);
	if (rc == 0) {
		xmlDocDumpFormatMemoryEnc(doc, &out, &len, "UTF-8", 0);
		*xml = out ? strdup((const char *)out) : NULL;
		xmlFree(out);
		if (!*xml)
			rc = x4ctl_fail("define: out of memory");
	}
	xmlFreeDoc(doc);
	return rc;
}

static int def_libvirt(const struct def_opts *o, const char *xml)
{
	virConnectPtr conn;
	virDomainPtr dom;
	virErrorPtr err;

	virSetErrorFunc(NULL, def_silent);
	conn = virConnectOpen(o->uri);
	if (!conn) {
		err = virGetLastError();
		return x4ctl_fail("define: cannot connect to %s: %s: is libvirtd running (and are "
				  "you root)? --print writes the XML instead",
				  o->uri, err && err->message ? err->message : "unknown error");
	}
	dom = virDomainDefineXML(conn, xml);
	if (!dom) {
		int rc;

		err = virGetLastError();
		/* Print before closing: virConnectClose resets the last error. */
		rc = x4ctl_fail("define: libvirt refused the domain '%s': %s", o->name,
				err && err->message ? err->message : "unknown error");
		virConnectClose(conn);
		return rc;
	}
	printf("defined domain '%s' in %s\n", o->name, o->uri);
	virDomainFree(dom);
	virConnectClose(conn);
	return 0;
}

int x4ctl_define(struct x4ctl *g, int argc, char **argv)
{
	struct def_opts o = {.vf = "auto",
			     .emulator = X4_WRAPPER_PATH,
			     .uri = "qemu:///system",
			     .memory = 8192,
			     .cpus = 4};
	struct x4_pciaddr vf = {0, 0, 0, 0};
	struct x4_err e;
	char *xml = NULL, a[X4_PCIADDR_STRLEN];
	int i, rc;

	for (i = 1; i < argc; i++) {
		const char *k = argv[i];
		const char **sp = NULL;

		if (strcmp(k, "--help") == 0) {
			printf("usage: x4ctl %s\n", DEF_SYN);
			return 0;
		}
		if (strcmp(k, "--print") == 0) {
			o.print = 1;
			continue;
		}
		if (i + 1 >= argc)
			return x4ctl_usage("define", DEF_SYN);
		if (strcmp(k, "--name") == 0)
			sp = &o.name;
		else if (strcmp(k, "--disk") == 0)
			sp = &o.disk;
		else if (strcmp(k, "--iso") == 0)
			sp = &o.iso;
		else if (strcmp(k, "--vf") == 0)
			sp = &o.vf;
		else if (strcmp(k, "--emulator") == 0)
			sp = &o.emulator;
		else if (strcmp(k, "--templates") == 0)
			sp = &o.templates;
		else if (strcmp(k, "--uri") == 0)
			sp = &o.uri;
		if (sp) {
			*sp = argv[++i];
		} else if (strcmp(k, "--memory") == 0) {
			if (x4ctl_parse_uint(argv[++i], 1024, 1u << 22, &o.memory))
				return x4ctl_fail("define: --memory %s: give MiB, 1024..4194304",
						  argv[i]);
		} else if (strcmp(k, "--cpus") == 0) {
			if (x4ctl_parse_uint(argv[++i], 1, 255, &o.cpus))
				return x4ctl_fail("define: --cpus %s: give 1..255", argv[i]);
		} else {
			return x4ctl_usage("define", DEF_SYN);
		}
	}
	if (!o.name)
		return x4ctl_usage("define", DEF_SYN);
	if (x4_name_check(o.name, &e) < 0 || strchr(o.name, '/') ||
	    strspn(o.name, " ") == strlen(o.name))
		return x4ctl_fail("define: --name '%s' is not a usable VM name: no '/', not empty",
				  o.name);
	for (i = 0; o.name[i]; i++)
		if ((unsigned char)o.name[i] < 0x20)
			return x4ctl_fail("define: --name holds a control character");
	if ((o.disk && !def_path_ok(o.disk)) || (o.iso && !def_path_ok(o.iso)) ||
	    !def_path_ok(o.emulator))
		return x4ctl_fail("define: --disk, --iso and --emulator take absolute paths");
	if (def_pick_vf(g, o.vf, &vf))
		return 1;
	rc = def_build(&o, &vf, &xml);
	if (rc)
		return rc;
	if (o.print) {
		fputs(xml, stdout);
	} else {
		rc = def_libvirt(&o, xml);
		if (rc == 0)
			printf("VF %s; start it with: virsh start %s\n", x4_pciaddr_format(&vf, a),
			       o.name);
	}
	free(xml);
	return rc;
}
