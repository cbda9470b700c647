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

/* The kernel log's apparmor="DENIED" lines that name our programs or files: how many, and
 * "; log: N ... newest: LINE" into out ("" when none). */
static unsigned aa_denials(const struct doc *d, char *out, size_t n)
{
	static const char *const ours[] = {"qemu-x4",	     "x4-hook",	       "/etc/x4-sriov",
					   X4_RUN_DIR,	     X4_STATE_DIR,	  "kvmfr",
					   "looking-glass"};
	const char *pos = NULL, *line, *newest = NULL;
	size_t len, newest_len = 0, i;
	unsigned count = 0;

	out[0] = '\0';
	if (!d->log_ok)
		return 0;
	while ((line = x4_kmsg_next(&d->log, &pos, "apparmor=\"DENIED\"", &len)) != NULL)
		for (i = 0; i < sizeof(ours) / sizeof(ours[0]); i++)
			if (memmem(line, len, ours[i], strlen(ours[i]))) {
				count++;
				newest = line;
				newest_len = len;
				break;
			}
	if (count)
		snprintf(out, n, "; log: %u apparmor=\"DENIED\" line(s) naming x4-sriov, newest: %.*s",
			 count, (int)(newest_len < 400 ? newest_len : 400), newest);
	return count;
}

void doc_check_apparmor(struct doc *d)
{
	static char lv[4096], qm[8192];
	char *pf, den[600];
	int lv_ok, qm_ok;
	unsigned denied;

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
	denied = aa_denials(d, den, sizeof(den));
	if (lv_ok && qm_ok && !denied)
		doc_row(d, DOC_PASS, "apparmor", NULL,
			"AppArmor is enabled and x4-sriov's rules are in %s and %s",
			X4_AA_LIBVIRTD_LOCAL, X4_AA_QEMU_LOCAL);
	else if (lv_ok && qm_ok)
		doc_emit(d, DOC_WARN, "apparmor",
			 "AppArmor refused x4-sriov something in this boot: before the rules were "
			 "added, or something they do not cover",
			 "restart the VM; if it is denied again, report the line: it names what the "
			 "rules lack",
			 "AppArmor is enabled and x4-sriov's rules are in %s and %s%s",
			 X4_AA_LIBVIRTD_LOCAL, X4_AA_QEMU_LOCAL, den);
	else
		doc_row(d, DOC_FAIL, "apparmor", AA_FIX,
			"AppArmor is enabled and %s lacks x4-sriov's current rules: it will deny %s%s",
			lv_ok ? X4_AA_QEMU_LOCAL : X4_AA_LIBVIRTD_LOCAL,
			lv_ok ? "QEMU reading x4-sriov's config, plans, ROMs or Looking Glass memory"
			      : "libvirtd running qemu-x4 and the hook",
			den);
}
