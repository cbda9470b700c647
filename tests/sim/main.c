/* SPDX-License-Identifier: MIT */
/* x4sim: a simulated Radxa X4 host under ROOT (FUSE sysfs + plain /proc, /dev, /etc, /run). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs.h"
#include "sim.h"

struct sim g_sim = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.cond = PTHREAD_COND_INITIALIZER,
};

static void usage(FILE *out)
{
	fputs("usage: x4sim ROOT [--state default|no-iommu|no-sriov|xe] [--fault NAME]... [-f]\n"
	      "       x4sim --stop ROOT\n"
	      "Mounts a simulated Radxa X4 sysfs on ROOT/sys (and fills ROOT/proc, dev, etc, run);\n"
	      "returns once the mount is ready. Run programs with X4_ROOT=ROOT.\n"
	      "  --state S      host state (default: default)\n"
	      "  --fault NAME   pf-busy no-vfio no-kvmfr vf-stuck bind-ebusy numvfs-enoent apparmor\n"
	      "  -f             stay in the foreground\n"
	      "Runtime control: ROOT/sys/x4sim/{fault,inuse,log}; see tests/README.md.\n",
	      out);
}

static int main_mkdirs(const char *root, const char *const *subs)
{
	char path[PATH_MAX];

	if (mkdir(root, 0755) && errno != EEXIST)
		return -errno;
	for (; *subs; subs++) {
		snprintf(path, sizeof(path), "%s/%s", root, *subs);
		if (mkdir(path, 0755) && errno != EEXIST)
			return -errno;
	}
	return 0;
}

static int main_cmdline(const char *root, enum sim_state state)
{
	static const char *const params[] = {
		"intel_iommu=on iommu=pt i915.enable_guc=3 i915.max_vfs=7 module_blacklist=xe",
		"iommu=pt i915.enable_guc=3 i915.max_vfs=7 module_blacklist=xe",
		"intel_iommu=on iommu=pt i915.enable_guc=3 i915.max_vfs=7 module_blacklist=xe",
		"intel_iommu=on iommu=pt xe.max_vfs=7 xe.force_probe=46d1 module_blacklist=i915",
	};
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/proc/cmdline", root);
	f = fopen(path, "w");
	if (!f)
		return -errno;
	fprintf(f, "BOOT_IMAGE=/boot/vmlinuz-6.1.0-x4sim root=/dev/nvme0n1p2 ro quiet %s\n",
		params[state]);
	return fclose(f) ? -errno : 0;
}

/* True when dir is already a mount point (or a dead FUSE mount). */
static int main_mounted(const char *root, const char *dir)
{
	struct stat a, b;

	if (stat(dir, &b))
		return errno == ENOTCONN;
	return stat(root, &a) == 0 && a.st_dev != b.st_dev;
}

static int main_parse_state(const char *s, enum sim_state *st)
{
	static const char *const names[] = { "default", "no-iommu", "no-sriov", "xe" };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i]) == 0) {
			*st = (enum sim_state)i;
			return 0;
		}
	return -1;
}

static int main_start(const char *root, enum sim_state state, unsigned faults, int fg)
{
	static const char *const subs[] = { "sys", "proc", "dev", "dev/vfio", "etc", "run", NULL };
	char sysdir[PATH_MAX], pidfile[PATH_MAX];

	if (main_mkdirs(root, subs) || !realpath(root, g_sim.root)) {
		fprintf(stderr, "x4sim: cannot create %s: %s\n", root, strerror(errno));
		return 1;
	}
	snprintf(sysdir, sizeof(sysdir), "%s/sys", g_sim.root);
	snprintf(pidfile, sizeof(pidfile), "%s/.x4sim.pid", g_sim.root);
	if (main_mounted(g_sim.root, sysdir)) {
		fprintf(stderr, "x4sim: %s is already mounted; run x4sim --stop %s first\n", sysdir,
			root);
		return 1;
	}
	if (main_cmdline(g_sim.root, state)) {
		fprintf(stderr, "x4sim: cannot write %s/proc/cmdline: %s\n", root, strerror(errno));
		return 1;
	}
	g_sim.start = time(NULL);
	sim_host_init(state, faults);
	sim_vfio_sync();
	sim_kvmfr_sync();
	sim_rebuild();
	return sim_daemon_run(sysdir, pidfile, fg);
}

int main(int argc, char **argv)
{
	enum sim_state state = SIM_DEFAULT;
	const char *root = NULL;
	unsigned faults = 0, bit;
	int i, fg = 0;

	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		usage(stdout);
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "--stop") == 0) {
		char sysdir[PATH_MAX], pidfile[PATH_MAX];

		snprintf(sysdir, sizeof(sysdir), "%s/sys", argv[2]);
		snprintf(pidfile, sizeof(pidfile), "%s/.x4sim.pid", argv[2]);
		return sim_daemon_stop(sysdir, pidfile);
	}
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--state") == 0 && i + 1 < argc) {
			if (main_parse_state(argv[++i], &state)) {
				fprintf(stderr, "x4sim: unknown state '%s'\n", argv[i]);
				return 2;
			}
		} else if (strcmp(argv[i], "--fault") == 0 && i + 1 < argc) {
			if (sim_fault_parse(argv[++i], &bit)) {
				fprintf(stderr, "x4sim: unknown fault '%s'\n", argv[i]);
				return 2;
			}
			faults |= bit;
		} else if (strcmp(argv[i], "-f") == 0 || strcmp(argv[i], "--foreground") == 0) {
			fg = 1;
		} else if (argv[i][0] != '-' && !root) {
			root = argv[i];
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (!root) {
		usage(stderr);
		return 2;
	}
	return main_start(root, state, faults, fg);
}
