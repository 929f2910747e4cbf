/*
 * lx_vm.h - the part of Linux's memory management that depends only on a
 * call's arguments and a VMA's flags: the vm_flags the models keep, how
 * mmap's prot and flags become them, which mappings are charged to
 * overcommit, which madvise advice the kernel knows (madvise's frame is
 * lx_madvise.h).  The Linux reference model (sim/posix/) and the window
 * policies, which emulate Linux on Genode (sim/policy/win_*), both
 * decide by these.
 */
#ifndef RMSIM_ABI_LX_VM_H
#define RMSIM_ABI_LX_VM_H

#include <stdbool.h>
#include <stdint.h>

#include "rmsim/abi.h"

/* x86 MAP_ABOVE4G; abi.h does not carry it as strace never prints it. */
#define LX_MAP_ABOVE4G 0x80
/* mmap flags the kernel keeps under MAP_SHARED (LEGACY_MAP_MASK). */
#define LX_LEGACY_MAP_MASK                                                     \
	(LX_MAP_SHARED | LX_MAP_PRIVATE | LX_MAP_FIXED | LX_MAP_ANONYMOUS |    \
	 LX_MAP_DENYWRITE | LX_MAP_EXECUTABLE | LX_MAP_UNINITIALIZED |         \
	 LX_MAP_GROWSDOWN | LX_MAP_LOCKED | LX_MAP_NORESERVE |                 \
	 LX_MAP_POPULATE | LX_MAP_NONBLOCK | LX_MAP_STACK | LX_MAP_HUGETLB)

/*
 * VMA flags: the subset of the kernel's vm_flags that changes what a
 * call returns or whether two VMAs merge.  Flags the kernel ignores for
 * merging (VM_SOFTDIRTY, the guard-region hint) are not kept at all.
 */
enum {
	LX_VM_READ = 1u << 0,
	LX_VM_WRITE = 1u << 1,
	LX_VM_EXEC = 1u << 2,
	LX_VM_SHARED = 1u << 3, /* VM_SHARED | VM_MAYSHARE */
	LX_VM_GROWSDOWN = 1u << 4,
	LX_VM_LOCKED = 1u << 5,
	LX_VM_LOCKONFAULT = 1u << 6,
	LX_VM_NORESERVE = 1u << 7,
	LX_VM_ACCOUNT = 1u << 8,
	LX_VM_DONTCOPY = 1u << 9,
	LX_VM_WIPEONFORK = 1u << 10,
	LX_VM_DONTDUMP = 1u << 11,
	LX_VM_HUGEPAGE = 1u << 12,
	LX_VM_NOHUGEPAGE = 1u << 13,
	LX_VM_MERGEABLE = 1u << 14,
	LX_VM_SEQ_READ = 1u << 15,
	LX_VM_RAND_READ = 1u << 16,
	LX_VM_DROPPABLE = 1u << 17,
	LX_VM_SPECIAL = 1u << 18, /* VM_DONTEXPAND-like: never merges */
	LX_VM_NOMAYWRITE = 1u << 19, /* !VM_MAYWRITE: a shared mapping of a
				      * file opened without write access */
	LX_VM_SEALED = 1u << 20, /* mseal()'d: its layout and protection
				  * are final */
};
#define LX_VM_ACCESS (LX_VM_READ | LX_VM_WRITE | LX_VM_EXEC)
#define LX_VM_LOCKED_MASK (LX_VM_LOCKED | LX_VM_LOCKONFAULT)

/* calc_vm_prot_bits() */
static inline uint32_t lx_vm_prot_bits(int prot)
{
	uint32_t f = 0;

	if (prot & LX_PROT_READ)
		f |= LX_VM_READ;
	if (prot & LX_PROT_WRITE)
		f |= LX_VM_WRITE;
	if (prot & LX_PROT_EXEC)
		f |= LX_VM_EXEC;
	return f;
}

/* calc_vm_flag_bits(): MAP_STACK has meant VM_NOHUGEPAGE since 6.7. */
static inline uint32_t lx_vm_flag_bits(int flags)
{
	uint32_t f = 0;

	if (flags & LX_MAP_GROWSDOWN)
		f |= LX_VM_GROWSDOWN;
	if (flags & LX_MAP_LOCKED)
		f |= LX_VM_LOCKED;
	if (flags & LX_MAP_STACK)
		f |= LX_VM_NOHUGEPAGE;
	return f;
}

/* accountable_mapping(): private writable memory is charged. */
static inline bool lx_vm_accountable(uint32_t fl)
{
	return (fl & (LX_VM_NORESERVE | LX_VM_SHARED | LX_VM_WRITE)) ==
	       LX_VM_WRITE;
}

/*
 * Advice the kernel knows at all.  Some depend on its configuration as
 * well: MERGEABLE and UNMERGEABLE on CONFIG_KSM, the huge-page ones on
 * CONFIG_TRANSPARENT_HUGEPAGE, HWPOISON and SOFT_OFFLINE on
 * CONFIG_MEMORY_FAILURE (lx_madv_needs says which).
 */
static inline bool lx_madv_known(int adv)
{
	switch (adv) {
	case LX_MADV_DOFORK:
	case LX_MADV_DONTFORK:
	case LX_MADV_NORMAL:
	case LX_MADV_SEQUENTIAL:
	case LX_MADV_RANDOM:
	case LX_MADV_REMOVE:
	case LX_MADV_WILLNEED:
	case LX_MADV_DONTNEED:
	case LX_MADV_DONTNEED_LOCKED:
	case LX_MADV_FREE:
	case LX_MADV_COLD:
	case LX_MADV_PAGEOUT:
	case LX_MADV_POPULATE_READ:
	case LX_MADV_POPULATE_WRITE:
	case LX_MADV_DONTDUMP:
	case LX_MADV_DODUMP:
	case LX_MADV_WIPEONFORK:
	case LX_MADV_KEEPONFORK:
	case LX_MADV_GUARD_INSTALL:
	case LX_MADV_GUARD_REMOVE:
	case LX_MADV_MERGEABLE:
	case LX_MADV_UNMERGEABLE:
	case LX_MADV_HUGEPAGE:
	case LX_MADV_NOHUGEPAGE:
	case LX_MADV_COLLAPSE:
	case LX_MADV_HWPOISON:
	case LX_MADV_SOFT_OFFLINE:
		return true;
	default:
		return false;
	}
}

/* The configuration an advice needs besides being known. */
enum lx_madv_need { LX_NEED_NONE, LX_NEED_KSM, LX_NEED_THP, LX_NEED_MF };

static inline enum lx_madv_need lx_madv_needs(int adv)
{
	switch (adv) {
	case LX_MADV_MERGEABLE:
	case LX_MADV_UNMERGEABLE:
		return LX_NEED_KSM;
	case LX_MADV_HUGEPAGE:
	case LX_MADV_NOHUGEPAGE:
	case LX_MADV_COLLAPSE:
		return LX_NEED_THP;
	case LX_MADV_HWPOISON:
	case LX_MADV_SOFT_OFFLINE:
		return LX_NEED_MF;
	default:
		return LX_NEED_NONE;
	}
}

/*
 * do_mprotect_pkey()'s argument checks: 0 with PROT_GROWSDOWN and
 * PROT_GROWSUP moved from *@prot to *@grows and the end of the
 * page-aligned range in *@end (@start itself for a zero length: nothing
 * to do), or -errno.
 */
static inline int lx_mprotect_check(uint64_t start, uint64_t len, int *prot,
				    int *grows, uint64_t *end)
{
	*grows = *prot & (LX_PROT_GROWSDOWN | LX_PROT_GROWSUP);
	*prot &= ~(LX_PROT_GROWSDOWN | LX_PROT_GROWSUP);
	if (*grows == (LX_PROT_GROWSDOWN | LX_PROT_GROWSUP))
		return -LX_EINVAL;
	if (start & (LX_PAGE_SIZE - 1))
		return -LX_EINVAL;
	*end = start;
	if (!len)
		return 0;
	*end = start + ((len + LX_PAGE_SIZE - 1) & LX_PAGE_MASK);
	if (*end <= start)
		return -LX_ENOMEM;
	if (*prot & ~(LX_PROT_READ | LX_PROT_WRITE | LX_PROT_EXEC |
		      LX_PROT_SEM))
		return -LX_EINVAL;
	return 0;
}

/*
 * do_mprotect_pkey() on the first VMA of the range, which starts at
 * @vstart with flags @fl: with PROT_GROWSDOWN in @grows the range
 * extends down to it (*@start), which it must allow; otherwise it must
 * cover *@start (x86 has no VM_GROWSUP).  0 or -errno.
 */
static inline int lx_mprotect_first(uint64_t vstart, uint32_t fl, int grows,
				    uint64_t *start)
{
	if (grows & LX_PROT_GROWSDOWN) {
		*start = vstart;
		return (fl & LX_VM_GROWSDOWN) ? 0 : -LX_EINVAL;
	}
	if (vstart > *start)
		return -LX_ENOMEM;
	return (grows & LX_PROT_GROWSUP) ? -LX_EINVAL : 0;
}

/*
 * mprotect_fixup()'s accounting: a private mapping becoming writable is
 * charged for overcommit (*@charge is set; the caller checks the commit
 * limit), and private anonymous memory never faulted (@unfaulted_anon)
 * that stops being writable is no longer.  Returns the flags to set.
 */
static inline uint32_t lx_mprotect_account(uint32_t oldflags,
					   uint32_t newflags,
					   bool unfaulted_anon, bool *charge)
{
	*charge = false;
	if (newflags & LX_VM_WRITE) {
		if (!(oldflags & (LX_VM_ACCOUNT | LX_VM_WRITE | LX_VM_SHARED |
				  LX_VM_NORESERVE))) {
			*charge = true;
			newflags |= LX_VM_ACCOUNT;
		}
	} else if ((oldflags & LX_VM_ACCOUNT) && unfaulted_anon) {
		newflags &= ~LX_VM_ACCOUNT;
	}
	return newflags;
}

/* mprotect_fixup(): a locked private VMA turning writable is populated
 * (its copy-on-write broken). */
static inline bool lx_mprotect_populates(uint32_t oldflags,
					 uint32_t newflags)
{
	return (oldflags & (LX_VM_WRITE | LX_VM_SHARED | LX_VM_LOCKED)) ==
		       LX_VM_LOCKED &&
	       (newflags & LX_VM_WRITE);
}

/*
 * populate_vma_page_range() (mm/gup.c): how __mm_populate() faults in a
 * VMA with flags @fl.  1: fault it in, for writing if *@write (private
 * writable memory: its copy-on-write broken); 0: leave it
 * (VM_LOCKONFAULT); -EFAULT: it cannot be, PROT_NONE without FOLL_FORCE.
 */
static inline int lx_populate_how(uint32_t fl, bool *write)
{
	*write = (fl & (LX_VM_WRITE | LX_VM_SHARED)) == LX_VM_WRITE;
	if (fl & LX_VM_LOCKONFAULT)
		return 0;
	if (!*write && !(fl & LX_VM_ACCESS))
		return -LX_EFAULT;
	return 1;
}

/*
 * The advice that only change a VMA's flags (madvise_vma_behavior()):
 * 0 with the new flags in *@out, -EINVAL, or 1 when @adv is not one of
 * them.  @has_obj: the VMA maps a file or a shared memory object.
 */
static inline int lx_madv_flags(int adv, uint32_t fl, bool has_obj,
				uint32_t *out)
{
	switch (adv) {
	case LX_MADV_NORMAL:
		fl &= ~(LX_VM_RAND_READ | LX_VM_SEQ_READ);
		break;
	case LX_MADV_SEQUENTIAL:
		fl = (fl & ~LX_VM_RAND_READ) | LX_VM_SEQ_READ;
		break;
	case LX_MADV_RANDOM:
		fl = (fl & ~LX_VM_SEQ_READ) | LX_VM_RAND_READ;
		break;
	case LX_MADV_DONTFORK:
		fl |= LX_VM_DONTCOPY;
		break;
	case LX_MADV_DOFORK:
		if (fl & LX_VM_SPECIAL)
			return -LX_EINVAL;
		fl &= ~LX_VM_DONTCOPY;
		break;
	case LX_MADV_WIPEONFORK:
		if (has_obj || (fl & LX_VM_SHARED))
			return -LX_EINVAL;
		fl |= LX_VM_WIPEONFORK;
		break;
	case LX_MADV_KEEPONFORK:
		if (fl & LX_VM_DROPPABLE)
			return -LX_EINVAL;
		fl &= ~LX_VM_WIPEONFORK;
		break;
	case LX_MADV_DONTDUMP:
		fl |= LX_VM_DONTDUMP;
		break;
	case LX_MADV_DODUMP:
		if (fl & (LX_VM_SPECIAL | LX_VM_DROPPABLE))
			return -LX_EINVAL;
		fl &= ~LX_VM_DONTDUMP;
		break;
	case LX_MADV_MERGEABLE:
		/* ksm_madvise(): shared and special memory silently stay
		 * unmergeable */
		if (!(fl & (LX_VM_SHARED | LX_VM_SPECIAL | LX_VM_DROPPABLE)))
			fl |= LX_VM_MERGEABLE;
		break;
	case LX_MADV_UNMERGEABLE:
		fl &= ~LX_VM_MERGEABLE;
		break;
	case LX_MADV_HUGEPAGE:
		fl = (fl & ~LX_VM_NOHUGEPAGE) | LX_VM_HUGEPAGE;
		break;
	case LX_MADV_NOHUGEPAGE:
		fl = (fl & ~LX_VM_HUGEPAGE) | LX_VM_NOHUGEPAGE;
		break;
	default:
		return 1;
	}
	*out = fl;
	return 0;
}

/*
 * mseal(2)'s argument checks (do_mseal(), 6.10 on): 0 with the end of
 * the range in *@end (equal to @start: nothing to seal, success), or
 * -EINVAL.  Unmapped pages in the range are ENOMEM, which the caller
 * decides.
 */
static inline int lx_mseal_check(uint64_t start, uint64_t len,
				 uint64_t flags, uint64_t *end)
{
	uint64_t alen = (len + LX_PAGE_SIZE - 1) & LX_PAGE_MASK;

	if (flags)
		return -LX_EINVAL;
	if (start & (LX_PAGE_SIZE - 1))
		return -LX_EINVAL;
	/* a small negative len rounds up to 0 */
	if (len && !alen)
		return -LX_EINVAL;
	*end = start + alen;
	if (*end < start)
		return -LX_EINVAL;
	return 0;
}

/*
 * The advice that discard data (is_discard() in mm/madvise.c): on a
 * sealed VMA they are refused where the program could not have
 * discarded the data itself, a private anonymous VMA it cannot write
 * (can_madvise_modify()); file mappings and writable memory may.
 */
static inline bool lx_madv_seal_denies(uint32_t fl, bool anonymous, int adv)
{
	if (!(fl & LX_VM_SEALED) || !anonymous || (fl & LX_VM_WRITE))
		return false;
	switch (adv) {
	case LX_MADV_FREE:
	case LX_MADV_DONTNEED:
	case LX_MADV_DONTNEED_LOCKED:
	case LX_MADV_REMOVE:
	case LX_MADV_DONTFORK:
	case LX_MADV_WIPEONFORK:
	case LX_MADV_GUARD_INSTALL:
		return true;
	default:
		return false;
	}
}

/*
 * Memory-deny-write-execute (map_deny_write_exec()): with
 * PR_MDWE_REFUSE_EXEC_GAIN in @mdwe, a VMA going from flags @old to
 * @next is refused (EACCES) when it would be writable and executable, or
 * become executable without having been.  A new mapping passes its
 * flags as both.  (Not `new`: the port's C++ includes this header.)
 */
static inline bool lx_mdwe_denies(unsigned mdwe, uint32_t old, uint32_t next)
{
	if (!(mdwe & LX_PR_MDWE_REFUSE_EXEC_GAIN) || !(next & LX_VM_EXEC))
		return false;
	return (next & LX_VM_WRITE) || !(old & LX_VM_EXEC);
}

/*
 * prctl(PR_SET_MDWE) (prctl_set_mdwe()): the new bits into *@mdwe, or
 * -EINVAL for unknown bits or arguments, -EPERM for a change once set
 * (the bits can never be cleared).
 */
static inline int lx_mdwe_set(unsigned *mdwe, uint64_t bits, uint64_t a3,
			      uint64_t a4, uint64_t a5)
{
	if (a3 || a4 || a5)
		return -LX_EINVAL;
	if (bits & ~(uint64_t)(LX_PR_MDWE_REFUSE_EXEC_GAIN |
			       LX_PR_MDWE_NO_INHERIT))
		return -LX_EINVAL;
	/* NO_INHERIT only makes sense with REFUSE_EXEC_GAIN */
	if ((bits & LX_PR_MDWE_NO_INHERIT) &&
	    !(bits & LX_PR_MDWE_REFUSE_EXEC_GAIN))
		return -LX_EINVAL;
	if (*mdwe && *mdwe != bits)
		return -LX_EPERM;
	*mdwe = (unsigned)bits;
	return 0;
}

/* What a child (fork) or a new image (execve) keeps of the MDWE bits
 * (mmf_init_flags()): all of them, or none with NO_INHERIT. */
static inline unsigned lx_mdwe_inherit(unsigned mdwe)
{
	return (mdwe & LX_PR_MDWE_NO_INHERIT) ? 0 : mdwe;
}

#endif
