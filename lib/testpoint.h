/* SPDX-License-Identifier: MIT */
/* testpoint: owns named points where a test can have the process killed (kill -9 fault
 * tests). Callers: lib/lifecycle. */
#ifndef X4_TESTPOINT_H
#define X4_TESTPOINT_H

/* When $X4_TESTPOINT equals name, the process dies by SIGKILL right here, as a kill -9 from
 * outside would leave it. Costs one getenv() otherwise. */
void x4_testpoint(const char *name);

#endif
