/* SPDX-License-Identifier: MIT */
/* Unit tests: lib/enumname (name tables read both ways) and the tables of lgmp and rom. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "enumname.h"
#include "lgmp.h"
#include "rom.h"

enum colour { RED, GREEN, BLUE, COLOUR_COUNT };
X4_ENUM_IMPL(colour, enum colour, COLOUR_COUNT, [RED] = "red", [GREEN] = "green", [BLUE] = "blue")

static void test_impl(void **state)
{
	enum colour c = RED;
	char list[32];

	(void)state;
	assert_string_equal(colour_name(GREEN), "green");
	assert_string_equal(colour_name(COLOUR_COUNT), "?");
	assert_int_equal(colour_parse("blue", &c), 0);
	assert_int_equal(c, BLUE);
	assert_int_equal(colour_parse("Blue", &c), -1);
	assert_int_equal(colour_parse("blu", &c), -1);
	assert_int_equal(colour_parse("blue ", &c), -1);
	assert_int_equal(colour_parse("", &c), -1);
	assert_int_equal(colour_parse(NULL, &c), -1);
	assert_int_equal(c, BLUE); /* refused names leave it alone */
	assert_string_equal(colour_expect(list, sizeof(list)), "red, green or blue");
	assert_string_equal(colour_expect(list, 6), "red, ");
}

static void test_helpers(void **state)
{
	static const char *const one[] = {"only"};
	static const char *const holes[] = {"a", NULL, "c"};
	char list[16];

	(void)state;
	assert_string_equal(x4_enum_list(one, 1, list, sizeof(list)), "only");
	assert_string_equal(x4_enum_list(one, 0, list, sizeof(list)), "");
	/* a value without a name reads "?" and no text parses to it */
	assert_string_equal(x4_enum_name(holes, 3, 1), "?");
	assert_int_equal(x4_enum_index(holes, 3, "c"), 2);
	assert_int_equal(x4_enum_index(holes, 3, "?"), -1);
	assert_int_equal(x4_enum_index(holes, 3, NULL), -1);
}

/* Every value of the print-only enums of lib/ has its own name, and it reads back. */
static void test_lib_tables(void **state)
{
	(void)state;
	for (unsigned v = 0; v < X4_LGMP_KIND_COUNT; v++) {
		enum x4_lgmp_kind k = X4_LGMP_KIND_COUNT;

		assert_string_not_equal(x4_lgmp_kind_name((enum x4_lgmp_kind)v), "?");
		assert_int_equal(x4_lgmp_kind_parse(x4_lgmp_kind_name((enum x4_lgmp_kind)v), &k),
				 0);
		assert_int_equal(k, v);
	}
	for (unsigned v = 0; v < X4_LGMP_LIVE_COUNT; v++) {
		enum x4_lgmp_live l = X4_LGMP_LIVE_COUNT;

		assert_string_not_equal(x4_lgmp_live_name((enum x4_lgmp_live)v), "?");
		assert_int_equal(x4_lgmp_live_parse(x4_lgmp_live_name((enum x4_lgmp_live)v), &l),
				 0);
		assert_int_equal(l, v);
	}
	for (unsigned v = 0; v < X4_ROM_KIND_COUNT; v++) {
		enum x4_rom_kind k = X4_ROM_KIND_COUNT;

		assert_string_not_equal(x4_rom_kind_name((enum x4_rom_kind)v), "?");
		assert_int_equal(x4_rom_kind_parse(x4_rom_kind_name((enum x4_rom_kind)v), &k), 0);
		assert_int_equal(k, v);
	}
	/* the words x4ctl lg status and rom check print */
	assert_string_equal(x4_lgmp_kind_name(X4_LGMP_HOST), "host present");
	assert_string_equal(x4_lgmp_live_name(X4_LGMP_STALE), "stale");
	assert_string_equal(x4_rom_kind_name(X4_ROM_UNKNOWN), "unknown");
	assert_string_equal(x4_rom_kind_name(X4_ROM_PE32_EFI), "PE32 EFI driver");
	assert_string_equal(x4_lgmp_kind_name(X4_LGMP_KIND_COUNT), "?");
	assert_string_equal(x4_rom_kind_name(X4_ROM_KIND_COUNT), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_impl),
		cmocka_unit_test(test_helpers),
		cmocka_unit_test(test_lib_tables),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
