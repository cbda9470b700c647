/* SPDX-License-Identifier: MIT */
/* event: owns libvirt's qemu hook events (operation, sub-operation) as far as x4-sriov cares.
 * Callers: x4-hook and lib/lifecycle. */
#ifndef X4_EVENT_H
#define X4_EVENT_H

/* libvirt's qemu hook events, as far as x4-sriov cares. */
enum x4_event {
	X4_EV_IGNORE,    /* attach, unknown ops and subops: exit 0 */
	X4_EV_FILTER,    /* migrate, restore: XML filters; print nothing = keep the XML */
	X4_EV_PREPARE,   /* prepare begin */
	X4_EV_START,     /* start begin */
	X4_EV_STARTED,   /* started begin */
	X4_EV_RECONNECT, /* reconnect begin */
	X4_EV_STOPPED,   /* stopped end */
	X4_EV_RELEASE,   /* release end */
};

enum x4_event x4_event_parse(const char *op, const char *subop);

#endif
