/*
 * lx_brk.h - brk(2) as mm/mmap.c (Linux 6.18) has it, for every model of
 * a Linux address space: which of its three shapes a request takes, the
 * flags and the merge rule of the heap's VMA (do_brk_flags()), the page
 * it must keep clear below the next mapping, and vm_start_gap(), which
 * that and get_unmapped_area() share.  The Linux reference model
 * (sim/posix/px_mmap.c) and the window policies (sim/policy/win_core.c)
 * both run brk through it and keep only their own limits (the task size
 * and mmap_min_addr there, the window and its `heap` here) and how a VMA
 * is mapped and unmapped.
 *
 * ALGORITHM
 *
 * A break below start_brk is refused.  The old and the new break are
 * rounded up to pages: equal, only the recorded break moves; lower, the
 * pages between are unmapped (if a VMA is there at all); higher, the
 * heap grows by a VMA that merges with the one below only where that
 * one is part of the heap, and only when the new break stays a page
 * below the next VMA's guard gap.  brk never fails: a refusal returns
 * the old break.
 *
 * INVARIANTS
 *
 *   Header-only and free of state: the caller's heap changes only
 *   through its own callbacks.  Like lx_vm.h it depends on nothing but
 *   the Linux constants, so that Genode's libc builds the window
 *   policies with it unchanged.
 */
#ifndef RMSIM_ABI_LX_BRK_H
#define RMSIM_ABI_LX_BRK_H

#include <stdbool.h>
#include <stdint.h>

#include "abi/lx_vm.h"
#include "rmsim/abi.h"

/* What brk(@addr) does to a heap whose break is @brk. */
enum lx_brk_shape {
	LX_BRK_REFUSE, /* below start_brk: the old break stays */
	LX_BRK_SET,    /* same page: only the break moves */
	LX_BRK_SHRINK, /* unmap [newbrk, oldbrk) */
	LX_BRK_GROW,   /* map [oldbrk, newbrk) */
};

/* The shape of brk(@addr), with the page-aligned breaks in *@oldbrk and
 * *@newbrk (not set for LX_BRK_REFUSE). */
static inline enum lx_brk_shape lx_brk_shape(uint64_t addr, uint64_t brk,
					     uint64_t start_brk,
					     uint64_t *oldbrk, uint64_t *newbrk)
{
	if (addr < start_brk)
		return LX_BRK_REFUSE;
	*newbrk = (addr + LX_PAGE_SIZE - 1) & LX_PAGE_MASK;
	*oldbrk = (brk + LX_PAGE_SIZE - 1) & LX_PAGE_MASK;
	if (*oldbrk == *newbrk)
		return LX_BRK_SET;
	return addr <= brk ? LX_BRK_SHRINK : LX_BRK_GROW;
}

/* vm_start_gap(): where the guard gap of a VMA at @start with flags
 * @fl begins (@guard: stack_guard_gap, for one that grows down). */
static inline uint64_t lx_vm_start_gap(uint64_t start, uint32_t fl,
				       uint64_t guard)
{
	if (!(fl & LX_VM_GROWSDOWN))
		return start;
	return start > guard ? start - guard : 0;
}

/* The heap may grow to @newbrk only a page below the guard gap of the
 * next VMA, which starts at @next_gap (NULL VMA: no next). */
static inline bool lx_brk_clear_of(uint64_t newbrk, bool has_next,
				   uint64_t next_gap)
{
	return !has_next || newbrk + LX_PAGE_SIZE <= next_gap;
}

/* do_brk_flags(): the flags of the heap's new VMA, under @def_flags
 * (mlockall(MCL_FUTURE)). */
static inline uint32_t lx_brk_vm_flags(uint32_t def_flags)
{
	return LX_VM_READ | LX_VM_WRITE | LX_VM_ACCOUNT | def_flags;
}

/* vma_prev_limit(start_brk) in do_brk_flags(): the VMA ending at @prev_end
 * expands over the heap's new pages at @addr only if it is part of the
 * heap itself. */
static inline bool lx_brk_expands(uint64_t prev_end, uint64_t addr,
				  uint64_t start_brk)
{
	return prev_end == addr && prev_end > start_brk;
}

/*
 * brk(2) (SYSCALL_DEFINE1(brk)) over a heap whose break is *@brk: the
 * model's @shrink gives back [newbrk, oldbrk) and @extend checks its
 * limits and maps [oldbrk, newbrk), each true when done.  Returns the
 * break, new or (refused) old, which *@brk holds too.
 */
static inline uint64_t
lx_brk(uint64_t addr, uint64_t *brk, uint64_t start_brk,
       bool (*shrink)(void *ctx, uint64_t newbrk, uint64_t oldbrk),
       bool (*extend)(void *ctx, uint64_t oldbrk, uint64_t newbrk), void *ctx)
{
	uint64_t newbrk, oldbrk;

	switch (lx_brk_shape(addr, *brk, start_brk, &oldbrk, &newbrk)) {
	case LX_BRK_REFUSE:
		return *brk;
	case LX_BRK_SET:
		break;
	case LX_BRK_SHRINK:
		if (!shrink(ctx, newbrk, oldbrk))
			return *brk;
		break;
	case LX_BRK_GROW:
		if (!extend(ctx, oldbrk, newbrk))
			return *brk;
		break;
	}
	*brk = addr;
	return addr;
}

#endif
