/* SPDX-License-Identifier: MIT */
/* pciaddr: owns strict parse/format of PCI addresses "DDDD:BB:SS.F". Callers: anyone (no I/O). */
#ifndef X4_PCIADDR_H
#define X4_PCIADDR_H

#include <stdint.h>

#include "err.h"

struct x4_pciaddr {
	uint16_t domain; /* 0..0xffff */
	uint8_t bus;     /* 0..0xff */
	uint8_t slot;    /* 0..0x1f */
	uint8_t func;    /* 0..7 */
};

/* "DDDD:BB:SS.F" as printed by the kernel: lowercase hex, fixed widths, NUL included. */
#define X4_PCIADDR_STRLEN 13

/* Parse "DDDD:BB:SS.F" (exactly 4:2:2.1 hex digits, either case; also the short
 * "BB:SS.F" meaning domain 0). Anything else, including spaces, signs, overflow,
 * trailing bytes or "..", is -EINVAL with e naming the text. */
int x4_pciaddr_parse(const char *text, struct x4_pciaddr *out, struct x4_err *e);

/* Parse libvirt's <address domain='0x0000' bus='0x00' slot='0x02' function='0x1'/>
 * attributes (hex with 0x, or decimal as libvirt also accepts); NULL domain = 0. */
int x4_pciaddr_from_attrs(const char *domain, const char *bus, const char *slot,
			  const char *function, struct x4_pciaddr *out, struct x4_err *e);

/* Format into out (at least X4_PCIADDR_STRLEN bytes); returns out. */
char *x4_pciaddr_format(const struct x4_pciaddr *a, char out[X4_PCIADDR_STRLEN]);

int x4_pciaddr_equal(const struct x4_pciaddr *a, const struct x4_pciaddr *b);

#endif
