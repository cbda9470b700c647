/* SPDX-License-Identifier: MIT */
/* fakesys: header-only builders of plain fake sysfs trees (dirs, files, relative links) for tests. */
#ifndef X4_TEST_FAKESYS_H
#define X4_TEST_FAKESYS_H

/* Include after <cmocka.h>: failures to build the tree fail the test. */
#include <errno.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pciaddr.h"

/* The tree lives in one temp dir; $X4_ROOT points at it while a test runs. Devices sit flat
 * under sys/devices/pciDDDD:BB/ADDR and are linked from sys/bus/pci/devices/ as the kernel does. */
struct fakesys {
	char root[256];
};

static inline void fs_mkdirs(const char *path)
{
	char buf[1024];

	assert_true(strlen(path) < sizeof(buf));
	strcpy(buf, path);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) != 0)
			assert_int_equal(errno, EEXIST);
		*p = '/';
	}
	if (mkdir(buf, 0755) != 0)
		assert_int_equal(errno, EEXIST);
}

/* Absolute path of root-relative rel. */
static inline void fs_path(const struct fakesys *f, char *out, size_t n, const char *rel)
{
	int len = snprintf(out, n, "%s/%s", f->root, rel);

	assert_true(len > 0 && (size_t)len < n);
}

static inline void fs_dirname_make(const char *path)
{
	char buf[1024];
	char *slash;

	assert_true(strlen(path) < sizeof(buf));
	strcpy(buf, path);
	slash = strrchr(buf, '/');
	assert_non_null(slash);
	*slash = '\0';
	fs_mkdirs(buf);
}

/* Write raw bytes (len) to root-relative rel, creating parents. */
static inline void fs_write_raw(const struct fakesys *f, const char *rel, const void *data,
				size_t len)
{
	char p[1024];
	FILE *fp;

	fs_path(f, p, sizeof(p), rel);
	fs_dirname_make(p);
	fp = fopen(p, "w");
	assert_non_null(fp);
	if (len)
		assert_int_equal(fwrite(data, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
}

/* Write a file whose relative path is printf-formatted; content is the last argument. */
static inline void fs_file(const struct fakesys *f, const char *content, const char *relfmt, ...)
	__attribute__((format(printf, 3, 4)));
static inline void fs_file(const struct fakesys *f, const char *content, const char *relfmt, ...)
{
	char rel[512];
	va_list ap;

	va_start(ap, relfmt);
	vsnprintf(rel, sizeof(rel), relfmt, ap);
	va_end(ap);
	fs_write_raw(f, rel, content, strlen(content));
}

static inline void fs_link(const struct fakesys *f, const char *target, const char *relfmt, ...)
	__attribute__((format(printf, 3, 4)));
static inline void fs_link(const struct fakesys *f, const char *target, const char *relfmt, ...)
{
	char rel[512], p[1024];
	va_list ap;

	va_start(ap, relfmt);
	vsnprintf(rel, sizeof(rel), relfmt, ap);
	va_end(ap);
	fs_path(f, p, sizeof(p), rel);
	fs_dirname_make(p);
	unlink(p);
	assert_int_equal(symlink(target, p), 0);
}

static inline void fs_unlink(const struct fakesys *f, const char *rel)
{
	char p[1024];

	fs_path(f, p, sizeof(p), rel);
	assert_int_equal(unlink(p), 0);
}

static inline void fs_init(struct fakesys *f)
{
	char p[1024];

	strcpy(f->root, "/tmp/x4-fakesys-XXXXXX");
	assert_non_null(mkdtemp(f->root));
	fs_path(f, p, sizeof(p), "sys/bus/pci/devices");
	fs_mkdirs(p);
	fs_path(f, p, sizeof(p), "sys/bus/pci/drivers");
	fs_mkdirs(p);
	fs_file(f, "", "sys/bus/pci/drivers_probe");
	setenv("X4_ROOT", f->root, 1);
}

static inline int fs_rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static inline void fs_fini(struct fakesys *f)
{
	unsetenv("X4_ROOT");
	if (f->root[0])
		nftw(f->root, fs_rm_one, 16, FTW_DEPTH | FTW_PHYS);
	f->root[0] = '\0';
}

/* Root-relative directory of device addr ("0000:00:02.0"). */
static inline void fs_devdir(char *out, size_t n, const char *addr)
{
	int len = snprintf(out, n, "sys/devices/pci%.7s/%s", addr, addr);

	assert_true(len > 0 && (size_t)len < n);
}

/* A PCI function: vendor, device, class files, 64 bytes of config space, bus link. */
static inline void fs_dev(const struct fakesys *f, const char *addr, unsigned vendor,
			  unsigned device, unsigned cls)
{
	char d[256], v[32];
	uint8_t cfg[64] = { 0 };

	fs_devdir(d, sizeof(d), addr);
	snprintf(v, sizeof(v), "0x%04x\n", vendor);
	fs_file(f, v, "%s/vendor", d);
	snprintf(v, sizeof(v), "0x%04x\n", device);
	fs_file(f, v, "%s/device", d);
	snprintf(v, sizeof(v), "0x%06x\n", cls);
	fs_file(f, v, "%s/class", d);
	fs_file(f, "", "%s/driver_override", d);
	cfg[0] = vendor & 0xff;
	cfg[1] = vendor >> 8;
	cfg[2] = device & 0xff;
	cfg[3] = device >> 8;
	cfg[9] = cls & 0xff;
	cfg[10] = (cls >> 8) & 0xff;
	cfg[11] = (cls >> 16) & 0xff;
	{
		char rel[300];

		snprintf(rel, sizeof(rel), "%s/config", d);
		fs_write_raw(f, rel, cfg, sizeof(cfg));
	}
	snprintf(v, sizeof(v), "pci%.7s", addr);
	{
		char target[256];

		snprintf(target, sizeof(target), "../../../devices/%s/%s", v, addr);
		fs_link(f, target, "sys/bus/pci/devices/%s", addr);
	}
}

/* Set attribute attr of device addr to content (no newline added). */
static inline void fs_attr(const struct fakesys *f, const char *addr, const char *attr,
			   const char *content)
{
	char d[256];

	fs_devdir(d, sizeof(d), addr);
	fs_file(f, content, "%s/%s", d, attr);
}

/* Bind addr to driver drv (the driver dir with bind/unbind files, the device's driver link). */
static inline void fs_driver(const struct fakesys *f, const char *addr, const char *drv)
{
	char d[256], t[256];

	fs_file(f, "", "sys/bus/pci/drivers/%s/bind", drv);
	fs_file(f, "", "sys/bus/pci/drivers/%s/unbind", drv);
	fs_file(f, "", "sys/bus/pci/drivers/%s/new_id", drv);
	fs_devdir(d, sizeof(d), addr);
	snprintf(t, sizeof(t), "../../../bus/pci/drivers/%s", drv);
	fs_link(f, t, "%s/driver", d);
}

/* SR-IOV capability on a PF: totalvfs, numvfs, autoprobe, offset, stride (offset 0 = omit). */
static inline void fs_sriov(const struct fakesys *f, const char *pf, const char *total,
			    const char *num, unsigned offset, unsigned stride)
{
	char v[32];

	fs_attr(f, pf, "sriov_totalvfs", total);
	fs_attr(f, pf, "sriov_numvfs", num);
	fs_attr(f, pf, "sriov_drivers_autoprobe", "1\n");
	if (offset) {
		snprintf(v, sizeof(v), "%u\n", offset);
		fs_attr(f, pf, "sriov_offset", v);
		snprintf(v, sizeof(v), "%u\n", stride);
		fs_attr(f, pf, "sriov_stride", v);
	}
}

/* VF vf of PF pf as virtfn<n> (0-based, as the kernel counts): both links, same ids as the PF. */
static inline void fs_vf(const struct fakesys *f, const char *pf, unsigned n, const char *vf,
			 unsigned vendor, unsigned device, unsigned cls)
{
	char d[256], t[64];

	fs_dev(f, vf, vendor, device, cls);
	fs_devdir(d, sizeof(d), pf);
	snprintf(t, sizeof(t), "../%s", vf);
	fs_link(f, t, "%s/virtfn%u", d, n);
	fs_devdir(d, sizeof(d), vf);
	snprintf(t, sizeof(t), "../%s", pf);
	fs_link(f, t, "%s/physfn", d);
}

/* Put addr into IOMMU group g (both directions) and create /dev/vfio/<g> when devnode. */
static inline void fs_group(const struct fakesys *f, const char *addr, unsigned g, int devnode)
{
	char d[256], t[256];

	fs_devdir(d, sizeof(d), addr);
	snprintf(t, sizeof(t), "../../../kernel/iommu_groups/%u", g);
	fs_link(f, t, "%s/iommu_group", d);
	snprintf(t, sizeof(t), "../../../../devices/pci%.7s/%s", addr, addr);
	fs_link(f, t, "sys/kernel/iommu_groups/%u/devices/%s", g, addr);
	if (devnode)
		fs_file(f, "", "dev/vfio/%u", g);
}

/* Read root-relative file into buf (for asserting what the library wrote). */
static inline void fs_read(const struct fakesys *f, const char *rel, char *buf, size_t n)
{
	char p[1024];
	FILE *fp;
	size_t got;

	fs_path(f, p, sizeof(p), rel);
	fp = fopen(p, "r");
	assert_non_null(fp);
	got = fread(buf, 1, n - 1, fp);
	buf[got] = '\0';
	fclose(fp);
}

/* The N100 host as it looks with i915-sriov-dkms: PF 00:02.0 (boot VGA, i915), SR-IOV with
 * offset 1, stride 1, total 7, no VFs yet; a host bridge; an NVMe on 01:00.0; IOMMU groups. */
static inline void fs_n100(struct fakesys *f)
{
	fs_init(f);
	fs_dev(f, "0000:00:00.0", 0x8086, 0x461c, 0x060000);
	fs_dev(f, "0000:00:02.0", 0x8086, 0x46d1, 0x030000);
	fs_attr(f, "0000:00:02.0", "boot_vga", "1\n");
	fs_driver(f, "0000:00:02.0", "i915");
	fs_sriov(f, "0000:00:02.0", "7\n", "0\n", 1, 1);
	fs_dev(f, "0000:01:00.0", 0x144d, 0xa808, 0x010802);
	fs_driver(f, "0000:01:00.0", "nvme");
	fs_group(f, "0000:00:00.0", 0, 0);
	fs_group(f, "0000:00:02.0", 1, 0);
	fs_group(f, "0000:01:00.0", 9, 0);
	fs_file(f, "", "sys/bus/pci/drivers/vfio-pci/bind");
	fs_file(f, "", "sys/bus/pci/drivers/vfio-pci/unbind");
}

/* Add VFs 00:02.1..00:02.n of the N100 PF (numvfs = n), each in its own group 10+i. */
static inline void fs_n100_vfs(struct fakesys *f, unsigned n)
{
	char a[16], v[16];

	for (unsigned i = 0; i < n; i++) {
		snprintf(a, sizeof(a), "0000:00:02.%u", i + 1);
		fs_vf(f, "0000:00:02.0", i, a, 0x8086, 0x46d1, 0x030000);
		fs_group(f, a, 10 + i, 0);
	}
	snprintf(v, sizeof(v), "%u\n", n);
	fs_attr(f, "0000:00:02.0", "sriov_numvfs", v);
}

/* The simulated X4 (build/bin/x4sim, a FUSE sysfs that answers like the kernel), for write paths.
 * Found as $X4SIM, else ../bin/x4sim next to the test binary's directory (build/tests ->
 * build/bin, build/asan/tests -> build/asan/bin). */
static inline int fs_sim_binary(char *out, size_t n)
{
	const char *env = getenv("X4SIM");
	char exe[901];
	ssize_t len;
	char *slash;

	if (env && *env) {
		snprintf(out, n, "%s", env);
		return access(out, X_OK) == 0;
	}
	len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (len <= 0)
		return 0;
	exe[len] = '\0';
	slash = strrchr(exe, '/');
	if (!slash)
		return 0;
	*slash = '\0';
	if ((size_t)snprintf(out, n, "%.900s/../bin/x4sim", exe) >= n)
		return 0;
	return access(out, X_OK) == 0;
}

/* Run the simulator with args (NULL-terminated, after the binary); returns its exit status. */
static inline int fs_sim_run(const char *bin, const char *const *args)
{
	const char *argv[16];
	size_t i = 0;
	int status = 0;
	pid_t pid;

	argv[i++] = bin;
	while (*args && i < 15)
		argv[i++] = *args++;
	argv[i] = NULL;
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		execv(bin, (char *const *)argv);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

/* Start x4sim on a fresh root with state and up to two faults (NULL = none); $X4_ROOT set.
 * Skips the test (with a message) only when the binary is missing. */
static inline void fs_sim_start(struct fakesys *f, const char *state, const char *fault1,
				const char *fault2)
{
	char bin[1024];
	const char *args[10];
	size_t i = 0;

	if (!fs_sim_binary(bin, sizeof(bin))) {
		print_message("x4sim not found (neither $X4SIM nor ../bin/x4sim beside this test): "
			      "skipping the simulator write-path test; run make all\n");
		f->root[0] = '\0';
		skip();
	}
	strcpy(f->root, "/tmp/x4-sim-XXXXXX");
	assert_non_null(mkdtemp(f->root));
	args[i++] = f->root;
	args[i++] = "--state";
	args[i++] = state;
	if (fault1) {
		args[i++] = "--fault";
		args[i++] = fault1;
	}
	if (fault2) {
		args[i++] = "--fault";
		args[i++] = fault2;
	}
	args[i] = NULL;
	assert_int_equal(fs_sim_run(bin, args), 0);
	setenv("X4_ROOT", f->root, 1);
}

static inline void fs_sim_stop(struct fakesys *f)
{
	char bin[1024];
	const char *args[] = { "--stop", f->root, NULL };

	unsetenv("X4_ROOT");
	if (!f->root[0] || !fs_sim_binary(bin, sizeof(bin)))
		return;
	fs_sim_run(bin, args);
	nftw(f->root, fs_rm_one, 16, FTW_DEPTH | FTW_PHYS);
	f->root[0] = '\0';
}

/* Write a control token ("+0000:00:02.2") to ROOT/sys/x4sim/<file> (inuse, fault). */
static inline void fs_sim_ctl(const struct fakesys *f, const char *file, const char *tok)
{
	char p[1024];
	FILE *fp;

	snprintf(p, sizeof(p), "%s/sys/x4sim/%s", f->root, file);
	fp = fopen(p, "w");
	assert_non_null(fp);
	fputs(tok, fp);
	assert_int_equal(fclose(fp), 0);
}

/* The simulator's log of every write the fake kernel got ("PATH VALUE -> result"). */
static inline void fs_sim_log(const struct fakesys *f, char *buf, size_t n)
{
	fs_read(f, "sys/x4sim/log", buf, n);
}

/* A PCI address a test spells out; a typo fails the test. */
static inline struct x4_pciaddr fs_addr(const char *s)
{
	struct x4_pciaddr a;

	assert_int_equal(x4_pciaddr_parse(s, &a, NULL), 0);
	return a;
}

/* cmocka fixtures: a plain N100 tree (fs_n100), or an empty slot for fs_sim_start. */
static inline int fs_n100_setup(void **state)
{
	static struct fakesys f;

	fs_n100(&f);
	*state = &f;
	return 0;
}

static inline int fs_teardown(void **state)
{
	fs_fini(*state);
	return 0;
}

static inline int fs_sim_setup(void **state)
{
	static struct fakesys f;

	memset(&f, 0, sizeof(f));
	*state = &f;
	return 0;
}

static inline int fs_sim_teardown(void **state)
{
	fs_sim_stop(*state);
	return 0;
}

#endif
