/*
 * win_core.c - POSIX memory calls emulated inside one managed window:
 * the shared core of the `window` and `lazy` policies.
 *
 * This is the reservation scheme the Genode maintainers suggested (a
 * configured range preserved by a region map from the RM service,
 * attached at its base, populated with attach-at), carried through to
 * Linux's full semantics.  This file holds the design notes, start-up,
 * mmap, munmap, mprotect and brk, and what every call ends with; the
 * other calls are in win_madv.c, win_remap.c and win_lock.c, and
 * win_core.h lists every file of the policies.
 *
 * ALGORITHM
 *
 * At start-up the policy opens an RM session, creates one region map the
 * size of the window and attaches its dataspace into the component's
 * address space (env) at the window's base, writeable and executable (a
 * page's rights are ANDed along the path, so the window must allow all).
 * By default the window is the largest free range of env inside the
 * layout's address range, 2 MiB aligned; `base` and `size` choose
 * another.  Every mapping lives inside the window.
 *
 * The policy keeps Linux's view of the window as Linux does: a tree of
 * VMAs with their flags, page offsets, objects and anon_vma identities,
 * split and merged by Linux's rules (win_vma.c), because what a call
 * returns depends on it (mremap works within one VMA only, splits are
 * limited by vm.max_map_count).  Every argument check is Linux's, in
 * Linux's order, with Linux's errno, and every partial effect Linux
 * leaves behind on failure is left behind too.  Placement is Linux's
 * top-down search with the window's top as the mmap base; a hint is
 * taken when the whole range is free and inside the window.
 *
 * The Genode side (win_back.c, win_view.c, win_zero.c, win_pool.c)
 * follows from the VMAs.  A PROT_NONE
 * reservation is bookkeeping only: no RAM, no attachment; an access
 * there finds nothing in the window map, which has no fault handler, so
 * core stops the thread (SIGSEGV).  Accessible private pages are backed
 * by RAM attached in the window at their place with the rights of their
 * VMA: eagerly at commit (`window`), or on the first touch in chunks
 * (`lazy`: the window shows a second region map through views; its
 * fault handler attaches a chunk there).  Small runs of RAM come from
 * pool dataspaces (win_pool.c), because every dataspace costs a
 * capability.  Fresh read-only memory shows one shared dataspace of
 * zeroes, as Linux shows its zero page.  Shared mappings attach one
 * dataspace per object.  A range that is cut (munmap, MAP_FIXED over
 * part, mprotect of part, a guard) is detached and its remnants attached
 * again at offsets into the same dataspace; RAM goes back when no extent
 * uses it.  mprotect attaches again with the new rights, and PROT_NONE
 * detaches but keeps the RAM so that the contents come back with the
 * rights.  MADV_DONTNEED zeroes in place (`window`) or gives the RAM
 * back (`lazy`); mremap moves attachments, contents and all.
 *
 * Linux hands a private VMA its anon_vma on the first write fault, and
 * merging depends on it.  `lazy` sees those faults; `window` never does
 * and assumes, at the end of each call (wc_finish()), the write that
 * follows making memory writable.
 *
 * INVARIANTS (wc_check in win_check.c, run by the tests after every call)
 *
 *   1. VMAs are disjoint, page aligned and inside the window; the
 *      counters (VMAs, mapped and locked bytes) match them.
 *   2. Backing extents are disjoint, inside the window and inside VMAs,
 *      within their dataspace; a pool's busy pages are exactly those its
 *      extents use, and at most one pool is empty.
 *   3. An extent in the window is attached exactly with the rights of
 *      every page it covers (none: detached), the zero pages never
 *      writeable; an extent in the lazy map is attached there with all
 *      rights and no accessible page over it lacks write.
 *   4. Every accessible private page is backed, except writable ones of
 *      `lazy`, which wait for their first touch.
 *   5. `lazy` with views: the views cover exactly the accessible pages
 *      not backed in the window, with their rights.
 *   6. The window and lazy maps hold exactly the attachments recorded,
 *      and the window is attached in env at its base.
 *
 * COMPLEXITY
 *
 * Every tree is balanced: a call costs O(log n + k) for n VMAs or
 * extents and k pieces in its range, plus a scan of the pools' bitmaps
 * when it takes RAM.  Genode RPCs per call are in docs/policies.md.
 */
#include "win_core.h"
#include "abi/lx_brk.h"
#include "abi/lx_mlock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MMAP_MIN_ADDR 65536
#define MAX_MAP_COUNT 65530

/* ---- set-up ---- */

int wc_start(const struct wc_conf *conf, const struct wg_ops *ops,
	     struct wg *g, void **state)
{
	struct wg_setup gs = {.base = conf->base,
			      .size = conf->size,
			      .lazy_map = conf->lazy && conf->views,
			      .handler = conf->lazy,
			      .fault = wc_fault};
	struct wc *w = calloc(1, sizeof(*w));
	int err;

	if (!w) {
		ops->close(g);
		return -LX_ENOMEM;
	}
	w->ops = ops;
	w->g = g;
	w->lazy = conf->lazy;
	w->views = conf->lazy && conf->views;
	w->chunk = conf->chunk;
	w->pool = conf->pool;
	w->heap = conf->heap;
	w->memlock_limit = conf->memlock_limit;
	w->mmap_min_addr = MMAP_MIN_ADDR;
	w->max_map_count = MAX_MAP_COUNT;
	w->base = conf->base;
	w->top = conf->base + conf->size;
	w->start_brk = w->brk = conf->base;
	gs.arg = w;
	err = ops->open(g, &gs);
	if (err) {
		wc_fini(w);
		return err;
	}
	*state = w;
	return 0;
}

void wc_fini(void *st)
{
	struct wc *w = st;
	struct rg_node *n;

	if (!w)
		return;
	while ((n = w->vmas.root)) {
		struct wc_vma *v = wc_vma_of(n);

		rg_erase(&w->vmas, n);
		wc_obj_put(w, v->obj);
		free(v);
	}
	wc_back_fini(w);
	while (w->files) {
		struct wc_obj *o = w->files;

		w->files = o->next;
		wc_obj_put(w, o);
	}
	w->ops->close(w->g);
	free(w);
}

/* ---- what every call shares (win_core.h) ---- */

bool wc_can_mlock(const struct wc *w)
{
	return lx_can_do_mlock(w->memlock_limit, wc_memlock_unlimited(w));
}

bool wc_memlock_unlimited(const struct wc *w)
{
	return w->memlock_limit == WC_MEMLOCK_UNLIMITED;
}

bool wc_mlock_future_ok(const struct wc *w, bool locked, uint64_t bytes)
{
	return lx_mlock_future_ok(locked, wc_memlock_unlimited(w), w->locked,
				  w->memlock_limit, bytes);
}

/* Does [s, e) lie inside the window? */
bool wc_in_window(const struct wc *w, uint64_t s, uint64_t e)
{
	return s >= w->base && e <= w->top && s < e;
}

/* Remember [s, e) for wc_finish(): a few ranges, then their hull. */
void wc_pend(struct wc *w, uint64_t s, uint64_t e)
{
	unsigned i;

	if (s >= e)
		return;
	if (w->npend < 4) {
		w->pend[w->npend][0] = s;
		w->pend[w->npend++][1] = e;
		return;
	}
	for (i = 1; i < w->npend; i++) {
		w->pend[0][0] = wc_min(w->pend[0][0], w->pend[i][0]);
		w->pend[0][1] = wc_max(w->pend[0][1], w->pend[i][1]);
	}
	w->pend[0][0] = wc_min(w->pend[0][0], s);
	w->pend[0][1] = wc_max(w->pend[0][1], e);
	w->npend = 1;
}

/* Genode follows the VMAs over [s, e): objects, RAM, rights, views. */
int wc_follow(struct wc *w, uint64_t s, uint64_t e)
{
	wc_pend(w, s, e);
	return wc_back_commit(w, s, e);
}

/*
 * What the program does next to memory a call made writable is to write
 * it, and Linux gives a private VMA its anon_vma then, reusing a
 * neighbour's when it can.  The window policy never sees that fault, so
 * at the end of each call it does the same, in address order, over what
 * the call made accessible.
 */
int wc_finish(struct wc *w, int rc)
{
	struct wc_vma *v;
	unsigned i, j;

	/* in address order, as the program's writes would come */
	for (i = 1; i < w->npend; i++)
		for (j = i; j > 0 && w->pend[j][0] < w->pend[j - 1][0]; j--) {
			uint64_t t0 = w->pend[j][0], t1 = w->pend[j][1];

			w->pend[j][0] = w->pend[j - 1][0];
			w->pend[j][1] = w->pend[j - 1][1];
			w->pend[j - 1][0] = t0;
			w->pend[j - 1][1] = t1;
		}
	for (i = 0; i < w->npend && !w->lazy; i++)
		for (v = wc_vma_find(w, w->pend[i][0]);
		     v && v->n.start < w->pend[i][1]; v = wc_vma_next(v))
			if ((v->flags & LX_VM_WRITE) &&
			    !(v->flags & LX_VM_SHARED))
				wc_anon_prepare(w, v);
	w->npend = 0;
	return rc;
}

/*
 * Fault in [start, end) of v as get_user_pages would (populate, mlock):
 * stops with EFAULT at the first guard page after the pages before it.
 * Lazy policies attach the RAM now; the eager one has it already.
 */
int wc_fault_range(struct wc *w, struct wc_vma *v, uint64_t start,
		   uint64_t end, bool write)
{
	uint64_t g = wc_back_first_guard(w, start, end);

	/* past the end of a shared object the fault is SIGBUS */
	if ((v->flags & LX_VM_SHARED) && v->obj) {
		uint64_t lim = v->obj->pg0 + v->obj->npages;
		uint64_t pg = wc_vma_pgoff_at(v, start);
		uint64_t b = pg >= lim ? start
				       : start + ((lim - pg) << WC_SHIFT);

		if (b < g)
			g = b;
	}
	if (g > start) {
		if (!(v->flags & LX_VM_SHARED) &&
		    (write || wc_thp_eligible(v, start)))
			wc_anon_prepare(w, v);
		wc_back_populate(w, start, g);
	}
	return g < end ? -LX_EFAULT : 0;
}

/* populate_vma_page_range() */
static int populate_vma(struct wc *w, struct wc_vma *v, uint64_t start,
			uint64_t end)
{
	bool write;
	int how = lx_populate_how(v->flags, &write);

	return how <= 0 ? how : wc_fault_range(w, v, start, end, write);
}

/* __mm_populate() */
int wc_populate(struct wc *w, uint64_t start, uint64_t end,
		bool ignore_errors)
{
	uint64_t nstart, nend;

	for (nstart = start; nstart < end; nstart = nend) {
		struct wc_vma *v = wc_vma_find(w, nstart);
		int err;

		if (!v || v->n.start >= end)
			break;
		nend = wc_min(v->n.end, end);
		nstart = wc_max(nstart, v->n.start);
		err = populate_vma(w, v, nstart, nend);
		if (err && !ignore_errors)
			return err;
	}
	return 0;
}

/* ---- mmap, munmap ---- */

/* mmap_region() after the address is settled */
static int map_region(struct wc *w, struct wc_obj *obj, uint64_t addr,
		      uint64_t len, uint32_t fl, uint64_t pgoff,
		      struct wc_vma **out)
{
	uint64_t end = addr + len;
	struct wc_vma *v = wc_vma_find(w, addr);
	int err;

	/* only splitting the first VMA can fail */
	if (v && v->n.start < addr && end < v->n.end &&
	    w->map_count >= w->max_map_count)
		return -LX_ENOMEM;
	if (lx_vm_accountable(fl))
		fl |= LX_VM_ACCOUNT;
	err = wc_unmap(w, addr, end, true);
	if (err)
		return err;
	v = wc_vma_new(w, addr, end, fl, pgoff, obj);
	if (!v)
		return -LX_ENOMEM;
	*out = wc_merge_new(w, v, false);
	return 0;
}

static int do_mmap(void *st, uint64_t addr, uint64_t len, int prot, int flags,
		   int fd, uint64_t off, uint64_t *out)
{
	struct wc *w = st;
	bool file = !(flags & LX_MAP_ANONYMOUS), populate_now;
	uint64_t pgoff = off >> WC_SHIFT, a;
	struct wc_obj *obj = NULL;
	int type = flags & LX_MAP_TYPE, err;
	struct wc_vma *v;
	uint32_t fl;

	if (off & (WC_PAGE - 1))
		return -LX_EINVAL;
	if (file) {
		if (fd < 0)
			return -LX_EBADF;
		if (flags & LX_MAP_HUGETLB)
			return -LX_EINVAL;
	} else if (flags & LX_MAP_HUGETLB) {
		int log = (flags >> LX_MAP_HUGE_SHIFT) & LX_MAP_HUGE_MASK;

		if (log && log != 21 && log != 30)
			return -LX_EINVAL;
		return -LX_ENOMEM;	/* no huge pages reserved */
	}
	if (!len)
		return -LX_EINVAL;
	if (flags & LX_MAP_FIXED_NOREPLACE)
		flags |= LX_MAP_FIXED;
	if (!(flags & LX_MAP_FIXED)) {
		addr &= LX_PAGE_MASK;
		if (addr && addr < w->mmap_min_addr)
			addr = WC_ALIGN(w->mmap_min_addr);
	}
	len = WC_ALIGN(len);
	if (!len)
		return -LX_ENOMEM;
	if (pgoff + (len >> WC_SHIFT) < pgoff)
		return -LX_EOVERFLOW;
	if (w->map_count > w->max_map_count)
		return -LX_ENOMEM;
	fl = lx_vm_prot_bits(prot) | lx_vm_flag_bits(flags) | w->def_flags;

	err = wc_get_area(w, addr, len,
			  !file && !(flags & LX_MAP_SHARED), flags, &a);
	if (err)
		return err;
	/* a fixed range the window does not hold cannot be mapped */
	if (!wc_in_window(w, a, a + len))
		return -LX_ENOMEM;
	if (flags & LX_MAP_FIXED_NOREPLACE) {
		v = wc_vma_find(w, a);
		if (v && v->n.start < a + len)
			return -LX_EEXIST;
	}
	if ((flags & LX_MAP_LOCKED) && !wc_can_mlock(w))
		return -LX_EPERM;
	if (!wc_mlock_future_ok(w, fl & LX_VM_LOCKED, len))
		return -LX_EAGAIN;

	if (file) {
		switch (type) {
		case LX_MAP_SHARED:
			flags &= LX_LEGACY_MAP_MASK;
			/* fall through */
		case LX_MAP_SHARED_VALIDATE:
			if (flags & ~LX_LEGACY_MAP_MASK)
				return -LX_EOPNOTSUPP;
			if (fl & LX_VM_GROWSDOWN)
				return -LX_EINVAL;
			fl |= LX_VM_SHARED;
			err = wc_file_shared(w, fd, pgoff, len >> WC_SHIFT,
					     &obj);
			if (err)
				return err;
			obj = wc_obj_get(obj);
			break;
		case LX_MAP_PRIVATE:
			if (fl & LX_VM_GROWSDOWN)
				return -LX_EINVAL;
			obj = wc_obj_get(wc_file(w, fd));
			if (!obj)
				return -LX_ENOMEM;
			break;
		default:
			return -LX_EINVAL;
		}
	} else {
		switch (type) {
		case LX_MAP_SHARED:
			if (fl & LX_VM_GROWSDOWN)
				return -LX_EINVAL;
			pgoff = 0;
			fl |= LX_VM_SHARED;
			obj = wc_obj_new(w, false, -1, 0, len >> WC_SHIFT);
			if (!obj)
				return -LX_ENOMEM;
			obj->ds = wc_ds_alloc(w, len);
			if (!obj->ds) {
				wc_obj_put(w, obj);
				return -LX_ENOMEM;
			}
			obj->ds->refs = 1;
			break;
		case LX_MAP_DROPPABLE:
			if (flags & (LX_MAP_LOCKED | LX_MAP_HUGETLB))
				return -LX_EINVAL;
			if (fl & LX_VM_GROWSDOWN)
				return -LX_EINVAL;
			fl |= LX_VM_DROPPABLE | LX_VM_NORESERVE |
			      LX_VM_WIPEONFORK | LX_VM_DONTDUMP;
			/* fall through */
		case LX_MAP_PRIVATE:
			pgoff = a >> WC_SHIFT;
			break;
		default:
			return -LX_EINVAL;
		}
	}
	if (flags & LX_MAP_NORESERVE)
		fl |= LX_VM_NORESERVE;
	populate_now = (fl & LX_VM_LOCKED) ||
		       (flags & (LX_MAP_POPULATE | LX_MAP_NONBLOCK)) ==
			       LX_MAP_POPULATE;
	err = map_region(w, obj, a, len, fl, pgoff, &v);
	wc_obj_put(w, obj);
	if (err)
		return err;
	if ((v->flags & LX_VM_LOCKED) && (v->flags & LX_VM_DROPPABLE))
		wc_vma_set_flags(w, v, v->flags & ~LX_VM_LOCKED_MASK);
	err = wc_follow(w, a, a + len);
	if (err) {
		/* the PD cannot pay: nothing new stays mapped */
		wc_unmap(w, a, a + len, false);
		return err;
	}
	if (populate_now)
		wc_populate(w, a, a + len, true);
	*out = a;
	return 0;
}

int wc_mmap(void *st, uint64_t addr, uint64_t len, int prot, int flags,
	    int fd, uint64_t off, uint64_t *out)
{
	return wc_finish(st,
			 do_mmap(st, addr, len, prot, flags, fd, off, out));
}

int wc_munmap(void *st, uint64_t addr, uint64_t len)
{
	struct wc *w = st;
	uint64_t end;

	if ((addr & (WC_PAGE - 1)) || addr > LX_TASK_SIZE ||
	    len > LX_TASK_SIZE - addr)
		return -LX_EINVAL;
	end = addr + WC_ALIGN(len);
	if (end == addr)
		return -LX_EINVAL;
	return wc_unmap(w, addr, end, true) ? -LX_ENOMEM : 0;
}

/* ---- mprotect ---- */

/* mprotect_fixup() */
static int mprotect_fixup(struct wc *w, struct wc_vma *v, uint64_t start,
			  uint64_t end, uint32_t newflags, struct wc_vma **out)
{
	uint32_t oldflags = v->flags;
	bool charge;
	int err;

	*out = v;
	if (newflags == oldflags)
		return 0;
	/* the window keeps no commit limit: a charge always succeeds */
	newflags = lx_mprotect_account(oldflags, newflags, !v->obj && !v->anon,
				       &charge);
	err = wc_vma_modify(w, v, start, end, newflags, out);
	if (err)
		return err;
	if (lx_mprotect_populates(oldflags, newflags))
		wc_populate(w, start, end, true);
	return 0;
}

static int do_mprotect(void *st, uint64_t start, uint64_t len, int prot)
{
	struct wc *w = st;
	uint64_t end, nstart, tmp;
	struct wc_vma *v;
	uint32_t access;
	int err, grows, e2;

	err = lx_mprotect_check(start, len, &prot, &grows, &end);
	if (err || end == start)
		return err;
	access = lx_vm_prot_bits(prot);

	v = wc_vma_find(w, start);
	if (!v || v->n.start >= end)
		return -LX_ENOMEM;
	err = lx_mprotect_first(v->n.start, v->flags, grows, &start);
	if (err)
		return err;

	nstart = start;
	tmp = v->n.start;
	while (v && v->n.start < end) {
		struct wc_vma *o;
		uint32_t newflags = access | (v->flags & ~LX_VM_ACCESS);

		if (v->n.start != tmp) {
			err = -LX_ENOMEM;
			break;
		}
		tmp = wc_min(v->n.end, end);
		err = mprotect_fixup(w, v, nstart, tmp, newflags, &o);
		if (err)
			break;
		tmp = o->n.end;
		nstart = tmp;
		v = wc_vma_next(o);
	}
	if (!err && tmp < end)
		err = -LX_ENOMEM;
	/* what changed is [start, nstart): Genode follows */
	e2 = wc_follow(w, start, wc_min(nstart, end));
	return err ? err : e2;
}

int wc_mprotect(void *st, uint64_t start, uint64_t len, int prot)
{
	return wc_finish(st, do_mprotect(st, start, len, prot));
}


/* ---- brk ---- */

/* do_brk_flags(): the heap grows by [addr, addr + len). */
static int brk_grow(struct wc *w, uint64_t addr, uint64_t len)
{
	struct wc_vma *v = addr > w->base ? wc_vma_at(w, addr - 1) : NULL;
	bool expand = v && lx_brk_expands(v->n.end, addr, w->start_brk);
	struct wc_vma *n;

	if (w->map_count > w->max_map_count)
		return -LX_ENOMEM;
	n = wc_vma_new(w, addr, addr + len, lx_brk_vm_flags(w->def_flags),
		       addr >> WC_SHIFT, NULL);
	if (!n)
		return -LX_ENOMEM;
	if (expand)
		wc_merge_new(w, n, true);
	if (wc_follow(w, addr, addr + len)) {
		wc_unmap(w, addr, addr + len, false);
		return -LX_ENOMEM;
	}
	return 0;
}

/* The heap gives back [newbrk, oldbrk), if a VMA is there at all. */
static bool brk_shrink(void *ctx, uint64_t newbrk, uint64_t oldbrk)
{
	struct wc *w = ctx;
	struct wc_vma *v = wc_vma_find(w, newbrk);

	return v && v->n.start < oldbrk && !wc_unmap(w, newbrk, oldbrk, true);
}

/* The window's limits, the guard gap above, then do_brk_flags(). */
static bool brk_extend(void *ctx, uint64_t oldbrk, uint64_t newbrk)
{
	struct wc *w = ctx;
	struct wc_vma *next;

	if (newbrk < oldbrk || newbrk > w->top ||
	    newbrk - w->start_brk > w->heap)
		return false;
	if (!wc_mlock_future_ok(w, w->def_flags & LX_VM_LOCKED,
				newbrk - oldbrk))
		return false;
	next = wc_vma_find(w, oldbrk);
	if (!lx_brk_clear_of(newbrk, next, next ? wc_start_gap(next) : 0))
		return false;
	if (brk_grow(w, oldbrk, newbrk - oldbrk))
		return false;
	if (w->def_flags & LX_VM_LOCKED)
		wc_populate(w, oldbrk, newbrk, true);
	return true;
}

/*
 * brk inside the window: the heap starts at the window's base and grows
 * up as Linux's does (abi/lx_brk.h), by at most `heap` bytes (none by
 * default: Genode's libc has no brk, and a program whose break cannot
 * move falls back to mmap, as glibc's malloc does).  Like the kernel's,
 * it never fails: the result is the new break or, when refused, the old
 * one.
 */
static int do_brk(void *st, uint64_t addr, uint64_t *out)
{
	struct wc *w = st;

	*out = lx_brk(addr, &w->brk, w->start_brk, brk_shrink, brk_extend,
		      w);
	return 0;
}

int wc_brk(void *st, uint64_t addr, uint64_t *out)
{
	return wc_finish(st, do_brk(st, addr, out));
}


const struct wc_stats *wc_stats(const void *st)
{
	return &((const struct wc *)st)->st;
}

void wc_window(const void *st, uint64_t *base, uint64_t *top)
{
	const struct wc *w = st;

	*base = w->base;
	*top = w->top;
}
