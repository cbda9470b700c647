/* SPDX-License-Identifier: MIT */
/* x4ctl define: what its files share (options, host limits, disk, XML edits, libvirt). */
#ifndef X4CTL_DEFINE_H
#define X4CTL_DEFINE_H

#include <limits.h>

#include <libxml/tree.h>

#include "pciaddr.h"
#include "x4ctl.h"

#define DEF_DEFAULT_MEMORY 8192UL /* MiB, when the host can pin it */
#define DEF_HOST_RESERVE 2048UL	  /* MiB the host keeps: VFIO pins all guest RAM */
#define DEF_DISK_DIR "/var/lib/libvirt/images"

enum def_phase { DEF_INSTALL, DEF_RUN };

struct def_opts {
	const char *name, *disk, *disk_size, *iso, *virtio_win, *vf, *emulator, *templates, *uri;
	const char *xml_in;    /* --xml FILE: the domain to switch, instead of libvirt's */
	const char *virt_type; /* kvm (default) or qemu (TCG, for hosts without KVM) */
	enum def_phase phase;
	unsigned long memory, cpus; /* 0 = default from the host */
	int print, reuse_disk;
	int no_vf; /* --vf none: no hostdev (testing, hosts without SR-IOV) */
	struct x4_pciaddr vf_addr;
	/* Resolved: absolute paths as libvirt will see them, and the disk as created. */
	char iso_abs[PATH_MAX], virtio_abs[PATH_MAX], disk_abs[PATH_MAX], disk_file[PATH_MAX];
};

/* Memory and CPU defaults from the host (/proc/meminfo, online CPUs under $X4_ROOT); refuse
 * memory the host cannot pin. Prints the one-line error itself; returns 0 or 1. */
int def_host_limits(struct def_opts *o);

/* An absolute, normalised form of a user path (relative to the current directory); the file
 * must exist when must_exist. Prints the error naming opt; returns 0 or 1. */
int def_resolve(const char *opt, const char *in, int must_exist, char *out, size_t n);

/* The disk: --disk resolved, or DEF_DISK_DIR/NAME.qcow2 (created under $X4_ROOT). Refuses an
 * existing file unless --reuse-disk. Prints the error; returns 0 or 1. */
int def_disk_plan(struct def_opts *o);
/* Create it with qemu-img (no shell), never over an existing file; *made = 1 when created. */
int def_disk_create(const struct def_opts *o, int *made);

/* The install-phase domain from templates/win11.xml. */
int def_build_install(const struct def_opts *o, char **xml);
/* Switch a domain's XML to the run phase, in place. */
int def_to_run(xmlDocPtr doc);
/* Serialise doc into a malloc'd string. */
int def_dump(xmlDocPtr doc, char **xml);

/* libvirt: 1 when the domain exists, 0 when not, -1 (printed) when libvirt cannot answer. */
int def_lv_exists(const char *uri, const char *name);
/* The inactive XML of the domain (malloc'd), or NULL after printing the error. *active = 1
 * when it runs. */
char *def_lv_get(const char *uri, const char *name, int *active);
/* Define xml; prints the one-line error; returns 0 or 1. */
int def_lv_define(const char *uri, const char *name, const char *xml);

#endif
