/* SPDX-License-Identifier: MIT */
/* enumname: the lookups behind X4_ENUM_IMPL (one name table per enum). */
#include "enumname.h"

#include <stdio.h>
#include <string.h>

const char *x4_enum_name(const char *const *names, size_t n, unsigned v)
{
	return v < n && names[v] ? names[v] : "?";
}

int x4_enum_index(const char *const *names, size_t n, const char *text)
{
	if (!text)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (names[i] && strcmp(names[i], text) == 0)
			return (int)i;
	return -1;
}

const char *x4_enum_list(const char *const *names, size_t n, char *out, size_t size)
{
	size_t used = 0;

	if (!size)
		return out;
	out[0] = '\0';
	for (size_t i = 0; i < n && used < size; i++) {
		const char *sep = i == 0 ? "" : i + 1 == n ? " or " : ", ";
		int w = snprintf(out + used, size - used, "%s%s", sep, names[i]);

		if (w < 0)
			break;
		used += (size_t)w;
	}
	return out;
}
