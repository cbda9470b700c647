/* SPDX-License-Identifier: MIT */
/* x4ctl option parsing: getopt_long for every command, --help and bad options said one way. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "x4ctl.h"

/* "x4ctl vf create" or "x4ctl" (main's own options). */
static void opts_prefix(const struct x4ctl_opts *o, char *out, size_t n)
{
	snprintf(out, n, "x4ctl%s%s", o->cmd[0] ? " " : "", o->cmd);
}

/* The option getopt_long refused, as the user typed it. Long options have values >= 0x100 or
 * 'h' (only "--help=x" gets 'h' refused), so a printable optopt is a short option. */
static void opts_bad_name(int argc, char **argv, char *out, size_t n)
{
	const char *a = optind > 0 && optind <= argc ? argv[optind - 1] : "";

	if (optopt > 0 && optopt < 0x100 && optopt != 'h')
		snprintf(out, n, "-%c", optopt);
	else
		snprintf(out, n, "%s", a);
}

int x4ctl_opt_next(struct x4ctl_opts *o, int argc, char **argv)
{
	char who[64], bad[80];
	int c;

	if (!o->started) {
		optind = 0; /* glibc: start afresh (main parsed its own options before us) */
		opterr = 0;
		o->started = 1;
	}
	c = getopt_long(argc, argv, o->in_order ? "+:h" : ":h", o->longopts, NULL);
	if (c == 'h') {
		fputs(o->usage, stdout);
		o->status = 0;
		return X4CTL_OPT_EXIT;
	}
	if (c != '?' && c != ':')
		return c;
	opts_prefix(o, who, sizeof(who));
	opts_bad_name(argc, argv, bad, sizeof(bad));
	if (c == ':')
		fprintf(stderr, "%s: option '%s' needs an argument: see %s --help\n", who, bad,
			who);
	else
		fprintf(stderr, "%s: unknown option '%s': see %s --help\n", who, bad, who);
	o->status = 2;
	return X4CTL_OPT_EXIT;
}

int x4ctl_opt_args(const struct x4ctl_opts *o, int argc, int min, int max)
{
	int n = argc - optind;

	if (n < min || n > max)
		return x4ctl_usage(o->cmd, o->usage);
	return 0;
}

int x4ctl_usage(const char *cmd, const char *usage)
{
	size_t n = strcspn(usage, "\n");

	fprintf(stderr, "x4ctl %s: %.*s (see x4ctl %s --help)\n", cmd, (int)n, usage, cmd);
	return 2;
}

int x4ctl_unknown_sub(const char *cmd, const char *sub)
{
	fprintf(stderr, "x4ctl %s: unknown command '%s': see x4ctl %s --help\n", cmd, sub, cmd);
	return 2;
}

int x4ctl_opt_plain(const char *cmd, const char *usage, int argc, char **argv, int min, int max)
{
	static const struct option only_help[] = {X4CTL_OPT_HELP, X4CTL_OPT_END};
	struct x4ctl_opts o = {.cmd = cmd, .usage = usage, .longopts = only_help};

	if (x4ctl_opt_next(&o, argc, argv) == X4CTL_OPT_EXIT)
		return o.status;
	if (x4ctl_opt_args(&o, argc, min, max))
		return 2;
	return -1;
}
