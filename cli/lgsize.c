/* SPDX-License-Identifier: MIT */
/* x4ctl lg-size WxH [--hdr]: the Looking Glass memory size and the kvmfr static_size_mb. */
#include <stdio.h>
#include <string.h>

#include "lg.h"
#include "x4ctl.h"

static const char lgsize_usage[] =
    "usage: x4ctl lg-size WxH [--hdr]   (e.g. lg-size 2560x1440)\n"
    "The Looking Glass shared-memory size for a resolution, the lg_size line and the kvmfr\n"
    "static_size_mb to use.\n"
    "  --hdr   the size for HDR (twice the bytes per pixel)\n";

/* "WxH" with decimal sides, nothing else. */
static int lgsize_parse(const char *s, unsigned *w, unsigned *h)
{
	char buf[32];
	unsigned long a, b;
	char *x;

	if ((size_t)snprintf(buf, sizeof(buf), "%s", s) >= sizeof(buf))
		return -1;
	x = strchr(buf, 'x');
	if (!x)
		return -1;
	*x = '\0';
	if (x4ctl_parse_uint(buf, 1, 65535, &a) || x4ctl_parse_uint(x + 1, 1, 65535, &b))
		return -1;
	if (buf[0] == '0' || x[1] == '0') /* no 0x hex, no leading zeros */
		return -1;
	*w = (unsigned)a;
	*h = (unsigned)b;
	return 0;
}

int x4ctl_lgsize(struct x4ctl *g, int argc, char **argv)
{
	const char *res = NULL;
	unsigned w = 0, h = 0;
	uint64_t size;
	int hdr = 0, c;
	char s[32];
	static const struct option opts[] = {
	    {"hdr", no_argument, NULL, 0x100}, X4CTL_OPT_HELP, X4CTL_OPT_END};
	struct x4ctl_opts o = {.cmd = "lg-size", .usage = lgsize_usage, .longopts = opts};

	(void)g;
	while ((c = x4ctl_opt_next(&o, argc, argv)) != -1) {
		if (c == X4CTL_OPT_EXIT)
			return o.status;
		hdr = 1;
	}
	if (x4ctl_opt_args(&o, argc, 1, 1))
		return 2;
	res = argv[optind];
	if (lgsize_parse(res, &w, &h))
		return x4ctl_fail("lg-size: '%s' is not a resolution: give WIDTHxHEIGHT, e.g. "
				  "1920x1080",
				  res);
	size = x4_lg_size_for(w, h, hdr);
	if (size == 0 || size > (1ULL << 30))
		return x4ctl_fail("lg-size: %ux%u needs more than 1 GiB of shared memory: "
				  "choose a smaller resolution",
				  w, h);
	printf("%ux%u %s: %s (%llu bytes)\n", w, h, hdr ? "HDR" : "SDR",
	       x4ctl_size_str(size, s, sizeof(s)), (unsigned long long)size);
	printf("x4-sriov.conf: lg_size = %lluM\n", (unsigned long long)(size >> 20));
	printf("kvmfr: options kvmfr static_size_mb=%llu\n", (unsigned long long)(size >> 20));
	return 0;
}
