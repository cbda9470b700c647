/* SPDX-License-Identifier: MIT */
/* Unit tests: lib/lifecycle (events, classify, prepare/adopt/release on the simulated X4) and
 * lib/romcache (the option ROM built from an EFI driver). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "fakesys.h"
#include "lifecycle.h"
#include "pcidev.h"
#include "plan.h"
#include "rom.h"
#include "romcache.h"
#include "state.h"
#include "vfio.h"

/* A domain with one hostdev at addr (NULL = none). */
static void mkdom(struct x4_domain *d, const char *name, const char *addr, int managed)
{
	memset(d, 0, sizeof(*d));
	snprintf(d->name, sizeof(d->name), "%s", name);
	if (addr) {
		d->n_hostdevs = 1;
		d->hostdevs[0].host = fs_addr(addr);
		d->hostdevs[0].managed = managed;
	}
}

static void drv(const char *addr, const char *want)
{
	struct x4_pciaddr a = fs_addr(addr);
	char got[64];

	assert_int_equal(x4_vfio_driver(&a, got, sizeof(got), NULL), 0);
	assert_string_equal(got, want);
}

static void test_event_parse(void **state)
{
	(void)state;
	assert_int_equal(x4_event_parse("prepare", "begin"), X4_EV_PREPARE);
	assert_int_equal(x4_event_parse("start", "begin"), X4_EV_START);
	assert_int_equal(x4_event_parse("started", "begin"), X4_EV_STARTED);
	assert_int_equal(x4_event_parse("reconnect", "begin"), X4_EV_RECONNECT);
	assert_int_equal(x4_event_parse("stopped", "end"), X4_EV_STOPPED);
	assert_int_equal(x4_event_parse("release", "end"), X4_EV_RELEASE);
	assert_int_equal(x4_event_parse("migrate", "begin"), X4_EV_FILTER);
	assert_int_equal(x4_event_parse("restore", "begin"), X4_EV_FILTER);
	assert_int_equal(x4_event_parse("attach", "begin"), X4_EV_IGNORE);
	assert_int_equal(x4_event_parse("prepare", "end"), X4_EV_IGNORE);
	assert_int_equal(x4_event_parse("", ""), X4_EV_IGNORE);
}

/* Not ours without touching sysfs: X4_ROOT points at a directory that does not exist. */
static void test_classify_without_sysfs(void **state)
{
	struct x4_config c;
	struct x4_domain d;
	struct x4_vm vm;
	struct x4_err e;

	(void)state;
	setenv("X4_ROOT", "/nonexistent-x4-root", 1);
	x4_config_defaults(&c);
	mkdom(&d, "plain", NULL, 0);
	assert_int_equal(x4_lifecycle_classify(&c, &d, &vm, &e), 0);
	mkdom(&d, "nic", "0000:02:00.0", 1);
	assert_int_equal(x4_lifecycle_classify(&c, &d, &vm, &e), 0);
	/* a [vm NAME] section makes it ours, still without sysfs */
	c.n_vms = 1;
	snprintf(c.vms[0].name, sizeof(c.vms[0].name), "nic");
	assert_int_equal(x4_lifecycle_classify(&c, &d, &vm, &e), 1);
	assert_int_equal(vm.n_vfs, 0);
	/* a hostdev in the iGPU's slot needs the PF: none here is a clear error */
	mkdom(&d, "vfvm", "0000:00:02.1", 0);
	assert_true(x4_lifecycle_classify(&c, &d, &vm, &e) < 0);
	assert_non_null(strstr(e.msg, "/sys/bus/pci"));
	unsetenv("X4_ROOT");
}

static void test_prepare_release(void **state)
{
	struct fakesys *f = *state;
	struct x4_config c;
	struct x4_domain d, d2;
	struct x4_vm vm, vm2;
	struct x4_state st;
	struct x4_plan plan;
	struct x4_err e;

	fs_sim_start(f, "default", NULL, NULL);
	x4_config_defaults(&c);
	c.host.num_vfs = 3;
	c.host.vf_teardown = X4_TEARDOWN_REMOVE;
	mkdom(&d, "win", "0000:00:02.2", 0);
	assert_int_equal(x4_lifecycle_classify(&c, &d, &vm, &e), 1);
	assert_int_equal(vm.n_vfs, 1);
	assert_int_equal(x4_lifecycle_prepare(&c, &vm, &e), 0);
	drv("0000:00:02.2", "vfio-pci");
	drv("0000:00:02.0", "i915");
	assert_int_equal(x4_state_load(&st, &e), 0);
	assert_int_equal(st.n_claims, 1);
	assert_string_equal(st.claims[0].vm, "win");
	assert_true(st.claims[0].bound_by_us);
	assert_int_equal(x4_plan_read("win", &plan, &e), 0);
	assert_true(plan.has_vf);

	/* the same VF for another VM: refused, naming the holder */
	mkdom(&d2, "other", "0000:00:02.2", 0);
	assert_int_equal(x4_lifecycle_classify(&c, &d2, &vm2, &e), 1);
	assert_int_equal(x4_lifecycle_prepare(&c, &vm2, &e), -EBUSY);
	assert_non_null(strstr(e.msg, "in use by VM 'win'"));
	/* a VF beyond num_vfs: clear error, and the claim of 'win' untouched */
	mkdom(&d2, "other", "0000:00:02.5", 0);
	assert_int_equal(x4_lifecycle_classify(&c, &d2, &vm2, &e), 1);
	assert_int_equal(x4_lifecycle_prepare(&c, &vm2, &e), -ENODEV);
	assert_non_null(strstr(e.msg, "num_vfs"));
	assert_int_equal(x4_state_load(&st, &e), 0);
	assert_int_equal(st.n_claims, 1);

	/* stopped gives the VF back but keeps the claim; release drops it and removes VFs */
	assert_int_equal(x4_lifecycle_release(&c, "win", 0, &e), 0);
	drv("0000:00:02.2", "");
	assert_int_equal(x4_state_load(&st, &e), 0);
	assert_int_equal(st.n_claims, 1);
	assert_int_equal(x4_lifecycle_release(&c, "win", 1, &e), 0);
	assert_int_equal(x4_state_load(&st, &e), 0);
	assert_int_equal(st.n_claims, 0);
	assert_int_equal(x4_plan_read("win", &plan, NULL), -ENOENT);
	assert_int_equal(x4_pcidev_exists(&vm.vfs[0].addr), 0);
	/* release of a VM we never saw: nothing to do */
	assert_int_equal(x4_lifecycle_release(&c, "never", 1, &e), 0);
}

/* Teardown never writes 0 while a VF sits on vfio-pci (the kernel would block). */
static void test_teardown_waits_for_busy_vf(void **state)
{
	struct fakesys *f = *state;
	struct x4_config c;
	struct x4_domain d;
	struct x4_vm vm;
	struct x4_pciaddr other = fs_addr("0000:00:02.3");
	struct x4_err e;
	char log[8192];

	fs_sim_start(f, "default", NULL, NULL);
	x4_config_defaults(&c);
	c.host.vf_teardown = X4_TEARDOWN_REMOVE;
	mkdom(&d, "win", "0000:00:02.1", 1);
	assert_int_equal(x4_lifecycle_classify(&c, &d, &vm, &e), 1);
	assert_int_equal(x4_lifecycle_prepare(&c, &vm, &e), 0);
	drv("0000:00:02.1", ""); /* managed='yes': libvirt binds it, not us */
	/* someone else (not ours) holds VF 3 through VFIO */
	assert_int_equal(x4_vfio_bind(&other, &vm.pf, NULL, 0, &e), 0);
	fs_sim_ctl(f, "inuse", "+0000:00:02.3");
	assert_int_equal(x4_lifecycle_release(&c, "win", 1, &e), 0);
	assert_int_equal(x4_pcidev_exists(&other), 1);
	fs_sim_log(f, log, sizeof(log));
	assert_null(strstr(log, "sriov_numvfs 0"));
	fs_sim_ctl(f, "inuse", "-0000:00:02.3");
	assert_int_equal(x4_vfio_unbind(&other, &e), 0);
}

static void test_adopt(void **state)
{
	struct fakesys *f = *state;
	struct x4_config c;
	struct x4_domain d;
	struct x4_vm vm;
	struct x4_state st;
	struct x4_err e;
	char path[1024];

	fs_sim_start(f, "default", NULL, NULL);
	x4_config_defaults(&c);
	mkdom(&d, "win", "0000:00:02.4", 0);
	assert_int_equal(x4_lifecycle_classify(&c, &d, &vm, &e), 1);
	assert_int_equal(x4_lifecycle_prepare(&c, &vm, &e), 0);
	/* the state is lost (damaged): adopt re-creates the claim from the running VM */
	snprintf(path, sizeof(path), "%s/run/x4-sriov/state.json", f->root);
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs("{ damaged", fp);
	fclose(fp);
	assert_int_equal(x4_lifecycle_adopt(&c, &vm, &e), 0);
	assert_int_equal(x4_state_load(&st, &e), 0);
	assert_int_equal(st.n_claims, 1);
	assert_true(st.claims[0].bound_by_us);
	assert_int_equal(x4_lifecycle_release(&c, "win", 1, &e), 0);
	drv("0000:00:02.4", "");
}

/* tests/fuzz/corpus/rom/NAME, found from this source file's path as compiled. */
static void corpus(char *out, size_t n, const char *name)
{
	const char *slash = strrchr(__FILE__, '/');

	snprintf(out, n, "%.*s/../fuzz/corpus/rom/%s", slash ? (int)(slash - __FILE__) : 1,
		 slash ? __FILE__ : ".", name);
}

/* A PE32+ EFI driver from the fuzz corpus becomes an EFI option ROM, once. */
static void test_romcache(void **state)
{
	char tmp[] = "/tmp/x4-romcache-XXXXXX", src[512], real[512], dst[X4_PLAN_PATH_MAX];
	struct x4_rom_info info;
	struct x4_err e;
	struct stat st1, st2;

	(void)state;
	assert_non_null(mkdtemp(tmp));
	setenv("X4_ROOT", tmp, 1);
	corpus(src, sizeof(src), "pe32plus-driver");
	assert_int_equal(x4_romcache_path(src, 0x8086, 0x46d1, dst, sizeof(dst), &e), 0);
	assert_int_equal(x4_romcache_ensure(src, dst, 0x8086, 0x46d1, &e), 0);
	snprintf(real, sizeof(real), "%s%s", tmp, dst);
	assert_int_equal(x4_rom_check_file(real, 0x8086, 0x46d1, &info, &e), 0);
	assert_int_equal(info.kind, X4_ROM_PCI_EFI);
	assert_int_equal(info.vendor, 0x8086);
	assert_int_equal(info.device, 0x46d1);
	assert_int_equal(stat(real, &st1), 0);
	assert_int_equal(st1.st_mode & 0777, 0644);
	/* up to date: not rebuilt */
	assert_int_equal(x4_romcache_ensure(src, dst, 0x8086, 0x46d1, &e), 0);
	assert_int_equal(stat(real, &st2), 0);
	assert_int_equal(st1.st_ino, st2.st_ino);
	/* a plan made for other ids (or older bytes) is not built under the wrong name */
	assert_int_equal(x4_romcache_ensure(src, dst, 0x8086, 0x46d0, &e), -ESTALE);
	/* a legacy ROM or junk is refused with a line naming the file */
	corpus(src, sizeof(src), "legacy");
	assert_int_equal(x4_romcache_path(src, 0x8086, 0x46d1, dst, sizeof(dst), &e), 0);
	assert_true(x4_romcache_ensure(src, dst, 0x8086, 0x46d1, &e) < 0);
	assert_non_null(strstr(e.msg, "legacy"));
	assert_true(x4_romcache_ensure("/nonexistent/gop.efi", dst, 0x8086, 0, &e) < 0);
	assert_non_null(strstr(e.msg, "/nonexistent/gop.efi"));
	unsetenv("X4_ROOT");
	struct fakesys f = { { 0 } };

	snprintf(f.root, sizeof(f.root), "%s", tmp);
	fs_fini(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_event_parse),
		cmocka_unit_test(test_classify_without_sysfs),
		cmocka_unit_test_setup_teardown(test_prepare_release, fs_sim_setup, fs_sim_teardown),
		cmocka_unit_test_setup_teardown(test_teardown_waits_for_busy_vf, fs_sim_setup, fs_sim_teardown),
		cmocka_unit_test_setup_teardown(test_adopt, fs_sim_setup, fs_sim_teardown),
		cmocka_unit_test(test_romcache),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
