/*
 * px_place.c - where a new mapping goes: the kernel's get_unmapped_area()
 * for x86-64 with the top-down layout (MMF_TOPDOWN), 4-level paging.
 *
 * The search follows arch/x86/kernel/sys_x86_64.c and mm/vma.c:
 *
 *  - a hint (already rounded up to mmap_min_addr by do_mmap) is taken when
 *    [hint, hint + len) lies below TASK_SIZE, is free, and ends at or
 *    below the next VMA's vm_start_gap();
 *  - otherwise unmapped_area_topdown() takes the highest hole inside
 *    [max(PAGE_SIZE, mmap_min_addr), mmap_base) that fits len and returns
 *    its top minus len; when the VMA above the hole grows down and its
 *    stack guard gap reaches into the hole, the search repeats below that
 *    gap;
 *  - if nothing fits, the bottom-up search from the legacy base up to
 *    TASK_SIZE (arch_get_unmapped_area) is the fallback; MAP_32BIT goes
 *    there directly, inside [0x40000000, 0x80000000).
 *
 * THP alignment (Linux 6.18).  mm/mmap.c __get_unmapped_area():
 *
 *	} else if (IS_ENABLED(CONFIG_TRANSPARENT_HUGEPAGE) && !file
 *		   && !addr /+ no hint +/
 *		   && IS_ALIGNED(len, PMD_SIZE)) {
 *		/+ Ensures that larger anonymous mappings are THP aligned. +/
 *		addr = thp_get_unmapped_area_vmflags(file, addr, len,
 *						     pgoff, flags, vm_flags);
 *
 * so it applies to private anonymous mappings only (shared ones go to
 * shmem_get_unmapped_area), only without a hint (a refused hint does not
 * bring it back: the hint is still non-zero when this is decided), only
 * when the page-aligned length is a non-zero multiple of 2 MiB, whatever
 * /sys/kernel/mm/transparent_hugepage/enabled says, and MAP_STACK (which
 * sets VM_NOHUGEPAGE) does not exclude it.  mm/huge_memory.c
 * __thp_get_unmapped_area() then searches for len + PMD_SIZE and rounds:
 *
 *	off_sub = (off - ret) & (size - 1);
 *	if (test_bit(MMF_TOPDOWN, &current->mm->flags) && !off_sub)
 *		return ret + size;
 *	ret += off_sub;
 *
 * With off = 0 that is the highest 2 MiB-aligned start below the padded
 * hole's top; when the padded search fails, the plain one is used.  Files
 * on ext4/xfs (whose get_unmapped_area is thp_get_unmapped_area) take the
 * same path with off = pgoff << PAGE_SHIFT and no length rule, except that
 * a hint that fits the padded length is returned as it is.
 */
#include "px_internal.h"

struct area_req {
	uint64_t addr, len, pgoff;
	int flags;
};

/* unmapped_area_topdown() without alignment (anonymous and ordinary
 * files have align_mask 0). */
static int topdown(struct px_space *s, uint64_t low, uint64_t high,
		   uint64_t len, uint64_t *out)
{
	uint64_t gap_end;
	struct px_vma *next;

	if (low < s->cfg.mmap_min_addr)
		low = s->cfg.mmap_min_addr;
	for (;;) {
		if (high <= low || high - low < len ||
		    !pxt_gap(&s->tree, true, low, high, len, &gap_end, &next))
			return -LX_ENOMEM;
		if (next && (next->flags & LX_VM_GROWSDOWN) &&
		    px_start_gap(s, next) < gap_end) {
			high = px_start_gap(s, next);
			continue;
		}
		*out = gap_end - len;
		return 0;
	}
}

/* unmapped_area(): the bottom-up search. */
static int bottomup(struct px_space *s, uint64_t low, uint64_t high,
		    uint64_t len, uint64_t *out)
{
	uint64_t gap;
	struct px_vma *next;

	if (low < s->cfg.mmap_min_addr)
		low = s->cfg.mmap_min_addr;
	for (;;) {
		if (high <= low || high - low < len ||
		    !pxt_gap(&s->tree, false, low, high, len, &gap, &next))
			return -LX_ENOMEM;
		if (next && (next->flags & LX_VM_GROWSDOWN) &&
		    px_start_gap(s, next) < gap + len - 1) {
			low = next->end;
			continue;
		}
		*out = gap;
		return 0;
	}
}

/* Is [addr, addr + len) free and clear of a stack guard gap above? */
static bool hint_free(struct px_space *s, uint64_t addr, uint64_t len)
{
	struct px_vma *v = pxt_find(&s->tree, addr);

	return !v || addr + len <= px_start_gap(s, v);
}

/* arch_get_unmapped_area(): bottom-up, used as the fallback. */
static int arch_bottomup(struct px_space *s, const struct area_req *r,
			 uint64_t *out)
{
	uint64_t begin = s->legacy_base, end = s->cfg.task_size;
	uint64_t addr;

	if (r->flags & LX_MAP_FIXED) {
		*out = r->addr;
		return 0;
	}
	if (r->flags & LX_MAP_32BIT) {
		/* randomize_page(0x40000000, 0x02000000) per call when
		 * randomised: the replay sets the begin the trace shows */
		begin = s->map32_begin ? s->map32_begin : LX_MAP32_BEGIN;
		end = 0x80000000;
	}
	if (r->len > end)
		return -LX_ENOMEM;
	if (r->addr) {
		addr = PX_PAGE_ALIGN(r->addr);
		if (end - r->len >= addr && hint_free(s, addr, r->len)) {
			*out = addr;
			return 0;
		}
	}
	return bottomup(s, begin, end, r->len, out);
}

/* arch_get_unmapped_area_topdown() */
static int mm_area(struct px_space *s, const struct area_req *r, uint64_t *out)
{
	uint64_t addr = r->addr, low;

	if (r->len > s->cfg.task_size)
		return -LX_ENOMEM;
	if (r->flags & LX_MAP_FIXED) {
		*out = addr;
		return 0;
	}
	if (r->flags & LX_MAP_32BIT)
		return arch_bottomup(s, r, out);
	if (addr) {
		addr &= LX_PAGE_MASK;
		/* mmap_address_hint_valid() with one 47-bit window */
		if (s->cfg.task_size - r->len >= addr &&
		    hint_free(s, addr, r->len)) {
			*out = addr;
			return 0;
		}
	}
	low = (r->flags & LX_MAP_ABOVE4G) ? (1ULL << 32) : PX_PAGE;
	if (!topdown(s, low, s->mmap_base, r->len, out))
		return 0;
	return arch_bottomup(s, r, out);
}

/* __thp_get_unmapped_area(): 0 in *out means "not done here". */
static int thp_area(struct px_space *s, const struct area_req *r, uint64_t *out)
{
	uint64_t off = r->pgoff << PX_SHIFT, size = PX_PMD;
	uint64_t off_end = off + r->len;
	uint64_t off_align = (off + size - 1) & ~(size - 1);
	struct area_req pad = *r;
	uint64_t ret, off_sub;

	*out = 0;
	if (off_end <= off_align || off_end - off_align < size)
		return 0;
	pad.len = r->len + size;
	if (pad.len < r->len || off + pad.len < off)
		return 0;
	if (mm_area(s, &pad, &ret))
		return 0; /* the caller retries without padding */
	if (ret == r->addr) {
		*out = ret;
		return 0;
	}
	off_sub = (off - ret) & (size - 1);
	*out = off_sub ? ret + off_sub : ret + size;
	return 0;
}

/* thp_get_unmapped_area_vmflags() */
static int thp_or_plain(struct px_space *s, const struct area_req *r,
			uint64_t *out)
{
	int err = thp_area(s, r, out);

	if (err || *out)
		return err;
	return mm_area(s, r, out);
}

/*
 * px_get_area - __get_unmapped_area(): pick (or check, with MAP_FIXED) the
 * address of a len-byte mapping.  file says the mapping has an object
 * (obj may be NULL for a file not yet looked up); obj's kind chooses the
 * object's get_unmapped_area.  Returns 0 with *out set, or -ENOMEM,
 * -EINVAL, -EPERM.
 */
int px_get_area(struct px_space *s, const struct px_obj *obj, bool file,
		uint64_t addr, uint64_t len, uint64_t pgoff, int flags,
		uint64_t *out)
{
	struct area_req r = {
		.addr = addr, .len = len, .pgoff = pgoff, .flags = flags};
	uint64_t a;
	int err;

	if (len > s->cfg.task_size)
		return -LX_ENOMEM;
	if (!file)
		r.pgoff = 0;
	if (file && (!obj || obj->kind == PX_OBJ_FILE) && s->cfg.thp &&
	    s->cfg.file_thp)
		err = thp_or_plain(s, &r, &a);
	else if (!file && !(flags & LX_MAP_SHARED) && s->cfg.thp && !addr &&
		 len && !(len & (PX_PMD - 1)))
		err = thp_or_plain(s, &r, &a);
	else
		err = mm_area(s, &r, &a); /* incl. shmem, never huge */
	if (err)
		return err;
	if (a > s->cfg.task_size - len)
		return -LX_ENOMEM;
	if (a & (PX_PAGE - 1))
		return -LX_EINVAL;
	if (a < s->cfg.mmap_min_addr && !s->cfg.cap_sys_rawio)
		return -LX_EPERM;
	*out = a;
	return 0;
}
