/* SPDX-License-Identifier: MIT */
/* Unit tests: lib/log (stderr lines captured through dup2 onto a temp file). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "log.h"

static int saved_fd = -1;
static int cap_fd = -1;

/* Point fd 2 at a fresh temp file. */
static void capture_start(void)
{
	char tmpl[] = "/tmp/x4-test-log-XXXXXX";

	cap_fd = mkstemp(tmpl);
	assert_true(cap_fd >= 0);
	unlink(tmpl);
	saved_fd = dup(STDERR_FILENO);
	assert_true(saved_fd >= 0);
	assert_int_equal(dup2(cap_fd, STDERR_FILENO), STDERR_FILENO);
}

/* Restore fd 2 and return what was written (static buffer). */
static const char *capture_end(void)
{
	static char buf[8192];
	ssize_t n;

	assert_int_equal(dup2(saved_fd, STDERR_FILENO), STDERR_FILENO);
	close(saved_fd);
	assert_int_equal(lseek(cap_fd, 0, SEEK_SET), 0);
	n = read(cap_fd, buf, sizeof(buf) - 1);
	assert_true(n >= 0);
	buf[n] = '\0';
	close(cap_fd);
	return buf;
}

static void test_default_ident(void **state)
{
	(void)state;
	/* before x4_log_open: "x4-sriov", stderr only */
	capture_start();
	x4_log(LOG_WARNING, "hello %d", 42);
	assert_string_equal(capture_end(), "x4-sriov: hello 42\n");
}

static void test_stderr_lines(void **state)
{
	struct x4_err e;

	(void)state;
	unsetenv("X4_DEBUG");
	x4_log_open("x4-hook", X4_LOG_STDERR);
	capture_start();
	x4_log(LOG_ERR, "a\nb\rc");
	x4_log(LOG_INFO, "info");
	x4_log(LOG_DEBUG, "hidden");
	x4_fail(&e, EBUSY, "cannot write '7' to %s: busy", "/sys/x");
	x4_log_err(&e);
	x4_log_err(NULL);
	x4_err_clear(&e);
	x4_log_err(&e);
	e.code = ENOENT;
	x4_log_err(&e);
	assert_string_equal(capture_end(), "x4-hook: a b c\n"
					   "x4-hook: info\n"
					   "x4-hook: cannot write '7' to /sys/x: busy\n"
					   "x4-hook: No such file or directory\n");
}

static void test_debug(void **state)
{
	(void)state;
	unsetenv("X4_DEBUG");
	x4_log_open("t", X4_LOG_STDERR | X4_LOG_DEBUG);
	capture_start();
	x4_log(LOG_DEBUG, "one");
	x4_log_open("t", X4_LOG_STDERR);
	x4_log(LOG_DEBUG, "two");
	setenv("X4_DEBUG", "0", 1);
	x4_log(LOG_DEBUG, "three");
	setenv("X4_DEBUG", "1", 1);
	x4_log(LOG_DEBUG, "four");
	x4_log(LOG_DEBUG | LOG_DAEMON, "five"); /* facility bits do not hide the priority */
	unsetenv("X4_DEBUG");
	assert_string_equal(capture_end(), "t: one\nt: four\nt: five\n");
}

static void test_quiet_and_syslog(void **state)
{
	char big[3000];

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	capture_start();
	x4_log_open("t", 0);
	x4_log(LOG_ERR, "nothing");
	/* syslog only: nothing on stderr (whether a syslog daemon listens does not matter) */
	x4_log_open("t", X4_LOG_SYSLOG);
	x4_log(LOG_ERR, "to syslog only");
	x4_log_open("", X4_LOG_SYSLOG | X4_LOG_STDERR);
	errno = EXDEV;
	x4_log(LOG_NOTICE, "both");
	assert_int_equal(errno, EXDEV); /* errno survives logging */
	x4_log(LOG_INFO, "%s", big);    /* truncated, still one line */
	x4_log_open(NULL, X4_LOG_STDERR);
	x4_log(LOG_INFO, "back");
	{
		const char *out = capture_end();
		const char *second = strchr(out, '\n') + 1;

		assert_true(strncmp(out, "x4-sriov: both\n", 15) == 0);
		assert_true(strncmp(second, "x4-sriov: xxxx", 14) == 0);
		assert_true(strchr(second, '\n') - second < 1100);
		assert_string_equal(strchr(second, '\n') + 1, "x4-sriov: back\n");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_ident),
		cmocka_unit_test(test_stderr_lines),
		cmocka_unit_test(test_debug),
		cmocka_unit_test(test_quiet_and_syslog),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
