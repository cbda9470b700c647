/* SPDX-License-Identifier: MIT */
/* report: doctor's rows and their text and JSON output. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "report.h"

static const char *const rep_names[] = {"pass", "warn", "fail", "skip"};
static const char *const rep_upper[] = {"PASS", "WARN", "FAIL", "SKIP"};

const char *report_state_name(enum rep_state s)
{
	return s < REP_N_STATES ? rep_names[s] : "?";
}

int report_add(struct report *r, enum rep_state s, const char *id, const char *signal,
	       const char *meaning, const char *fix)
{
	struct rep_row *row;

	if (s >= REP_N_STATES)
		s = REP_FAIL;
	if (r->n == r->cap) {
		unsigned cap = r->cap ? 2 * r->cap : 32;
		struct rep_row *rows = realloc(r->rows, cap * sizeof(*rows));

		if (!rows)
			return -ENOMEM;
		r->rows = rows;
		r->cap = cap;
	}
	row = &r->rows[r->n++];
	row->state = s;
	snprintf(row->id, sizeof(row->id), "%s", id ? id : "");
	snprintf(row->signal, sizeof(row->signal), "%s", signal ? signal : "");
	snprintf(row->meaning, sizeof(row->meaning), "%s", meaning ? meaning : "");
	snprintf(row->fix, sizeof(row->fix), "%s", fix && s != REP_PASS ? fix : "");
	r->count[s]++;
	return 0;
}

const struct rep_row *report_next(const struct report *r, const char *id, unsigned *i)
{
	while (*i < r->n) {
		const struct rep_row *row = &r->rows[(*i)++];

		if (!id || strcmp(row->id, id) == 0)
			return row;
	}
	return NULL;
}

void report_print_text(const struct report *r, FILE *f)
{
	unsigned i;

	for (i = 0; i < r->n; i++) {
		const struct rep_row *row = &r->rows[i];

		fprintf(f, "%-4s  %-14s %s\n", rep_upper[row->state], row->id, row->signal);
		if (row->meaning[0] && row->state != REP_PASS)
			fprintf(f, "      %-14s means: %s\n", "", row->meaning);
		if (row->fix[0])
			fprintf(f, "      %-14s fix: %s\n", "", row->fix);
	}
	fprintf(f, "doctor: %u pass, %u warn, %u fail, %u skip\n", r->count[REP_PASS],
		r->count[REP_WARN], r->count[REP_FAIL], r->count[REP_SKIP]);
}

static json_object *rep_str(const char *s)
{
	return s[0] ? json_object_new_string(s) : NULL;
}

void report_print_json(const struct report *r, FILE *f)
{
	json_object *root = json_object_new_object(), *rows = json_object_new_array();
	json_object *sum = json_object_new_object();
	unsigned i;

	for (i = 0; i < r->n; i++) {
		const struct rep_row *row = &r->rows[i];
		json_object *o = json_object_new_object();

		json_object_object_add(o, "id", json_object_new_string(row->id));
		json_object_object_add(o, "state", json_object_new_string(rep_names[row->state]));
		json_object_object_add(o, "signal", json_object_new_string(row->signal));
		json_object_object_add(o, "meaning", rep_str(row->meaning));
		json_object_object_add(o, "fix", rep_str(row->fix));
		json_object_array_add(rows, o);
	}
	for (i = 0; i < REP_N_STATES; i++)
		json_object_object_add(sum, rep_names[i], json_object_new_int((int)r->count[i]));
	json_object_object_add(root, "rows", rows);
	json_object_object_add(root, "summary", sum);
	fprintf(f, "%s\n",
		json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
							 JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(root);
}

void report_free(struct report *r)
{
	free(r->rows);
	memset(r, 0, sizeof(*r));
}
