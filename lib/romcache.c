/* SPDX-License-Identifier: MIT */
/* romcache: build (or copy) the EFI option ROM once per content, atomically, where QEMU can
 * read it. */
#include "romcache.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "paths.h"
#include "rom.h"
#include "sha256.h"

/* Read the whole of a regular file the user named (bounded by X4_ROM_MAX_SIZE). */
static int romcache_slurp(const char *path, uint8_t **buf, size_t *len, struct x4_err *e)
{
	struct x4_file f;
	int rc = x4_file_load(path, X4_ROM_MAX_SIZE, X4_FILE_NOFOLLOW, &f);

	if (f.step == X4_FILE_AT_OPEN)
		return x4_fail(e, -rc, "cannot read ROM %s: %s: check 'rom =' in x4-sriov.conf", path,
			       strerror(-rc));
	if (f.step == X4_FILE_AT_STAT || f.step == X4_FILE_AT_TYPE || f.step == X4_FILE_AT_SIZE ||
	    (rc == 0 && f.st.st_size <= 0))
		rc = x4_fail(e, EINVAL, "ROM %s is not a regular file of 1 byte to 16 MiB", path);
	else if (f.step == X4_FILE_AT_MEM)
		rc = x4_fail(e, ENOMEM, "out of memory reading ROM %s", path);
	else if (rc < 0 || f.len != (size_t)f.st.st_size)
		rc = x4_fail(e, EIO, "short read of ROM %s", path);
	if (rc < 0) {
		free(f.buf);
		return rc;
	}
	*buf = (uint8_t *)f.buf;
	*len = f.len;
	return 0;
}

/* Atomically, world-readable: QEMU runs as the qemu user. */
static int romcache_write(const char *dst, const uint8_t *buf, size_t len, struct x4_err *e)
{
	int rc = x4_mkdirs(X4_ROMCACHE_DIR, 0755, e);

	if (rc < 0)
		return rc;
	return x4_file_write(dst, (const char *)buf, len, 0644, e);
}

/* Key of src's bytes plus the ids the ROM header will carry. */
static int romcache_key_path(const uint8_t *buf, size_t len, uint16_t vendor, uint16_t device,
			     char *out, size_t n, struct x4_err *e)
{
	struct x4_sha256 s;
	uint8_t d[X4_SHA256_LEN], ids[4] = { (uint8_t)(vendor >> 8), (uint8_t)vendor,
					     (uint8_t)(device >> 8), (uint8_t)device };
	char hex[X4_SHA256_HEX];
	int len_out;

	x4_sha256_init(&s);
	x4_sha256_update(&s, buf, len);
	x4_sha256_update(&s, ids, sizeof(ids));
	x4_sha256_final(&s, d);
	len_out = snprintf(out, n, "%s/%s.optionrom", X4_ROMCACHE_DIR, x4_sha256_hex(d, hex));
	if (len_out < 0 || (size_t)len_out >= n)
		return x4_fail(e, ENAMETOOLONG, "no room for the option ROM path in %s",
			       X4_ROMCACHE_DIR);
	return 0;
}

int x4_romcache_path(const char *src, uint16_t vendor, uint16_t device, char *out, size_t n,
		     struct x4_err *e)
{
	uint8_t *in = NULL;
	size_t in_len = 0;
	int rc = romcache_slurp(src, &in, &in_len, e);

	if (rc < 0)
		return rc;
	rc = romcache_key_path(in, in_len, vendor, device, out, n, e);
	free(in);
	return rc;
}

/* A build already there: a regular file (never follow a link planted in the cache dir). */
static int romcache_have(const char *real)
{
	struct stat st;

	return lstat(real, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0;
}

int x4_romcache_ensure(const char *src, const char *dst, uint16_t vendor, uint16_t device,
		       struct x4_err *e)
{
	char real[4096], key[X4_PLAN_PATH_MAX];
	struct x4_rom_info info;
	uint8_t *in = NULL, *out = NULL;
	size_t in_len = 0, out_len = 0;
	int rc;

	if ((rc = romcache_slurp(src, &in, &in_len, e)) < 0)
		return rc;
	rc = romcache_key_path(in, in_len, vendor, device, key, sizeof(key), e);
	if (rc == 0 && strcmp(key, dst) != 0)
		rc = x4_fail(e, ESTALE, "ROM %s changed while the VM was being prepared (its "
			     "option ROM would be %s, the plan says %s): start the VM again", src,
			     key, dst);
	if (rc == 0)
		rc = x4_host_path(dst, real, sizeof(real), e);
	if (rc < 0 || romcache_have(real)) {
		free(in);
		return rc;
	}
	rc = x4_rom_inspect(in, in_len, &info, e);
	if (rc == 0 && info.kind == X4_ROM_PE32_EFI)
		rc = x4_rom_build_efi(in, in_len, vendor, device, &out, &out_len, e);
	else if (rc == 0 && info.kind == X4_ROM_PCI_EFI)
		rc = romcache_write(dst, in, in_len, e);
	else if (rc == 0)
		rc = x4_fail(e, EINVAL,
			     "ROM %s is a %s, not an EFI driver: rom_mode = optionrom needs the GOP driver (.efi) or an EFI option ROM",
			     src, x4_rom_kind_name(info.kind));
	if (rc == 0 && out)
		rc = romcache_write(dst, out, out_len, e);
	free(in);
	free(out);
	return rc;
}
