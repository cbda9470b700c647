/* SPDX-License-Identifier: MIT */
/* doctor: the rows (pass/warn/fail, detail, fix) the checks add, and what they share. */
#ifndef X4CTL_DOCTOR_H
#define X4CTL_DOCTOR_H

#include <json-c/json.h>

#include "config.h"
#include "pciaddr.h"
#include "state.h"
#include "x4ctl.h"

enum doc_status { DOC_PASS, DOC_WARN, DOC_FAIL };

struct doc {
	int json;
	json_object *rows;
	unsigned n[3]; /* rows per status */
	struct x4_config c;
	int config_ok;
	struct x4_pciaddr pf;
	int have_pf;
	struct x4_state st;
	const char *uri;	   /* libvirt URI for the VM checks */
	const char *xml_files[16]; /* --xml FILE: check these domains instead of libvirt's */
	unsigned n_xml;
};

/* Add one row: check name, status, fix (NULL for a pass), detail as printf. Printed at once in
 * text mode ("FAIL  check  detail" then "      fix: ..."). */
void doc_row(struct doc *d, enum doc_status s, const char *check, const char *fix, const char *fmt,
	     ...) __attribute__((format(printf, 5, 6)));

/* The kvmfr module, device node, its access and size, qemu.conf's ACL and AppArmor lines. */
void doc_check_lg(struct doc *d);
/* AppArmor: disabled, or enabled with or without x4-sriov's rules (doctor_apparmor.c). */
void doc_check_apparmor(struct doc *d);
/* Each VM that is ours, from --xml files or the libvirt API (read-only). */
void doc_check_vms(struct doc *d);

/* A file under the host root read whole (at most cap bytes); NULL when absent or unreadable. */
char *doc_read_host(const char *abs, size_t cap, size_t *len);

/* The qemu user (libvirt-qemu on Debian): 0 and its ids, or -ENOENT. */
int doc_qemu_user(uid_t *uid, gid_t *gid);

#endif
