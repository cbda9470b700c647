/* SPDX-License-Identifier: MIT */
/* spawn: time fork+exec of several commands, interleaved (A/B/C...), with stdin from a file;
 * prints the median and p90 wall time and the peak RSS of each. Bench driver, not a test. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_CMDS 8

struct cmd {
	char **argv;
	double *t;
	long max_rss_kb;
	int failures;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void run_once(struct cmd *c, const char *in, int i)
{
	struct rusage ru;
	int status, fd;
	double t0 = now();
	pid_t pid = fork();

	if (pid == 0) {
		fd = open(in, O_RDONLY);
		if (fd < 0)
			_exit(127);
		dup2(fd, 0);
		fd = open("/dev/null", O_WRONLY);
		dup2(fd, 1);
		dup2(fd, 2);
		execvp(c->argv[0], c->argv);
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) < 0)
		exit(1);
	c->t[i] = now() - t0;
	if (ru.ru_maxrss > c->max_rss_kb)
		c->max_rss_kb = ru.ru_maxrss;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		c->failures++;
}

int main(int argc, char **argv)
{
	struct cmd cmds[MAX_CMDS];
	int n, ncmd = 0;

	if (argc < 5 || strcmp(argv[3], "--") != 0) {
		fprintf(stderr, "usage: spawn N STDIN-FILE -- CMD ARGS... [-- CMD ARGS...]...\n");
		return 2;
	}
	n = atoi(argv[1]);
	for (int i = 4; i < argc && ncmd < MAX_CMDS; i++) {
		cmds[ncmd].argv = &argv[i];
		while (i < argc && strcmp(argv[i], "--") != 0)
			i++;
		argv[i < argc ? i : argc] = NULL;
		cmds[ncmd].t = calloc((size_t)n, sizeof(double));
		cmds[ncmd].max_rss_kb = 0;
		cmds[ncmd].failures = 0;
		ncmd++;
	}
	for (int i = 0; i < n; i++)
		for (int c = 0; c < ncmd; c++)
			run_once(&cmds[c], argv[2], i);
	for (int c = 0; c < ncmd; c++) {
		qsort(cmds[c].t, (size_t)n, sizeof(double), cmp);
		printf("%s median_ms=%.3f p90_ms=%.3f maxrss_kb=%ld failures=%d\n", cmds[c].argv[0],
		       cmds[c].t[n / 2] * 1e3, cmds[c].t[n * 9 / 10] * 1e3, cmds[c].max_rss_kb,
		       cmds[c].failures);
		free(cmds[c].t);
	}
	return 0;
}
