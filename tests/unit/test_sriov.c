/* SPDX-License-Identifier: MIT */
/* Unit tests: lib/sriov on plain fake sysfs trees (reads, PF discovery, VF mapping, refusals). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fakesys.h"
#include "sriov.h"

static const char *F(const struct x4_pciaddr *a)
{
	static char s[4][X4_PCIADDR_STRLEN];
	static int i;

	i = (i + 1) % 4;
	return x4_pciaddr_format(a, s[i]);
}

#define PF_DIR "sys/devices/pci0000:00/0000:00:02.0"

static void test_find_pf_auto(void **state)
{
	struct fakesys *f = *state;
	struct x4_pciaddr pf;
	struct x4_err e;

	assert_int_equal(x4_sriov_find_pf(NULL, &pf, &e), 0);
	assert_string_equal(F(&pf), "0000:00:02.0");
	/* a second Intel GPU with SR-IOV loses to 00:02.0 ... */
	fs_dev(f, "0000:03:00.0", 0x8086, 0x56a0, 0x038000);
	fs_sriov(f, "0000:03:00.0", "16\n", "0\n", 0, 0);
	assert_int_equal(x4_sriov_find_pf(NULL, &pf, &e), 0);
	assert_string_equal(F(&pf), "0000:00:02.0");
	/* ... but is taken when 00:02.0 has no SR-IOV */
	fs_attr(f, "0000:00:02.0", "sriov_totalvfs", "0\n");
	assert_int_equal(x4_sriov_find_pf(NULL, &pf, &e), 0);
	assert_string_equal(F(&pf), "0000:03:00.0");
}

static void test_find_pf_auto_ignores_non_gpus(void **state)
{
	struct fakesys *f = *state;
	struct x4_pciaddr pf;
	struct x4_err e;

	fs_unlink(f, PF_DIR "/sriov_totalvfs");
	/* SR-IOV NVMe (Intel vendor, storage class) and a non-Intel GPU with SR-IOV */
	fs_sriov(f, "0000:01:00.0", "2\n", "0\n", 1, 1);
	fs_attr(f, "0000:01:00.0", "vendor", "0x8086\n");
	fs_dev(f, "0000:04:00.0", 0x1002, 0x7310, 0x030000);
	fs_sriov(f, "0000:04:00.0", "4\n", "0\n", 0, 0);
	assert_int_equal(x4_sriov_find_pf(NULL, &pf, &e), -ENODEV);
	assert_string_equal(e.msg, "0000:00:02.0 has no SR-IOV: is i915-sriov-dkms loaded with "
				   "i915.max_vfs=7? (x4ctl doctor)");
}

static void test_find_pf_auto_hints(void **state)
{
	struct fakesys *f = *state;
	struct x4_pciaddr pf;
	struct x4_err e;

	fs_driver(f, "0000:00:02.0", "xe");
	fs_attr(f, "0000:00:02.0", "sriov_totalvfs", "0\n");
	assert_int_equal(x4_sriov_find_pf(NULL, &pf, &e), -ENODEV);
	assert_non_null(strstr(e.msg, "xe.max_vfs=7"));
	/* garbage in the preferred PF's attribute is reported as such */
	fs_attr(f, "0000:00:02.0", "sriov_totalvfs", "seven\n");
	assert_int_equal(x4_sriov_find_pf(NULL, &pf, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "sriov_totalvfs"));
	/* no Intel GPU at all */
	fs_attr(f, "0000:00:02.0", "vendor", "0x1234\n");
	assert_int_equal(x4_sriov_find_pf(NULL, &pf, &e), -ENODEV);
	assert_non_null(strstr(e.msg, "no Intel GPU with SR-IOV"));
	assert_non_null(strstr(e.msg, "pf ="));
}

static void test_find_pf_configured(void **state)
{
	struct fakesys *f = *state;
	struct x4_settings s;
	struct x4_pciaddr pf;
	struct x4_err e;

	memset(&s, 0, sizeof(s));
	s.pf_auto = 0;
	s.pf = fs_addr("0000:01:00.0");
	/* not a GPU: no SR-IOV -> a generic hint, not the i915 one */
	assert_int_equal(x4_sriov_find_pf(&s, &pf, &e), -ENOTSUP);
	assert_non_null(strstr(e.msg, "0000:01:00.0"));
	assert_null(strstr(e.msg, "i915"));
	/* an SR-IOV NVMe is a fine PF when configured */
	fs_sriov(f, "0000:01:00.0", "2\n", "0\n", 1, 1);
	assert_int_equal(x4_sriov_find_pf(&s, &pf, &e), 0);
	assert_string_equal(F(&pf), "0000:01:00.0");
	fs_attr(f, "0000:01:00.0", "sriov_totalvfs", "0\n");
	assert_int_equal(x4_sriov_find_pf(&s, &pf, &e), -ENODEV);
	s.pf = fs_addr("0000:00:07.0");
	assert_int_equal(x4_sriov_find_pf(&s, &pf, &e), -ENODEV);
	assert_non_null(strstr(e.msg, "pf = 0000:00:07.0"));
	s.pf_auto = 1;
	assert_int_equal(x4_sriov_find_pf(&s, &pf, &e), 0);
	assert_string_equal(F(&pf), "0000:00:02.0");
}

static void test_counts(void **state)
{
	struct fakesys *f = *state;
	struct x4_pciaddr pf = fs_addr("0000:00:02.0"), nv = fs_addr("0000:01:00.0"), no = fs_addr("0000:00:09.0");
	unsigned n = 99;
	struct x4_err e;

	assert_int_equal(x4_sriov_totalvfs(&pf, &n, &e), 0);
	assert_int_equal(n, 7);
	assert_int_equal(x4_sriov_numvfs(&pf, &n, &e), 0);
	assert_int_equal(n, 0);
	assert_int_equal(x4_sriov_totalvfs(&nv, &n, &e), -ENOTSUP);
	assert_int_equal(x4_sriov_totalvfs(&no, &n, &e), -ENODEV);
	fs_attr(f, "0000:00:02.0", "sriov_totalvfs", "7 VFs\n");
	assert_int_equal(x4_sriov_totalvfs(&pf, &n, &e), -EINVAL);
	fs_attr(f, "0000:00:02.0", "sriov_totalvfs", "-1\n");
	assert_int_equal(x4_sriov_totalvfs(&pf, &n, &e), -EINVAL);
	fs_attr(f, "0000:00:02.0", "sriov_totalvfs", "");
	assert_int_equal(x4_sriov_totalvfs(&pf, &n, &e), -EINVAL);
	fs_attr(f, "0000:00:02.0", "sriov_numvfs", "70000\n");
	assert_int_equal(x4_sriov_numvfs(&pf, &n, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "sriov_numvfs"));
}

static void test_autoprobe(void **state)
{
	struct fakesys *f = *state;
	struct x4_pciaddr pf = fs_addr("0000:00:02.0"), nv = fs_addr("0000:01:00.0");
	struct x4_err e;
	char buf[16];
	int on = -1;

	assert_int_equal(x4_sriov_get_autoprobe(&pf, &on, &e), 0);
	assert_int_equal(on, 1);
	assert_int_equal(x4_sriov_set_autoprobe(&pf, 0, &e), 0);
	fs_read(f, PF_DIR "/sriov_drivers_autoprobe", buf, sizeof(buf));
	assert_string_equal(buf, "0");
	assert_int_equal(x4_sriov_get_autoprobe(&pf, &on, &e), 0);
	assert_int_equal(on, 0);
	assert_int_equal(x4_sriov_set_autoprobe(&pf, 1, &e), 0);
	fs_read(f, PF_DIR "/sriov_drivers_autoprobe", buf, sizeof(buf));
	assert_string_equal(buf, "1");
	fs_attr(f, "0000:00:02.0", "sriov_drivers_autoprobe", "2\n");
	assert_int_equal(x4_sriov_get_autoprobe(&pf, &on, &e), -EINVAL);
	assert_int_equal(x4_sriov_get_autoprobe(&nv, &on, &e), -ENOENT);
	assert_int_equal(x4_sriov_set_autoprobe(&nv, 0, &e), -ENOENT);
}

static void test_vf_addr(void **state)
{
	struct fakesys *f = *state;
	struct x4_pciaddr pf = fs_addr("0000:00:02.0"), vf;
	struct x4_err e;

	fs_n100_vfs(f, 3);
	assert_int_equal(x4_sriov_vf_addr(&pf, 1, &vf, &e), 0);
	assert_string_equal(F(&vf), "0000:00:02.1");
	assert_int_equal(x4_sriov_vf_addr(&pf, 3, &vf, &e), 0);
	assert_string_equal(F(&vf), "0000:00:02.3");
	assert_int_equal(x4_sriov_vf_addr(&pf, 0, &vf, &e), -EINVAL);
	assert_int_equal(x4_sriov_vf_addr(&pf, 4, &vf, &e), -ENOENT);
	assert_non_null(strstr(e.msg, "has 3 VFs"));
	/* a dangling link: the VF the kernel named is gone */
	fs_link(f, "../0000:00:02.6", PF_DIR "/virtfn2");
	assert_int_equal(x4_sriov_vf_addr(&pf, 3, &vf, &e), -ENOENT);
	assert_non_null(strstr(e.msg, "does not exist"));
	/* a link that does not name a PCI device */
	fs_link(f, "../../x", PF_DIR "/virtfn1");
	assert_int_equal(x4_sriov_vf_addr(&pf, 2, &vf, &e), -EINVAL);
}

static void test_vf_index(void **state)
{
	struct fakesys *f = *state;
	struct x4_pciaddr pf = fs_addr("0000:00:02.0"), nv = fs_addr("0000:01:00.0"), v;
	unsigned idx = 0;
	struct x4_err e;

	fs_n100_vfs(f, 3);
	v = fs_addr("0000:00:02.2");
	assert_int_equal(x4_sriov_vf_index(&pf, &v, &idx, &e), 0);
	assert_int_equal(idx, 2);
	assert_int_equal(x4_sriov_vf_index(&pf, &pf, &idx, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "not an SR-IOV VF"));
	assert_int_equal(x4_sriov_vf_index(&nv, &v, &idx, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "VF of 0000:00:02.0, not of 0000:01:00.0"));
	v = fs_addr("0000:00:02.5");
	assert_int_equal(x4_sriov_vf_index(&pf, &v, &idx, &e), -ENODEV);
	/* physfn says yes but no virtfn points back */
	fs_unlink(f, PF_DIR "/virtfn2");
	v = fs_addr("0000:00:02.3");
	assert_int_equal(x4_sriov_vf_index(&pf, &v, &idx, &e), -ENOENT);
}

static void test_is_vf_of(void **state)
{
	struct fakesys *f = *state;
	struct x4_pciaddr pf = fs_addr("0000:00:02.0"), nv = fs_addr("0000:01:00.0"), v;
	struct x4_err e;

	fs_n100_vfs(f, 2);
	v = fs_addr("0000:00:02.1");
	assert_int_equal(x4_sriov_is_vf_of(&pf, &v), 1);
	assert_int_equal(x4_sriov_is_vf_of(&nv, &v), 0);
	assert_int_equal(x4_sriov_is_vf_of(&pf, &pf), 0);
	assert_int_equal(x4_sriov_is_vf_of(&pf, &nv), 0); /* exists, no physfn */
	v = fs_addr("0000:00:02.7"); /* not created yet: offset 1, stride 1, total 7 */
	assert_int_equal(x4_sriov_is_vf_of(&pf, &v), 1);
	v = fs_addr("0000:00:03.0");
	assert_int_equal(x4_sriov_is_vf_of(&pf, &v), 0);
	v = fs_addr("0001:00:02.3");
	assert_int_equal(x4_sriov_is_vf_of(&pf, &v), 0);

	/* routing-ID arithmetic across a slot boundary: offset 4, stride 2, total 3 */
	fs_sriov(f, "0000:01:00.0", "3\n", "0\n", 4, 2);
	v = fs_addr("0000:01:00.4");
	assert_int_equal(x4_sriov_is_vf_of(&nv, &v), 1);
	v = fs_addr("0000:01:00.6");
	assert_int_equal(x4_sriov_is_vf_of(&nv, &v), 1);
	v = fs_addr("0000:01:01.0");
	assert_int_equal(x4_sriov_is_vf_of(&nv, &v), 1);
	assert_int_equal(x4_sriov_vf_addr_expected(&nv, 3, &v, &e), 0);
	assert_string_equal(F(&v), "0000:01:01.0");
	assert_int_equal(x4_sriov_vf_addr_expected(&nv, 4, &v, &e), -ERANGE);
	v = fs_addr("0000:01:00.5");
	assert_int_equal(x4_sriov_is_vf_of(&nv, &v), 0);
	v = fs_addr("0000:01:01.2");
	assert_int_equal(x4_sriov_is_vf_of(&nv, &v), 0);

	/* without offset/stride: function+1..total in the PF's slot */
	fs_unlink(f, "sys/devices/pci0000:01/0000:01:00.0/sriov_offset");
	fs_attr(f, "0000:01:00.0", "sriov_totalvfs", "2\n");
	v = fs_addr("0000:01:00.2");
	assert_int_equal(x4_sriov_is_vf_of(&nv, &v), 1);
	v = fs_addr("0000:01:00.3");
	assert_int_equal(x4_sriov_is_vf_of(&nv, &v), 0);
	assert_int_equal(x4_sriov_vf_addr_expected(&nv, 0, &v, &e), -ERANGE);
	/* garbage totalvfs: nothing is a VF by arithmetic */
	fs_attr(f, "0000:01:00.0", "sriov_totalvfs", "x\n");
	v = fs_addr("0000:01:00.1");
	assert_int_equal(x4_sriov_is_vf_of(&nv, &v), 0);
	assert_int_equal(x4_sriov_vf_addr_expected(&nv, 1, &v, &e), -EINVAL);
}

static void test_create_rules(void **state)
{
	struct fakesys *f = *state;
	struct x4_pciaddr pf = fs_addr("0000:00:02.0"), nv = fs_addr("0000:01:00.0");
	struct x4_err e;
	char buf[16];

	assert_int_equal(x4_sriov_create(&pf, 0, &e), -EINVAL);
	assert_int_equal(x4_sriov_create(&pf, 8, &e), -ERANGE);
	assert_non_null(strstr(e.msg, "at most 7"));
	assert_int_equal(x4_sriov_create(&nv, 1, &e), -ENOTSUP);
	fs_n100_vfs(f, 3);
	/* same count: no write (a write would leave "3" without the newline) */
	assert_int_equal(x4_sriov_create(&pf, 3, &e), 0);
	fs_read(f, PF_DIR "/sriov_numvfs", buf, sizeof(buf));
	assert_string_equal(buf, "3\n");
	assert_int_equal(x4_sriov_create(&pf, 2, &e), -EBUSY);
	assert_string_equal(e.msg, "3 VFs already enabled on 0000:00:02.0; remove them first "
				   "(x4ctl vf remove), only when none is in use");
	fs_read(f, PF_DIR "/sriov_numvfs", buf, sizeof(buf));
	assert_string_equal(buf, "3\n");
}

static void test_create_verifies(void **state)
{
	struct fakesys *f = *state;
	struct x4_pciaddr pf = fs_addr("0000:00:02.0");
	struct x4_err e;
	char buf[16];

	/* a plain file takes the write, but no VFs appear: the check must notice */
	assert_int_equal(x4_sriov_create(&pf, 2, &e), -EIO);
	assert_non_null(strstr(e.msg, "virtfn0"));
	fs_read(f, PF_DIR "/sriov_numvfs", buf, sizeof(buf));
	assert_string_equal(buf, "2");
}

static void test_busy_and_remove(void **state)
{
	struct fakesys *f = *state;
	struct x4_pciaddr pf = fs_addr("0000:00:02.0"), b;
	struct x4_err e;
	char buf[16], drv[32];

	/* nothing to remove: no write */
	assert_int_equal(x4_sriov_any_vf_busy(&pf, &b, drv, sizeof(drv), &e), 0);
	assert_int_equal(x4_sriov_remove(&pf, &e), 0);
	fs_read(f, PF_DIR "/sriov_numvfs", buf, sizeof(buf));
	assert_string_equal(buf, "0\n");

	fs_n100_vfs(f, 3);
	fs_driver(f, "0000:00:02.1", "i915"); /* a host driver does not block removal */
	fs_driver(f, "0000:00:02.3", "vfio-pci");
	assert_int_equal(x4_sriov_any_vf_busy(&pf, &b, drv, sizeof(drv), &e), 1);
	assert_string_equal(F(&b), "0000:00:02.3");
	assert_string_equal(drv, "vfio-pci");
	assert_int_equal(x4_sriov_any_vf_busy(&pf, NULL, NULL, 0, &e), 1);
	assert_int_equal(x4_sriov_remove(&pf, &e), -EBUSY);
	assert_non_null(strstr(e.msg, "0000:00:02.3 is bound to vfio-pci"));
	fs_read(f, PF_DIR "/sriov_numvfs", buf, sizeof(buf));
	assert_string_equal(buf, "3\n"); /* never written while a VF is held */

	/* a variant VFIO driver counts too */
	fs_driver(f, "0000:00:02.3", "xe-vfio-pci");
	assert_int_equal(x4_sriov_remove(&pf, &e), -EBUSY);
	fs_unlink(f, "sys/devices/pci0000:00/0000:00:02.3/driver");

	/* unreadable VF links: refuse rather than risk a blocking write */
	fs_link(f, "../not-a-device", PF_DIR "/virtfn1");
	assert_true(x4_sriov_any_vf_busy(&pf, &b, drv, sizeof(drv), &e) < 0);
	assert_int_equal(x4_sriov_remove(&pf, &e), -EBUSY);
	fs_read(f, PF_DIR "/sriov_numvfs", buf, sizeof(buf));
	assert_string_equal(buf, "3\n");
	fs_link(f, "../0000:00:02.2", PF_DIR "/virtfn1");

	/* nothing held: writes 0 (a plain file then reads back 0) */
	assert_int_equal(x4_sriov_any_vf_busy(&pf, &b, drv, sizeof(drv), &e), 0);
	assert_int_equal(x4_sriov_remove(&pf, &e), 0);
	fs_read(f, PF_DIR "/sriov_numvfs", buf, sizeof(buf));
	assert_string_equal(buf, "0");
}

/* ---- write paths against the simulated X4 (x4sim answers like drivers/pci/iov.c) ---- */

static void test_sim_lifecycle(void **state)
{
	struct fakesys *f = *state;
	struct x4_pciaddr pf, v, b;
	struct x4_err e;
	unsigned n = 0, idx = 0;
	int on = -1;
	char drv[32], log[8192];

	fs_sim_start(f, "default", NULL, NULL);
	assert_int_equal(x4_sriov_find_pf(NULL, &pf, &e), 0);
	assert_string_equal(F(&pf), "0000:00:02.0");
	assert_int_equal(x4_sriov_set_autoprobe(&pf, 0, &e), 0);
	assert_int_equal(x4_sriov_get_autoprobe(&pf, &on, &e), 0);
	assert_int_equal(on, 0);
	assert_int_equal(x4_sriov_create(&pf, 8, &e), -ERANGE);
	assert_int_equal(x4_sriov_create(&pf, 3, &e), 0);
	assert_int_equal(x4_sriov_numvfs(&pf, &n, &e), 0);
	assert_int_equal(n, 3);
	assert_int_equal(x4_sriov_vf_addr(&pf, 2, &v, &e), 0);
	assert_string_equal(F(&v), "0000:00:02.2");
	assert_int_equal(x4_sriov_vf_index(&pf, &v, &idx, &e), 0);
	assert_int_equal(idx, 2);
	assert_int_equal(x4_sriov_is_vf_of(&pf, &v), 1);
	v = fs_addr("0000:00:02.6"); /* not created, by offset/stride */
	assert_int_equal(x4_sriov_is_vf_of(&pf, &v), 1);
	assert_int_equal(x4_sriov_create(&pf, 3, &e), 0); /* no-op */
	assert_int_equal(x4_sriov_create(&pf, 2, &e), -EBUSY);
	assert_int_equal(x4_sriov_any_vf_busy(&pf, &b, drv, sizeof(drv), &e), 0);
	assert_int_equal(x4_sriov_remove(&pf, &e), 0);
	assert_int_equal(x4_sriov_numvfs(&pf, &n, &e), 0);
	assert_int_equal(n, 0);
	assert_int_equal(x4_sriov_remove(&pf, &e), 0); /* nothing left: no write */
	fs_sim_log(f, log, sizeof(log));
	assert_non_null(strstr(log, "sriov_numvfs 3 -> ok"));
	assert_non_null(strstr(log, "sriov_numvfs 0 -> ok"));
	assert_null(strstr(log, "sriov_numvfs 2"));  /* refused before the kernel saw it */
	assert_null(strstr(log, "sriov_numvfs 8"));
	assert_null(strstr(log, "unbind 0000:00:02.0"));
}

/* A VF on vfio-pci held by a (pretend) QEMU: remove must refuse, not block. */
static void test_sim_remove_refuses_held_vf(void **state)
{
	struct fakesys *f = *state;
	struct x4_pciaddr pf = fs_addr("0000:00:02.0"), b;
	struct x4_err e;
	unsigned n = 0;
	char drv[32], log[8192];

	fs_sim_start(f, "default", NULL, NULL);
	assert_int_equal(x4_sriov_set_autoprobe(&pf, 0, &e), 0);
	assert_int_equal(x4_sriov_create(&pf, 2, &e), 0);
	/* bind by hand, as libvirt's managed hostdev would */
	fs_file(f, "vfio-pci", "sys/bus/pci/devices/0000:00:02.2/driver_override");
	fs_file(f, "0000:00:02.2", "sys/bus/pci/drivers_probe");
	fs_sim_ctl(f, "inuse", "+0000:00:02.2");
	assert_int_equal(x4_sriov_any_vf_busy(&pf, &b, drv, sizeof(drv), &e), 1);
	assert_string_equal(F(&b), "0000:00:02.2");
	assert_string_equal(drv, "vfio-pci");
	assert_int_equal(x4_sriov_remove(&pf, &e), -EBUSY);
	assert_non_null(strstr(e.msg, "0000:00:02.2 is bound to vfio-pci"));
	assert_int_equal(x4_sriov_numvfs(&pf, &n, &e), 0); /* would block if 0 had been written */
	assert_int_equal(n, 2);
	fs_sim_log(f, log, sizeof(log));
	assert_null(strstr(log, "sriov_numvfs 0"));
}

static void test_sim_faults(void **state)
{
	struct fakesys *f = *state;
	struct x4_pciaddr pf = fs_addr("0000:00:02.0");
	struct x4_err e;

	fs_sim_start(f, "default", "pf-busy", NULL);
	assert_int_equal(x4_sriov_create(&pf, 2, &e), -EBUSY);
	assert_non_null(strstr(e.msg, "sriov_numvfs"));
	fs_sim_ctl(f, "fault", "-pf-busy");
	fs_sim_ctl(f, "fault", "+numvfs-enoent");
	assert_int_equal(x4_sriov_create(&pf, 2, &e), -ENOENT);
	fs_sim_ctl(f, "fault", "-numvfs-enoent");
	assert_int_equal(x4_sriov_create(&pf, 2, &e), 0);
}

static void test_sim_states(void **state)
{
	struct fakesys *f = *state;
	struct x4_pciaddr pf;
	struct x4_err e;

	fs_sim_start(f, "no-sriov", NULL, NULL);
	assert_int_equal(x4_sriov_find_pf(NULL, &pf, &e), -ENODEV);
	assert_string_equal(e.msg, "0000:00:02.0 has no SR-IOV: is i915-sriov-dkms loaded with "
				   "i915.max_vfs=7? (x4ctl doctor)");
	fs_sim_stop(f);
	fs_sim_start(f, "xe", NULL, NULL);
	assert_int_equal(x4_sriov_find_pf(NULL, &pf, &e), 0);
	assert_int_equal(x4_sriov_create(&pf, 7, &e), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_find_pf_auto, fs_n100_setup, fs_teardown),
		cmocka_unit_test_setup_teardown(test_find_pf_auto_ignores_non_gpus, fs_n100_setup, fs_teardown),
		cmocka_unit_test_setup_teardown(test_find_pf_auto_hints, fs_n100_setup, fs_teardown),
		cmocka_unit_test_setup_teardown(test_find_pf_configured, fs_n100_setup, fs_teardown),
		cmocka_unit_test_setup_teardown(test_counts, fs_n100_setup, fs_teardown),
		cmocka_unit_test_setup_teardown(test_autoprobe, fs_n100_setup, fs_teardown),
		cmocka_unit_test_setup_teardown(test_vf_addr, fs_n100_setup, fs_teardown),
		cmocka_unit_test_setup_teardown(test_vf_index, fs_n100_setup, fs_teardown),
		cmocka_unit_test_setup_teardown(test_is_vf_of, fs_n100_setup, fs_teardown),
		cmocka_unit_test_setup_teardown(test_create_rules, fs_n100_setup, fs_teardown),
		cmocka_unit_test_setup_teardown(test_create_verifies, fs_n100_setup, fs_teardown),
		cmocka_unit_test_setup_teardown(test_busy_and_remove, fs_n100_setup, fs_teardown),
		cmocka_unit_test_setup_teardown(test_sim_lifecycle, fs_sim_setup, fs_sim_teardown),
		cmocka_unit_test_setup_teardown(test_sim_remove_refuses_held_vf, fs_sim_setup, fs_sim_teardown),
		cmocka_unit_test_setup_teardown(test_sim_faults, fs_sim_setup, fs_sim_teardown),
		cmocka_unit_test_setup_teardown(test_sim_states, fs_sim_setup, fs_sim_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
