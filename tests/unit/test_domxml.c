/* SPDX-License-Identifier: MIT */
/* Unit tests: lib/domxml (bounded read, hardened parse, extraction from real libvirt XML). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "testutil.h"

#include "domxml.h"

static char fixdir[PATH_MAX + 64];

/* tests/fixtures/domxml (see testutil.h). */
static int find_fixtures(void **state)
{
	(void)state;
	return tu_fixture_dir("domxml", fixdir, sizeof(fixdir));
}

/* Read a fixture into a malloc'ed buffer through x4_domxml_read_fd. */
static char *load(const char *name, size_t *len)
{
	char path[PATH_MAX + 128], *buf = NULL;
	struct x4_err e;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", fixdir, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(x4_domxml_read_fd(fd, X4_DOMXML_MAX_SIZE, &buf, len, &e), 0);
	close(fd);
	return buf;
}

static int parse_str(const char *xml, struct x4_domain *d, struct x4_err *e)
{
	return x4_domxml_parse(xml, strlen(xml), d, e);
}

static void test_hook_captures(void **state)
{
	const char *files[] = {
		"hook-stdin-prepare-begin.xml", "hook-stdin-start-begin.xml",
		"hook-stdin-started-begin.xml", "hook-stdin-reconnect-begin.xml",
		"hook-stdin-stopped-end.xml",	"hook-stdin-release-end.xml",
	};
	struct x4_domain *d = malloc(sizeof(*d));
	struct x4_err e;

	(void)state;
	assert_non_null(d);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		size_t len;
		char *buf = load(files[i], &len);

		x4_err_clear(&e);
		assert_int_equal(x4_domxml_parse(buf, len, d, &e), 0);
		assert_string_equal(d->name, "feas");
		assert_string_equal(d->uuid, "e6f8da46-396a-45d0-80b9-cb005ac509ad");
		assert_string_equal(d->type, "qemu");
		assert_string_equal(d->emulator, "/usr/local/bin/qemu-wrap");
		assert_string_equal(d->cpu_mode, "custom");
		assert_int_equal(d->n_videos, 1);
		assert_string_equal(d->videos[0], "none");
		assert_int_equal(d->n_shmems, 1);
		assert_string_equal(d->shmems[0].name, "looking-glass");
		assert_string_equal(d->shmems[0].model, "ivshmem-plain");
		assert_string_equal(d->shmems[0].path, "");
		assert_int_equal(d->shmems[0].size, 32ULL << 20);
		assert_int_equal(d->n_hostdevs, 0);
		assert_int_equal(d->n_qemu_args, 0);
		free(buf);
	}
	free(d);
}

static void test_capture_hostdev(void **state)
{
	struct x4_domain *d = malloc(sizeof(*d));
	struct x4_err e;
	size_t len;
	char *buf = load("domain-with-hostdev.xml", &len);
	char a[X4_PCIADDR_STRLEN];

	(void)state;
	assert_int_equal(x4_domxml_parse(buf, len, d, &e), 0);
	assert_string_equal(d->name, "feas-hd");
	assert_string_equal(d->uuid, "");
	assert_string_equal(d->cpu_mode, "");
	assert_int_equal(d->n_hostdevs, 1);
	assert_string_equal(x4_pciaddr_format(&d->hostdevs[0].host, a), "0000:00:1f.0");
	assert_int_equal(d->hostdevs[0].managed, 0);
	assert_int_equal(d->hostdevs[0].is_interface, 0);
	assert_string_equal(d->hostdevs[0].rom_file, "/usr/share/example/igd.rom");
	assert_int_equal(d->hostdevs[0].rom_bar_off, 0);
	assert_int_equal(d->hostdevs[0].has_guest_addr, 0);
	free(buf);
	free(d);
}

static void test_vf_domain(void **state)
{
	struct x4_domain *d = malloc(sizeof(*d));
	struct x4_err e;
	size_t len;
	char *buf = load("win11-vf.xml", &len);
	char a[X4_PCIADDR_STRLEN];
	const struct x4_domxml_hostdev *h;

	(void)state;
	assert_int_equal(x4_domxml_parse(buf, len, d, &e), 0);
	assert_string_equal(d->name, "win11");
	assert_string_equal(d->type, "kvm");
	assert_string_equal(d->cpu_mode, "host-passthrough");
	assert_string_equal(d->emulator, "/usr/local/bin/qemu-x4");
	assert_int_equal(d->n_qemu_args, 2);
	assert_int_equal(d->n_shmems, 2);
	assert_int_equal(d->shmems[0].size, 64ULL << 20);
	assert_string_equal(d->shmems[1].path, "/var/lib/libvirt/shmem/doorbell-sock");
	assert_int_equal(d->shmems[1].size, 4ULL << 20);
	assert_int_equal(d->n_hostdevs, 3); /* the USB hostdev and the network NIC are not PCI */
	h = &d->hostdevs[0];
	assert_string_equal(x4_pciaddr_format(&h->host, a), "0000:00:02.1");
	assert_int_equal(h->managed, 1);
	assert_string_equal(h->rom_file, "/usr/share/x4-sriov/IntelGopDriver.efi");
	assert_int_equal(h->rom_bar_off, 0);
	assert_int_equal(h->has_guest_addr, 1);
	assert_string_equal(x4_pciaddr_format(&h->guest, a), "0000:05:00.0");
	assert_string_equal(h->alias, "hostdev0");
	h = &d->hostdevs[1];
	assert_string_equal(x4_pciaddr_format(&h->host, a), "0000:00:02.2"); /* decimal attrs */
	assert_int_equal(h->managed, 0);
	assert_string_equal(h->rom_file, "");
	assert_int_equal(h->rom_bar_off, 1);
	assert_int_equal(h->has_guest_addr, 0);
	h = &d->hostdevs[2];
	assert_int_equal(h->is_interface, 1);
	assert_int_equal(h->managed, 1);
	assert_string_equal(x4_pciaddr_format(&h->host, a), "0000:03:10.1");
	assert_string_equal(x4_pciaddr_format(&h->guest, a), "0000:06:00.0");
	free(buf);
	free(d);
}

static void expect_doctype(const char *file)
{
	struct x4_domain *d = malloc(sizeof(*d));
	struct x4_err e;
	size_t len;
	char *buf = load(file, &len);

	assert_int_equal(x4_domxml_parse(buf, len, d, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "DOCTYPE"));
	assert_string_equal(d->name, ""); /* nothing left behind on failure */
	free(buf);
	free(d);
}

static void test_entity_attacks(void **state)
{
	struct x4_domain d;
	struct x4_err e;

	(void)state;
	expect_doctype("billion-laughs.xml");
	expect_doctype("xxe-passwd.xml");
	expect_doctype("xxe-param.xml");
	assert_int_equal(parse_str("<!DOCTYPE domain><domain><name>a</name></domain>", &d, &e),
			 -EINVAL);
	assert_non_null(strstr(e.msg, "DOCTYPE"));
	/* an entity reference without a declaration is just malformed */
	assert_int_equal(parse_str("<domain><name>&xxe;</name></domain>", &d, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "malformed"));
	/* XInclude is not processed: the name stays the literal text */
	assert_int_equal(parse_str("<domain xmlns:xi='http://www.w3.org/2001/XInclude'><name>a<xi:"
				   "include href='file:///etc/passwd' parse='text'/></name></domain>",
				   &d, &e),
			 0);
	assert_string_equal(d.name, "a");
	/* predefined entities and character references are plain text, not DTD entities */
	assert_int_equal(parse_str("<domain><name>a&amp;b&#x41;</name></domain>", &d, &e), 0);
	assert_string_equal(d.name, "a&bA");
}

static void test_malformed(void **state)
{
	struct x4_domain d;
	struct x4_err e;
	size_t len;
	char *buf = load("hook-stdin-prepare-begin.xml", &len);
	char name[X4_NAME_MAX + 64];

	(void)state;
	assert_int_equal(x4_domxml_parse(buf, len / 2, &d, &e), -EINVAL); /* truncated */
	assert_non_null(strstr(e.msg, "malformed: line"));
	free(buf);
	assert_int_equal(x4_domxml_parse("", 0, &d, &e), -ENODATA);
	assert_int_equal(x4_domxml_parse(NULL, 0, &d, &e), -ENODATA);
	assert_int_equal(parse_str("   ", &d, &e), -EINVAL);
	assert_int_equal(parse_str("<domain><name>a</name>", &d, &e), -EINVAL);
	assert_int_equal(parse_str("<domain><name>a</name></domain><x/>", &d, &e), -EINVAL);
	assert_int_equal(parse_str("<network><name>a</name></network>", &d, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "not <domain>"));
	assert_int_equal(parse_str("<domain xmlns='urn:x'><name>a</name></domain>", &d, &e), -EINVAL);
	assert_int_equal(parse_str("<domain type='kvm'/>", &d, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "no <name>"));
	assert_int_equal(parse_str("<domain><name></name></domain>", &d, &e), -EINVAL);
	memset(name, 0, sizeof(name));
	strcpy(name, "<domain><name>");
	memset(name + strlen(name), 'n', X4_NAME_MAX + 1);
	strcat(name, "</name></domain>");
	assert_int_equal(parse_str(name, &d, &e), -EINVAL);
	assert_int_equal(parse_str("<domain><name>a</name><uuid>xyz</uuid></domain>", &d, &e),
			 -EINVAL);
	assert_non_null(strstr(e.msg, "not a UUID"));
	assert_int_equal(parse_str("<domain><name>a</name><uuid>e6f8da46-396a-45d0-80b9-cb005ac509a"
				   "dd</uuid></domain>", &d, &e),
			 -EINVAL);
	/* embedded NUL: libxml2 stops at it and reports the document as broken */
	assert_int_equal(x4_domxml_parse("<domain><name>a\0b</name></domain>", 32, &d, &e), -EINVAL);
}

static void test_non_utf8(void **state)
{
	struct x4_domain d;
	struct x4_err e;

	(void)state;
	assert_int_equal(parse_str("<domain><name>\xff\xfe</name></domain>", &d, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "malformed"));
	assert_int_equal(parse_str("<?xml version='1.0' encoding='ISO-8859-1'?><domain><name>\xe9t"
				   "\xe9</name></domain>", &d, &e),
			 0);
	assert_string_equal(d.name, "\xc3\xa9t\xc3\xa9");
	assert_int_equal(parse_str("<?xml version='1.0' encoding='x-bogus'?><domain><name>a</name>"
				   "</domain>", &d, &e),
			 -EINVAL);
}

static void test_bad_hostdevs(void **state)
{
	struct x4_domain d;
	struct x4_err e;
	const char *bad[] = {
		"<hostdev mode='subsystem' type='pci' managed='maybe'><source><address domain='0' "
		"bus='0' slot='2' function='1'/></source></hostdev>",
		"<hostdev mode='subsystem' type='pci'><source/></hostdev>",
		"<hostdev mode='subsystem' type='pci'></hostdev>",
		"<hostdev mode='subsystem' type='pci'><source><address bus='0' slot='0x20' "
		"function='0'/></source></hostdev>",
		"<hostdev mode='subsystem' type='pci'><source><address bus='0' slot='2' "
		"function='8'/></source></hostdev>",
		"<hostdev mode='subsystem' type='pci'><source><address bus='0' slot='2'/></source>"
		"</hostdev>",
		"<hostdev mode='subsystem' type='pci'><source><address type='usb' bus='0' slot='2' "
		"function='1'/></source></hostdev>",
		"<interface type='hostdev'><source><address type='pci' bus='zz' slot='2' "
		"function='1'/></source></interface>",
		"<hostdev mode='subsystem' type='pci'><source><address bus='0' slot='2' function='1'/>"
		"</source><address type='pci' bus='1' slot='2' function='9'/></hostdev>",
		"<shmem name='lg'><size unit='parsec'>3</size></shmem>",
		"<shmem name='lg'><size unit='M'>-3</size></shmem>",
		"<shmem name='lg'><size unit='T'>99999999999999999</size></shmem>",
	};
	char xml[1024];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(xml, sizeof(xml), "<domain><name>a</name><devices>%s</devices></domain>",
			 bad[i]);
		x4_err_clear(&e);
		assert_int_equal(parse_str(xml, &d, &e), -EINVAL);
		assert_true(strlen(e.msg) > 10);
	}
	/* a non-PCI hostdev is skipped, not an error */
	assert_int_equal(parse_str("<domain><name>a</name><devices><hostdev mode='subsystem' "
				   "type='scsi'><source/></hostdev><hostdev mode='capabilities' "
				   "type='pci'/></devices></domain>",
				   &d, &e),
			 0);
	assert_int_equal(d.n_hostdevs, 0);
}

static void test_too_many(void **state)
{
	static const char hd[] = "<hostdev mode='subsystem' type='pci'><source><address bus='1' "
				 "slot='0' function='0'/></source></hostdev>";
	size_t cap = 64 + (X4_DOMXML_MAX_HOSTDEVS + 1) * sizeof(hd);
	char *xml = malloc(cap);
	struct x4_domain *d = malloc(sizeof(*d));
	struct x4_err e;

	(void)state;
	strcpy(xml, "<domain><name>a</name><devices>");
	for (int i = 0; i < X4_DOMXML_MAX_HOSTDEVS; i++)
		strcat(xml, hd);
	strcat(xml, "</devices></domain>");
	assert_int_equal(parse_str(xml, d, &e), 0);
	assert_int_equal(d->n_hostdevs, X4_DOMXML_MAX_HOSTDEVS);
	strcpy(xml, "<domain><name>a</name><devices>");
	for (int i = 0; i <= X4_DOMXML_MAX_HOSTDEVS; i++)
		strcat(xml, hd);
	strcat(xml, "</devices></domain>");
	assert_int_equal(parse_str(xml, d, &e), -E2BIG);
	assert_non_null(strstr(e.msg, "more than 32"));
	free(xml);
	free(d);
}

/* libxml2 must print nothing, even for broken input: the hook's stderr reaches the user. */
static void test_silent(void **state)
{
	struct x4_domain d;
	struct x4_err e;
	char tmpl[] = "/tmp/x4-test-domxml-stderr.XXXXXX";
	int fd = mkstemp(tmpl), saved = dup(2);
	struct stat st;

	(void)state;
	assert_true(fd >= 0 && saved >= 0);
	fflush(stderr);
	dup2(fd, 2);
	parse_str("<domain><name>a</nam></domain>", &d, &e);
	parse_str("<domain><name>\xff</name></domain>", &d, &e);
	parse_str("<?xml version='1.0' encoding='x-bogus'?><domain/>", &d, &e);
	parse_str("<!DOCTYPE d [<!ENTITY a 'b'>]><domain><name>&a;</name></domain>", &d, &e);
	parse_str("<domain><name>&undefined;</name></domain>", &d, &e);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	assert_int_equal(fstat(fd, &st), 0);
	close(fd);
	unlink(tmpl);
	assert_int_equal(st.st_size, 0);
}

/* A writer child pushing `total` bytes of 'x' into a pipe; returns the read end. */
static int pipe_writer(size_t total, pid_t *pid)
{
	int p[2];

	assert_int_equal(pipe(p), 0);
	*pid = fork();
	assert_true(*pid >= 0);
	if (*pid == 0) {
		static char chunk[65536];

		signal(SIGPIPE, SIG_IGN);
		close(p[0]);
		memset(chunk, 'x', sizeof(chunk));
		while (total > 0) {
			size_t n = total < sizeof(chunk) ? total : sizeof(chunk);
			ssize_t w = write(p[1], chunk, n);

			if (w <= 0)
				_exit(1); /* reader gave up: expected for oversize input */
			total -= (size_t)w;
		}
		_exit(0);
	}
	close(p[1]);
	return p[0];
}

static void test_read_fd(void **state)
{
	char *buf = (char *)1;
	size_t len = 7;
	struct x4_err e;
	pid_t pid;
	int fd, status;

	(void)state;
	/* 64 MiB through a pipe against the 1 MiB cap */
	fd = pipe_writer(64u << 20, &pid);
	assert_int_equal(x4_domxml_read_fd(fd, X4_DOMXML_MAX_SIZE, &buf, &len, &e), -EFBIG);
	assert_null(buf);
	assert_int_equal(len, 0);
	assert_non_null(strstr(e.msg, "larger than 1048576 bytes"));
	close(fd);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 1); /* we stopped reading early */

	/* exactly the cap is fine, one more byte is not */
	fd = pipe_writer(100000, &pid);
	assert_int_equal(x4_domxml_read_fd(fd, 100000, &buf, &len, &e), 0);
	assert_int_equal(len, 100000);
	assert_int_equal(buf[len], '\0');
	free(buf);
	close(fd);
	waitpid(pid, &status, 0);
	fd = pipe_writer(100001, &pid);
	assert_int_equal(x4_domxml_read_fd(fd, 100000, &buf, &len, &e), -EFBIG);
	close(fd);
	waitpid(pid, &status, 0);

	/* empty input */
	fd = pipe_writer(0, &pid);
	assert_int_equal(x4_domxml_read_fd(fd, X4_DOMXML_MAX_SIZE, &buf, &len, &e), -ENODATA);
	assert_non_null(strstr(e.msg, "empty"));
	close(fd);
	waitpid(pid, &status, 0);

	/* a bad descriptor */
	assert_int_equal(x4_domxml_read_fd(-1, 10, &buf, &len, &e), -EBADF);
}

/* Only what we read is kept: subtrees elsewhere (even ones named like ours) never count, nested
 * text, comments and <qemu:arg> outside the root's <qemu:commandline> change nothing. */
static void test_pruned_tree(void **state)
{
	struct x4_domain *d = malloc(sizeof(*d));
	struct x4_err e;
	char a[X4_PCIADDR_STRLEN];

	(void)state;
	assert_int_equal(
		parse_str("<domain type='kvm' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>"
			  "<name>v<!-- c -->m</name><metadata><devices><hostdev mode='subsystem' "
			  "type='pci'><source><address bus='9' slot='0' function='0'/></source>"
			  "</hostdev></devices><name>other</name></metadata>"
			  "<qemu:commandline><qemu:arg value='-a'/><x><qemu:arg value='-b'/></x>"
			  "<qemu:arg value='-c'/></qemu:commandline>"
			  "<metadata><qemu:commandline><qemu:arg value='-z'/></qemu:commandline>"
			  "</metadata><devices><video><model type='none'/><x><model type='qxl'/></x>"
			  "</video><hostdev mode='subsystem' type='pci'><source><address domain='0' "
			  "bus='0' slot='2' function='1'/><x><address bus='7' slot='0' function='0'/>"
			  "</x></source></hostdev></devices></domain>",
			  d, &e),
		0);
	assert_string_equal(d->name, "vm");
	assert_int_equal(d->n_qemu_args, 2);
	assert_int_equal(d->n_videos, 1);
	assert_string_equal(d->videos[0], "none");
	assert_int_equal(d->n_hostdevs, 1);
	assert_string_equal(x4_pciaddr_format(&d->hostdevs[0].host, a), "0000:00:02.1");
	/* a <domain> that is not the root is not read as one */
	assert_int_equal(parse_str("<x><domain><name>a</name></domain></x>", d, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "root element is <x>"));
	free(d);
}

/* Defect 9's class: inputs whose tree (or libxml2's own tables) would dwarf their size. */
static void test_memory_bombs_refused(void **state)
{
	struct x4_domain *d = malloc(sizeof(*d));
	struct x4_err e;
	size_t cap = 1u << 20, n = 0;
	char *xml = malloc(cap);

	(void)state;
	/* one tag with many attributes: refused before libxml2 sees it, wherever it is */
	n = (size_t)sprintf(xml, "<domain><name>a</name><metadata><x ");
	for (int i = 0; i < 65; i++)
		n += (size_t)sprintf(xml + n, "a%d='>' ", i);
	strcpy(xml + n, "/></metadata></domain>");
	assert_int_equal(parse_str(xml, d, &e), -E2BIG);
	assert_non_null(strstr(e.msg, "more than 64 attributes"));
	/* 64 is fine, and '=' inside values, comments, CDATA and PIs does not count */
	n = (size_t)sprintf(xml, "<domain><name>a</name><!-- %s --><?pi a=b?><metadata><x ",
			    "=================================================================");
	for (int i = 0; i < 64; i++)
		n += (size_t)sprintf(xml + n, "a%d='=\"=' ", i);
	strcpy(xml + n, "/><![CDATA[ ================================================================== ]]></metadata></domain>");
	assert_int_equal(parse_str(xml, d, &e), 0);
	/* many small elements we would keep: stopped at the budget, not built */
	n = (size_t)sprintf(xml, "<domain><name>a</name><devices>");
	for (int i = 0; i < 1100; i++)
		n += (size_t)sprintf(xml + n, "<video a='1' b='2' c='3'/>");
	strcpy(xml + n, "</devices></domain>");
	assert_int_equal(parse_str(xml, d, &e), -E2BIG);
	assert_non_null(strstr(e.msg, "more than 4096"));
	/* the same count of elements we skip costs nothing and parses */
	n = (size_t)sprintf(xml, "<domain><name>a</name><metadata>");
	for (int i = 0; i < 20000; i++)
		n += (size_t)sprintf(xml + n, "<v a='1'/><!---->");
	strcpy(xml + n, "</metadata></domain>");
	assert_int_equal(parse_str(xml, d, &e), 0);
	free(xml);
	free(d);
}

/* The front's quick look never says "no hostdev" where the parser finds one (a character
 * reference spelled an <interface type='hostdev'> past it; UTF-16 hides every ASCII word). */
static void test_front_never_misses_a_hostdev(void **state)
{
	static const char *const xmls[] = {
		"<domain><name>a</name><devices><interface type='&#104;ostdev'><source><address "
		"bus='0' slot='2' function='1'/></source></interface></devices></domain>",
		"<domain><name>a</name><devices><interface type='h&#x6f;stdev'><source><address "
		"bus='0' slot='2' function='1'/></source></interface></devices></domain>",
		"<domain><name>a</name><devices><hostdev mode='subsystem' type='pci'><source>"
		"<address bus='0' slot='2' function='1'/></source></hostdev></devices></domain>",
	};
	struct x4_domain *d = malloc(sizeof(*d));
	struct x4_err e;
	char u16[1024];
	size_t n = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(xmls) / sizeof(xmls[0]); i++) {
		assert_int_equal(parse_str(xmls[i], d, &e), 0);
		assert_int_equal(d->n_hostdevs, 1);
		assert_int_equal(x4_domxml_may_have_hostdev(xmls[i], strlen(xmls[i])), 1);
	}
	/* UTF-16LE with a BOM */
	u16[n++] = '\xff';
	u16[n++] = '\xfe';
	for (const char *p = xmls[2]; *p && n + 2 < sizeof(u16); p++) {
		u16[n++] = *p;
		u16[n++] = '\0';
	}
	assert_int_equal(x4_domxml_parse(u16, n, d, &e), 0);
	assert_int_equal(d->n_hostdevs, 1);
	assert_int_equal(x4_domxml_may_have_hostdev(u16, n), 1);
	/* and a plain libvirt domain is judged from its bytes: no hostdev */
	{
		const char *x = "<?xml version='1.0' encoding='UTF-8'?>\n<domain type='kvm'><name>a"
				"</name><description>&lt;b&gt; &amp; &apos;</description></domain>";

		assert_int_equal(x4_domxml_may_have_hostdev(x, strlen(x)), 0);
	}
	free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hook_captures), cmocka_unit_test(test_capture_hostdev),
		cmocka_unit_test(test_vf_domain),     cmocka_unit_test(test_entity_attacks),
		cmocka_unit_test(test_malformed),     cmocka_unit_test(test_non_utf8),
		cmocka_unit_test(test_bad_hostdevs),  cmocka_unit_test(test_too_many),
		cmocka_unit_test(test_silent),	      cmocka_unit_test(test_read_fd),
		cmocka_unit_test(test_pruned_tree),   cmocka_unit_test(test_memory_bombs_refused),
		cmocka_unit_test(test_front_never_misses_a_hostdev),
	};
	return cmocka_run_group_tests(tests, find_fixtures, NULL);
}
