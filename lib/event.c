/* SPDX-License-Identifier: MIT */
/* event: libvirt's qemu hook (op, subop) pairs, as far as x4-sriov cares. */
#include "event.h"

#include <string.h>

enum x4_event x4_event_parse(const char *op, const char *subop)
{
	static const struct {
		const char *op, *subop;
		enum x4_event ev;
	} map[] = {
		{ "prepare", "begin", X4_EV_PREPARE },	  { "start", "begin", X4_EV_START },
		{ "started", "begin", X4_EV_STARTED },	  { "reconnect", "begin", X4_EV_RECONNECT },
		{ "stopped", "end", X4_EV_STOPPED },	  { "release", "end", X4_EV_RELEASE },
		{ "migrate", "begin", X4_EV_FILTER },	  { "restore", "begin", X4_EV_FILTER },
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(op, map[i].op) && !strcmp(subop, map[i].subop))
			return map[i].ev;
	return X4_EV_IGNORE;
}
