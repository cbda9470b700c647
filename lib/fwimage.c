/* SPDX-License-Identifier: MIT */
/* fwimage: what wraps a BIOS image (SPI flash descriptor, AMI/UEFI capsules, AMI PFAT). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fv.h"
#include "fwimage.h"

#define IFD_SIG 0x0FF0A55Au

static uint32_t fw_rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static const struct {
	const char *guid, *name;
	int aptio; /* header continues with UINT16 RomImageOffset */
} fw_capsules[] = {
	{"4A3CA68B-7723-48FB-803D-578CC1FEC44D", "AMI Aptio signed capsule", 1},
	{"14EEBB90-890A-43DB-AED1-5D3C4588A418", "AMI Aptio capsule", 1},
	{"3B6686BD-0D76-4030-B70E-B5519E2FC5A0", "UEFI capsule", 0},
	{"6DCBD5ED-E82D-4C44-BDA1-7194199AD92A", "UEFI FMP capsule", 0},
	{"539182B9-ABB5-4391-B69A-E3A943F72FCC", "Intel capsule", 0},
};

/* BIOS region from the descriptor's region table (FLREG1), 0 when it makes no sense. */
static int fw_ifd(const uint8_t *buf, size_t len, struct x4_fwimage *img)
{
	uint32_t flmap0 = fw_rd32(buf + 0x14), frba = ((flmap0 >> 16) & 0xff) << 4, reg;
	size_t base, limit;

	if ((size_t)frba + 8 > len || frba < 0x20)
		return 0;
	reg = fw_rd32(buf + frba + 4);
	base = (size_t)(reg & 0x7fff) << 12;
	limit = ((size_t)((reg >> 16) & 0x7fff) << 12) | 0xfff;
	if (base == 0 || limit < base || limit >= len)
		return 0;
	img->start = base;
	img->len = limit - base + 1;
	snprintf(img->kind, sizeof(img->kind),
		 "Intel SPI image (flash descriptor), BIOS region 0x%zx-0x%zx", base, limit);
	return 1;
}

int x4_fwimage_locate(const uint8_t *buf, size_t len, struct x4_fwimage *img, struct x4_err *e)
{
	char g[X4_GUID_STRLEN];
	size_t i;

	img->start = 0;
	img->len = len;
	snprintf(img->kind, sizeof(img->kind), "raw image");
	if (len >= 16 && memcmp(buf + 8, "_AMIPFAT", 8) == 0)
		return x4_fail(e, EPROTONOSUPPORT,
			       "it is an AMI PFAT (BIOS Guard) update image, whose volumes are cut "
			       "into signed blocks: unpack it first (e.g. with AMI_PFAT_Extract from "
			       "BIOSUtilities) or read the board's flash with --from-flash");
	if (len >= 0x20 && fw_rd32(buf + 0x10) == IFD_SIG) {
		if (!fw_ifd(buf, len, img))
			snprintf(img->kind, sizeof(img->kind),
				 "Intel SPI image (flash descriptor without a BIOS region)");
		return 0;
	}
	if (len < 28)
		return 0;
	x4_guid_format(buf, g);
	for (i = 0; i < sizeof(fw_capsules) / sizeof(fw_capsules[0]); i++) {
		uint32_t hsize = fw_rd32(buf + 16);
		size_t off = hsize;

		if (strcmp(g, fw_capsules[i].guid) != 0)
			continue;
		if (fw_capsules[i].aptio && len >= 32)
			off = (size_t)buf[28] | (size_t)buf[29] << 8;
		if (off == 0 || off >= len)
			off = hsize < len ? hsize : 0;
		img->start = off;
		img->len = len - off;
		snprintf(img->kind, sizeof(img->kind), "%s, image at 0x%zx", fw_capsules[i].name,
			 off);
		return 0;
	}
	return 0;
}
