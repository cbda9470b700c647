/* SPDX-License-Identifier: MIT */
/* report: doctor's rows (id, state, the signal seen, what it means, the fix) and their text and
 * JSON output. Owns the rows; the checks only add them, and main prints them once at the end. */
#ifndef X4CTL_REPORT_H
#define X4CTL_REPORT_H

#include <stdio.h>

/* skip: the check could not run (a tool, file or permission missing) and says what it lacks. */
enum rep_state { REP_PASS, REP_WARN, REP_FAIL, REP_SKIP, REP_N_STATES };

struct rep_row {
	enum rep_state state;
	char id[64];	   /* the check: "iommu", "i915-module", "vm win11" */
	char signal[1024]; /* what was seen: a log line, a sysfs value, an errno */
	char meaning[512]; /* what it means ("" when the signal says it all) */
	char fix[1024];	   /* one command or setting ("" for pass and skip rows) */
};

struct report {
	struct rep_row *rows;
	unsigned n, cap;
	unsigned count[REP_N_STATES];
};

/* Add a row (strings are cut to the row's fields; NULL meaning/fix = ""). Returns 0, or -ENOMEM
 * (the row is lost, the report stays valid). */
int report_add(struct report *r, enum rep_state s, const char *id, const char *signal,
	       const char *meaning, const char *fix);

/* The rows whose id is id (in order): the next after *i (start with 0); NULL at the end. */
const struct rep_row *report_next(const struct report *r, const char *id, unsigned *i);

/* "FAIL  id             signal" then "meaning:" and "fix:" lines, and the summary line
 * "doctor: N pass, N warn, N fail, N skip". */
void report_print_text(const struct report *r, FILE *f);

/* {"rows": [{"id", "state", "signal", "meaning", "fix"}...], "summary": {...}}. */
void report_print_json(const struct report *r, FILE *f);

const char *report_state_name(enum rep_state s); /* "pass", "warn", "fail", "skip" */

void report_free(struct report *r);

#endif
