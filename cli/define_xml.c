/* SPDX-License-Identifier: MIT */
/* x4ctl define, XML: the install phase from templates/win11.xml, and the switch of any domain's
 * XML to the run phase (Looking Glass's libvirt guide: no emulated video, SPICE input,
 * clipboard channel, ich9 audio over SPICE). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/xpath.h>

#include "define.h"

#define X (const xmlChar *)

static xmlNodePtr xml_node(xmlXPathContextPtr ctx, const char *xpath)
{
	xmlXPathObjectPtr r = xmlXPathEvalExpression(X xpath, ctx);
	xmlNodePtr n = NULL;

	if (r && r->nodesetval && r->nodesetval->nodeNr > 0)
		n = r->nodesetval->nodeTab[0];
	xmlXPathFreeObject(r);
	return n;
}

/* Unlink and free every node at xpath. */
static void xml_remove(xmlXPathContextPtr ctx, const char *xpath)
{
	xmlNodePtr n;

	while ((n = xml_node(ctx, xpath)) != NULL) {
		xmlUnlinkNode(n);
		xmlFreeNode(n);
	}
}

/* Set the text or attribute at xpath; a template missing it is an error. */
static int xml_set(xmlXPathContextPtr ctx, const char *xpath, const char *attr, const char *val)
{
	xmlNodePtr n = xml_node(ctx, xpath);

	if (!n)
		return x4ctl_fail("define: the template has no %s: use the one from x4-sriov's "
				  "templates/",
				  xpath);
	if (attr) {
		xmlSetProp(n, X attr, X val);
	} else {
		xmlNodeSetContent(n, NULL);
		xmlNodeAddContent(n, X val);
	}
	return 0;
}

/* <NAME a0=v0 a1=v1 ...> under parent; attrs is NULL-terminated name/value pairs. */
static xmlNodePtr xml_add(xmlNodePtr parent, const char *name, const char *const *attrs)
{
	xmlNodePtr n = xmlNewChild(parent, NULL, X name, NULL);

	for (; n && attrs && attrs[0]; attrs += 2)
		xmlNewProp(n, X attrs[0], X attrs[1]);
	return n;
}

int def_dump(xmlDocPtr doc, char **xml)
{
	xmlChar *out = NULL;
	int len = 0;

	xmlDocDumpFormatMemoryEnc(doc, &out, &len, "UTF-8", 1);
	*xml = out ? strdup((const char *)out) : NULL;
	xmlFree(out);
	return *xml ? 0 : x4ctl_fail("define: out of memory");
}

/* The second CD: virtio-win drivers for Windows setup ("Load driver"). */
static void xml_add_cdrom(xmlNodePtr devices, const char *file, const char *dev)
{
	xmlNodePtr d = xml_add(devices, "disk",
			       (const char *const[]){"type", "file", "device", "cdrom", NULL});

	xml_add(d, "driver", (const char *const[]){"name", "qemu", "type", "raw", NULL});
	xml_add(d, "source", (const char *const[]){"file", file, NULL});
	xml_add(d, "target", (const char *const[]){"dev", dev, "bus", "sata", NULL});
	xml_add(d, "readonly", NULL);
}

/* TCG (hosts without KVM, tests): no host CPU model and no Hyper-V enlightenments. */
static void xml_tcg(xmlXPathContextPtr ctx)
{
	xml_remove(ctx, "/domain/cpu");
	xml_remove(ctx, "/domain/features/hyperv");
	xml_remove(ctx, "/domain/clock/timer[@name='hypervclock']");
}

static int xml_install(xmlXPathContextPtr ctx, const struct def_opts *o)
{
	char num[32], h[4][8];
	int rc = 0;

	rc |= xml_set(ctx, "/domain", "type", o->virt_type);
	rc |= xml_set(ctx, "/domain/name", NULL, o->name);
	snprintf(num, sizeof(num), "%lu", o->memory);
	rc |= xml_set(ctx, "/domain/memory", NULL, num);
	rc |= xml_set(ctx, "/domain/currentMemory", NULL, num);
	snprintf(num, sizeof(num), "%lu", o->cpus);
	rc |= xml_set(ctx, "/domain/vcpu", NULL, num);
	rc |= xml_set(ctx, "/domain/cpu/topology", "cores", num);
	rc |= xml_set(ctx, "/domain/devices/emulator", NULL, o->emulator);
	rc |= xml_set(ctx, "/domain/devices/disk[@device='disk']/source", "file", o->disk_abs);
	/* Without virtio drivers Windows setup sees only a SATA disk and an e1000e NIC. */
	rc |= xml_set(ctx, "/domain/devices/disk[@device='disk']/target", "bus",
		      o->virtio_win ? "virtio" : "sata");
	rc |= xml_set(ctx, "/domain/devices/disk[@device='disk']/target", "dev",
		      o->virtio_win ? "vda" : "sda");
	rc |= xml_set(ctx, "/domain/devices/interface/model", "type",
		      o->virtio_win ? "virtio" : "e1000e");
	rc |= xml_set(ctx, "/domain/devices/disk[@device='cdrom']/target", "dev", "sdb");
	if (o->no_vf) {
		xml_remove(ctx, "/domain/devices/hostdev");
	} else {
		snprintf(h[0], sizeof(h[0]), "0x%04x", o->vf_addr.domain);
		snprintf(h[1], sizeof(h[1]), "0x%02x", o->vf_addr.bus);
		snprintf(h[2], sizeof(h[2]), "0x%02x", o->vf_addr.slot);
		snprintf(h[3], sizeof(h[3]), "0x%x", o->vf_addr.func);
		rc |= xml_set(ctx, "/domain/devices/hostdev/source/address", "domain", h[0]);
		rc |= xml_set(ctx, "/domain/devices/hostdev/source/address", "bus", h[1]);
		rc |= xml_set(ctx, "/domain/devices/hostdev/source/address", "slot", h[2]);
		rc |= xml_set(ctx, "/domain/devices/hostdev/source/address", "function", h[3]);
	}
	if (o->iso)
		rc |= xml_set(ctx, "/domain/devices/disk[@device='cdrom']/source", "file",
			      o->iso_abs);
	else /* an empty drive: insert the ISO later (virsh change-media) */
		xml_remove(ctx, "/domain/devices/disk[@device='cdrom']/source");
	if (o->virtio_win && rc == 0)
		xml_add_cdrom(xml_node(ctx, "/domain/devices"), o->virtio_abs, "sdc");
	if (strcmp(o->virt_type, "qemu") == 0)
		xml_tcg(ctx);
	return rc;
}

int def_build_install(const struct def_opts *o, char **xml)
{
	char tdir[4096], path[4200];
	struct x4_err e;
	xmlXPathContextPtr ctx;
	xmlDocPtr doc;
	int rc;

	if (x4ctl_templates_dir(o->templates, tdir, sizeof(tdir), &e) < 0)
		return x4ctl_fail("define: %s", e.msg);
	snprintf(path, sizeof(path), "%s/win11.xml", tdir);
	doc = xmlReadFile(path, NULL,
			  XML_PARSE_NONET | XML_PARSE_NOBLANKS | XML_PARSE_NOERROR |
			      XML_PARSE_NOWARNING);
	if (!doc)
		return x4ctl_fail("define: cannot parse the template %s: reinstall x4-sriov", path);
	ctx = xmlXPathNewContext(doc);
	rc = ctx ? xml_install(ctx, o) : x4ctl_fail("define: out of memory");
	xmlXPathFreeContext(ctx);
	if (rc == 0)
		rc = def_dump(doc, xml);
	xmlFreeDoc(doc);
	return rc;
}

/* The id of an <audio type='spice'>, adding one (with the next free id) when there is none. */
static void run_audio_id(xmlXPathContextPtr ctx, xmlNodePtr devices, char *id, size_t n)
{
	xmlNodePtr a = xml_node(ctx, "/domain/devices/audio[@type='spice']");
	xmlChar *v;
	unsigned long max = 0;

	if (a && (v = xmlGetProp(a, X "id")) != NULL) {
		snprintf(id, n, "%s", (const char *)v);
		xmlFree(v);
		return;
	}
	for (a = devices->children; a; a = a->next) {
		if (a->type != XML_ELEMENT_NODE || xmlStrcmp(a->name, X "audio") != 0)
			continue;
		v = xmlGetProp(a, X "id");
		if (v && strtoul((const char *)v, NULL, 10) > max)
			max = strtoul((const char *)v, NULL, 10);
		xmlFree(v);
	}
	snprintf(id, n, "%lu", max + 1);
	xml_add(devices, "audio", (const char *const[]){"id", id, "type", "spice", NULL});
}

int def_to_run(xmlDocPtr doc)
{
	xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
	xmlNodePtr devices, n;
	char id[32];

	if (!ctx)
		return x4ctl_fail("define: out of memory");
	devices = xml_node(ctx, "/domain/devices");
	if (!devices) {
		xmlXPathFreeContext(ctx);
		return x4ctl_fail("define: the domain has no <devices>: is it a libvirt domain?");
	}
	/* The only video: none (an emulated display next to the VF: Code 43 on ADL-N). */
	xml_remove(ctx, "/domain/devices/video[position() > 1]");
	n = xml_node(ctx, "/domain/devices/video");
	if (n)
		xml_remove(ctx, "/domain/devices/video/*");
	else
		n = xml_add(devices, "video", NULL);
	xml_add(n, "model", (const char *const[]){"type", "none", NULL});
	/* SPICE carries Looking Glass's keyboard and mouse: a relative mouse, not the tablet. */
	xml_remove(ctx, "/domain/devices/input[@type='tablet']");
	if (!xml_node(ctx, "/domain/devices/input[@type='mouse' and @bus='virtio']"))
		xml_add(devices, "input",
			(const char *const[]){"type", "mouse", "bus", "virtio", NULL});
	if (!xml_node(ctx, "/domain/devices/input[@type='keyboard' and @bus='virtio']"))
		xml_add(devices, "input",
			(const char *const[]){"type", "keyboard", "bus", "virtio", NULL});
	if (!xml_node(ctx, "/domain/devices/graphics[@type='spice']")) {
		n = xml_add(devices, "graphics",
			    (const char *const[]){"type", "spice", "autoport", "yes", NULL});
		xml_add(n, "listen",
			(const char *const[]){"type", "address", "address", "127.0.0.1", NULL});
		xml_add(n, "image", (const char *const[]){"compression", "off", NULL});
	}
	/* Clipboard: the SPICE agent's channel. */
	if (!xml_node(ctx, "/domain/devices/channel[@type='spicevmc']")) {
		n = xml_add(devices, "channel", (const char *const[]){"type", "spicevmc", NULL});
		xml_add(
		    n, "target",
		    (const char *const[]){"type", "virtio", "name", "com.redhat.spice.0", NULL});
	}
	/* Audio: an ich9 sound card played over SPICE. */
	run_audio_id(ctx, devices, id, sizeof(id));
	n = xml_node(ctx, "/domain/devices/sound[@model='ich9']");
	if (!n)
		n = xml_add(devices, "sound", (const char *const[]){"model", "ich9", NULL});
	xml_remove(ctx, "/domain/devices/sound[@model='ich9']/audio");
	xml_add(n, "audio", (const char *const[]){"id", id, NULL});
	xmlXPathFreeContext(ctx);
	return 0;
}
