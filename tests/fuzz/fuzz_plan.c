/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the per-VM plan reader (x4_plan_read), and write-read round trips of what
 * it accepts: a plan we read passes x4_plan_check and reads back unchanged. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"
#include "plan.h"

#define FUZZ_VM "fuzz"

static void fuzz_require(int cond)
{
	if (!cond)
		abort();
}

static char fuzz_root[64] = "/tmp/x4-fuzz-plan.XXXXXX";

static void fuzz_cleanup(void)
{
	x4_plan_remove(FUZZ_VM, NULL);
}

static void fuzz_put(const uint8_t *data, size_t size)
{
	char abs[128], p[256];
	int fd;

	fuzz_require(x4_plan_path(FUZZ_VM, abs, sizeof(abs), NULL) == 0);
	snprintf(p, sizeof(p), "%s%s", fuzz_root, abs);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	fuzz_require(fd >= 0);
	fuzz_require(write(fd, data, size) == (ssize_t)size);
	close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct x4_plan p, back;
	struct x4_err e;
	int r;

	if (fuzz_root[sizeof("/tmp/x4-fuzz-plan.XXXXXX") - 2] == 'X') {
		fuzz_require(mkdtemp(fuzz_root) != NULL);
		setenv("X4_ROOT", fuzz_root, 1);
		fuzz_require(x4_mkdirs(X4_PLAN_DIR, 0755, NULL) == 0);
		atexit(fuzz_cleanup);
	}
	fuzz_put(data, size);
	x4_err_clear(&e);
	r = x4_plan_read(FUZZ_VM, &p, &e);
	fuzz_require(r == 0 || (r < 0 && e.msg[0] && !strchr(e.msg, '\n')));
	if (r < 0)
		return 0;
	fuzz_require(x4_plan_check(&p, &e) == 0);
	fuzz_require(strcmp(p.vm, FUZZ_VM) == 0);
	fuzz_require(x4_plan_write(&p, &e) == 0);
	fuzz_require(x4_plan_read(FUZZ_VM, &back, &e) == 0);
	fuzz_require(strcmp(back.rom, p.rom) == 0 && strcmp(back.lg_path, p.lg_path) == 0);
	fuzz_require(back.lg == p.lg && back.lg_size == p.lg_size && back.has_vf == p.has_vf);
	fuzz_require(!p.has_vf || x4_pciaddr_equal(&back.vf, &p.vf));
	return 0;
}
