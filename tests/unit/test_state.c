/* SPDX-License-Identifier: MIT */
/* Unit tests: lib/state (claims, snapshot, JSON validation, atomic save, flock). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "testutil.h"

#include "fileio.h"
#include "paths.h"
#include "state.h"

static char root[256];
static struct x4_state st, st2;

static void rootpath(char *out, size_t n, const char *abs)
{
	snprintf(out, n, "%s%s", root, abs);
}

static void put_state(const char *text, size_t len)
{
	char p[512];
	int fd;

	rootpath(p, sizeof(p), X4_STATE_FILE);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
}

/* Entries of /run/x4-sriov other than the ones named. */
static int count_other_entries(const char *a, const char *b)
{
	char p[512];
	DIR *d;
	struct dirent *de;
	int n = 0;

	rootpath(p, sizeof(p), X4_RUN_DIR);
	d = opendir(p);
	assert_non_null(d);
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
		    (a && !strcmp(de->d_name, a)) || (b && !strcmp(de->d_name, b)))
			continue;
		n++;
	}
	closedir(d);
	return n;
}

static int setup(void **state)
{
	char cmd[512];

	(void)state;
	if (tu_root_make(root, sizeof(root), "state") < 0)
		return -1;
	snprintf(cmd, sizeof(cmd), "%s/run", root);
	return mkdir(cmd, 0755);
}

static int teardown(void **state)
{
	(void)state;
	return tu_root_remove(root);
}

static struct x4_claim claim(const char *vf, const char *vm)
{
	struct x4_claim c;

	memset(&c, 0, sizeof(c));
	assert_int_equal(x4_pciaddr_parse(vf, &c.vf, NULL), 0);
	snprintf(c.vm, sizeof(c.vm), "%s", vm);
	return c;
}

static void test_missing_is_empty(void **state)
{
	char p[512];
	struct x4_err e;

	(void)state;
	rootpath(p, sizeof(p), X4_STATE_FILE);
	unlink(p);
	st.n_claims = 7;
	assert_int_equal(x4_state_load(&st, &e), 0);
	assert_int_equal(st.n_claims, 0);
	assert_int_equal(st.have_before, 0);
}

static void test_roundtrip(void **state)
{
	struct x4_claim c = claim("0000:00:02.1", "win11");
	struct x4_err e;
	char p[512];
	struct stat sb;
	mode_t old = umask(077);

	(void)state;
	x4_state_init(&st);
	st.have_before = 1;
	st.numvfs_before = 0;
	st.autoprobe_before = 1;
	strcpy(c.uuid, "e6f8da46-396a-45d0-80b9-cb005ac509ad");
	c.bound_by_us = 1;
	strcpy(c.orig_driver, "i915");
	c.created_vfs = 1;
	assert_int_equal(x4_state_add(&st, &c, &e), 0);
	c = claim("0000:00:02.2", "we\"ird \\ n\xc3\xa9me\n/..");
	assert_int_equal(x4_state_add(&st, &c, &e), 0);
	c = claim("0000:00:02.3", "win11");
	strcpy(c.orig_driver, "vfio-pci");
	assert_int_equal(x4_state_add(&st, &c, &e), 0);
	assert_int_equal(x4_state_save(&st, &e), 0);
	umask(old);

	rootpath(p, sizeof(p), X4_STATE_FILE);
	assert_int_equal(stat(p, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0644);
	rootpath(p, sizeof(p), X4_RUN_DIR);
	assert_int_equal(stat(p, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0755);
	assert_int_equal(count_other_entries("state.json", "lock"), 0); /* no temp files */

	assert_int_equal(x4_state_load(&st2, &e), 0);
	assert_int_equal(st2.have_before, 1);
	assert_int_equal(st2.numvfs_before, 0);
	assert_int_equal(st2.autoprobe_before, 1);
	assert_int_equal(st2.n_claims, 3);
	assert_memory_equal(st2.claims, st.claims, 3 * sizeof(st.claims[0]));

	/* and with no snapshot */
	st.have_before = 0;
	assert_int_equal(x4_state_save(&st, &e), 0);
	assert_int_equal(x4_state_load(&st2, &e), 0);
	assert_int_equal(st2.have_before, 0);
	assert_int_equal(st2.n_claims, 3);
}

static void test_helpers(void **state)
{
	struct x4_claim c = claim("0000:00:02.1", "a"), *f;
	struct x4_pciaddr vf;
	struct x4_err e;
	char a[X4_PCIADDR_STRLEN];

	(void)state;
	x4_state_init(&st);
	assert_int_equal(x4_state_add(&st, &c, &e), 0);
	c = claim("0000:00:02.2", "b");
	assert_int_equal(x4_state_add(&st, &c, &e), 0);
	c = claim("0000:00:02.3", "a");
	assert_int_equal(x4_state_add(&st, &c, &e), 0);
	c = claim("0000:00:02.2", "c");
	assert_int_equal(x4_state_add(&st, &c, &e), -EEXIST);
	assert_non_null(strstr(e.msg, "already claimed by VM 'b'"));
	c = claim("0000:00:02.4", "");
	assert_int_equal(x4_state_add(&st, &c, &e), -EINVAL);
	c = claim("0000:00:02.4", "x");
	strcpy(c.orig_driver, "../x");
	assert_int_equal(x4_state_add(&st, &c, &e), -EINVAL);
	strcpy(c.orig_driver, "I915");
	assert_int_equal(x4_state_add(&st, &c, &e), -EINVAL);
	c.orig_driver[0] = '\0';
	strcpy(c.uuid, "not-a-uuid");
	assert_int_equal(x4_state_add(&st, &c, &e), -EINVAL);
	assert_int_equal(st.n_claims, 3);

	f = x4_state_find_vm(&st, "a", NULL);
	assert_non_null(f);
	assert_string_equal(x4_pciaddr_format(&f->vf, a), "0000:00:02.1");
	f = x4_state_find_vm(&st, "a", f);
	assert_non_null(f);
	assert_string_equal(x4_pciaddr_format(&f->vf, a), "0000:00:02.3");
	assert_null(x4_state_find_vm(&st, "a", f));
	assert_null(x4_state_find_vm(&st, "zz", NULL));
	x4_pciaddr_parse("0000:00:02.2", &vf, NULL);
	assert_string_equal(x4_state_find_vf(&st, &vf)->vm, "b");
	assert_int_equal(x4_state_remove(&st, &vf), 0);
	assert_null(x4_state_find_vf(&st, &vf));
	assert_int_equal(x4_state_remove(&st, &vf), -ENOENT);
	assert_int_equal(st.n_claims, 2);
	assert_string_equal(x4_pciaddr_format(&st.claims[1].vf, a), "0000:00:02.3"); /* order kept */

	/* full */
	x4_state_init(&st);
	for (unsigned i = 0; i < X4_STATE_MAX_CLAIMS; i++) {
		c = claim("0000:00:00.0", "v");
		c.vf.bus = (uint8_t)i;
		assert_int_equal(x4_state_add(&st, &c, &e), 0);
	}
	c = claim("0001:00:00.0", "v");
	assert_int_equal(x4_state_add(&st, &c, &e), -ENOSPC);

	/* save refuses a claim that would not load back */
	st.claims[5].vm[0] = '\0';
	assert_int_equal(x4_state_save(&st, &e), -EINVAL);
}

static void expect_damaged(const char *text, size_t len)
{
	struct x4_err e;

	put_state(text, len);
	x4_err_clear(&e);
	st.n_claims = 3;
	if (x4_state_load(&st, &e) != -EBADMSG)
		fail_msg("accepted as state: %.200s", text);
	assert_int_equal(st.n_claims, 0);
	assert_non_null(strstr(e.msg, "state.json is damaged"));
	assert_null(strchr(e.msg, '\n'));
}

#define CLAIM(body) "{\"version\":1,\"before\":null,\"claims\":[{" body "}]}"
#define OKC "\"vm\":\"a\",\"uuid\":\"\",\"bound_by_us\":false,\"orig_driver\":\"\",\"created_vfs\":false"

static void test_damaged(void **state)
{
	const char *bad[] = {
		"",
		"{",
		"not json",
		"[]",
		"null",
		"{\"version\":1,\"before\":null,\"claims\":[]} x",
		"{\"version\":1,\"before\":null,\"claims\":[]}{}",
		"{\"version\":2,\"before\":null,\"claims\":[]}",
		"{\"version\":\"1\",\"before\":null,\"claims\":[]}",
		"{\"version\":1,\"claims\":[]}",
		"{\"version\":1,\"before\":null}",
		"{\"version\":1,\"before\":null,\"claims\":{}}",
		"{\"version\":1,\"before\":null,\"claims\":[],\"extra\":1}",
		"{\"version\":1,\"before\":{\"numvfs\":256,\"autoprobe\":true},\"claims\":[]}",
		"{\"version\":1,\"before\":{\"numvfs\":-1,\"autoprobe\":true},\"claims\":[]}",
		"{\"version\":1,\"before\":{\"numvfs\":1.5,\"autoprobe\":true},\"claims\":[]}",
		"{\"version\":1,\"before\":{\"numvfs\":1,\"autoprobe\":1},\"claims\":[]}",
		"{\"version\":1,\"before\":{\"numvfs\":1},\"claims\":[]}",
		"{\"version\":1,\"before\":[],\"claims\":[]}",
		"{'version':1,'before':null,'claims':[]}",
		CLAIM("\"vf\":\"0000:00:02.8\"," OKC),
		CLAIM("\"vf\":\"0000:00:02.1 \"," OKC),
		CLAIM("\"vf\":\"../../etc\"," OKC),
		CLAIM("\"vf\":7," OKC),
		CLAIM("\"vf\":\"0000:00:02.1\"," OKC ",\"x\":1"),
		CLAIM("\"vf\":\"0000:00:02.1\",\"vm\":\"\",\"uuid\":\"\",\"bound_by_us\":false,"
		      "\"orig_driver\":\"\",\"created_vfs\":false"),
		CLAIM("\"vf\":\"0000:00:02.1\",\"vm\":\"a\",\"uuid\":\"e6f8da46\",\"bound_by_us\":false,"
		      "\"orig_driver\":\"\",\"created_vfs\":false"),
		CLAIM("\"vf\":\"0000:00:02.1\",\"vm\":\"a\",\"uuid\":\"\",\"bound_by_us\":\"yes\","
		      "\"orig_driver\":\"\",\"created_vfs\":false"),
		CLAIM("\"vf\":\"0000:00:02.1\",\"vm\":\"a\",\"uuid\":\"\",\"bound_by_us\":false,"
		      "\"orig_driver\":\"../../x\",\"created_vfs\":false"),
		CLAIM("\"vf\":\"0000:00:02.1\",\"vm\":\"a\\u0000b\",\"uuid\":\"\",\"bound_by_us\":false,"
		      "\"orig_driver\":\"\",\"created_vfs\":false"),
		CLAIM("\"vf\":\"0000:00:02.1\",\"vm\":\"a\",\"uuid\":\"\",\"bound_by_us\":false,"
		      "\"orig_driver\":\"\""),
		"{\"version\":1,\"before\":null,\"claims\":[{\"vf\":\"0000:00:02.1\"," OKC "},"
		"{\"vf\":\"0000:00:02.1\"," OKC "}]}",
		"{\"version\":1,\"before\":null,\"claims\":[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]}",
		"{\"version\":1,\"before\":null,\"claims\":[1]}",
	};
	char big[2048], *huge;
	size_t n;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_damaged(bad[i], strlen(bad[i]));
	/* a NUL byte inside */
	expect_damaged("{\"version\":1,\"before\":null,\"claims\":[]}\0", 41);
	/* a VM name over X4_NAME_MAX */
	n = (size_t)snprintf(big, sizeof(big), CLAIM("\"vf\":\"0000:00:02.1\",\"vm\":\"%0*d\","
						      "\"uuid\":\"\",\"bound_by_us\":false,"
						      "\"orig_driver\":\"\",\"created_vfs\":false"),
			     X4_NAME_MAX + 1, 0);
	expect_damaged(big, n);
	/* more claims than the cap */
	huge = malloc(X4_STATE_MAX_BYTES);
	assert_non_null(huge);
	n = (size_t)sprintf(huge, "{\"version\":1,\"before\":null,\"claims\":[");
	for (unsigned i = 0; i <= X4_STATE_MAX_CLAIMS; i++)
		n += (size_t)sprintf(huge + n, "%s{\"vf\":\"0000:%02x:%02x.0\"," OKC "}", i ? "," : "",
				     i & 0xff, i >> 8);
	n += (size_t)sprintf(huge + n, "]}");
	expect_damaged(huge, n);
	/* bigger than the size cap */
	memset(huge, ' ', X4_STATE_MAX_BYTES);
	huge[0] = '{';
	put_state(huge, X4_STATE_MAX_BYTES);
	put_state("", 0);
	{
		char p[512];
		int fd;

		rootpath(p, sizeof(p), X4_STATE_FILE);
		fd = open(p, O_WRONLY | O_TRUNC);
		assert_int_equal(write(fd, huge, X4_STATE_MAX_BYTES), X4_STATE_MAX_BYTES);
		assert_int_equal(write(fd, "}", 1), 1);
		close(fd);
		assert_int_equal(x4_state_load(&st, NULL), -EBADMSG);
	}
	free(huge);
	/* a good file loads again after all that */
	{
		static const char good[] =
			"{\"version\":1,\"before\":{\"numvfs\":7,\"autoprobe\":false},\"claims\":[]}\n";

		put_state(good, strlen(good));
	}
	assert_int_equal(x4_state_load(&st, NULL), 0);
	assert_int_equal(st.have_before, 1);
	assert_int_equal(st.numvfs_before, 7);
	assert_int_equal(st.autoprobe_before, 0);
}

static void test_not_a_file(void **state)
{
	char p[512], t[512];
	struct x4_err e;

	(void)state;
	rootpath(p, sizeof(p), X4_STATE_FILE);
	unlink(p);
	assert_int_equal(mkdir(p, 0755), 0);
	assert_int_equal(x4_state_load(&st, &e), -EBADMSG);
	/* a failed save leaves no temp file behind */
	x4_state_init(&st);
	assert_true(x4_state_save(&st, &e) < 0);
	assert_non_null(strstr(e.msg, "cannot write"));
	assert_int_equal(count_other_entries("state.json", "lock"), 0);
	rmdir(p);
	/* a symlink is refused, not followed */
	snprintf(t, sizeof(t), "%s/elsewhere.json", root);
	put_state("{\"version\":1,\"before\":null,\"claims\":[]}", 40);
	rename(p, t);
	assert_int_equal(symlink(t, p), 0);
	assert_int_equal(x4_state_load(&st, &e), -EBADMSG);
	assert_non_null(strstr(e.msg, "symlink"));
	/* saving replaces the link itself */
	assert_int_equal(x4_state_save(&st, &e), 0);
	assert_int_equal(x4_state_load(&st, &e), 0);
	unlink(t);
}

static void test_lock_nonblocking_probe(void **state)
{
	struct x4_lock l, l2;
	struct x4_err e;
	char p[512];
	int fd;

	(void)state;
	assert_int_equal(x4_state_lock(&l, &e), 0);
	assert_true(l.fd >= 0);
	rootpath(p, sizeof(p), X4_STATE_LOCK);
	fd = open(p, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(flock(fd, LOCK_EX | LOCK_NB), -1); /* held */
	assert_int_equal(errno, EWOULDBLOCK);
	x4_state_unlock(&l);
	assert_int_equal(l.fd, -1);
	x4_state_unlock(&l); /* twice is harmless */
	assert_int_equal(flock(fd, LOCK_EX | LOCK_NB), 0); /* free again */
	flock(fd, LOCK_UN);
	close(fd);
	assert_int_equal(x4_state_lock(&l2, &e), 0);
	x4_state_unlock(&l2);
}

/* A second process blocks in x4_state_lock until the first unlocks. */
static void test_lock_serialises(void **state)
{
	struct x4_lock l;
	struct x4_err e;
	int to_parent[2];
	pid_t pid;
	char c;
	struct pollfd pfd;
	int status;

	(void)state;
	assert_int_equal(pipe(to_parent), 0);
	assert_int_equal(x4_state_lock(&l, &e), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct x4_lock cl;

		/* The inherited fd shares the parent's lock: drop our copy (close, not LOCK_UN). */
		x4_state_unlock(&l);
		close(to_parent[0]);
		if (write(to_parent[1], "s", 1) != 1)
			_exit(2);
		if (x4_state_lock(&cl, NULL) < 0)
			_exit(3);
		if (write(to_parent[1], "L", 1) != 1)
			_exit(4);
		x4_state_unlock(&cl);
		_exit(0);
	}
	close(to_parent[1]);
	assert_int_equal(read(to_parent[0], &c, 1), 1);
	assert_int_equal(c, 's');
	/* While we hold the lock the child must not report it has it. */
	pfd.fd = to_parent[0];
	pfd.events = POLLIN;
	assert_int_equal(poll(&pfd, 1, 300), 0);
	x4_state_unlock(&l);
	/* Now it gets the lock (blocking read: no timing involved). */
	assert_int_equal(read(to_parent[0], &c, 1), 1);
	assert_int_equal(c, 'L');
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	close(to_parent[0]);
}

static void test_lock_errors(void **state)
{
	struct x4_lock l;
	struct x4_err e;
	char p[512];
	FILE *f;

	(void)state;
	/* /run/x4-sriov is a file: cannot make the directory */
	rootpath(p, sizeof(p), X4_RUN_DIR);
	tu_rm_tree(p);
	f = fopen(p, "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(x4_state_lock(&l, &e), -ENOTDIR);
	assert_int_equal(l.fd, -1);
	assert_int_equal(x4_state_load(&st, &e), -ENOTDIR);
	unlink(p);
	assert_int_equal(x4_state_lock(&l, &e), 0);
	x4_state_unlock(&l);
}

/* A damaged state is moved aside under a new name each time; an older copy is never replaced
 * (issue 10, defect 6: the next save used to overwrite it). */
static void test_set_aside(void **state)
{
	char a1[256], a2[256], p[512], buf[16];
	struct x4_err e;
	int fd;
	ssize_t n;

	(void)state;
	assert_int_equal(x4_mkdirs(X4_RUN_DIR, 0755, &e), 0);
	put_state("one", 3);
	assert_int_equal(x4_state_set_aside(a1, sizeof(a1), &e), 0);
	assert_int_equal(strncmp(a1, X4_STATE_ASIDE_PREFIX, strlen(X4_STATE_ASIDE_PREFIX)), 0);
	rootpath(p, sizeof(p), X4_STATE_FILE);
	assert_int_equal(access(p, F_OK), -1);
	put_state("two", 3);
	assert_int_equal(x4_state_set_aside(a2, sizeof(a2), &e), 0);
	assert_string_not_equal(a1, a2);
	rootpath(p, sizeof(p), a1);
	fd = open(p, O_RDONLY);
	unlink(p);
	assert_true(fd >= 0);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	assert_int_equal(n, 3);
	buf[n] = '\0';
	assert_string_equal(buf, "one");
	/* no file: a clear error, nothing created */
	assert_int_equal(x4_state_set_aside(a1, sizeof(a1), &e), -ENOENT);
	assert_non_null(strstr(e.msg, X4_STATE_FILE));
	assert_int_equal(x4_state_set_aside(a1, 8, &e), -ENAMETOOLONG);
	rootpath(p, sizeof(p), a2);
	assert_int_equal(unlink(p), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_missing_is_empty),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_helpers),
		cmocka_unit_test(test_damaged),
		cmocka_unit_test(test_not_a_file),
		cmocka_unit_test(test_lock_nonblocking_probe),
		cmocka_unit_test(test_lock_serialises),
		cmocka_unit_test(test_lock_errors),
		cmocka_unit_test(test_set_aside),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
