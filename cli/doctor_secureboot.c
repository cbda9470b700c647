/* SPDX-License-Identifier: MIT */
/* doctor, Secure Boot (F2): the SecureBoot efivar, lockdown, the dkms signing key in the MOK
 * list, the kernel's taint and its "unsigned module" lines. No mokutil needed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doctor.h"

#define SB_EFIVAR "/sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c"
#define SB_MOKLIST "/sys/firmware/efi/mok-variables/MokListRT"
#define SB_MOKLIST_VAR "/sys/firmware/efi/efivars/MokListRT-605dab50-e046-4300-abb6-3dd810dd8b23"
#define SB_MOK_PUB "/var/lib/dkms/mok.pub"
#define SB_TAINT_E (1ul << 13) /* /proc/sys/kernel/tainted: an unsigned module was loaded */
#define SB_MOK_FIX                                                                                 \
	"mokutil --import " SB_MOK_PUB ", reboot, and in the blue MOK manager choose Enroll MOK > "  \
	"Continue > Yes and type the one-time password; or turn Secure Boot off in the firmware"

/* The efivar: 4 attribute bytes, then the value. 1 on, 0 off, -1 unknown. */
static int sb_state(void)
{
	size_t len = 0;
	char *v = doc_read_host(SB_EFIVAR, 64, &len);
	int on = -1;

	if (v && len >= 5)
		on = v[4] == 1;
	free(v);
	return on;
}

/* The dkms key in the MOK list the shim passes to the kernel: 1, 0, -1 unknown. */
static int sb_mok_enrolled(void)
{
	size_t klen = 0, llen = 0;
	char *key = doc_read_host(SB_MOK_PUB, 64 * 1024, &klen), *list;
	int rc = -1;

	if (!key || klen < 64) {
		free(key);
		return -1;
	}
	list = doc_read_host(SB_MOKLIST, 1u << 20, &llen);
	if (!list)
		list = doc_read_host(SB_MOKLIST_VAR, 1u << 20, &llen);
	if (list)
		rc = memmem(list, llen, key, klen) != NULL;
	free(list);
	free(key);
	return rc;
}

void doc_check_secureboot(struct doc *d)
{
	static const char *const refused[] = {"Loading of unsigned module is rejected",
					       "Key was rejected by service",
					       "unsigned module loading is restricted",
					       "Lockdown: modprobe"};
	struct doc_mod m;
	char lock[128] = "", line[256] = "", sig[1024], *t;
	unsigned long tainted = 0;
	int on, mok;
	size_t i, o;

	if (!doc_exists("/sys/firmware/efi")) {
		doc_emit(d, DOC_PASS, "secure-boot", NULL, NULL,
			 "no /sys/firmware/efi: legacy BIOS boot, no Secure Boot");
		return;
	}
	on = sb_state();
	t = doc_read_host("/proc/sys/kernel/tainted", 32, NULL);
	if (t)
		tainted = strtoul(t, NULL, 10);
	free(t);
	t = doc_read_host("/sys/kernel/security/lockdown", 127, NULL);
	if (t && strchr(t, '['))
		snprintf(lock, sizeof(lock), "%.*s", (int)strcspn(strchr(t, '['), "\n"),
			 strchr(t, '['));
	free(t);
	if (on < 0) {
		doc_emit(d, DOC_SKIP, "secure-boot", "Secure Boot not checked",
			 "run mokutil --sb-state to see it",
			 "cannot read the SecureBoot efivar (" SB_EFIVAR ")%s%s",
			 lock[0] ? "; lockdown " : "", lock);
		return;
	}
	if (!on) {
		doc_log(d, "module verification failed", line, sizeof(line));
		doc_emit(d, DOC_PASS, "secure-boot", NULL, NULL, "Secure Boot off (SecureBoot efivar = 0)%s%s%s",
			 line[0] ? "; the log's '" : "", line,
			 line[0] ? "' is harmless with Secure Boot off" : "");
		return;
	}
	doc_module_facts(d, &m);
	mok = sb_mok_enrolled();
	o = (size_t)snprintf(sig, sizeof(sig), "Secure Boot on (SecureBoot efivar = 1)");
	if (lock[0])
		o += (size_t)snprintf(sig + o, sizeof(sig) - o, ", lockdown %s", lock);
	o += (size_t)snprintf(sig + o, sizeof(sig) - o, ", %s",
			      !doc_exists(SB_MOK_PUB) ? "no dkms key " SB_MOK_PUB
			      : mok == 1	      ? SB_MOK_PUB " enrolled"
			      : mok == 0	      ? SB_MOK_PUB " not enrolled (not in MokListRT)"
						      : SB_MOK_PUB " enrollment unknown (no MokListRT)");
	if (tainted & SB_TAINT_E)
		o += (size_t)snprintf(sig + o, sizeof(sig) - o, ", kernel taint E");
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		if (doc_log(d, refused[i], line, sizeof(line))) {
			snprintf(sig + o, sizeof(sig) - o, "; log: %s", line);
			break;
		}
	if (doc_mod_sriov_i915(&m) || strcmp(m.bound, "xe") == 0)
		doc_emit(d, DOC_PASS, "secure-boot", NULL, NULL, "%s; the GPU module loaded", sig);
	else if (line[0] || mok == 0 || m.ko[0])
		doc_emit(d, DOC_FAIL, "secure-boot",
			 "the kernel only loads modules signed by an enrolled key: it refused the "
			 "dkms i915",
			 SB_MOK_FIX, "%s", sig);
	else
		doc_emit(d, DOC_WARN, "secure-boot",
			 "once i915-sriov-dkms is built, its key must be enrolled or the module "
			 "will not load",
			 SB_MOK_FIX, "%s", sig);
}
