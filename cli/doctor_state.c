/* SPDX-License-Identifier: MIT */
/* doctor: the state's health: damaged copies kept aside, stale claims, each with its fix. */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "doctor.h"
#include "paths.h"
#include "reclaim.h"

/* state.json.damaged-* files the hook kept: the admin should read and remove them. */
static void doc_state_asides(struct doc *d)
{
	const char *base = strrchr(X4_STATE_ASIDE_PREFIX, '/') + 1;
	char dir[PATH_MAX];
	struct dirent *de;
	DIR *dp;

	if (x4_host_path(X4_RUN_DIR, dir, sizeof(dir), NULL) < 0 || !(dp = opendir(dir)))
		return;
	while ((de = readdir(dp)) != NULL) {
		char fix[PATH_MAX + 96];

		if (strncmp(de->d_name, base, strlen(base)) != 0)
			continue;
		snprintf(fix, sizeof(fix), "compare it with x4ctl status, then sudo rm %s/%.200s",
			 X4_RUN_DIR, de->d_name);
		doc_row(d, DOC_WARN, "state", fix,
			"%s was damaged and kept as %s/%.200s; the claims were rebuilt from the "
			"running VMs", X4_STATE_FILE, X4_RUN_DIR, de->d_name);
	}
	closedir(dp);
}

void doc_check_state_health(struct doc *d)
{
	doc_state_asides(d);

	for (unsigned i = 0; i < d->st.n_claims; i++) {
		const struct x4_claim *cl = &d->st.claims[i];
		char a[X4_PCIADDR_STRLEN];

		if (!x4_reclaim_vm_stale(cl->vm))
			continue;
		doc_row(d, DOC_WARN, "state", "sudo x4ctl vf repair (or start any VM of ours)",
			"VF %s is claimed by VM '%s', which is not running (no live QEMU in "
			"/run/libvirt/qemu): a stale claim", x4_pciaddr_format(&cl->vf, a), cl->vm);
	}
}
