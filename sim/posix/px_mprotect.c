/*
 * px_mprotect.c - mprotect(2) and pkey_mprotect(2), after mm/mprotect.c.
 *
 * The range is walked VMA by VMA, each piece changed (split or merged) as
 * it is reached, so a hole or a failure leaves the pieces before it
 * changed: Linux's partial effect, which POSIX permits.  Making a private
 * mapping writable charges it (VM_ACCOUNT) and the flag stays after the
 * write permission goes, unless the VMA is anonymous and never faulted;
 * that difference decides whether the pieces merge back.
 *
 * No protection keys are allocated in the model (pkey_alloc is not a
 * traced call), so a pkey other than -1 and the always-allocated 0 is
 * EINVAL.  PROT_WRITE on a shared mapping of a file opened read-only is
 * EACCES (no VM_MAYWRITE), known when the trace shows the open.  Under
 * memory-deny-write-execute a VMA turning writable and executable, or
 * gaining PROT_EXEC, is EACCES; a sealed VMA is EPERM.  Both stop the
 * walk with the VMAs before changed, as Linux does.
 */
#include "px_internal.h"

/* mprotect_fixup() */
static int fixup(struct px_space *s, struct px_vma *v, uint64_t start,
		 uint64_t end, uint32_t newflags, struct px_vma **out)
{
	uint32_t oldflags = v->flags;
	bool charge;
	int err;

	*out = v;
	/* a sealed VMA refuses even the protection it has */
	if (oldflags & LX_VM_SEALED)
		return -LX_EPERM;
	if (newflags == oldflags)
		return 0;
	newflags = lx_mprotect_account(oldflags, newflags,
				       px_vma_anonymous(v) && !v->anon, &charge);
	if (charge && !px_commit_ok(s, (end - start) >> PX_SHIFT))
		return -LX_ENOMEM;
	err = px_vma_modify(s, v, start, end, newflags, out);
	if (err)
		return err;
	if (lx_mprotect_populates(oldflags, newflags))
		px_populate(s, start, end, true);
	return 0;
}

static int do_mprotect(struct px_space *s, uint64_t start, uint64_t len,
		       int prot, int pkey)
{
	uint64_t end, nstart, tmp;
	struct px_vma *v;
	uint32_t access;
	int err, grows;

	err = lx_mprotect_check(start, len, &prot, &grows, &end);
	if (err || end == start)
		return err;
	/* mm_pkey_is_allocated(): only pkey 0 exists, and only with PKU */
	if (pkey != -1 && (pkey != 0 || !s->cfg.pku))
		return -LX_EINVAL;
	access = lx_vm_prot_bits(prot);

	v = pxt_find(&s->tree, start);
	if (!v || v->start >= end)
		return -LX_ENOMEM;
	err = lx_mprotect_first(v->start, v->flags, grows, &start);
	if (err)
		return err;

	nstart = start;
	tmp = v->start;
	while (v && v->start < end) {
		struct px_vma *out;
		uint32_t newflags = access | (v->flags & ~LX_VM_ACCESS);

		if (v->start != tmp) {
			err = -LX_ENOMEM;
			break;
		}
		/* newflags beyond the VMA's VM_MAY* bits */
		if ((newflags & LX_VM_WRITE) && (v->flags & LX_VM_NOMAYWRITE)) {
			err = -LX_EACCES;
			break;
		}
		if (lx_mdwe_denies(s->mdwe, v->flags, newflags)) {
			err = -LX_EACCES;
			break;
		}
		tmp = v->end < end ? v->end : end;
		err = fixup(s, v, nstart, tmp, newflags, &out);
		if (err)
			break;
		tmp = out->end;
		nstart = tmp;
		v = pxt_next(out);
	}
	if (!err && tmp < end)
		err = -LX_ENOMEM;
	return err;
}

/*
 * px_mprotect - mprotect(2).
 */
int px_mprotect(struct px_space *s, uint64_t addr, uint64_t len, int prot)
{
	return do_mprotect(s, addr, len, prot, -1);
}

/*
 * px_pkey_mprotect - pkey_mprotect(2); pkey -1 is plain mprotect.
 */
int px_pkey_mprotect(struct px_space *s, uint64_t addr, uint64_t len, int prot,
		     int pkey)
{
	return do_mprotect(s, addr, len, prot, pkey);
}
