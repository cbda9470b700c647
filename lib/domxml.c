/* SPDX-License-Identifier: MIT */
/* domxml: bounded read and hardened libxml2 parse of the domain XML libvirt gives hooks. */
#include "domxml.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/SAX2.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include "name.h"

#define DOMXML_QEMU_NS "http://libvirt.org/schemas/domain/qemu/1.0"

/* Attributes (and namespace declarations) one tag may carry: libvirt writes at most a handful,
 * and libxml2 spends memory and quadratic time on many (150k in 1 MiB: 17 MiB, 22 s). */
#define DOMXML_MAX_ATTRS 64

/* Elements, attributes and namespaces we keep in the tree: libvirt writes a few hundred at most;
 * 4096 cost about 1 MiB. */
#define DOMXML_MAX_KEPT 4096

/* What the parse callbacks learn; hangs off ctxt->_private. */
struct domxml_parse {
	int doctype;        /* a DOCTYPE or entity declaration was seen */
	int line;
	char first[160];    /* libxml2's first error message, one line */
	unsigned skip;      /* depth inside a subtree we do not read (0: not in one) */
	int in_cmdline;     /* the skipped subtree is the root's <qemu:commandline> */
	unsigned qemu_args; /* its <qemu:arg> children */
	unsigned kept;      /* elements, attributes and namespaces built into the tree */
	int too_many;       /* more than DOMXML_MAX_KEPT: parsing stopped */
};

static void domxml_note(struct domxml_parse *p, const xmlError *err)
{
	size_t n;

	if (!p || p->first[0] || !err || !err->message)
		return;
	n = strlen(err->message);
	while (n && (err->message[n - 1] == '\n' || err->message[n - 1] == ' '))
		n--;
	if (n >= sizeof(p->first))
		n = sizeof(p->first) - 1;
	memcpy(p->first, err->message, n);
	p->first[n] = '\0';
	p->line = err->line;
}

/* Errors of the parser context (ctx is the xmlParserCtxt). */
static void domxml_ctxt_error(void *ctx, xmlErrorPtr err)
{
	xmlParserCtxtPtr ctxt = ctx;

	domxml_note(ctxt ? ctxt->_private : NULL, err);
}

/* Errors raised without a context (encoding conversion); ctx is our struct. */
static void domxml_global_error(void *ctx, xmlErrorPtr err)
{
	domxml_note(ctx, err);
}

/* Generic (printf-style) errors are swallowed: nothing may reach stderr. */
static void domxml_generic_error(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

/* A DOCTYPE means DTD processing: refuse it before its internal subset is even parsed. */
static void domxml_internal_subset(void *ctx, const xmlChar *name, const xmlChar *ext_id,
				   const xmlChar *sys_id)
{
	xmlParserCtxtPtr ctxt = ctx;

	(void)name;
	(void)ext_id;
	(void)sys_id;
	((struct domxml_parse *)ctxt->_private)->doctype = 1;
	xmlStopParser(ctxt);
}

static void domxml_entity_decl(void *ctx, const xmlChar *name, int type, const xmlChar *pub,
			       const xmlChar *sys, xmlChar *content)
{
	(void)name;
	(void)type;
	(void)pub;
	(void)sys;
	(void)content;
	domxml_internal_subset(ctx, NULL, NULL, NULL);
}

/* Only the elements domxml_extract reads are built into the tree, each under the parent it is
 * read from; every other subtree (<metadata>, <description>, disks, ...) is skipped as it
 * streams past, so memory depends on what we read, not on the size of the XML. */
static int domxml_wanted(const xmlNode *parent, const xmlChar *name)
{
	static const char *const keep[][2] = {
		{ "domain", "name" },	  { "domain", "uuid" },	    { "domain", "cpu" },
		{ "domain", "devices" },  { "devices", "emulator" }, { "devices", "video" },
		{ "devices", "shmem" },	  { "devices", "hostdev" },  { "devices", "interface" },
		{ "video", "model" },	  { "shmem", "model" },	    { "shmem", "server" },
		{ "shmem", "size" },	  { "hostdev", "source" },   { "hostdev", "rom" },
		{ "hostdev", "address" }, { "hostdev", "alias" },    { "interface", "source" },
		{ "interface", "rom" },	  { "interface", "address" }, { "interface", "alias" },
		{ "source", "address" },
	};

	if (!parent || parent->type != XML_ELEMENT_NODE)
		return 1; /* the root, whatever its name: domxml_extract names a wrong one */
	if (parent->ns)
		return 0;
	/* <domain>'s children only when it is the root */
	if (xmlStrEqual(parent->name, BAD_CAST "domain") &&
	    (!parent->parent || parent->parent->type != XML_DOCUMENT_NODE))
		return 0;
	for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
		if (xmlStrEqual(parent->name, BAD_CAST keep[i][0]) &&
		    xmlStrEqual(name, BAD_CAST keep[i][1]))
			return 1;
	return 0;
}

static void domxml_start(void *ctx, const xmlChar *name, const xmlChar *prefix,
			 const xmlChar *uri, int nb_ns, const xmlChar **ns, int nb_attrs,
			 int nb_defaulted, const xmlChar **attrs)
{
	xmlParserCtxtPtr ctxt = ctx;
	struct domxml_parse *st = ctxt->_private;
	const xmlNode *parent = ctxt->node;

	if (st->skip) {
		/* <qemu:arg> directly in the root's <qemu:commandline>: counted, not kept */
		if (st->in_cmdline && st->skip == 1 && uri &&
		    xmlStrEqual(uri, BAD_CAST DOMXML_QEMU_NS) && xmlStrEqual(name, BAD_CAST "arg"))
			st->qemu_args++;
		st->skip++;
		return;
	}
	if (uri || !domxml_wanted(parent, name)) {
		st->in_cmdline = uri && parent && parent->parent &&
				 parent->parent->type == XML_DOCUMENT_NODE &&
				 xmlStrEqual(uri, BAD_CAST DOMXML_QEMU_NS) &&
				 xmlStrEqual(name, BAD_CAST "commandline");
		if (parent || !uri) {
			st->skip = 1;
			return;
		}
		/* a namespaced root: built, so domxml_extract can name it */
	}
	st->kept += 1 + (unsigned)nb_attrs + (unsigned)nb_ns;
	if (st->kept > DOMXML_MAX_KEPT) {
		st->too_many = 1;
		xmlStopParser(ctxt);
		return;
	}
	xmlSAX2StartElementNs(ctx, name, prefix, uri, nb_ns, ns, nb_attrs, nb_defaulted, attrs);
}

static void domxml_end(void *ctx, const xmlChar *name, const xmlChar *prefix, const xmlChar *uri)
{
	xmlParserCtxtPtr ctxt = ctx;
	struct domxml_parse *st = ctxt->_private;

	if (st->skip) {
		st->skip--;
		return;
	}
	xmlSAX2EndElementNs(ctx, name, prefix, uri);
}

/* Text is kept only in the elements we read, so a large <description> or <metadata> costs
 * no memory. */
static void domxml_characters(void *ctx, const xmlChar *ch, int len)
{
	static const char *const keep[] = { "name", "uuid", "emulator", "size" };
	const xmlParserCtxt *ctxt = ctx;
	const xmlNode *n = ctxt ? ctxt->node : NULL;

	if (!n || n->type != XML_ELEMENT_NODE || ((struct domxml_parse *)ctxt->_private)->skip)
		return;
	for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
		if (!strcmp((const char *)n->name, keep[i])) {
			xmlSAX2Characters(ctx, ch, len);
			return;
		}
}

static int domxml_is(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && !n->ns && xmlStrEqual(n->name, BAD_CAST name);
}

static const xmlNode *domxml_child(const xmlNode *parent, const char *name)
{
	for (const xmlNode *c = parent->children; c; c = c->next)
		if (domxml_is(c, name))
			return c;
	return NULL;
}

/* Copy src into dst[n]; an over-long value is an error, never silently cut. */
static int domxml_copy(char *dst, size_t n, const char *src, const char *what, struct x4_err *e)
{
	size_t len = strlen(src);

	if (len >= n)
		return x4_fail(e, EINVAL, "domain XML: %s is longer than %zu bytes: '%.48s...'", what,
			       n - 1, src);
	memcpy(dst, src, len + 1);
	return 0;
}

/* Attribute into buf: 1 when present, 0 when absent (buf = ""), negative on error. */
static int domxml_attr(const xmlNode *n, const char *attr, char *buf, size_t size,
		       const char *what, struct x4_err *e)
{
	xmlChar *v = xmlGetNoNsProp(n, BAD_CAST attr);
	int rc;

	buf[0] = '\0';
	if (!v)
		return 0;
	rc = domxml_copy(buf, size, (const char *)v, what, e);
	xmlFree(v);
	return rc < 0 ? rc : 1;
}

/* Text content of an element into buf (may be ""). */
static int domxml_text(const xmlNode *n, char *buf, size_t size, const char *what,
		       struct x4_err *e)
{
	xmlChar *v = xmlNodeGetContent(n);
	int rc;

	if (!v)
		return x4_fail(e, ENOMEM, "domain XML: out of memory reading %s", what);
	rc = domxml_copy(buf, size, (const char *)v, what, e);
	xmlFree(v);
	return rc;
}

static int domxml_uuid_ok(const char *u)
{
	static const char shape[] = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";

	for (size_t i = 0; i < sizeof(shape); i++) {
		if (shape[i] == '\0')
			return u[i] == '\0';
		if (shape[i] == '-' ? u[i] != '-' : !strchr("0123456789abcdefABCDEF", u[i]) || !u[i])
			return 0;
	}
	return 0;
}

/* A PCI <address domain bus slot function/>; type, when given, must be 'pci'. */
static int domxml_pci_address(const xmlNode *a, struct x4_pciaddr *out, const char *what,
			      struct x4_err *e)
{
	char type[16], dom[16], bus[16], slot[16], fn[16];
	struct x4_err sub = { 0 };
	int rc;

	if ((rc = domxml_attr(a, "type", type, sizeof(type), "address type", e)) < 0)
		return rc;
	if (rc == 1 && strcmp(type, "pci") != 0)
		return x4_fail(e, EINVAL, "domain XML: %s address has type '%s', not 'pci'", what, type);
	if ((rc = domxml_attr(a, "domain", dom, sizeof(dom), "address domain", e)) < 0 ||
	    (rc = domxml_attr(a, "bus", bus, sizeof(bus), "address bus", e)) < 0 ||
	    (rc = domxml_attr(a, "slot", slot, sizeof(slot), "address slot", e)) < 0 ||
	    (rc = domxml_attr(a, "function", fn, sizeof(fn), "address function", e)) < 0)
		return rc;
	if (!bus[0] || !slot[0] || !fn[0])
		return x4_fail(e, EINVAL, "domain XML: %s address lacks bus, slot or function", what);
	rc = x4_pciaddr_from_attrs(dom[0] ? dom : NULL, bus, slot, fn, out, &sub);
	if (rc < 0)
		return x4_fail(e, -rc, "domain XML: %s address: %s", what, sub.msg);
	return 0;
}

/* <hostdev mode='subsystem' type='pci'> or <interface type='hostdev'>. */
static int domxml_hostdev(const xmlNode *n, int is_interface, struct x4_domain *d,
			  struct x4_err *e)
{
	struct x4_domxml_hostdev *h;
	const xmlNode *src, *addr = NULL, *c;
	char managed[8], bar[8];
	int rc;

	if (d->n_hostdevs >= X4_DOMXML_MAX_HOSTDEVS)
		return x4_fail(e, E2BIG, "domain XML: more than %d PCI hostdevs: not supported",
			       X4_DOMXML_MAX_HOSTDEVS);
	h = &d->hostdevs[d->n_hostdevs];
	memset(h, 0, sizeof(*h));
	h->is_interface = is_interface;
	if ((rc = domxml_attr(n, "managed", managed, sizeof(managed), "hostdev managed", e)) < 0)
		return rc;
	if (rc == 1 && strcmp(managed, "yes") != 0 && strcmp(managed, "no") != 0)
		return x4_fail(e, EINVAL, "domain XML: hostdev managed='%s': expected yes or no",
			       managed);
	h->managed = rc == 1 && strcmp(managed, "yes") == 0;
	src = domxml_child(n, "source");
	if (src)
		addr = domxml_child(src, "address");
	if (!addr)
		return x4_fail(e, EINVAL, "domain XML: PCI hostdev #%u has no <source><address/>",
			       d->n_hostdevs);
	if ((rc = domxml_pci_address(addr, &h->host, "hostdev source", e)) < 0)
		return rc;
	for (c = n->children; c; c = c->next) {
		if (domxml_is(c, "rom")) {
			if ((rc = domxml_attr(c, "file", h->rom_file, sizeof(h->rom_file),
					      "hostdev <rom file>", e)) < 0 ||
			    (rc = domxml_attr(c, "bar", bar, sizeof(bar), "hostdev <rom bar>", e)) < 0)
				return rc;
			h->rom_bar_off = strcmp(bar, "off") == 0;
		} else if (domxml_is(c, "address")) {
			if ((rc = domxml_pci_address(c, &h->guest, "hostdev guest", e)) < 0)
				return rc;
			h->has_guest_addr = 1;
		} else if (domxml_is(c, "alias")) {
			if ((rc = domxml_attr(c, "name", h->alias, sizeof(h->alias), "hostdev alias",
					      e)) < 0)
				return rc;
		}
	}
	d->n_hostdevs++;
	return 0;
}

/* libvirt's scaled size: a decimal number times the unit (default bytes). */
static int domxml_scaled(const xmlNode *n, uint64_t *out, struct x4_err *e)
{
	static const struct {
		const char *unit;
		uint64_t mul;
	} units[] = {
		{ "", 1 },	     { "b", 1 },	  { "bytes", 1 },	  { "k", 1ULL << 10 },
		{ "KiB", 1ULL << 10 }, { "KB", 1000ULL },	  { "M", 1ULL << 20 },
		{ "MiB", 1ULL << 20 }, { "MB", 1000000ULL },	  { "G", 1ULL << 30 },
		{ "GiB", 1ULL << 30 }, { "GB", 1000000000ULL }, { "T", 1ULL << 40 },
		{ "TiB", 1ULL << 40 }, { "TB", 1000000000000ULL },
	};
	char unit[16], num[32];
	uint64_t v = 0, mul = 0;
	int rc;

	if ((rc = domxml_attr(n, "unit", unit, sizeof(unit), "size unit", e)) < 0 ||
	    (rc = domxml_text(n, num, sizeof(num), "shmem <size>", e)) < 0)
		return rc;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strcmp(unit, units[i].unit) == 0)
			mul = units[i].mul;
	if (!mul)
		return x4_fail(e, EINVAL, "domain XML: unknown size unit '%s'", unit);
	if (!num[0])
		goto bad;
	for (const char *p = num; *p; p++) {
		if (*p < '0' || *p > '9' || v > (UINT64_MAX - 9) / 10)
			goto bad;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	if (v > UINT64_MAX / mul)
		goto bad;
	*out = v * mul;
	return 0;
bad:
	return x4_fail(e, EINVAL, "domain XML: bad size '%s' (unit '%s')", num, unit);
}

static int domxml_shmem(const xmlNode *n, struct x4_domain *d, struct x4_err *e)
{
	struct x4_domxml_shmem *s;
	const xmlNode *c;
	int rc;

	if (d->n_shmems >= X4_DOMXML_MAX_SHMEMS)
		return x4_fail(e, E2BIG, "domain XML: more than %d <shmem> devices: not supported",
			       X4_DOMXML_MAX_SHMEMS);
	s = &d->shmems[d->n_shmems];
	memset(s, 0, sizeof(*s));
	if ((rc = domxml_attr(n, "name", s->name, sizeof(s->name), "shmem name", e)) < 0)
		return rc;
	if ((c = domxml_child(n, "model")) &&
	    (rc = domxml_attr(c, "type", s->model, sizeof(s->model), "shmem model", e)) < 0)
		return rc;
	if ((c = domxml_child(n, "server")) &&
	    (rc = domxml_attr(c, "path", s->path, sizeof(s->path), "shmem server path", e)) < 0)
		return rc;
	if ((c = domxml_child(n, "size")) && (rc = domxml_scaled(c, &s->size, e)) < 0)
		return rc;
	d->n_shmems++;
	return 0;
}

static int domxml_video(const xmlNode *n, struct x4_domain *d, struct x4_err *e)
{
	const xmlNode *m = domxml_child(n, "model");
	int rc;

	if (d->n_videos >= X4_DOMXML_MAX_VIDEOS)
		return x4_fail(e, E2BIG, "domain XML: more than %d <video> devices: not supported",
			       X4_DOMXML_MAX_VIDEOS);
	d->videos[d->n_videos][0] = '\0';
	if (m && (rc = domxml_attr(m, "type", d->videos[d->n_videos], sizeof(d->videos[0]),
				   "video model", e)) < 0)
		return rc;
	d->n_videos++;
	return 0;
}

static int domxml_devices(const xmlNode *devs, struct x4_domain *d, struct x4_err *e)
{
	char mode[16], type[16];
	int rc = 0;

	for (const xmlNode *c = devs->children; c && rc == 0; c = c->next) {
		if (domxml_is(c, "emulator")) {
			rc = domxml_text(c, d->emulator, sizeof(d->emulator), "<emulator>", e);
		} else if (domxml_is(c, "video")) {
			rc = domxml_video(c, d, e);
		} else if (domxml_is(c, "shmem")) {
			rc = domxml_shmem(c, d, e);
		} else if (domxml_is(c, "hostdev")) {
			if ((rc = domxml_attr(c, "mode", mode, sizeof(mode), "hostdev mode", e)) < 0 ||
			    (rc = domxml_attr(c, "type", type, sizeof(type), "hostdev type", e)) < 0)
				break;
			rc = 0;
			if (strcmp(mode, "subsystem") == 0 && strcmp(type, "pci") == 0)
				rc = domxml_hostdev(c, 0, d, e);
		} else if (domxml_is(c, "interface")) {
			if ((rc = domxml_attr(c, "type", type, sizeof(type), "interface type", e)) < 0)
				break;
			rc = strcmp(type, "hostdev") == 0 ? domxml_hostdev(c, 1, d, e) : 0;
		}
	}
	return rc;
}

static int domxml_extract(const xmlNode *root, unsigned qemu_args, struct x4_domain *d,
			  struct x4_err *e)
{
	const xmlNode *n;
	int rc;

	if (!domxml_is(root, "domain"))
		return x4_fail(e, EINVAL, "domain XML: root element is <%.32s>, not <domain>",
			       (const char *)root->name);
	if ((rc = domxml_attr(root, "type", d->type, sizeof(d->type), "domain type", e)) < 0)
		return rc;
	n = domxml_child(root, "name");
	if (!n)
		return x4_fail(e, EINVAL, "domain XML has no <name>: not a libvirt domain");
	if ((rc = domxml_text(n, d->name, sizeof(d->name), "<name>", e)) < 0)
		return rc;
	if ((rc = x4_name_check(d->name, e)) < 0)
		return rc;
	if ((n = domxml_child(root, "uuid"))) {
		if ((rc = domxml_text(n, d->uuid, sizeof(d->uuid), "<uuid>", e)) < 0)
			return rc;
		if (!domxml_uuid_ok(d->uuid))
			return x4_fail(e, EINVAL, "domain XML: <uuid> '%s' is not a UUID", d->uuid);
	}
	if ((n = domxml_child(root, "cpu")) &&
	    (rc = domxml_attr(n, "mode", d->cpu_mode, sizeof(d->cpu_mode), "cpu mode", e)) < 0)
		return rc;
	d->n_qemu_args = qemu_args;
	for (n = root->children; n; n = n->next)
		if (domxml_is(n, "devices") && (rc = domxml_devices(n, d, e)) < 0)
			return rc;
	return 0;
}

/* Skip from p to just past the terminator term, or to end. */
static const char *domxml_past(const char *p, const char *end, const char *term)
{
	const char *t = memmem(p, (size_t)(end - p), term, strlen(term));

	return t ? t + strlen(term) : end;
}

/* Before libxml2 sees it: no start tag with more than DOMXML_MAX_ATTRS attributes. A lexer of
 * tags, quoted values, comments, CDATA and PIs; whatever it misreads libxml2 rejects anyway. */
static int domxml_prescan(const char *buf, size_t len, struct x4_err *e)
{
	const char *p = buf, *end = buf + len;

	while (p < end && (p = memchr(p, '<', (size_t)(end - p)))) {
		unsigned attrs = 0;
		size_t left = (size_t)(end - p);

		if (left >= 4 && !memcmp(p, "<!--", 4)) {
			p = domxml_past(p + 4, end, "-->");
			continue;
		}
		if (left >= 9 && !memcmp(p, "<![CDATA[", 9)) {
			p = domxml_past(p + 9, end, "]]>");
			continue;
		}
		if (left >= 2 && p[1] == '?') {
			p = domxml_past(p + 2, end, "?>");
			continue;
		}
		for (p++; p < end && *p != '>'; p++) {
			if (*p == '\'' || *p == '"') {
				const char *q = memchr(p + 1, *p, (size_t)(end - p - 1));

				if (!q)
					return 0; /* unterminated: malformed, libxml2 says where */
				p = q;
			} else if (*p == '=' && ++attrs > DOMXML_MAX_ATTRS) {
				return x4_fail(e, E2BIG, "domain XML has a tag with more than %d "
					       "attributes: refused (libvirt writes a few)",
					       DOMXML_MAX_ATTRS);
			}
		}
	}
	return 0;
}

int x4_domxml_parse(const char *buf, size_t len, struct x4_domain *d, struct x4_err *e)
{
	const int opts = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING;
	struct domxml_parse st = { 0 };
	xmlStructuredErrorFunc old_serror;
	xmlGenericErrorFunc old_generic;
	void *old_sctx, *old_gctx;
	xmlParserCtxtPtr ctxt;
	xmlDocPtr doc = NULL;
	int rc;

	memset(d, 0, sizeof(*d));
	if (!buf || len == 0)
		return x4_fail(e, ENODATA, "empty domain XML: libvirt passes it on stdin");
	if (len > INT_MAX)
		return x4_fail(e, EFBIG, "domain XML is larger than %d bytes", INT_MAX);
	if ((rc = domxml_prescan(buf, len, e)) < 0)
		return rc;
	xmlInitParser();
	/* Errors raised outside the context would go to stderr: catch them for this call only. */
	old_serror = xmlStructuredError;
	old_sctx = xmlStructuredErrorContext;
	old_generic = xmlGenericError;
	old_gctx = xmlGenericErrorContext;
	xmlSetStructuredErrorFunc(&st, domxml_global_error);
	xmlSetGenericErrorFunc(NULL, domxml_generic_error);

	ctxt = xmlCreateMemoryParserCtxt(buf, (int)len);
	if (!ctxt) {
		rc = x4_fail(e, ENOMEM, "cannot create an XML parser for the domain XML");
		goto out;
	}
	xmlCtxtUseOptions(ctxt, opts);
	ctxt->_private = &st;
	ctxt->sax->serror = domxml_ctxt_error;
	ctxt->sax->internalSubset = domxml_internal_subset;
	ctxt->sax->externalSubset = NULL;
	ctxt->sax->entityDecl = domxml_entity_decl;
	ctxt->sax->resolveEntity = NULL;
	ctxt->sax->characters = domxml_characters;
	ctxt->sax->ignorableWhitespace = domxml_characters;
	ctxt->sax->cdataBlock = domxml_characters;
	ctxt->sax->startElementNs = domxml_start;
	ctxt->sax->endElementNs = domxml_end;
	ctxt->sax->comment = NULL; /* comments and PIs are never read: no nodes for them */
	ctxt->sax->processingInstruction = NULL;
	xmlParseDocument(ctxt);
	doc = ctxt->myDoc;
	ctxt->myDoc = NULL;
	if (st.doctype || (doc && (doc->intSubset || doc->extSubset))) {
		rc = x4_fail(e, EINVAL, "domain XML has a DOCTYPE: refused (libvirt never writes one; "
			     "DTDs and entities are not processed)");
	} else if (st.too_many) {
		rc = x4_fail(e, E2BIG, "domain XML has more than %d of the elements and attributes "
			     "x4-sriov reads: refused", DOMXML_MAX_KEPT);
	} else if (!ctxt->wellFormed || !doc) {
		rc = x4_fail(e, EINVAL, "domain XML is malformed: line %d: %s", st.line,
			     st.first[0] ? st.first : "parse error");
	} else if (!xmlDocGetRootElement(doc)) {
		rc = x4_fail(e, EINVAL, "domain XML has no root element");
	} else {
		rc = domxml_extract(xmlDocGetRootElement(doc), st.qemu_args, d, e);
	}
out:
	if (doc)
		xmlFreeDoc(doc);
	if (ctxt)
		xmlFreeParserCtxt(ctxt);
	xmlSetStructuredErrorFunc(old_sctx, old_serror);
	xmlSetGenericErrorFunc(old_gctx, old_generic);
	if (rc < 0)
		memset(d, 0, sizeof(*d));
	return rc;
}
