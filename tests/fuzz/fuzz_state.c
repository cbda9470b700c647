/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the state.json reader (x4_state_load), and save-load round trips of what it
 * accepts: a state we read must be written back and read again unchanged. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "paths.h"
#include "fileio.h"
#include "state.h"

static void fuzz_require(int cond)
{
	if (!cond)
		abort();
}

static char fuzz_root[64] = "/tmp/x4-fuzz-state.XXXXXX";

static void fuzz_cleanup(void)
{
	char p[128];

	snprintf(p, sizeof(p), "%s%s", fuzz_root, X4_STATE_FILE);
	unlink(p);
}

static void fuzz_put(const uint8_t *data, size_t size)
{
	char p[128];
	int fd;

	snprintf(p, sizeof(p), "%s%s", fuzz_root, X4_STATE_FILE);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	fuzz_require(fd >= 0);
	fuzz_require(write(fd, data, size) == (ssize_t)size);
	close(fd);
}

/* The bytes of state.json as saved. */
static char *fuzz_saved(size_t *len)
{
	char *buf = NULL;

	fuzz_require(x4_file_read(X4_STATE_FILE, X4_STATE_MAX_BYTES, &buf, len, NULL, NULL) ==
		     0);
	return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct x4_state s, back;
	struct x4_err e;
	char *a, *b;
	size_t alen, blen;
	int r;

	if (fuzz_root[sizeof("/tmp/x4-fuzz-state.XXXXXX") - 2] == 'X') {
		fuzz_require(mkdtemp(fuzz_root) != NULL);
		setenv("X4_ROOT", fuzz_root, 1);
		fuzz_require(x4_mkdirs(X4_RUN_DIR, 0755, NULL) == 0);
		atexit(fuzz_cleanup);
	}
	fuzz_put(data, size);
	x4_err_clear(&e);
	r = x4_state_load(&s, &e);
	fuzz_require(r == 0 || (r < 0 && e.msg[0] && !strchr(e.msg, '\n')));
	if (r < 0)
		return 0;
	fuzz_require(s.n_claims <= X4_STATE_MAX_CLAIMS);
	for (unsigned i = 0; i < s.n_claims; i++)
		fuzz_require(x4_state_claim_check(&s.claims[i], NULL) == 0);
	/* round trip: save, load, save again: the same bytes and the same claims */
	fuzz_require(x4_state_save(&s, &e) == 0);
	a = fuzz_saved(&alen);
	fuzz_require(x4_state_load(&back, &e) == 0);
	fuzz_require(back.n_claims == s.n_claims && back.have_before == s.have_before);
	fuzz_require(x4_state_save(&back, &e) == 0);
	b = fuzz_saved(&blen);
	fuzz_require(alen == blen && memcmp(a, b, alen) == 0);
	free(a);
	free(b);
	return 0;
}
