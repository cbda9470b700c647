/* SPDX-License-Identifier: MIT */
/* domxml: owns reading a libvirt domain XML (libxml2, bounded) into the parts x4-sriov needs.
 * Callers: x4-hook, x4-hook-core (lib/lifecycle), x4ctl define and doctor. */
#ifndef X4_DOMXML_H
#define X4_DOMXML_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "err.h"
#include "pciaddr.h"

/* The cap callers give x4_domxml_read_fd: libvirt's own XML is a few KiB, even with many
 * devices; 1 MiB keeps the root hook's peak RSS under 16 MiB for any input (x4-hook(8)). */
#define X4_DOMXML_MAX_SIZE (1u << 20)
#define X4_DOMXML_MAX_HOSTDEVS 32
#define X4_DOMXML_MAX_VIDEOS 8
#define X4_DOMXML_MAX_SHMEMS 8

/* A PCI device passed through: <hostdev mode='subsystem' type='pci'> or
 * <interface type='hostdev'> (a NIC VF); USB/SCSI hostdevs are not listed. */
struct x4_domxml_hostdev {
	struct x4_pciaddr host;   /* <source><address domain bus slot function/></source> */
	int managed;              /* managed='yes' (libvirt's default for a missing attribute is no) */
	int is_interface;         /* came from <interface type='hostdev'> */
	char rom_file[256];       /* <rom file='...'/>, "" when none */
	int rom_bar_off;          /* <rom bar='off'/> */
	int has_guest_addr;       /* <address type='pci' .../> directly under the device */
	struct x4_pciaddr guest;
	char alias[64];           /* <alias name='hostdev0'/>, "" when none */
};

struct x4_domxml_shmem {
	char name[128];           /* <shmem name='looking-glass'> */
	char model[32];           /* <model type='ivshmem-plain'/>, "" when none */
	char path[256];           /* <server path='...'/> (ivshmem-doorbell), "" when none */
	uint64_t size;            /* <size unit='M'>32</size> in bytes, 0 when none */
};

struct x4_domain {
	char name[X4_NAME_MAX + 1];
	char uuid[37];            /* "" when the XML has none (an undefined domain) */
	char type[16];            /* <domain type='kvm|qemu'> */
	char emulator[256];       /* <emulator>, "" when none */
	char cpu_mode[32];        /* <cpu mode='host-passthrough'>, "" when none */
	unsigned n_videos;
	char videos[X4_DOMXML_MAX_VIDEOS][32]; /* <video><model type='none|qxl|...'/> */
	unsigned n_shmems;
	struct x4_domxml_shmem shmems[X4_DOMXML_MAX_SHMEMS];
	unsigned n_qemu_args;     /* <qemu:commandline><qemu:arg> count (by namespace URI) */
	unsigned n_hostdevs;
	struct x4_domxml_hostdev hostdevs[X4_DOMXML_MAX_HOSTDEVS];
};

/* Read all of fd into a malloc'ed NUL-terminated *buf (free() it). Stops reading at cap+1
 * bytes and fails with -EFBIG; 0 bytes is -ENODATA. */
int x4_domxml_read_fd(int fd, size_t cap, char **buf, size_t *len, struct x4_err *e);

/* The hook front's quick look, without an XML parser: 0 when the bytes surely name no PCI
 * hostdev (so x4_domxml_parse cannot find one), 1 when they may, or cannot be judged. */
int x4_domxml_may_have_hostdev(const char *xml, size_t len);

/* Parse a domain XML: no network, no DTD, no entities (a DOCTYPE is rejected outright),
 * libxml2's size limits on, nothing printed. Malformed XML, a root other than <domain>,
 * no <name>, an over-long field or too many devices -> -EINVAL (-E2BIG for counts: a tag
 * with more than 64 attributes, more than 4096 of the elements read) with one line. Only the
 * elements read are built into a tree: memory follows them, not the size of buf. */
int x4_domxml_parse(const char *buf, size_t len, struct x4_domain *d, struct x4_err *e);

#endif
