/*
 * procs.h - the processes of a trace and their address spaces.
 *
 * Threads (clone with CLONE_VM, vfork children until they exec) share one
 * address space; fork copies it; a successful execve gives the pid a fresh
 * one.  A child's first calls may be printed before its parent's clone
 * returns, so the start of a clone is noted and the next unknown pid
 * takes the address space it prepared.
 */
#ifndef RMSIM_REPLAY_PROCS_H
#define RMSIM_REPLAY_PROCS_H

#include <stdbool.h>
#include <stdint.h>

#include "ivmap.h"
#include "target.h"

/* One address space, shared by reference between threads. */
struct rp_proc {
	unsigned refs;
	void *space;		/* the target's */
	struct iv_map *reloc;	/* trace address -> target delta */
	struct iv_map *known;	/* ranges the trace itself (un)mapped */
	bool base_known;	/* mmap base learnt */
	bool brk_known;
};

struct rp_procs;

struct rp_procs *procs_new(const struct rp_target *t);
void procs_free(struct rp_procs *ps);

/* The address space of @pid; NULL only when out of memory. */
struct rp_proc *procs_get(struct rp_procs *ps, int32_t pid);
/* @pid started a clone-family call with @flags (is_fork: no CLONE_VM). */
void procs_clone_start(struct rp_procs *ps, int32_t pid, bool is_fork);
/* @pid's clone returned @child. */
void procs_clone_done(struct rp_procs *ps, int32_t pid, int32_t child,
		      bool is_fork);
/* @pid replaced its program: a fresh address space. */
void procs_exec(struct rp_procs *ps, int32_t pid);

uint64_t procs_created(const struct rp_procs *ps);
uint64_t procs_orphans(const struct rp_procs *ps);

#endif
