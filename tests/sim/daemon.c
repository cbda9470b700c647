/* SPDX-License-Identifier: MIT */
/* x4sim daemon: mount, daemonize once the mount exists, serve multi-threaded, stop cleanly. */
#include "fs.h"

#include <errno.h>
#include <fuse_lowlevel.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sim.h"

static struct fuse_session *daemon_se;

static void daemon_on_signal(int sig)
{
	(void)sig;
	g_sim.stopping = 1;
	if (daemon_se)
		fuse_session_exit(daemon_se);
}

static void daemon_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = daemon_on_signal; /* no SA_RESTART: the loop's sem_wait must see EINTR */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

static int daemon_write_pid(const char *pidfile)
{
	FILE *f = fopen(pidfile, "w");

	if (!f)
		return -errno;
	fprintf(f, "%ld\n", (long)getpid());
	return fclose(f) ? -errno : 0;
}

/* Fork; the parent returns 0 when the child says it is ready, the child returns 1. */
static int daemon_fork(const char *pidfile, int *ready_fd)
{
	int fds[2];
	char c = 0;
	pid_t pid;

	if (pipe(fds))
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid > 0) {
		close(fds[1]);
		if (read(fds[0], &c, 1) != 1 || c != 'R') {
			fprintf(stderr, "x4sim: the daemon died before serving\n");
			_exit(1);
		}
		_exit(0);
	}
	close(fds[0]);
	setsid();
	if (daemon_write_pid(pidfile))
		_exit(1);
	*ready_fd = fds[1];
	return 1;
}

static void daemon_quiet_stdio(void)
{
	int fd = open("/dev/null", O_RDWR);

	if (fd < 0)
		return;
	dup2(fd, 0);
	dup2(fd, 1);
	dup2(fd, 2);
	if (fd > 2)
		close(fd);
}

int sim_daemon_run(const char *sysdir, const char *pidfile, int foreground)
{
	char *argv[] = { "x4sim", "-o", "fsname=x4sim,subtype=x4sim,allow_other", NULL };
	struct fuse_args args = FUSE_ARGS_INIT(3, argv);
	struct fuse *f;
	int ready = -1, rc;

	f = fuse_new(&args, &sim_fs_ops, sizeof(sim_fs_ops), NULL);
	fuse_opt_free_args(&args);
	if (!f) {
		fprintf(stderr, "x4sim: fuse_new failed\n");
		return 1;
	}
	if (fuse_mount(f, sysdir)) {
		fprintf(stderr, "x4sim: cannot mount FUSE on %s (is /dev/fuse there, are you root?)\n",
			sysdir);
		fuse_destroy(f);
		return 1;
	}
	if (!foreground) {
		if (daemon_fork(pidfile, &ready) < 0) {
			fprintf(stderr, "x4sim: fork: %s\n", strerror(errno));
			fuse_unmount(f);
			fuse_destroy(f);
			return 1;
		}
		daemon_quiet_stdio();
	} else if (daemon_write_pid(pidfile)) {
		fprintf(stderr, "x4sim: cannot write %s\n", pidfile);
	}
	daemon_se = fuse_get_session(f);
	daemon_signals();
	if (ready >= 0) {
		if (write(ready, "R", 1) != 1)
			g_sim.stopping = 1;
		close(ready);
	}
	rc = g_sim.stopping ? 1 : fuse_loop_mt(f, 0);
	g_sim.stopping = 1;
	pthread_mutex_lock(&g_sim.lock);
	pthread_cond_broadcast(&g_sim.cond);
	pthread_mutex_unlock(&g_sim.lock);
	fuse_unmount(f);
	fuse_destroy(f);
	unlink(pidfile);
	sim_node_free(g_sim.tree);
	g_sim.tree = NULL;
	free(g_sim.log);
	g_sim.log = NULL;
	return rc ? 1 : 0;
}

/* True while pid exists and is not a zombie nobody reaps. */
static int daemon_alive(pid_t pid)
{
	char path[64], buf[256], *p;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p && p[1] == ' ' && p[2] != 'Z' && p[2] != 'X';
}

/* The pid in pidfile, if that process is an x4sim. */
static pid_t daemon_pid(const char *pidfile)
{
	char path[64], comm[64] = "";
	long pid = 0;
	FILE *f = fopen(pidfile, "r");

	if (!f)
		return 0;
	if (fscanf(f, "%ld", &pid) != 1 || pid <= 1)
		pid = 0;
	fclose(f);
	if (!pid)
		return 0;
	snprintf(path, sizeof(path), "/proc/%ld/comm", pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (!fgets(comm, sizeof(comm), f))
		comm[0] = '\0';
	fclose(f);
	return strncmp(comm, "x4sim", 5) == 0 ? (pid_t)pid : 0;
}

static int daemon_wait_exit(pid_t pid, int tenths)
{
	const struct timespec ts = { 0, 100 * 1000 * 1000 };

	while (tenths-- > 0 && daemon_alive(pid))
		nanosleep(&ts, NULL);
	return !daemon_alive(pid);
}

int sim_daemon_stop(const char *sysdir, const char *pidfile)
{
	pid_t pid = daemon_pid(pidfile);
	int unmounted = umount2(sysdir, 0) == 0;

	if (pid > 0 && !(unmounted && daemon_wait_exit(pid, 50))) {
		/* busy (a writer is blocked in the fake kernel): let the daemon wind down */
		kill(pid, SIGTERM);
		if (!daemon_wait_exit(pid, 50)) {
			kill(pid, SIGKILL);
			daemon_wait_exit(pid, 20);
		}
	}
	if (umount2(sysdir, MNT_DETACH) && errno != EINVAL && errno != ENOENT) {
		fprintf(stderr, "x4sim: cannot unmount %s: %s\n", sysdir, strerror(errno));
		return 1;
	}
	unlink(pidfile);
	return 0;
}
