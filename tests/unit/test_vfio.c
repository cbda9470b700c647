/* SPDX-License-Identifier: MIT */
/* Unit tests: lib/vfio on plain fake sysfs trees: refusals (PF, boot VGA, non-VF) and what gets written. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fakesys.h"
#include "iommu.h"
#include "sriov.h"
#include "vfio.h"

static int setup(void **state)
{
	static struct fakesys f;

	fs_n100(&f);
	fs_n100_vfs(&f, 3);
	*state = &f;
	return 0;
}

#define DEV(a) "sys/devices/pci0000:00/" a

/* Nothing was written anywhere a bind or unbind would write. */
static void assert_untouched(const struct fakesys *f, const char *dev_rel_override)
{
	const char *files[] = { dev_rel_override, "sys/bus/pci/drivers/i915/unbind",
				"sys/bus/pci/drivers/vfio-pci/unbind", "sys/bus/pci/drivers_probe" };
	char buf[64], p[1024];

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		fs_path(f, p, sizeof(p), files[i]);
		if (access(p, F_OK) != 0)
			continue; /* removed by the test (vfio-pci not loaded) */
		fs_read(f, files[i], buf, sizeof(buf));
		assert_string_equal(buf, "");
	}
}

static void test_driver_and_loaded(void **state)
{
	struct fakesys *f = *state;
	struct x4_pciaddr pf = fs_addr("0000:00:02.0"), v = fs_addr("0000:00:02.1"), no = fs_addr("0000:00:09.0");
	struct x4_err e;
	char drv[32];

	assert_int_equal(x4_vfio_driver(&pf, drv, sizeof(drv), &e), 0);
	assert_string_equal(drv, "i915");
	strcpy(drv, "junk");
	assert_int_equal(x4_vfio_driver(&v, drv, sizeof(drv), &e), 0);
	assert_string_equal(drv, "");
	assert_int_equal(x4_vfio_driver(&no, drv, sizeof(drv), &e), -ENODEV);
	assert_int_equal(x4_vfio_loaded(&e), 1);
	fs_unlink(f, "sys/bus/pci/drivers/vfio-pci/bind");
	fs_unlink(f, "sys/bus/pci/drivers/vfio-pci/unbind");
	{
		char p[1024];

		fs_path(f, p, sizeof(p), "sys/bus/pci/drivers/vfio-pci");
		assert_int_equal(rmdir(p), 0);
	}
	assert_int_equal(x4_vfio_loaded(&e), 0);
	assert_string_equal(e.msg, "vfio-pci is not loaded: modprobe vfio-pci");
	assert_int_equal(x4_vfio_bind(&v, &pf, drv, sizeof(drv), &e), -ENOENT);
	assert_untouched(f, DEV("0000:00:02.1/driver_override"));
}

static void test_group_dev(void **state)
{
	struct fakesys *f = *state;

	assert_int_equal(x4_vfio_group_dev_exists(10), 0);
	fs_file(f, "", "dev/vfio/10");
	assert_int_equal(x4_vfio_group_dev_exists(10), 1);
	assert_int_equal(x4_vfio_group_dev_exists(1), 0);
}

static void test_refuses_pf(void **state)
{
	struct fakesys *f = *state;
	struct x4_pciaddr pf = fs_addr("0000:00:02.0"), nv = fs_addr("0000:01:00.0");
	struct x4_err e;
	char drv[32];

	assert_int_equal(x4_vfio_bind(&pf, &pf, drv, sizeof(drv), &e), -EPERM);
	assert_non_null(strstr(e.msg, "it is the PF"));
	assert_int_equal(x4_vfio_bind(&pf, NULL, drv, sizeof(drv), &e), -EPERM);
	assert_non_null(strstr(e.msg, "not an SR-IOV VF"));
	assert_int_equal(x4_vfio_unbind(&pf, &e), -EPERM);
	assert_untouched(f, DEV("0000:00:02.0/driver_override"));
	/* any other non-VF, e.g. the NVMe */
	assert_int_equal(x4_vfio_bind(&nv, NULL, drv, sizeof(drv), &e), -EPERM);
	assert_int_equal(x4_vfio_unbind(&nv, &e), -EPERM);
	/* even when a VF's physfn link is broken or points at itself */
	fs_link(f, "../0000:00:02.1", DEV("0000:00:02.1/physfn"));
	{
		struct x4_pciaddr v = fs_addr("0000:00:02.1");

		assert_int_equal(x4_vfio_bind(&v, NULL, drv, sizeof(drv), &e), -EPERM);
		fs_link(f, "../garbage", DEV("0000:00:02.1/physfn"));
		assert_int_equal(x4_vfio_bind(&v, NULL, drv, sizeof(drv), &e), -EPERM);
		assert_untouched(f, DEV("0000:00:02.1/driver_override"));
	}
}

static void test_refuses_boot_vga_and_foreign(void **state)
{
	struct fakesys *f = *state;
	struct x4_pciaddr pf = fs_addr("0000:00:02.0"), nv = fs_addr("0000:01:00.0"), v = fs_addr("0000:00:02.2");
	struct x4_pciaddr gone = fs_addr("0000:00:02.6");
	struct x4_err e;
	char drv[32];

	fs_attr(f, "0000:00:02.2", "boot_vga", "1\n");
	assert_int_equal(x4_vfio_bind(&v, &pf, drv, sizeof(drv), &e), -EPERM);
	assert_non_null(strstr(e.msg, "boot display"));
	fs_attr(f, "0000:00:02.2", "boot_vga", "yes\n");
	assert_int_equal(x4_vfio_bind(&v, &pf, drv, sizeof(drv), &e), -EPERM);
	fs_attr(f, "0000:00:02.2", "boot_vga", "0\n");
	/* a VF, but of another PF than the one we manage */
	assert_int_equal(x4_vfio_bind(&v, &nv, drv, sizeof(drv), &e), -EPERM);
	assert_non_null(strstr(e.msg, "VF of 0000:00:02.0, not of 0000:01:00.0"));
	assert_int_equal(x4_vfio_bind(&gone, &pf, drv, sizeof(drv), &e), -ENODEV);
	assert_untouched(f, DEV("0000:00:02.2/driver_override"));
}

static void test_bind_writes_then_checks(void **state)
{
	struct fakesys *f = *state;
	struct x4_pciaddr pf = fs_addr("0000:00:02.0"), v = fs_addr("0000:00:02.1");
	struct x4_err e;
	char drv[32], buf[64];

	/* a plain tree takes every write but the driver link stays i915: must fail and undo */
	fs_driver(f, "0000:00:02.1", "i915");
	assert_int_equal(x4_vfio_bind(&v, &pf, drv, sizeof(drv), &e), -EIO);
	assert_string_equal(drv, "i915");
	assert_non_null(strstr(e.msg, "0000:00:02.1 did not bind to vfio-pci (driver now: i915)"));
	fs_read(f, "sys/bus/pci/drivers/i915/unbind", buf, sizeof(buf));
	assert_string_equal(buf, "0000:00:02.1");
	fs_read(f, "sys/bus/pci/drivers_probe", buf, sizeof(buf));
	assert_string_equal(buf, "0000:00:02.1");
	fs_read(f, DEV("0000:00:02.1/driver_override"), buf, sizeof(buf));
	assert_string_equal(buf, "\n"); /* override cleared again */

	/* no driver before, none after: fails too, nothing unbound */
	fs_file(f, "", "sys/bus/pci/drivers/i915/unbind");
	fs_unlink(f, DEV("0000:00:02.1/driver"));
	assert_int_equal(x4_vfio_bind(&v, &pf, drv, sizeof(drv), &e), -EIO);
	assert_string_equal(drv, "");
	assert_non_null(strstr(e.msg, "driver now: none"));
	fs_read(f, "sys/bus/pci/drivers/i915/unbind", buf, sizeof(buf));
	assert_string_equal(buf, "");
}

static void test_bind_already_vfio(void **state)
{
	struct fakesys *f = *state;
	struct x4_pciaddr v = fs_addr("0000:00:02.3");
	struct x4_err e;
	char drv[32], buf[64];

	fs_driver(f, "0000:00:02.3", "vfio-pci");
	assert_int_equal(x4_vfio_bind(&v, NULL, drv, sizeof(drv), &e), 0);
	assert_string_equal(drv, "vfio-pci");
	fs_read(f, DEV("0000:00:02.3/driver_override"), buf, sizeof(buf));
	assert_string_equal(buf, "vfio-pci");
	fs_read(f, "sys/bus/pci/drivers/vfio-pci/unbind", buf, sizeof(buf));
	assert_string_equal(buf, "");
	fs_read(f, "sys/bus/pci/drivers_probe", buf, sizeof(buf));
	assert_string_equal(buf, "");
}

static void test_unbind_gives_back(void **state)
{
	struct fakesys *f = *state;
	struct x4_pciaddr v = fs_addr("0000:00:02.3"), w = fs_addr("0000:00:02.2");
	struct x4_err e;
	char buf[64];

	fs_driver(f, "0000:00:02.3", "vfio-pci");
	fs_attr(f, "0000:00:02.3", "driver_override", "vfio-pci\n");
	assert_int_equal(x4_vfio_unbind(&v, &e), 0);
	fs_read(f, DEV("0000:00:02.3/driver_override"), buf, sizeof(buf));
	assert_string_equal(buf, "\n");
	fs_read(f, "sys/bus/pci/drivers/vfio-pci/unbind", buf, sizeof(buf));
	assert_string_equal(buf, "0000:00:02.3");
	fs_read(f, "sys/bus/pci/drivers_probe", buf, sizeof(buf));
	assert_string_equal(buf, "0000:00:02.3");
	/* a VF on a host driver is left alone (only the override is cleared) */
	fs_driver(f, "0000:00:02.2", "i915");
	assert_int_equal(x4_vfio_unbind(&w, &e), 0);
	fs_read(f, "sys/bus/pci/drivers/i915/unbind", buf, sizeof(buf));
	assert_string_equal(buf, "");
}

static void test_odd_driver_name(void **state)
{
	struct fakesys *f = *state;
	struct x4_pciaddr v = fs_addr("0000:00:02.1");
	struct x4_err e;
	char drv[32], buf[64];

	fs_driver(f, "0000:00:02.1", "bad name");
	assert_int_equal(x4_vfio_bind(&v, NULL, drv, sizeof(drv), &e), -EINVAL);
	assert_non_null(strstr(e.msg, "unexpected driver name"));
	fs_read(f, DEV("0000:00:02.1/driver_override"), buf, sizeof(buf));
	assert_string_equal(buf, "\n");
}

/* ---- write paths against the simulated X4 ---- */

static void sim_vfs(int autoprobe, unsigned n)
{
	struct x4_pciaddr pf = fs_addr("0000:00:02.0");
	struct x4_err e;

	assert_int_equal(x4_sriov_set_autoprobe(&pf, autoprobe, &e), 0);
	assert_int_equal(x4_sriov_create(&pf, n, &e), 0);
}

static void test_sim_bind_and_give_back(void **state)
{
	struct fakesys *f = *state;
	struct x4_pciaddr pf = fs_addr("0000:00:02.0"), v = fs_addr("0000:00:02.1");
	struct x4_err e;
	unsigned g = 0;
	char drv[32], now[32], log[16384];

	fs_sim_start(f, "default", NULL, NULL);
	sim_vfs(0, 2);
	assert_int_equal(x4_vfio_driver(&v, now, sizeof(now), &e), 0);
	assert_string_equal(now, ""); /* autoprobe 0: no host driver took it */
	assert_int_equal(x4_vfio_bind(&v, &pf, drv, sizeof(drv), &e), 0);
	assert_string_equal(drv, "");
	assert_int_equal(x4_vfio_driver(&v, now, sizeof(now), &e), 0);
	assert_string_equal(now, "vfio-pci");
	assert_int_equal(x4_iommu_group(&v, &g, &e), 0);
	assert_int_equal(x4_vfio_group_dev_exists(g), 1);
	assert_int_equal(x4_iommu_viable(g, &v, &e), 0);
	assert_int_equal(x4_vfio_bind(&v, &pf, drv, sizeof(drv), &e), 0); /* again: fine */
	assert_string_equal(drv, "vfio-pci");
	assert_int_equal(x4_vfio_unbind(&v, &e), 0);
	assert_int_equal(x4_vfio_driver(&v, now, sizeof(now), &e), 0);
	assert_string_not_equal(now, "vfio-pci");
	/* the PF is refused at every step; the simulator saw no write for it */
	assert_int_equal(x4_vfio_bind(&pf, &pf, drv, sizeof(drv), &e), -EPERM);
	assert_int_equal(x4_vfio_bind(&pf, NULL, drv, sizeof(drv), &e), -EPERM);
	assert_int_equal(x4_vfio_unbind(&pf, &e), -EPERM);
	assert_int_equal(x4_vfio_driver(&pf, now, sizeof(now), &e), 0);
	assert_string_equal(now, "i915");
	fs_sim_log(f, log, sizeof(log));
	assert_non_null(strstr(log, "0000:00:02.1/driver_override vfio-pci -> ok"));
	assert_non_null(strstr(log, "drivers/vfio-pci/unbind 0000:00:02.1 -> ok"));
	assert_null(strstr(log, "unbind 0000:00:02.0"));
	assert_null(strstr(log, "0000:00:02.0/driver_override"));
}

/* With autoprobe on, the host's i915 takes the VFs: bind unbinds it, give-back returns it. */
static void test_sim_bind_from_host_driver(void **state)
{
	struct fakesys *f = *state;
	struct x4_pciaddr pf = fs_addr("0000:00:02.0"), w = fs_addr("0000:00:02.2");
	struct x4_err e;
	char drv[32], now[32];

	fs_sim_start(f, "default", NULL, NULL);
	sim_vfs(1, 2);
	assert_int_equal(x4_vfio_driver(&w, now, sizeof(now), &e), 0);
	assert_string_equal(now, "i915");
	assert_int_equal(x4_vfio_bind(&w, &pf, drv, sizeof(drv), &e), 0);
	assert_string_equal(drv, "i915");
	assert_int_equal(x4_vfio_driver(&w, now, sizeof(now), &e), 0);
	assert_string_equal(now, "vfio-pci");
	assert_int_equal(x4_vfio_unbind(&w, &e), 0);
	assert_int_equal(x4_vfio_driver(&w, now, sizeof(now), &e), 0);
	assert_string_equal(now, "i915");
}

static void test_sim_bind_faults(void **state)
{
	struct fakesys *f = *state;
	struct x4_pciaddr pf = fs_addr("0000:00:02.0"), w = fs_addr("0000:00:02.2");
	struct x4_err e;
	char drv[32], now[32], buf[64];

	fs_sim_start(f, "default", NULL, NULL);
	sim_vfs(1, 2);
	fs_sim_ctl(f, "fault", "+bind-ebusy");
	assert_int_equal(x4_vfio_bind(&w, &pf, drv, sizeof(drv), &e), -EBUSY);
	assert_non_null(strstr(e.msg, "unbind"));
	fs_read(f, "sys/bus/pci/devices/0000:00:02.2/driver_override", buf, sizeof(buf));
	assert_string_equal(buf, "(null)\n"); /* override undone */
	assert_int_equal(x4_vfio_driver(&w, now, sizeof(now), &e), 0);
	assert_string_equal(now, "i915");
	fs_sim_ctl(f, "fault", "-bind-ebusy");
	fs_sim_ctl(f, "fault", "+no-vfio");
	assert_int_equal(x4_vfio_loaded(&e), 0);
	assert_int_equal(x4_vfio_bind(&w, &pf, drv, sizeof(drv), &e), -ENOENT);
	assert_string_equal(e.msg, "vfio-pci is not loaded: modprobe vfio-pci");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_driver_and_loaded, setup, fs_teardown),
		cmocka_unit_test_setup_teardown(test_group_dev, setup, fs_teardown),
		cmocka_unit_test_setup_teardown(test_refuses_pf, setup, fs_teardown),
		cmocka_unit_test_setup_teardown(test_refuses_boot_vga_and_foreign, setup, fs_teardown),
		cmocka_unit_test_setup_teardown(test_bind_writes_then_checks, setup, fs_teardown),
		cmocka_unit_test_setup_teardown(test_bind_already_vfio, setup, fs_teardown),
		cmocka_unit_test_setup_teardown(test_unbind_gives_back, setup, fs_teardown),
		cmocka_unit_test_setup_teardown(test_odd_driver_name, setup, fs_teardown),
		cmocka_unit_test_setup_teardown(test_sim_bind_and_give_back, fs_sim_setup, fs_sim_teardown),
		cmocka_unit_test_setup_teardown(test_sim_bind_from_host_driver, fs_sim_setup, fs_sim_teardown),
		cmocka_unit_test_setup_teardown(test_sim_bind_faults, fs_sim_setup, fs_sim_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
