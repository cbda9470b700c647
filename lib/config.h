/* SPDX-License-Identifier: MIT */
/* config: /etc/x4-sriov/x4-sriov.conf (INI, via inih) into typed settings with defaults. */
#ifndef X4_CONFIG_H
#define X4_CONFIG_H

#include <stdint.h>

#include "err.h"
#include "pciaddr.h"

#define X4_DEFAULT_QEMU "/usr/bin/qemu-system-x86_64"
#define X4_NAME_MAX 128   /* longest VM name we accept in a [vm NAME] section */
#define X4_MAX_VM_SECTIONS 64

enum x4_teardown { X4_TEARDOWN_KEEP, X4_TEARDOWN_REMOVE };
enum x4_rom_mode { X4_ROM_RAW, X4_ROM_OPTIONROM };
enum x4_lg_kind { X4_LG_OFF, X4_LG_KVMFR, X4_LG_SHM };

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
	enum x4_lg_kind lg;          /* looking_glass = /dev/kvmfrN | shm | off; default off */
	char lg_path[64];            /* "/dev/kvmfr0" for X4_LG_KVMFR */
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

/* Defaults only (no file). */
void x4_config_defaults(struct x4_config *c);

/* Load x4_config_path(). A missing file gives defaults with file_present = 0 (returns 0);
 * a broken one is an error "x4-sriov.conf:LINE: KEY: what is wrong" naming file, line, key. */
int x4_config_load(struct x4_config *c, struct x4_err *e);

/* Load from an explicit path (tests, x4ctl --config). */
int x4_config_load_file(struct x4_config *c, const char *path, struct x4_err *e);

/* The [vm NAME] section, or NULL. */
const struct x4_vm_section *x4_config_vm(const struct x4_config *c, const char *name);

/* Effective settings for a VM: [host] with [vm NAME] keys laid over. */
void x4_config_for_vm(const struct x4_config *c, const char *name, struct x4_settings *out);

#endif
