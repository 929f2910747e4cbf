/*
 * gn_slab.c - Genode's slab allocator (repos/base/src/lib/base/slab.cc)
 * at the level of entry slots, and the quota accounts it charges.
 *
 * Core keeps the metadata of every region map (one AVL block per free or
 * used range) and of every RAM dataspace in slabs.  The first slab block
 * lives inside the owning object; further blocks come from a sliced heap
 * or core's RAM and are charged to the session that owns the object: a
 * page-rounded block and one capability each.  When a region map or a
 * PD runs out of quota for a new block, attach or alloc_ram fails with
 * OUT_OF_RAM or OUT_OF_CAPS; that is what this file exists to reproduce.
 *
 * The emulation follows slab.cc step for step: a ring of blocks with a
 * current block, a new block when at most three entries are left (so a
 * nested allocation can never run dry), entries taken lowest-first from
 * the current block, and a completely free block released once more than
 * two blocks' worth of entries are free, and neither growth nor release
 * while the backing store is switched off (Allocator_avl_tpl::add_range,
 * which every free calls).  Entries per block are at most
 * 64, so a block's state table is one word.
 */
#include "gn_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum gn_alloc_error gn_acct_charge(struct gn_account *a, uint64_t ram,
				   uint64_t caps)
{
	/* Quota_guard::try_withdraw: both or neither */
	if (a->ram_used + ram < a->ram_used ||
	    a->ram_used + ram > a->ram_limit) {
		if (a->tally)
			a->tally[0]++;
		return GN_ALLOC_OUT_OF_RAM;
	}
	if (a->caps_used + caps > a->caps_limit) {
		if (a->tally)
			a->tally[1]++;
		return GN_ALLOC_OUT_OF_CAPS;
	}
	a->ram_used += ram;
	a->caps_used += caps;
	if (a->ram_used > a->ram_peak)
		a->ram_peak = a->ram_used;
	if (a->caps_used > a->caps_peak)
		a->caps_peak = a->caps_used;
	return GN_ALLOC_OK;
}

void gn_acct_refund(struct gn_account *a, uint64_t ram, uint64_t caps)
{
	a->ram_used -= ram;
	a->caps_used -= caps;
}

void gn_slab_init(struct gn_slab *s, unsigned epb, uint64_t block_ram,
		  struct gn_account *acct)
{
	memset(s, 0, sizeof(*s));
	s->epb = epb;
	s->block_ram = block_ram;
	s->acct = acct;
	s->initial.initial = true;
}

/* ---- the index of blocks with a free entry ---- */

static struct gn_slab_blk *t_merge(struct gn_slab_blk *a,
				   struct gn_slab_blk *b)
{
	if (!a)
		return b;
	if (!b)
		return a;
	if (a->prio > b->prio) {
		a->nf_r = t_merge(a->nf_r, b);
		return a;
	}
	b->nf_l = t_merge(a, b->nf_l);
	return b;
}

static struct gn_slab_blk *t_insert(struct gn_slab_blk *t,
				    struct gn_slab_blk *b)
{
	struct gn_slab_blk *x;

	if (!t)
		return b;
	if (b->label < t->label) {
		t->nf_l = t_insert(t->nf_l, b);
		if (t->nf_l->prio > t->prio) {
			x = t->nf_l;
			t->nf_l = x->nf_r;
			x->nf_r = t;
			return x;
		}
	} else {
		t->nf_r = t_insert(t->nf_r, b);
		if (t->nf_r->prio > t->prio) {
			x = t->nf_r;
			t->nf_r = x->nf_l;
			x->nf_l = t;
			return x;
		}
	}
	return t;
}

static struct gn_slab_blk *t_remove(struct gn_slab_blk *t, uint64_t label)
{
	if (!t)
		return NULL;
	if (label < t->label)
		t->nf_l = t_remove(t->nf_l, label);
	else if (label > t->label)
		t->nf_r = t_remove(t->nf_r, label);
	else
		return t_merge(t->nf_l, t->nf_r);
	return t;
}

static void nf_add(struct gn_slab *s, struct gn_slab_blk *b)
{
	/* splitmix64 of a counter: priorities without global state */
	uint64_t z = (s->seed += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	b->prio = z ^ (z >> 31);
	b->nf_l = b->nf_r = NULL;
	b->in_nf = true;
	s->nonfull = t_insert(s->nonfull, b);
}

static void nf_remove(struct gn_slab *s, struct gn_slab_blk *b)
{
	s->nonfull = t_remove(s->nonfull, b->label);
	b->nf_l = b->nf_r = NULL;
	b->in_nf = false;
}

/* Labels evenly spread again, in ring order from @start. */
static void relabel(struct gn_slab *s, struct gn_slab_blk *start)
{
	uint64_t step = UINT64_MAX / ((uint64_t)s->num_blocks + 1), l = step;
	struct gn_slab_blk *b = start;

	s->nonfull = NULL;
	do {
		b->label = l;
		l += step;
		b = b->next;
	} while (b != start);
	do {
		if (b->in_nf)
			nf_add(s, b);
		b = b->next;
	} while (b != start);
}

/* A label for @b, just inserted after @prev in the ring. */
static void label_after(struct gn_slab *s, struct gn_slab_blk *prev,
			struct gn_slab_blk *b)
{
	uint64_t gap = b->next == prev ? UINT64_MAX / 2
				       : b->next->label - prev->label;

	if (gap < 2) {
		relabel(s, b->next);
		nf_add(s, b);
		return;
	}
	b->label = prev->label + gap / 2;
	nf_add(s, b);
}

/*
 * Slab::alloc skips completely occupied blocks from the current one on,
 * along the ring.  The first block after the current one in ring order
 * (labels modulo 2^64: the next larger label, else the smallest) that
 * has a free entry is the one the walk stops at.
 */
static struct gn_slab_blk *next_nonfull(const struct gn_slab *s)
{
	struct gn_slab_blk *t = s->nonfull, *best = NULL;
	uint64_t from = s->curr->label;

	if (s->curr->avail)
		return s->curr;
	while (t) {
		if (t->label > from) {
			best = t;
			t = t->nf_l;
		} else {
			t = t->nf_r;
		}
	}
	if (best || !s->nonfull)
		return best;
	for (t = s->nonfull; t->nf_l; t = t->nf_l)
		;
	return t;
}

static void block_init(struct gn_slab *s, struct gn_slab_blk *b)
{
	b->next = b->prev = b;
	b->used = 0;
	b->avail = s->epb;
	b->label = UINT64_MAX / 2;
	b->in_ring = true;
	b->in_nf = false;
}

/* The backing store's try_alloc and free for one block. */
static enum gn_alloc_error store_alloc(struct gn_slab *s,
				       struct gn_slab_blk *b)
{
	if (s->store)
		return s->store->alloc(s->store_ctx, b);
	return gn_acct_charge(s->acct, s->block_ram, 1);
}

static void store_free(struct gn_slab *s, struct gn_slab_blk *b)
{
	if (s->store)
		s->store->free(s->store_ctx, b);
	else
		gn_acct_refund(s->acct, s->block_ram, 1);
}

/* Slab::_expand: a new block after the current one, paid by the owner. */
static enum gn_alloc_error expand(struct gn_slab *s)
{
	struct gn_slab_blk *b = gn_xcalloc(1, sizeof(*b));
	enum gn_alloc_error e = store_alloc(s, b);

	if (e) {
		free(b);
		return e;
	}
	block_init(s, b);
	b->prev = s->curr;
	b->next = s->curr->next;
	s->curr->next->prev = b;
	s->curr->next = b;
	s->total_avail += s->epb;
	s->num_blocks++;
	s->charged++;
	label_after(s, s->curr, b);
	return GN_ALLOC_OK;
}

enum gn_alloc_error gn_slab_alloc(struct gn_slab *s, struct gn_slot *out)
{
	struct gn_slab_blk *orig;
	enum gn_alloc_error e;
	unsigned idx;

	if (!s->has_curr) {
		/* the very first allocation uses the inline block */
		s->curr = &s->initial;
		block_init(s, s->curr);
		nf_add(s, s->curr);
		s->total_avail = s->epb;
		s->num_blocks = 1;
		s->has_curr = true;
	}
	if (s->total_avail <= 3 && !s->no_backing) {
		e = expand(s);
		if (e)
			return e;
	}
	orig = next_nonfull(s);
	if (!orig) {
		/* every block full: the walk ends before the start */
		s->curr = s->curr->prev;
		return GN_ALLOC_DENIED;
	}
	s->curr = orig;
	idx = (unsigned)__builtin_ctzll(~s->curr->used);
	s->curr->used |= 1ULL << idx;
	if (--s->curr->avail == 0)
		nf_remove(s, s->curr);
	s->total_avail--;
	out->blk = s->curr;
	out->idx = idx;
	return GN_ALLOC_OK;
}

/* Slab::_release_backing_store after taking the block out of the ring */
static void release(struct gn_slab *s, struct gn_slab_blk *b)
{
	s->total_avail -= b->avail;
	s->num_blocks--;
	if (b->in_nf)
		nf_remove(s, b);
	b->in_ring = false;
	if (!b->initial) {
		store_free(s, b);
		s->charged--;
		free(b);
	}
}

/* Slab::_free_curr_sb */
static void free_curr(struct gn_slab *s)
{
	struct gn_slab_blk *b = s->curr;

	s->curr = s->curr->next;
	if (s->num_blocks <= 1)
		return;
	b->prev->next = b->next;
	b->next->prev = b->prev;
	release(s, b);
}

void gn_slab_free(struct gn_slab *s, struct gn_slot slot)
{
	struct gn_slab_blk *b = slot.blk;

	b->used &= ~(1ULL << slot.idx);
	if (b->avail++ == 0 && b->in_ring)
		nf_add(s, b);
	s->total_avail++;
	/* keep at most two blocks' worth of free entries around; without a
	 * backing store (inside add_range) nothing is released */
	s->curr = b;
	while (s->total_avail > 2ULL * s->epb && s->num_blocks > 1 &&
	       s->curr->avail == s->epb && !s->no_backing)
		free_curr(s);
}

void gn_slab_destroy(struct gn_slab *s)
{
	struct gn_slab_blk *b, *n, *start;

	if (!s->has_curr)
		return;
	start = s->curr;
	b = start;
	do {
		n = b->next;
		if (!b->initial) {
			store_free(s, b);
			s->charged--;
			free(b);
		}
		b = n;
	} while (b != start);
	s->has_curr = false;
	s->num_blocks = 0;
	s->total_avail = 0;
	s->nonfull = NULL;
}

/* Nodes of the treap, or -1 when it is out of order. */
static long t_count(const struct gn_slab_blk *t, uint64_t lo, uint64_t hi)
{
	long l, r;

	if (!t)
		return 0;
	if (t->label < lo || t->label > hi || !t->in_nf ||
	    (t->nf_l && t->nf_l->prio > t->prio) ||
	    (t->nf_r && t->nf_r->prio > t->prio))
		return -1;
	l = t->label ? t_count(t->nf_l, lo, t->label - 1) : 0;
	r = t->label < UINT64_MAX ? t_count(t->nf_r, t->label + 1, hi) : 0;
	return l < 0 || r < 0 ? -1 : l + r + 1;
}

int gn_slab_check(const struct gn_slab *s, uint64_t entries, char *msg,
		  size_t size)
{
	const struct gn_slab_blk *b;
	uint64_t avail = 0, used = 0, charged = 0;
	unsigned n = 0;

	if (!s->has_curr) {
		if (entries) {
			snprintf(msg, size, "slab without blocks holds %llu "
				 "entries", (unsigned long long)entries);
			return -1;
		}
		return 0;
	}
	b = s->curr;
	do {
		if (b->next->prev != b || b->prev->next != b) {
			snprintf(msg, size, "slab ring broken");
			return -1;
		}
		if ((unsigned)__builtin_popcountll(b->used) + b->avail !=
			    s->epb ||
		    (s->epb < 64 && (b->used >> s->epb))) {
			snprintf(msg, size, "slab block state table disagrees "
				 "with its free count");
			return -1;
		}
		avail += b->avail;
		used += (unsigned)__builtin_popcountll(b->used);
		charged += !b->initial;
		n++;
		b = b->next;
	} while (b != s->curr && n <= s->num_blocks);
	{
		const struct gn_slab_blk *f;
		unsigned nf = 0, want = 0, descents = 0;

		(void)f;
		b = s->curr;
		do {
			want += b->avail > 0;
			if ((b->avail > 0) != b->in_nf) {
				snprintf(msg, size, "slab: the free-entry "
					 "index disagrees with a block");
				return -1;
			}
			nf += b->in_nf;
			/* labels grow along the ring but once */
			if (b->next != b && b->next->label == b->label) {
				snprintf(msg, size, "slab: ring labels tie");
				return -1;
			}
			descents += b->next->label < b->label;
			b = b->next;
		} while (b != s->curr);
		if (s->curr->next != s->curr && descents != 1) {
			snprintf(msg, size, "slab: ring labels out of order");
			return -1;
		}
		if (t_count(s->nonfull, 0, UINT64_MAX) != (long)nf) {
			snprintf(msg, size, "slab: free-entry treap malformed");
			return -1;
		}
		if (nf != want) {
			snprintf(msg, size, "slab: %u blocks indexed as having "
				 "free entries, %u have", nf, want);
			return -1;
		}
	}
	if (n != s->num_blocks || avail != s->total_avail ||
	    charged != s->charged) {
		snprintf(msg, size, "slab counts: %u blocks (%u recorded), "
			 "%llu free (%llu recorded)", n, s->num_blocks,
			 (unsigned long long)avail,
			 (unsigned long long)s->total_avail);
		return -1;
	}
	if (used != entries) {
		snprintf(msg, size, "slab holds %llu entries, its owner %llu",
			 (unsigned long long)used,
			 (unsigned long long)entries);
		return -1;
	}
	return 0;
}
