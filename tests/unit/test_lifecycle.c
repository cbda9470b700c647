/* SPDX-License-Identifier: MIT */
/* Unit tests: lib/lifecycle (events, classify, prepare/adopt/release on the simulated X4) and
 * lib/romcache (the option ROM built from an EFI driver). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <cmocka.h>

#include "fakesys.h"
#include "iommu.h"
#include "lifecycle.h"
#include "pcidev.h"
#include "plan.h"
#include "reclaim.h"
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

/* A domain with two hostdevs. */
static void mkdom2(struct x4_domain *d, const char *name, const char *a1, int m1, const char *a2,
		   int m2)
{
	mkdom(d, name, a1, m1);
	d->n_hostdevs = 2;
	d->hostdevs[1].host = fs_addr(a2);
	d->hostdevs[1].managed = m2;
}

static void plan_text(const char *vm, char *out, size_t n)
{
	struct x4_plan p;
	struct x4_err e;

	assert_int_equal(x4_plan_read(vm, &p, &e), 0);
	snprintf(out, n, "%d %s %d %s", p.has_vf, p.rom, (int)p.lg, p.lg_path);
	if (p.has_vf) {
		char a[X4_PCIADDR_STRLEN];
		size_t l = strlen(out);

		snprintf(out + l, n - l, " %s", x4_pciaddr_format(&p.vf, a));
	}
}

/* Regression (issue 10, defect 1): a second prepare of a VM that still holds its claim (a
 * release that never ran) is idempotent: rc 0, same VF, same plan, nothing marked wrongly. */
static void reprepare_one(struct fakesys *f, struct x4_domain *d, unsigned n_expect)
{
	struct x4_config c;
	struct x4_vm vm;
	struct x4_state st, st2;
	struct x4_err e;
	char p1[1024], p2[1024];

	fs_sim_start(f, "default", NULL, NULL);
	x4_config_defaults(&c);
	assert_int_equal(x4_lifecycle_classify(&c, d, &vm, &e), 1);
	assert_int_equal(vm.n_vfs, n_expect);
	assert_int_equal(x4_lifecycle_prepare(&c, &vm, &e), 0);
	assert_int_equal(x4_state_load(&st, &e), 0);
	plan_text(d->name, p1, sizeof(p1));
	assert_int_equal(x4_lifecycle_prepare(&c, &vm, &e), 0);
	assert_int_equal(x4_state_load(&st2, &e), 0);
	plan_text(d->name, p2, sizeof(p2));
	assert_string_equal(p1, p2);
	assert_int_equal(st2.n_claims, st.n_claims);
	for (unsigned i = 0; i < st.n_claims; i++) {
		assert_true(x4_pciaddr_equal(&st.claims[i].vf, &st2.claims[i].vf));
		assert_string_equal(st2.claims[i].vm, d->name);
		assert_int_equal(st2.claims[i].bound_by_us, st.claims[i].bound_by_us);
	}
	for (unsigned i = 0; i < vm.n_vfs; i++) {
		char a[X4_PCIADDR_STRLEN];

		drv(x4_pciaddr_format(&vm.vfs[i].addr, a), vm.vfs[i].managed ? "" : "vfio-pci");
	}
	/* the release after it gives back exactly what we bound */
	assert_int_equal(x4_lifecycle_release(&c, d->name, 1, &e), 0);
	for (unsigned i = 0; i < vm.n_vfs; i++) {
		char a[X4_PCIADDR_STRLEN];

		drv(x4_pciaddr_format(&vm.vfs[i].addr, a), "");
	}
	assert_int_equal(x4_state_load(&st2, &e), 0);
	assert_int_equal(st2.n_claims, 0);
	fs_sim_stop(f);
}

static void test_reprepare_idempotent(void **state)
{
	struct fakesys *f = *state;
	struct x4_domain d;

	mkdom(&d, "win", "0000:00:02.1", 0);
	reprepare_one(f, &d, 1);
	mkdom(&d, "win", "0000:00:02.1", 1);
	reprepare_one(f, &d, 1);
	mkdom2(&d, "win", "0000:00:02.1", 0, "0000:00:02.3", 0);
	reprepare_one(f, &d, 2);
	mkdom2(&d, "win", "0000:00:02.2", 1, "0000:00:02.4", 0);
	reprepare_one(f, &d, 2);
}

/* Defect 1, the wrong-VF half: the VM holds VF 1 (managed='no'); a new prepare lists VF 3
 * (managed='yes', new claim), VF 1 and VF 7, which someone else holds on vfio-pci, so the
 * prepare fails after VF 1's bind. The undo must not touch VF 3 (never bound by us) nor VF 1
 * (its claim predates this call). */
static void test_reprepare_undo_marks_right_vf(void **state)
{
	struct fakesys *f = *state;
	struct x4_pciaddr seven = fs_addr("0000:00:02.7");
	struct x4_config c;
	struct x4_domain d;
	struct x4_vm vm;
	struct x4_state st;
	struct x4_err e;
	char log[16384];

	fs_sim_start(f, "default", NULL, NULL);
	x4_config_defaults(&c);
	mkdom(&d, "win", "0000:00:02.1", 0);
	assert_int_equal(x4_lifecycle_classify(&c, &d, &vm, &e), 1);
	assert_int_equal(x4_lifecycle_prepare(&c, &vm, &e), 0);
	assert_int_equal(x4_vfio_bind(&seven, &vm.pf, NULL, 0, &e), 0);
	mkdom2(&d, "win", "0000:00:02.3", 1, "0000:00:02.1", 0);
	d.n_hostdevs = 3;
	d.hostdevs[2].host = seven;
	assert_int_equal(x4_lifecycle_classify(&c, &d, &vm, &e), 1);
	assert_int_equal(vm.n_vfs, 3);
	assert_int_equal(x4_lifecycle_prepare(&c, &vm, &e), -EBUSY);
	fs_sim_log(f, log, sizeof(log));
	assert_null(strstr(log, "0000:00:02.3/driver_override"));
	drv("0000:00:02.1", "vfio-pci");
	assert_int_equal(x4_state_load(&st, &e), 0);
	assert_int_equal(st.n_claims, 1);
	assert_true(x4_pciaddr_equal(&st.claims[0].vf, &vm.vfs[1].addr));
	assert_true(st.claims[0].bound_by_us);
	assert_int_equal(x4_vfio_unbind(&seven, &e), 0);
}

/* Regression (issue 10, defect 5): a VM passing the PF itself is refused at prepare with the
 * "never pass the PF" line, and nothing on the host changes. */
static void test_prepare_refuses_pf(void **state)
{
	struct fakesys *f = *state;
	struct x4_config c;
	struct x4_domain d;
	struct x4_vm vm;
	struct x4_state st;
	struct x4_err e;
	char log[4096];

	fs_sim_start(f, "default", NULL, NULL);
	x4_config_defaults(&c);
	mkdom(&d, "gvtd", "0000:00:02.0", 1);
	assert_int_equal(x4_lifecycle_classify(&c, &d, &vm, &e), 1);
	assert_int_equal(x4_lifecycle_prepare(&c, &vm, &e), -EPERM);
	assert_non_null(strstr(e.msg, "never pass the PF"));
	assert_non_null(strstr(e.msg, "0000:00:02.0"));
	/* also next to a VF, and with the PF configured by address */
	mkdom2(&d, "gvtd", "0000:00:02.1", 0, "0000:00:02.0", 0);
	c.host.pf_auto = 0;
	c.host.pf = fs_addr("0000:00:02.0");
	assert_int_equal(x4_lifecycle_classify(&c, &d, &vm, &e), 1);
	assert_int_equal(x4_lifecycle_prepare(&c, &vm, &e), -EPERM);
	fs_sim_log(f, log, sizeof(log));
	assert_string_equal(log, "");
	assert_int_equal(x4_state_load(&st, &e), 0);
	assert_int_equal(st.n_claims, 0);
	drv("0000:00:02.0", "i915");
	/* a NIC passed through is still not ours */
	mkdom(&d, "nic", "0000:01:00.0", 1);
	assert_int_equal(x4_lifecycle_classify(&c, &d, &vm, &e), 0);
}

/* Regression (issue 10, defect 7): vf_teardown in [vm NAME] decides at that VM's release. */
static void test_release_vm_teardown(void **state)
{
	struct fakesys *f = *state;
	struct x4_config c;
	struct x4_domain d;
	struct x4_vm vm;
	struct x4_err e;
	char text[] = "[host]\nvf_teardown = keep\n[vm win]\nvf_teardown = remove\n"
		      "[vm keeper]\nvf_teardown = keep\n";
	char path[1024];
	FILE *fp;

	fs_sim_start(f, "default", NULL, NULL);
	snprintf(path, sizeof(path), "%s/x4.conf", f->root);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	assert_int_equal(x4_config_load_file(&c, path, &e), 0);
	mkdom(&d, "win", "0000:00:02.1", 0);
	assert_int_equal(x4_lifecycle_classify(&c, &d, &vm, &e), 1);
	assert_int_equal(x4_lifecycle_prepare(&c, &vm, &e), 0);
	assert_int_equal(x4_lifecycle_release(&c, "win", 1, &e), 0);
	assert_int_equal(x4_pcidev_exists(&vm.vfs[0].addr), 0);
	/* [host] remove, [vm keeper] keep: keeper's release keeps the VFs */
	c.host.vf_teardown = X4_TEARDOWN_REMOVE;
	mkdom(&d, "keeper", "0000:00:02.1", 0);
	assert_int_equal(x4_lifecycle_classify(&c, &d, &vm, &e), 1);
	assert_int_equal(x4_lifecycle_prepare(&c, &vm, &e), 0);
	assert_int_equal(x4_lifecycle_release(&c, "keeper", 1, &e), 0);
	assert_int_equal(x4_pcidev_exists(&vm.vfs[0].addr), 1);
}

/* A pretend QEMU for vm: libvirt's pid file, /proc/PID/comm, and (group >= 0) an open
 * /dev/vfio/GROUP in /proc/PID/fd, as the kernel shows them. */
static void fake_qemu(struct fakesys *f, const char *vm, int pid, const char *comm, int group)
{
	char text[32];

	snprintf(text, sizeof(text), "%d\n", pid);
	fs_file(f, text, "run/libvirt/qemu/%s.pid", vm);
	fs_file(f, comm, "proc/%d/comm", pid);
	fs_link(f, "/dev/null", "proc/%d/fd/0", pid);
	if (group >= 0) {
		snprintf(text, sizeof(text), "/dev/vfio/%d", group);
		fs_link(f, text, "proc/%d/fd/27", pid);
	}
}

/* Make vm's plan look prepared an hour ago (past the grace a starting VM gets). */
static void age_plan(struct fakesys *f, const char *vm)
{
	char rel[256], p[1024];
	struct timespec ts[2] = { { 0, 0 }, { 0, 0 } };

	snprintf(rel, sizeof(rel), "run/x4-sriov/vm/%s.json", vm);
	fs_path(f, p, sizeof(p), rel);
	ts[0].tv_sec = ts[1].tv_sec = time(NULL) - 3600;
	assert_int_equal(utimensat(AT_FDCWD, p, ts, AT_SYMLINK_NOFOLLOW), 0);
}

static int count_aside(struct fakesys *f, char *first, size_t n)
{
	char p[512];
	struct dirent *de;
	DIR *d;
	int count = 0;

	fs_path(f, p, sizeof(p), "run/x4-sriov");
	d = opendir(p);
	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		if (!strncmp(de->d_name, "state.json.damaged-", 19) && count++ == 0)
			snprintf(first, n, "%.511s/%.255s", p, de->d_name);
	closedir(d);
	return count;
}

/* Regression (issue 10, defect 6): a damaged state.json is kept aside, never saved over, and
 * the claims of running VMs are rebuilt from the kernel before the next save. */
static void test_damaged_state_rebuilt(void **state)
{
	struct fakesys *f = *state;
	struct x4_config c;
	struct x4_domain d;
	struct x4_vm vm, vm2;
	struct x4_state st;
	struct x4_err e;
	char aside[1024], buf[64];
	unsigned group;

	fs_sim_start(f, "default", NULL, NULL);
	x4_config_defaults(&c);
	mkdom(&d, "win", "0000:00:02.4", 0);
	assert_int_equal(x4_lifecycle_classify(&c, &d, &vm, &e), 1);
	assert_int_equal(x4_lifecycle_prepare(&c, &vm, &e), 0);
	assert_int_equal(x4_iommu_group(&vm.vfs[0].addr, &group, &e), 0);
	fake_qemu(f, "win", 4242, "qemu-system-x86\n", (int)group);
	fake_qemu(f, "idle", 4243, "qemu-system-x86\n", -1);
	fs_file(f, "{ damaged", "run/x4-sriov/state.json");
	/* another VM wants win's VF: refused naming win, from the rebuilt claim */
	mkdom(&d, "other", "0000:00:02.4", 0);
	assert_int_equal(x4_lifecycle_classify(&c, &d, &vm2, &e), 1);
	assert_int_equal(x4_lifecycle_prepare(&c, &vm2, &e), -EBUSY);
	assert_non_null(strstr(e.msg, "in use by VM 'win'"));
	assert_int_equal(count_aside(f, aside, sizeof(aside)), 1);
	FILE *fp = fopen(aside, "r");

	assert_non_null(fp);
	assert_non_null(fgets(buf, sizeof(buf), fp));
	fclose(fp);
	assert_string_equal(buf, "{ damaged");
	assert_int_equal(x4_state_load(&st, &e), 0);
	assert_int_equal(st.n_claims, 1);
	assert_string_equal(st.claims[0].vm, "win");
	assert_false(st.claims[0].bound_by_us); /* unknown until win's reconnect says managed='no' */
	mkdom(&d, "win", "0000:00:02.4", 0);
	assert_int_equal(x4_lifecycle_adopt(&c, &vm, &e), 0);
	assert_int_equal(x4_state_load(&st, &e), 0);
	assert_true(st.claims[0].bound_by_us);
	/* damaged again: a second copy, the first kept as it was */
	fs_file(f, "[]", "run/x4-sriov/state.json");
	assert_int_equal(x4_lifecycle_release(&c, "win", 0, &e), 0);
	assert_int_equal(count_aside(f, aside, sizeof(aside)), 2);
	/* who bound it is lost with the file: the VF is left on vfio-pci, never guessed */
	drv("0000:00:02.4", "vfio-pci");
	assert_int_equal(x4_lifecycle_release(&c, "win", 1, &e), 0);
	assert_int_equal(x4_state_load(&st, &e), 0);
	assert_int_equal(st.n_claims, 0);
	assert_int_equal(x4_vfio_unbind(&vm.vfs[0].addr, &e), 0);
}

/* Regression (issue 10, stale claims): the claim of a VM that is not running (no pid file, a
 * dead pid, a pid reused by another program) is reclaimed at the next prepare; a live QEMU
 * keeps its claim. */
static void test_stale_claim_reclaimed(void **state)
{
	struct fakesys *f = *state;
	struct x4_config c;
	struct x4_domain d;
	struct x4_vm vm, vm2;
	struct x4_state st;
	struct x4_plan plan;
	struct x4_err e;

	fs_sim_start(f, "default", NULL, NULL);
	x4_config_defaults(&c);
	mkdom(&d, "gone", "0000:00:02.2", 0);
	assert_int_equal(x4_lifecycle_classify(&c, &d, &vm, &e), 1);
	assert_int_equal(x4_lifecycle_prepare(&c, &vm, &e), 0);
	age_plan(f, "gone");
	mkdom(&d, "next", "0000:00:02.2", 0);
	assert_int_equal(x4_lifecycle_classify(&c, &d, &vm2, &e), 1);
	/* running: a live QEMU in libvirt's pid file */
	fake_qemu(f, "gone", 5000, "qemu-system-x86\n", -1);
	assert_int_equal(x4_reclaim_vm_stale("gone"), 0);
	assert_int_equal(x4_lifecycle_prepare(&c, &vm2, &e), -EBUSY);
	/* the pid now belongs to a shell, then it is gone, then the pid file is too */
	fs_file(f, "bash\n", "proc/5000/comm");
	assert_int_equal(x4_reclaim_vm_stale("gone"), 1);
	fs_unlink(f, "proc/5000/comm");
	assert_int_equal(x4_reclaim_vm_stale("gone"), 1);
	fs_unlink(f, "run/libvirt/qemu/gone.pid");
	assert_int_equal(x4_reclaim_vm_stale("gone"), 1);
	assert_int_equal(x4_lifecycle_prepare(&c, &vm2, &e), 0);
	assert_int_equal(x4_state_load(&st, &e), 0);
	assert_int_equal(st.n_claims, 1);
	assert_string_equal(st.claims[0].vm, "next");
	assert_true(st.claims[0].bound_by_us);
	assert_int_equal(x4_plan_read("gone", &plan, NULL), -ENOENT);
	drv("0000:00:02.2", "vfio-pci");
	assert_int_equal(x4_lifecycle_release(&c, "next", 1, &e), 0);
	drv("0000:00:02.2", "");
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

/* Regression (issue 13, item 6): a step that failed without filling e (x4_vfio_driver asked
 * with e = NULL) made adopt return -e->code, that is 0: success, with the claim skipped. The
 * callee's own rc is returned now, and its message with it. */
static void test_adopt_fails_when_vf_vanished(void **state)
{
	struct fakesys *f = *state;
	struct x4_config c;
	struct x4_domain d;
	struct x4_vm vm;
	struct x4_state st;
	struct x4_err e;

	fs_n100_vfs(f, 7);
	x4_config_defaults(&c);
	mkdom(&d, "win", "0000:00:02.4", 0);
	x4_err_clear(&e);
	assert_int_equal(x4_lifecycle_classify(&c, &d, &vm, &e), 1);
	assert_int_equal(vm.n_vfs, 1);
	/* the VF is gone between libvirt's start and the hook's adopt */
	fs_unlink(f, "sys/bus/pci/devices/0000:00:02.4");
	x4_err_clear(&e);
	assert_int_equal(x4_lifecycle_adopt(&c, &vm, &e), -ENODEV);
	assert_int_equal(e.code, ENODEV);
	assert_non_null(strstr(e.msg, "0000:00:02.4"));
	assert_int_equal(x4_state_load(&st, &e), 0);
	assert_int_equal(st.n_claims, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_event_parse),
		cmocka_unit_test(test_classify_without_sysfs),
		cmocka_unit_test_setup_teardown(test_prepare_release, fs_sim_setup, fs_sim_teardown),
		cmocka_unit_test_setup_teardown(test_teardown_waits_for_busy_vf, fs_sim_setup, fs_sim_teardown),
		cmocka_unit_test_setup_teardown(test_adopt, fs_sim_setup, fs_sim_teardown),
		cmocka_unit_test_setup_teardown(test_reprepare_idempotent, fs_sim_setup, fs_sim_teardown),
		cmocka_unit_test_setup_teardown(test_reprepare_undo_marks_right_vf, fs_sim_setup, fs_sim_teardown),
		cmocka_unit_test_setup_teardown(test_prepare_refuses_pf, fs_sim_setup, fs_sim_teardown),
		cmocka_unit_test_setup_teardown(test_release_vm_teardown, fs_sim_setup, fs_sim_teardown),
		cmocka_unit_test_setup_teardown(test_damaged_state_rebuilt, fs_sim_setup, fs_sim_teardown),
		cmocka_unit_test_setup_teardown(test_stale_claim_reclaimed, fs_sim_setup, fs_sim_teardown),
		cmocka_unit_test(test_romcache),
		cmocka_unit_test_setup_teardown(test_adopt_fails_when_vf_vanished, fs_n100_setup,
						fs_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
