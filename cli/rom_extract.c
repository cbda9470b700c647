/* SPDX-License-Identifier: MIT */
/* x4ctl rom extract: the Intel GOP driver from a BIOS image or the board's flash (flashrom). */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "board.h"
#include "gopfind.h"
#include "rom.h"
#include "x4ctl.h"

static const char ex_usage[] =
    "usage: x4ctl rom extract IMAGE|--from-flash [--out DIR] [--optionrom] [--device ID] "
    "[--pick N] [--json] [--guid GUID|--name NAME] [--list]\n"
    "The Intel GOP driver from a BIOS image (or the board's flash, read with flashrom).\n"
    "  --from-flash     read the flash with flashrom instead of IMAGE\n"
    "  --out DIR        write IntelGopDriver.efi (and the ROM) there (default .)\n"
    "  --optionrom      also wrap it into a PCI option ROM\n"
    "  --device ID      PCI device id for that ROM (default: the VF's)\n"
    "  --pick N         take candidate N when the image holds different GOPs\n"
    "  --guid GUID      take the FFS file with this GUID\n"
    "  --name NAME      take the FFS file with this UI name\n"
    "  --list           list the image's FFS files (GUID, type, name)\n"
    "  --json           print the result as JSON\n";

extern char **environ;

struct ex_opts {
	const char *image, *out, *guid, *name;
	int json, optionrom, from_flash, list;
	unsigned long pick, device;
};

static void ex_why(unsigned why, char *out, size_t n)
{
	static const struct {
		unsigned bit;
		const char *text;
	} w[] = {
		{X4_GOP_BY_STRING, "\"Intel(R) GOP Driver\" string"},
		{X4_GOP_BY_AMI, "AMI option-ROM container (GOP subtype)"},
		{X4_GOP_BY_GUID, "known GOP file GUID"},
		{X4_GOP_BY_NAME, "UI name IntelGopDriver"},
		{X4_GOP_BY_QUERY, "matches --guid/--name"},
	};
	size_t i, k = 0;

	out[0] = 0;
	for (i = 0; i < sizeof(w) / sizeof(w[0]); i++)
		if ((why & w[i].bit) && k < n)
			k += (size_t)snprintf(out + k, n - k, "%s%s", k ? ", " : "", w[i].text);
}

static int ex_parse(int argc, char **argv, struct ex_opts *o)
{
	enum { E_JSON = 0x100, E_OPTIONROM, E_FLASH, E_LIST, E_OUT, E_GUID, E_NAME, E_PICK,
	       E_DEVICE };
	static const struct option opts[] = {{"json", no_argument, NULL, E_JSON},
					     {"optionrom", no_argument, NULL, E_OPTIONROM},
					     {"from-flash", no_argument, NULL, E_FLASH},
					     {"list", no_argument, NULL, E_LIST},
					     {"out", required_argument, NULL, E_OUT},
					     {"guid", required_argument, NULL, E_GUID},
					     {"name", required_argument, NULL, E_NAME},
					     {"pick", required_argument, NULL, E_PICK},
					     {"device", required_argument, NULL, E_DEVICE},
					     X4CTL_OPT_HELP,
					     X4CTL_OPT_END};
	struct x4ctl_opts p = {.cmd = "rom extract", .usage = ex_usage, .longopts = opts};
	int c;

	while ((c = x4ctl_opt_next(&p, argc, argv)) != -1) {
		switch (c) {
		case X4CTL_OPT_EXIT:
			return p.status ? p.status : -1;
		case E_JSON:
			o->json = 1;
			break;
		case E_OPTIONROM:
			o->optionrom = 1;
			break;
		case E_FLASH:
			o->from_flash = 1;
			break;
		case E_LIST:
			o->list = 1;
			break;
		case E_OUT:
			o->out = optarg;
			break;
		case E_GUID:
			o->guid = optarg;
			break;
		case E_NAME:
			o->name = optarg;
			break;
		case E_PICK:
			if (x4ctl_parse_uint(optarg, 1, X4_GOP_MAX, &o->pick))
				return x4ctl_fail("rom extract: --pick '%s': give a candidate number "
						  "(1-%d) from the list",
						  optarg, X4_GOP_MAX);
			break;
		default: /* E_DEVICE */
			if (x4ctl_parse_uint(optarg, 1, 0xfffe, &o->device))
				return x4ctl_fail("rom extract: --device '%s': give a PCI id like "
						  X4_BOARD_STR(X4_BOARD_VF_DEVICE),
						  optarg);
			break;
		}
	}
	if (x4ctl_opt_args(&p, argc, 0, 1))
		return 2;
	o->image = optind < argc ? argv[optind] : NULL;
	if (!o->image == !o->from_flash)
		return x4ctl_usage("rom extract", ex_usage);
	return 0;
}

/* --list: one line per FFS file, "GUID type name" (what UEFIExtract's report lists). */
static int ex_list_visit(const struct x4_fv_node *n, void *ctx)
{
	char g[X4_GUID_STRLEN];

	(void)ctx;
	if (n->kind == X4_FV_FILE && n->type != X4_FILE_PAD)
		printf("%s %02x %s\n", x4_guid_format(n->file->guid, g), n->type, n->file->name);
	return 0;
}

static int ex_list(const uint8_t *buf, size_t len, const char *path)
{
	struct x4_fv_walk w = {.visit = ex_list_visit};
	struct x4_fwimage img;
	struct x4_err e;
	int rc = x4_fwimage_locate(buf, len, &img, &e);

	if (rc >= 0)
		rc = x4_fv_scan(buf + img.start, img.len, &w, &e);
	if (rc < 0)
		return x4ctl_fail("rom extract: %s: %s", path, e.msg);
	return 0;
}

/* Read the BIOS region with flashrom (read mode only) into dir/bios.bin. */
static int ex_flashrom(const char *dir, char *bios, size_t n)
{
	char log[PATH_MAX], line[512] = "";
	char *av[] = {"flashrom", "-p", "internal", "--ifd", "-i", "bios", "-r", bios, NULL};
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int st = 0, rc;
	FILE *f;

	snprintf(bios, n, "%s/bios.bin", dir);
	snprintf(log, sizeof(log), "%s/flashrom.log", dir);
	av[7] = bios;
	if (geteuid() != 0)
		return x4ctl_fail("rom extract --from-flash: reading the flash needs root: run it "
				  "with sudo, or give the BIOS file from the board vendor's download");
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW,
					 0600);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	rc = posix_spawnp(&pid, "flashrom", &fa, NULL, av, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0)
		return x4ctl_fail("rom extract --from-flash: cannot run flashrom: %s: install it "
				  "(apt install flashrom) or give the BIOS file from the board "
				  "vendor's download",
				  strerror(rc));
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	f = fopen(log, "r");
	if (f) {
		char l[512];

		while (fgets(l, sizeof(l), f))
			if (l[0] != '\n')
				snprintf(line, sizeof(line), "%s", l);
		fclose(f);
		line[strcspn(line, "\n")] = 0;
	}
	return x4ctl_fail("rom extract --from-flash: flashrom could not read the BIOS region "
			  "(exit status %d: %s): under Secure Boot the kernel's lockdown blocks "
			  "flash access (use the vendor's BIOS file), and a kernel with "
			  "CONFIG_IO_STRICT_DEVMEM needs the iomem=relaxed boot option",
			  WIFEXITED(st) ? WEXITSTATUS(st) : -1, line[0] ? line : "no output");
}

static void ex_cleanup(const char *dir)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/bios.bin", dir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/flashrom.log", dir);
	unlink(p);
	rmdir(dir);
}

static void ex_print_cands(const struct x4_gop_result *r, FILE *out)
{
	unsigned i;

	for (i = 0; i < r->n; i++) {
		const struct x4_gop_cand *k = &r->cand[i];
		char hex[X4_SHA256_HEX], why[256];

		ex_why(k->why, why, sizeof(why));
		fprintf(out, "candidate %u: %zu bytes, sha256 %s\n", i + 1, k->len,
			x4_sha256_hex(k->sha, hex));
		fprintf(out, "  file %s%s%s%s%s%s, version %s, %s\n", k->guid,
			k->subtype[0] ? " subtype " : "", k->subtype, k->name[0] ? " \"" : "",
			k->name, k->name[0] ? "\"" : "", k->version[0] ? k->version : "unknown",
			k->pe_x64_driver ? "x64 EFI driver" : "not an x64 EFI driver");
		fprintf(out, "  found by: %s%s\n", why, k->copies > 1 ? " (several copies)" : "");
	}
}

/* Which candidate to write: --pick, else the only one, else the only one with the strongest
 * evidence. 0 when the user must choose. */
static unsigned ex_choose(const struct x4_gop_result *r, unsigned long pick)
{
	unsigned i, strong = 0;

	if (pick)
		return pick <= r->n ? (unsigned)pick : 0;
	if (r->n == 1)
		return 1;
	for (i = 0; i < r->n; i++)
		strong += (r->cand[i].why & X4_GOP_BY_STRING) != 0;
	return strong == 1 && (r->cand[0].why & X4_GOP_BY_STRING) ? 1 : 0;
}

static json_object *ex_json_cands(const struct x4_gop_result *r)
{
	json_object *a = json_object_new_array();
	unsigned i;

	for (i = 0; i < r->n; i++) {
		const struct x4_gop_cand *k = &r->cand[i];
		json_object *o = json_object_new_object(), *by = json_object_new_array();
		char hex[X4_SHA256_HEX];

		json_object_object_add(o, "index", json_object_new_int((int)i + 1));
		json_object_object_add(o, "sha256",
				       json_object_new_string(x4_sha256_hex(k->sha, hex)));
		json_object_object_add(o, "size", json_object_new_int64((int64_t)k->len));
		json_object_object_add(o, "file_guid", json_object_new_string(k->guid));
		json_object_object_add(o, "subtype_guid",
				       k->subtype[0] ? json_object_new_string(k->subtype) : NULL);
		json_object_object_add(o, "name", json_object_new_string(k->name));
		json_object_object_add(o, "version", json_object_new_string(k->version));
		json_object_object_add(o, "x64_driver", json_object_new_boolean(k->pe_x64_driver));
		if (k->why & X4_GOP_BY_STRING)
			json_object_array_add(by, json_object_new_string("string"));
		if (k->why & X4_GOP_BY_AMI)
			json_object_array_add(by, json_object_new_string("ami-container"));
		if (k->why & X4_GOP_BY_GUID)
			json_object_array_add(by, json_object_new_string("guid"));
		if (k->why & X4_GOP_BY_NAME)
			json_object_array_add(by, json_object_new_string("ui-name"));
		if (k->why & X4_GOP_BY_QUERY)
			json_object_array_add(by, json_object_new_string("query"));
		json_object_object_add(o, "found_by", by);
		json_object_object_add(o, "known", x4_gop_known(hex)
							 ? json_object_new_string(x4_gop_known(hex))
							 : NULL);
		json_object_array_add(a, o);
	}
	return a;
}

/* Write the chosen driver (and its option ROM); fills efi/rom paths. 0 or 1. */
static int ex_write(const struct x4ctl *g, const struct ex_opts *o, const struct x4_gop_cand *k,
		    char *efi, char *rompath, size_t n)
{
	const char *base = (o->guid || o->name) ? k->guid : "IntelGopDriver";
	char dir[PATH_MAX];
	uint16_t ven = 0, dev = 0;
	struct x4_err e;
	uint8_t *rom = NULL;
	size_t rlen = 0;
	int rc;

	/* The last component is created when missing (e.g. /var/lib/x4-sriov). */
	if (mkdir(o->out, 0755) < 0 && errno != EEXIST)
		return x4ctl_fail("rom extract: cannot create --out %s: %s", o->out,
				  strerror(errno));
	if (!realpath(o->out, dir))
		return x4ctl_fail("rom extract: --out %s: %s: give an existing directory", o->out,
				  strerror(errno));
	if ((size_t)snprintf(efi, n, "%s/%s.efi", dir, base) >= n ||
	    (size_t)snprintf(rompath, n, "%s/%s.rom", dir, base) >= n)
		return x4ctl_fail("rom extract: --out %s: path too long", o->out);
	if (x4ctl_rom_write(efi, k->data, k->len))
		return 1;
	if (!o->optionrom) {
		rompath[0] = 0;
		return 0;
	}
	dev = (uint16_t)o->device;
	if (!dev) {
		x4ctl_rom_vf_ids(g, &ven, &dev);
		if (!dev)
			dev = X4_BOARD_VF_DEVICE;
	}
	if (x4_rom_build_efi(k->data, k->len, X4_BOARD_GPU_VENDOR, dev, &rom, &rlen, &e) < 0)
		return x4ctl_fail("rom extract: building the option ROM: %s", e.msg);
	rc = x4ctl_rom_write(rompath, rom, rlen);
	free(rom);
	return rc;
}

static int ex_report(const struct x4ctl *g, const struct ex_opts *o, struct x4_gop_result *r,
		     const char *path)
{
	unsigned chosen = ex_choose(r, o->pick), i;
	char efi[PATH_MAX] = "", rompath[PATH_MAX] = "", hex[X4_SHA256_HEX] = "";
	const char *what = (o->guid || o->name) ? "matching driver" : "Intel GOP driver";
	int rc = 0;

	if (r->n == 0)
		rc = x4ctl_fail("rom extract: %s: no %s found in %u firmware volumes (%u files)%s", path,
				what, r->walk.volumes, r->walk.files,
				r->vbios ? ": only a legacy VBIOS, which OVMF cannot run" : "");
	else if (o->pick > r->n)
		rc = x4ctl_fail("rom extract: --pick %lu: there are %u candidates", o->pick, r->n);
	else if (!chosen)
		rc = 2;
	if (rc == 0 && ex_write(g, o, &r->cand[chosen - 1], efi, rompath, sizeof(efi)))
		rc = 1;
	if (chosen)
		x4_sha256_hex(r->cand[chosen - 1].sha, hex);
	if (o->json) {
		json_object *j = json_object_new_object(), *w = json_object_new_array();

		json_object_object_add(j, "image", json_object_new_string(path));
		json_object_object_add(j, "container", json_object_new_string(r->image.kind));
		json_object_object_add(j, "volumes", json_object_new_int((int)r->walk.volumes));
		json_object_object_add(j, "files", json_object_new_int((int)r->walk.files));
		for (i = 0; i < r->walk.warnings && i < 4; i++)
			json_object_array_add(w, json_object_new_string(r->walk.warning[i]));
		json_object_object_add(j, "warnings", w);
		json_object_object_add(j, "skipped_vbios", json_object_new_int((int)r->vbios));
		json_object_object_add(j, "skipped_policy", json_object_new_int((int)r->policy));
		json_object_object_add(j, "candidates", ex_json_cands(r));
		json_object_object_add(j, "picked", json_object_new_int(rc == 0 ? (int)chosen : 0));
		json_object_object_add(j, "efi", rc == 0 ? json_object_new_string(efi) : NULL);
		json_object_object_add(j, "rom",
				       rc == 0 && rompath[0] ? json_object_new_string(rompath)
							     : NULL);
		printf("%s\n", json_object_to_json_string_ext(j, JSON_C_TO_STRING_PRETTY |
								     JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(j);
		return rc;
	}
	printf("image: %s (%s): %u volumes, %u files\n", path, r->image.kind, r->walk.volumes,
	       r->walk.files);
	for (i = 0; i < r->walk.warnings && i < 4; i++)
		printf("warning: %s\n", r->walk.warning[i]);
	if (r->walk.warnings > 4)
		printf("warning: ... %u more\n", r->walk.warnings - 4);
	ex_print_cands(r, stdout);
	if (r->vbios || r->policy)
		printf("skipped: %u legacy VBIOS image(s), %u GOP policy driver(s) (not the GOP)\n",
		       r->vbios, r->policy);
	if (rc == 2)
		fprintf(stderr,
			"x4ctl: rom extract: %s: %u different %ss: choose one with --pick N (the "
			"board's BIOS may carry one per platform; the newest version is usually "
			"right)\n",
			path, r->n, what);
	if (rc != 0)
		return rc;
	printf("wrote %s: candidate %u, %zu bytes, sha256 %s\n", efi, chosen,
	       r->cand[chosen - 1].len, hex);
	if (rompath[0])
		printf("wrote %s: PCI option ROM built from it\n", rompath);
	if (!o->guid && !o->name)
		printf("known-good: %s\n", x4_gop_known(hex)
					     ? x4_gop_known(hex)
					     : "no match in the table of published GOP hashes "
					       "(normal for another BIOS version)");
	printf("set in /etc/x4-sriov/x4-sriov.conf:\n  rom = %s\n  rom_mode = %s\n",
	       rompath[0] ? rompath : efi, rompath[0] ? "optionrom" : "raw");
	return 0;
}

int x4ctl_rom_extract(struct x4ctl *g, int argc, char **argv)
{
	struct ex_opts o = {.out = "."};
	struct x4_gop_query q = {0};
	struct x4_gop_result *r;
	char tmpdir[] = "/tmp/x4ctl-flash.XXXXXX", bios[PATH_MAX];
	const char *path;
	struct x4_err e;
	char *buf = NULL;
	size_t len = 0;
	int rc;

	rc = ex_parse(argc, argv, &o);
	if (rc)
		return rc < 0 ? 0 : rc; /* -1: --help printed */
	path = o.image;
	if (o.from_flash) {
		if (!mkdtemp(tmpdir))
			return x4ctl_fail("rom extract --from-flash: cannot create %s: %s", tmpdir,
					  strerror(errno));
		if (ex_flashrom(tmpdir, bios, sizeof(bios))) {
			ex_cleanup(tmpdir);
			return 1;
		}
		path = bios;
	}
	rc = x4ctl_read_file(path, X4_FWIMAGE_MAX, &buf, &len, &e);
	if (o.from_flash)
		ex_cleanup(tmpdir);
	if (rc < 0)
		return x4ctl_fail("rom extract: %s", e.msg);
	if (o.from_flash)
		path = "the BIOS region read by flashrom";
	if (o.list) {
		rc = ex_list((const uint8_t *)buf, len, path);
		free(buf);
		return rc;
	}
	q.guid = o.guid;
	q.name = o.name;
	r = calloc(1, sizeof(*r));
	if (!r) {
		free(buf);
		return x4ctl_fail("rom extract: out of memory");
	}
	rc = x4_gop_find((const uint8_t *)buf, len, &q, r, &e);
	free(buf);
	if (rc < 0) {
		x4_gop_free(r);
		free(r);
		return x4ctl_fail("rom extract: %s: %s", path, e.msg);
	}
	rc = ex_report(g, &o, r, path);
	x4_gop_free(r);
	free(r);
	return rc;
}
