/*
 * test_abi_mm.c - the Linux rules in sim/abi/ that the reference model and
 * the window policies share (lx_mlock.h, lx_mremap.h, lx_brk.h and the
 * mprotect and populate rules of lx_vm.h), on a small address space of
 * their own: an array of VMAs that splits but never merges, so every
 * change the frames ask for can be seen.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "abi/lx_brk.h"
#include "abi/lx_mlock.h"
#include "abi/lx_mremap.h"
#include "abi/lx_vm.h"

#define PG LX_PAGE_SIZE

/* ---- a toy address space ---- */

struct fvma {
	uint64_t start, end;
	uint32_t flags;
};

struct fmm {
	struct fvma v[16];
	int n;
	uint64_t limit;
	bool cap;
	uint32_t def;
	int pop_err; /* what populate returns */
	int pops;    /* populate calls */
	uint64_t pop_lo, pop_hi;
};

static void fmm_add(struct fmm *m, uint64_t start, uint64_t end, uint32_t fl)
{
	m->v[m->n++] = (struct fvma){start, end, fl};
}

static void *f_find(void *ctx, uint64_t addr)
{
	struct fmm *m = ctx;

	for (int i = 0; i < m->n; i++)
		if (m->v[i].end > addr)
			return &m->v[i];
	return NULL;
}

static void *f_next(void *ctx, void *vma)
{
	struct fmm *m = ctx;
	struct fvma *v = vma;

	return v + 1 < m->v + m->n ? v + 1 : NULL;
}

/* Split *vma at addr (inside it); the piece above follows it. */
static void f_split(struct fmm *m, struct fvma *v, uint64_t addr)
{
	int i = (int)(v - m->v);

	memmove(&m->v[i + 1], &m->v[i], (size_t)(m->n - i) * sizeof(*v));
	m->n++;
	m->v[i].end = addr;
	m->v[i + 1].start = addr;
}

static int f_modify(void *ctx, void **vma, uint64_t start, uint64_t end,
		    uint32_t fl)
{
	struct fmm *m = ctx;
	struct fvma *v = *vma;

	if (v->start < start) {
		f_split(m, v, start);
		v++;
	}
	if (end < v->end)
		f_split(m, v, end);
	v->flags = fl;
	*vma = v;
	return 0;
}

static void f_mlock_vma(const void *vma, struct lx_mlock_vma *out)
{
	const struct fvma *v = vma;

	*out = (struct lx_mlock_vma){v->start, v->end, v->flags, false};
}

static void f_mm(const void *ctx, struct lx_mlock_mm *out)
{
	const struct fmm *m = ctx;
	uint64_t locked = 0, mapped = 0;

	for (int i = 0; i < m->n; i++) {
		mapped += m->v[i].end - m->v[i].start;
		if (m->v[i].flags & LX_VM_LOCKED)
			locked += m->v[i].end - m->v[i].start;
	}
	*out = (struct lx_mlock_mm){locked, mapped, m->limit,
				    m->cap, 0,	    LX_TASK_SIZE};
}

static uint32_t *f_def(void *ctx)
{
	return &((struct fmm *)ctx)->def;
}

static int f_populate(void *ctx, uint64_t start, uint64_t end, bool ignore)
{
	struct fmm *m = ctx;

	m->pops++;
	m->pop_lo = start;
	m->pop_hi = end;
	return ignore ? 0 : m->pop_err;
}

static const struct lx_mlock_ops mlock_ops = {.find = f_find,
					      .next = f_next,
					      .vma = f_mlock_vma,
					      .modify = f_modify,
					      .mm = f_mm,
					      .def_flags = f_def,
					      .populate = f_populate};

#define RW (LX_VM_READ | LX_VM_WRITE)

/* ---- mlock ---- */

static void test_mlock_walk(void **state)
{
	struct fmm m = {.limit = UINT64_MAX};

	(void)state;
	fmm_add(&m, 0x1000, 0x3000, RW);
	fmm_add(&m, 0x4000, 0x5000, RW);
	/* a hole stops the walk after the VMA before it is locked */
	assert_int_equal(lx_mlock(&mlock_ops, &m, 0x1000, 0x4000, 0),
			 -LX_ENOMEM);
	assert_int_equal(m.n, 2);
	assert_int_equal(m.v[0].flags, RW | LX_VM_LOCKED);
	assert_int_equal(m.v[1].flags, RW);
	assert_int_equal(m.pops, 0);
	/* a range that starts in no VMA changes nothing */
	assert_int_equal(lx_munlock(&mlock_ops, &m, 0x3000, 0x2000),
			 -LX_ENOMEM);
	assert_int_equal(m.v[0].flags, RW | LX_VM_LOCKED);
	/* the start is rounded down, the length up: one page splits off */
	assert_int_equal(lx_munlock(&mlock_ops, &m, 0x1800, 0x10), 0);
	assert_int_equal(m.n, 3);
	assert_int_equal(m.v[0].end, 0x2000);
	assert_int_equal(m.v[0].flags, RW);
	assert_int_equal(m.v[1].flags, RW | LX_VM_LOCKED);
	/* mlock2(MLOCK_ONFAULT) and the range faulted in */
	assert_int_equal(lx_mlock(&mlock_ops, &m, 0x4000, PG, LX_MLOCK_ONFAULT),
			 0);
	assert_int_equal(m.v[2].flags, RW | LX_VM_LOCKED | LX_VM_LOCKONFAULT);
	assert_int_equal(m.pops, 1);
	assert_int_equal(m.pop_lo, 0x4000);
	assert_int_equal(m.pop_hi, 0x5000);
	assert_int_equal(lx_mlock(&mlock_ops, &m, 0x4000, PG, 2), -LX_EINVAL);
	/* a wrapping length */
	assert_int_equal(lx_mlock_apply(&mlock_ops, &m, 0x4000, -PG, 0),
			 -LX_EINVAL);
}

static void test_mlock_limit(void **state)
{
	struct fmm m = {.limit = PG};

	(void)state;
	fmm_add(&m, 0x1000, 0x3000, RW);
	assert_int_equal(lx_mlock(&mlock_ops, &m, 0x1000, 2 * PG, 0),
			 -LX_ENOMEM);
	assert_int_equal(m.v[0].flags, RW);
	assert_int_equal(lx_mlock(&mlock_ops, &m, 0x1000, PG, 0), 0);
	/* pages locked already do not count again */
	assert_int_equal(lx_mlock(&mlock_ops, &m, 0x1000, PG, 0), 0);
	assert_int_equal(lx_mlock(&mlock_ops, &m, 0x2000, PG, 0), -LX_ENOMEM);
	/* CAP_IPC_LOCK lifts the limit */
	m.cap = true;
	assert_int_equal(lx_mlock(&mlock_ops, &m, 0x2000, PG, 0), 0);
	/* no limit at all: EPERM, unless capable */
	m.limit = 0;
	assert_int_equal(lx_mlockall(&mlock_ops, &m, LX_MCL_FUTURE), 0);
	m.cap = false;
	assert_int_equal(lx_mlock(&mlock_ops, &m, 0x1000, PG, 0), -LX_EPERM);
	assert_int_equal(lx_mlockall(&mlock_ops, &m, LX_MCL_FUTURE), -LX_EPERM);
	/* mlock_future_ok() */
	assert_true(lx_mlock_future_ok(false, false, 0, 0, PG));
	assert_true(lx_mlock_future_ok(true, true, 0, 0, PG));
	assert_true(lx_mlock_future_ok(true, false, PG, 2 * PG, PG));
	assert_false(lx_mlock_future_ok(true, false, 2 * PG, 2 * PG, PG));
	assert_false(
		lx_mlock_future_ok(true, false, PG, UINT64_MAX, UINT64_MAX));
}

static void test_mlock_fault_errors(void **state)
{
	struct fmm m = {.limit = UINT64_MAX};

	(void)state;
	fmm_add(&m, 0x1000, 0x2000, RW);
	fmm_add(&m, 0x2000, 0x3000, RW | LX_VM_DROPPABLE);
	m.pop_err = -LX_EFAULT;
	assert_int_equal(lx_mlock(&mlock_ops, &m, 0x1000, PG, 0), -LX_ENOMEM);
	/* the VMA stays locked although its fault failed */
	assert_int_equal(m.v[0].flags, RW | LX_VM_LOCKED);
	m.pop_err = -LX_ENOMEM;
	assert_int_equal(lx_mlock(&mlock_ops, &m, 0x1000, PG, 0), -LX_EAGAIN);
	m.pop_err = 0;
	/* droppable memory is walked over, never locked */
	assert_int_equal(lx_mlock(&mlock_ops, &m, 0x2000, PG, 0), 0);
	assert_int_equal(m.v[1].flags, RW | LX_VM_DROPPABLE);
	assert_int_equal(lx_mlock_posix_error(-LX_EPERM), -LX_EPERM);
}

static void test_mlockall(void **state)
{
	struct fmm m = {.limit = UINT64_MAX};
	uint32_t future, current;

	(void)state;
	fmm_add(&m, 0x1000, 0x2000, RW);
	fmm_add(&m, 0x5000, 0x6000, LX_VM_READ);
	assert_int_equal(lx_mlockall(&mlock_ops, &m, 0), -LX_EINVAL);
	assert_int_equal(lx_mlockall(&mlock_ops, &m, LX_MCL_ONFAULT),
			 -LX_EINVAL);
	assert_int_equal(lx_mlockall(&mlock_ops, &m, 8), -LX_EINVAL);
	assert_int_equal(
		lx_mlockall(&mlock_ops, &m, LX_MCL_FUTURE | LX_MCL_ONFAULT), 0);
	assert_int_equal(m.def, LX_VM_LOCKED | LX_VM_LOCKONFAULT);
	assert_int_equal(m.v[0].flags, RW);
	assert_int_equal(m.pops, 0);
	/* MCL_CURRENT alone clears the future bits and locks every VMA */
	assert_int_equal(lx_mlockall(&mlock_ops, &m, LX_MCL_CURRENT), 0);
	assert_int_equal(m.def, 0);
	assert_int_equal(m.v[0].flags, RW | LX_VM_LOCKED);
	assert_int_equal(m.v[1].flags, LX_VM_READ | LX_VM_LOCKED);
	assert_int_equal(m.pops, 1);
	assert_int_equal(m.pop_hi, LX_TASK_SIZE);
	/* more mapped than the limit allows */
	m.limit = PG;
	assert_int_equal(lx_mlockall(&mlock_ops, &m, LX_MCL_CURRENT),
			 -LX_ENOMEM);
	m.def = LX_VM_LOCKED;
	assert_int_equal(lx_munlockall(&mlock_ops, &m), 0);
	assert_int_equal(m.def, 0);
	assert_int_equal(m.v[0].flags, RW);
	assert_int_equal(m.v[1].flags, LX_VM_READ);
	assert_int_equal(lx_mlockall_flags(LX_MCL_CURRENT | LX_MCL_ONFAULT,
					   &future, &current),
			 0);
	assert_int_equal(future, 0);
	assert_int_equal(current, LX_VM_LOCKED | LX_VM_LOCKONFAULT);
}

/* ---- mremap ---- */

struct fremap {
	struct fmm m;
	bool expandable, target_ok;
	int unmaps, expands, moves, areas;
	uint64_t unmap_start, unmap_len, area_addr;
	int area_flags;
};

static void f_rvma(const void *vma, uint64_t addr, struct lx_mremap_vma *out)
{
	const struct fvma *v = vma;

	*out = (struct lx_mremap_vma){v->start, v->end, v->flags,
				      (addr - v->start) / PG};
}

static bool f_mlock_ok(const void *ctx, bool locked, uint64_t bytes)
{
	(void)ctx;
	return !locked || bytes <= 4 * PG;
}

static bool f_target_ok(const void *ctx, uint64_t addr, uint64_t len)
{
	(void)addr;
	(void)len;
	return ((const struct fremap *)ctx)->target_ok;
}

static int f_unmap(void *ctx, uint64_t start, uint64_t len)
{
	struct fremap *r = ctx;

	r->unmaps++;
	r->unmap_start = start;
	r->unmap_len = len;
	/* enough for the tests: a VMA's tail goes */
	for (int i = 0; i < r->m.n; i++)
		if (r->m.v[i].start < start && r->m.v[i].end > start)
			r->m.v[i].end = start;
	return 0;
}

static int f_get_area(void *ctx, const void *vma, uint64_t addr, uint64_t len,
		      uint64_t pgoff, int flags, uint64_t *out)
{
	struct fremap *r = ctx;

	(void)vma;
	(void)len;
	(void)pgoff;
	r->areas++;
	r->area_addr = addr;
	r->area_flags = flags;
	*out = addr ? addr : 0x100000;
	return 0;
}

static bool f_expandable(void *ctx, void *vma, uint64_t delta)
{
	(void)vma;
	(void)delta;
	return ((struct fremap *)ctx)->expandable;
}

static int f_expand(void *ctx, struct lx_vrm *vrm)
{
	struct fremap *r = ctx;

	r->expands++;
	((struct fvma *)vrm->vma)->end += vrm->delta;
	return 0;
}

static int f_move(void *ctx, struct lx_vrm *vrm)
{
	((struct fremap *)ctx)->moves++;
	(void)vrm;
	return 0;
}

static void f_rpopulate(void *ctx, uint64_t start, uint64_t end)
{
	f_populate(&((struct fremap *)ctx)->m, start, end, true);
}

static const struct lx_mremap_ops remap_ops = {.find = f_find,
					       .vma = f_rvma,
					       .mlock_ok = f_mlock_ok,
					       .target_ok = f_target_ok,
					       .unmap = f_unmap,
					       .get_area = f_get_area,
					       .expandable = f_expandable,
					       .expand = f_expand,
					       .move = f_move,
					       .populate = f_rpopulate};

static uint64_t remap(struct fremap *r, uint64_t old_len, uint64_t new_len,
		      int flags, uint64_t new_addr, int *err)
{
	uint64_t out = 0;

	*err = lx_mremap(&remap_ops, r, 0x10000, old_len, new_len, flags,
			 new_addr, LX_TASK_SIZE, &out);
	return out;
}

static void test_mremap_shapes(void **state)
{
	struct fremap r = {.target_ok = true};
	int err;

	(void)state;
	fmm_add(&r.m, 0x10000, 0x12000, RW);
	/* the same size: nothing happens */
	assert_int_equal(remap(&r, 2 * PG, 2 * PG, 0, 0, &err), 0x10000);
	assert_int_equal(err, 0);
	assert_int_equal(r.unmaps + r.expands + r.moves, 0);
	/* a shrink unmaps the tail (lengths rounded up to pages) */
	assert_int_equal(remap(&r, 2 * PG, 10, 0, 0, &err), 0x10000);
	assert_int_equal(r.unmaps, 1);
	assert_int_equal(r.unmap_start, 0x11000);
	assert_int_equal(r.unmap_len, PG);
	/* growing: in place where it may, else a move or ENOMEM */
	r.expandable = true;
	assert_int_equal(remap(&r, PG, 3 * PG, 0, 0, &err), 0x10000);
	assert_int_equal(err, 0);
	assert_int_equal(r.expands, 1);
	assert_int_equal(r.m.v[0].end, 0x13000);
	r.expandable = false;
	remap(&r, 3 * PG, 4 * PG, 0, 0, &err);
	assert_int_equal(err, -LX_ENOMEM);
	assert_int_equal(remap(&r, 3 * PG, 4 * PG, LX_MREMAP_MAYMOVE, 0, &err),
			 0x100000);
	assert_int_equal(err, 0);
	assert_int_equal(r.moves, 1);
	assert_int_equal(r.area_addr, 0);
	assert_int_equal(r.area_flags, 0);
	/* a range past its VMA's end cannot grow */
	remap(&r, 4 * PG, 5 * PG, LX_MREMAP_MAYMOVE, 0, &err);
	assert_int_equal(err, -LX_EFAULT);
	/* MREMAP_FIXED: the target unmapped first, MAP_FIXED asked for */
	r.unmaps = 0;
	assert_int_equal(remap(&r, PG, 2 * PG,
			       LX_MREMAP_MAYMOVE | LX_MREMAP_FIXED, 0x40000,
			       &err),
			 0x40000);
	assert_int_equal(err, 0);
	assert_int_equal(r.unmaps, 1);
	assert_int_equal(r.unmap_start, 0x40000);
	assert_int_equal(r.area_flags, LX_MAP_FIXED);
	/* ...where the model may place it */
	r.target_ok = false;
	remap(&r, PG, 2 * PG, LX_MREMAP_MAYMOVE | LX_MREMAP_FIXED, 0x40000,
	      &err);
	assert_int_equal(err, -LX_ENOMEM);
	/* an unaligned address, no VMA */
	assert_int_equal(lx_mremap(&remap_ops, &r, 0x10001, PG, PG, 0, 0,
				   LX_TASK_SIZE, &(uint64_t){0}),
			 -LX_EINVAL);
	assert_int_equal(lx_mremap(&remap_ops, &r, 0x80000, PG, 2 * PG, 0, 0,
				   LX_TASK_SIZE, &(uint64_t){0}),
			 -LX_EFAULT);
}

static void test_mremap_locked(void **state)
{
	struct fremap r = {.target_ok = true, .expandable = true};
	int err;

	(void)state;
	fmm_add(&r.m, 0x10000, 0x11000, RW | LX_VM_LOCKED);
	/* a locked VMA that grew has the new part faulted in */
	remap(&r, PG, 3 * PG, 0, 0, &err);
	assert_int_equal(err, 0);
	assert_int_equal(r.m.pops, 1);
	assert_int_equal(r.m.pop_lo, 0x11000);
	assert_int_equal(r.m.pop_hi, 0x13000);
	/* over RLIMIT_MEMLOCK (the model's mlock_ok): EAGAIN */
	remap(&r, 3 * PG, 9 * PG, 0, 0, &err);
	assert_int_equal(err, -LX_EAGAIN);
	/* sealed: EPERM */
	r.m.v[0].flags |= LX_VM_SEALED;
	remap(&r, PG, PG, LX_MREMAP_MAYMOVE | LX_MREMAP_FIXED, 0x40000, &err);
	assert_int_equal(err, -LX_EPERM);
}

static void test_mremap_rules(void **state)
{
	(void)state;
	assert_int_equal(lx_mremap_area_flags(LX_MREMAP_FIXED, LX_VM_SHARED),
			 LX_MAP_FIXED | LX_MAP_SHARED);
	assert_int_equal(lx_mremap_area_flags(LX_MREMAP_MAYMOVE, RW), 0);
	assert_int_equal(lx_mremap_copy_pgoff(7, false, 0x40000), 7);
	assert_int_equal(lx_mremap_copy_pgoff(7, true, 0x40000), 0x40);
	assert_true(lx_mremap_move_room(65526, 65530));
	assert_false(lx_mremap_move_room(65527, 65530));
	/* the ranges may not overlap; DONTUNMAP keeps the size */
	assert_int_equal(
		lx_mremap_check_params(0x10000, 2 * PG, 2 * PG,
				       LX_MREMAP_MAYMOVE | LX_MREMAP_FIXED,
				       0x11000, LX_TASK_SIZE),
		-LX_EINVAL);
	assert_int_equal(
		lx_mremap_check_params(0x10000, PG, 2 * PG,
				       LX_MREMAP_MAYMOVE | LX_MREMAP_DONTUNMAP,
				       0x40000, LX_TASK_SIZE),
		-LX_EINVAL);
	assert_int_equal(lx_mremap_check_params(0x10000, PG, 2 * PG,
						LX_MREMAP_FIXED, 0x40000,
						LX_TASK_SIZE),
			 -LX_EINVAL);
	assert_int_equal(
		lx_mremap_check_params(0x10000, PG, 0, 0, 0, LX_TASK_SIZE),
		-LX_EINVAL);
	assert_int_equal(lx_mremap_check_params(0x10000, PG, 2 * PG,
						LX_MREMAP_MAYMOVE, 0,
						LX_TASK_SIZE),
			 0);
}

/* ---- brk ---- */

struct fheap {
	bool ok;
	int shrinks, extends;
	uint64_t lo, hi;
};

static bool f_shrink(void *ctx, uint64_t newbrk, uint64_t oldbrk)
{
	struct fheap *h = ctx;

	h->shrinks++;
	h->lo = newbrk;
	h->hi = oldbrk;
	return h->ok;
}

static bool f_extend(void *ctx, uint64_t oldbrk, uint64_t newbrk)
{
	struct fheap *h = ctx;

	h->extends++;
	h->lo = oldbrk;
	h->hi = newbrk;
	return h->ok;
}

static void test_brk(void **state)
{
	struct fheap h = {.ok = true};
	uint64_t brk = 0x10800, o, n;

	(void)state;
	/* below start_brk: the old break */
	assert_int_equal(lx_brk(0x0fff, &brk, 0x10000, f_shrink, f_extend, &h),
			 0x10800);
	/* inside the same page: no call */
	assert_int_equal(lx_brk(0x10fff, &brk, 0x10000, f_shrink, f_extend, &h),
			 0x10fff);
	assert_int_equal(brk, 0x10fff);
	assert_int_equal(h.shrinks + h.extends, 0);
	/* up: the pages between the rounded breaks */
	assert_int_equal(lx_brk(0x12001, &brk, 0x10000, f_shrink, f_extend, &h),
			 0x12001);
	assert_int_equal(h.extends, 1);
	assert_int_equal(h.lo, 0x11000);
	assert_int_equal(h.hi, 0x13000);
	/* down, refused: the break stays */
	h.ok = false;
	assert_int_equal(lx_brk(0x10000, &brk, 0x10000, f_shrink, f_extend, &h),
			 0x12001);
	assert_int_equal(h.shrinks, 1);
	assert_int_equal(h.lo, 0x10000);
	assert_int_equal(h.hi, 0x13000);
	assert_int_equal(brk, 0x12001);
	assert_int_equal(lx_brk_shape(0x5000, 0x5000, 0x1000, &o, &n),
			 LX_BRK_SET);
	assert_int_equal(lx_brk_shape(0x5000, 0x5001, 0x1000, &o, &n),
			 LX_BRK_SHRINK);
	/* the heap's own VMA expands, one below start_brk does not */
	assert_true(lx_brk_expands(0x11000, 0x11000, 0x10000));
	assert_false(lx_brk_expands(0x10000, 0x10000, 0x10000));
	assert_false(lx_brk_expands(0x11000, 0x12000, 0x10000));
	assert_int_equal(lx_brk_vm_flags(LX_VM_LOCKED),
			 RW | LX_VM_ACCOUNT | LX_VM_LOCKED);
	/* a page clear of the next VMA's guard gap */
	assert_true(lx_brk_clear_of(0x11000, false, 0));
	assert_true(lx_brk_clear_of(0x11000, true, 0x12000));
	assert_false(lx_brk_clear_of(0x11000, true, 0x11fff));
	assert_int_equal(lx_vm_start_gap(0x200000, RW, 0x100000), 0x200000);
	assert_int_equal(lx_vm_start_gap(0x200000, LX_VM_GROWSDOWN, 0x100000),
			 0x100000);
	assert_int_equal(lx_vm_start_gap(0x1000, LX_VM_GROWSDOWN, 0x100000), 0);
}

/* ---- mprotect, populate ---- */

static void test_mprotect_populate(void **state)
{
	uint64_t end = 1, start = 0x5000;
	int prot, grows;
	bool write;

	(void)state;
	prot = LX_PROT_READ | LX_PROT_GROWSDOWN | LX_PROT_GROWSUP;
	assert_int_equal(lx_mprotect_check(0x1000, PG, &prot, &grows, &end),
			 -LX_EINVAL);
	prot = LX_PROT_READ;
	assert_int_equal(lx_mprotect_check(0x1001, PG, &prot, &grows, &end),
			 -LX_EINVAL);
	assert_int_equal(lx_mprotect_check(0x1000, 0, &prot, &grows, &end), 0);
	assert_int_equal(end, 0x1000);
	assert_int_equal(lx_mprotect_check(0x1000, -PG, &prot, &grows, &end),
			 -LX_ENOMEM);
	prot = 0x40;
	assert_int_equal(lx_mprotect_check(0x1000, 1, &prot, &grows, &end),
			 -LX_EINVAL);
	prot = LX_PROT_WRITE | LX_PROT_GROWSDOWN;
	assert_int_equal(lx_mprotect_check(0x1000, 1, &prot, &grows, &end), 0);
	assert_int_equal(prot, LX_PROT_WRITE);
	assert_int_equal(grows, LX_PROT_GROWSDOWN);
	assert_int_equal(end, 0x2000);
	/* PROT_GROWSDOWN reaches down to a VMA that grows down */
	assert_int_equal(lx_mprotect_first(0x3000, LX_VM_GROWSDOWN,
					   LX_PROT_GROWSDOWN, &start),
			 0);
	assert_int_equal(start, 0x3000);
	assert_int_equal(
		lx_mprotect_first(0x3000, RW, LX_PROT_GROWSDOWN, &start),
		-LX_EINVAL);
	start = 0x5000;
	assert_int_equal(lx_mprotect_first(0x6000, RW, 0, &start), -LX_ENOMEM);
	assert_int_equal(lx_mprotect_first(0x4000, RW, LX_PROT_GROWSUP, &start),
			 -LX_EINVAL);
	assert_int_equal(lx_mprotect_first(0x4000, RW, 0, &start), 0);
	assert_int_equal(start, 0x5000);
	/* populate_vma_page_range() */
	assert_int_equal(lx_populate_how(RW, &write), 1);
	assert_true(write);
	assert_int_equal(lx_populate_how(RW | LX_VM_SHARED, &write), 1);
	assert_false(write);
	assert_int_equal(lx_populate_how(0, &write), -LX_EFAULT);
	assert_int_equal(lx_populate_how(RW | LX_VM_LOCKONFAULT, &write), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mlock_walk),
		cmocka_unit_test(test_mlock_limit),
		cmocka_unit_test(test_mlock_fault_errors),
		cmocka_unit_test(test_mlockall),
		cmocka_unit_test(test_mremap_shapes),
		cmocka_unit_test(test_mremap_locked),
		cmocka_unit_test(test_mremap_rules),
		cmocka_unit_test(test_brk),
		cmocka_unit_test(test_mprotect_populate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
