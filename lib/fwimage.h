/* SPDX-License-Identifier: MIT */
/* fwimage: owns what wraps a BIOS image (SPI flash descriptor, AMI/UEFI capsules, AMI PFAT).
 * Callers: lib/gopfind only. */
#ifndef X4_FWIMAGE_H
#define X4_FWIMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define X4_FWIMAGE_MAX (64u * 1024 * 1024) /* largest image file we read (SPI parts: 32 MiB) */

struct x4_fwimage {
	size_t start, len; /* the area to scan for firmware volumes */
	char kind[96];     /* "Intel SPI image (flash descriptor), BIOS region 0x...", ... */
};

/* Recognise the container around the firmware volumes in buf and say where to look.
 * Unknown content is scanned whole ("raw image"). AMI PFAT (BIOS Guard) images, whose
 * volumes are cut into signed blocks, are -EPROTONOSUPPORT with e saying what to do. */
int x4_fwimage_locate(const uint8_t *buf, size_t len, struct x4_fwimage *img, struct x4_err *e);

#endif
