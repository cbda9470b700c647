/* SPDX-License-Identifier: MIT */
/* x4sim fs: the FUSE operations over the node tree, with sysfs's permission answers. */
#include "fs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim.h"

static void *fs_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
	(void)conn;
	/* every change must be visible at once: no kernel caching of anything */
	cfg->entry_timeout = 0;
	cfg->attr_timeout = 0;
	cfg->negative_timeout = 0;
	cfg->direct_io = 1;
	cfg->kernel_cache = 0;
	cfg->use_ino = 0;
	return NULL;
}

/* sysfs sizes: text attributes say 4096, binary ones their real size. */
static off_t fs_size(const struct sim_node *n)
{
	if (n->type == SN_LINK)
		return (off_t)n->len;
	if (n->type == SN_DIR)
		return 0;
	if (n->attr == SA_CONST && (strcmp(n->name, "config") == 0 || strcmp(n->name, "DMAR") == 0))
		return (off_t)n->len;
	return 4096;
}

static int fs_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
	struct sim_node *n;
	int err = 0;

	(void)fi;
	memset(st, 0, sizeof(*st));
	pthread_mutex_lock(&g_sim.lock);
	n = sim_node_lookup(g_sim.tree, path);
	if (!n) {
		err = -ENOENT;
	} else {
		st->st_mode = n->mode | (n->type == SN_DIR ? S_IFDIR : n->type == SN_LINK ? S_IFLNK :
											  S_IFREG);
		st->st_nlink = n->type == SN_DIR ? 2 : 1;
		st->st_size = fs_size(n);
		st->st_blksize = 4096;
		st->st_atime = st->st_mtime = st->st_ctime = g_sim.start;
	}
	pthread_mutex_unlock(&g_sim.lock);
	return err;
}

static int fs_readlink(const char *path, char *buf, size_t size)
{
	struct sim_node *n;
	int err = 0;

	if (size == 0)
		return -EINVAL;
	pthread_mutex_lock(&g_sim.lock);
	n = sim_node_lookup(g_sim.tree, path);
	if (!n)
		err = -ENOENT;
	else if (n->type != SN_LINK)
		err = -EINVAL;
	else {
		size_t len = n->len < size - 1 ? n->len : size - 1;

		memcpy(buf, n->data, len);
		buf[len] = '\0';
	}
	pthread_mutex_unlock(&g_sim.lock);
	return err;
}

static int fs_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t off,
		      struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
	struct sim_node *n, *c;
	int err = 0;

	(void)off;
	(void)fi;
	(void)flags;
	pthread_mutex_lock(&g_sim.lock);
	n = sim_node_lookup(g_sim.tree, path);
	if (!n)
		err = -ENOENT;
	else if (n->type != SN_DIR)
		err = -ENOTDIR;
	else {
		fill(buf, ".", NULL, 0, 0);
		fill(buf, "..", NULL, 0, 0);
		for (c = n->first; c; c = c->next)
			if (fill(buf, c->name, NULL, 0, 0))
				break;
	}
	pthread_mutex_unlock(&g_sim.lock);
	return err;
}

/* kernfs_fop_open(): EACCES when the attribute cannot be read or written as asked. */
static int fs_open(const char *path, struct fuse_file_info *fi)
{
	struct fuse_context *ctx = fuse_get_context();
	int acc = fi->flags & O_ACCMODE, err = 0;
	struct sim_node *n;

	pthread_mutex_lock(&g_sim.lock);
	n = sim_node_lookup(g_sim.tree, path);
	if (!n)
		err = -ENOENT;
	else if (n->type == SN_DIR)
		err = -EISDIR;
	else if (acc != O_RDONLY && (!(n->mode & 0222) || (ctx->uid != 0 && !(n->mode & 0002))))
		err = -EACCES;
	else if (acc != O_WRONLY && (!(n->mode & 0444) || (ctx->uid != 0 && !(n->mode & 0004))))
		err = -EACCES;
	pthread_mutex_unlock(&g_sim.lock);
	fi->direct_io = 1;
	fi->keep_cache = 0;
	return err;
}

/* As on sysfs: root passes DAC checks (kernfs refuses at open); others get the mode bits. */
static int fs_access(const char *path, int mask)
{
	struct fuse_context *ctx = fuse_get_context();
	struct sim_node *n;
	int err = 0;

	pthread_mutex_lock(&g_sim.lock);
	n = sim_node_lookup(g_sim.tree, path);
	if (!n)
		err = -ENOENT;
	else if ((mask & X_OK) && n->type == SN_FILE)
		err = -EACCES;
	else if (ctx->uid != 0 && (((mask & R_OK) && !(n->mode & 0004)) ||
				   ((mask & W_OK) && !(n->mode & 0002))))
		err = -EACCES;
	pthread_mutex_unlock(&g_sim.lock);
	return err;
}

static int fs_read(const char *path, char *buf, size_t size, off_t off, struct fuse_file_info *fi)
{
	struct sim_node *n;
	char *data = NULL;
	size_t len = 0;
	int err;

	(void)fi;
	pthread_mutex_lock(&g_sim.lock);
	n = sim_node_lookup(g_sim.tree, path);
	err = n ? sim_attr_read(n, &data, &len) : -ENODEV; /* a removed device's attribute */
	pthread_mutex_unlock(&g_sim.lock);
	if (err)
		return err;
	if (off < 0 || (size_t)off >= len) {
		free(data);
		return 0;
	}
	if (size > len - (size_t)off)
		size = len - (size_t)off;
	memcpy(buf, data + off, size);
	free(data);
	return (int)size;
}

static int fs_write(const char *path, const char *buf, size_t size, off_t off,
		    struct fuse_file_info *fi)
{
	struct sim_node *n;
	int ret;

	(void)off;
	(void)fi;
	pthread_mutex_lock(&g_sim.lock);
	n = sim_node_lookup(g_sim.tree, path);
	ret = n && n->type == SN_FILE ? sim_attr_write(n, path, buf, size) : -ENODEV;
	pthread_mutex_unlock(&g_sim.lock);
	return ret;
}

/* O_TRUNC on an attribute is accepted and means nothing, as on sysfs. */
static int fs_truncate(const char *path, off_t size, struct fuse_file_info *fi)
{
	struct sim_node *n;
	int err = 0;

	(void)size;
	(void)fi;
	pthread_mutex_lock(&g_sim.lock);
	n = sim_node_lookup(g_sim.tree, path);
	if (!n)
		err = -ENOENT;
	else if (n->type != SN_FILE)
		err = -EISDIR;
	pthread_mutex_unlock(&g_sim.lock);
	return err;
}

static int fs_utimens(const char *path, const struct timespec tv[2], struct fuse_file_info *fi)
{
	(void)tv;
	return fs_truncate(path, 0, fi) == -ENOENT ? -ENOENT : 0;
}

/* No create op on kernfs directories: the VFS answers EACCES; mkdir, unlink & co. EPERM. */
static int fs_create(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	(void)path;
	(void)mode;
	(void)fi;
	return -EACCES;
}

static int fs_mknod(const char *path, mode_t mode, dev_t rdev)
{
	(void)path;
	(void)mode;
	(void)rdev;
	return -EACCES;
}

static int fs_mkdir(const char *path, mode_t mode)
{
	(void)path;
	(void)mode;
	return -EPERM;
}

static int fs_unlink(const char *path)
{
	(void)path;
	return -EPERM;
}

static int fs_symlink(const char *target, const char *path)
{
	(void)target;
	(void)path;
	return -EPERM;
}

static int fs_rename(const char *from, const char *to, unsigned flags)
{
	(void)from;
	(void)to;
	(void)flags;
	return -EPERM;
}

static int fs_chmod(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	(void)path;
	(void)mode;
	(void)fi;
	return -EPERM;
}

static int fs_chown(const char *path, uid_t uid, gid_t gid, struct fuse_file_info *fi)
{
	(void)path;
	(void)uid;
	(void)gid;
	(void)fi;
	return -EPERM;
}

const struct fuse_operations sim_fs_ops = {
	.init = fs_init,
	.getattr = fs_getattr,
	.readlink = fs_readlink,
	.readdir = fs_readdir,
	.access = fs_access,
	.open = fs_open,
	.read = fs_read,
	.write = fs_write,
	.truncate = fs_truncate,
	.utimens = fs_utimens,
	.create = fs_create,
	.mknod = fs_mknod,
	.mkdir = fs_mkdir,
	.unlink = fs_unlink,
	.rmdir = fs_unlink,
	.symlink = fs_symlink,
	.link = fs_symlink,
	.rename = fs_rename,
	.chmod = fs_chmod,
	.chown = fs_chown,
};
