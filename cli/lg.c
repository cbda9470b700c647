/* SPDX-License-Identifier: MIT */
/* x4ctl lg status [VM] [--file PATH] [--json] [--watch]: is the guest's Looking Glass host
 * running? Reads each VM's kvmfr device or /dev/shm file read-only (lib/lgmp). */
#include <errno.h>
#include <getopt.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "json.h"
#include "lgassign.h"
#include "lgmp.h"
#include "name.h"
#include "paths.h"
#include "plan.h"
#include "x4ctl.h"

static const char lg_usage[] =
    "usage: x4ctl lg status [VM] [--file PATH] [--json] [--watch] [--no-client] | "
    "lg apply [--dry-run] [--reload] | lg forget VM |\n"
    "       lg build-module SRC_DIR [--kernel VER] [--dry-run]\n"
    "Looking Glass: is the guest's host application running (read-only), the kvmfr setup\n"
    "for one device per VM, and building kvmfr. Run 'x4ctl lg SUBCOMMAND --help' for one.\n";
static const char lg_status_usage[] =
    "usage: x4ctl lg status [VM] [--file PATH] [--json] [--watch] [--no-client]\n"
    "Is the guest's Looking Glass host running? Reads each region strictly read-only.\n"
    "  VM            only this VM (default: every VM with Looking Glass on)\n"
    "  --file PATH   read PATH (a kvmfr device or a regular file) instead of a VM's region\n"
    "  --json        print JSON\n"
    "  --watch       repeat every second until interrupted\n"
    "  --no-client   do not compare with looking-glass-client --version\n";
static const char lg_forget_usage[] =
    "usage: x4ctl lg forget VM\n"
    "Free the kvmfr device recorded for VM (looking_glass = kvmfr), e.g. after removing VM\n"
    "from x4-sriov.conf. Refused while VM runs; x4ctl lg apply then updates kvmfr's files.\n";
#define LG_MAX_REGIONS (X4_MAX_VM_SECTIONS + 1)

extern char **environ;

struct lg_target {
	char vm[X4_NAME_MAX + 1]; /* "" for --file */
	char abs[4096];		  /* as the user sees it */
};

/* `looking-glass-client --version`, first 4 KiB of its stdout within 2 s; "" when absent. */
static void lg_client_version(char *ver, size_t n)
{
	char *argv[] = {"looking-glass-client", "--version", NULL};
	posix_spawn_file_actions_t fa;
	char out[4096];
	size_t len = 0;
	int p[2], st;
	pid_t pid;

	ver[0] = '\0';
	if (pipe2(p, O_CLOEXEC) < 0)
		return;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[1], 1);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	if (posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		close(p[0]);
		close(p[1]);
		return;
	}
	posix_spawn_file_actions_destroy(&fa);
	close(p[1]);
	for (;;) {
		struct pollfd pfd = {.fd = p[0], .events = POLLIN};
		ssize_t k;

		if (len + 1 >= sizeof(out) || poll(&pfd, 1, 2000) <= 0)
			break;
		k = read(p[0], out + len, sizeof(out) - 1 - len);
		if (k <= 0)
			break;
		len += (size_t)k;
	}
	close(p[0]);
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	x4_lgmp_client_version(out, len, ver, n);
}

static json_object *lg_str(const char *s)
{
	return json_object_new_string(s);
}

/* One region: open, parse, sample; the JSON object describes it. */
static json_object *lg_one(const struct lg_target *t, const char *client_ver)
{
	json_object *o = json_object_new_object();
	struct x4_lgmp_region r;
	struct x4_lgmp_info in;
	struct x4_err e;
	char path[4096];

	if (t->vm[0])
		json_object_object_add(o, "vm", lg_str(t->vm));
	json_object_object_add(o, "path", lg_str(t->abs));
	if (x4_host_path(t->abs, path, sizeof(path), &e) < 0 || x4_lgmp_open(path, &r, &e) < 0 ||
	    x4_lgmp_read(&r, &in, &e) < 0) {
		if (e.code == ENOENT && t->vm[0])
			snprintf(e.msg, sizeof(e.msg),
				 "%.256s does not exist: VM %.128s has not started since boot (or "
				 "kvmfr is not loaded)",
				 t->abs, t->vm);
		json_object_object_add(o, "error", lg_str(e.msg));
		return o;
	}
	json_object_object_add(o, "size", json_object_new_int64((int64_t)r.size));
	json_object_object_add(o, "state", lg_str(x4_lgmp_kind_name(in.kind)));
	if (in.problem[0])
		json_object_object_add(o, "problem", lg_str(in.problem));
	if (in.kind == X4_LGMP_HOST) {
		json_object *g;

		json_object_object_add(o, "lgmp_version", json_object_new_int64(in.lgmp_version));
		json_object_object_add(o, "release", lg_str(x4_lgmp_release(&in)));
		json_object_object_add(
		    o, "live", lg_str(x4_lgmp_live_name(x4_lgmp_sample(&r, &in, 1100, 50))));
		if (in.layout_known)
			json_object_object_add(o, "timestamp_ms",
					       json_object_new_int64((int64_t)in.timestamp));
		if (in.have_subs) {
			json_object_object_add(o, "client_connected",
					       json_object_new_boolean(in.frame_subs != 0));
			json_object_object_add(
			    o, "frame_clients",
			    json_object_new_int(__builtin_popcount(in.frame_subs)));
		}
		if (in.have_kvmfr) {
			json_object_object_add(o, "kvmfr_version",
					       json_object_new_int64(in.kvmfr_version));
			json_object_object_add(o, "hostver", lg_str(in.hostver));
		}
		g = json_object_new_object();
		if (in.have_osinfo) {
			json_object_object_add(g, "os", lg_str(x4_lgmp_os_name(in.os)));
			json_object_object_add(g, "os_name", lg_str(in.osname));
		}
		if (in.have_vminfo) {
			json_object_object_add(g, "uuid", lg_str(in.uuid));
			json_object_object_add(g, "cpu", lg_str(in.model));
			json_object_object_add(g, "cpus", json_object_new_int((int)in.cpus));
			json_object_object_add(g, "cores", json_object_new_int((int)in.cores));
			json_object_object_add(g, "sockets", json_object_new_int((int)in.sockets));
			json_object_object_add(g, "capture", lg_str(in.capture));
		}
		json_object_object_add(o, "guest", g);
		if (client_ver[0]) {
			json_object_object_add(o, "client_version", lg_str(client_ver));
			if (in.have_kvmfr)
				json_object_object_add(
				    o, "version_match",
				    json_object_new_boolean(strcmp(client_ver, in.hostver) == 0));
		}
	}
	x4_lgmp_close(&r);
	return o;
}

static void lg_print(json_object *o)
{
	const char *vm = x4_json_str_or_null(o, "vm"), *state = x4_json_str_or_null(o, "state"), *s, *live;
	json_object *g, *v;
	char sz[32];

	if (vm)
		printf("VM %s: ", vm);
	if ((s = x4_json_str_or_null(o, "error"))) { /* the message names the path */
		printf("%s\n", s);
		return;
	}
	printf("%s", x4_json_str_or_null(o, "path"));
	x4ctl_size_str((uint64_t)json_object_get_int64(json_object_object_get(o, "size")), sz,
		       sizeof(sz));
	printf(" (%s): %s", sz, state);
	if (!strcmp(state, "empty"))
		printf(": all zero, the guest's Looking Glass host has not run since the region "
		       "was made");
	else if (!strcmp(state, "not Looking Glass"))
		printf(": no LGMP header (another program's data, or wiped)");
	else if (!strcmp(state, "host present")) {
		printf(": Looking Glass %s (LGMP %s", x4_json_str_or_null(o, "release"),
		       x4_json_str_or_null(o, "lgmp_version"));
		if ((s = x4_json_str_or_null(o, "kvmfr_version")))
			printf(", KVMFR %s, host version '%s'", s, x4_json_str_or_null(o, "hostver"));
		printf(")");
		live = x4_json_str_or_null(o, "live");
		if (!strcmp(live, "stale"))
			printf(", stale: the host application is not running (VM off or paused, "
			       "or the app stopped); the header is left from its last run");
		else
			printf(", %s", live);
		if (json_object_object_get_ex(o, "client_connected", &v))
			printf(json_object_get_boolean(v) ? ", a client is connected"
							  : ", no client connected");
	}
	if ((s = x4_json_str_or_null(o, "problem")))
		printf(" [%s]", s);
	printf("\n");
	if (json_object_object_get_ex(o, "guest", &g) && json_object_object_length(g)) {
		printf("  guest:");
		if ((s = x4_json_str_or_null(g, "os")))
			printf(" %s '%s'", s, x4_json_str_or_null(g, "os_name"));
		if ((s = x4_json_str_or_null(g, "cpu")))
			printf(", CPU '%s' (%s CPUs, %s cores, %s sockets), capture '%s', UUID %s",
			       s, x4_json_str_or_null(g, "cpus"), x4_json_str_or_null(g, "cores"), x4_json_str_or_null(g, "sockets"),
			       x4_json_str_or_null(g, "capture"), x4_json_str_or_null(g, "uuid"));
		printf("\n");
	}
	if ((s = x4_json_str_or_null(o, "client_version")) && json_object_object_get_ex(o, "version_match", &v))
		printf(json_object_get_boolean(v)
			   ? "  looking-glass-client %s matches the host\n"
			   : "  version mismatch: looking-glass-client is %s, the guest's host is "
			     "'%s': install the same Looking Glass release on both sides\n",
		       s, x4_json_str_or_null(o, "hostver"));
}

/* The region of vm as the user sees it: the one its plan holds while it runs, else the one
 * x4-hook would plan (x4_plan_decide_lg). -ENOENT when Looking Glass is off for it; a plan that
 * is there but unusable is an error naming the file. */
static int lg_vm_path(const struct x4_config *c, const char *vm, char *abs, size_t n,
		      struct x4_err *e)
{
	struct x4_plan p;
	int rc = x4_plan_read(vm, &p, e);

	if (rc == -ENOENT)
		rc = x4_plan_decide_lg(c, vm, &p, e);
	if (rc < 0)
		return rc == -ENOENT ? -EINVAL : rc;
	if (p.lg == X4_LG_OFF)
		return -ENOENT;
	snprintf(abs, n, "%s", p.lg_path);
	return 0;
}

void x4ctl_lg_brief(const struct x4_config *c, const char *vm, char *out, size_t n)
{
	struct x4_lgmp_region r;
	struct x4_lgmp_info in;
	char abs[4096], path[4096];
	struct x4_err e;

	snprintf(out, n, "-");
	if (lg_vm_path(c, vm, abs, sizeof(abs), &e) < 0)
		return;
	if (x4_host_path(abs, path, sizeof(path), &e) < 0 || x4_lgmp_open(path, &r, &e) < 0) {
		snprintf(out, n, "%s", e.code == ENOENT ? "missing" : "unreadable");
		return;
	}
	if (x4_lgmp_read(&r, &in, &e) < 0)
		snprintf(out, n, "unreadable");
	else if (in.kind != X4_LGMP_HOST)
		snprintf(out, n, "%s", x4_lgmp_kind_name(in.kind));
	else /* the host ticks every 10 ms: a short look is enough for a table */
		snprintf(out, n, "%s %s%s", x4_lgmp_release(&in),
			 x4_lgmp_live_name(x4_lgmp_sample(&r, &in, 250, 25)),
			 in.frame_subs ? ", client" : "");
	x4_lgmp_close(&r);
}

/* Targets from the config: every VM with Looking Glass on (or just vm). */
static int lg_targets(const struct x4ctl *g, const char *vm, struct lg_target *t, size_t *nt)
{
	static struct x4_config c; /* too big for the stack (CODING-STYLE.md) */
	struct x4_err e;
	unsigned i;

	*nt = 0;
	if (x4ctl_load_config(g, &c, &e) < 0)
		return x4ctl_fail_err(&e);
	for (i = 0; i < c.n_vms; i++) {
		struct lg_target *x = &t[*nt];
		int rc;

		if (vm && strcmp(vm, c.vms[i].name) != 0)
			continue;
		rc = lg_vm_path(&c, c.vms[i].name, x->abs, sizeof(x->abs), &e);
		if (rc == -ENOENT) {
			if (vm)
				return x4ctl_fail("VM %s has looking_glass = off in %s", vm,
						  c.path);
			continue;
		}
		if (rc < 0)
			return x4ctl_fail_err(&e);
		snprintf(x->vm, sizeof(x->vm), "%s", c.vms[i].name);
		(*nt)++;
	}
	if (vm && !*nt)
		return x4ctl_fail("no [vm %s] section in %s: give --file PATH, or add the VM "
				  "with looking_glass = shm or /dev/kvmfrN",
				  vm, c.path[0] ? c.path : "the config");
	return 0;
}

/* x4ctl lg forget VM: free the kvmfr device recorded for a VM (one gone from the config, or
 * one that should get another); never while it runs. */
static int lg_forget(int argc, char **argv)
{
	struct x4_err e;
	int idx = -1, rc = x4ctl_opt_plain("lg forget", lg_forget_usage, argc, argv, 1, 1);

	if (rc != -1)
		return rc;
	if (x4_name_check(argv[optind], &e) < 0)
		return x4ctl_fail("lg forget: %s", e.msg);
	if (x4_lg_forget(argv[optind], &idx, &e) < 0)
		return x4ctl_fail("lg forget: %s", e.msg);
	printf("forgot /dev/kvmfr%d of VM %s: the device is free for another VM (x4ctl lg apply "
	       "gives it out and updates kvmfr's files)\n",
	       idx, argv[optind]);
	return 0;
}

static volatile sig_atomic_t lg_stop;

static void lg_on_int(int sig)
{
	(void)sig;
	lg_stop = 1;
}

int x4ctl_lg(struct x4ctl *g, int argc, char **argv)
{
	static struct lg_target t[LG_MAX_REGIONS];
	const char *file = NULL, *vm = NULL;
	int json = 0, watch = 0, no_client = 0, i, rc = 0;
	char client_ver[64] = "";
	size_t nt = 0, k;
	enum { S_JSON = 0x100, S_WATCH, S_NO_CLIENT, S_FILE };
	static const struct option lg_opts[] = {X4CTL_OPT_HELP, X4CTL_OPT_END};
	static const struct option st_opts[] = {{"json", no_argument, NULL, S_JSON},
						{"watch", no_argument, NULL, S_WATCH},
						{"no-client", no_argument, NULL, S_NO_CLIENT},
						{"file", required_argument, NULL, S_FILE},
						X4CTL_OPT_HELP,
						X4CTL_OPT_END};
	struct x4ctl_opts p = {.cmd = "lg", .usage = lg_usage, .longopts = lg_opts, .in_order = 1};

	if (x4ctl_opt_next(&p, argc, argv) != -1)
		return p.status;
	if (optind >= argc)
		return x4ctl_usage("lg", lg_usage);
	argc -= optind;
	argv += optind;
	if (strcmp(argv[0], "apply") == 0)
		return x4ctl_lg_apply(g, argc, argv);
	if (strcmp(argv[0], "build-module") == 0)
		return x4ctl_lg_build(g, argc, argv);
	if (strcmp(argv[0], "forget") == 0)
		return lg_forget(argc, argv);
	if (strcmp(argv[0], "status") != 0)
		return x4ctl_unknown_sub("lg", argv[0]);
	p = (struct x4ctl_opts){.cmd = "lg status", .usage = lg_status_usage, .longopts = st_opts};
	while ((i = x4ctl_opt_next(&p, argc, argv)) != -1) {
		if (i == X4CTL_OPT_EXIT)
			return p.status;
		if (i == S_JSON)
			json = 1;
		else if (i == S_WATCH)
			watch = 1;
		else if (i == S_NO_CLIENT)
			no_client = 1;
		else
			file = optarg;
	}
	if (x4ctl_opt_args(&p, argc, 0, 1))
		return 2;
	if (optind < argc)
		vm = argv[optind];
	if (file && vm)
		return x4ctl_usage("lg status", lg_status_usage);
	if (file) {
		if (file[0] != '/')
			return x4ctl_fail("--file %s: give an absolute path", file);
		snprintf(t[0].abs, sizeof(t[0].abs), "%s", file);
		nt = 1;
	} else if ((rc = lg_targets(g, vm, t, &nt)) != 0) {
		return rc;
	}
	if (!nt)
		return x4ctl_fail("no VM has Looking Glass on in the config: give a VM or "
				  "--file /dev/kvmfr0 (or /dev/shm/looking-glass)");
	if (!no_client)
		lg_client_version(client_ver, sizeof(client_ver));
	signal(SIGINT, lg_on_int);
	signal(SIGTERM, lg_on_int);
	do {
		json_object *arr = json_object_new_array();

		for (k = 0; k < nt; k++) {
			json_object *o = lg_one(&t[k], client_ver);

			if (json_object_object_get_ex(o, "error", NULL))
				rc = 1;
			json_object_array_add(arr, o);
		}
		if (json)
			printf("%s\n", json_object_to_json_string_ext(
					   arr, watch ? JSON_C_TO_STRING_PLAIN
						      : JSON_C_TO_STRING_PRETTY |
							    JSON_C_TO_STRING_NOSLASHESCAPE));
		else
			for (k = 0; k < nt; k++)
				lg_print(json_object_array_get_idx(arr, k));
		fflush(stdout);
		json_object_put(arr);
		if (watch && !lg_stop) {
			struct timespec d = {1, 0};

			nanosleep(&d, NULL);
		}
	} while (watch && !lg_stop);
	return rc;
}
