/* SPDX-License-Identifier: MIT */
/* x4ctl define, libvirt: does the domain exist, its inactive XML, define it. */
#include <stdio.h>
#include <stdlib.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "define.h"

static void lv_silent(void *opaque, virErrorPtr err)
{
	(void)opaque;
	(void)err;
}

static const char *lv_msg(void)
{
	virErrorPtr err = virGetLastError();

	return err && err->message ? err->message : "unknown error";
}

static virConnectPtr lv_open(const char *uri)
{
	virConnectPtr conn;

	virSetErrorFunc(NULL, lv_silent);
	conn = virConnectOpen(uri);
	if (!conn)
		x4ctl_fail("define: cannot connect to %s: %s: is libvirtd running (and are you "
			   "root)? --print writes the XML instead",
			   uri, lv_msg());
	return conn;
}

int def_lv_exists(const char *uri, const char *name)
{
	virConnectPtr conn = lv_open(uri);
	virDomainPtr dom;

	if (!conn)
		return -1;
	dom = virDomainLookupByName(conn, name);
	if (dom)
		virDomainFree(dom);
	virConnectClose(conn);
	return dom != NULL;
}

char *def_lv_get(const char *uri, const char *name, int *active)
{
	virConnectPtr conn = lv_open(uri);
	virDomainPtr dom;
	char *xml = NULL;

	if (!conn)
		return NULL;
	dom = virDomainLookupByName(conn, name);
	if (!dom) {
		x4ctl_fail("define: no domain '%s' in %s: define it first (x4ctl define --name %s "
			   "--iso WIN.iso)",
			   name, uri, name);
	} else {
		*active = virDomainIsActive(dom) == 1;
		xml = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE);
		if (!xml)
			x4ctl_fail("define: cannot read the XML of '%s' from %s: %s", name, uri,
				   lv_msg());
		virDomainFree(dom);
	}
	virConnectClose(conn);
	return xml;
}

int def_lv_define(const char *uri, const char *name, const char *xml)
{
	virConnectPtr conn = lv_open(uri);
	virDomainPtr dom;
	int rc = 0;

	if (!conn)
		return 1;
	dom = virDomainDefineXML(conn, xml);
	if (!dom) /* print before closing: virConnectClose resets the last error */
		rc = x4ctl_fail("define: libvirt refused the domain '%s': %s", name, lv_msg());
	else
		virDomainFree(dom);
	virConnectClose(conn);
	return rc;
}
