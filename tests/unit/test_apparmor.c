/* SPDX-License-Identifier: MIT */
/* Unit tests: lib/apparmor (path quoting, our marked block set/remove byte for byte, rules). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "apparmor.h"
#include "layout.h"

static void test_quote(void **state)
{
	char q[256];

	(void)state;
	assert_int_equal(x4_aa_quote_path("/srv/gop.rom", q, sizeof(q)), 0);
	assert_string_equal(q, "\"/srv/gop.rom\"");
	assert_int_equal(x4_aa_quote_path("/my roms/a*[1]{x}?^\"\\.efi", q, sizeof(q)), 0);
	assert_string_equal(q, "\"/my roms/a\\*\\[1\\]\\{x\\}\\?\\^\\\"\\\\.efi\"");
	assert_int_equal(x4_aa_quote_path("/a\nb", q, sizeof(q)), -EINVAL);
	assert_int_equal(x4_aa_quote_path("rel/a", q, sizeof(q)), -EINVAL);
	assert_int_equal(x4_aa_quote_path("/aaaaaaaaaa", q, 8), -ENAMETOOLONG);
}

/* set then remove gives the original bytes back, whatever the file ended with. */
static void roundtrip(const char *orig, const char *block)
{
	char *set = NULL, *back = NULL, *again = NULL;
	size_t sl = 0, bl = 0, al = 0;
	int sep = 0;

	assert_int_equal(x4_aa_block_set(orig, strlen(orig), block, &set, &sl, &sep), 1);
	assert_true(x4_aa_block_present(set, sl, block));
	assert_non_null(strstr(set, orig[0] && orig[strlen(orig) - 1] != '\n' ? "" : orig));
	assert_int_equal(x4_aa_block_set(set, sl, block, &again, &al, NULL), 0); /* idempotent */
	assert_int_equal(x4_aa_block_remove(set, sl, sep, &back, &bl), 1);
	assert_int_equal(bl, strlen(orig));
	assert_memory_equal(back, orig, bl);
	assert_int_equal(x4_aa_block_remove(back, bl, sep, &again, &al), 0);
	free(set);
	free(back);
}

static void test_block_roundtrip(void **state)
{
	char block[4096];

	(void)state;
	assert_int_equal(x4_aa_libvirtd_block(block, sizeof(block), NULL), 0);
	roundtrip("", block);
	roundtrip("# Site-specific additions\n", block);
	roundtrip("/srv/x r,", block); /* no final newline: one is put before ours, and taken back */
	roundtrip("a\n\n", block);
}

static void test_block_replace_keeps_user_lines(void **state)
{
	const char *text = "before r,\n" X4_AA_BEGIN "\nold rule,\n" X4_AA_END "\nafter r,\n";
	char *out = NULL, *back = NULL;
	size_t ol = 0, bl = 0;

	(void)state;
	assert_int_equal(x4_aa_block_set(text, strlen(text), X4_AA_BEGIN "\nnew,\n" X4_AA_END "\n",
					 &out, &ol, NULL),
			 1);
	assert_string_equal(out, "before r,\n" X4_AA_BEGIN "\nnew,\n" X4_AA_END "\nafter r,\n");
	assert_int_equal(x4_aa_block_remove(out, ol, 0, &back, &bl), 1);
	assert_string_equal(back, "before r,\nafter r,\n");
	assert_false(x4_aa_block_present(text, strlen(text), X4_AA_BEGIN "\nnew,\n" X4_AA_END "\n"));
	free(out);
	free(back);
}

/* Fuzz findings: our words inside another line, and a BEGIN line with nothing after it, are not
 * our block: set adds a whole block once, and a second set changes nothing. */
static void test_block_not_ours(void **state)
{
	static const char *const texts[] = {"/srv/x4-m" X4_AA_BEGIN "\ncus", X4_AA_BEGIN,
					    X4_AA_BEGIN "\ncut, no end\n"};
	const char *block = X4_AA_BEGIN "\nnew,\n" X4_AA_END "\n";
	char *out = NULL, *again = NULL, *back = NULL;
	size_t ol = 0, al = 0, bl = 0, i, st, en;
	int sep = 0;

	(void)state;
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		assert_int_equal(x4_aa_block_find(texts[i], strlen(texts[i]), &st, &en), 0);
		assert_int_equal(x4_aa_block_set(texts[i], strlen(texts[i]), block, &out, &ol, &sep), 1);
		assert_true(x4_aa_block_present(out, ol, block));
		assert_int_equal(x4_aa_block_set(out, ol, block, &again, &al, NULL), 0);
		assert_int_equal(x4_aa_block_remove(out, ol, sep, &back, &bl), 1);
		assert_int_equal(bl, strlen(texts[i]));
		assert_memory_equal(back, texts[i], bl);
		free(out);
		free(back);
	}
}

static void test_rules(void **state)
{
	static struct x4_config c;
	char block[8192], skipped[128];

	(void)state;
	assert_int_equal(x4_aa_libvirtd_block(block, sizeof(block), NULL), 0);
	assert_non_null(strstr(block, "\n" X4_WRAPPER_PATH " PUx,\n"));
	assert_non_null(strstr(block, "\n" X4_HOOK_PATH " rmix,\n"));
	assert_non_null(strstr(block, "\n" X4_HOOK_CORE_PATH " rmix,\n"));
	x4_config_defaults(&c);
	snprintf(c.host.rom, sizeof(c.host.rom), "/srv/my roms/gop.efi");
	c.n_vms = 2;
	snprintf(c.vms[0].s.rom, sizeof(c.vms[0].s.rom), "/var/lib/x4-sriov/gop.rom");
	c.vms[1].s.lg = X4_LG_KVMFR;
	snprintf(c.vms[1].s.lg_path, sizeof(c.vms[1].s.lg_path), "/dev/kvmfr12");
	snprintf(c.vms[1].s.rom, sizeof(c.vms[1].s.rom), "/srv/bad\nname");
	assert_int_equal(x4_aa_qemu_block(&c, block, sizeof(block), skipped, sizeof(skipped), NULL),
			 0);
	assert_non_null(strstr(block, "\n" X4_WRAPPER_PATH " rmix,\n"));
	assert_non_null(strstr(block, "\n" X4_CONF_DIR "/** r,\n"));
	assert_non_null(strstr(block, "\n/run/x4-sriov/** r,\n"));
	assert_non_null(strstr(block, "\n\"/srv/my roms/gop.efi\" r,\n"));
	assert_null(strstr(block, "\"/var/lib/x4-sriov/gop.rom\"")); /* covered by the glob */
	assert_non_null(strstr(block, "\n\"/dev/kvmfr12\" rw,\n"));
	assert_null(strstr(block, "bad"));
	assert_string_equal(skipped, "a r path");
	assert_int_equal(x4_aa_qemu_block(&c, block, 64, NULL, 0, NULL), -ENAMETOOLONG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quote),
		cmocka_unit_test(test_block_roundtrip),
		cmocka_unit_test(test_block_replace_keeps_user_lines),
		cmocka_unit_test(test_block_not_ours),
		cmocka_unit_test(test_rules),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
