/* SPDX-License-Identifier: MIT */
/* x4sim tree: directories, attribute files and relative symlinks of the fake sysfs. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

static void *tree_xcalloc(size_t n)
{
	void *p = calloc(1, n);

	if (!p)
		abort(); /* a test daemon: out of memory is fatal */
	return p;
}

static char *tree_xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p)
		abort();
	return p;
}

static struct sim_node *tree_add(struct sim_node *parent, const char *name, enum sim_node_type t)
{
	struct sim_node *n = tree_xcalloc(sizeof(*n));

	n->name = tree_xstrdup(name);
	n->type = t;
	n->dev = n->drv = -1;
	n->parent = parent;
	if (parent) {
		if (parent->last)
			parent->last->next = n;
		else
			parent->first = n;
		parent->last = n;
	}
	return n;
}

struct sim_node *sim_node_dir(struct sim_node *parent, const char *name)
{
	struct sim_node *n = parent ? sim_node_child(parent, name) : NULL;

	if (n)
		return n;
	n = tree_add(parent, name, SN_DIR);
	n->mode = 0755;
	return n;
}

struct sim_node *sim_node_file(struct sim_node *parent, const char *name, mode_t mode,
			       enum sim_attr attr, const void *data, size_t len)
{
	struct sim_node *n = tree_add(parent, name, SN_FILE);

	n->mode = mode;
	n->attr = attr;
	if (data) {
		n->data = tree_xcalloc(len + 1);
		memcpy(n->data, data, len);
		n->len = len;
	}
	return n;
}

struct sim_node *sim_node_text(struct sim_node *parent, const char *name, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (len < 0 || (size_t)len >= sizeof(buf) - 1)
		abort();
	buf[len++] = '\n';
	return sim_node_file(parent, name, 0444, SA_CONST, buf, (size_t)len);
}

static int tree_depth(const struct sim_node *n)
{
	int d = 0;

	for (; n && n->parent; n = n->parent)
		d++;
	return d;
}

struct sim_node *sim_node_rawlink(struct sim_node *parent, const char *name, const char *fmt, ...)
{
	char target[512];
	va_list ap;
	int len;
	struct sim_node *n;

	va_start(ap, fmt);
	len = vsnprintf(target, sizeof(target), fmt, ap);
	va_end(ap);
	if (len < 0 || (size_t)len >= sizeof(target))
		abort();
	n = tree_add(parent, name, SN_LINK);
	n->mode = 0777;
	n->data = tree_xstrdup(target);
	n->len = (size_t)len;
	return n;
}

struct sim_node *sim_node_link(struct sim_node *parent, const char *name, const char *fmt, ...)
{
	char target[512], rel[1024];
	size_t off = 0;
	va_list ap;
	int len, d;
	struct sim_node *n;

	va_start(ap, fmt);
	len = vsnprintf(target, sizeof(target), fmt, ap);
	va_end(ap);
	if (len < 0 || (size_t)len >= sizeof(target))
		abort();
	for (d = tree_depth(parent); d > 0; d--) {
		memcpy(rel + off, "../", 3);
		off += 3;
	}
	if (off + (size_t)len + 1 > sizeof(rel))
		abort();
	memcpy(rel + off, target, (size_t)len + 1);
	n = tree_add(parent, name, SN_LINK);
	n->mode = 0777;
	n->data = tree_xstrdup(rel);
	n->len = strlen(rel);
	return n;
}

struct sim_node *sim_node_child(const struct sim_node *dir, const char *name)
{
	struct sim_node *c;

	for (c = dir->first; c; c = c->next)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

/* Walk a FUSE path ("/", "/bus/pci/devices/ADDR"); symlinks are not followed (the kernel does). */
struct sim_node *sim_node_lookup(struct sim_node *root, const char *path)
{
	struct sim_node *n = root;
	char comp[256];

	while (n && *path) {
		const char *end;
		size_t len;

		while (*path == '/')
			path++;
		if (!*path)
			break;
		end = strchr(path, '/');
		len = end ? (size_t)(end - path) : strlen(path);
		if (len >= sizeof(comp) || n->type != SN_DIR)
			return NULL;
		memcpy(comp, path, len);
		comp[len] = '\0';
		n = sim_node_child(n, comp);
		path += len;
	}
	return n;
}

/* "/sys/..." as the host sees it, for the log. */
void sim_node_path(const struct sim_node *node, char *out, size_t n)
{
	const struct sim_node *chain[64];
	int k = 0;
	size_t off;

	for (; node && node->parent && k < 64; node = node->parent)
		chain[k++] = node;
	off = (size_t)snprintf(out, n, "/sys");
	while (k > 0 && off < n)
		off += (size_t)snprintf(out + off, n - off, "/%s", chain[--k]->name);
}

void sim_node_free(struct sim_node *node)
{
	struct sim_node *c, *next;

	if (!node)
		return;
	for (c = node->first; c; c = next) {
		next = c->next;
		sim_node_free(c);
	}
	free(node->name);
	free(node->data);
	free(node);
}
