/* SPDX-License-Identifier: MIT */
/* enumname: one name table per enum, read both ways (value -> name, name -> value).
 * Owns nothing but the lookups; any module that prints or parses an enum may use it. */
#ifndef X4_ENUMNAME_H
#define X4_ENUMNAME_H

#include <stddef.h>

/* names[v] for v < n, else "?" (a value without a name: a bug, never a crash). */
const char *x4_enum_name(const char *const *names, size_t n, unsigned v);

/* The index of text in names (exact, case-sensitive), or -1. */
int x4_enum_index(const char *const *names, size_t n, const char *text);

/* "a, b or c": the names for an "expected ..." message; returns out. */
const char *x4_enum_list(const char *const *names, size_t n, char *out, size_t size);

/* X4_ENUM_IMPL(prefix, type, count, "name0", "name1", ...) defines
 *   const char *prefix_name(type v);                 the name of v ("?" when out of range)
 *   int prefix_parse(const char *text, type *out);    0, or -1 for an unknown name
 *   const char *prefix_expect(char *out, size_t n);   "name0, name1 or name2"
 * from one table of names, in the enum's order; count (the number of values) must match it. */
#define X4_ENUM_IMPL(prefix, type, count, ...)                                                 \
	static const char *const prefix##_names_[] = {__VA_ARGS__};                            \
	_Static_assert(sizeof(prefix##_names_) / sizeof(prefix##_names_[0]) == (count),         \
		       #prefix ": one name per value");                                         \
	const char *prefix##_name(type v)                                                      \
	{                                                                                      \
		return x4_enum_name(prefix##_names_, (count), (unsigned)v);                    \
	}                                                                                      \
	int prefix##_parse(const char *text, type *out)                                        \
	{                                                                                      \
		int i = x4_enum_index(prefix##_names_, (count), text);                         \
                                                                                               \
		if (i < 0)                                                                     \
			return -1;                                                             \
		*out = (type)i;                                                                \
		return 0;                                                                      \
	}                                                                                      \
	const char *prefix##_expect(char *out, size_t n)                                       \
	{                                                                                      \
		return x4_enum_list(prefix##_names_, (count), out, n);                         \
	}

/* The matching declarations, for the module's header. */
#define X4_ENUM_DECL(prefix, type)                                                             \
	const char *prefix##_name(type v);                                                     \
	int prefix##_parse(const char *text, type *out);                                       \
	const char *prefix##_expect(char *out, size_t n)

#endif
