/* SPDX-License-Identifier: MIT */
/* Unit tests: lib/plan (the one decision; strict write/read of the per-VM plan). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <cmocka.h>

#include "testutil.h"

#include "fileio.h"
#include "name.h"
#include "plan.h"

#define MIB (1ULL << 20)

static char root[256];
static struct x4_config cfg;

static void rootpath(char *out, size_t n, const char *abs)
{
	snprintf(out, n, "%s%s", root, abs);
}

static void put(const char *abs, const char *text, mode_t mode)
{
	char p[1024];
	struct x4_err e;
	FILE *f;

	rootpath(p, sizeof(p), abs);
	{
		char dir[1024];

		snprintf(dir, sizeof(dir), "%s", abs);
		*strrchr(dir, '/') = '\0';
		if (dir[0])
			assert_int_equal(x4_mkdirs(dir, 0755, &e), 0);
	}
	unlink(p);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	chmod(p, mode);
}

/* Load cfg from text through the real config parser. */
static void config(const char *text)
{
	struct x4_err e;

	put("/etc/x4-sriov/x4-sriov.conf", text, 0644);
	{
		char p[512];

		rootpath(p, sizeof(p), "/etc/x4-sriov/x4-sriov.conf");
		if (x4_config_load_file(&cfg, p, &e) < 0)
			fail_msg("config: %s", e.msg);
	}
}

static int setup(void **state)
{
	(void)state;
	return tu_root_make(root, sizeof(root), "plan");
}

static int teardown(void **state)
{
	(void)state;
	return tu_root_remove(root);
}

static void test_decide_defaults(void **state)
{
	struct x4_plan p;
	struct x4_err e;

	(void)state;
	x4_config_defaults(&cfg);
	assert_int_equal(x4_plan_decide(&cfg, "win11", NULL, &p, &e), 0);
	assert_string_equal(p.vm, "win11");
	assert_int_equal(p.has_vf, 0);
	assert_string_equal(p.rom, "");
	assert_int_equal(p.lg, X4_LG_OFF);
	assert_string_equal(p.lg_path, "");
	assert_int_equal(p.lg_size, 0);
	assert_int_equal(x4_plan_decide(&cfg, "", NULL, &p, &e), -EINVAL);
}

static void test_decide_vm_section(void **state)
{
	struct x4_plan p;
	struct x4_pciaddr vf;
	struct x4_err e;
	char a[X4_PCIADDR_STRLEN], rom[512], text[1024];

	(void)state;
	/* rom = is a real path (not under X4_ROOT); optionrom's key needs its bytes */
	put("/gop.efi", "not really a driver", 0644);
	rootpath(rom, sizeof(rom), "/gop.efi");
	snprintf(text, sizeof(text), "[host]\nrom = %s\nlooking_glass = shm\n"
	       "[vm win11]\nvf = 0000:00:02.3\nlooking_glass = /dev/kvmfr0\nlg_resolution = 2560x1440\n"
	       "rom_mode = optionrom\n"
	       "[vm my vm]\nlg_resolution = 3840x2160 hdr\n"
	       "[vm sized]\nlg_size = 128M\nlg_resolution = 1920x1080\nrom =\n", rom);
	config(text);
	assert_int_equal(x4_plan_decide(&cfg, "win11", NULL, &p, &e), 0);
	assert_int_equal(p.has_vf, 1);
	assert_string_equal(x4_pciaddr_format(&p.vf, a), "0000:00:02.3");
	/* named by content: SHA-256 of the bytes and the ids (8086:0000 without a PF in sysfs) */
	assert_int_equal(strlen(p.rom), strlen("/var/lib/x4-sriov/rom/") + 64 + strlen(".optionrom"));
	assert_int_equal(strncmp(p.rom, "/var/lib/x4-sriov/rom/", 22), 0);
	assert_string_equal(p.rom + 22 + 64, ".optionrom");
	assert_int_equal(p.lg, X4_LG_KVMFR);
	assert_string_equal(p.lg_path, "/dev/kvmfr0");
	assert_int_equal(p.lg_size, 64 * MIB);
	/* the argument wins over the section */
	x4_pciaddr_parse("0000:00:02.5", &vf, NULL);
	assert_int_equal(x4_plan_decide(&cfg, "win11", &vf, &p, &e), 0);
	assert_string_equal(x4_pciaddr_format(&p.vf, a), "0000:00:02.5");
	/* host settings: raw ROM, shm named after the encoded VM */
	assert_int_equal(x4_plan_decide(&cfg, "my vm", NULL, &p, &e), 0);
	assert_int_equal(p.has_vf, 0);
	assert_string_equal(p.rom, rom);
	assert_int_equal(p.lg, X4_LG_SHM);
	assert_string_equal(p.lg_path, "/dev/shm/looking-glass-my%20vm");
	assert_int_equal(p.lg_size, 256 * MIB);
	/* lg_size beats lg_resolution; an empty rom in [vm] clears the host one */
	assert_int_equal(x4_plan_decide(&cfg, "sized", NULL, &p, &e), 0);
	assert_int_equal(p.lg_size, 128 * MIB);
	assert_string_equal(p.rom, "");
	/* no size anywhere: shm gets the default */
	assert_int_equal(x4_plan_decide(&cfg, "other", NULL, &p, &e), 0);
	assert_int_equal(p.lg_size, 32 * MIB);
	/* plan paths are real paths even under $X4_ROOT */
	assert_null(strstr(p.lg_path, root));
}

/* Regression: kvmfr's static_size_mb is mode 0000 on real hosts; the plan never reads it.
 * Auto size is the device's own (x4_lg_region_size) when the char device exists, else the
 * default that x4ctl lg apply writes. */
static void test_decide_kvmfr_device_size(void **state)
{
	struct x4_plan p;
	struct x4_err e;
	char dev[512];

	(void)state;
	config("[host]\nlooking_glass = /dev/kvmfr1\n[vm a]\n[vm b]\nlg_size = 64M\n");
	assert_int_equal(x4_plan_decide(&cfg, "a", NULL, &p, &e), 0);
	assert_int_equal(p.lg_size, 32 * MIB);
	/* a readable parameter (a sim, an old kernel) without the device: not used */
	put("/sys/module/kvmfr/parameters/static_size_mb", "32,128\n", 0444);
	assert_int_equal(x4_plan_decide(&cfg, "a", NULL, &p, &e), 0);
	assert_int_equal(p.lg_size, 32 * MIB);
	/* a plain file where the device should be is not the device */
	put("/dev/kvmfr1", "x", 0644);
	assert_int_equal(x4_plan_decide(&cfg, "a", NULL, &p, &e), 0);
	assert_int_equal(p.lg_size, 32 * MIB);
	rootpath(dev, sizeof(dev), "/dev/kvmfr1");
	unlink(dev);
	if (mknod(dev, S_IFCHR | 0660, makedev(1, 3)) < 0)
		skip(); /* not root: no char device for the rest */
	/* the device's size (here: the ioctl cannot answer, so lgsize_check's fallback) */
	assert_int_equal(x4_plan_decide(&cfg, "a", NULL, &p, &e), 0);
	assert_int_equal(p.lg_size, 128 * MIB);
	/* the configured size wins over the device's */
	assert_int_equal(x4_plan_decide(&cfg, "b", NULL, &p, &e), 0);
	assert_int_equal(p.lg_size, 64 * MIB);
	unlink(dev);
}

/* The Looking Glass part alone: the same answer as the whole decision, even when the VF the
 * config names by index does not exist yet (a stopped VM). */
static void test_decide_lg_only(void **state)
{
	struct x4_plan whole, lg;
	struct x4_err e;

	(void)state;
	config("[host]\nlooking_glass = shm\n[vm a]\nlg_resolution = 2560x1440\n"
	       "[vm idx]\nvf = 3\n[vm off]\nlooking_glass = off\n"
	       "[vm big]\nlg_resolution = 16000x9000 hdr\n");
	assert_int_equal(x4_plan_decide(&cfg, "a", NULL, &whole, &e), 0);
	assert_int_equal(x4_plan_decide_lg(&cfg, "a", &lg, &e), 0);
	assert_string_equal(lg.vm, "a");
	assert_int_equal(lg.lg, whole.lg);
	assert_string_equal(lg.lg_path, whole.lg_path);
	assert_int_equal(lg.lg_size, 64 * MIB);
	assert_int_equal(lg.has_vf, 0);
	assert_int_equal(x4_plan_decide(&cfg, "idx", NULL, &whole, &e), -ENOENT);
	assert_int_equal(x4_plan_decide_lg(&cfg, "idx", &lg, &e), 0);
	assert_string_equal(lg.lg_path, "/dev/shm/looking-glass-idx");
	assert_int_equal(lg.lg_size, 32 * MIB);
	assert_int_equal(x4_plan_decide_lg(&cfg, "off", &lg, &e), 0);
	assert_int_equal(lg.lg, X4_LG_OFF);
	assert_int_equal(lg.lg_size, 0);
	assert_int_equal(x4_plan_decide_lg(&cfg, "big", &lg, &e), -ERANGE);
	assert_string_equal(lg.vm, "");
	assert_int_equal(x4_plan_decide_lg(&cfg, "", &lg, &e), -EINVAL);
}

static void test_decide_vf_index_and_pf(void **state)
{
	struct x4_plan p;
	struct x4_pciaddr pf;
	struct x4_err e;
	char a[X4_PCIADDR_STRLEN], link[512];

	(void)state;
	config("[host]\n[vm byidx]\nvf = 2\n");
	assert_int_equal(x4_plan_decide(&cfg, "byidx", NULL, &p, &e), -ENOENT);
	assert_non_null(strstr(e.msg, "virtfn1"));
	assert_string_equal(p.vm, "");
	put("/sys/devices/pci0000:00/0000:00:02.2/vendor", "0x8086\n", 0444);
	rootpath(link, sizeof(link), "/sys/bus/pci/devices/0000:00:02.0");
	put("/sys/bus/pci/devices/0000:00:02.0/sriov_numvfs", "7\n", 0644);
	rootpath(link, sizeof(link), "/sys/bus/pci/devices/0000:00:02.0/virtfn1");
	assert_int_equal(symlink("../../../devices/pci0000:00/0000:00:02.2", link), 0);
	assert_int_equal(x4_plan_decide(&cfg, "byidx", NULL, &p, &e), 0);
	assert_string_equal(x4_pciaddr_format(&p.vf, a), "0000:00:02.2");
	/* never the PF: the default one, or the configured one */
	x4_pciaddr_parse("0000:00:02.0", &pf, NULL);
	assert_int_equal(x4_plan_decide(&cfg, "byidx", &pf, &p, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "never pass the PF"));
	config("[host]\npf = 0000:03:00.0\n[vm x]\nvf = 0000:03:00.0\n");
	assert_int_equal(x4_plan_decide(&cfg, "x", NULL, &p, &e), -EINVAL);
	assert_int_equal(x4_plan_decide(&cfg, "x", &pf, &p, &e), 0); /* 02.0 is not this PF */
}

static void test_write_read_roundtrip(void **state)
{
	struct x4_plan p, q;
	struct x4_err e;
	char path[512], rp[1024];
	struct stat st;
	mode_t old;
	const char *names[] = { "win11", "my vm", ".hidden", "a/b", "\xc3\xa9t\xc3\xa9" };

	(void)state;
	config("[host]\nlooking_glass = shm\nrom = /usr/share/x4/gop.efi\n[vm win11]\n"
	       "vf = 0000:00:02.1\nlooking_glass = /dev/kvmfr0\nlg_size = 64M\n");
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		assert_int_equal(x4_plan_decide(&cfg, names[i], NULL, &p, &e), 0);
		old = umask(077);
		assert_int_equal(x4_plan_write(&p, &e), 0);
		umask(old);
		assert_int_equal(x4_plan_read(names[i], &q, &e), 0);
		assert_memory_equal(&p, &q, sizeof(p));
		assert_int_equal(x4_plan_path(names[i], path, sizeof(path), &e), 0);
		assert_int_equal(strncmp(path, "/run/x4-sriov/vm/", 17), 0);
		assert_null(strchr(path + 17, '/'));
		rootpath(rp, sizeof(rp), path);
		assert_int_equal(stat(rp, &st), 0);
		assert_int_equal(st.st_mode & 07777, 0644);
	}
	rootpath(rp, sizeof(rp), X4_PLAN_DIR);
	assert_int_equal(stat(rp, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0755);
	/* no temp files left */
	{
		DIR *d = opendir(rp);
		struct dirent *de;
		int n = 0;

		assert_non_null(d);
		while ((de = readdir(d)))
			if (de->d_name[0] != '.' || strchr(de->d_name + 1, '.'))
				n += strstr(de->d_name, ".tmp.") != NULL;
		closedir(d);
		assert_int_equal(n, 0);
	}
	/* a plan is for one VM only */
	assert_int_equal(x4_plan_read("win12", &q, &e), -ENOENT);
	assert_non_null(strstr(e.msg, "no plan for VM 'win12'"));
	assert_int_equal(x4_plan_remove("win11", &e), 0);
	assert_int_equal(x4_plan_read("win11", &q, &e), -ENOENT);
	assert_int_equal(x4_plan_remove("win11", &e), 0); /* none is fine */
	assert_int_equal(x4_plan_remove("", &e), -EINVAL);
}

static void expect_damaged(const char *vm, const char *text)
{
	struct x4_plan q;
	struct x4_err e;
	char path[512];

	assert_int_equal(x4_plan_path(vm, path, sizeof(path), NULL), 0);
	put(path, text, 0644);
	x4_err_clear(&e);
	q.has_vf = 5;
	if (x4_plan_read(vm, &q, &e) != -EBADMSG)
		fail_msg("accepted as plan: %s (%s)", text, e.msg);
	assert_int_equal(q.has_vf, 0);
	assert_non_null(strstr(e.msg, "damaged"));
}

#define PLAN(vm, vf, rom, lg, path, size)                                                          \
	"{\"version\":1,\"vm\":\"" vm "\",\"vf\":" vf ",\"rom\":\"" rom "\",\"lg\":\"" lg          \
	"\",\"lg_path\":\"" path "\",\"lg_size\":" size "}"

static void test_read_damaged(void **state)
{
	const char *bad[] = {
		"",
		"{",
		"[]",
		"{'version':1}",
		PLAN("a", "null", "", "off", "", "0") " trailing",
		PLAN("b", "null", "", "off", "", "0"),                    /* another VM's plan */
		PLAN("a", "\"0000:00:02.8\"", "", "off", "", "0"),
		PLAN("a", "\"02.1\"", "", "off", "", "0"),
		PLAN("a", "1", "", "off", "", "0"),
		PLAN("a", "null", "relative/rom", "off", "", "0"),
		PLAN("a", "null", "/a/../etc/shadow", "off", "", "0"),
		PLAN("a", "null", "/a,b", "off", "", "0"),
		PLAN("a", "null", "/a\\nb", "off", "", "0"),
		PLAN("a", "null", "", "on", "", "0"),
		PLAN("a", "null", "", "off", "/dev/kvmfr0", "0"),
		PLAN("a", "null", "", "off", "", "33554432"),
		PLAN("a", "null", "", "kvmfr", "/dev/kvmfr10", "33554432"),
		PLAN("a", "null", "", "kvmfr", "/dev/sda", "33554432"),
		PLAN("a", "null", "", "kvmfr", "/dev/kvmfr0", "0"),
		PLAN("a", "null", "", "kvmfr", "/dev/kvmfr0", "-33554432"),
		PLAN("a", "null", "", "kvmfr", "/dev/kvmfr0", "33554433"),
		PLAN("a", "null", "", "kvmfr", "/dev/kvmfr0", "2147483648"),
		PLAN("a", "null", "", "kvmfr", "/dev/kvmfr0", "\"32M\""),
		PLAN("a", "null", "", "shm", "/dev/shm/looking-glass-b", "33554432"),
		PLAN("a", "null", "", "shm", "/etc/passwd", "33554432"),
		"{\"version\":2,\"vm\":\"a\",\"vf\":null,\"rom\":\"\",\"lg\":\"off\",\"lg_path\":\"\","
		"\"lg_size\":0}",
		"{\"vm\":\"a\",\"vf\":null,\"rom\":\"\",\"lg\":\"off\",\"lg_path\":\"\",\"lg_size\":0}",
		"{\"version\":1,\"vm\":\"a\",\"rom\":\"\",\"lg\":\"off\",\"lg_path\":\"\",\"lg_size\":0}",
		"{\"version\":1,\"vm\":\"a\",\"vf\":null,\"rom\":\"\",\"lg\":\"off\",\"lg_path\":\"\","
		"\"lg_size\":0,\"cmd\":\"rm -rf /\"}",
		"{\"version\":1,\"vm\":\"a\\u0000\",\"vf\":null,\"rom\":\"\",\"lg\":\"off\","
		"\"lg_path\":\"\",\"lg_size\":0}",
	};
	struct x4_plan q;
	struct x4_err e;
	char path[512], rp[1024], *big;
	int rc;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_damaged("a", bad[i]);
	/* good ones still load */
	assert_int_equal(x4_plan_path("a", path, sizeof(path), NULL), 0);
	put(path, PLAN("a", "\"0000:00:02.1\"", "/x/gop.efi", "shm", "/dev/shm/looking-glass-a",
		       "33554432"),
	    0644);
	assert_int_equal(x4_plan_read("a", &q, &e), 0);
	assert_int_equal(q.lg, X4_LG_SHM);
	/* writable by others: refused */
	rootpath(rp, sizeof(rp), path);
	chmod(rp, 0666);
	assert_int_equal(x4_plan_read("a", &q, &e), -EBADMSG);
	assert_non_null(strstr(e.msg, "writable by others"));
	chmod(rp, 0644);
	if (geteuid() == 0) {
		assert_int_equal(chown(rp, 4242, 4242), 0); /* another user's file */
		assert_int_equal(x4_plan_read("a", &q, &e), -EBADMSG);
		assert_int_equal(chown(rp, 0, 0), 0);
	}
	/* over the size cap */
	big = malloc(X4_PLAN_MAX_BYTES + 2);
	assert_non_null(big);
	memset(big, ' ', X4_PLAN_MAX_BYTES + 1);
	big[X4_PLAN_MAX_BYTES + 1] = '\0';
	put(path, big, 0644);
	free(big);
	assert_int_equal(x4_plan_read("a", &q, &e), -EFBIG);
	/* a symlink is not followed */
	unlink(rp);
	assert_int_equal(symlink("/etc/passwd", rp), 0);
	assert_int_equal(x4_plan_read("a", &q, &e), -EBADMSG);
	unlink(rp);
	/* there but not a file: an error of its own naming the path, never "no plan" */
	assert_int_equal(mkdir(rp, 0755), 0);
	rc = x4_plan_read("a", &q, &e);
	assert_true(rc < 0 && rc != -ENOENT);
	assert_non_null(strstr(e.msg, path));
	rmdir(rp);
	/* none: -ENOENT, and e says so */
	assert_int_equal(x4_plan_read("a", &q, &e), -ENOENT);
	assert_non_null(strstr(e.msg, "no plan for VM 'a'"));
}

static void test_check_and_write_refuse(void **state)
{
	struct x4_plan p;
	struct x4_err e;
	char name[X4_NAME_MAX + 1], out[64];

	(void)state;
	memset(&p, 0, sizeof(p));
	strcpy(p.vm, "a");
	assert_int_equal(x4_plan_check(&p, &e), 0);
	strcpy(p.rom, "/x,y");
	assert_int_equal(x4_plan_write(&p, &e), -EINVAL);
	p.rom[0] = '\0';
	p.lg = X4_LG_SHM;
	strcpy(p.lg_path, "/dev/shm/looking-glass-b");
	p.lg_size = 32 * MIB;
	assert_int_equal(x4_plan_write(&p, &e), -EINVAL);
	p.lg = (enum x4_lg_kind)42;
	assert_int_equal(x4_plan_check(&p, &e), -EINVAL);
	/* a name whose encoding does not fit a file name */
	memset(name, '\xe9', X4_NAME_MAX);
	name[X4_NAME_MAX] = '\0';
	assert_int_equal(x4_plan_path(name, out, sizeof(out), &e), -ENAMETOOLONG);
	assert_non_null(strstr(e.msg, "shorten"));
}

/* The VMs with a plan file, sorted; temp files and names that do not decode are not VMs. */
static void test_list(void **state)
{
	char vms[4][X4_NAME_MAX + 1], path[512];
	const char *names[] = { "b", "my vm", "a" };
	struct x4_plan p;
	struct x4_err e;

	(void)state;
	rootpath(path, sizeof(path), X4_PLAN_DIR); /* what earlier tests left */
	tu_rm_tree(path);
	assert_int_equal(x4_plan_list(vms, 4, &e), 0); /* no directory: no plans */
	config("[host]\nlooking_glass = shm\n");
	for (int i = 0; i < 3; i++) {
		assert_int_equal(x4_plan_decide(&cfg, names[i], NULL, &p, &e), 0);
		assert_int_equal(x4_plan_write(&p, &e), 0);
	}
	put(X4_PLAN_DIR "/a.json.tmp.Ab12Cd", "{", 0644);
	put(X4_PLAN_DIR "/.json", "{", 0644);
	put(X4_PLAN_DIR "/bad%zz.json", "{", 0644);
	assert_int_equal(x4_plan_list(vms, 4, &e), 3);
	assert_string_equal(vms[0], "a");
	assert_string_equal(vms[1], "b");
	assert_string_equal(vms[2], "my vm");
	assert_int_equal(x4_plan_list(vms, 1, &e), 1);
	for (int i = 0; i < 3; i++)
		assert_int_equal(x4_plan_remove(names[i], &e), 0);
	rootpath(path, sizeof(path), X4_PLAN_DIR "/a.json.tmp.Ab12Cd");
	unlink(path);
	rootpath(path, sizeof(path), X4_PLAN_DIR "/.json");
	unlink(path);
	rootpath(path, sizeof(path), X4_PLAN_DIR "/bad%zz.json");
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decide_defaults),
		cmocka_unit_test(test_decide_vm_section),
		cmocka_unit_test(test_decide_kvmfr_device_size),
		cmocka_unit_test(test_decide_lg_only),
		cmocka_unit_test(test_decide_vf_index_and_pf),
		cmocka_unit_test(test_write_read_roundtrip),
		cmocka_unit_test(test_read_damaged),
		cmocka_unit_test(test_check_and_write_refuse),
		cmocka_unit_test(test_list),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
