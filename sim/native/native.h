/*
 * native.h - the host kernel as a replay and conformance target (prefix
 * nat_): every address space is a forked child process that performs the
 * calls for real, under limits, with no descriptor of rmsim's.
 */
#ifndef RMSIM_NATIVE_H
#define RMSIM_NATIVE_H

#include <stdint.h>

#include "target/target.h"

/* The child's resident plus locked memory, and its CPU time, unless the
 * command's options say otherwise. */
#define NAT_DEFAULT_MEM ((uint64_t)2 << 30)
#define NAT_DEFAULT_CPU_S 600

void nat_target(struct tg_target *t);
/* Limits for the children made from now on (0: the default). */
void nat_configure(uint64_t mem, uint64_t cpu_s);
/* Why the child of @space died, or NULL while it lives. */
const char *nat_broken(void *space);

#endif
