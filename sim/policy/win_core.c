/*
 * win_core.c - POSIX memory calls emulated inside one managed window:
 * the shared core of the `window` and `lazy` policies.
 *
 * This is the reservation scheme the Genode maintainers suggested (a
 * configured range preserved by a region map from the RM service,
 * attached at its base, populated with attach-at), carried through to
 * Linux's full semantics.
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
 * The Genode side (win_back.c) follows from the VMAs.  A PROT_NONE
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
 * and assumes, at the end of each call (finish()), the write that
 * follows making memory writable.
 *
 * INVARIANTS (wc_check, run by the tests after every call)
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

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MMAP_MIN_ADDR 65536
#define MAX_MAP_COUNT 65530

static uint64_t min64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static uint64_t max64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

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

/* ---- helpers shared by the calls ---- */

static bool can_do_mlock(const struct wc *w)
{
	return w->memlock_limit != 0;
}

static bool unlimited(const struct wc *w)
{
	return w->memlock_limit == WC_MEMLOCK_UNLIMITED;
}

static bool mlock_future_ok(const struct wc *w, bool locked, uint64_t bytes)
{
	uint64_t want;

	if (!locked || unlimited(w))
		return true;
	want = (bytes >> WC_SHIFT) + (w->locked >> WC_SHIFT);
	return want >= (bytes >> WC_SHIFT) &&
	       want <= (w->memlock_limit >> WC_SHIFT);
}

/* Does [s, e) lie inside the window? */
static bool in_window(const struct wc *w, uint64_t s, uint64_t e)
{
	return s >= w->base && e <= w->top && s < e;
}

/* Genode follows the VMAs over [s, e): objects, RAM, rights, views. */
/* Remember [s, e) for finish(): a few ranges, then their hull. */
static void pend(struct wc *w, uint64_t s, uint64_t e)
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
		w->pend[0][0] = min64(w->pend[0][0], w->pend[i][0]);
		w->pend[0][1] = max64(w->pend[0][1], w->pend[i][1]);
	}
	w->pend[0][0] = min64(w->pend[0][0], s);
	w->pend[0][1] = max64(w->pend[0][1], e);
	w->npend = 1;
}

/* Genode follows the VMAs over [s, e): objects, RAM, rights, views. */
static int back(struct wc *w, uint64_t s, uint64_t e)
{
	pend(w, s, e);
	return wc_back_commit(w, s, e);
}

/*
 * What the program does next to memory a call made writable is to write
 * it, and Linux gives a private VMA its anon_vma then, reusing a
 * neighbour's when it can.  The window policy never sees that fault, so
 * at the end of each call it does the same, in address order, over what
 * the call made accessible.
 */
static int finish(struct wc *w, int rc)
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
			if ((v->flags & LX_VM_WRITE) && !(v->flags & LX_VM_SHARED))
				wc_anon_prepare(w, v);
	w->npend = 0;
	return rc;
}

/*
 * Fault in [start, end) of v as get_user_pages would (populate, mlock):
 * stops with EFAULT at the first guard page after the pages before it.
 * Lazy policies attach the RAM now; the eager one has it already.
 */
static int fault_range(struct wc *w, struct wc_vma *v, uint64_t start,
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
	bool write = (v->flags & (LX_VM_WRITE | LX_VM_SHARED)) == LX_VM_WRITE;

	if (v->flags & LX_VM_LOCKONFAULT)
		return 0;
	if (!write && !(v->flags & LX_VM_ACCESS))
		return -LX_EFAULT;
	return fault_range(w, v, start, end, write);
}

/* __mm_populate() */
static int populate(struct wc *w, uint64_t start, uint64_t end,
		    bool ignore_errors)
{
	uint64_t nstart, nend;

	for (nstart = start; nstart < end; nstart = nend) {
		struct wc_vma *v = wc_vma_find(w, nstart);
		int err;

		if (!v || v->n.start >= end)
			break;
		nend = min64(v->n.end, end);
		nstart = max64(nstart, v->n.start);
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
	if (!in_window(w, a, a + len))
		return -LX_ENOMEM;
	if (flags & LX_MAP_FIXED_NOREPLACE) {
		v = wc_vma_find(w, a);
		if (v && v->n.start < a + len)
			return -LX_EEXIST;
	}
	if ((flags & LX_MAP_LOCKED) && !can_do_mlock(w))
		return -LX_EPERM;
	if (!mlock_future_ok(w, fl & LX_VM_LOCKED, len))
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
			fl |= LX_VM_DROPPABLE | LX_VM_NORESERVE | LX_VM_WIPEONFORK |
			      LX_VM_DONTDUMP;
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
	err = back(w, a, a + len);
	if (err) {
		/* the PD cannot pay: nothing new stays mapped */
		wc_unmap(w, a, a + len, false);
		return err;
	}
	if (populate_now)
		populate(w, a, a + len, true);
	*out = a;
	return 0;
}

int wc_mmap(void *st, uint64_t addr, uint64_t len, int prot, int flags,
	    int fd, uint64_t off, uint64_t *out)
{
	return finish(st,
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
		populate(w, start, end, true);
	return 0;
}

static int do_mprotect(void *st, uint64_t start, uint64_t len, int prot)
{
	struct wc *w = st;
	int grows = prot & (LX_PROT_GROWSDOWN | LX_PROT_GROWSUP);
	uint64_t end, nstart, tmp;
	struct wc_vma *v;
	uint32_t access;
	int err = 0, e2;

	prot &= ~(LX_PROT_GROWSDOWN | LX_PROT_GROWSUP);
	if (grows == (LX_PROT_GROWSDOWN | LX_PROT_GROWSUP))
		return -LX_EINVAL;
	if (start & (WC_PAGE - 1))
		return -LX_EINVAL;
	if (!len)
		return 0;
	len = WC_ALIGN(len);
	end = start + len;
	if (end <= start)
		return -LX_ENOMEM;
	if (prot & ~(LX_PROT_READ | LX_PROT_WRITE | LX_PROT_EXEC |
		     LX_PROT_SEM))
		return -LX_EINVAL;
	access = lx_vm_prot_bits(prot);

	v = wc_vma_find(w, start);
	if (!v || v->n.start >= end)
		return -LX_ENOMEM;
	if (grows & LX_PROT_GROWSDOWN) {
		start = v->n.start;
		if (!(v->flags & LX_VM_GROWSDOWN))
			return -LX_EINVAL;
	} else {
		if (v->n.start > start)
			return -LX_ENOMEM;
		if (grows & LX_PROT_GROWSUP)
			return -LX_EINVAL;	/* no VM_GROWSUP on x86 */
	}

	nstart = start;
	tmp = v->n.start;
	while (v && v->n.start < end) {
		struct wc_vma *o;
		uint32_t newflags = access | (v->flags & ~LX_VM_ACCESS);

		if (v->n.start != tmp) {
			err = -LX_ENOMEM;
			break;
		}
		tmp = min64(v->n.end, end);
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
	e2 = back(w, start, min64(nstart, end));
	return err ? err : e2;
}

int wc_mprotect(void *st, uint64_t start, uint64_t len, int prot)
{
	return finish(st, do_mprotect(st, start, len, prot));
}

/* ---- madvise ---- */

/* madvise_update_vma(): ENOMEM from a split is reported as EAGAIN. */
static int update(struct wc *w, struct wc_vma **v, uint64_t start,
		  uint64_t end, uint32_t fl)
{
	int err;

	if (fl == (*v)->flags)
		return 0;
	err = wc_vma_modify(w, *v, start, end, fl, v);
	return err == -LX_ENOMEM ? -LX_EAGAIN : err;
}

/* MADV_COLLAPSE: every whole 2 MiB block of the range must hold a page. */
static int collapse(struct wc *w, struct wc_vma *v, uint64_t start,
		    uint64_t end)
{
	uint64_t h = (start + WC_PMD - 1) & ~(WC_PMD - 1);
	uint64_t hend = end & ~(WC_PMD - 1);
	uint64_t last = (v->n.end - WC_PMD) & ~(WC_PMD - 1);

	if (v->obj || (v->flags & LX_VM_NOHUGEPAGE))
		return -LX_EINVAL;
	if (v->n.end - v->n.start < WC_PMD || last < v->n.start)
		return -LX_EINVAL;
	if (h > hend)
		return -LX_EINVAL;
	return h == hend || wc_back_present(w, h, hend) ? 0 : -LX_EINVAL;
}

/* madvise_vma_behavior(): apply adv to [start, end) inside *vp. */
static int apply(struct wc *w, struct wc_vma **vp, uint64_t start,
		 uint64_t end, int adv)
{
	struct wc_vma *v = *vp;
	uint32_t fl = v->flags;
	int err;

	switch (adv) {
	case LX_MADV_REMOVE:
		if (v->flags & LX_VM_LOCKED)
			return -LX_EINVAL;
		if (!v->obj)
			return -LX_EINVAL;
		if (!(v->flags & LX_VM_SHARED))
			return -LX_EACCES;
		wc_back_zero_object(w, v, start, end);
		return 0;
	case LX_MADV_WILLNEED:
		return 0;
	case LX_MADV_COLD:
	case LX_MADV_PAGEOUT:
		return (v->flags & LX_VM_LOCKED) ? -LX_EINVAL : 0;
	case LX_MADV_FREE:
		if (v->obj)
			return -LX_EINVAL;
		/* fall through */
	case LX_MADV_DONTNEED:
		if (v->flags & LX_VM_LOCKED)
			return -LX_EINVAL;
		/* fall through */
	case LX_MADV_DONTNEED_LOCKED:
		/* private pages read zero; shared objects keep theirs */
		if (!(v->flags & LX_VM_SHARED))
			wc_back_zero(w, start, end);
		return 0;
	case LX_MADV_COLLAPSE:
		return collapse(w, v, start, end);
	case LX_MADV_GUARD_INSTALL:
		if (v->flags & LX_VM_LOCKED)
			return -LX_EINVAL;
		if (!v->obj)
			wc_anon_prepare(w, v);
		return wc_back_guard(w, start, end) ? -LX_ENOMEM : 0;
	case LX_MADV_GUARD_REMOVE:
		wc_back_unguard(w, start, end);
		pend(w, start, end);
		return 0;
	default:
		/* the advice that only change flags */
		err = lx_madv_flags(adv, fl, v->obj != NULL, &fl);
		if (err < 0)
			return err;
		break;
	}
	return update(w, vp, start, end, fl);
}

/* madvise_walk_vmas(): a hole does not stop the walk, an error does. */
static int walk(struct wc *w, uint64_t start, uint64_t end, int adv)
{
	struct wc_vma *v = wc_vma_find(w, start);
	int unmapped = 0, err;

	for (;;) {
		uint64_t e;

		if (!v)
			return -LX_ENOMEM;
		if (start < v->n.start) {
			unmapped = -LX_ENOMEM;
			start = v->n.start;
			if (start >= end)
				break;
		}
		e = min64(v->n.end, end);
		err = apply(w, &v, start, e, adv);
		if (err)
			return err;
		if (e < v->n.end)
			e = v->n.end;
		if (e >= end)
			break;
		start = e;
		v = wc_vma_find(w, v->n.end);
	}
	return unmapped;
}

/* madvise_populate(): fault in [start, end) in order. */
static int madv_populate(struct wc *w, uint64_t start, uint64_t end,
			 bool write)
{
	while (start < end) {
		struct wc_vma *v = wc_vma_find(w, start);
		uint64_t e;
		int err;

		if (!v || v->n.start > start)
			return -LX_ENOMEM;
		if (write ? !(v->flags & LX_VM_WRITE) : !(v->flags & LX_VM_READ))
			return -LX_EINVAL;
		e = min64(v->n.end, end);
		err = fault_range(w, v, start, e, write);
		if (err)
			return err;
		start = e;
	}
	return 0;
}

static int do_madvise(void *st, uint64_t addr, uint64_t len, int advice)
{
	struct wc *w = st;
	uint64_t plen;

	if (!lx_madv_known(advice))
		return -LX_EINVAL;
	if (addr & (WC_PAGE - 1))
		return -LX_EINVAL;
	plen = WC_ALIGN(len);
	if (len && !plen)
		return -LX_EINVAL;
	if (addr + plen < addr)
		return -LX_EINVAL;
	if (!len)
		return 0;
	if (advice == LX_MADV_HWPOISON || advice == LX_MADV_SOFT_OFFLINE)
		return -LX_EPERM;
	if (advice == LX_MADV_POPULATE_READ ||
	    advice == LX_MADV_POPULATE_WRITE)
		return madv_populate(w, addr, addr + plen,
				     advice == LX_MADV_POPULATE_WRITE);
	return walk(w, addr, addr + plen, advice);
}

int wc_madvise(void *st, uint64_t addr, uint64_t len, int advice)
{
	return finish(st, do_madvise(st, addr, len, advice));
}

/* ---- mremap ---- */

struct vrm {
	struct lx_vrm a;	/* the request, as Linux sees it */
	struct wc_vma *vma;
};

static enum lx_remap_type remap_type(const struct vrm *r)
{
	return lx_remap_type(r->a.old_len, r->a.new_len);
}

static bool implies_new_addr(const struct vrm *r)
{
	return lx_remap_implies_new_addr(r->a.flags);
}

/* check_prep_vma() */
static bool mlock_ok(const void *ctx, bool locked, uint64_t bytes)
{
	return mlock_future_ok(ctx, locked, bytes);
}

static int check_prep(struct wc *w, struct vrm *r)
{
	struct wc_vma *v = r->vma;
	struct lx_vma_facts f;

	if (v)
		f = (struct lx_vma_facts){v->flags, v->n.end,
					  wc_vma_pgoff_at(v, r->a.addr)};
	return lx_mremap_check_prep(&r->a, v ? &f : NULL, mlock_ok, w);
}

/* vrm_set_new_addr(): where the moved VMA goes */
static int set_new_addr(struct wc *w, struct vrm *r)
{
	struct wc_vma *v = r->vma;
	int flags = 0;

	if (r->a.flags & LX_MREMAP_FIXED)
		flags |= LX_MAP_FIXED;
	if (v->flags & LX_VM_SHARED)
		flags |= LX_MAP_SHARED;
	if (wc_get_area(w, implies_new_addr(r) ? r->a.new_addr : 0, r->a.new_len,
			!v->obj && !(v->flags & LX_VM_SHARED), flags,
			&r->a.new_addr))
		return -LX_ENOMEM;
	return in_window(w, r->a.new_addr, r->a.new_addr + r->a.new_len)
		       ? 0
		       : -LX_ENOMEM;
}

/* copy_vma_and_data(): a copy of the moved part at new_addr, its
 * backing moved along */
static struct wc_vma *copy_vma(struct wc *w, struct vrm *r)
{
	struct wc_vma *v = r->vma, *n;
	uint64_t pgoff = wc_vma_pgoff_at(v, r->a.addr);

	/* an anonymous VMA that never faulted takes its new address as
	 * page offset, which lets it merge there */
	if (!v->obj && !v->anon)
		pgoff = r->a.new_addr >> WC_SHIFT;
	n = wc_vma_new(w, r->a.new_addr, r->a.new_addr + r->a.new_len, v->flags,
		       pgoff, v->obj);
	if (!n)
		return NULL;
	n->anon = v->anon;
	if (r->a.old_len)
		wc_back_move(w, r->a.addr, r->a.old_len, r->a.new_addr);
	return wc_merge_new(w, n, false);
}

/* move_vma() */
static int move_vma(struct wc *w, struct vrm *r)
{
	struct wc_vma *v = r->vma, *n, *src;
	uint64_t src_start = r->a.addr, src_end = r->a.addr + r->a.old_len;

	if (w->map_count + 3 >= w->max_map_count)
		return -LX_ENOMEM;
	n = copy_vma(w, r);
	if (!n)
		return -LX_ENOMEM;
	(void)v;
	src = wc_vma_at(w, r->a.addr);
	if (r->a.flags & LX_MREMAP_DONTUNMAP) {
		if (src) {
			wc_vma_set_flags(w, src,
					 src->flags & ~LX_VM_LOCKED_MASK);
			if (src != n && src->n.start == r->a.addr &&
			    src->n.end == r->a.addr + r->a.old_len)
				src->anon = 0;
		}
		/* the source stays mapped, empty (private) or showing its
		 * object again (shared) */
		back(w, src_start, src_end);
	} else if (r->a.old_len) {
		wc_unmap(w, src_start, src_end, true);
	}
	/* the grown part: objects (or nothing past them), fresh RAM */
	return back(w, r->a.new_addr, r->a.new_addr + r->a.new_len);
}

/* mremap_to(): MREMAP_FIXED and/or MREMAP_DONTUNMAP */
static int mremap_to(struct wc *w, struct vrm *r)
{
	int err;

	if (r->a.flags & LX_MREMAP_FIXED) {
		err = wc_unmap(w, r->a.new_addr, r->a.new_addr + r->a.new_len, true);
		if (err)
			return err;
		r->vma = wc_vma_at(w, r->a.addr);
		if (!r->vma)
			return -LX_EFAULT;
	}
	if (remap_type(r) == LX_REMAP_SHRINK) {
		err = wc_unmap(w, r->a.addr + r->a.new_len, r->a.addr + r->a.old_len,
			       true);
		if (err)
			return err;
		r->vma = wc_vma_at(w, r->a.addr);
		if (!r->vma)
			return -LX_EFAULT;
		r->a.old_len = r->a.new_len;
	}
	err = set_new_addr(w, r);
	if (err)
		return err;
	return move_vma(w, r);
}

/* vma_expandable() */
static bool expandable(struct wc *w, struct wc_vma *v, uint64_t delta)
{
	uint64_t end = v->n.end + delta, a;
	struct wc_vma *n;

	if (end < v->n.end)
		return false;
	n = wc_vma_find(w, v->n.end);
	if (n && n->n.start < end)
		return false;
	if (wc_get_area(w, v->n.start, end - v->n.start, false, LX_MAP_FIXED,
			&a))
		return false;
	return in_window(w, v->n.start, end);
}

/* expand_vma_in_place() */
static int expand_in_place(struct wc *w, struct vrm *r)
{
	struct wc_vma *v = r->vma;
	uint64_t old_end = v->n.end;

	/* grown by delta; the counters follow */
	w->mapped += r->a.delta;
	if (v->flags & LX_VM_LOCKED)
		w->locked += r->a.delta;
	v->n.end += r->a.delta;
	rg_update(&v->n);
	wc_vma_try_merge_next(w, v);
	return back(w, old_end, old_end + r->a.delta);
}

/* mremap_at(): no new address asked for */
static int mremap_at(struct wc *w, struct vrm *r)
{
	int err;

	switch (remap_type(r)) {
	case LX_REMAP_NO_RESIZE:
		return 0;
	case LX_REMAP_SHRINK:
		return wc_unmap(w, r->a.addr + r->a.new_len, r->a.addr + r->a.old_len,
				true);
	default:
		break;
	}
	if (r->vma->n.end - r->a.addr == r->a.old_len &&
	    expandable(w, r->vma, r->a.delta))
		return expand_in_place(w, r);
	if (!(r->a.flags & LX_MREMAP_MAYMOVE))
		return -LX_ENOMEM;
	err = set_new_addr(w, r);
	if (err)
		return err;
	return move_vma(w, r);
}

/* remap_move(): MREMAP_FIXED with equal sizes, VMA by VMA (6.17) */
static int remap_move(struct wc *w, struct vrm *r, uint64_t *res)
{
	uint64_t start = r->a.addr, end = r->a.addr + r->a.old_len;
	uint64_t target = r->a.new_addr, last_end = 0;
	struct wc_vma *v = wc_vma_find(w, start);
	bool seen = false;
	int err;

	*res = 0;
	while (v && v->n.start < end) {
		uint64_t a = max64(v->n.start, start);
		uint64_t b = min64(v->n.end, end);
		uint64_t offset = seen ? v->n.start - last_end : 0;
		struct vrm sub = {.a = {.addr = a, .old_len = b - a,
					 .new_len = b - a,
					 .flags = r->a.flags},
				  .vma = v};

		if (!seen && start < v->n.start)
			return -LX_EFAULT;
		last_end = v->n.end;
		sub.a.new_addr = target + offset;
		err = check_prep(w, &sub);
		if (!err)
			err = mremap_to(w, &sub);
		if (err)
			return err;
		if (!seen)
			*res = sub.a.new_addr;
		seen = true;
		target = sub.a.new_addr + sub.a.new_len;
		v = wc_vma_find(w, last_end);
	}
	return seen ? 0 : -LX_EFAULT;
}

static int do_mremap(void *st, uint64_t old_addr, uint64_t old_len,
		     uint64_t new_len, int flags, uint64_t new_addr,
		     uint64_t *out)
{
	struct wc *w = st;
	struct vrm r = {.a = {.addr = old_addr, .old_len = WC_ALIGN(old_len),
			.new_len = WC_ALIGN(new_len), .flags = flags,
			.new_addr = new_addr}};
	uint64_t task = LX_TASK_SIZE;
	int err;

	err = lx_mremap_check_params(old_addr, r.a.old_len, r.a.new_len, flags,
				     new_addr, task);
	if (err)
		return err;
	/* the window holds every mapping */
	if ((flags & LX_MREMAP_FIXED) &&
	    !in_window(w, new_addr, new_addr + r.a.new_len))
		return -LX_ENOMEM;
	if ((flags & LX_MREMAP_FIXED) && r.a.old_len == r.a.new_len)
		return remap_move(w, &r, out);
	r.vma = wc_vma_at(w, old_addr);
	err = check_prep(w, &r);
	if (!err)
		err = implies_new_addr(&r) ? mremap_to(w, &r)
					   : mremap_at(w, &r);
	if (err)
		return err;
	if (r.a.populate_expand)
		populate(w, r.a.new_addr + r.a.old_len,
			 r.a.new_addr + r.a.old_len + r.a.delta, true);
	*out = r.a.new_addr;
	return 0;
}

int wc_mremap(void *st, uint64_t old_addr, uint64_t old_len,
	      uint64_t new_len, int flags, uint64_t new_addr, uint64_t *out)
{
	return finish(st, do_mremap(st, old_addr, old_len, new_len, flags,
				    new_addr, out));
}

/* ---- msync, mincore ---- */

int wc_msync(void *st, uint64_t addr, uint64_t len, int flags)
{
	struct wc *w = st;
	uint64_t start = addr, end;
	struct wc_vma *v;
	int unmapped = 0;

	if (flags & ~(LX_MS_ASYNC | LX_MS_INVALIDATE | LX_MS_SYNC))
		return -LX_EINVAL;
	if (start & (WC_PAGE - 1))
		return -LX_EINVAL;
	if ((flags & LX_MS_ASYNC) && (flags & LX_MS_SYNC))
		return -LX_EINVAL;
	len = (len + WC_PAGE - 1) & LX_PAGE_MASK;
	end = start + len;
	if (end < start)
		return -LX_ENOMEM;
	if (end == start)
		return 0;
	v = wc_vma_find(w, start);
	for (;;) {
		if (!v)
			return -LX_ENOMEM;
		if (start < v->n.start) {
			if (flags == LX_MS_ASYNC)
				return -LX_ENOMEM;
			start = v->n.start;
			if (start >= end)
				return -LX_ENOMEM;
			unmapped = -LX_ENOMEM;
		}
		if ((flags & LX_MS_INVALIDATE) && (v->flags & LX_VM_LOCKED))
			return -LX_EBUSY;
		start = v->n.end;
		if (start >= end)
			return unmapped;
		v = wc_vma_find(w, v->n.end);
	}
}

int wc_mincore(void *st, uint64_t addr, uint64_t len)
{
	struct wc *w = st;
	uint64_t end;

	if (addr & (WC_PAGE - 1))
		return -LX_EINVAL;
	if (addr + len < addr || addr + len > LX_TASK_SIZE)
		return -LX_ENOMEM;
	end = addr + (len >> WC_SHIFT << WC_SHIFT) +
	      ((len & (WC_PAGE - 1)) ? WC_PAGE : 0);
	while (addr < end) {
		struct wc_vma *v = wc_vma_find(w, addr);

		if (!v || v->n.start > addr)
			return -LX_ENOMEM;
		addr = min64(v->n.end, end);
	}
	return 0;
}

/* ---- mlock family ---- */

/* mlock_fixup() */
static int mlock_fixup(struct wc *w, struct wc_vma *v, uint64_t start,
		       uint64_t end, uint32_t newflags, struct wc_vma **out)
{
	*out = v;
	if (newflags == v->flags || (v->flags & LX_VM_DROPPABLE))
		return 0;
	return wc_vma_modify(w, v, start, end, newflags, out);
}

/* apply_vma_lock_flags() */
static int lock_range(struct wc *w, uint64_t start, uint64_t len,
		      uint32_t flags)
{
	uint64_t end = start + len, nstart = start, tmp;
	struct wc_vma *v;

	if (end < start)
		return -LX_EINVAL;
	if (end == start)
		return 0;
	v = wc_vma_find(w, start);
	if (!v || v->n.start > start)
		return -LX_ENOMEM;
	tmp = v->n.start;
	while (v && v->n.start < end) {
		struct wc_vma *o;
		uint32_t newflags = (v->flags & ~LX_VM_LOCKED_MASK) | flags;
		int err;

		if (v->n.start != tmp)
			return -LX_ENOMEM;
		tmp = min64(v->n.end, end);
		err = mlock_fixup(w, v, nstart, tmp, newflags, &o);
		if (err)
			return err;
		tmp = o->n.end;
		nstart = tmp;
		v = wc_vma_next(o);
	}
	return tmp < end ? -LX_ENOMEM : 0;
}

/* Bytes of [start, start + len) already locked. */
static uint64_t locked_in(struct wc *w, uint64_t start, uint64_t len)
{
	uint64_t end = start + len, n = 0;
	struct wc_vma *v = wc_vma_find(w, start);

	if (end < start)
		end = UINT64_MAX;
	for (; v && v->n.start < end; v = wc_vma_next(v))
		if (v->flags & LX_VM_LOCKED)
			n += min64(v->n.end, end) - max64(v->n.start, start);
	return n;
}

int wc_mlock(void *st, uint64_t start, uint64_t len, int flags)
{
	struct wc *w = st;
	uint32_t fl = LX_VM_LOCKED;
	uint64_t locked, limit;
	int err;

	if (flags & ~LX_MLOCK_ONFAULT)
		return -LX_EINVAL;
	if (flags & LX_MLOCK_ONFAULT)
		fl |= LX_VM_LOCKONFAULT;
	if (!can_do_mlock(w))
		return -LX_EPERM;
	len = WC_ALIGN(len + (start & (WC_PAGE - 1)));
	start &= LX_PAGE_MASK;
	limit = w->memlock_limit >> WC_SHIFT;
	locked = (len >> WC_SHIFT) + (w->locked >> WC_SHIFT);
	if (locked > limit && !unlimited(w))
		locked -= locked_in(w, start, len) >> WC_SHIFT;
	if (locked > limit && !unlimited(w))
		return -LX_ENOMEM;
	err = lock_range(w, start, len, fl);
	if (err)
		return err;
	err = populate(w, start, start + len, false);
	if (err == -LX_EFAULT)
		return -LX_ENOMEM;
	if (err == -LX_ENOMEM)
		return -LX_EAGAIN;
	return err;
}

int wc_munlock(void *st, uint64_t addr, uint64_t len)
{
	struct wc *w = st;

	len = WC_ALIGN(len + (addr & (WC_PAGE - 1)));
	addr &= LX_PAGE_MASK;
	return lock_range(w, addr, len, 0);
}

/* apply_mlockall_flags(): every VMA, errors ignored. */
static void lock_all(struct wc *w, uint32_t add)
{
	struct rg_node *n = rg_first(&w->vmas);

	while (n) {
		struct wc_vma *v = wc_vma_of(n), *o;
		uint32_t newflags = (v->flags & ~LX_VM_LOCKED_MASK) | add;

		if (mlock_fixup(w, v, v->n.start, v->n.end, newflags, &o))
			o = v;
		n = rg_next(&o->n);
	}
}

int wc_mlockall(void *st, int flags)
{
	struct wc *w = st;
	uint32_t add = 0;

	if (!flags ||
	    (flags & ~(LX_MCL_CURRENT | LX_MCL_FUTURE | LX_MCL_ONFAULT)) ||
	    flags == LX_MCL_ONFAULT)
		return -LX_EINVAL;
	if (!can_do_mlock(w))
		return -LX_EPERM;
	if ((flags & LX_MCL_CURRENT) && !unlimited(w) &&
	    (w->mapped >> WC_SHIFT) > (w->memlock_limit >> WC_SHIFT))
		return -LX_ENOMEM;
	w->def_flags &= ~LX_VM_LOCKED_MASK;
	if (flags & LX_MCL_FUTURE) {
		w->def_flags |= LX_VM_LOCKED;
		if (flags & LX_MCL_ONFAULT)
			w->def_flags |= LX_VM_LOCKONFAULT;
	}
	if (flags & LX_MCL_CURRENT) {
		add = LX_VM_LOCKED;
		if (flags & LX_MCL_ONFAULT)
			add |= LX_VM_LOCKONFAULT;
		lock_all(w, add);
		populate(w, w->base, w->top, true);
	}
	return 0;
}

int wc_munlockall(void *st)
{
	struct wc *w = st;

	w->def_flags &= ~LX_VM_LOCKED_MASK;
	lock_all(w, 0);
	return 0;
}

/* ---- brk ---- */

/* do_brk_flags(): the heap grows by [addr, addr + len). */
static int brk_grow(struct wc *w, uint64_t addr, uint64_t len)
{
	uint32_t fl = LX_VM_READ | LX_VM_WRITE | LX_VM_ACCOUNT | w->def_flags;
	struct wc_vma *v = addr > w->base ? wc_vma_at(w, addr - 1) : NULL;
	struct wc_vma *n;

	if (w->map_count > w->max_map_count)
		return -LX_ENOMEM;
	/* only a VMA inside the heap expands */
	if (v && (v->n.end != addr || v->n.end <= w->start_brk))
		v = NULL;
	n = wc_vma_new(w, addr, addr + len, fl, addr >> WC_SHIFT, NULL);
	if (!n)
		return -LX_ENOMEM;
	if (v)
		wc_merge_new(w, n, true);
	if (back(w, addr, addr + len)) {
		wc_unmap(w, addr, addr + len, false);
		return -LX_ENOMEM;
	}
	return 0;
}

/*
 * brk inside the window: the heap starts at the window's base and grows
 * up as Linux's does, by at most `heap` bytes (none by default: Genode's
 * libc has no brk, and a program whose break cannot move falls back to
 * mmap, as glibc's malloc does).  Like the kernel's, it never fails: the
 * result is the new break or, when refused, the old one.
 */
static int do_brk(void *st, uint64_t addr, uint64_t *out)
{
	struct wc *w = st;
	uint64_t newbrk, oldbrk;
	struct wc_vma *next;

	*out = w->brk;
	if (addr < w->start_brk)
		return 0;
	newbrk = WC_ALIGN(addr);
	oldbrk = WC_ALIGN(w->brk);
	if (oldbrk == newbrk) {
		w->brk = addr;
		*out = addr;
		return 0;
	}
	if (addr <= w->brk) {
		struct wc_vma *v = wc_vma_find(w, newbrk);

		if (!v || v->n.start >= oldbrk)
			return 0;
		if (wc_unmap(w, newbrk, oldbrk, true))
			return 0;
		w->brk = addr;
		*out = addr;
		return 0;
	}
	if (newbrk < oldbrk || newbrk > w->top ||
	    newbrk - w->start_brk > w->heap)
		return 0;
	if (!mlock_future_ok(w, w->def_flags & LX_VM_LOCKED, newbrk - oldbrk))
		return 0;
	next = wc_vma_find(w, oldbrk);
	if (next && newbrk + WC_PAGE > wc_start_gap(next))
		return 0;
	if (brk_grow(w, oldbrk, newbrk - oldbrk))
		return 0;
	w->brk = addr;
	*out = addr;
	if (w->def_flags & LX_VM_LOCKED)
		populate(w, oldbrk, newbrk, true);
	return 0;
}

int wc_brk(void *st, uint64_t addr, uint64_t *out)
{
	return finish(st, do_brk(st, addr, out));
}

/* ---- checks ---- */

int wc_check(const void *st, char *why, size_t size)
{
	const struct wc *w = st;
	uint64_t n, mapped = 0, locked = 0;
	struct rg_node *p;

	if (wc_tree_check(&w->vmas, &n, why, size))
		return -1;
	if (n != w->map_count) {
		snprintf(why, size, "%llu VMAs, map_count %llu",
			 (unsigned long long)n,
			 (unsigned long long)w->map_count);
		return -1;
	}
	for (p = rg_first(&w->vmas); p; p = rg_next(p)) {
		const struct wc_vma *v = wc_vma_of(p);

		if (p->start < w->base || p->end > w->top) {
			snprintf(why, size, "VMA %#llx outside the window",
				 (unsigned long long)p->start);
			return -1;
		}
		if ((v->flags & LX_VM_SHARED) && !v->obj) {
			snprintf(why, size, "shared VMA %#llx without object",
				 (unsigned long long)p->start);
			return -1;
		}
		if (v->obj && !v->obj->refs) {
			snprintf(why, size, "VMA %#llx: dead object",
				 (unsigned long long)p->start);
			return -1;
		}
		mapped += p->end - p->start;
		if (v->flags & LX_VM_LOCKED)
			locked += p->end - p->start;
	}
	if (mapped != w->mapped || locked != w->locked) {
		snprintf(why, size, "counters: mapped %llu/%llu, locked "
			 "%llu/%llu", (unsigned long long)mapped,
			 (unsigned long long)w->mapped,
			 (unsigned long long)locked,
			 (unsigned long long)w->locked);
		return -1;
	}
	if (!w->ops->window_attached(w->g)) {
		snprintf(why, size, "the window is not attached at %#llx",
			 (unsigned long long)w->base);
		return -1;
	}
	return wc_back_check(w, why, size);
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
