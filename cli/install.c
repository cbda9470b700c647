/* SPDX-License-Identifier: MIT */
/* stub */
#include "x4ctl.h"
int x4ctl_install(struct x4ctl *g, int argc, char **argv) { (void)g;(void)argc;(void)argv; return 1; } int x4ctl_uninstall(struct x4ctl *g, int argc, char **argv) { (void)g;(void)argc;(void)argv; return 1; }
