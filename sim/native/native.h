/*
 * native.h - the host kernel as a replay and conformance target (prefix
 * nat_): every address space is a forked child process that performs the
 * calls for real.
 */
#ifndef RMSIM_NATIVE_H
#define RMSIM_NATIVE_H

#include "replay/target.h"

void nat_target(struct rp_target *t);

#endif
