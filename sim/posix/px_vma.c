/*
 * px_vma.c - VMA primitives the calls are built from, following the
 * kernel's mm/vma.c: split, merge, modify a range, unmap a range, merge a
 * new VMA with its neighbours, give a VMA an anon_vma, fault and populate
 * pages.
 *
 * Merging follows Linux 6.18: two adjacent VMAs merge when their flags,
 * object and page offsets line up and their anon_vmas are compatible
 * (is_mergeable_anon_vma): equal, or only one side has one and that side
 * was not copied by fork.  An anon_vma is modelled by its identity alone:
 * px_anon_prepare() hands one out on the first write fault (or on a read
 * fault that maps a huge zero page), reusing a neighbour's like
 * find_mergeable_anon_vma() does, and the pieces of a split share it.
 */
#include "px_internal.h"
#include "abi/lx_brk.h"
#include "abi/lx_mlock.h"

#include <stdlib.h>

static uint64_t pages(uint64_t bytes)
{
	return bytes >> PX_SHIFT;
}

/*
 * px_vma_anonymous - is v private anonymous memory (vma_is_anonymous)?
 */
bool px_vma_anonymous(const struct px_vma *v)
{
	return !v->obj;
}

/*
 * px_vma_alloc - a zeroed, unlinked VMA.
 */
struct px_vma *px_vma_alloc(void)
{
	return calloc(1, sizeof(struct px_vma));
}

/*
 * px_vma_free - release an unlinked VMA, its pages and its object
 * reference.
 */
void px_vma_free(struct px_space *s, struct px_vma *v)
{
	if (!v)
		return;
	pxp_free(&v->pages, &s->stored);
	px_obj_put(v->obj);
	free(v);
}

/* Add (sign > 0) or remove v's bytes from the space's statistics. */
static void account(struct px_space *s, const struct px_vma *v, int sign)
{
	uint64_t len = v->end - v->start;

	if (sign < 0)
		len = -len;
	s->mapped += len;
	if (v->flags & LX_VM_WRITE)
		s->writable += len;
	if (v->flags & LX_VM_LOCKED)
		s->locked += len;
}

/*
 * px_vma_link - insert v into the tree and count it.
 */
void px_vma_link(struct px_space *s, struct px_vma *v)
{
	pxt_insert(&s->tree, v);
	s->map_count++;
	account(s, v, 1);
}

/*
 * px_vma_unlink - take v out of the tree and the statistics.
 */
void px_vma_unlink(struct px_space *s, struct px_vma *v)
{
	account(s, v, -1);
	pxt_erase(&s->tree, v);
	s->map_count--;
}

/*
 * px_vma_set_flags - change v's flags, keeping the statistics right.
 */
void px_vma_set_flags(struct px_space *s, struct px_vma *v, uint32_t fl)
{
	account(s, v, -1);
	v->flags = fl;
	account(s, v, 1);
}

/*
 * px_vma_pgoff_at - the page offset of addr inside v (linear_page_index).
 */
uint64_t px_vma_pgoff_at(const struct px_vma *v, uint64_t addr)
{
	return v->pgoff + pages(addr - v->start);
}

/*
 * px_cand_of - describe v as a merge candidate.
 */
void px_cand_of(struct px_cand *c, const struct px_vma *v)
{
	c->start = v->start;
	c->end = v->end;
	c->pgoff = v->pgoff;
	c->flags = v->flags;
	c->obj = v->obj;
	c->anon = v->anon;
	c->forked = v->forked;
}

/* is_mergeable_anon_vma(): a side that brings an anon_vma into a merge
 * must not have been copied by fork. */
static bool anon_compat(const struct px_cand *a, const struct px_cand *b)
{
	if (a->anon && b->anon)
		return a->anon == b->anon;
	if (a->anon)
		return !a->forked;
	if (b->anon)
		return !b->forked;
	return true;
}

/*
 * px_can_merge - may a (below) and b (directly above) form one VMA?
 */
bool px_can_merge(const struct px_cand *a, const struct px_cand *b)
{
	if (a->end != b->start || a->flags != b->flags)
		return false;
	if (a->flags & LX_VM_SPECIAL)
		return false;
	if (a->obj != b->obj)
		return false;
	if (a->pgoff + pages(a->end - a->start) != b->pgoff)
		return false;
	return anon_compat(a, b);
}

/*
 * px_vma_split - cut v at addr (strictly inside it); v keeps the lower
 * part and *hi receives the new upper one.  The caller checks the map
 * count, as split_vma() and __split_vma() differ only in that.
 */
int px_vma_split(struct px_space *s, struct px_vma *v, uint64_t addr,
		 struct px_vma **hi)
{
	struct px_vma *n = px_vma_alloc();
	int err;

	if (!n)
		return -LX_ENOMEM;
	*n = *v;
	pxp_init(&n->pages);
	err = pxp_split(&v->pages, px_vma_pgoff_at(v, addr), &n->pages);
	if (err) {
		free(n);
		return err;
	}
	n->node.c[0] = n->node.c[1] = n->node.p = NULL;
	n->start = addr;
	n->pgoff = px_vma_pgoff_at(v, addr);
	px_obj_get(n->obj);
	v->end = addr;
	pxt_update(v);
	pxt_insert(&s->tree, n);
	s->map_count++;
	*hi = n;
	return 0;
}

/*
 * px_vma_merge - join b into a, its compatible lower neighbour, and
 * return a.  The merged VMA takes whichever anon_vma either had
 * (dup_anon_vma).
 */
struct px_vma *px_vma_merge(struct px_space *s, struct px_vma *a,
			    struct px_vma *b)
{
	pxt_erase(&s->tree, b);
	s->map_count--;
	a->end = b->end;
	pxt_update(a);
	pxp_join(&a->pages, &b->pages);
	if (!a->anon) {
		a->anon = b->anon;
		a->forked = b->forked;
	}
	a->unmerged |= b->unmerged;
	px_obj_put(b->obj);
	free(b);
	return a;
}

/*
 * px_vma_modify - give [start, end) of v the flags fl, merging with a
 * neighbour where vma_merge_existing_range() would and splitting where it
 * would not.  Splits check vm.max_map_count (-ENOMEM); a merge never
 * needs to.  *out is the VMA now covering [start, end).
 */
int px_vma_modify(struct px_space *s, struct px_vma *v, uint64_t start,
		  uint64_t end, uint32_t fl, struct px_vma **out)
{
	struct px_vma *prev = pxt_prev(v), *next = pxt_next(v), *piece = v;
	struct px_cand c, pc, nc;
	bool left = start == v->start, right = end == v->end;
	bool merge_left = false, merge_right = false;
	int err;

	c.start = start;
	c.end = end;
	c.pgoff = px_vma_pgoff_at(v, start);
	c.flags = fl;
	c.obj = v->obj;
	c.anon = v->anon;
	c.forked = v->forked;
	if (!(fl & LX_VM_SPECIAL)) {
		if (left && prev) {
			px_cand_of(&pc, prev);
			merge_left = px_can_merge(&pc, &c);
		}
		if (right && next) {
			px_cand_of(&nc, next);
			merge_right = px_can_merge(&c, &nc) &&
				      (!merge_left || !prev->anon ||
				       !next->anon || prev->anon == next->anon);
		}
	}
	if (!merge_left && !merge_right && !left &&
	    s->map_count >= s->cfg.max_map_count)
		return -LX_ENOMEM;
	if (!left) {
		err = px_vma_split(s, v, start, &piece);
		if (err)
			return err;
	}
	if (!merge_left && !merge_right && !right &&
	    s->map_count >= s->cfg.max_map_count)
		return -LX_ENOMEM;
	if (!right) {
		struct px_vma *hi;

		err = px_vma_split(s, piece, end, &hi);
		if (err)
			return err;
	}
	px_vma_set_flags(s, piece, fl);
	if (merge_left)
		piece = px_vma_merge(s, prev, piece);
	if (merge_right)
		piece = px_vma_merge(s, piece, next);
	*out = piece;
	return 0;
}

/*
 * px_unmap - remove every mapping in [start, end) (page aligned), as
 * do_vmi_align_munmap() does: splitting the first VMA fails with -ENOMEM
 * when that would leave one VMA too many, a sealed VMA in the range with
 * -EPERM; nothing else can fail.  Without @check_count (px_inherit, which
 * overwrites whatever is there) neither is checked.
 */
int px_unmap(struct px_space *s, uint64_t start, uint64_t end, bool check_count)
{
	struct px_vma *v = pxt_find(&s->tree, start), *next;
	int err;

	if (!v || v->start >= end)
		return 0;
	if (start > v->start && check_count && end < v->end &&
	    s->map_count >= s->cfg.max_map_count)
		return -LX_ENOMEM;
	/* vms_gather_munmap_vmas(): a sealed VMA anywhere in the range
	 * refuses the whole unmap.  (The kernel may have split the first
	 * VMA already; its pieces differ in nothing a call can see.) */
	for (next = v; check_count && next && next->start < end;
	     next = pxt_next(next))
		if (next->flags & LX_VM_SEALED)
			return -LX_EPERM;
	if (start > v->start) {
		err = px_vma_split(s, v, start, &v);
		if (err)
			return err;
	}
	while (v && v->start < end) {
		if (v->end > end) {
			struct px_vma *hi;

			err = px_vma_split(s, v, end, &hi);
			if (err)
				return err;
		}
		next = pxt_next(v);
		px_vma_unlink(s, v);
		px_vma_free(s, v);
		v = next;
	}
	return 0;
}

/*
 * px_merge_new - v was just linked over free space; merge it with its
 * neighbours as vma_merge_new_range() would (only with the lower one when
 * just_expand, as for brk) and return the VMA that now holds its range.
 */
struct px_vma *px_merge_new(struct px_space *s, struct px_vma *v,
			    bool just_expand)
{
	struct px_vma *prev = pxt_prev(v), *next = pxt_next(v);
	struct px_cand c, pc, nc;
	bool can_left = false, can_right = false;

	px_cand_of(&c, v);
	if (prev) {
		px_cand_of(&pc, prev);
		can_left = px_can_merge(&pc, &c);
	}
	if (next && !just_expand) {
		px_cand_of(&nc, next);
		can_right = px_can_merge(&c, &nc) &&
			    (!can_left || !prev->anon || !next->anon ||
			     prev->anon == next->anon);
	}
	if (can_left)
		v = px_vma_merge(s, prev, v);
	if (can_right)
		v = px_vma_merge(s, v, next);
	return v;
}

/* anon_vma_compatible(): could b reuse a's anon_vma (or a b's)? */
static bool anon_vma_compatible(const struct px_vma *a, const struct px_vma *b)
{
	return a->end == b->start && a->obj == b->obj &&
	       !((a->flags ^ b->flags) & ~LX_VM_ACCESS) &&
	       b->pgoff == a->pgoff + pages(a->end - a->start);
}

/*
 * px_anon_prepare - give v an anon_vma if it has none: a compatible
 * neighbour's (next first) when that one was not made by fork, else a
 * new one.
 */
void px_anon_prepare(struct px_space *s, struct px_vma *v)
{
	struct px_vma *n;

	if (v->anon)
		return;
	n = pxt_next(v);
	if (n && n->anon && !n->forked && anon_vma_compatible(v, n)) {
		v->anon = n->anon;
		return;
	}
	n = pxt_prev(v);
	if (n && n->anon && !n->forked && anon_vma_compatible(n, v)) {
		v->anon = n->anon;
		return;
	}
	v->anon = ++s->next_anon;
	v->forked = false;
}

/*
 * px_zap - drop the page table entries of [start, end) in v: private
 * pages and their contents go, guard markers stay, objects keep theirs.
 */
void px_zap(struct px_space *s, struct px_vma *v, uint64_t start, uint64_t end)
{
	/* A failure here only leaves extra extents behind, never wrong
	 * contents: the range is cut before anything is dropped. */
	(void)pxp_update(
		&v->pages, px_vma_pgoff_at(v, start), px_vma_pgoff_at(v, end),
		0, PXP_PRESENT | PXP_ANON | PXP_LAZYFREE, true, &s->stored);
}

/*
 * px_thp_eligible - would a fault at addr in v be served by a PMD-sized
 * THP (and so prepare an anon_vma even for a read)?
 */
bool px_thp_eligible(const struct px_space *s, const struct px_vma *v,
		     uint64_t addr)
{
	uint64_t h = addr & ~(PX_PMD - 1);

	if (!s->cfg.thp || s->cfg.thp_enabled == PX_THP_NEVER || v->obj)
		return false;
	if (v->flags & (LX_VM_NOHUGEPAGE | LX_VM_SPECIAL))
		return false;
	if (s->cfg.thp_enabled == PX_THP_MADVISE && !(v->flags & LX_VM_HUGEPAGE))
		return false;
	return h >= v->start && h + PX_PMD <= v->end;
}

/*
 * px_beyond_eof - does addr in v lie past the end of v's object?
 */
bool px_beyond_eof(const struct px_vma *v, uint64_t addr)
{
	return v->obj && px_vma_pgoff_at(v, addr) >= v->obj->size;
}

/* Copy-on-write the object pages of [lo, hi) (page offsets) into v:
 * pages already private keep their own contents. */
static int cow_range(struct px_space *s, struct px_vma *v, uint64_t lo,
		     uint64_t hi)
{
	int err = pxp_update(&v->pages, lo, hi, PXP_PRESENT, 0, false,
			     &s->stored);

	if (!err)
		err = pxp_copy_data(&v->pages, &v->obj->pages, lo, hi,
				    PXP_ANON, &s->stored);
	if (err)
		return err;
	return pxp_update(&v->pages, lo, hi, PXP_PRESENT | PXP_ANON, 0, false,
			  &s->stored);
}

/* Make pages [lo, hi) of v (page offsets) present, as faults of the
 * given kind would. */
static int fault_range(struct px_space *s, struct px_vma *v, uint64_t lo,
		       uint64_t hi, bool write)
{
	struct pxp_map *om = v->obj ? &v->obj->pages : NULL;
	uint64_t *ostored = v->obj ? &v->obj->set->stored : NULL;

	if (v->flags & LX_VM_SHARED) {
		int err = pxp_update(om, lo, hi,
				     PXP_PRESENT | (write ? PXP_DIRTY : 0), 0,
				     false, ostored);

		if (err)
			return err;
		return pxp_update(&v->pages, lo, hi, PXP_PRESENT, 0, false,
				  &s->stored);
	}
	/* do_anonymous_page() maps the zero page for a read unless the
	 * kernel forbids it: then a read allocates as a write does */
	if (write || (!v->obj && s->cfg.read_allocates)) {
		px_anon_prepare(s, v);
		if (v->obj)
			return cow_range(s, v, lo, hi);
		return pxp_update(&v->pages, lo, hi, PXP_PRESENT | PXP_ANON, 0,
				  false, &s->stored);
	}
	if (om) {
		int err =
			pxp_update(om, lo, hi, PXP_PRESENT, 0, false, ostored);

		if (err)
			return err;
	}
	return pxp_update(&v->pages, lo, hi, PXP_PRESENT, 0, false, &s->stored);
}

/*
 * px_fault - resolve an allowed access at addr in v.  A fault that a
 * PMD-sized THP serves prepares an anon_vma and maps the whole 2 MiB,
 * but only into a PMD range with no pages yet.
 */
int px_fault(struct px_space *s, struct px_vma *v, uint64_t addr, bool write)
{
	uint64_t idx = px_vma_pgoff_at(v, addr);
	uint64_t lo = idx, hi = idx + 1;

	if (px_thp_eligible(s, v, addr)) {
		uint64_t h = addr & ~(PX_PMD - 1);
		uint64_t hl = px_vma_pgoff_at(v, h);
		uint64_t hh = hl + pages(PX_PMD);

		if (!pxp_any(&v->pages, hl, hh,
			     PXP_PRESENT | PXP_GUARD | PXP_ANON)) {
			px_anon_prepare(s, v);
			lo = hl;
			hi = hh;
		}
	}
	return fault_range(s, v, lo, hi, write);
}

/*
 * px_vma_first_guard - the first guard page in [lo, hi) of v's pages
 * (page offsets), or hi.
 */
uint64_t px_vma_first_guard(const struct px_vma *v, uint64_t lo, uint64_t hi)
{
	const struct pxp_node *n;

	for (n = pxp_next(&v->pages, lo); n && n->lo < hi;
	     n = pxp_next(&v->pages, n->hi))
		if (n->flags & PXP_GUARD)
			return n->lo > lo ? n->lo : lo;
	return hi;
}

/*
 * px_fault_range - fault in [start, end) of v in order, as get_user_pages
 * would: stops with -EFAULT at the first guard page, after the pages
 * before it.
 */
int px_fault_range(struct px_space *s, struct px_vma *v, uint64_t start,
		   uint64_t end, bool write)
{
	uint64_t lo = px_vma_pgoff_at(v, start), hi = px_vma_pgoff_at(v, end);
	uint64_t g = px_vma_first_guard(v, lo, hi);
	int err;

	/* Past the end of the object the fault is SIGBUS. */
	if (v->obj && g > v->obj->size)
		g = v->obj->size > lo ? v->obj->size : lo;

	if (g > lo) {
		if (!(v->flags & LX_VM_SHARED) &&
		    (write || px_thp_eligible(s, v, start)))
			px_anon_prepare(s, v);
		err = fault_range(s, v, lo, g, write);
		if (err)
			return err;
	}
	return g < hi ? -LX_EFAULT : 0;
}

/* populate_vma_page_range(): fault in [start, end) of v. */
static int populate_vma(struct px_space *s, struct px_vma *v, uint64_t start,
			uint64_t end)
{
	bool write;
	int how = lx_populate_how(v->flags, &write);

	return how <= 0 ? how : px_fault_range(s, v, start, end, write);
}

/*
 * px_populate - __mm_populate(): fault in every VMA over [start, end).
 * Stops at the first error unless ignore_errors.
 */
int px_populate(struct px_space *s, uint64_t start, uint64_t end,
		bool ignore_errors)
{
	uint64_t nstart = start, nend;

	for (; nstart < end; nstart = nend) {
		struct px_vma *v = pxt_find(&s->tree, nstart);
		int err;

		if (!v || v->start >= end)
			break;
		nend = v->end < end ? v->end : end;
		if (v->flags & LX_VM_SPECIAL)
			continue;
		if (nstart < v->start)
			nstart = v->start;
		err = populate_vma(s, v, nstart, nend);
		if (err && !ignore_errors)
			return err;
	}
	return 0;
}

/*
 * px_commit_ok - does the heuristic overcommit check let pages more
 * accounted pages through?
 */
bool px_commit_ok(const struct px_space *s, uint64_t npages)
{
	return !s->cfg.commit_limit || npages <= pages(s->cfg.commit_limit);
}

/*
 * px_mlock_future_ok - mlock_future_ok(): may bytes more be locked?
 */
bool px_mlock_future_ok(const struct px_space *s, bool locked, uint64_t bytes)
{
	return lx_mlock_future_ok(locked, s->cfg.cap_ipc_lock, s->locked,
				  s->cfg.memlock_limit, bytes);
}

/*
 * px_can_do_mlock - can_do_mlock(): a zero RLIMIT_MEMLOCK forbids
 * locking without CAP_IPC_LOCK.
 */
bool px_can_do_mlock(const struct px_space *s)
{
	return lx_can_do_mlock(s->cfg.memlock_limit, s->cfg.cap_ipc_lock);
}

/*
 * px_start_gap - vm_start_gap(): where v's guard gap begins.
 */
uint64_t px_start_gap(const struct px_space *s, const struct px_vma *v)
{
	return lx_vm_start_gap(v->start, v->flags, s->cfg.stack_guard_gap);
}
