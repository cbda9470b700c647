/* SPDX-License-Identifier: MIT */
/* lgfake: a fake Looking Glass host for the tests. It writes an LGMP header with KVMFR user
 * data into a file (or a memfd) the way the guest's host application does, then optionally
 * ticks the LGMP timestamp every 10 ms like the real one. Its layouts are declared here as
 * structs (offsets asserted), independently of lib/lgmp.c's offset table. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define LGMP_MAGIC 0x504d474cU

/* One queue of the LGMP v5/v6 header (B6, B7). */
struct fake_queue {
	uint32_t queue_id, num_messages, new_sub_count, max_time, position, messages_offset;
	uint64_t timeout[32];
	uint32_t client_id[32];
	uint32_t lock;
	uint64_t subs; /* high 32 bits: subscribed clients, low 32: bad clients */
	uint64_t start, msg_timeout;
	uint32_t count;
	uint8_t tail[700];
};

struct fake_header {
	uint32_t magic, version, session;
	uint64_t timestamp;
	uint32_t num_queues;
	struct fake_queue queues[5];
	uint32_t udata_size;
	uint8_t udata[];
};

struct fake_kvmfr {
	char magic[8];
	uint32_t version;
	char hostver[32];
	uint32_t features;
};

struct fake_record {
	uint8_t type;
	uint32_t size;
};

_Static_assert(offsetof(struct fake_queue, subs) == 416, "LGMPHeaderQueue.subs");
_Static_assert(sizeof(struct fake_queue) == 1144, "LGMPHeaderQueue");
_Static_assert(offsetof(struct fake_header, timestamp) == 16, "LGMPHeader.timestamp");
_Static_assert(offsetof(struct fake_header, queues) == 32, "LGMPHeader.queues");
_Static_assert(offsetof(struct fake_header, udata_size) == 5752, "LGMPHeader.udataSize");
_Static_assert(offsetof(struct fake_header, udata) == 5756, "LGMPHeader.udata");
_Static_assert(sizeof(struct fake_kvmfr) == 48, "KVMFR");
_Static_assert(sizeof(struct fake_record) == 8, "KVMFRRecord");

static volatile sig_atomic_t fake_stop;

static void fake_on_term(int sig)
{
	(void)sig;
	fake_stop = 1;
}

static uint64_t fake_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000 + 1;
}

static size_t fake_record(uint8_t *p, uint8_t type, const void *data, uint32_t size)
{
	struct fake_record r = {.type = type, .size = size};

	memcpy(p, &r, sizeof(r));
	memcpy(p + sizeof(r), data, size);
	return sizeof(r) + size;
}

/* KVMFR + VMINFO + OSINFO as the host app's newKVMFRData builds them. */
static uint32_t fake_udata(uint8_t *p, uint32_t kvmfr_version, const char *hostver)
{
	struct fake_kvmfr k = {.version = kvmfr_version, .features = 1};
	uint8_t vm[51 + 64] = {0}, os[64] = {0};
	static const char model[] = "Intel(R) N100";
	static const char osname[] = "Windows 11 Pro";
	size_t n = 0, i;

	memcpy(k.magic, "KVMFR---", 8);
	snprintf(k.hostver, sizeof(k.hostver), "%s", hostver);
	memcpy(p, &k, sizeof(k));
	n += sizeof(k);
	for (i = 0; i < 16; i++)
		vm[i] = (uint8_t)(0x10 + i);
	memcpy(vm + 16, "D12", 3);
	vm[48] = 4;
	vm[49] = 4;
	vm[50] = 1;
	memcpy(vm + 51, model, sizeof(model));
	n += fake_record(p + n, 1, vm, (uint32_t)(51 + sizeof(model)));
	os[0] = 3;
	memcpy(os + 1, osname, sizeof(osname));
	n += fake_record(p + n, 2, os, (uint32_t)(1 + sizeof(osname)));
	return (uint32_t)n;
}

static void usage(void)
{
	fprintf(
	    stderr,
	    "usage: lgfake [--layout b6|b7|v10|garbage|magic-only] [--size BYTES] [--hostver S]\n"
	    "              [--udata-size N] [--subscribe] [--tick] [--seconds N] [--image]\n"
	    "              (--memfd | FILE)\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *layout = "b7", *hostver = NULL, *file = NULL;
	long size = 1 << 20, udata_override = -1, seconds = 30;
	int tick = 0, subscribe = 0, memfd = 0, image = 0, fd, i;
	volatile uint64_t *ts = NULL;
	uint8_t *m;
	size_t len;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--layout") && i + 1 < argc)
			layout = argv[++i];
		else if (!strcmp(a, "--size") && i + 1 < argc)
			size = strtol(argv[++i], NULL, 0);
		else if (!strcmp(a, "--hostver") && i + 1 < argc)
			hostver = argv[++i];
		else if (!strcmp(a, "--udata-size") && i + 1 < argc)
			udata_override = strtol(argv[++i], NULL, 0);
		else if (!strcmp(a, "--seconds") && i + 1 < argc)
			seconds = strtol(argv[++i], NULL, 0);
		else if (!strcmp(a, "--subscribe"))
			subscribe = 1;
		else if (!strcmp(a, "--tick"))
			tick = 1;
		else if (!strcmp(a, "--memfd"))
			memfd = 1;
		else if (!strcmp(a, "--image"))
			image = 1;
		else if (a[0] != '-' && !file)
			file = a;
		else
			usage();
	}
	if ((!file && !memfd) || size <= 0)
		usage();
	if (image) /* just the bytes the host writes, for copying into guest memory */
		size = 16384;
	if (memfd)
		fd = memfd_create("looking-glass", MFD_CLOEXEC);
	else
		fd = open(file, O_RDWR | O_CREAT | O_CLOEXEC | (image ? O_TRUNC : 0), 0644);
	{ /* grow a smaller file, never shrink one QEMU made (its size is the BAR's) */
		struct stat st;

		if (fd < 0 || fstat(fd, &st) < 0 ||
		    (st.st_size < size && ftruncate(fd, size) < 0)) {
			perror(file ? file : "memfd");
			return 1;
		}
	}
	len = (size_t)size;
	m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	srand((unsigned)getpid());
	if (!strcmp(layout, "garbage")) {
		for (i = 0; i < 16384 && (size_t)i < len; i++)
			m[i] = (uint8_t)(rand() | 1);
	} else if (!strcmp(layout, "magic-only")) {
		uint32_t magic = LGMP_MAGIC;

		memcpy(m, &magic, 4);
	} else if (!strcmp(layout, "v10")) {
		/* LGMP v10 (master, 2025-08): timestamp at 0, magic at 8064. */
		uint32_t w[3] = {LGMP_MAGIC, 10, (uint32_t)rand() | 1};

		if (len < 8128)
			return fprintf(stderr, "lgfake: v10 needs 8128 bytes\n"), 1;
		memcpy(m + 8064, w, sizeof(w));
		ts = (volatile uint64_t *)(void *)m;
		*ts = fake_ms();
	} else if (!strcmp(layout, "b6") || !strcmp(layout, "b7")) {
		struct fake_header *h = (struct fake_header *)(void *)m;
		int b7 = !strcmp(layout, "b7");

		if (len < sizeof(*h) + 1024)
			return fprintf(stderr, "lgfake: the region is too small\n"), 1;
		/* lgmpHostInit: a new session, then the header, then two queues (frame first). */
		h->session = (uint32_t)rand() | 1;
		h->version = b7 ? 6 : 5;
		h->timestamp = fake_ms();
		h->num_queues = 2;
		h->queues[0].queue_id = 2;
		h->queues[0].num_messages = 2;
		h->queues[1].queue_id = 1;
		h->queues[1].num_messages = 10;
		if (subscribe)
			h->queues[0].subs = 1ULL << 32;
		h->udata_size =
		    fake_udata(h->udata, b7 ? 20 : 19, hostver ? hostver : (b7 ? "B7" : "B6"));
		if (udata_override >= 0)
			h->udata_size = (uint32_t)udata_override;
		h->magic = LGMP_MAGIC;
		ts = (volatile uint64_t *)&h->timestamp;
	} else {
		usage();
	}
	msync(m, len, MS_SYNC);
	if (memfd) {
		printf("/proc/%d/fd/%d\n", (int)getpid(), fd);
		fflush(stdout);
	}
	if (tick || memfd) {
		uint64_t end = fake_ms() + (uint64_t)seconds * 1000;
		struct timespec d = {0, 10 * 1000000L};

		signal(SIGTERM, fake_on_term);
		signal(SIGINT, fake_on_term);
		while (!fake_stop && fake_ms() < end) {
			if (tick && ts)
				__atomic_store_n(ts, fake_ms(), __ATOMIC_RELEASE);
			nanosleep(&d, NULL);
		}
	}
	munmap(m, len);
	close(fd);
	return 0;
}
