/* SPDX-License-Identifier: MIT */
/* lgmp: owns the read-only health of a Looking Glass region (LGMP header + KVMFR data).
 * Callers: x4ctl lg status and status, lib/lgsize_check. */
#ifndef X4_LGMP_H
#define X4_LGMP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "enumname.h"
#include "err.h"

#define X4_LGMP_MAGIC 0x504d474cU	  /* "LGMP" little-endian, at the header's start */
#define X4_LGMP_WINDOW (64U << 10)	  /* bytes copied out of the region for parsing */
#define X4_LGMP_SCAN (16U << 10)	  /* the magic is looked for below this offset */
#define X4_LGMP_MIN_HEADER 5120U	  /* smallest known LGMP header (v4, B6-rc1) */
#define X4_LGMP_KVMFR_IOCTL_SIZE 0x7544UL /* kvmfr's KVMFR_DMABUF_GETSIZE = _IO('u', 0x44) */

enum x4_lgmp_kind {
	X4_LGMP_EMPTY,	 /* all zero: the guest's Looking Glass host never wrote it */
	X4_LGMP_SMALL,	 /* the region cannot hold an LGMP header */
	X4_LGMP_FOREIGN, /* no LGMP magic: another program's data, or wiped */
	X4_LGMP_HOST,	 /* an LGMP header: a Looking Glass host wrote it (now or before) */
	X4_LGMP_KIND_COUNT
};

enum x4_lgmp_live {
	X4_LGMP_LIVE_UNKNOWN, /* not sampled */
	X4_LGMP_ALIVE,	      /* the timestamp moved while we watched */
	X4_LGMP_RESTARTED,    /* the session ID changed while we watched: a new host */
	X4_LGMP_STALE,	      /* frozen: host app not running, VM paused or off */
	X4_LGMP_LIVE_COUNT
};

/* What the header says. Strings are sanitized (printable ASCII only) and NUL-terminated. */
struct x4_lgmp_info {
	enum x4_lgmp_kind kind;
	uint64_t region_size;  /* bytes of the region */
	uint32_t magic_off;    /* where the LGMP magic is */
	uint32_t lgmp_version; /* LGMP protocol version */
	int layout_known;      /* 1: offsets of this version are known (v4..v10) */
	uint32_t session;      /* LGMP sessionID */
	uint64_t timestamp;    /* host clock, ms (guest-relative) */
	uint32_t num_queues;
	int have_subs;	       /* 1: subscriber bits read (v5/v6 layouts) */
	uint32_t frame_subs;   /* client bitmask subscribed to the frame queue */
	uint32_t pointer_subs; /* ... to the pointer queue */
	int have_kvmfr;	       /* 1: KVMFR user data parsed */
	uint32_t kvmfr_version;
	char hostver[33]; /* the host's build version, e.g. "B7" */
	uint32_t features;
	int have_vminfo;
	char uuid[37];
	char capture[33];
	unsigned cpus, cores, sockets;
	char model[96];
	int have_osinfo;
	unsigned os; /* 0 Linux, 1 BSD, 2 macOS, 3 Windows, 4 other */
	char osname[96];
	char problem[160]; /* why a part could not be read ("" when all is well) */
};

/* Parse buf (a private copy of the region's first len bytes; region_size is the whole
 * region's size). Never fails: the verdict is in info->kind and info->problem. */
void x4_lgmp_parse(const uint8_t *buf, size_t len, uint64_t region_size, struct x4_lgmp_info *info);

/* "B6", "B7", "newer than B7", "B6-rc1", "older than B6" from the LGMP / KVMFR versions. */
const char *x4_lgmp_release(const struct x4_lgmp_info *info);
/* The words for a kind and a liveness ("host present", "stale"), from one table each. */
X4_ENUM_DECL(x4_lgmp_kind, enum x4_lgmp_kind);
X4_ENUM_DECL(x4_lgmp_live, enum x4_lgmp_live);
const char *x4_lgmp_os_name(unsigned os);

/* A region opened read-only: a kvmfr char device is mmap'ed PROT_READ (it has no read()),
 * a regular file is read with pread (no mapping, so a truncated file cannot raise SIGBUS). */
struct x4_lgmp_region {
	int fd;
	int is_chr;
	const volatile uint8_t *map; /* kvmfr mapping of map_len bytes, or NULL */
	size_t map_len;
	uint64_t size;
};

/* Is the char device rdev a kvmfr one? Its sysfs link (/sys/dev/char/MAJ:MIN, under $X4_ROOT)
 * names the kvmfr class (.../virtual/kvmfr/kvmfr0, or .../kvmfr/kvmfrN under an ivshmem PCI
 * device). Asked before any ioctl, so another driver never sees kvmfr's ioctl number. */
int x4_lgmp_is_kvmfr(dev_t rdev);

/* Open path O_RDONLY: a char device's size comes from kvmfr's size ioctl, a file's from
 * fstat. Anything else (directory, FIFO, a char device that is not kvmfr) is refused. */
int x4_lgmp_open(const char *path, struct x4_lgmp_region *r, struct x4_err *e);
void x4_lgmp_close(struct x4_lgmp_region *r);

/* Copy the region's first min(size, cap) bytes to buf; returns the count or -errno. */
long x4_lgmp_copy(const struct x4_lgmp_region *r, uint8_t *buf, size_t cap);

/* Snapshot and parse. */
int x4_lgmp_read(const struct x4_lgmp_region *r, struct x4_lgmp_info *info, struct x4_err *e);

/* Watch the timestamp and session of an X4_LGMP_HOST region for up to max_ms (the client
 * gives up after 1000 ms of no change; 1100 is the usual value), every step_ms. The values in
 * info (from x4_lgmp_read) are the baseline; a layout without known offsets is watched as a
 * whole (any change in its first X4_LGMP_SCAN bytes counts as alive). */
enum x4_lgmp_live x4_lgmp_sample(const struct x4_lgmp_region *r, const struct x4_lgmp_info *info,
				 unsigned max_ms, unsigned step_ms);

/* The release in `looking-glass-client --version` output ("B7" from "Looking Glass (B7)"
 * or a "B7..." word); 0 when found, -ENOENT otherwise. */
int x4_lgmp_client_version(const char *out, size_t len, char *ver, size_t n);

#endif
