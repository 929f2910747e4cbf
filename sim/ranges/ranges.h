/*
 * ranges.h - an ordered set of disjoint address ranges with hole search
 * (prefix rg_): the VMA index of the Linux reference model (sim/posix/)
 * and the VMAs, backing extents and views of the window policies
 * (sim/policy/win_*), one piece of code for both.
 *
 * Intrusive: a struct rg_node sits at the start of the caller's record,
 * which the tree links but never allocates, moves or frees.
 */
#ifndef RMSIM_RANGES_H
#define RMSIM_RANGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rg_node {
	/* what a lookup reads comes first: one cache line per level */
	uint64_t start, end;		/* [start, end), non-empty */
	struct rg_node *c[2];		/* left, right */
	struct rg_node *p;
	int h;				/* height; 1 for a leaf */
	uint64_t sub_lo, sub_hi;	/* lowest start, highest end below */
	uint64_t sub_gap;		/* largest hole between ranges below */
};

struct rg_tree {
	struct rg_node *root;
	uint64_t count;
	/* the nodes rg_find returned last, the latest first, or NULL:
	 * callers look the same ranges up several times in a row, often
	 * two in turn (a cache, not tree state) */
	struct rg_node *finger[2];
};

/* Add @n, whose [start, end) overlaps no range of @t. */
void rg_insert(struct rg_tree *t, struct rg_node *n);
void rg_erase(struct rg_tree *t, struct rg_node *n);
/* @n's start or end changed without passing a neighbour. */
void rg_update(struct rg_node *n);
/* The first range whose end lies above @addr (Linux's find_vma), or NULL. */
struct rg_node *rg_find(const struct rg_tree *t, uint64_t addr);
struct rg_node *rg_first(const struct rg_tree *t);
struct rg_node *rg_next(const struct rg_node *n);
struct rg_node *rg_prev(const struct rg_node *n);
/*
 * The highest hole whose part inside [low, high) is at least @len bytes:
 * the end of that part in *@at and the range above the hole (or NULL) in
 * *@above.  False when none fits.  rg_gap_lowest is the bottom-up twin
 * (*@at is the start of the lowest fitting part).
 */
bool rg_gap_highest(const struct rg_tree *t, uint64_t low, uint64_t high,
		    uint64_t len, uint64_t *at, struct rg_node **above);
bool rg_gap_lowest(const struct rg_tree *t, uint64_t low, uint64_t high,
		   uint64_t len, uint64_t *at, struct rg_node **above);
/*
 * Every invariant (see ranges.c), ranges aligned to @align: the number of
 * ranges, or -1 with the first violation in @why.
 */
long rg_check(const struct rg_tree *t, uint64_t align, char *why,
	      size_t size);

#endif
