/* SPDX-License-Identifier: MIT */
/* config: owns /etc/x4-sriov/x4-sriov.conf, INI (inih) into typed settings with defaults, [vm]
 * over [host]. Callers: every program and the lib modules that need a setting; read-only. */
#ifndef X4_CONFIG_H
#define X4_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "enumname.h"
#include "err.h"
#include "pciaddr.h"

#define X4_DEFAULT_QEMU "/usr/bin/qemu-system-x86_64"
#define X4_NAME_MAX 128   /* longest VM name we accept in a [vm NAME] section */
#define X4_MAX_VM_SECTIONS 64

/* Each enum's config spelling comes from one name table in config.c (lib/enumname.h). */
enum x4_teardown { X4_TEARDOWN_KEEP, X4_TEARDOWN_REMOVE, X4_TEARDOWN_COUNT };
enum x4_rom_mode { X4_ROM_RAW, X4_ROM_OPTIONROM, X4_ROM_MODE_COUNT };
enum x4_lg_kind { X4_LG_OFF, X4_LG_KVMFR, X4_LG_SHM, X4_LG_KIND_COUNT };

/* The keys, in the order of the key table in config.c (which holds name, scope, parser, the
 * fields each key sets and a one-line doc): a new key is one value here, one table row and
 * its parser. Bit K of set_mask says key K was given. */
enum x4_config_key {
	X4_KEY_PF,
	X4_KEY_NUM_VFS,
	X4_KEY_VF,
	X4_KEY_VF_TEARDOWN,
	X4_KEY_QEMU,
	X4_KEY_ROM,
	X4_KEY_ROM_MODE,
	X4_KEY_LOOKING_GLASS,
	X4_KEY_LG_SIZE,
	X4_KEY_LG_RESOLUTION,
	X4_CONFIG_NKEYS
};

/* set_mask bits: which keys a scope gave. */
#define X4_SET_PF (1u << X4_KEY_PF)
#define X4_SET_NUM_VFS (1u << X4_KEY_NUM_VFS)
#define X4_SET_VF (1u << X4_KEY_VF)
#define X4_SET_VF_TEARDOWN (1u << X4_KEY_VF_TEARDOWN)
#define X4_SET_QEMU (1u << X4_KEY_QEMU)
#define X4_SET_ROM (1u << X4_KEY_ROM)
#define X4_SET_ROM_MODE (1u << X4_KEY_ROM_MODE)
#define X4_SET_LOOKING_GLASS (1u << X4_KEY_LOOKING_GLASS)
#define X4_SET_LG_SIZE (1u << X4_KEY_LG_SIZE)
#define X4_SET_LG_RESOLUTION (1u << X4_KEY_LG_RESOLUTION)

/* Where a key may be given. */
#define X4_CONFIG_HOST 1u
#define X4_CONFIG_VM 2u

#define X4_CONFIG_MAX_BYTES (1024 * 1024)    /* a bigger config file is refused */
#define X4_CONFIG_LG_SIZE_MIN (1ULL << 20)   /* lg_size: kvmfr sizes are whole MiB */
#define X4_CONFIG_LG_SIZE_MAX (1ULL << 30)   /* 1 GiB: 4x the 4K HDR need (256 MiB) */
#define X4_CONFIG_LG_DIM_MAX 16384           /* lg_resolution: widest/tallest accepted */

/* Settings of one scope: [host] or a [vm NAME] override. `set_*` flags say which keys the
 * scope gave, so x4_config_for_vm() can merge a [vm] section over [host]. */
struct x4_settings {
	int pf_auto;                 /* pf = auto (default) */
	struct x4_pciaddr pf;        /* pf = DDDD:BB:SS.F */
	unsigned num_vfs;            /* num_vfs = 1..255, default 7 */
	enum x4_teardown vf_teardown;/* keep (default) | remove */
	char qemu[256];              /* real emulator, default X4_DEFAULT_QEMU */
	char rom[256];               /* option ROM / GOP driver path, "" = none */
	enum x4_rom_mode rom_mode;   /* raw (default) | optionrom */
	enum x4_lg_kind lg;          /* looking_glass = kvmfr | /dev/kvmfrN | shm | off; default off */
	char lg_path[64];            /* "/dev/kvmfr0" for X4_LG_KVMFR; "" = kvmfr (x4_lg_assign) */
	uint64_t lg_size;            /* lg_size bytes; 0 = auto */
	unsigned lg_width, lg_height;/* lg_resolution = WxH[ hdr]; 0 = unset */
	int lg_hdr;
	int vf_set;                  /* [vm] only: vf = DDDD:BB:SS.F or index 1..N */
	struct x4_pciaddr vf_addr;
	int vf_index;                /* >0 when vf was given as an index */
	unsigned set_mask;           /* X4_SET_* bits of keys present in this scope */
};

struct x4_vm_section {
	char name[X4_NAME_MAX + 1];
	struct x4_settings s;
};

struct x4_config {
	char path[4096];             /* file it came from ("" = defaults, no file) */
	int file_present;
	struct x4_settings host;
	unsigned n_vms;
	struct x4_vm_section vms[X4_MAX_VM_SECTIONS];
};

/* Defaults only (no file): pf auto, 7 VFs, keep, X4_DEFAULT_QEMU, no ROM, raw, LG off. */
void x4_config_defaults(struct x4_config *c);

/* Load x4_config_path(). A missing file gives defaults with file_present = 0 (returns 0);
 * a broken one is an error "PATH:LINE: [section] KEY: what is wrong; expected ..." naming
 * file, line and key (c then holds the defaults). Lines longer than 199 bytes, files over
 * X4_CONFIG_MAX_BYTES and NUL bytes are errors; leading blanks are ignored (no continuation
 * lines); comments start with ';' or '#' at the start of a line, or " ;" after a value. */
int x4_config_load(struct x4_config *c, struct x4_err *e);

/* Load from an explicit path (tests, x4ctl --config). */
int x4_config_load_file(struct x4_config *c, const char *path, struct x4_err *e);

/* The [vm NAME] section, or NULL. */
const struct x4_vm_section *x4_config_vm(const struct x4_config *c, const char *name);

/* Effective settings for a VM: [host] with [vm NAME] keys laid over. */
void x4_config_for_vm(const struct x4_config *c, const char *name, struct x4_settings *out);

/* Parse a byte size "N", "N K|M|G|KiB|MiB|GiB" (binary units): a power of two from
 * X4_CONFIG_LG_SIZE_MIN to X4_CONFIG_LG_SIZE_MAX. -EINVAL with e naming the text otherwise. */
int x4_config_parse_size(const char *text, uint64_t *bytes, struct x4_err *e);

/* One key as the table has it: its name, where it may be given (X4_CONFIG_HOST/VM bits),
 * the bytes of struct x4_settings it sets (one span of fields, laid over [host] by
 * x4_config_for_vm) and a one-line description. */
struct x4_config_keyinfo {
	const char *name;
	unsigned scopes;
	size_t off, size;
	const char *doc;
};

/* Key k (0 .. X4_CONFIG_NKEYS-1), or NULL. */
const struct x4_config_keyinfo *x4_config_key(unsigned k);

/* The config spelling of each enum value ("keep", "optionrom", "kvmfr", ...), its parse (0, or
 * -1 for a name no value has) and "a, b or c" for messages. */
X4_ENUM_DECL(x4_teardown, enum x4_teardown);
X4_ENUM_DECL(x4_rom_mode, enum x4_rom_mode);
X4_ENUM_DECL(x4_lg_kind, enum x4_lg_kind);

#endif
