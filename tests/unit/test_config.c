/* SPDX-License-Identifier: MIT */
/* Unit tests: lib/config (fixtures in tests/fixtures/config, inline bad values, merge). */
#include <errno.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "config.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static struct x4_config cfg; /* large: keep it off the stack */
static char fixdir[1024];
static char tmpdir[256];

/* tests/fixtures/config next to this file, or $X4_TEST_FIXTURES/config. */
static void fixture(const char *name, char *out, size_t n)
{
	snprintf(out, n, "%s/%s", fixdir, name);
}

/* Write text (len bytes) to tmpdir/name; the path goes to out. */
static void tmpfile_(const char *name, const char *text, size_t len, char *out, size_t n)
{
	FILE *f;

	snprintf(out, n, "%s/%s", tmpdir, name);
	f = fopen(out, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static int group_setup(void **state)
{
	const char *env = getenv("X4_TEST_FIXTURES");
	const char *slash = strrchr(__FILE__, '/');

	(void)state;
	if (env && *env)
		snprintf(fixdir, sizeof(fixdir), "%s/config", env);
	else
		snprintf(fixdir, sizeof(fixdir), "%.*s/../fixtures/config",
			 slash ? (int)(slash - __FILE__) : 1, slash ? __FILE__ : ".");
	strcpy(tmpdir, "/tmp/x4-test-config-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static int group_teardown(void **state)
{
	(void)state;
	return nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void test_defaults(void **state)
{
	(void)state;
	memset(&cfg, 0x5a, sizeof(cfg));
	x4_config_defaults(&cfg);
	assert_string_equal(cfg.path, "");
	assert_int_equal(cfg.file_present, 0);
	assert_int_equal(cfg.n_vms, 0);
	assert_int_equal(cfg.host.pf_auto, 1);
	assert_int_equal(cfg.host.num_vfs, 7);
	assert_int_equal(cfg.host.vf_teardown, X4_TEARDOWN_KEEP);
	assert_string_equal(cfg.host.qemu, X4_DEFAULT_QEMU);
	assert_string_equal(cfg.host.rom, "");
	assert_int_equal(cfg.host.rom_mode, X4_ROM_RAW);
	assert_int_equal(cfg.host.lg, X4_LG_OFF);
	assert_int_equal(cfg.host.lg_size, 0);
	assert_int_equal(cfg.host.lg_width, 0);
	assert_int_equal(cfg.host.vf_set, 0);
	assert_int_equal(cfg.host.set_mask, 0);
}

static void test_good_full(void **state)
{
	char path[1100];
	struct x4_err e;
	const struct x4_vm_section *vm;
	struct x4_settings s;

	(void)state;
	fixture("good-full.conf", path, sizeof(path));
	x4_err_clear(&e);
	assert_int_equal(x4_config_load_file(&cfg, path, &e), 0);
	assert_string_equal(e.msg, "");
	assert_int_equal(cfg.file_present, 1);
	assert_string_equal(cfg.path, path);
	assert_int_equal(cfg.host.pf_auto, 0);
	assert_int_equal(cfg.host.pf.slot, 2);
	assert_int_equal(cfg.host.pf.func, 0);
	assert_int_equal(cfg.host.num_vfs, 3);
	assert_int_equal(cfg.host.vf_teardown, X4_TEARDOWN_REMOVE);
	assert_string_equal(cfg.host.qemu, "/usr/bin/qemu-system-x86_64");
	assert_string_equal(cfg.host.rom, "/usr/share/x4-sriov/IntelGopDriver.efi");
	assert_int_equal(cfg.host.rom_mode, X4_ROM_OPTIONROM);
	assert_int_equal(cfg.host.lg, X4_LG_KVMFR);
	assert_string_equal(cfg.host.lg_path, "/dev/kvmfr0");
	assert_int_equal(cfg.host.lg_size, 64ULL << 20);
	assert_int_equal(cfg.host.lg_width, 2560);
	assert_int_equal(cfg.host.lg_height, 1440);
	assert_int_equal(cfg.host.lg_hdr, 1);
	assert_int_equal(cfg.host.set_mask,
			 X4_SET_PF | X4_SET_NUM_VFS | X4_SET_VF_TEARDOWN | X4_SET_QEMU | X4_SET_ROM |
				 X4_SET_ROM_MODE | X4_SET_LOOKING_GLASS | X4_SET_LG_SIZE |
				 X4_SET_LG_RESOLUTION);
	assert_int_equal(cfg.n_vms, 3);

	vm = x4_config_vm(&cfg, "win11");
	assert_non_null(vm);
	assert_int_equal(vm->s.set_mask, X4_SET_VF | X4_SET_LOOKING_GLASS | X4_SET_LG_RESOLUTION);
	assert_int_equal(vm->s.vf_index, 2);
	x4_config_for_vm(&cfg, "win11", &s);
	assert_int_equal(s.vf_set, 1);
	assert_int_equal(s.vf_index, 2);
	assert_int_equal(s.lg, X4_LG_SHM);
	assert_string_equal(s.lg_path, "");
	assert_int_equal(s.lg_width, 1920);
	assert_int_equal(s.lg_height, 1080);
	assert_int_equal(s.lg_hdr, 0);
	/* not overridden: from [host] */
	assert_int_equal(s.lg_size, 64ULL << 20);
	assert_string_equal(s.rom, "/usr/share/x4-sriov/IntelGopDriver.efi");
	assert_int_equal(s.vf_teardown, X4_TEARDOWN_REMOVE);
	assert_int_equal(s.num_vfs, 3);
	assert_true(s.set_mask & X4_SET_VF);
	assert_true(s.set_mask & X4_SET_PF);

	vm = x4_config_vm(&cfg, "Windows 11 (gaming)");
	assert_non_null(vm);
	x4_config_for_vm(&cfg, "Windows 11 (gaming)", &s);
	assert_int_equal(s.vf_set, 1);
	assert_int_equal(s.vf_index, 0);
	assert_int_equal(s.vf_addr.func, 3);
	assert_string_equal(s.rom, ""); /* "rom =" clears the host's ROM */
	assert_int_equal(s.vf_teardown, X4_TEARDOWN_KEEP);
	assert_int_equal(s.lg_size, 0);
	assert_int_equal(s.lg, X4_LG_KVMFR);
	assert_int_equal(s.rom_mode, X4_ROM_RAW);
	assert_int_equal(cfg.host.rom_mode, X4_ROM_OPTIONROM);

	/* an empty section exists and changes nothing */
	assert_non_null(x4_config_vm(&cfg, "empty"));
	x4_config_for_vm(&cfg, "empty", &s);
	assert_int_equal(s.vf_set, 0);
	assert_int_equal(s.set_mask, cfg.host.set_mask);

	/* an unknown VM gets [host] as is */
	assert_null(x4_config_vm(&cfg, "nope"));
	assert_null(x4_config_vm(&cfg, NULL));
	assert_null(x4_config_vm(&cfg, "win1"));
	x4_config_for_vm(&cfg, "nope", &s);
	assert_int_equal(memcmp(&s, &cfg.host, sizeof(s)), 0);
}

static void test_good_other(void **state)
{
	char path[1100];
	struct x4_err e;
	struct x4_settings s;

	(void)state;
	fixture("good-defaults.conf", path, sizeof(path));
	assert_int_equal(x4_config_load_file(&cfg, path, &e), 0);
	assert_int_equal(cfg.file_present, 1);
	assert_int_equal(cfg.host.num_vfs, 7);
	assert_int_equal(cfg.host.set_mask, 0);

	fixture("good-crlf-bom.conf", path, sizeof(path));
	assert_int_equal(x4_config_load_file(&cfg, path, &e), 0);
	assert_int_equal(cfg.host.num_vfs, 2);
	assert_int_equal(cfg.n_vms, 1);
	assert_string_equal(cfg.vms[0].name, "w");
	assert_int_equal(cfg.vms[0].s.vf_index, 1);

	/* [vm] before [host]: the merge does not depend on the order */
	fixture("good-vm-before-host.conf", path, sizeof(path));
	assert_int_equal(x4_config_load_file(&cfg, path, &e), 0);
	x4_config_for_vm(&cfg, "a", &s);
	assert_string_equal(s.qemu, "/opt/qemu");
	x4_config_for_vm(&cfg, "b", &s);
	assert_string_equal(s.qemu, "/usr/local/bin/qemu");
}

/* Fixture files that must fail at LINE, the message holding each needle. */
static void test_bad_fixtures(void **state)
{
	static const struct {
		const char *file;
		int line;
		const char *needle, *needle2;
	} bad[] = {
		{ "bad-unknown-section.conf", 3, "unknown section 'hots'", "expected [host] or [vm NAME]" },
		{ "bad-unknown-key.conf", 4, "[host] 'num_vf': unknown key", "expected one of pf, num_vfs" },
		{ "bad-num-vfs-zero.conf", 2, "[host] num_vfs: '0' is out of range", "expected a whole number 1..255" },
		{ "bad-num-vfs-negative.conf", 3, "[host] num_vfs: '-1' is not a number", "1..255" },
		{ "bad-num-vfs-junk.conf", 2, "[host] num_vfs: '7x' is not a number", "1..255" },
		{ "bad-num-vfs-big.conf", 2, "[host] num_vfs: '256' is out of range", "1..255" },
		{ "bad-dup-key.conf", 4, "[host] num_vfs: duplicate key (first on line 2)", "expected each key once" },
		{ "bad-dup-vm.conf", 5, "[vm win11]: duplicate section (first on line 1)", "expected each [vm NAME] once" },
		{ "bad-dup-host.conf", 3, "[host]: duplicate section (first on line 1)", "one [host]" },
		{ "bad-pf-in-vm.conf", 3, "[vm win11] pf: not allowed here", "expected it in [host]" },
		{ "bad-num-vfs-in-vm.conf", 2, "[vm win11] num_vfs: not allowed here", "[host]" },
		{ "bad-vf-in-host.conf", 2, "[host] vf: not allowed here", "a [vm NAME] section" },
		{ "bad-syntax.conf", 3, "cannot parse line", "expected KEY = VALUE" },
		{ "bad-header.conf", 2, "'[vm win11' has no ']'", "expected [host] or [vm NAME]" },
		{ "bad-key-outside.conf", 2, "'pf': key outside any section", "expected [host]" },
		{ "bad-vm-name-slash.conf", 2, "bad VM name 'a/b'", "without '/'" },
		{ "bad-vm-name-empty.conf", 1, "missing VM name", "expected [vm NAME]" },
		{ "bad-vm-name-ctrl.conf", 1, "bad VM name 'a\\x01b'", "control characters" },
		{ "bad-vm-nospace.conf", 1, "unknown section 'vmwin'", "[vm NAME]" },
		{ "bad-lg-size-pow2.conf", 2, "[host] lg_size: '48M' is not a power of two", "(e.g. 32M or 64MiB) or auto" },
		{ "bad-lg-size-big.conf", 2, "[host] lg_size: '2G' is out of range", "1M to 1G" },
		{ "bad-lg-kvmfr10.conf", 2, "[host] looking_glass: bad value '/dev/kvmfr10'", "expected kvmfr, /dev/kvmfrN (N 0..9), shm or off" },
		{ "bad-lg-resolution.conf", 2, "[vm a] lg_resolution: bad value '1920*1080'", "2560x1440 hdr" },
		{ "bad-qemu-relative.conf", 2, "[host] qemu: 'qemu-system-x86_64' is not an absolute path", "expected an absolute path" },
		{ "bad-rom-mode.conf", 2, "[vm a] rom_mode: bad value 'efi'", "expected raw or optionrom" },
		{ "bad-vf-index.conf", 2, "[vm a] vf: '0' is not a VF index", "1..255" },
		{ "bad-teardown.conf", 2, "[host] vf_teardown: bad value 'delete'", "expected keep or remove" },
		{ "bad-pf-addr.conf", 2, "[host] pf: '0000:00:02' is not a PCI address", "expected auto or DDDD:BB:SS.F" },
		{ "bad-header-trailing.conf", 1, "text after section header: 'extra'", "alone on the line" },
		{ "bad-syntax-before-value.conf", 2, "cannot parse line", NULL },
		{ "bad-value-before-syntax.conf", 2, "[host] num_vfs: '0' is out of range", NULL },
		{ "bad-long-line.conf", 2, "line too long (258 bytes)", "at most 199" },
		{ "bad-continuation-dup.conf", 3, "[host] num_vfs: duplicate key (first on line 2)", NULL },
		{ "bad-uppercase-key.conf", 2, "'NUM_VFS': unknown key", NULL },
		{ "bad-uppercase-section.conf", 1, "unknown section 'HOST'", NULL },
		{ "bad-rom-comma.conf", 2, "[host] rom: '/x.rom,x-vga=on' has a comma", "without commas" },
	};
	char path[1100], where[1200];
	struct x4_err e;

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		fixture(bad[i].file, path, sizeof(path));
		x4_err_clear(&e);
		memset(&cfg, 0x5a, sizeof(cfg));
		if (x4_config_load_file(&cfg, path, &e) != -EINVAL)
			fail_msg("%s: expected -EINVAL, message '%s'", bad[i].file, e.msg);
		assert_int_equal(e.code, EINVAL);
		snprintf(where, sizeof(where), "%s:%d: ", path, bad[i].line);
		if (strncmp(e.msg, where, strlen(where)) != 0 || !strstr(e.msg, bad[i].needle) ||
		    (bad[i].needle2 && !strstr(e.msg, bad[i].needle2)))
			fail_msg("%s: expected '%s' + '%s', got '%s'", bad[i].file, where,
				 bad[i].needle, e.msg);
		assert_null(strchr(e.msg, '\n'));
		/* a broken file leaves the defaults behind, not half a config */
		assert_int_equal(cfg.host.num_vfs, 7);
		assert_int_equal(cfg.n_vms, 0);
		assert_int_equal(cfg.file_present, 1);
	}
}

/* Values, one per inline config "[host|vm x]\nKEY = VALUE\n": good ones and bad ones. */
static void test_values(void **state)
{
	static const struct {
		const char *text;
		int ok;
	} cases[] = {
		{ "[host]\npf = auto", 1 },
		{ "[host]\npf = 00:02.0", 1 },
		{ "[host]\npf = AUTO", 0 },
		{ "[host]\npf =", 0 },
		{ "[host]\nnum_vfs = 1", 1 },
		{ "[host]\nnum_vfs = 255", 1 },
		{ "[host]\nnum_vfs = 007", 1 },
		{ "[host]\nnum_vfs = +3", 0 },
		{ "[host]\nnum_vfs = 3.0", 0 },
		{ "[host]\nnum_vfs = 0x7", 0 },
		{ "[host]\nnum_vfs = 99999999999999999999999", 0 },
		{ "[host]\nnum_vfs =", 0 },
		{ "[host]\nnum_vfs = 3 4", 0 },
		{ "[host]\nqemu = /usr/bin/qemu-system-x86_64 ; comment", 1 },
		{ "[host]\nqemu =", 0 },
		{ "[host]\nqemu = ./qemu", 0 },
		{ "[host]\nqemu = /a\tb", 0 },
		{ "[host]\nrom = relative.rom", 0 },
		{ "[host]\nrom = /a\x7f", 0 },
		{ "[host]\nrom_mode = raw", 1 },
		{ "[host]\nrom_mode = Raw", 0 },
		{ "[host]\nlooking_glass = off", 1 },
		{ "[host]\nlooking_glass = /dev/kvmfr9", 1 },
		{ "[host]\nlooking_glass = /dev/kvmfr", 0 },
		{ "[host]\nlooking_glass = /dev/kvmfra", 0 },
		{ "[host]\nlooking_glass = /dev/shm/looking-glass", 0 },
		{ "[host]\nlooking_glass = on", 0 },
		{ "[host]\nlg_size = auto", 1 },
		{ "[host]\nlg_size = 1M", 1 },
		{ "[host]\nlg_size = 1G", 1 },
		{ "[host]\nlg_size = 1024K", 1 },
		{ "[host]\nlg_size = 32 MiB", 1 },
		{ "[host]\nlg_size = 256MiB", 1 },
		{ "[host]\nlg_size = 1GiB", 1 },
		{ "[host]\nlg_size = 33554432", 1 },
		{ "[host]\nlg_size = 512K", 0 },
		{ "[host]\nlg_size = 2048M", 0 },
		{ "[host]\nlg_size = 32m", 0 },
		{ "[host]\nlg_size = 32MB", 0 },
		{ "[host]\nlg_size = -32M", 0 },
		{ "[host]\nlg_size = M", 0 },
		{ "[host]\nlg_size = 0", 0 },
		{ "[host]\nlg_size = 4096G", 0 },
		{ "[host]\nlg_size = 99999999999999999999M", 0 },
		{ "[host]\nlg_size = 33554433", 0 },
		{ "[host]\nlg_resolution = 3840x2160", 1 },
		{ "[host]\nlg_resolution = 3840x2160   hdr", 1 },
		{ "[host]\nlg_resolution = 16384x16384", 1 },
		{ "[host]\nlg_resolution = 16385x100", 0 },
		{ "[host]\nlg_resolution = 0x100", 0 },
		{ "[host]\nlg_resolution = 100x0", 0 },
		{ "[host]\nlg_resolution = 1920X1080", 0 },
		{ "[host]\nlg_resolution = 1920x1080hdr", 0 },
		{ "[host]\nlg_resolution = 1920x1080 HDR", 0 },
		{ "[host]\nlg_resolution = 1920x1080 hdr x", 0 },
		{ "[host]\nlg_resolution = 1920x", 0 },
		{ "[host]\nlg_resolution = x1080", 0 },
		{ "[host]\nlg_resolution = 1920x-1080", 0 },
		{ "[host]\nlg_resolution = 1920x1080 ", 1 },
		{ "[vm a]\nvf = 7", 1 },
		{ "[vm a]\nvf = 255", 1 },
		{ "[vm a]\nvf = 256", 0 },
		{ "[vm a]\nvf = 1a", 0 },
		{ "[vm a]\nvf = 00:02.1", 1 },
		{ "[vm a]\nvf = 0000:00:02.8", 0 },
		{ "[vm a]\nvf = auto", 0 },
		{ "[vm a]\nvf = -1", 0 },
		{ "[vm a]\nvf =", 0 },
		{ "[vm a]\nvf_teardown = keep", 1 },
		{ "[vm\ta]\n", 1 },
		{ "[vm  spaced name  ] ; comment\n", 1 },
		{ "[vm x] # comment\n", 1 },
		{ "[host]\npf: auto", 1 },
		{ "[host]\n=3", 0 },
	};
	char path[512];
	struct x4_err e;

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		int rc;

		tmpfile_("t.conf", cases[i].text, strlen(cases[i].text), path, sizeof(path));
		x4_err_clear(&e);
		rc = x4_config_load_file(&cfg, path, &e);
		if (cases[i].ok && rc != 0)
			fail_msg("case %zu: unexpected error '%s'", i, e.msg);
		if (!cases[i].ok) {
			char where[600];

			if (rc != -EINVAL)
				fail_msg("case %zu: '%s' accepted", i, cases[i].text);
			snprintf(where, sizeof(where), "%s:2: ", path);
			if (strncmp(e.msg, where, strlen(where)) != 0 || !strstr(e.msg, "expected"))
				fail_msg("case %zu: bad message '%s'", i, e.msg);
		}
	}
	tmpfile_("t.conf", "[vm  spaced name  ]\n", 20, path, sizeof(path));
	assert_int_equal(x4_config_load_file(&cfg, path, &e), 0);
	assert_string_equal(cfg.vms[0].name, "spaced name");
}

static void test_name_limits(void **state)
{
	char text[400], path[512], name[X4_NAME_MAX + 2];
	struct x4_err e;

	(void)state;
	memset(name, 'n', sizeof(name));
	name[X4_NAME_MAX] = '\0';
	snprintf(text, sizeof(text), "[vm %s]\nvf = 1\n", name);
	tmpfile_("t.conf", text, strlen(text), path, sizeof(path));
	assert_int_equal(x4_config_load_file(&cfg, path, &e), 0);
	assert_string_equal(cfg.vms[0].name, name);
	assert_non_null(x4_config_vm(&cfg, name));
	/* one byte more is refused; the first 50 bytes (inih's cut) do not make it the same VM */
	name[X4_NAME_MAX] = 'n';
	name[X4_NAME_MAX + 1] = '\0';
	snprintf(text, sizeof(text), "[vm %s]\n", name);
	tmpfile_("t.conf", text, strlen(text), path, sizeof(path));
	assert_int_equal(x4_config_load_file(&cfg, path, &e), -EINVAL);
	assert_non_null(strstr(e.msg, ":1: "));
	assert_non_null(strstr(e.msg, "too long"));
	memset(name, 'n', 60);
	name[60] = '\0';
	snprintf(text, sizeof(text), "[vm %s]\n[vm %.59sm]\n", name, name);
	tmpfile_("t.conf", text, strlen(text), path, sizeof(path));
	assert_int_equal(x4_config_load_file(&cfg, path, &e), 0);
	assert_int_equal(cfg.n_vms, 2);
}

static void test_many_sections(void **state)
{
	static char text[8192];
	char path[512];
	size_t len = 0;
	struct x4_err e;

	(void)state;
	for (int i = 0; i < X4_MAX_VM_SECTIONS; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len, "[vm v%d]\nvf = %d\n", i,
					i % 7 + 1);
	tmpfile_("many.conf", text, len, path, sizeof(path));
	assert_int_equal(x4_config_load_file(&cfg, path, &e), 0);
	assert_int_equal(cfg.n_vms, X4_MAX_VM_SECTIONS);
	assert_int_equal(x4_config_vm(&cfg, "v63")->s.vf_index, 63 % 7 + 1);
	len += (size_t)snprintf(text + len, sizeof(text) - len, "[vm one-too-many]\n");
	tmpfile_("many.conf", text, len, path, sizeof(path));
	assert_int_equal(x4_config_load_file(&cfg, path, &e), -EINVAL);
	assert_non_null(strstr(e.msg, ":129: too many [vm NAME] sections; expected at most 64"));
}

static void test_file_errors(void **state)
{
	static char big[X4_CONFIG_MAX_BYTES + 2];
	char path[512];
	struct x4_err e;

	(void)state;
	/* missing: defaults, no error */
	snprintf(path, sizeof(path), "%s/does-not-exist.conf", tmpdir);
	memset(&cfg, 0x5a, sizeof(cfg));
	x4_err_clear(&e);
	assert_int_equal(x4_config_load_file(&cfg, path, &e), 0);
	assert_int_equal(cfg.file_present, 0);
	assert_string_equal(cfg.path, "");
	assert_int_equal(cfg.host.num_vfs, 7);
	assert_string_equal(e.msg, "");

	/* a directory, a FIFO (must not block), a path through a file */
	assert_int_equal(x4_config_load_file(&cfg, tmpdir, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "not a regular file"));
	snprintf(path, sizeof(path), "%s/fifo", tmpdir);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(x4_config_load_file(&cfg, path, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "not a regular file"));
	tmpfile_("t.conf", "", 0, path, sizeof(path));
	strcat(path, "/x");
	assert_int_equal(x4_config_load_file(&cfg, path, &e), -ENOTDIR);
	assert_non_null(strstr(e.msg, "cannot read config"));
	assert_non_null(strstr(e.msg, "a parent of it is not a directory"));
	snprintf(path, sizeof(path), "%s/loop", tmpdir);
	assert_int_equal(symlink("loop", path), 0);
	assert_int_equal(x4_config_load_file(&cfg, path, &e), -ELOOP);
	assert_non_null(strstr(e.msg, "too many symbolic links"));
	assert_int_equal(x4_config_load_file(&cfg, NULL, &e), -EINVAL);
	assert_int_equal(x4_config_load_file(&cfg, "", &e), -EINVAL);

	/* the size cap: exactly the cap is fine, one byte more is not */
	memset(big, '\n', sizeof(big));
	tmpfile_("big.conf", big, X4_CONFIG_MAX_BYTES, path, sizeof(path));
	assert_int_equal(x4_config_load_file(&cfg, path, &e), 0);
	tmpfile_("big.conf", big, X4_CONFIG_MAX_BYTES + 1, path, sizeof(path));
	assert_int_equal(x4_config_load_file(&cfg, path, &e), -EFBIG);
	assert_non_null(strstr(e.msg, "larger than 1048576 bytes"));

	/* NUL bytes */
	tmpfile_("nul.conf", "[host]\nnum_vfs = 3\0 junk\n", 25, path, sizeof(path));
	assert_int_equal(x4_config_load_file(&cfg, path, &e), -EINVAL);
	assert_non_null(strstr(e.msg, ":2: NUL byte"));

	/* no trailing newline on the last line */
	tmpfile_("t.conf", "[host]\nnum_vfs = 3", 18, path, sizeof(path));
	assert_int_equal(x4_config_load_file(&cfg, path, &e), 0);
	assert_int_equal(cfg.host.num_vfs, 3);

	/* lines of 199 bytes pass, 200 do not (inih's line buffer) */
	memset(big, 'x', 250);
	memcpy(big, "[host]\nqemu = /", 15);
	big[7 + 199] = '\n';
	tmpfile_("t.conf", big, 7 + 200, path, sizeof(path));
	assert_int_equal(x4_config_load_file(&cfg, path, &e), 0);
	assert_int_equal(strlen(cfg.host.qemu), 199 - 7);
	big[7 + 199] = 'x';
	big[7 + 200] = '\n';
	tmpfile_("t.conf", big, 7 + 201, path, sizeof(path));
	assert_int_equal(x4_config_load_file(&cfg, path, &e), -EINVAL);
	assert_non_null(strstr(e.msg, ":2: line too long (200 bytes)"));
}

static void test_long_path_in_message(void **state)
{
	char dir[600], path[700];
	struct x4_err e;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/%0200d", tmpdir, 0);
	assert_int_equal(mkdir(dir, 0700), 0);
	snprintf(path, sizeof(path), "%s/x4-sriov.conf", dir);
	{
		FILE *f = fopen(path, "w");

		assert_non_null(f);
		fputs("[host]\nnum_vfs = 0\n", f);
		assert_int_equal(fclose(f), 0);
	}
	assert_int_equal(x4_config_load_file(&cfg, path, &e), -EINVAL);
	/* the tail of the path (the file name) and the key survive */
	assert_true(strncmp(e.msg, "...", 3) == 0);
	assert_non_null(strstr(e.msg, "x4-sriov.conf:2: [host] num_vfs:"));
	assert_non_null(strstr(e.msg, "expected a whole number 1..255"));
	unlink(path);
	rmdir(dir);
}

static void test_load_env(void **state)
{
	char path[512];
	struct x4_err e;
	char etc[600];

	(void)state;
	/* $X4_CONFIG wins */
	tmpfile_("t.conf", "[host]\nnum_vfs = 5\n", 19, path, sizeof(path));
	setenv("X4_CONFIG", path, 1);
	assert_int_equal(x4_config_load(&cfg, &e), 0);
	assert_int_equal(cfg.host.num_vfs, 5);
	unsetenv("X4_CONFIG");
	/* else /etc/x4-sriov/x4-sriov.conf under $X4_ROOT; missing = defaults */
	setenv("X4_ROOT", tmpdir, 1);
	assert_int_equal(x4_config_load(&cfg, &e), 0);
	assert_int_equal(cfg.file_present, 0);
	snprintf(etc, sizeof(etc), "%s/etc", tmpdir);
	mkdir(etc, 0755);
	strcat(etc, "/x4-sriov");
	mkdir(etc, 0755);
	strcat(etc, "/x4-sriov.conf");
	{
		FILE *f = fopen(etc, "w");

		assert_non_null(f);
		fputs("[host]\nnum_vfs = 6\n", f);
		assert_int_equal(fclose(f), 0);
	}
	assert_int_equal(x4_config_load(&cfg, &e), 0);
	assert_int_equal(cfg.file_present, 1);
	assert_int_equal(cfg.host.num_vfs, 6);
	assert_string_equal(cfg.path, etc);
	unlink(etc);
	*strrchr(etc, '/') = '\0';
	rmdir(etc);
	*strrchr(etc, '/') = '\0';
	rmdir(etc);
	/* a root too long for a path is an error, with defaults in c */
	{
		char longroot[5000];

		memset(longroot, 'r', sizeof(longroot) - 1);
		longroot[0] = '/';
		longroot[sizeof(longroot) - 1] = '\0';
		setenv("X4_ROOT", longroot, 1);
		assert_int_equal(x4_config_load(&cfg, &e), -ENAMETOOLONG);
		assert_int_equal(cfg.host.num_vfs, 7);
	}
	unsetenv("X4_ROOT");
}

static void test_parse_size(void **state)
{
	uint64_t v = 0;
	struct x4_err e;

	(void)state;
	assert_int_equal(x4_config_parse_size("128M", &v, &e), 0);
	assert_int_equal(v, 128ULL << 20);
	assert_int_equal(x4_config_parse_size("1GiB", &v, &e), 0);
	assert_int_equal(v, 1ULL << 30);
	assert_int_equal(x4_config_parse_size("3M", &v, &e), -EINVAL);
	assert_string_equal(e.msg, "bad size '3M' is not a power of two; expected a power of two "
				   "from 1M to 1G (e.g. 32M or 64MiB)");
	assert_int_equal(x4_config_parse_size("auto", &v, &e), -EINVAL);
	assert_int_equal(x4_config_parse_size(" 32M", &v, &e), -EINVAL);
	assert_int_equal(x4_config_parse_size("", &v, &e), -EINVAL);
	assert_int_equal(x4_config_parse_size(NULL, &v, &e), -EINVAL);
	assert_int_equal(x4_config_parse_size("32T", &v, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "unknown unit"));
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(x4_teardown_name(X4_TEARDOWN_KEEP), "keep");
	assert_string_equal(x4_teardown_name(X4_TEARDOWN_REMOVE), "remove");
	assert_string_equal(x4_rom_mode_name(X4_ROM_RAW), "raw");
	assert_string_equal(x4_rom_mode_name(X4_ROM_OPTIONROM), "optionrom");
	assert_string_equal(x4_lg_kind_name(X4_LG_OFF), "off");
	assert_string_equal(x4_lg_kind_name(X4_LG_KVMFR), "kvmfr");
	assert_string_equal(x4_lg_kind_name(X4_LG_SHM), "shm");
}


/* Each enum's table: every value has a name that parses back to it; unknown names are refused. */
static void test_enum_round_trip(void **state)
{
	static const char *const bad[] = {"", "?", "Keep", "keep ", " raw", "OFF", "kvmfr0",
					  "/dev/kvmfr0", "remove\n", "optionROM"};
	char list[64];

	(void)state;
	for (unsigned v = 0; v < X4_TEARDOWN_COUNT; v++) {
		enum x4_teardown t = X4_TEARDOWN_COUNT;

		assert_string_not_equal(x4_teardown_name((enum x4_teardown)v), "?");
		assert_int_equal(x4_teardown_parse(x4_teardown_name((enum x4_teardown)v), &t), 0);
		assert_int_equal(t, v);
	}
	for (unsigned v = 0; v < X4_ROM_MODE_COUNT; v++) {
		enum x4_rom_mode m = X4_ROM_MODE_COUNT;

		assert_string_not_equal(x4_rom_mode_name((enum x4_rom_mode)v), "?");
		assert_int_equal(x4_rom_mode_parse(x4_rom_mode_name((enum x4_rom_mode)v), &m), 0);
		assert_int_equal(m, v);
	}
	for (unsigned v = 0; v < X4_LG_KIND_COUNT; v++) {
		enum x4_lg_kind k = X4_LG_KIND_COUNT;

		assert_string_not_equal(x4_lg_kind_name((enum x4_lg_kind)v), "?");
		assert_int_equal(x4_lg_kind_parse(x4_lg_kind_name((enum x4_lg_kind)v), &k), 0);
		assert_int_equal(k, v);
	}
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		enum x4_teardown t = X4_TEARDOWN_REMOVE;
		enum x4_rom_mode m = X4_ROM_OPTIONROM;
		enum x4_lg_kind k = X4_LG_SHM;

		assert_int_equal(x4_teardown_parse(bad[i], &t), -1);
		assert_int_equal(x4_rom_mode_parse(bad[i], &m), -1);
		assert_int_equal(x4_lg_kind_parse(bad[i], &k), -1);
		/* a refused name leaves the value alone */
		assert_int_equal(t, X4_TEARDOWN_REMOVE);
		assert_int_equal(m, X4_ROM_OPTIONROM);
		assert_int_equal(k, X4_LG_SHM);
	}
	{
		enum x4_lg_kind k = X4_LG_SHM;

		assert_int_equal(x4_lg_kind_parse(NULL, &k), -1);
	}
	/* out of range: "?", never a crash */
	assert_string_equal(x4_teardown_name(X4_TEARDOWN_COUNT), "?");
	assert_string_equal(x4_rom_mode_name(X4_ROM_MODE_COUNT), "?");
	assert_string_equal(x4_lg_kind_name(X4_LG_KIND_COUNT), "?");
	/* the lists the "expected ..." messages are made of */
	assert_string_equal(x4_teardown_expect(list, sizeof(list)), "keep or remove");
	assert_string_equal(x4_rom_mode_expect(list, sizeof(list)), "raw or optionrom");
	assert_string_equal(x4_lg_kind_expect(list, sizeof(list)), "off, kvmfr or shm");
	assert_string_equal(x4_lg_kind_expect(list, 9), "off, kvm"); /* cut, terminated */
}

/* The key table: names, docs, and spans that stay inside struct x4_settings, apart. */
static void test_key_table(void **state)
{
	unsigned char owner[sizeof(struct x4_settings)];

	(void)state;
	memset(owner, 0xff, sizeof(owner));
	assert_null(x4_config_key(X4_CONFIG_NKEYS));
	assert_true(X4_CONFIG_NKEYS <= 32); /* one bit of set_mask each */
	for (unsigned i = 0; i < X4_CONFIG_NKEYS; i++) {
		const struct x4_config_keyinfo *k = x4_config_key(i);

		assert_non_null(k);
		assert_non_null(k->name);
		assert_non_null(k->doc);
		assert_true(strlen(k->doc) > 10 && !strchr(k->doc, '\n'));
		assert_true(k->scopes & (X4_CONFIG_HOST | X4_CONFIG_VM));
		assert_true(k->size > 0 && k->off + k->size <= sizeof(struct x4_settings));
		for (size_t b = k->off; b < k->off + k->size; b++) {
			assert_int_equal(owner[b], 0xff); /* no byte belongs to two keys */
			owner[b] = (unsigned char)i;
		}
		for (unsigned j = 0; j < i; j++)
			assert_string_not_equal(x4_config_key(j)->name, k->name);
	}
	/* set_mask is the bookkeeping, no key's */
	for (size_t b = offsetof(struct x4_settings, set_mask);
	     b < offsetof(struct x4_settings, set_mask) + sizeof(unsigned); b++)
		assert_int_equal(owner[b], 0xff);
}

/* A value of each key for the merge test; a new key without one fails here. */
static const char *sample_value(const char *key)
{
	static const char *const samples[][2] = {
		{"pf", "0000:00:02.0"},
		{"num_vfs", "3"},
		{"vf", "0000:00:02.3"},
		{"vf_teardown", "remove"},
		{"qemu", "/opt/q"},
		{"rom", "/x/gop.efi"},
		{"rom_mode", "optionrom"},
		{"looking_glass", "/dev/kvmfr4"},
		{"lg_size", "128M"},
		{"lg_resolution", "3840x2160 hdr"},
	};

	for (size_t i = 0; i < ARRAY_LEN(samples); i++)
		if (strcmp(samples[i][0], key) == 0)
			return samples[i][1];
	fail_msg("no sample value for config key '%s' in test_config.c", key);
	return NULL;
}

/* For every key: a [vm] section giving it changes exactly its fields over [host] (and sets
 * its bit); a key of the other scope is refused there. */
static void test_merge_each_key(void **state)
{
	char path[512], text[256];
	struct x4_settings s;
	struct x4_err e;

	(void)state;
	for (unsigned i = 0; i < X4_CONFIG_NKEYS; i++) {
		const struct x4_config_keyinfo *k = x4_config_key(i);
		const char *v = sample_value(k->name);
		int n;

		if (!(k->scopes & X4_CONFIG_VM)) {
			n = snprintf(text, sizeof(text), "[host]\n[vm a]\n%s = %s\n", k->name, v);
			tmpfile_("scope.conf", text, (size_t)n, path, sizeof(path));
			assert_int_equal(x4_config_load_file(&cfg, path, &e), -EINVAL);
			assert_non_null(strstr(e.msg, "not allowed here; expected it in [host]"));
			continue;
		}
		if (!(k->scopes & X4_CONFIG_HOST)) {
			n = snprintf(text, sizeof(text), "[host]\n%s = %s\n", k->name, v);
			tmpfile_("scope.conf", text, (size_t)n, path, sizeof(path));
			assert_int_equal(x4_config_load_file(&cfg, path, &e), -EINVAL);
			assert_non_null(
			    strstr(e.msg, "not allowed here; expected it in a [vm NAME]"));
		}
		n = snprintf(text, sizeof(text), "[host]\n[vm a]\n%s = %s\n", k->name, v);
		tmpfile_("merge.conf", text, (size_t)n, path, sizeof(path));
		x4_err_clear(&e);
		assert_int_equal(x4_config_load_file(&cfg, path, &e), 0);
		assert_int_equal(cfg.vms[0].s.set_mask, 1u << i);
		/* the parser wrote nothing outside the key's span ([host] is all defaults) */
		s = cfg.vms[0].s;
		memcpy((char *)&s + k->off, (char *)&cfg.host + k->off, k->size);
		s.set_mask = cfg.host.set_mask;
		assert_memory_equal(&s, &cfg.host, sizeof(s));
		x4_config_for_vm(&cfg, "a", &s);
		assert_int_equal(s.set_mask, 1u << i);
		/* its span is the VM's, and it differs from [host]'s: the sample is no default */
		assert_memory_equal((char *)&s + k->off, (char *)&cfg.vms[0].s + k->off, k->size);
		assert_memory_not_equal((char *)&s + k->off, (char *)&cfg.host + k->off, k->size);
		/* every other byte (but set_mask) is [host]'s */
		memcpy((char *)&s + k->off, (char *)&cfg.host + k->off, k->size);
		s.set_mask = cfg.host.set_mask;
		assert_memory_equal(&s, &cfg.host, sizeof(s));
	}
}

/* Read a file under the source tree (fixdir is TOP/tests/fixtures/config). */
static char *read_top(const char *rel)
{
	char path[1200];
	static char buf[65536];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/../../../%s", fixdir, rel);
	f = fopen(path, "r");
	if (!f)
		fail_msg("cannot open %s", path);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

/* Does text hold a line starting with prefix followed by key and then end, blank or '='? */
static int has_line(const char *text, const char *prefix, const char *key)
{
	size_t pl = strlen(prefix), kl = strlen(key);

	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (strncmp(l, prefix, pl) == 0 && strncmp(l + pl, key, kl) == 0 &&
		    strchr(" =\n", l[pl + kl]))
			return 1;
	return 0;
}

/* Every key is documented in x4-sriov.conf(5), in the section of its scope, and appears
 * (set or commented out) in the template installed as /etc/x4-sriov/x4-sriov.conf. */
static void test_keys_documented(void **state)
{
	static char man[65536];
	const char *vm_part;

	(void)state;
	snprintf(man, sizeof(man), "%s", read_top("man/x4-sriov.conf.5"));
	vm_part = strstr(man, ".SH [vm NAME] KEYS");
	assert_non_null(vm_part);
	for (unsigned i = 0; i < X4_CONFIG_NKEYS; i++) {
		const struct x4_config_keyinfo *k = x4_config_key(i);
		int in_host, in_vm;

		in_vm = has_line(vm_part, ".BR ", k->name);
		man[vm_part - man] = '\0';
		in_host = has_line(man, ".BR ", k->name);
		man[vm_part - man] = '.';
		if (k->scopes & X4_CONFIG_HOST ? !in_host : !in_vm)
			fail_msg("config key '%s' is not in man/x4-sriov.conf.5 under its scope",
				 k->name);
	}
	{
		const char *tpl = read_top("templates/x4-sriov.conf");

		for (unsigned i = 0; i < X4_CONFIG_NKEYS; i++) {
			const char *name = x4_config_key(i)->name;

			if (!has_line(tpl, "", name) && !has_line(tpl, "#", name))
				fail_msg("config key '%s' is not in templates/x4-sriov.conf", name);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_good_full),
		cmocka_unit_test(test_good_other),
		cmocka_unit_test(test_bad_fixtures),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_name_limits),
		cmocka_unit_test(test_many_sections),
		cmocka_unit_test(test_file_errors),
		cmocka_unit_test(test_long_path_in_message),
		cmocka_unit_test(test_load_env),
		cmocka_unit_test(test_parse_size),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_enum_round_trip),
		cmocka_unit_test(test_key_table),
		cmocka_unit_test(test_merge_each_key),
		cmocka_unit_test(test_keys_documented),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
