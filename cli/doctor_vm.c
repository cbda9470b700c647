/* SPDX-License-Identifier: MIT */
/* doctor, VMs: each domain that is ours (a VF hostdev or a [vm] section), read-only from libvirt.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "doctor.h"
#include "domxml.h"
#include "layout.h"
#include "sriov.h"

static void vm_silent(void *opaque, virErrorPtr err)
{
	(void)opaque;
	(void)err;
}

static void vm_check(struct doc *d, const char *xml, size_t len, const char *src)
{
	static struct x4_domain dom; /* large: keep it off the stack */
	struct x4_settings s;
	struct x4_err e;
	char check[X4_NAME_MAX + 16], fix[512], a[X4_PCIADDR_STRLEN];
	unsigned i, vfs = 0, pf = 0;
	int section, needs_wrapper;

	if (x4_domxml_parse(xml, len, &dom, &e) < 0) {
		doc_row(d, DOC_FAIL, "vm", "check the XML (virt-xml-validate FILE domain)",
			"%s: %s", src, e.msg);
		return;
	}
	section = x4_config_vm(&d->c, dom.name) != NULL;
	for (i = 0; i < dom.n_hostdevs; i++) {
		if (d->have_pf && x4_pciaddr_equal(&dom.hostdevs[i].host, &d->pf))
			pf++;
		else if (d->have_pf && x4_sriov_is_vf_of(&d->pf, &dom.hostdevs[i].host) == 1)
			vfs++;
	}
	if (!section && !vfs && !pf)
		return; /* not ours */
	snprintf(check, sizeof(check), "vm %s", dom.name);
	x4_config_for_vm(&d->c, dom.name, &s);
	if (pf) {
		snprintf(fix, sizeof(fix),
			 "virsh edit %s: replace the hostdev %s with one of its "
			 "VFs (x4ctl status)",
			 dom.name, x4_pciaddr_format(&d->pf, a));
		doc_row(d, DOC_FAIL, check, fix,
			"passes the PF %s itself: the host loses its GPU "
			"and every VF fails",
			a);
	}
	if (vfs)
		doc_row(d, DOC_PASS, check, NULL, "%u VF hostdev(s)", vfs);
	else {
		snprintf(fix, sizeof(fix),
			 "virsh edit %s: add <hostdev mode='subsystem' type='pci' "
			 "managed='yes'><source><address domain='0x0000' bus='0x00' slot='0x02' "
			 "function='0x1'/></source></hostdev> (a free VF: x4ctl status)",
			 dom.name);
		doc_row(d, DOC_FAIL, check, fix, "has a [vm] section but no VF hostdev");
	}
	needs_wrapper = s.lg != X4_LG_OFF || s.rom[0];
	if (strlen(dom.emulator) >= 7 &&
	    strcmp(dom.emulator + strlen(dom.emulator) - 7, "qemu-x4") == 0) {
		doc_row(d, DOC_PASS, check, NULL, "emulator %s", dom.emulator);
	} else {
		snprintf(fix, sizeof(fix),
			 "virsh edit %s: <emulator>" X4_WRAPPER_PATH "</emulator>",
			 dom.name);
		doc_row(d, needs_wrapper ? DOC_FAIL : DOC_WARN, check, fix,
			"emulator is %s, not "
			"qemu-x4: %s",
			dom.emulator[0] ? dom.emulator : "the default",
			needs_wrapper ? "no Looking Glass device or GOP ROM will be added"
				      : "fine while looking_glass = off and no rom is set");
	}
	for (i = 0; i < dom.n_videos; i++)
		if (strcmp(dom.videos[i], "none") != 0)
			break;
	if (i < dom.n_videos) {
		snprintf(fix, sizeof(fix),
			 "virsh edit %s: make the only video <video><model "
			 "type='none'/></video>",
			 dom.name);
		doc_row(d, DOC_FAIL, check, fix,
			"has an emulated display (video model %s): the "
			"VF's Windows driver stops with Code 43",
			dom.videos[i]);
	} else {
		doc_row(d, DOC_PASS, check, NULL, "no emulated display");
	}
	if (strcmp(dom.cpu_mode, "host-passthrough") == 0) {
		doc_row(d, DOC_PASS, check, NULL, "CPU host-passthrough");
	} else {
		snprintf(fix, sizeof(fix),
			 "virsh edit %s: <cpu mode='host-passthrough' "
			 "check='none'/>",
			 dom.name);
		doc_row(d, DOC_FAIL, check, fix,
			"CPU mode is %s, not host-passthrough (the Intel "
			"driver needs the host CPU model)",
			dom.cpu_mode[0] ? dom.cpu_mode : "default");
	}
}

static void vm_from_files(struct doc *d)
{
	struct x4_err e;
	unsigned i;

	for (i = 0; i < d->n_xml; i++) {
		char *buf = NULL;
		size_t len = 0;

		if (x4ctl_read_file(d->xml_files[i], X4_DOMXML_MAX_SIZE, &buf, &len, &e) < 0) {
			doc_row(d, DOC_FAIL, "vm",
				"give a readable domain XML file (virsh dumpxml "
				"NAME > FILE)",
				"%s", e.msg);
			continue;
		}
		vm_check(d, buf, len, d->xml_files[i]);
		free(buf);
	}
}

static void vm_from_libvirt(struct doc *d)
{
	virConnectPtr conn;
	virDomainPtr *doms = NULL;
	virErrorPtr err;
	char fix[256];
	int n, i;

	virSetErrorFunc(NULL, vm_silent);
	conn = virConnectOpenReadOnly(d->uri);
	if (!conn) {
		err = virGetLastError();
		snprintf(fix, sizeof(fix),
			 "start libvirtd (systemctl start libvirtd), or check a "
			 "domain file with x4ctl doctor --xml FILE");
		doc_row(d, DOC_WARN, "vms", fix, "cannot reach libvirt at %s: %s; VMs not checked",
			d->uri, err && err->message ? err->message : "unknown error");
		return;
	}
	n = virConnectListAllDomains(conn, &doms, 0);
	if (n < 0) {
		err = virGetLastError();
		doc_row(d, DOC_WARN, "vms", "run as root, or check with --xml FILE",
			"cannot list the domains of %s: %s", d->uri,
			err && err->message ? err->message : "unknown error");
		virConnectClose(conn);
		return;
	}
	doc_row(d, DOC_PASS, "vms", NULL, "%d domain(s) in %s", n, d->uri);
	for (i = 0; i < n; i++) {
		char *xml = virDomainGetXMLDesc(doms[i], 0);

		if (xml) {
			char src[300];

			snprintf(src, sizeof(src), "domain %s", virDomainGetName(doms[i]));
			vm_check(d, xml, strlen(xml), src);
			free(xml);
		}
		virDomainFree(doms[i]);
	}
	free(doms);
	virConnectClose(conn);
}

void doc_check_vms(struct doc *d)
{
	if (d->n_xml)
		vm_from_files(d);
	else
		vm_from_libvirt(d);
}
