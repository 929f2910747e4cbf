/*
 * procs.h - the processes of a trace and their address spaces.
 *
 * Threads (clone with CLONE_VM, vfork children until they exec) share one
 * address space; fork copies it; a successful execve gives the pid a fresh
 * one; exit_group frees it, unless another process still uses it (the
 * parent of a vfork child) or it is the run's first (its metrics stand
 * for the run).  A child's first calls may be printed before its
 * parent's clone returns, so the start of a clone is noted and the next
 * unknown pid takes the address space it prepared.
 */
#ifndef RMSIM_REPLAY_PROCS_H
#define RMSIM_REPLAY_PROCS_H

#include <stdbool.h>
#include <stdint.h>

#include "ranges/ivmap.h"
#include "target/target.h"

/* The two sides a trace runs on: the Linux reference, and the policy
 * under test (absent when the policy is the reference itself). */
enum { RP_REF, RP_MODEL, RP_SIDES };

/* One process's address space on one side. */
struct rp_side {
	void *space;		/* the target's */
	struct iv_map *reloc;	/* trace address -> target delta */
	/* the side's break minus the trace's, once the side answered its
	 * first brk: the heap is relocated as a whole */
	uint64_t brk_delta;
	bool brk_delta_known;
};

/* One address space, shared by reference between threads. */
struct rp_proc {
	unsigned refs;
	int32_t owner;		/* thread group whose exit_group frees it */
	bool dead;		/* freed by exit_group; only the shell left */
	struct rp_side side[RP_SIDES];
	struct iv_map *known;	/* ranges the trace itself unmapped (what
				 * it maps the reference shows as mapped) */
	struct iv_map *inherited; /* ranges execve made, adopted by the
				 * reference (trace coordinates) */
	bool from_exec;		/* began at an execve the trace shows: what
				 * it adopts, execve made */
	bool base_known;	/* mmap base learnt */
	bool brk_known;
	uint64_t brk_start;	/* the trace's first break (brk(NULL)) */
	uint64_t brk;		/* the break as the trace last showed it
				 * (any brk's result), once brk_known */
	int64_t exec_end_us;	/* when the execve that began it returned
				 * (strace's clock): an RssAnon sample taken
				 * before shows an image in the making */
};

struct rp_procs;

/* @model may be NULL: the reference alone. */
struct rp_procs *procs_new(const struct tg_target *ref,
			   const struct tg_target *model);
void procs_free(struct rp_procs *ps);

/* The address space of @pid; NULL only when out of memory. */
struct rp_proc *procs_get(struct rp_procs *ps, int32_t pid);
/*
 * The address space @pid has, without assuming one: the one of the pid,
 * or of the thread group @pid leads; NULL for a pid the trace has not
 * shown (or whose process exited), unless a clone is under way, whose
 * child it then is (as for procs_get).  For what the side
 * file says of a pid: its faults and samples.
 */
struct rp_proc *procs_find(struct rp_procs *ps, int32_t pid);
/* What a clone's child shares with its parent. */
enum rp_clone {
	RP_CLONE_FORK,		/* nothing: a copy of the address space */
	RP_CLONE_THREAD,	/* everything: same thread group */
	RP_CLONE_VM,		/* the memory only (vfork, CLONE_VM alone) */
};

/* @pid started a clone-family call of that kind. */
void procs_clone_start(struct rp_procs *ps, int32_t pid, enum rp_clone kind);
/* @pid's clone returned @child. */
void procs_clone_done(struct rp_procs *ps, int32_t pid, int32_t child,
		      enum rp_clone kind);
/* @pid replaced its program: a fresh address space. */
void procs_exec(struct rp_procs *ps, int32_t pid);
/*
 * exit_group(): the thread group of @pid is gone, and with it its
 * address space, unless another process still uses it (the parent of a
 * vfork child) or it is the run's root (kept for the final figures).
 */
void procs_exit(struct rp_procs *ps, int32_t pid);

uint64_t procs_created(const struct rp_procs *ps);
/* Forks a side could not copy (the child shares its parent's space). */
uint64_t procs_fork_shared(const struct rp_procs *ps);
/* The first process's address space (its metrics stand for the run). */
struct rp_proc *procs_root(const struct rp_procs *ps);
uint64_t procs_orphans(const struct rp_procs *ps);
/* Address spaces exit_group freed. */
uint64_t procs_freed(const struct rp_procs *ps);

#endif
