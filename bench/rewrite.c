/* SPDX-License-Identifier: MIT */
/* rewrite: time x4_qemuargv_rewrite() in-process on an argv file (one argument a line, first
 * line argv[0]); prints the median and p90 per call. Bench driver, not a test. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "qemuargv.h"

#define RW_MAX_ARGS 4096

static double rw_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int rw_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Read path into argv (lines without their newline); returns argc or -1. */
static int rw_load(const char *path, char **argv)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int argc = 0;

	if (!f)
		return -1;
	while (argc < RW_MAX_ARGS - 1 && (len = getline(&line, &cap, f)) >= 0) {
		if (len > 0 && line[len - 1] == '\n')
			line[len - 1] = '\0';
		argv[argc] = strdup(line);
		if (!argv[argc++])
			break;
	}
	free(line);
	fclose(f);
	argv[argc] = NULL;
	return argc;
}

int main(int argc, char **argv)
{
	static char *args[RW_MAX_ARGS];
	struct x4_pciaddr vf = { 0, 0, 2, 1 };
	struct x4_rewrite rw = {
		.vf = &vf,
		.romfile = "/var/lib/x4-sriov/rom/IntelGopDriver.efi.optionrom",
		.lg_mem_path = "/dev/shm/looking-glass-feas",
		.lg_size = 32u << 20,
	};
	struct x4_err e;
	double *t;
	int n, nargs, bits = 0;

	if (argc != 3 || (n = atoi(argv[2])) <= 0) {
		fprintf(stderr, "usage: rewrite ARGV-FILE N\n");
		return 2;
	}
	nargs = rw_load(argv[1], args);
	t = calloc((size_t)n, sizeof(*t));
	if (nargs < 1 || !t) {
		fprintf(stderr, "rewrite: cannot load %s: %s\n", argv[1], strerror(errno));
		free(t);
		return 1;
	}
	for (int i = 0; i < n; i++) {
		char **out = NULL;
		int out_argc = 0;
		double t0 = rw_now();

		bits = x4_qemuargv_rewrite(nargs, args, &rw, &out, &out_argc, &e);
		if (bits >= 0)
			x4_qemuargv_free(out, out_argc);
		t[i] = rw_now() - t0;
		if (bits < 0) {
			fprintf(stderr, "rewrite: %s\n", e.msg);
			free(t);
			return 1;
		}
	}
	qsort(t, (size_t)n, sizeof(*t), rw_cmp);
	printf("rewrite args=%d calls=%d bits=0x%x median_ms=%.4f p90_ms=%.4f\n", nargs - 1, n, bits,
	       t[n / 2] * 1e3, t[n * 9 / 10] * 1e3);
	free(t);
	for (int i = 0; i < nargs; i++)
		free(args[i]);
	return 0;
}
