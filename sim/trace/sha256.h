/*
 * sha256.h - what the trace module's own tests reach of sha256.c beyond
 * include/rmsim/trace.h.
 */
#ifndef RMSIM_TRACE_SHA256_H
#define RMSIM_TRACE_SHA256_H

#include <stdbool.h>

/*
 * Hash whole blocks with the portable code even on a CPU with the SHA
 * extensions (@on), so a test checks both paths on any machine; off
 * again: the CPU's instructions where it has them.
 */
void tr_sha256_portable(bool on);

#endif
