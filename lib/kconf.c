/* SPDX-License-Identifier: MIT */
/* kconf: parse the kernel command line, modprobe.d options and shell-style KEY=VALUE text. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "kconf.h"

#define KCONF_LINE_MAX 4096 /* longer lines are skipped */

static void kconf_copy(const char *v, size_t len, char *out, size_t n)
{
	if (!n)
		return;
	if (len > n - 1)
		len = n - 1;
	if (len > X4_KCONF_VALUE_MAX - 1)
		len = X4_KCONF_VALUE_MAX - 1;
	memcpy(out, v, len);
	out[len] = '\0';
}

int x4_kconf_cmdline_has(const char *cmdline, const char *word)
{
	size_t n = strlen(word);
	const char *p = cmdline;

	if (!n)
		return 0;
	while ((p = strstr(p, word)) != NULL) {
		if ((p == cmdline || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' ' || p[n] == '\n'))
			return 1;
		p += n;
	}
	return 0;
}

int x4_kconf_cmdline_value(const char *cmdline, const char *key, char *out, size_t n)
{
	size_t k = strlen(key);
	const char *p = cmdline, *found = NULL;

	if (!k)
		return -ENOENT;
	while ((p = strstr(p, key)) != NULL) {
		if (p == cmdline || p[-1] == ' ')
			found = p + k; /* the last one wins, as in the kernel */
		p += k;
	}
	if (!found)
		return -ENOENT;
	kconf_copy(found, strcspn(found, " \n"), out, n);
	return 0;
}

/* The next line of text[*off..len) into buf (NUL-terminated); 0 at the end, -1 for a line too
 * long (skipped), 1 otherwise. */
static int kconf_line(const char *text, size_t len, size_t *off, char buf[KCONF_LINE_MAX])
{
	const char *p, *nl;
	size_t l;

	if (*off >= len)
		return 0;
	p = text + *off;
	nl = memchr(p, '\n', len - *off);
	l = nl ? (size_t)(nl - p) : len - *off;
	*off += l + (nl ? 1 : 0);
	if (l >= KCONF_LINE_MAX)
		return -1;
	memcpy(buf, p, l);
	buf[l] = '\0';
	return 1;
}

int x4_kconf_modprobe_option(const char *text, size_t len, const char *mod, const char *param,
			     char *out, size_t n)
{
	char buf[KCONF_LINE_MAX];
	size_t off = 0, plen = strlen(param);
	int r, found = -ENOENT;

	while ((r = kconf_line(text, len, &off, buf)) != 0) {
		char *tok, *save = NULL;

		if (r < 0)
			continue;
		tok = strtok_r(buf, " \t\r", &save);
		if (!tok || strcmp(tok, "options") != 0)
			continue;
		tok = strtok_r(NULL, " \t\r", &save);
		if (!tok || strcmp(tok, mod) != 0)
			continue;
		while ((tok = strtok_r(NULL, " \t\r", &save)) != NULL)
			if (plen && strncmp(tok, param, plen) == 0 && tok[plen] == '=') {
				kconf_copy(tok + plen + 1, strlen(tok + plen + 1), out, n);
				found = 0;
			}
	}
	return found;
}

int x4_kconf_shell_value(const char *text, size_t len, const char *key, char *out, size_t n)
{
	char buf[KCONF_LINE_MAX];
	size_t off = 0, klen = strlen(key);
	int r, found = -ENOENT;

	while ((r = kconf_line(text, len, &off, buf)) != 0) {
		char *p = buf, *end;

		if (r < 0)
			continue;
		p += strspn(p, " \t");
		if (!klen || strncmp(p, key, klen) != 0 || p[klen] != '=')
			continue;
		p += klen + 1;
		if (*p == '"' || *p == '\'') {
			end = strchr(p + 1, *p);
			p++;
			if (!end)
				end = p + strlen(p);
		} else {
			end = p + strcspn(p, " \t#\r");
		}
		kconf_copy(p, (size_t)(end - p), out, n);
		found = 0;
	}
	return found;
}
