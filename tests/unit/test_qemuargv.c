/* SPDX-License-Identifier: MIT */
/* Unit tests: lib/qemuargv (probes, -name, ROM and Looking Glass rewrite) on real and made argv. */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "testutil.h"

#include <json-c/json.h>

#include "qemuargv.h"

#define MIB (1024ull * 1024)
#define ARGC(a) ((int)(sizeof(a) / sizeof((a)[0])))

static char fixdir[PATH_MAX + 64];
static const struct x4_pciaddr vf21 = { 0, 0, 2, 1 };

/* tests/fixtures/argv (see testutil.h). */
static int find_fixtures(void **state)
{
	(void)state;
	return tu_fixture_dir("argv", fixdir, sizeof(fixdir));
}

/* A fixture: one argument per line, NULL-terminated; free with free_argv(). */
static char **load(const char *name, int *argc)
{
	char path[PATH_MAX + 128], line[8192], **v = calloc(1024, sizeof(char *));
	FILE *f;
	int n = 0;

	snprintf(path, sizeof(path), "%s/%s", fixdir, name);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		assert_true(n < 1023);
		v[n++] = strdup(line);
	}
	fclose(f);
	*argc = n;
	return v;
}

static void free_argv(char **v, int argc)
{
	for (int i = 0; i < argc; i++)
		free(v[i]);
	free(v);
}

static void assert_argv_equal(char **a, int an, char **b, int bn)
{
	assert_int_equal(an, bn);
	for (int i = 0; i < an; i++)
		if (strcmp(a[i], b[i]) != 0)
			fail_msg("argv[%d]: '%s' != '%s'", i, a[i], b[i]);
	assert_null(a[an]);
}

/* Index of the value of the last -device in v. */
static int last_device(char **v, int n)
{
	int last = -1;

	for (int i = 1; i + 1 < n; i++)
		if (strcmp(v[i], "-device") == 0)
			last = ++i;
	return last;
}

static void test_probes(void **state)
{
	char *version[] = { "qemu", "-version" };
	char *help[] = { "qemu", "-machine", "help" };
	char *devhelp[] = { "qemu", "-device", "vfio-pci,help" };
	char *append[] = { "qemu", "-append", "-name", "x" };     /* "-name" is -append's value */
	char *real[] = { "qemu", "-S", "-name", "x" };            /* -S takes no value */
	char *dashes[] = { "qemu", "--name", "guest=x" };
	char *only0[] = { "qemu" };
	char name[64];
	struct x4_err e;
	char **v;
	int n;

	(void)state;
	v = load("probe-kvm.argv", &n);
	assert_int_equal(x4_qemuargv_is_probe(n, v), 1);
	assert_int_equal(x4_qemuargv_vm_name(n, v, name, sizeof(name), &e), -ENOENT);
	assert_non_null(strstr(e.msg, "no -name"));
	free_argv(v, n);
	assert_int_equal(x4_qemuargv_is_probe(ARGC(version), version), 1);
	assert_int_equal(x4_qemuargv_is_probe(ARGC(help), help), 1);
	assert_int_equal(x4_qemuargv_is_probe(ARGC(devhelp), devhelp), 1);
	assert_int_equal(x4_qemuargv_is_probe(ARGC(append), append), 1);
	assert_int_equal(x4_qemuargv_is_probe(ARGC(only0), only0), 1);
	assert_int_equal(x4_qemuargv_is_probe(ARGC(real), real), 0);
	assert_int_equal(x4_qemuargv_is_probe(ARGC(dashes), dashes), 0);
	v = load("start-feas.argv", &n);
	assert_int_equal(x4_qemuargv_is_probe(n, v), 0);
	free_argv(v, n);
}

static void test_vm_name(void **state)
{
	char *old[] = { "qemu", "-name", "oldvm" };
	char *old2[] = { "qemu", "-name", "old,,vm,process=x" };
	char *proc[] = { "qemu", "-name", "process=x,debug-threads=on" };
	char *empty[] = { "qemu", "-name", "guest=,debug-threads=on" };
	char *twice[] = { "qemu", "-name", "guest=first", "-S", "-name", "guest=second" };
	char *dangling[] = { "qemu", "-S", "-name" };
	char *exact[] = { "qemu", "-name", "guest=abcdefg" };
	char name[8], big[128];
	struct x4_err e;
	char **v;
	int n;

	(void)state;
	v = load("start-feas.argv", &n);
	assert_int_equal(x4_qemuargv_vm_name(n, v, big, sizeof(big), &e), 0);
	assert_string_equal(big, "feas");
	free_argv(v, n);
	v = load("keyvalue-win11.argv", &n);
	assert_int_equal(x4_qemuargv_vm_name(n, v, big, sizeof(big), &e), 0);
	assert_string_equal(big, "win11,x4");
	free_argv(v, n);
	assert_int_equal(x4_qemuargv_vm_name(ARGC(old), old, big, sizeof(big), &e), 0);
	assert_string_equal(big, "oldvm");
	assert_int_equal(x4_qemuargv_vm_name(ARGC(old2), old2, big, sizeof(big), &e), 0);
	assert_string_equal(big, "old,vm");
	assert_int_equal(x4_qemuargv_vm_name(ARGC(twice), twice, big, sizeof(big), &e), 0);
	assert_string_equal(big, "second");
	assert_int_equal(x4_qemuargv_vm_name(ARGC(proc), proc, big, sizeof(big), &e), -EINVAL);
	assert_non_null(strstr(e.msg, "no guest name"));
	assert_int_equal(x4_qemuargv_vm_name(ARGC(empty), empty, big, sizeof(big), &e), -EINVAL);
	assert_int_equal(x4_qemuargv_vm_name(ARGC(dangling), dangling, big, sizeof(big), &e),
			 -ENOENT);
	assert_int_equal(x4_qemuargv_vm_name(ARGC(exact), exact, name, 7, &e), -ENAMETOOLONG);
	assert_int_equal(x4_qemuargv_vm_name(ARGC(exact), exact, name, 8, &e), 0);
	assert_string_equal(name, "abcdefg");
}

/* Rewrite a fixture and compare with its .expected file. */
static void check_fixture(const char *in, const char *expected, const struct x4_rewrite *rw,
			  int want_flags)
{
	struct x4_err e;
	char **v, **w, **out;
	int n, wn, outn;

	v = load(in, &n);
	w = load(expected, &wn);
	x4_err_clear(&e);
	assert_int_equal(x4_qemuargv_rewrite(n, v, rw, &out, &outn, &e), want_flags);
	assert_argv_equal(out, outn, w, wn);
	x4_qemuargv_free(out, outn);
	free_argv(v, n);
	free_argv(w, wn);
}

static void test_capture_lg(void **state)
{
	struct x4_rewrite rw = { .lg_mem_path = "/dev/kvmfr0", .lg_size = 32 * MIB };
	struct x4_err e;
	char **v, **out;
	int n, outn, at;

	(void)state;
	check_fixture("start-feas.argv", "start-feas.lg.expected", &rw, X4_REWRITE_LG_ADDED);
	/* The same, spelled out: four arguments after the last -device, nothing else touched. */
	v = load("start-feas.argv", &n);
	assert_int_equal(n, 59);
	assert_int_equal(x4_qemuargv_rewrite(n, v, &rw, &out, &outn, &e), X4_REWRITE_LG_ADDED);
	at = last_device(v, n) + 1;
	assert_int_equal(outn, n + 4);
	for (int i = 0; i < at; i++)
		assert_string_equal(out[i], v[i]);
	assert_string_equal(out[at], "-object");
	assert_string_equal(out[at + 1], "{\"qom-type\":\"memory-backend-file\",\"id\":\"x4-lgmem\","
					 "\"mem-path\":\"/dev/kvmfr0\",\"size\":33554432,"
					 "\"share\":true}");
	assert_string_equal(out[at + 2], "-device");
	/* pci.3 is the pcie-pci-bridge; libvirt's ivshmem holds slot 1 */
	assert_string_equal(out[at + 3], "{\"driver\":\"ivshmem-plain\",\"id\":\"x4-lg\","
					 "\"memdev\":\"x4-lgmem\",\"bus\":\"pci.3\",\"addr\":\"0x2\"}");
	for (int i = at; i < n; i++)
		assert_string_equal(out[i + 4], v[i]);
	x4_qemuargv_free(out, outn);
	free_argv(v, n);
}

static void test_capture_lg_present(void **state)
{
	/* libvirt's own <shmem> already maps /dev/shm/looking-glass: add nothing. */
	struct x4_rewrite rw = { .lg_mem_path = "/dev/shm/looking-glass", .lg_size = 32 * MIB };

	(void)state;
	check_fixture("start-feas.argv", "start-feas.argv", &rw, X4_REWRITE_LG_PRESENT);
}

static void test_capture_user_rom_wins(void **state)
{
	struct x4_pciaddr host = { 0, 0, 0x1f, 0 };
	struct x4_rewrite rw = { .vf = &host, .romfile = "/var/lib/x4-sriov/gop.rom" };

	(void)state;
	check_fixture("start-feas-hd.argv", "start-feas-hd.argv", &rw, X4_REWRITE_ROM_KEPT);
	rw.vf = &vf21;
	check_fixture("start-feas-hd.argv", "start-feas-hd.argv", &rw, X4_REWRITE_ROM_NO_DEVICE);
	/* pci.4 is the bridge there, slot 1 taken by libvirt's ivshmem */
	rw.lg_mem_path = "/dev/kvmfr0";
	rw.lg_size = 64 * MIB;
	rw.vf = &host;
	check_fixture("start-feas-hd.argv", "start-feas-hd.lg.expected", &rw,
		      X4_REWRITE_ROM_KEPT | X4_REWRITE_LG_ADDED);
}

static void test_keyvalue(void **state)
{
	struct x4_rewrite rw = { .vf = &vf21, .romfile = "/var/lib/x4-sriov/gop,1.rom",
				 .lg_mem_path = "/dev/kvmfr0", .lg_size = 64 * MIB };

	(void)state;
	check_fixture("keyvalue-win11.argv", "keyvalue-win11.expected", &rw,
		      X4_REWRITE_ROM_ADDED | X4_REWRITE_LG_ADDED);
}

/* Rewrite a hand-made argv, expect flags, return the output (caller frees). */
static char **rewrite(char **v, int n, const struct x4_rewrite *rw, int want, int *outn)
{
	struct x4_err e;
	char **out = NULL;

	x4_err_clear(&e);
	if (x4_qemuargv_rewrite(n, v, rw, &out, outn, &e) != want)
		fail_msg("rewrite: expected %d, got error '%s'", want, e.msg);
	assert_non_null(out);
	return out;
}

static void test_json_rom(void **state)
{
	char *v[] = {
		"qemu", "-name", "guest=w",
		"-device", "{\"driver\":\"vfio-pci\",\"host\":\"0000:00:02.2\",\"id\":\"hostdev1\"}",
		"-device", "{\"driver\":\"vfio-pci\",\"host\":\"0000:00:02.1\",\"id\":\"hostdev0\","
			   "\"bus\":\"pci.3\",\"addr\":\"0x0\"}",
		"-device", "{\"driver\":\"virtio-net-pci\",\"host\":\"0000:00:02.1\"}",
		"-msg", "timestamp=on",
	};
	struct x4_rewrite rw = { .vf = &vf21, .romfile = "/x/gop.rom" };
	char **out;
	int n;

	(void)state;
	out = rewrite(v, ARGC(v), &rw, X4_REWRITE_ROM_ADDED, &n);
	assert_int_equal(n, ARGC(v));
	assert_string_equal(out[4], v[4]); /* another VF: untouched */
	assert_string_equal(out[6], "{\"driver\":\"vfio-pci\",\"host\":\"0000:00:02.1\",\"id\":"
				    "\"hostdev0\",\"bus\":\"pci.3\",\"addr\":\"0x0\","
				    "\"romfile\":\"/x/gop.rom\"}");
	assert_string_equal(out[8], v[8]); /* not vfio-pci */
	assert_string_equal(out[10], v[10]);
	x4_qemuargv_free(out, n);
}

static void test_json_spaced_escaped(void **state)
{
	char *v[] = {
		"qemu", "-name", "guest=w", "-device",
		" {\"driver\":\"vfio-pci\",\"host\":\"0000:00:02.1\"}", /* leading space: QemuOpts */
		"-device",
		"{ \"id\" : \"hostdev0\",\n \"host\":\"0000:00:02.1\" , \"driver\":\"vfio\\u002dpci\" } ",
	};
	const char *path = "/x/a\"b\\c,d\001.rom";
	struct x4_rewrite rw = { .vf = &vf21, .romfile = path };
	json_object *o, *rf = NULL;
	char **out;
	int n;

	(void)state;
	out = rewrite(v, ARGC(v), &rw, X4_REWRITE_ROM_ADDED, &n);
	/* the first is QemuOpts with driver " {"driver":"vfio-pci"": not a vfio-pci device */
	assert_string_equal(out[4], v[4]);
	assert_string_equal(out[6], "{ \"id\" : \"hostdev0\",\n \"host\":\"0000:00:02.1\" , "
				    "\"driver\":\"vfio\\u002dpci\" ,\"romfile\":"
				    "\"/x/a\\\"b\\\\c,d\\u0001.rom\"} ");
	o = json_tokener_parse(out[6]);
	assert_non_null(o);
	assert_true(json_object_object_get_ex(o, "romfile", &rf));
	assert_string_equal(json_object_get_string(rf), path);
	json_object_put(o);
	x4_qemuargv_free(out, n);
}

static void test_host_spellings(void **state)
{
	static const struct {
		const char *host;
		int match;
	} cases[] = {
		{ "0000:00:02.1", 1 }, { "00:02.1", 1 }, { "0:2.1", 1 }, { "0x0:0x2.0x1", 1 },
		{ "0000:00:02.2", 0 }, { "0001:00:02.1", 0 }, { "00:02.1x", 0 }, { "02.1", 0 },
		{ "", 0 }, { "0000:00:20.1", 0 }, { "0000:100:02.1", 0 }, { "0:0:0:2.1", 0 },
	};
	struct x4_rewrite rw = { .vf = &vf21, .romfile = "/r.rom" };

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char dev[128], *v[] = { "qemu", "-device", dev };
		char **out;
		int n;

		snprintf(dev, sizeof(dev), "vfio-pci,host=%s,id=hostdev0", cases[i].host);
		out = rewrite(v, 3, &rw, cases[i].match ? X4_REWRITE_ROM_ADDED
							: X4_REWRITE_ROM_NO_DEVICE, &n);
		if (cases[i].match)
			assert_non_null(strstr(out[2], ",romfile=/r.rom"));
		else
			assert_string_equal(out[2], dev);
		x4_qemuargv_free(out, n);
	}
}

/* Every vfio-pci address in argv order, in each spelling; other devices, -object and option
 * values that merely read "-device" are not devices; max bounds what is stored. */
static void test_find_vfio(void **state)
{
	char *v[] = {
		"qemu",
		"-device", "driver=vfio-pci,host=00:02.3,id=a",
		"-name", "-device",
		"-device", "virtio-net-pci,host=00:05.0",
		"-device", "vfio-pci,sysfsdev=/sys/bus/pci/devices/0000:00:02.1,id=b",
		"-object", "{\"qom-type\":\"vfio-pci\",\"host\":\"0000:00:07.0\"}",
		"-device", "vfio-pci,host=nonsense,id=c",
		"-device", "{\"driver\":\"vfio-pci-nohotplug\",\"host\":\"0001:03:00.2\"}",
		"-device", "vfio-pci,host=0000:00:02.2,romfile=/u.rom",
	};
	char *bad[] = { "qemu", "-device", "{\"driver\":" };
	char *none[] = { "qemu", "-S", "-device", "qxl-vga" };
	const struct x4_pciaddr want[] = {
		{ 0, 0, 2, 3 }, { 0, 0, 2, 1 }, { 1, 3, 0, 2 }, { 0, 0, 2, 2 },
	};
	struct x4_pciaddr got[8];
	struct x4_err e;

	(void)state;
	assert_int_equal(x4_qemuargv_find_vfio(ARGC(v), v, got, 8, &e), 4);
	for (int i = 0; i < 4; i++)
		assert_true(x4_pciaddr_equal(&got[i], &want[i]));
	memset(got, 0xff, sizeof(got));
	assert_int_equal(x4_qemuargv_find_vfio(ARGC(v), v, got, 2, &e), 2);
	assert_true(x4_pciaddr_equal(&got[1], &want[1]));
	assert_int_equal(got[2].domain, 0xffff); /* nothing past max */
	assert_int_equal(x4_qemuargv_find_vfio(ARGC(v), v, NULL, 0, &e), 0);
	assert_int_equal(x4_qemuargv_find_vfio(ARGC(none), none, got, 8, &e), 0);
	assert_int_equal(x4_qemuargv_find_vfio(ARGC(bad), bad, got, 8, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "not valid JSON"));
	assert_int_equal(x4_qemuargv_find_vfio(ARGC(v), v, NULL, 8, &e), -EINVAL);
	assert_int_equal(x4_qemuargv_find_vfio(0, v, got, 8, &e), -EINVAL);
}

static void test_keyvalue_forms(void **state)
{
	char *v[] = {
		"qemu",
		"-device", "driver=vfio-pci,host=00:02.1,id=a",
		"-device", "vfio-pci,sysfsdev=/sys/bus/pci/devices/0000:00:02.1,id=b",
		"-device", "vfio-pci,host=0000:00:02.1,romfile=,id=c", /* ROM BAR off: user's choice */
		"-device", "{\"driver\":\"vfio-pci\",\"host\":\"0000:00:02.1\",\"romfile\":\"/u.rom\"}",
	};
	struct x4_rewrite rw = { .vf = &vf21, .romfile = "/r.rom" };
	char **out;
	int n;

	(void)state;
	out = rewrite(v, ARGC(v), &rw, X4_REWRITE_ROM_ADDED | X4_REWRITE_ROM_KEPT, &n);
	assert_string_equal(out[2], "driver=vfio-pci,host=00:02.1,id=a,romfile=/r.rom");
	assert_string_equal(out[4], "vfio-pci,sysfsdev=/sys/bus/pci/devices/0000:00:02.1,id=b,"
				    "romfile=/r.rom");
	assert_string_equal(out[6], v[6]);
	assert_string_equal(out[8], v[8]);
	x4_qemuargv_free(out, n);
}

static void test_separators(void **state)
{
	/* Appending must not turn a trailing separator into an escaped ",," (key=value) or
	 * produce ",," in JSON; QEMU's single-quoted JSON strings are accepted as QEMU does. */
	char *v[] = {
		"qemu",
		"-device", "vfio-pci,host=00:02.1,",
		"-device", "vfio-pci,host=00:02.1,x-flag",
		"-device", "{\"driver\":\"vfio-pci\",\"host\":\"0000:00:02.1\",}",
		"-device", "{'driver':'vfio-pci','host':'0000:00:02.1'}",
		"-device", "vfio-pci,id=a,,b,host=0:2.1",
	};
	struct x4_rewrite rw = { .vf = &vf21, .romfile = "/r.rom" };
	char **out;
	int n;

	(void)state;
	out = rewrite(v, ARGC(v), &rw, X4_REWRITE_ROM_ADDED, &n);
	assert_string_equal(out[2], "vfio-pci,host=00:02.1,romfile=/r.rom");
	assert_string_equal(out[4], "vfio-pci,host=00:02.1,x-flag,romfile=/r.rom");
	assert_string_equal(out[6], "{\"driver\":\"vfio-pci\",\"host\":\"0000:00:02.1\","
				    "\"romfile\":\"/r.rom\"}");
	assert_string_equal(out[8], "{'driver':'vfio-pci','host':'0000:00:02.1',"
				    "\"romfile\":\"/r.rom\"}");
	assert_string_equal(out[10], "vfio-pci,id=a,,b,host=0:2.1,romfile=/r.rom");
	x4_qemuargv_free(out, n);
}

static void test_ids_and_slots(void **state)
{
	char *v[] = {
		"qemu",
		"-object", "{\"qom-type\":\"memory-backend-ram\",\"id\":\"x4-lgmem\",\"size\":1}",
		"-object", "memory-backend-ram,id=x4-lgmem1,size=1",
		"-device", "{\"driver\":\"pcie-pci-bridge\",\"id\":\"br\",\"bus\":\"pci.1\",\"addr\":\"0x0\"}",
		"-device", "{\"driver\":\"usb-tablet\",\"id\":\"x4-lg\",\"bus\":\"usb.0\"}",
		"-device", "{\"driver\":\"e1000\",\"id\":\"n0\",\"bus\":\"br\",\"addr\":\"0x1\"}",
		"-device", "{\"driver\":\"e1000\",\"id\":\"n1\",\"bus\":\"br\"}", /* QEMU picks 2 */
		"-device", "{\"driver\":\"e1000\",\"id\":\"n2\",\"bus\":\"br\",\"addr\":8}", /* devfn 8 */
		"-msg", "timestamp=on",
	};
	struct x4_rewrite rw = { .lg_mem_path = "/dev/kvmfr0", .lg_size = 32 * MIB };
	char **out;
	int n;

	(void)state;
	out = rewrite(v, ARGC(v), &rw, X4_REWRITE_LG_ADDED, &n);
	assert_int_equal(n, ARGC(v) + 4);
	assert_string_equal(out[15], "-object");
	assert_non_null(strstr(out[16], "\"id\":\"x4-lgmem2\""));
	assert_string_equal(out[18], "{\"driver\":\"ivshmem-plain\",\"id\":\"x4-lg1\",\"memdev\":"
				     "\"x4-lgmem2\",\"bus\":\"br\",\"addr\":\"0x3\"}");
	assert_string_equal(out[19], "-msg");
	x4_qemuargv_free(out, n);
}

static void test_root_port_fallback(void **state)
{
	char full[32][96], *v[3 + 2 * 33 + 4];
	struct x4_rewrite rw = { .lg_mem_path = "/dev/kvmfr0", .lg_size = 32 * MIB };
	struct x4_err e;
	char **out = (char **)1;
	int n = 0, outn = 7;

	(void)state;
	v[n++] = "qemu";
	v[n++] = "-device";
	v[n++] = "pci-bridge,id=b,chassis_nr=1,bus=pcie.0,addr=0x5";
	for (int s = 1; s < 32; s++) { /* bridge full */
		snprintf(full[s], sizeof(full[s]), "e1000,id=n%d,bus=b,addr=0x%x", s, s);
		v[n++] = "-device";
		v[n++] = full[s];
	}
	v[n++] = "-device";
	v[n++] = "pcie-root-port,id=rp1,bus=pcie.0,addr=0x1";
	out = rewrite(v, n, &rw, X4_REWRITE_LG_ADDED, &outn);
	assert_int_equal(outn, n + 4);
	assert_string_equal(out[n + 3], "ivshmem-plain,id=x4-lg,memdev=x4-lgmem,bus=rp1,addr=0x0");
	x4_qemuargv_free(out, outn);
	/* ... and with a device on the root port: no slot anywhere */
	v[n++] = "-device";
	v[n++] = "virtio-blk-pci,id=d0,bus=rp1,addr=0x0";
	out = (char **)1;
	assert_int_equal(x4_qemuargv_rewrite(n, v, &rw, &out, &outn, &e), -ENOSPC);
	assert_null(out);
	assert_int_equal(outn, 0);
	assert_string_equal(e.msg, "no free PCI slot for the Looking Glass device: add a "
				   "pcie-pci-bridge controller or a spare pcie-root-port to the "
				   "domain");
}

static void test_lg_present_forms(void **state)
{
	char *kv[] = { "qemu", "-object", "memory-backend-file,id=m,mem-path=/dev/kvmfr0,size=1",
		       "-device", "ivshmem-plain,memdev=m,bus=b,addr=0x1" };
	char *legacy[] = { "qemu", "-device", "ivshmem,shm=looking-glass,size=32M" };
	struct x4_rewrite rw = { .lg_mem_path = "/dev/kvmfr0", .lg_size = 32 * MIB };
	char **out;
	int n;

	(void)state;
	out = rewrite(kv, ARGC(kv), &rw, X4_REWRITE_LG_PRESENT, &n);
	assert_argv_equal(out, n, kv, ARGC(kv));
	x4_qemuargv_free(out, n);
	rw.lg_mem_path = "/dev/shm/looking-glass";
	out = rewrite(legacy, ARGC(legacy), &rw, X4_REWRITE_LG_PRESENT, &n);
	assert_argv_equal(out, n, legacy, ARGC(legacy));
	x4_qemuargv_free(out, n);
}

static void test_nothing_to_do(void **state)
{
	struct x4_rewrite rw = { 0 };
	char **v, **out;
	int n, outn;

	(void)state;
	v = load("probe-kvm.argv", &n);
	out = rewrite(v, n, &rw, 0, &outn);
	assert_argv_equal(out, outn, v, n); /* byte-identical */
	x4_qemuargv_free(out, outn);
	free_argv(v, n);
}

static void test_errors(void **state)
{
	const char *bad[] = {
		"{\"driver\":\"vfio-pci\"", "{\"driver\":\"vfio-pci\"} x", "{\"a\" 1}", "{\"a\":tru}",
		"{}{}", "{\"a\":\"\\uZZZZ\"}",
	};
	struct x4_rewrite rw = { .vf = &vf21, .romfile = "/r.rom" };
	struct x4_err e;
	char **out;
	int n;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *v[] = { "qemu", "-name", "guest=x", "-device", (char *)bad[i] };

		out = (char **)1;
		n = 5;
		x4_err_clear(&e);
		assert_int_equal(x4_qemuargv_rewrite(5, v, &rw, &out, &n, &e), -EINVAL);
		assert_null(out);
		assert_int_equal(n, 0);
		assert_non_null(strstr(e.msg, "argv[4]"));
	}
	{
		char *v[] = { "qemu", "-device", "{\"driver\":\"x\"}  \n" }; /* trailing space ok */

		out = rewrite(v, 3, &rw, X4_REWRITE_ROM_NO_DEVICE, &n);
		x4_qemuargv_free(out, n);
	}
	{
		char *v[] = { "qemu" };
		struct x4_rewrite norom = { .romfile = "/r.rom" };
		struct x4_rewrite nosize = { .lg_mem_path = "/dev/kvmfr0" };
		struct x4_rewrite emptyrom = { .vf = &vf21, .romfile = "" };

		assert_int_equal(x4_qemuargv_rewrite(1, v, &norom, &out, &n, &e), -EINVAL);
		assert_int_equal(x4_qemuargv_rewrite(1, v, &nosize, &out, &n, &e), -EINVAL);
		assert_int_equal(x4_qemuargv_rewrite(1, v, &emptyrom, &out, &n, &e), -EINVAL);
		assert_int_equal(x4_qemuargv_rewrite(0, v, &rw, &out, &n, &e), -EINVAL);
		assert_int_equal(x4_qemuargv_rewrite(1, v, NULL, &out, &n, &e), -EINVAL);
		/* Looking Glass with no device at all: no slot */
		assert_int_equal(x4_qemuargv_rewrite(1, v, &(struct x4_rewrite){
			.lg_mem_path = "/dev/kvmfr0", .lg_size = 1 }, &out, &n, &e), -ENOSPC);
	}
}

static void test_huge_argv(void **state)
{
	enum { NDEV = 5000 };
	int n = 0, outn;
	char **v = calloc(2 * NDEV + 16, sizeof(char *)), **out;
	struct x4_rewrite rw = { .vf = &vf21, .romfile = "/r.rom", .lg_mem_path = "/dev/kvmfr0",
				 .lg_size = 32 * MIB };

	(void)state;
	v[n++] = strdup("qemu");
	v[n++] = strdup("-name");
	v[n++] = strdup("guest=big");
	v[n++] = strdup("-device");
	v[n++] = strdup("{\"driver\":\"pcie-pci-bridge\",\"id\":\"pci.9\",\"bus\":\"pci.1\"}");
	for (int i = 0; i < NDEV; i++) {
		char buf[160];

		/* ids x4-lg0, x4-lg1, ... are near misses: x4-lg itself stays free */
		snprintf(buf, sizeof(buf),
			 "{\"driver\":\"virtio-serial-pci\",\"id\":\"x4-lg%d\",\"bus\":\"pci.%d\","
			 "\"addr\":\"0x%x\"}", i, 10 + i, i % 32);
		v[n++] = strdup("-device");
		v[n++] = strdup(buf);
	}
	v[n++] = strdup("-device");
	v[n++] = strdup("{\"driver\":\"vfio-pci\",\"host\":\"0000:00:02.1\",\"id\":\"hostdev0\"}");
	v[n++] = strdup("-msg");
	v[n++] = strdup("timestamp=on");
	out = rewrite(v, n, &rw, X4_REWRITE_ROM_ADDED | X4_REWRITE_LG_ADDED, &outn);
	assert_int_equal(outn, n + 4);
	assert_non_null(strstr(out[n - 3], "\"romfile\":\"/r.rom\""));
	assert_string_equal(out[n - 2], "-object");
	assert_string_equal(out[n + 1], "{\"driver\":\"ivshmem-plain\",\"id\":\"x4-lg\",\"memdev\":"
				       "\"x4-lgmem\",\"bus\":\"pci.9\",\"addr\":\"0x1\"}");
	assert_string_equal(out[n + 2], "-msg");
	x4_qemuargv_free(out, outn);
	free_argv(v, n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probes),
		cmocka_unit_test(test_vm_name),
		cmocka_unit_test(test_capture_lg),
		cmocka_unit_test(test_capture_lg_present),
		cmocka_unit_test(test_capture_user_rom_wins),
		cmocka_unit_test(test_keyvalue),
		cmocka_unit_test(test_json_rom),
		cmocka_unit_test(test_json_spaced_escaped),
		cmocka_unit_test(test_host_spellings),
		cmocka_unit_test(test_find_vfio),
		cmocka_unit_test(test_keyvalue_forms),
		cmocka_unit_test(test_separators),
		cmocka_unit_test(test_ids_and_slots),
		cmocka_unit_test(test_root_port_fallback),
		cmocka_unit_test(test_lg_present_forms),
		cmocka_unit_test(test_nothing_to_do),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_huge_argv),
	};
	return cmocka_run_group_tests(tests, find_fixtures, NULL);
}
