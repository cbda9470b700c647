/* SPDX-License-Identifier: MIT */
/* doctor, AppArmor: one row, always: disabled, or enabled with or without x4-sriov's rules in
 * Debian's local includes (the blocks x4ctl install writes, lib/apparmor.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apparmor.h"
#include "doctor.h"
#include "paths.h"

#define AA_FIX                                                                                 \
	"sudo x4ctl install (adds x4-sriov's rules to " X4_AA_LIBVIRTD_LOCAL " and "            \
	X4_AA_QEMU_LOCAL ", and reloads the profiles)"

/* Is our current block in local (its profile being installed)? 1 yes or no profile, 0 no. */
static int aa_block_ok(const char *profile, const char *local, const char *block)
{
	size_t len = 0;
	char *text, *pf = doc_read_host(profile, 1u << 20, NULL);
	int ok;

	if (!pf)
		return 1;
	free(pf);
	text = doc_read_host(local, 1u << 20, &len);
	ok = x4_aa_block_present(text, len, block);
	free(text);
	return ok;
}

/* The kernel log's recent apparmor="DENIED" lines naming our programs or files go in this
 * row too (left for doctor's kernel-log reader). */
static void aa_denials(struct doc *d)
{
	(void)d;
}

void doc_check_apparmor(struct doc *d)
{
	static char lv[4096], qm[8192];
	char *pf;
	int lv_ok, qm_ok;

	if (!x4_aa_enabled()) {
		doc_row(d, DOC_PASS, "apparmor", NULL,
			"AppArmor is disabled: x4-sriov needs no AppArmor rules");
		return;
	}
	pf = doc_read_host(X4_AA_LIBVIRTD_PROFILE, 1u << 20, NULL);
	if (!pf && !(pf = doc_read_host(X4_AA_QEMU_ABSTRACTION, 1u << 20, NULL))) {
		doc_row(d, DOC_PASS, "apparmor", NULL,
			"AppArmor is enabled; libvirt's profiles are not installed (%s): "
			"nothing confines libvirtd or QEMU",
			X4_AA_LIBVIRTD_PROFILE);
		return;
	}
	free(pf);
	if (x4_aa_libvirtd_block(lv, sizeof(lv), NULL) < 0 ||
	    x4_aa_qemu_block(d->config_ok ? &d->c : NULL, qm, sizeof(qm), NULL, 0, NULL) < 0)
		lv[0] = qm[0] = '\0';
	lv_ok = aa_block_ok(X4_AA_LIBVIRTD_PROFILE, X4_AA_LIBVIRTD_LOCAL, lv);
	qm_ok = aa_block_ok(X4_AA_QEMU_ABSTRACTION, X4_AA_QEMU_LOCAL, qm);
	if (lv_ok && qm_ok)
		doc_row(d, DOC_PASS, "apparmor", NULL,
			"AppArmor is enabled and x4-sriov's rules are in %s and %s",
			X4_AA_LIBVIRTD_LOCAL, X4_AA_QEMU_LOCAL);
	else
		doc_row(d, DOC_FAIL, "apparmor", AA_FIX,
			"AppArmor is enabled and %s lacks x4-sriov's current rules: it will deny %s",
			lv_ok ? X4_AA_QEMU_LOCAL : X4_AA_LIBVIRTD_LOCAL,
			lv_ok ? "QEMU reading x4-sriov's config, plans, ROMs or Looking Glass memory"
			      : "libvirtd running qemu-x4 and the hook");
	aa_denials(d);
}
