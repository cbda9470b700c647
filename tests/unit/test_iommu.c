/* SPDX-License-Identifier: MIT */
/* Unit tests: lib/iommu on plain fake sysfs trees (groups, members, viability). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fakesys.h"
#include "iommu.h"

static void test_enabled(void **state)
{
	struct fakesys *f = *state;
	char p[1024];

	assert_int_equal(x4_iommu_enabled(), 1);
	fs_path(f, p, sizeof(p), "empty");
	fs_mkdirs(p);
	setenv("X4_ROOT", p, 1);
	assert_int_equal(x4_iommu_enabled(), 0); /* no /sys/kernel/iommu_groups */
	fs_path(f, p, sizeof(p), "empty/sys/kernel/iommu_groups");
	fs_mkdirs(p);
	assert_int_equal(x4_iommu_enabled(), 0); /* there, but empty: intel_iommu=on missing */
}

static void test_group(void **state)
{
	struct fakesys *f = *state;
	struct x4_pciaddr pf = fs_addr("0000:00:02.0"), v = fs_addr("0000:00:02.2"), no = fs_addr("0000:00:09.0");
	unsigned g = 99;
	struct x4_err e;

	assert_int_equal(x4_iommu_group(&pf, &g, &e), 0);
	assert_int_equal(g, 1);
	fs_n100_vfs(f, 3);
	assert_int_equal(x4_iommu_group(&v, &g, &e), 0);
	assert_int_equal(g, 11);
	assert_int_equal(x4_iommu_group(&no, &g, &e), -ENODEV);
	fs_unlink(f, "sys/devices/pci0000:00/0000:00:02.2/iommu_group");
	assert_int_equal(x4_iommu_group(&v, &g, &e), -ENOENT);
	assert_string_equal(e.msg, "no IOMMU group for 0000:00:02.2: enable VT-d in the BIOS and "
				   "add intel_iommu=on to the kernel command line");
	const char *bad[] = { "../../../kernel/iommu_groups/abc", "../../../kernel/iommu_groups/01",
			      "../../../kernel/iommu_groups/-1", "../../../kernel/iommu_groups/",
			      "../../../kernel/iommu_groups/99999999999" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		fs_link(f, bad[i], "sys/devices/pci0000:00/0000:00:02.2/iommu_group");
		assert_int_equal(x4_iommu_group(&v, &g, &e), -EINVAL);
	}
	/* a dangling link still names its group: the number is what VFIO uses */
	fs_link(f, "../../../kernel/iommu_groups/77", "sys/devices/pci0000:00/0000:00:02.2/iommu_group");
	assert_int_equal(x4_iommu_group(&v, &g, &e), 0);
	assert_int_equal(g, 77);
}

static void test_members(void **state)
{
	struct fakesys *f = *state;
	struct x4_pciaddr m[4];
	struct x4_err e;
	char s[X4_PCIADDR_STRLEN];

	assert_int_equal(x4_iommu_members(1, m, 4, &e), 1);
	assert_string_equal(x4_pciaddr_format(&m[0], s), "0000:00:02.0");
	fs_dev(f, "0000:00:1f.3", 0x8086, 0x54c8, 0x040300);
	fs_dev(f, "0000:00:1f.0", 0x8086, 0x5481, 0x060100);
	fs_group(f, "0000:00:1f.3", 1, 0);
	fs_group(f, "0000:00:1f.0", 1, 0);
	memset(m, 0, sizeof(m));
	assert_int_equal(x4_iommu_members(1, m, 2, &e), 3); /* count, sorted, 2 filled */
	assert_string_equal(x4_pciaddr_format(&m[0], s), "0000:00:02.0");
	assert_string_equal(x4_pciaddr_format(&m[1], s), "0000:00:1f.0");
	assert_int_equal(m[2].func, 0);
	assert_int_equal(x4_iommu_members(1, NULL, 0, &e), 3);
	assert_int_equal(x4_iommu_members(42, m, 4, &e), -ENOENT);
	assert_non_null(strstr(e.msg, "42"));
	fs_file(f, "", "sys/kernel/iommu_groups/1/devices/junk");
	assert_int_equal(x4_iommu_members(1, m, 4, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "junk"));
}

static void test_viable(void **state)
{
	struct fakesys *f = *state;
	struct x4_pciaddr v1 = fs_addr("0000:00:02.1"), v2 = fs_addr("0000:00:02.2");
	struct x4_err e;

	fs_n100_vfs(f, 2);
	assert_int_equal(x4_iommu_viable(10, &v1, &e), 0);
	assert_int_equal(x4_iommu_viable(10, NULL, &e), 0);
	fs_driver(f, "0000:00:02.1", "i915");
	assert_int_equal(x4_iommu_viable(10, &v1, &e), 0); /* the device itself may be anywhere */
	assert_int_equal(x4_iommu_viable(10, NULL, &e), -EBUSY);
	/* a shared group: bridges and vfio-pci are fine, a host driver blocks */
	fs_group(f, "0000:00:02.2", 10, 0);
	fs_dev(f, "0000:00:1c.0", 0x8086, 0x54be, 0x060400);
	fs_driver(f, "0000:00:1c.0", "pcieport");
	fs_group(f, "0000:00:1c.0", 10, 0);
	assert_int_equal(x4_iommu_viable(10, &v1, &e), 0);
	fs_driver(f, "0000:00:02.2", "vfio-pci");
	assert_int_equal(x4_iommu_viable(10, &v1, &e), 0);
	fs_driver(f, "0000:00:02.2", "snd_hda_intel");
	assert_int_equal(x4_iommu_viable(10, &v1, &e), -EBUSY);
	assert_non_null(strstr(e.msg, "0000:00:02.2"));
	assert_non_null(strstr(e.msg, "snd_hda_intel"));
	assert_int_equal(x4_iommu_viable(10, &v2, &e), -EBUSY); /* now 02.1 on i915 blocks */
	assert_non_null(strstr(e.msg, "0000:00:02.1 in it is bound to i915"));
	assert_int_equal(x4_iommu_viable(55, &v1, &e), -ENOENT);
	/* a member listed in the group but gone from the bus */
	fs_unlink(f, "sys/devices/pci0000:00/0000:00:02.1/driver");
	assert_int_equal(x4_iommu_viable(10, &v2, &e), 0);
	fs_link(f, "../../../../devices/pci0000:00/0000:00:1e.0",
		"sys/kernel/iommu_groups/10/devices/0000:00:1e.0");
	assert_int_equal(x4_iommu_viable(10, &v2, &e), -ENODEV);
}

/* ---- the simulated X4 ---- */

static void test_sim_groups(void **state)
{
	struct fakesys *f = *state;
	struct x4_pciaddr hda = fs_addr("0000:00:1f.3"), m[8];
	struct x4_err e;
	unsigned g = 0;
	char s[X4_PCIADDR_STRLEN];

	fs_sim_start(f, "default", NULL, NULL);
	assert_int_equal(x4_iommu_enabled(), 1);
	assert_int_equal(x4_iommu_group(&hda, &g, &e), 0);
	assert_int_equal(x4_iommu_members(g, m, 8, &e), 3);
	assert_string_equal(x4_pciaddr_format(&m[0], s), "0000:00:1f.0");
	assert_string_equal(x4_pciaddr_format(&m[2], s), "0000:00:1f.4");
	/* the PCH group: the SMBus driver blocks handing the audio device to a VM */
	assert_int_equal(x4_iommu_viable(g, &hda, &e), -EBUSY);
	assert_non_null(strstr(e.msg, "i801_smbus"));
	fs_sim_stop(f);
	fs_sim_start(f, "no-iommu", NULL, NULL);
	assert_int_equal(x4_iommu_enabled(), 0);
	assert_int_equal(x4_iommu_group(&hda, &g, &e), -ENOENT);
	assert_non_null(strstr(e.msg, "intel_iommu=on"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_enabled, fs_n100_setup, fs_teardown),
		cmocka_unit_test_setup_teardown(test_group, fs_n100_setup, fs_teardown),
		cmocka_unit_test_setup_teardown(test_members, fs_n100_setup, fs_teardown),
		cmocka_unit_test_setup_teardown(test_viable, fs_n100_setup, fs_teardown),
		cmocka_unit_test_setup_teardown(test_sim_groups, fs_sim_setup, fs_sim_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
