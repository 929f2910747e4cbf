/*
 * px_mmap.c - the calls that create and destroy mappings: mmap, munmap,
 * brk, and px_inherit for what execve leaves behind.
 *
 * The argument checks run in the kernel's order (sys_mmap, then
 * ksys_mmap_pgoff, do_mmap, __get_unmapped_area, mmap_region), because a
 * call with several faults reports the first one the kernel meets: an
 * unaligned offset beats a bad descriptor, which beats a zero length, and
 * a bad MAP_TYPE is only noticed after the address was chosen, so
 * MAP_FIXED_NOREPLACE over a mapping says EEXIST even then.
 *
 * The descriptor table is what the trace shows (px_fd_set): until it
 * shows one, a file mapping with fd < 0 is EBADF and any other fd is
 * taken to be open, readable and writable.  A memfd_secret fd maps only
 * shared and locked.  Under memory-deny-write-execute (prctl
 * PR_SET_MDWE) a writable and executable mapping is EACCES.
 */
#include "px_internal.h"
#include "abi/lx_brk.h"

/* Pages of [start, end) already charged by VM_ACCOUNT VMAs about to be
 * replaced: only the difference is charged again. */
static uint64_t accounted_in(struct px_space *s, uint64_t start, uint64_t end)
{
	struct px_vma *v = pxt_find(&s->tree, start);
	uint64_t n = 0;

	for (; v && v->start < end; v = pxt_next(v)) {
		uint64_t a = v->start > start ? v->start : start;
		uint64_t b = v->end < end ? v->end : end;

		if (v->flags & LX_VM_ACCOUNT)
			n += (b - a) >> PX_SHIFT;
	}
	return n;
}

/* file_mmap_ok() for a regular file: offsets stop at MAX_LFS_FILESIZE. */
static bool file_mmap_ok(uint64_t pgoff, uint64_t len)
{
	uint64_t maxsize = (uint64_t)INT64_MAX;

	if (len > maxsize)
		return false;
	maxsize -= len;
	return pgoff <= maxsize >> PX_SHIFT;
}

/* The part of mmap_region() after the address is settled. */
static int map_region(struct px_space *s, struct px_obj *obj, uint64_t addr,
		      uint64_t len, uint32_t fl, uint64_t pgoff, bool inherit,
		      struct px_vma **out)
{
	bool shmem_acct = obj && obj->kind == PX_OBJ_SHMEM && !inherit &&
			  !(fl & LX_VM_NORESERVE);
	uint64_t end = addr + len;
	struct px_vma *v = pxt_find(&s->tree, addr), *n;
	bool busy = v && v->start < end; /* anything to replace? */
	int err;

	/* vms_gather_munmap_vmas(): only splitting the first VMA can fail */
	if (v && v->start < addr && end < v->end &&
	    s->map_count >= s->cfg.max_map_count && !inherit)
		return -LX_ENOMEM;
	if (lx_vm_accountable(fl)) {
		uint64_t charged = (len >> PX_SHIFT) -
				   (busy ? accounted_in(s, addr, end) : 0);

		if (charged && !px_commit_ok(s, charged) && !inherit)
			return -LX_ENOMEM;
		fl |= LX_VM_ACCOUNT;
	}
	n = px_vma_alloc();
	if (!n)
		return -LX_ENOMEM;
	err = busy ? px_unmap(s, addr, end, !inherit) : 0;
	/* shmem_zero_setup() charges the whole object; failing it leaves
	 * the replaced range unmapped (vms_abort_munmap_vmas()). */
	if (!err && shmem_acct && !px_commit_ok(s, len >> PX_SHIFT))
		err = -LX_ENOMEM;
	if (err) {
		px_vma_free(s, n);
		return err;
	}
	n->start = addr;
	n->end = end;
	n->pgoff = pgoff;
	n->flags = fl;
	n->obj = px_obj_get(obj);
	n->inherited = inherit;
	px_vma_link(s, n);
	*out = px_merge_new(s, n, false);
	return 0;
}

/*
 * px_mmap - mmap(2).  *out receives the address.
 */
int px_mmap(struct px_space *s, uint64_t addr, uint64_t len, int prot,
	    int flags, int fd, uint64_t off, const char *path, uint64_t *out)
{
	bool file = !(flags & LX_MAP_ANONYMOUS);
	uint64_t pgoff = off >> PX_SHIFT, a;
	struct px_obj *obj = NULL;
	struct px_vma *v;
	uint32_t fl;
	int type = flags & LX_MAP_TYPE, err;
	bool populate;

	if (off & (PX_PAGE - 1))
		return -LX_EINVAL;
	if (file) {
		/* fget() in ksys_mmap_pgoff() */
		if (px_fd_mode(s, fd) < 0)
			return -LX_EBADF;
		if (flags & LX_MAP_HUGETLB)
			return -LX_EINVAL; /* not a hugetlbfs file */
	} else if (flags & LX_MAP_HUGETLB) {
		int log = (flags >> LX_MAP_HUGE_SHIFT) & LX_MAP_HUGE_MASK;

		if (log && log != 21 && log != 30)
			return -LX_EINVAL;
		/* No huge pages are reserved (vm.nr_hugepages = 0). */
		return -LX_ENOMEM;
	}

	/* do_mmap() */
	if (!len)
		return -LX_EINVAL;
	if (flags & LX_MAP_FIXED_NOREPLACE)
		flags |= LX_MAP_FIXED;
	if (!(flags & LX_MAP_FIXED)) {
		/* round_hint_to_min() */
		addr &= LX_PAGE_MASK;
		if (addr && addr < s->cfg.mmap_min_addr)
			addr = PX_PAGE_ALIGN(s->cfg.mmap_min_addr);
	}
	len = PX_PAGE_ALIGN(len);
	if (!len)
		return -LX_ENOMEM;
	if (pgoff + (len >> PX_SHIFT) < pgoff)
		return -LX_EOVERFLOW;
	if (s->map_count > s->cfg.max_map_count)
		return -LX_ENOMEM;
	fl = lx_vm_prot_bits(prot) | lx_vm_flag_bits(flags) | s->def_flags;

	if (file) {
		obj = px_obj_file(s->objs, path, fd);
		if (!obj)
			return -LX_ENOMEM;
	}
	err = px_get_area(s, obj, file, addr, len, pgoff, flags, &a);
	if (err)
		goto out;
	err = -LX_EEXIST;
	if (flags & LX_MAP_FIXED_NOREPLACE) {
		v = pxt_find(&s->tree, a);
		if (v && v->start < a + len)
			goto out;
	}
	err = -LX_EPERM;
	if ((flags & LX_MAP_LOCKED) && !px_can_do_mlock(s))
		goto out;
	err = -LX_EAGAIN;
	if (!px_mlock_future_ok(s, fl & LX_VM_LOCKED, len))
		goto out;

	err = -LX_EOVERFLOW;
	if (file && !file_mmap_ok(pgoff, len))
		goto out;
	err = -LX_EINVAL;
	if (file) {
		switch (type) {
		case LX_MAP_SHARED:
			flags &= LX_LEGACY_MAP_MASK;
			/* fall through */
		case LX_MAP_SHARED_VALIDATE:
			err = -LX_EOPNOTSUPP;
			if (flags & ~LX_LEGACY_MAP_MASK)
				goto out;
			/* writes reach the file: it must be open for them */
			err = -LX_EACCES;
			if ((prot & LX_PROT_WRITE) &&
			    px_fd_mode(s, fd) == LX_O_RDONLY)
				goto out;
			fl |= LX_VM_SHARED;
			if (px_fd_mode(s, fd) == LX_O_RDONLY)
				fl |= LX_VM_NOMAYWRITE;
			/* fall through */
		case LX_MAP_PRIVATE:
			err = -LX_EACCES;
			if (px_fd_mode(s, fd) == LX_O_WRONLY)
				goto out;
			err = -LX_EINVAL;
			if (fl & LX_VM_GROWSDOWN)
				goto out;
			break;
		default:
			goto out;
		}
	} else {
		switch (type) {
		case LX_MAP_SHARED:
			if (fl & LX_VM_GROWSDOWN)
				goto out;
			pgoff = 0;
			fl |= LX_VM_SHARED;
			obj = px_obj_new(s->objs, PX_OBJ_SHMEM,
					 len >> PX_SHIFT);
			err = -LX_ENOMEM;
			if (!obj)
				goto out;
			break;
		case LX_MAP_DROPPABLE:
			if (flags & (LX_MAP_LOCKED | LX_MAP_HUGETLB))
				goto out;
			if (fl & LX_VM_GROWSDOWN)
				goto out;
			fl |= LX_VM_DROPPABLE | LX_VM_NORESERVE | LX_VM_WIPEONFORK |
			      LX_VM_DONTDUMP;
			/* fall through */
		case LX_MAP_PRIVATE:
			pgoff = a >> PX_SHIFT;
			break;
		default:
			goto out;
		}
	}
	if (flags & LX_MAP_NORESERVE)
		fl |= LX_VM_NORESERVE;

	populate = (fl & LX_VM_LOCKED) ||
		   (flags & (LX_MAP_POPULATE | LX_MAP_NONBLOCK)) ==
			   LX_MAP_POPULATE;
	/* mmap_region(): memory-deny-write-execute */
	err = -LX_EACCES;
	if (lx_mdwe_denies(s->mdwe, fl, fl))
		goto out;
	if (file && px_fd_secret(s, fd)) {
		/* secretmem_mmap_prepare(): shared only, always locked (but
		 * not populated: do_mmap decided that before) */
		err = -LX_EINVAL;
		if (!(fl & LX_VM_SHARED))
			goto out;
		fl |= LX_VM_LOCKED | LX_VM_DONTDUMP;
		err = -LX_EAGAIN;
		if (!px_mlock_future_ok(s, true, len))
			goto out;
		obj->secret = true;
	}
	err = map_region(s, obj, a, len, fl, pgoff, false, &v);
	if (err)
		goto out;
	/* vma_supports_mlock() refuses droppable memory */
	if ((v->flags & LX_VM_LOCKED) && (v->flags & LX_VM_DROPPABLE))
		px_vma_set_flags(s, v, v->flags & ~LX_VM_LOCKED_MASK);
	if (populate)
		px_populate(s, a, a + len, true);
	*out = a;
	err = 0;
out:
	px_obj_put(obj);
	return err;
}

/*
 * px_munmap - munmap(2).
 */
int px_munmap(struct px_space *s, uint64_t addr, uint64_t len)
{
	uint64_t end;
	int err;

	if ((addr & (PX_PAGE - 1)) || addr > s->cfg.task_size ||
	    len > s->cfg.task_size - addr)
		return -LX_EINVAL;
	end = addr + PX_PAGE_ALIGN(len);
	if (end == addr)
		return -LX_EINVAL;
	err = px_unmap(s, addr, end, true);
	/* a sealed VMA: EPERM; a split too many: ENOMEM */
	return err == -LX_EPERM ? err : err ? -LX_ENOMEM : 0;
}

/* do_brk_flags(): grow the heap by [addr, addr + len). */
static int brk_grow(struct px_space *s, uint64_t addr, uint64_t len)
{
	struct px_vma *v = pxt_find(&s->tree, addr - 1), *n;
	bool expand = v && lx_brk_expands(v->end, addr, s->start_brk);

	if (s->map_count > s->cfg.max_map_count)
		return -LX_ENOMEM;
	if (!px_commit_ok(s, len >> PX_SHIFT))
		return -LX_ENOMEM;
	n = px_vma_alloc();
	if (!n)
		return -LX_ENOMEM;
	n->start = addr;
	n->end = addr + len;
	n->pgoff = addr >> PX_SHIFT;
	n->flags = lx_brk_vm_flags(s->def_flags);
	px_vma_link(s, n);
	if (expand)
		px_merge_new(s, n, true);
	return 0;
}

/* The heap gives back [newbrk, oldbrk), if a VMA is there at all. */
static bool brk_shrink(void *ctx, uint64_t newbrk, uint64_t oldbrk)
{
	struct px_space *s = ctx;
	struct px_vma *v = pxt_find(&s->tree, newbrk);

	return v && v->start < oldbrk && !px_unmap(s, newbrk, oldbrk, true);
}

/* check_brk_limits(), the guard gap above, then do_brk_flags(). */
static bool brk_extend(void *ctx, uint64_t oldbrk, uint64_t newbrk)
{
	struct px_space *s = ctx;
	struct px_vma *next;

	/* get_unmapped_area(MAP_FIXED) */
	if (newbrk - oldbrk > s->cfg.task_size ||
	    oldbrk > s->cfg.task_size - (newbrk - oldbrk))
		return false;
	if (oldbrk < s->cfg.mmap_min_addr && !s->cfg.cap_sys_rawio)
		return false;
	if (!px_mlock_future_ok(s, s->def_flags & LX_VM_LOCKED,
				newbrk - oldbrk))
		return false;
	next = pxt_find(&s->tree, oldbrk);
	if (!lx_brk_clear_of(newbrk, next, next ? px_start_gap(s, next) : 0))
		return false;
	if (brk_grow(s, oldbrk, newbrk - oldbrk))
		return false;
	if (s->def_flags & LX_VM_LOCKED)
		px_populate(s, oldbrk, newbrk, true);
	return true;
}

/*
 * px_brk - brk(2).  The kernel never fails it: *out is the new break or,
 * when refused, the old one.
 */
int px_brk(struct px_space *s, uint64_t addr, uint64_t *out)
{
	*out = lx_brk(addr, &s->brk, s->start_brk, brk_shrink, brk_extend,
		      s);
	return 0;
}

/*
 * px_inherit - declare a mapping made by execve (see rmsim/posix.h).
 */
int px_inherit(struct px_space *s, uint64_t addr, uint64_t len, int prot,
	       int flags)
{
	uint64_t end = addr + PX_PAGE_ALIGN(len);
	uint32_t fl = lx_vm_prot_bits(prot) | lx_vm_flag_bits(flags & LX_MAP_GROWSDOWN);
	struct px_obj *obj = NULL;
	struct px_vma *v;
	int err;

	if ((addr & (PX_PAGE - 1)) || !len || end <= addr ||
	    end > s->cfg.task_size)
		return -LX_EINVAL;
	if ((flags & LX_MAP_TYPE) == LX_MAP_SHARED)
		fl |= LX_VM_SHARED;
	if (!(flags & LX_MAP_ANONYMOUS) || (fl & LX_VM_SHARED)) {
		obj = px_obj_new(s->objs,
				 (flags & LX_MAP_ANONYMOUS) ? PX_OBJ_SHMEM
							    : PX_OBJ_INHERIT,
				 (flags & LX_MAP_ANONYMOUS)
					 ? (end - addr) >> PX_SHIFT
					 : UINT64_MAX);
		if (!obj)
			return -LX_ENOMEM;
	}
	err = map_region(s, obj, addr, end - addr, fl, addr >> PX_SHIFT, true,
			 &v);
	px_obj_put(obj);
	return err ? -LX_ENOMEM : 0;
}
