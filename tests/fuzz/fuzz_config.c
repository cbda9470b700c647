/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the config parser (x4-sriov.conf) through its real file loader. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

static void fuzz_require(int cond)
{
	if (!cond)
		abort();
}

static char fuzz_path[64];

static void fuzz_cleanup(void)
{
	unlink(fuzz_path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct x4_config c;
	struct x4_settings s;
	struct x4_err e;
	int fd, r;

	if (!fuzz_path[0]) {
		snprintf(fuzz_path, sizeof(fuzz_path), "/tmp/x4-fuzz-config.%d", (int)getpid());
		atexit(fuzz_cleanup);
	}
	fd = open(fuzz_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	fuzz_require(fd >= 0);
	fuzz_require(write(fd, data, size) == (ssize_t)size);
	close(fd);
	x4_err_clear(&e);
	r = x4_config_load_file(&c, fuzz_path, &e);
	fuzz_require(r == 0 || (r < 0 && e.msg[0] && !strchr(e.msg, '\n')));
	if (r == 0) {
		fuzz_require(c.n_vms <= X4_MAX_VM_SECTIONS);
		for (unsigned i = 0; i < c.n_vms; i++) {
			fuzz_require(x4_config_vm(&c, c.vms[i].name) == &c.vms[i]);
			x4_config_for_vm(&c, c.vms[i].name, &s);
			fuzz_require(s.num_vfs == c.host.num_vfs);
		}
	}
	return 0;
}
