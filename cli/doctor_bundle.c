/* SPDX-License-Identifier: MIT */
/* doctor --report FILE: one text file a board owner can attach to a bug report: the rows, the
 * kernel, the GPU modules, the relevant kernel log lines, our config and state; user names, host
 * names and UUIDs replaced by <user>, <host>, <uuid>. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "doctor.h"
#include "paths.h"
#include "state.h"

#define BUNDLE_LOG_LINES 400 /* the newest relevant kernel log lines kept */
#define BUNDLE_WORDS 64	     /* names to redact */

struct bundle_words {
	char *w[BUNDLE_WORDS];
	const char *as[BUNDLE_WORDS];
	unsigned n;
};

static void bundle_word(struct bundle_words *bw, const char *w, const char *as)
{
	unsigned i;

	if (!w || strlen(w) < 3 || strlen(w) > 64 || bw->n == BUNDLE_WORDS ||
	    strcmp(w, "root") == 0 || strcmp(w, "localhost") == 0)
		return;
	for (i = 0; i < bw->n; i++)
		if (strcmp(bw->w[i], w) == 0)
			return;
	bw->w[bw->n] = strdup(w);
	if (bw->w[bw->n])
		bw->as[bw->n++] = as;
}

/* Login users (uid 1000..65533) of a passwd text. */
static void bundle_passwd_text(struct bundle_words *bw, char *text)
{
	char *line, *save = NULL;

	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		unsigned long uid;

		if (!c2)
			continue;
		*c1 = '\0';
		uid = strtoul(c2 + 1, NULL, 10);
		if (uid >= 1000 && uid < 65534)
			bundle_word(bw, line, "<user>");
	}
}

/* Every name that must not leave the machine. */
static void bundle_names(struct bundle_words *bw)
{
	static const char *const env[] = {"SUDO_USER", "USER", "LOGNAME"};
	char host[256] = "", *t;
	struct passwd *pw;
	size_t i;

	if (gethostname(host, sizeof(host) - 1) == 0) {
		bundle_word(bw, host, "<host>");
		host[strcspn(host, ".")] = '\0';
		bundle_word(bw, host, "<host>");
	}
	t = doc_read_host("/etc/hostname", 255, NULL);
	if (t) {
		t[strcspn(t, "\n")] = '\0';
		bundle_word(bw, t, "<host>");
		free(t);
	}
	for (i = 0; i < sizeof(env) / sizeof(env[0]); i++)
		bundle_word(bw, getenv(env[i]), "<user>");
	setpwent();
	while ((pw = getpwent()) != NULL)
		if (pw->pw_uid >= 1000 && pw->pw_uid < 65534)
			bundle_word(bw, pw->pw_name, "<user>");
	endpwent();
	t = doc_read_host("/etc/passwd", 1u << 20, NULL); /* the host root's, under $X4_ROOT */
	if (t) {
		bundle_passwd_text(bw, t);
		free(t);
	}
}

static int bundle_wordch(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '-';
}

/* 8-4-4-4-12 hex digits at p (end bounded). */
static int bundle_uuid_at(const char *p, const char *end)
{
	static const char shape[] = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";
	size_t i;

	if (end - p < 36)
		return 0;
	for (i = 0; i < 36; i++)
		if (shape[i] == '-' ? p[i] != '-' : !isxdigit((unsigned char)p[i]))
			return 0;
	return p + 36 == end || !isalnum((unsigned char)p[36]);
}

/* Copy in to f with names, /home/NAME and UUIDs replaced. */
static void bundle_redact(FILE *f, const char *in, size_t len, const struct bundle_words *bw)
{
	const char *p = in, *end = in + len;

	while (p < end) {
		int boundary = p == in || !bundle_wordch(p[-1]);
		unsigned i;

		/* "libvirt-<uuid>": a dash before a UUID still starts it */
		if ((p == in || !isalnum((unsigned char)p[-1])) && bundle_uuid_at(p, end)) {
			fputs("<uuid>", f);
			p += 36;
			continue;
		}
		if ((size_t)(end - p) > 6 && memcmp(p, "/home/", 6) == 0 && p[6] != '/' &&
		    p[6] != '<') {
			fputs("/home/<user>", f);
			p += 6;
			while (p < end && *p != '/' && *p != '\n' && *p != ' ' && *p != '\'' &&
			       *p != '"')
				p++;
			continue;
		}
		for (i = 0; boundary && i < bw->n; i++) {
			size_t n = strlen(bw->w[i]);

			if ((size_t)(end - p) >= n && memcmp(p, bw->w[i], n) == 0 &&
			    (p + n == end || !bundle_wordch(p[n])))
				break;
		}
		if (boundary && i < bw->n) {
			fputs(bw->as[i], f);
			p += strlen(bw->w[i]);
			continue;
		}
		fputc(*p++, f);
	}
}

static int bundle_relevant(const char *line, size_t n)
{
	static const char *const keys[] = {
	    "i915",	"xe ",	     "xe:",	  "GuC",	 "HuC",	       "DMC",
	    "DMAR",	"IOMMU",     "iommu",	  "SR-IOV",	 "VF",	       "vfio",
	    "kvmfr",	"Lockdown",  "Secure boot", "secureboot", "module verification",
	    "apparmor", "Linux version", "Command line", "Key was rejected", "drm",
	};
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (memmem(line, n, keys[i], strlen(keys[i])))
			return 1;
	return 0;
}

static void bundle_log(FILE *f, const struct doc *d)
{
	const char *pos = NULL, *line;
	unsigned total = 0, k = 0;
	size_t n;

	if (!d->log_ok) {
		fprintf(f, "(not read: %s)\n", d->log_err);
		return;
	}
	fprintf(f, "source: %s\n", d->log.source);
	while ((line = x4_kmsg_next(&d->log, &pos, NULL, &n)) != NULL)
		total += bundle_relevant(line, n);
	pos = NULL;
	while ((line = x4_kmsg_next(&d->log, &pos, NULL, &n)) != NULL)
		if (bundle_relevant(line, n) && k++ + BUNDLE_LOG_LINES >= total)
			fprintf(f, "%.*s\n", (int)n, line);
}

static void bundle_file(FILE *f, const char *title, const char *abs, int host_path)
{
	char *text = NULL;
	size_t len = 0;
	struct x4_err e;

	fprintf(f, "\n== %s (%s)\n", title, abs);
	if (host_path)
		text = doc_read_host(abs, 256 * 1024, &len);
	else if (x4ctl_read_file(abs, 256 * 1024, &text, &len, &e) < 0)
		text = NULL;
	if (!text) {
		fputs("(not readable)\n", f);
		return;
	}
	fwrite(text, 1, len, f);
	if (len && text[len - 1] != '\n')
		fputc('\n', f);
	free(text);
}

static void bundle_modules(FILE *f, const struct doc *d)
{
	static const char *const params[][2] = {
	    {"i915", "max_vfs"}, {"i915", "enable_guc"}, {"xe", "max_vfs"}, {"xe", "force_probe"}};
	struct doc_mod m;
	char v[64];
	size_t i;

	doc_module_facts(d, &m);
	fprintf(f, "iGPU driver: %s\n", m.bound[0] ? m.bound : "none");
	fprintf(f, "i915: %s, taint '%s', max_vfs parameter %s\n", m.i915 ? "loaded" : "not loaded",
		m.taint, m.i915_max_vfs ? "present" : "absent");
	fprintf(f, "xe: %s, max_vfs parameter %s\n", m.xe ? "loaded" : "not loaded",
		m.xe_max_vfs ? "present" : "absent");
	for (i = 0; i < sizeof(params) / sizeof(params[0]); i++) {
		int rc = doc_param(params[i][0], params[i][1], v, sizeof(v));

		if (rc != -ENOENT)
			fprintf(f, "%s.%s: %s\n", params[i][0], params[i][1],
				rc == 0 ? v : "(not readable: needs root)");
	}
	fprintf(f, "i915-sriov-dkms: %s%s%s%s; built for this kernel: %s\n",
		m.ver[0] ? m.ver : "not installed", m.exclusive[0] ? ", BUILD_EXCLUSIVE_KERNEL=" : "",
		m.exclusive, m.in_range == 0 ? " (no match)" : m.in_range == 1 ? " (matches)" : "",
		m.ko[0] ? m.ko : "no");
	fprintf(f, "i915-sriov-dkms banner in the log: %s\n", m.banner ? "yes" : "no");
}

int doc_write_bundle(const struct doc *d, const char *path, struct x4_err *e)
{
	struct bundle_words bw = {0};
	char *raw = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&raw, &len), *out;
	unsigned i;
	int fd, rc = 0;

	if (!mem)
		return x4_fail(e, ENOMEM, "doctor --report: out of memory");
	fprintf(mem, "x4-sriov doctor report (x4ctl %s); user names, host names and UUIDs are "
		     "replaced by <user>, <host>, <uuid>\n",
		X4CTL_VERSION);
	fprintf(mem, "\n== kernel\nrelease: %s\ncommand line: %s\n", d->kver, d->cmdline);
	fputs("\n== modules\n", mem);
	bundle_modules(mem, d);
	fputs("\n== rows\n", mem);
	report_print_text(&d->rep, mem);
	fputs("\n== kernel log (relevant lines, newest last)\n", mem);
	bundle_log(mem, d);
	bundle_file(mem, "config", d->config_path, 0);
	bundle_file(mem, "state", X4_STATE_FILE, 1);
	if (fclose(mem) != 0) {
		free(raw);
		return x4_fail(e, ENOMEM, "doctor --report: out of memory");
	}
	bundle_names(&bw);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	out = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!out) {
		rc = x4_fail(e, errno, "doctor --report: cannot write %s: %s: give a writable path",
			     path, strerror(errno));
		if (fd >= 0)
			close(fd);
	} else {
		bundle_redact(out, raw, len, &bw);
		if (fclose(out) != 0)
			rc = x4_fail(e, errno, "doctor --report: cannot write %s: %s", path,
				     strerror(errno));
	}
	for (i = 0; i < bw.n; i++)
		free(bw.w[i]);
	free(raw);
	return rc;
}
