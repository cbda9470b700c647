/* SPDX-License-Identifier: MIT */
/* layout: owns where `make install` puts each program and file. Callers: lib/paths,
 * lib/apparmor, x4-hook and x4ctl. The Makefile writes the build's
 * PREFIX, BINDIR, SBINDIR, LIBEXECDIR, SYSCONFDIR and DATADIR into x4-layout.h (build/gen/),
 * rewritten only when they change, so every program of one build agrees on one layout. Builds
 * without it (fuzz targets, tools) get make's defaults. These are host paths: apply the root
 * (x4_host_path) before opening one. */
#ifndef X4_LAYOUT_H
#define X4_LAYOUT_H

#if defined(__has_include)
#if __has_include("x4-layout.h")
#include "x4-layout.h"
#endif
#endif

#ifndef X4_PREFIX
#define X4_PREFIX "/usr/local"
#endif
#ifndef X4_BINDIR
#define X4_BINDIR X4_PREFIX "/bin"
#endif
#ifndef X4_SBINDIR
#define X4_SBINDIR X4_PREFIX "/sbin"
#endif
#ifndef X4_LIBEXECDIR
#define X4_LIBEXECDIR X4_PREFIX "/libexec/x4-sriov"
#endif
#ifndef X4_SYSCONFDIR
#define X4_SYSCONFDIR "/etc"
#endif
#ifndef X4_DATADIR
#define X4_DATADIR X4_PREFIX "/share/x4-sriov"
#endif

#define X4_WRAPPER_PATH X4_BINDIR "/qemu-x4"
#define X4_X4CTL_PATH X4_SBINDIR "/x4ctl"
#define X4_HOOK_PATH X4_LIBEXECDIR "/x4-hook"
#define X4_HOOK_CORE_PATH X4_LIBEXECDIR "/x4-hook-core"
#define X4_TEMPLATES_DIR X4_DATADIR "/templates"
#define X4_CONF_DIR X4_SYSCONFDIR "/x4-sriov"

#endif
