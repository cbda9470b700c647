/* SPDX-License-Identifier: MIT */
/* x4sim ctl: faults, the pretend QEMU's open VFs, and the log of every write the fake kernel got. */
#include "ctl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int sim_wait_while(bool (*pred)(int), int arg)
{
	int old;

	/* libfuse cancels idle workers on exit; a waiter must wake and answer instead */
	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &old);
	while (pred(arg) && !g_sim.stopping) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 100 * 1000 * 1000;
		if (ts.tv_nsec >= 1000 * 1000 * 1000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000 * 1000 * 1000;
		}
		pthread_cond_timedwait(&g_sim.cond, &g_sim.lock, &ts);
	}
	pthread_setcancelstate(old, NULL);
	return pred(arg) ? -EIO : 0;
}

static int ctl_drv_any(const char *name)
{
	int i;

	for (i = 0; i < SIM_MAX_DRVS; i++)
		if (strcmp(g_sim.drvs[i].name, name) == 0)
			return i;
	return -1;
}

int sim_ctl_fault(const char *tok)
{
	int vfio = ctl_drv_any("vfio-pci"), i;
	unsigned bit;

	if ((tok[0] != '+' && tok[0] != '-') || sim_fault_parse(tok + 1, &bit))
		return -EINVAL;
	if (bit == SIM_F_NO_VFIO && tok[0] == '+')
		for (i = 0; i < SIM_MAX_DEVS; i++)
			if (g_sim.devs[i].used && vfio >= 0 && g_sim.devs[i].drv == vfio)
				return -EBUSY; /* a module in use does not unload */
	if (tok[0] == '+')
		g_sim.faults |= bit;
	else
		g_sim.faults &= ~bit;
	if (vfio >= 0)
		g_sim.drvs[vfio].present = !(g_sim.faults & SIM_F_NO_VFIO);
	sim_vfio_sync();
	sim_kvmfr_sync();
	pthread_cond_broadcast(&g_sim.cond);
	return 0;
}

/* DDDD:BB:SS.F in lower-case hex, as the kernel names PCI devices. */
static bool ctl_addr_ok(const char *s)
{
	static const char pat[] = "hhhh:hh:hh.d";
	size_t i;

	if (strlen(s) != sizeof(pat) - 1)
		return false;
	for (i = 0; pat[i]; i++) {
		bool hex = (s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f');

		if ((pat[i] == 'h' && !hex) || (pat[i] == 'd' && (s[i] < '0' || s[i] > '7')) ||
		    (pat[i] != 'h' && pat[i] != 'd' && s[i] != pat[i]))
			return false;
	}
	return true;
}

int sim_ctl_inuse(const char *tok)
{
	int i, slot = -1;

	if ((tok[0] != '+' && tok[0] != '-') || !ctl_addr_ok(tok + 1))
		return -EINVAL;
	for (i = 0; i < SIM_MAX_INUSE; i++) {
		if (strcmp(g_sim.inuse[i], tok + 1) == 0)
			break;
		if (slot < 0 && !g_sim.inuse[i][0])
			slot = i;
	}
	if (tok[0] == '+') {
		if (i < SIM_MAX_INUSE)
			return 0;
		if (slot < 0)
			return -ENOSPC;
		snprintf(g_sim.inuse[slot], SIM_ADDR_LEN, "%s", tok + 1);
	} else {
		if (i == SIM_MAX_INUSE)
			return -ENOENT;
		g_sim.inuse[i][0] = '\0';
	}
	pthread_cond_broadcast(&g_sim.cond);
	return 0;
}

int sim_ctl_show(enum sim_attr attr, char **out, size_t *len)
{
	size_t cap = 1024 + g_sim.log_len, off = 0;
	char *buf = malloc(cap);
	unsigned bit;
	int i;

	if (!buf)
		return -ENOMEM;
	if (attr == SA_LOG) {
		if (g_sim.log_len)
			memcpy(buf, g_sim.log, g_sim.log_len);
		off = g_sim.log_len;
	} else if (attr == SA_FAULT) {
		for (bit = 1; sim_fault_name(bit); bit <<= 1)
			if (g_sim.faults & bit)
				off += (size_t)snprintf(buf + off, cap - off, "%s\n", sim_fault_name(bit));
	} else {
		for (i = 0; i < SIM_MAX_INUSE; i++)
			if (g_sim.inuse[i][0])
				off += (size_t)snprintf(buf + off, cap - off, "%s\n", g_sim.inuse[i]);
	}
	*out = buf;
	*len = off;
	return 0;
}

static const char *ctl_errname(int err)
{
	static const struct { int code; const char *name; } names[] = {
		{ EINVAL, "EINVAL" }, { ERANGE, "ERANGE" }, { EBUSY, "EBUSY" }, { ENODEV, "ENODEV" },
		{ ENOENT, "ENOENT" }, { EACCES, "EACCES" }, { EPERM, "EPERM" }, { EEXIST, "EEXIST" },
		{ ENOMEM, "ENOMEM" }, { EIO, "EIO" }, { ENOSPC, "ENOSPC" },
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].code == -err)
			return names[i].name;
	return "EOTHER";
}

static void ctl_append(const char *s, size_t n)
{
	if (g_sim.log_len + n + 1 > g_sim.log_cap) {
		size_t cap = (g_sim.log_cap ? g_sim.log_cap * 2 : 4096) + n;
		char *p = realloc(g_sim.log, cap);

		if (!p)
			return; /* drop the line rather than the daemon */
		g_sim.log = p;
		g_sim.log_cap = cap;
	}
	memcpy(g_sim.log + g_sim.log_len, s, n);
	g_sim.log_len += n;
}

void sim_log(const char *path, const char *buf, size_t len, int result)
{
	char line[600];
	size_t off, i;
	const char *res = result == 0 ? "ok" : result == SIM_LOG_BLOCKED ? "blocked" :
								 ctl_errname(result);

	if (len > 0 && buf[len - 1] == '\n')
		len--;
	off = (size_t)snprintf(line, sizeof(line), "/sys%s ", path);
	if (len == 0)
		off += (size_t)snprintf(line + off, sizeof(line) - off, "\"\"");
	for (i = 0; i < len && off < 400; i++) {
		unsigned char c = (unsigned char)buf[i];

		if (c >= ' ' && c < 0x7f && c != '\\')
			line[off++] = (char)c;
		else
			off += (size_t)snprintf(line + off, sizeof(line) - off, "\\x%02x", c);
	}
	off += (size_t)snprintf(line + off, sizeof(line) - off, " -> %s\n", res);
	ctl_append(line, off < sizeof(line) ? off : sizeof(line) - 1);
}
