/* SPDX-License-Identifier: MIT */
/* config: x4-sriov.conf via inih into typed [host] and [vm NAME] settings, line-numbered errors. */
#include "config.h"

#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apparmor.h"
#include "fileio.h"
#include "board.h"
#include "paths.h"

#define CONFIG_WHY 320      /* "what is wrong; expected ..." of one value */

/* Strict decimal: a digit first (no sign, no blank), no overflow, value <= max. *end gets the
 * first byte after the digits; with end NULL nothing may follow. -1 when not a number, -2 when
 * out of range. */
static int config_uint(const char *s, const char **end, unsigned long max, unsigned long *out)
{
	unsigned long v;
	char *e;

	if (s[0] < '0' || s[0] > '9')
		return -1;
	errno = 0;
	v = strtoul(s, &e, 10);
	if (!end && *e)
		return -1;
	if (errno == ERANGE || v > max)
		return -2;
	if (end)
		*end = e;
	*out = v;
	return 0;
}

/* Printf into why (the "what is wrong; expected ..." text); returns -1 for `return`. */
static int config_why(char *why, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int config_why(char *why, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, CONFIG_WHY, fmt, ap);
	va_end(ap);
	return -1;
}

/* --- byte sizes ------------------------------------------------------------------------ */

static int config_size(const char *text, uint64_t *out, char *why)
{
	static const struct {
		const char *suffix;
		unsigned shift;
	} units[] = { { "", 0 },  { "K", 10 },   { "M", 20 },   { "G", 30 },
		      { "KiB", 10 }, { "MiB", 20 }, { "GiB", 30 } };
	const char *expect = "expected a power of two from 1M to 1G (e.g. 32M or 64MiB)";
	char q[X4_QUOTE_BUF];
	const char *p;
	unsigned long n;
	int rc = config_uint(text, &p, 1UL << 30, &n);

	if (rc == -2)
		return config_why(why, "%s is too large; %s", x4_quote(text, q),
				  expect);
	if (rc < 0)
		return config_why(why, "%s is not a size; %s", x4_quote(text, q),
				  expect);
	while (*p == ' ' || *p == '\t')
		p++;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		uint64_t v;

		if (strcmp(p, units[i].suffix) != 0)
			continue;
		v = (uint64_t)n << units[i].shift; /* n <= 2^30, shift <= 30: no overflow */
		if (v < X4_CONFIG_LG_SIZE_MIN || v > X4_CONFIG_LG_SIZE_MAX)
			return config_why(why, "%s is out of range; %s",
					  x4_quote(text, q), expect);
		if (v & (v - 1))
			return config_why(why, "%s is not a power of two; %s",
					  x4_quote(text, q), expect);
		*out = v;
		return 0;
	}
	return config_why(why, "%s has an unknown unit; %s (units K, M, G, KiB, MiB, GiB)",
			  x4_quote(text, q), expect);
}

int x4_config_parse_size(const char *text, uint64_t *bytes, struct x4_err *e)
{
	char why[CONFIG_WHY];

	if (!text)
		return x4_fail(e, EINVAL, "bad size (null): expected a power of two from 1M to 1G");
	if (config_size(text, bytes, why) < 0)
		return x4_fail(e, EINVAL, "bad size %s", why);
	return 0;
}

/* --- enum names: one table each, parsed and printed from it -------------------------------- */

X4_ENUM_IMPL(x4_teardown, enum x4_teardown, X4_TEARDOWN_COUNT,
	     [X4_TEARDOWN_KEEP] = "keep", [X4_TEARDOWN_REMOVE] = "remove")
X4_ENUM_IMPL(x4_rom_mode, enum x4_rom_mode, X4_ROM_MODE_COUNT,
	     [X4_ROM_RAW] = "raw", [X4_ROM_OPTIONROM] = "optionrom")
X4_ENUM_IMPL(x4_lg_kind, enum x4_lg_kind, X4_LG_KIND_COUNT,
	     [X4_LG_OFF] = "off", [X4_LG_KVMFR] = "kvmfr", [X4_LG_SHM] = "shm")

/* --- one value per key ------------------------------------------------------------------- */

typedef int (*config_parse_fn)(struct x4_settings *s, const char *v, char *why);

static int config_pf(struct x4_settings *s, const char *v, char *why)
{
	char q[X4_QUOTE_BUF];

	if (strcmp(v, "auto") == 0) {
		s->pf_auto = 1;
		return 0;
	}
	if (x4_pciaddr_parse(v, &s->pf, NULL) < 0)
		return config_why(why, "%s is not a PCI address; expected auto or DDDD:BB:SS.F "
				  "(e.g. " X4_BOARD_PF ")", x4_quote(v, q));
	s->pf_auto = 0;
	return 0;
}

static int config_num_vfs(struct x4_settings *s, const char *v, char *why)
{
	char q[X4_QUOTE_BUF];
	unsigned long n;
	int rc = config_uint(v, NULL, 255, &n);

	if (rc == 0 && n == 0)
		rc = -2;
	if (rc < 0)
		return config_why(why, "%s %s; expected a whole number 1..255 (the iGPU has 7)",
				  x4_quote(v, q),
				  rc == -2 ? "is out of range" : "is not a number");
	s->num_vfs = (unsigned)n;
	return 0;
}

static int config_teardown(struct x4_settings *s, const char *v, char *why)
{
	char q[X4_QUOTE_BUF], names[64];

	if (x4_teardown_parse(v, &s->vf_teardown) < 0)
		return config_why(why, "bad value %s; expected %s", x4_quote(v, q),
				  x4_teardown_expect(names, sizeof(names)));
	return 0;
}

/* An absolute path without control bytes that fits out; "" only when allow_empty. */
static int config_abs_path(const char *v, char *out, size_t n, int allow_empty, char *why)
{
	char q[X4_QUOTE_BUF];
	const char *expect = allow_empty ? "expected an absolute path or nothing"
					 : "expected an absolute path";

	if (!*v && allow_empty) {
		out[0] = '\0';
		return 0;
	}
	if (v[0] != '/')
		return config_why(why, "%s is not an absolute path; %s",
				  x4_quote(v, q), expect);
	for (const char *p = v; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return config_why(why, "%s has a control character; %s",
					  x4_quote(v, q), expect);
	if (strlen(v) >= n)
		return config_why(why, "%s is too long; %s of at most %zu bytes",
				  x4_quote(v, q), expect, n - 1);
	memcpy(out, v, strlen(v) + 1);
	return 0;
}

static int config_qemu(struct x4_settings *s, const char *v, char *why)
{
	return config_abs_path(v, s->qemu, sizeof(s->qemu), 0, why);
}

static int config_rom(struct x4_settings *s, const char *v, char *why)
{
	char q[X4_QUOTE_BUF];

	/* The path ends up inside QEMU's "romfile=..." option, where a comma starts a new one. */
	if (strchr(v, ','))
		return config_why(why, "%s has a comma (QEMU would split the option there); "
				  "expected an absolute path without commas or nothing",
				  x4_quote(v, q));
	return config_abs_path(v, s->rom, sizeof(s->rom), 1, why);
}

static int config_rom_mode(struct x4_settings *s, const char *v, char *why)
{
	char q[X4_QUOTE_BUF], names[64];

	if (x4_rom_mode_parse(v, &s->rom_mode) < 0)
		return config_why(why, "bad value %s; expected %s", x4_quote(v, q),
				  x4_rom_mode_expect(names, sizeof(names)));
	return 0;
}

static int config_lg(struct x4_settings *s, const char *v, char *why)
{
	char q[X4_QUOTE_BUF];

	if (x4_lg_kind_parse(v, &s->lg) == 0) { /* kvmfr: one device per VM, lib/lgassign.c */
		s->lg_path[0] = '\0';
	} else if (strncmp(v, "/dev/kvmfr", 10) == 0 && v[10] >= '0' && v[10] <= '9' &&
		   v[11] == '\0') {
		s->lg = X4_LG_KVMFR;
		memcpy(s->lg_path, v, 12);
	} else {
		return config_why(why, "bad value %s; expected kvmfr, /dev/kvmfrN (N 0..9), shm or off",
				  x4_quote(v, q));
	}
	return 0;
}

static int config_lg_size(struct x4_settings *s, const char *v, char *why)
{
	if (strcmp(v, "auto") == 0) {
		s->lg_size = 0;
		return 0;
	}
	if (config_size(v, &s->lg_size, why) < 0) {
		size_t len = strlen(why);

		snprintf(why + len, CONFIG_WHY - len, " or auto");
		return -1;
	}
	return 0;
}

static int config_lg_res(struct x4_settings *s, const char *v, char *why)
{
	char q[X4_QUOTE_BUF];
	unsigned long w, h;
	const char *p;
	int hdr = 0;

	if (config_uint(v, &p, X4_CONFIG_LG_DIM_MAX, &w) < 0 || w == 0 || *p++ != 'x' ||
	    config_uint(p, &p, X4_CONFIG_LG_DIM_MAX, &h) < 0 || h == 0)
		goto bad;
	if (*p == ' ' || *p == '\t') {
		while (*p == ' ' || *p == '\t')
			p++;
		if (strcmp(p, "hdr") != 0)
			goto bad;
		hdr = 1;
	} else if (*p) {
		goto bad;
	}
	s->lg_width = (unsigned)w;
	s->lg_height = (unsigned)h;
	s->lg_hdr = hdr;
	return 0;
bad:
	return config_why(why, "bad value %s; expected WIDTHxHEIGHT with an optional \" hdr\", "
			  "each 1..%d (e.g. 1920x1080 or 2560x1440 hdr)",
			  x4_quote(v, q), X4_CONFIG_LG_DIM_MAX);
}

static int config_vf(struct x4_settings *s, const char *v, char *why)
{
	char q[X4_QUOTE_BUF];
	unsigned long n;

	if (v[0] >= '0' && v[0] <= '9' && !strchr(v, ':')) {
		if (config_uint(v, NULL, 255, &n) < 0 || n == 0)
			return config_why(why, "%s is not a VF index; expected 1..255 or a PCI "
					  "address DDDD:BB:SS.F (e.g. 0000:00:02.1)",
					  x4_quote(v, q));
		s->vf_index = (int)n;
		s->vf_set = 1;
		return 0;
	}
	if (x4_pciaddr_parse(v, &s->vf_addr, NULL) < 0)
		return config_why(why, "%s is not a PCI address; expected DDDD:BB:SS.F "
				  "(e.g. 0000:00:02.1) or a VF index 1..255",
				  x4_quote(v, q));
	s->vf_index = 0;
	s->vf_set = 1;
	return 0;
}

enum { CONFIG_HOST = X4_CONFIG_HOST, CONFIG_VM = X4_CONFIG_VM, CONFIG_BOTH = 3 };

/* The fields from first to last of struct x4_settings, as offset and size. */
#define CONFIG_SPAN(first, last)                                                               \
	offsetof(struct x4_settings, first),                                                   \
	    offsetof(struct x4_settings, last) + sizeof(((struct x4_settings *)0)->last) -      \
		offsetof(struct x4_settings, first)

/* Every key: x4_config_for_vm copies a key's span from [vm NAME] over [host]; the unit tests
 * check each name against x4-sriov.conf(5) and templates/x4-sriov.conf. */
static const struct config_key {
	struct x4_config_keyinfo info;
	config_parse_fn parse;
} config_keys[X4_CONFIG_NKEYS] = {
	[X4_KEY_PF] = {{"pf", CONFIG_HOST, CONFIG_SPAN(pf_auto, pf),
			"the SR-IOV physical function: auto or DDDD:BB:SS.F"},
		       config_pf},
	[X4_KEY_NUM_VFS] = {{"num_vfs", CONFIG_HOST, CONFIG_SPAN(num_vfs, num_vfs),
			     "VFs to create, 1..255 (default 7)"},
			    config_num_vfs},
	[X4_KEY_VF] = {{"vf", CONFIG_VM, CONFIG_SPAN(vf_set, vf_index),
			"the VM's VF: DDDD:BB:SS.F or an index 1..255"},
		       config_vf},
	[X4_KEY_VF_TEARDOWN] = {{"vf_teardown", CONFIG_BOTH, CONFIG_SPAN(vf_teardown, vf_teardown),
				 "when the last VM stops: keep (default) or remove the VFs"},
				config_teardown},
	[X4_KEY_QEMU] = {{"qemu", CONFIG_BOTH, CONFIG_SPAN(qemu, qemu),
			  "the real emulator qemu-x4 runs (absolute path)"},
			 config_qemu},
	[X4_KEY_ROM] = {{"rom", CONFIG_BOTH, CONFIG_SPAN(rom, rom),
			 "the GOP driver or option ROM for the VF (absolute path, empty: none)"},
			config_rom},
	[X4_KEY_ROM_MODE] = {{"rom_mode", CONFIG_BOTH, CONFIG_SPAN(rom_mode, rom_mode),
			      "raw (default) or optionrom (built at prepare)"},
			     config_rom_mode},
	[X4_KEY_LOOKING_GLASS] = {{"looking_glass", CONFIG_BOTH, CONFIG_SPAN(lg, lg_path),
				   "Looking Glass memory: off, shm, kvmfr or /dev/kvmfrN"},
				  config_lg},
	[X4_KEY_LG_SIZE] = {{"lg_size", CONFIG_BOTH, CONFIG_SPAN(lg_size, lg_size),
			     "its size: auto or a power of two from 1M to 1G"},
			    config_lg_size},
	[X4_KEY_LG_RESOLUTION] = {{"lg_resolution", CONFIG_BOTH, CONFIG_SPAN(lg_width, lg_hdr),
				   "the guest's resolution for the size: WxH [hdr]"},
				  config_lg_res},
};
#define CONFIG_NKEYS X4_CONFIG_NKEYS

const struct x4_config_keyinfo *x4_config_key(unsigned k)
{
	return k < CONFIG_NKEYS ? &config_keys[k].info : NULL;
}

/* "pf, num_vfs, ...": the keys a scope takes, in table order, for "expected one of". */
static const char *config_key_list(int scope, char *out, size_t n)
{
	size_t used = 0;

	out[0] = '\0';
	for (size_t i = 0; i < CONFIG_NKEYS && used < n; i++) {
		int w;

		if (!(config_keys[i].info.scopes & (unsigned)scope))
			continue;
		w = snprintf(out + used, n - used, "%s%s", used ? ", " : "",
			     config_keys[i].info.name);
		if (w < 0)
			break;
		used += (size_t)w;
	}
	return out;
}

/* --- the parse: our line reader feeds inih and tracks sections itself --------------------- */

struct config_ctx {
	struct x4_config *c;
	const char *path;
	struct x4_err *e;
	const char *buf;
	size_t len, pos;
	int lineno;
	int err_line;                     /* first error we found, 0 = none */
	int scope;                        /* CONFIG_HOST, CONFIG_VM or 0 before any section */
	struct x4_settings *cur;          /* settings of the current section */
	char section[X4_NAME_MAX + 8];    /* "[host]" / "[vm NAME]" for messages */
	int key_line[CONFIG_NKEYS];       /* line of each key in the current section */
	int host_line;
	int vm_line[X4_MAX_VM_SECTIONS];
};

/* Long paths keep their tail, the part that names the file. */
static const char *config_short_path(const char *path)
{
	size_t len = strlen(path);

	return len > 120 ? path + len - 117 : path;
}

/* Record the first error: "PATH:LINE: [section] KEY: what". */
static void config_fail(struct config_ctx *x, int line, const char *section, const char *key,
			const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void config_fail(struct config_ctx *x, int line, const char *section, const char *key,
			const char *fmt, ...)
{
	char what[CONFIG_WHY + 64];
	const char *path = config_short_path(x->path);
	va_list ap;

	if (x->err_line)
		return;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	x->err_line = line;
	x4_fail(x->e, EINVAL, "%s%s:%d: %s%s%s%s%s", path == x->path ? "" : "...", path, line,
		section ? section : "", section && key ? " " : "", key ? key : "",
		section || key ? ": " : "", what);
}

static void config_settings_defaults(struct x4_settings *s)
{
	memset(s, 0, sizeof(*s));
	s->pf_auto = 1;
	s->num_vfs = 7;
	s->vf_teardown = X4_TEARDOWN_KEEP;
	snprintf(s->qemu, sizeof(s->qemu), "%s", X4_DEFAULT_QEMU);
	s->rom_mode = X4_ROM_RAW;
	s->lg = X4_LG_OFF;
}

static int config_vm_name_ok(const char *name, size_t len, char *why)
{
	char q[X4_QUOTE_BUF];
	const char *expect = "expected 1..128 bytes without '/' or control characters";

	if (len == 0)
		return config_why(why, "missing VM name; expected [vm NAME]");
	if (len > X4_NAME_MAX)
		return config_why(why, "VM name %s is too long; %s", x4_quote(name, q),
				  expect);
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)name[i];

		if (ch < 0x20 || ch == 0x7f || ch == '/')
			return config_why(why, "bad VM name %s; %s", x4_quote(name, q),
					  expect);
	}
	return 0;
}

/* A "[...]" line (leading blanks already gone): open [host] or [vm NAME]. Works on a copy:
 * inih parses the line again after us and must still find its ']'. */
static int config_section(struct config_ctx *x, const char *text)
{
	char q[X4_QUOTE_BUF], why[CONFIG_WHY], line[256];
	char *end, *p, *name;
	size_t len;

	snprintf(line, sizeof(line), "%s", text); /* the reader caps lines far below this */
	end = strchr(line, ']');

	if (!end) {
		config_fail(x, x->lineno, NULL, NULL, "section header %s has no ']'; expected "
			    "[host] or [vm NAME]", x4_quote(line, q));
		return -1;
	}
	for (p = end + 1; *p == ' ' || *p == '\t' || *p == '\r'; p++)
		;
	if (*p && *p != ';' && *p != '#') {
		config_fail(x, x->lineno, NULL, NULL, "text after section header: %s; expected "
			    "[host] or [vm NAME] alone on the line", x4_quote(p, q));
		return -1;
	}
	*end = '\0';
	name = line + 1;
	memset(x->key_line, 0, sizeof(x->key_line));
	if (strcmp(name, "host") == 0) {
		if (x->host_line) {
			config_fail(x, x->lineno, "[host]", NULL, "duplicate section (first on line "
				    "%d); expected one [host] section", x->host_line);
			return -1;
		}
		x->host_line = x->lineno;
		x->scope = CONFIG_HOST;
		x->cur = &x->c->host;
		snprintf(x->section, sizeof(x->section), "[host]");
		return 0;
	}
	if (strncmp(name, "vm", 2) != 0 || (name[2] && name[2] != ' ' && name[2] != '\t')) {
		config_fail(x, x->lineno, NULL, NULL, "unknown section %s; expected [host] or "
			    "[vm NAME]", x4_quote(name, q));
		return -1;
	}
	for (name += 2; *name == ' ' || *name == '\t'; name++)
		;
	len = strlen(name);
	while (len && (name[len - 1] == ' ' || name[len - 1] == '\t'))
		len--;
	name[len] = '\0';
	if (config_vm_name_ok(name, len, why) < 0) {
		config_fail(x, x->lineno, NULL, NULL, "section [vm ...]: %s", why);
		return -1;
	}
	for (unsigned i = 0; i < x->c->n_vms; i++) {
		if (strcmp(x->c->vms[i].name, name) == 0) {
			snprintf(x->section, sizeof(x->section), "[vm %s]", name);
			config_fail(x, x->lineno, x->section, NULL, "duplicate section (first on "
				    "line %d); expected each [vm NAME] once", x->vm_line[i]);
			return -1;
		}
	}
	if (x->c->n_vms >= X4_MAX_VM_SECTIONS) {
		config_fail(x, x->lineno, NULL, NULL, "too many [vm NAME] sections; expected at "
			    "most %d", X4_MAX_VM_SECTIONS);
		return -1;
	}
	x->vm_line[x->c->n_vms] = x->lineno;
	memcpy(x->c->vms[x->c->n_vms].name, name, len + 1);
	x->cur = &x->c->vms[x->c->n_vms].s;
	config_settings_defaults(x->cur);
	x->c->n_vms++;
	x->scope = CONFIG_VM;
	snprintf(x->section, sizeof(x->section), "[vm %s]", name);
	return 0;
}

/* inih's fgets-style reader: one line per call from our capped buffer. Leading blanks are
 * dropped so inih never sees a continuation line, and section headers are parsed here, since
 * inih would cut names at 50 bytes and not report empty or repeated sections. */
static char *config_reader(char *str, int num, void *stream)
{
	struct config_ctx *x = stream;
	const char *start, *nl;
	size_t len;

	if (x->err_line || x->pos >= x->len)
		return NULL;
	start = x->buf + x->pos;
	nl = memchr(start, '\n', x->len - x->pos);
	len = nl ? (size_t)(nl - start) : x->len - x->pos;
	x->pos += len + (nl ? 1 : 0);
	x->lineno++;
	if (x->lineno == 1 && len >= 3 && memcmp(start, "\xef\xbb\xbf", 3) == 0) {
		start += 3; /* UTF-8 byte order mark */
		len -= 3;
	}
	if (memchr(start, '\0', len)) {
		config_fail(x, x->lineno, NULL, NULL, "NUL byte in line; expected a text file");
		return NULL;
	}
	while (len && (*start == ' ' || *start == '\t')) {
		start++;
		len--;
	}
	if (len + 1 > (size_t)num) {
		config_fail(x, x->lineno, NULL, NULL, "line too long (%zu bytes); expected at "
			    "most %d", len, num - 1);
		return NULL;
	}
	memcpy(str, start, len);
	str[len] = '\0';
	if (str[0] == '[' && config_section(x, str) < 0)
		return NULL;
	return str;
}

static int config_handler(void *user, const char *section, const char *name, const char *value)
{
	struct config_ctx *x = user;
	char q[X4_QUOTE_BUF], why[CONFIG_WHY], keys[160];
	const struct config_key *k = NULL;
	size_t i;

	(void)section; /* ours, from the reader, is not cut at 50 bytes */
	if (x->err_line)
		return 0;
	if (!x->cur) {
		config_fail(x, x->lineno, NULL, x4_quote(name, q),
			    "key outside any section; expected [host] or [vm NAME] above it");
		return 0;
	}
	for (i = 0; i < CONFIG_NKEYS; i++) {
		if (strcmp(config_keys[i].info.name, name) == 0) {
			k = &config_keys[i];
			break;
		}
	}
	if (!k) {
		config_fail(x, x->lineno, x->section, x4_quote(name, q),
			    "unknown key; expected one of %s",
			    config_key_list(x->scope, keys, sizeof(keys)));
		return 0;
	}
	if (!(k->info.scopes & (unsigned)x->scope)) {
		config_fail(x, x->lineno, x->section, k->info.name,
			    "not allowed here; expected it in %s",
			    k->info.scopes == CONFIG_HOST ? "[host]" : "a [vm NAME] section");
		return 0;
	}
	if (x->key_line[i]) {
		config_fail(x, x->lineno, x->section, k->info.name,
			    "duplicate key (first on line %d); expected each key once per section",
			    x->key_line[i]);
		return 0;
	}
	x->key_line[i] = x->lineno;
	if (k->parse(x->cur, value, why) < 0) {
		config_fail(x, x->lineno, x->section, k->info.name, "%s", why);
		return 0;
	}
	x->cur->set_mask |= 1u << i;
	return 1;
}

/* --- loading ----------------------------------------------------------------------------- */

void x4_config_defaults(struct x4_config *c)
{
	memset(c, 0, sizeof(*c));
	config_settings_defaults(&c->host);
}

static const char *config_open_hint(int err)
{
	switch (err) {
	case EACCES:
	case EPERM:
		return x4_aa_enabled() ? ": " X4_AA_HINT : ": run as root or make it readable";
	case ENOTDIR:
		return ": a parent of it is not a directory";
	case ELOOP:
		return ": too many symbolic links";
	default:
		return "";
	}
}

/* Read the whole file (a regular file of at most X4_CONFIG_MAX_BYTES) into *out. */
static int config_read(const char *path, char **out, size_t *len, struct x4_err *e)
{
	const char *sp = config_short_path(path), *dots = sp == path ? "" : "...";
	struct x4_file f;
	int rc = x4_file_load(path, X4_CONFIG_MAX_BYTES, 0, &f);

	switch (f.step) {
	case X4_FILE_DONE:
		break;
	case X4_FILE_AT_OPEN:
		if (rc == -ENOENT)
			return -ENOENT;
		return x4_fail(e, -rc, "cannot read config %s%s: %s%s", dots, sp, strerror(-rc),
			       config_open_hint(-rc));
	case X4_FILE_AT_STAT:
	case X4_FILE_AT_TYPE:
		return x4_fail(e, EINVAL, "cannot read config %s%s: not a regular file; expected "
			       "an INI file", dots, sp);
	case X4_FILE_AT_MEM:
		return x4_fail(e, ENOMEM, "cannot read config %s%s: out of memory", dots, sp);
	case X4_FILE_AT_READ:
		return x4_fail(e, -rc, "cannot read config %s%s: %s", dots, sp, strerror(-rc));
	case X4_FILE_AT_SIZE:
		return x4_fail(e, EFBIG, "config %s%s is larger than %d bytes; expected a "
			       "small INI file", dots, sp, X4_CONFIG_MAX_BYTES);
	}
	*out = f.buf;
	*len = f.len;
	return 0;
}

int x4_config_load_file(struct x4_config *c, const char *path, struct x4_err *e)
{
	struct config_ctx x;
	char *buf = NULL;
	size_t len = 0;
	int rc;

	x4_config_defaults(c);
	if (!path || !*path)
		return x4_fail(e, EINVAL, "no config path given");
	rc = config_read(path, &buf, &len, e);
	if (rc == -ENOENT)
		return 0; /* no file: defaults */
	if (rc < 0)
		return rc;
	snprintf(c->path, sizeof(c->path), "%s", path);
	c->file_present = 1;
	memset(&x, 0, sizeof(x));
	x.c = c;
	x.path = path;
	x.e = e;
	x.buf = buf;
	x.len = len;
	rc = ini_parse_stream(config_reader, &x, config_handler, &x);
	free(buf);
	if (rc > 0 && (!x.err_line || rc < x.err_line)) {
		x.err_line = 0;
		/* A line inih could not split into KEY = VALUE (our own errors come first). */
		config_fail(&x, rc, NULL, NULL, "cannot parse line; expected KEY = VALUE, [host] "
			    "or [vm NAME]");
	} else if (rc < 0 && !x.err_line) {
		config_fail(&x, 0, NULL, NULL, "inih failed (%d)", rc);
	}
	if (x.err_line) {
		x4_config_defaults(c);
		snprintf(c->path, sizeof(c->path), "%s", path);
		c->file_present = 1;
		return -EINVAL;
	}
	return 0;
}

int x4_config_load(struct x4_config *c, struct x4_err *e)
{
	char path[4096];
	int rc = x4_config_path(path, sizeof(path), e);

	if (rc < 0) {
		x4_config_defaults(c);
		return rc;
	}
	return x4_config_load_file(c, path, e);
}

const struct x4_vm_section *x4_config_vm(const struct x4_config *c, const char *name)
{
	if (!name)
		return NULL;
	for (unsigned i = 0; i < c->n_vms; i++)
		if (strcmp(c->vms[i].name, name) == 0)
			return &c->vms[i];
	return NULL;
}

void x4_config_for_vm(const struct x4_config *c, const char *name, struct x4_settings *out)
{
	const struct x4_vm_section *vm = x4_config_vm(c, name);

	*out = c->host;
	/* Keys [host] cannot have (vf) start unset for every VM. */
	for (size_t i = 0; i < CONFIG_NKEYS; i++)
		if (!(config_keys[i].info.scopes & CONFIG_HOST))
			memset((char *)out + config_keys[i].info.off, 0, config_keys[i].info.size);
	if (!vm)
		return;
	for (size_t i = 0; i < CONFIG_NKEYS; i++) {
		const struct x4_config_keyinfo *k = &config_keys[i].info;

		if (vm->s.set_mask & (1u << i))
			memcpy((char *)out + k->off, (const char *)&vm->s + k->off, k->size);
	}
	out->set_mask |= vm->s.set_mask;
}
