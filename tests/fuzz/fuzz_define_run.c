/* SPDX-License-Identifier: MIT */
/* libFuzzer: x4ctl define's switch to the run phase on any XML (libvirt's or a --xml file).
 * Invariants: no crash or leak; the result re-parses, has exactly one <video> whose model is
 * none, and switching it again changes nothing. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/xpath.h>

#include "../../cli/define.h"

int x4ctl_fail(const char *fmt, ...)
{
	(void)fmt;
	return 1;
}

static xmlDocPtr fz_parse(const char *buf, size_t len)
{
	return xmlReadMemory(buf, (int)len, "fuzz.xml", NULL,
			     XML_PARSE_NONET | XML_PARSE_NOBLANKS | XML_PARSE_NOERROR |
				 XML_PARSE_NOWARNING);
}

static double fz_num(xmlDocPtr doc, const char *xpath)
{
	xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
	xmlXPathObjectPtr r = ctx ? xmlXPathEvalExpression((const xmlChar *)xpath, ctx) : NULL;
	double v = r ? xmlXPathCastToNumber(r) : -1;

	xmlXPathFreeObject(r);
	xmlXPathFreeContext(ctx);
	return v;
}

static void fz_quiet(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *once = NULL, *twice = NULL;
	xmlDocPtr doc;

	if (size > 65536)
		return 0;
	xmlSetGenericErrorFunc(NULL, fz_quiet);
	doc = fz_parse((const char *)data, size);
	if (!doc)
		return 0;
	if (def_to_run(doc) == 0 && def_dump(doc, &once) == 0) {
		xmlDocPtr again = fz_parse(once, strlen(once));

		if (!again)
			abort(); /* our output must be XML */
		if (fz_num(again, "count(/domain/devices/video)") != 1 ||
		    fz_num(again, "count(/domain/devices/video/model[@type='none'])") != 1 ||
		    fz_num(again, "count(/domain/devices/video/*)") != 1)
			abort();
		if (def_to_run(again) != 0 || def_dump(again, &twice) != 0 || strcmp(once, twice))
			abort(); /* not idempotent */
		xmlFreeDoc(again);
	}
	free(once);
	free(twice);
	xmlFreeDoc(doc);
	return 0;
}
