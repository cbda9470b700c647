/* SPDX-License-Identifier: MIT */
/* doctor, shared: adding a row, reading the host (files, command line, module parameters,
 * modprobe.d, the kernel log) under $X4_ROOT. Checks call these, never each other. */
#include <dirent.h>
#include <errno.h>
#include <pwd.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "doctor.h"
#include "fileio.h"
#include "kconf.h"
#include "paths.h"
#include "sysfs.h"
#include "vfio.h"

void doc_row(struct doc *d, enum doc_status s, const char *check, const char *fix, const char *fmt,
	     ...)
{
	char signal[1024];
	va_list ap;

	va_start(ap, fmt);
	/* NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized): a false positive, ap is started */
	vsnprintf(signal, sizeof(signal), fmt, ap);
	va_end(ap);
	report_add(&d->rep, (enum rep_state)s, check, signal, NULL, fix);
}

void doc_emit(struct doc *d, enum doc_status s, const char *id, const char *meaning,
	      const char *fix, const char *fmt, ...)
{
	char signal[1024];
	va_list ap;

	va_start(ap, fmt);
	/* NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized): a false positive, ap is started */
	vsnprintf(signal, sizeof(signal), fmt, ap);
	va_end(ap);
	report_add(&d->rep, (enum rep_state)s, id, signal, meaning, fix);
}

char *doc_read_host(const char *abs, size_t cap, size_t *len)
{
	char path[4096];
	struct x4_err e;
	struct x4_file f;

	/* Any file type (procfs, sysfs, efivarfs), links followed, the first cap bytes. */
	if (x4_host_path(abs, path, sizeof(path), &e) < 0 ||
	    x4_file_load(path, cap, X4_FILE_ANYTYPE | X4_FILE_PREFIX, &f) < 0)
		return NULL;
	if (len)
		*len = f.len;
	return f.buf;
}

int doc_exists(const char *abs)
{
	return x4_sysfs_exists(abs) == 1;
}

int doc_cmdline_has(const char *cmdline, const char *word)
{
	return x4_kconf_cmdline_has(cmdline, word);
}

int doc_cmdline_value(const char *cmdline, const char *key, char *out, size_t n)
{
	return x4_kconf_cmdline_value(cmdline, key, out, n);
}

int doc_param(const char *mod, const char *param, char *out, size_t n)
{
	char abs[160];
	struct x4_err e;
	int rc;

	snprintf(abs, sizeof(abs), "/sys/module/%s/parameters/%s", mod, param);
	rc = x4_sysfs_read(abs, out, n, &e);
	if (rc < 0)
		out[0] = '\0';
	return rc;
}

/* One modprobe.d file: the last "options MOD ... PARAM=VALUE" line. */
static int doc_modprobe_file(const char *abs, const char *mod, const char *param, char *out,
			     size_t n)
{
	size_t len = 0;
	char *text = doc_read_host(abs, 64 * 1024, &len);
	int rc;

	if (!text)
		return -ENOENT;
	rc = x4_kconf_modprobe_option(text, len, mod, param, out, n);
	free(text);
	return rc;
}

int doc_modprobe_option(const char *mod, const char *param, char *out, size_t n, char *file,
			size_t fn)
{
	char dir[4096], abs[512];
	struct dirent **names = NULL;
	int i, count, rc = -ENOENT;

	if (x4_host_path("/etc/modprobe.d", dir, sizeof(dir), NULL) < 0)
		return -ENOENT;
	count = scandir(dir, &names, NULL, alphasort);
	for (i = 0; i < count; i++) {
		const char *nm = names[i]->d_name;
		size_t l = strlen(nm);

		if (l > 5 && strcmp(nm + l - 5, ".conf") == 0 && strlen(nm) < 256 &&
		    !strchr(nm, '/')) {
			snprintf(abs, sizeof(abs), "/etc/modprobe.d/%s", nm);
			if (doc_modprobe_file(abs, mod, param, out, n) == 0) {
				snprintf(file, fn, "%s", abs); /* later files win, as modprobe reads */
				rc = 0;
			}
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

void doc_driver_of(const struct x4_pciaddr *a, char *out, size_t n)
{
	struct x4_err e;

	out[0] = '\0';
	if (x4_vfio_driver(a, out, n, &e) < 0)
		out[0] = '\0';
}

unsigned doc_log(const struct doc *d, const char *needle, char *out, size_t n)
{
	if (!d->log_ok) {
		if (n)
			out[0] = '\0';
		return 0;
	}
	return x4_kmsg_find(&d->log, needle, out, n);
}

void doc_check_kmsg(struct doc *d)
{
	if (d->log_ok)
		doc_emit(d, DOC_PASS, "kernel-log", NULL, NULL, "read %zu bytes from %s%s%s",
			 d->log.len, d->log.source, d->log.note[0] ? " (" : "",
			 d->log.note[0] ? d->log.note : "");
	else
		doc_emit(d, DOC_SKIP, "kernel-log",
			 "the rows that look for kernel log lines (module, Secure Boot, GuC, "
			 "IOMMU) could not see them",
			 d->log_errno == EACCES || d->log_errno == EPERM
			     ? "run this as root (sudo), or allow reading the log: sysctl "
			       "kernel.dmesg_restrict=0"
			     : "run this as root on the host itself (it reads /dev/kmsg), or "
			       "install rsyslog for /var/log/kern.log",
			 "%s", d->log_err);
}
