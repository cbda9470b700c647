/* SPDX-License-Identifier: MIT */
/* x4sim: the model of a simulated Radxa X4 (devices, drivers, groups) and the sysfs tree built from it. */
#ifndef X4SIM_SIM_H
#define X4SIM_SIM_H

#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#define SIM_MAX_DEVS 32
#define SIM_MAX_DRVS 16
#define SIM_MAX_IDS 8
#define SIM_MAX_INUSE 16
#define SIM_ADDR_LEN 13     /* "0000:00:02.0" and its NUL */
#define SIM_OVERRIDE_MAX 256 /* longer driver_override writes get EINVAL */
#define SIM_ANY 0xffffu

enum sim_state { SIM_DEFAULT, SIM_NO_IOMMU, SIM_NO_SRIOV, SIM_XE };

enum sim_fault {
	SIM_F_PF_BUSY = 1u << 0,
	SIM_F_NO_VFIO = 1u << 1,
	SIM_F_NO_KVMFR = 1u << 2,
	SIM_F_VF_STUCK = 1u << 3,
	SIM_F_BIND_EBUSY = 1u << 4,
	SIM_F_NUMVFS_ENOENT = 1u << 5,
	SIM_F_APPARMOR = 1u << 6, /* not a fault: the kernel runs AppArmor */
	/* kernel-side states of the GPU driver, for x4ctl doctor's i915 rows */
	SIM_F_I915_STOCK = 1u << 7,   /* in-tree i915: no max_vfs, no taint O, no sriov_configure */
	SIM_F_MAX_VFS_0 = 1u << 8,    /* i915 max_vfs = 0: sriov_totalvfs reads 0 */
	SIM_F_GUC_FAIL = 1u << 9,     /* PF aborted (no GuC): sriov_totalvfs reads 0, max_vfs 7 */
	SIM_F_XE_TOO = 1u << 10,      /* the xe module is loaded beside i915 */
	SIM_F_SECUREBOOT = 1u << 11,  /* EFI boot, SecureBoot efivar 1, lockdown integrity */
	SIM_F_DMAR = 1u << 12,	      /* the ACPI DMAR table even when the IOMMU is off */
	SIM_F_SHARED_GROUP = 1u << 13, /* new VFs join the PF's IOMMU group */
	SIM_F_HEADLESS = 1u << 14,     /* the iGPU's connectors, none connected */
};

/* One entry of a driver's ID table: SIM_ANY matches any vendor/device; class_mask 0 ignores class. */
struct sim_id {
	uint16_t vendor, device;
	uint32_t class, class_mask;
};

struct sim_drv {
	bool present;                  /* false: module not loaded (no drivers/NAME dir) */
	char name[32];
	struct sim_id ids[SIM_MAX_IDS]; /* static table, then new_id entries */
	int nids, nstatic;             /* entries past nstatic came from new_id */
	bool sriov_configure;          /* the PF driver can make VFs */
};

struct sim_dev {
	bool used;
	char addr[SIM_ADDR_LEN];
	uint16_t vendor, device, subvendor, subdevice;
	uint32_t class;
	uint8_t rev, pin, secondary; /* secondary bus: bridges only */
	int irq;
	int parent;                  /* index of the upstream bridge, or -1 */
	int drv;                     /* index of the bound driver, or -1 */
	char override[SIM_OVERRIDE_MAX]; /* "" = none */
	int group;                   /* IOMMU group, or -1 */
	int boot_vga;                /* -1: no boot_vga file */
	/* SR-IOV, PF side */
	bool sriov;
	int totalvfs, numvfs, autoprobe;
	uint16_t vf_device;
	bool removing;               /* a write of 0 to sriov_numvfs is blocked */
	/* SR-IOV, VF side */
	int pf;                      /* index of the PF, or -1 */
	int vf_index;
};

enum sim_node_type { SN_DIR, SN_FILE, SN_LINK };

/* What a file does on read and write; SA_CONST files just hold text. */
enum sim_attr {
	SA_CONST, SA_NUMVFS, SA_AUTOPROBE, SA_OVERRIDE, SA_BIND, SA_UNBIND, SA_NEW_ID,
	SA_REMOVE_ID, SA_PROBE, SA_BUS_AUTOPROBE, SA_FAULT, SA_INUSE, SA_LOG,
};

struct sim_node {
	char *name;
	enum sim_node_type type;
	mode_t mode;                 /* permission bits */
	struct sim_node *parent, *first, *last, *next;
	char *data;                  /* link target or SA_CONST content */
	size_t len;
	enum sim_attr attr;
	int dev, drv;                /* context of the attribute, or -1 */
};

struct sim {
	pthread_mutex_t lock;        /* the one global lock */
	pthread_cond_t cond;         /* signalled when the inuse list or faults change */
	char root[PATH_MAX - 64];
	enum sim_state state;
	unsigned faults;
	bool iommu;
	int drivers_autoprobe;
	struct sim_dev devs[SIM_MAX_DEVS];
	struct sim_drv drvs[SIM_MAX_DRVS];
	char inuse[SIM_MAX_INUSE][SIM_ADDR_LEN];
	char *log;
	size_t log_len, log_cap;
	struct sim_node *tree;
	time_t start;
	volatile sig_atomic_t stopping;
};

extern struct sim g_sim;

/* host.c: the Radxa X4 topology for a state */
void sim_host_init(enum sim_state state, unsigned faults);
int sim_fault_parse(const char *name, unsigned *bit);
const char *sim_fault_name(unsigned bit);

/* model.c: device/driver semantics (caller holds the lock) */
int sim_dev_find(const char *addr);
int sim_drv_find(const char *name);
bool sim_drv_usable(int drv);
int sim_dev_depth(int dev);
void sim_dev_path(int dev, char *out, size_t n); /* "devices/pci0000:00/.../ADDR" */
bool sim_dev_in_use(int dev);
bool sim_drv_matches(int drv, int dev);
int sim_dev_bind(int dev, int drv);
void sim_dev_unbind(int dev);
void sim_dev_probe(int dev);
int sim_vfs_create(int pf, int n);
void sim_vfs_remove(int pf);
void sim_vfio_sync(void);
void sim_kvmfr_sync(void);

/* tree.c: the node tree */
struct sim_node *sim_node_dir(struct sim_node *parent, const char *name);
struct sim_node *sim_node_file(struct sim_node *parent, const char *name, mode_t mode,
			       enum sim_attr attr, const void *data, size_t len);
struct sim_node *sim_node_text(struct sim_node *parent, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A symlink to target (a path relative to the sysfs root), made relative to parent's depth. */
struct sim_node *sim_node_link(struct sim_node *parent, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A symlink whose target is used as given. */
struct sim_node *sim_node_rawlink(struct sim_node *parent, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
struct sim_node *sim_node_child(const struct sim_node *dir, const char *name);
struct sim_node *sim_node_lookup(struct sim_node *root, const char *path);
void sim_node_path(const struct sim_node *node, char *out, size_t n);
void sim_node_free(struct sim_node *node);

/* build.c: the whole tree from the model */
void sim_rebuild(void);

/* kernel.c: reads and writes of attributes (caller holds the lock; both may wait on cond,
 * so n must not be used by the caller afterwards). path is the FUSE path, for the log.
 * Read fills a malloc'ed buffer; both return 0 / bytes written or a negative errno. */
int sim_attr_read(const struct sim_node *n, char **out, size_t *len);
int sim_attr_write(const struct sim_node *n, const char *path, const char *buf, size_t len);

#endif
