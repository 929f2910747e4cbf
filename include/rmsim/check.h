/*
 * rmsim/check.h - judging a policy against the Linux reference (prefix
 * ck_).
 *
 * After each event the replay asks two questions.  Did the call return
 * what the reference returned (the same errno, the same address once
 * relocation is taken into account)?  And do the pages the event touched
 * look the same from the program's side: mapped or not, readable,
 * writable, executable, holding the same bytes?  Each "no" is a finding
 * of one kind, with a severity, tied to the event.  Verdicts come from
 * the targets' real state (what the Genode model has attached where,
 * with which effective rights), never from a policy's own bookkeeping.
 */
#ifndef RMSIM_CHECK_H
#define RMSIM_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum ck_kind {
	CK_RESULT,		/* value or errno differs */
	CK_ADDRESS,		/* MAP_FIXED not honoured */
	CK_HINT,		/* a hint the reference honoured was not */
	CK_ACCESS_MISSING,	/* the program would crash */
	CK_ACCESS_EXTRA,	/* guard/unmapped page accessible, or rights
				 * wider than asked */
	CK_CONTENT,		/* stale data visible, or data lost */
	CK_RESOURCE,		/* a Genode quota ran out where Linux
				 * succeeded */
	CK_ADDRESS_SPACE,	/* no room in the policy's address space
				 * (layout, window) where Linux found some */
	CK_DIVERGENCE,		/* the program would have taken another path */
	CK_OUTSIDE,		/* on a range execve made (binary, ld.so,
				 * stack, vDSO): Genode's dynamic linker and
				 * core own those, not the libc policy; shown,
				 * never counted against the policy */
	CK_NKINDS
};

/*
 * ck_check - the module's invariants: every kind and quota has a name,
 * no two kinds share one, only "outside" is left out of the counts.  0,
 * or -1 with the first violation in @msg.
 */
int ck_check(char *msg, size_t size);

/*
 * ck_check_names - every one of the @n names present, no two alike (the
 * check ck_check makes of the kinds' and the quotas' names; @what names
 * the table in @msg).  0, or -1 with the first violation in @msg.
 */
int ck_check_names(const char *const names[], int n, const char *what,
		   char *msg, size_t size);

/* Does a finding of kind @k count against the policy? */
bool ck_kind_counts(enum ck_kind k);

/* Which Genode quota ran out during a call (the first that did, the
 * component's PD before an RM session, RAM before caps). */
enum ck_quota {
	CK_QUOTA_NONE,
	CK_QUOTA_PD_RAM,
	CK_QUOTA_PD_CAPS,
	CK_QUOTA_RM_RAM,
	CK_QUOTA_RM_CAPS,
};
/* "RAM quota of the PD", "cap quota of an RM session", ... */
const char *ck_quota_name(enum ck_quota q);

const char *ck_kind_name(enum ck_kind k);	/* "access-missing" */
const char *ck_severity_name(int severity);	/* "error" ... */

enum { CK_ERROR, CK_WARNING, CK_INFO };

/* One side's view of a page. */
struct ck_page {
	bool mapped;		/* a mapping covers it */
	int prot;		/* its PROT_* (VMA rights) */
	bool readable;		/* a load succeeds (no guard, no fault) */
	bool have_byte;		/* byte was read */
	uint8_t byte;
};

/*
 * ck_compare_page - compare the reference's view of a page with the
 * model's.  Returns the finding kind, or -1 when they agree; *@severity
 * and @detail describe it.  Write-only pages that the model maps rw are
 * reported as CK_ACCESS_EXTRA with CK_INFO severity: Genode cannot map a
 * page writable but not readable.
 */
int ck_compare_page(const struct ck_page *ref, const struct ck_page *model,
		    int *severity, char *detail, size_t size);

/* The result of one call on one side. */
struct ck_result {
	int rc;			/* 0 or -errno */
	uint64_t val;		/* address, break, or 0 */
};

/* Facts about the call that decide how results compare. */
struct ck_call {
	int call;		/* enum tr_call */
	bool fixed;		/* mmap with MAP_FIXED(_NOREPLACE), mremap
				 * with MREMAP_FIXED */
	bool hinted;		/* mmap with a hint, not fixed */
	uint64_t want_model;	/* the reference's value, translated into
				 * the model's coordinates */
	uint64_t hint_model;	/* the hint, translated */
	uint64_t brk_asked;	/* brk: the break asked for, translated;
				 * 0 for a query */
	enum ck_quota quota;	/* a quota that refused a charge during
				 * the model's call */
	bool outside;		/* the range is one execve made */
};

/*
 * ck_compare_result - compare a model's answer with the reference's.
 * Returns the finding kind or -1.  Where the reference succeeded and the
 * model failed: CK_RESOURCE when a quota ran out during the call, else
 * CK_ADDRESS_SPACE for ENOMEM from a call that places memory (mmap,
 * mremap), else CK_RESULT; *@diverged is set (the program's path
 * changes).  A brk the model did not follow (growth refused, or no brk
 * at all) is CK_RESULT with CK_WARNING: the program's allocator falls
 * back to mmap.  Any difference on a range execve made is CK_OUTSIDE
 * (CK_INFO, no divergence).
 */
int ck_compare_result(const struct ck_call *c, const struct ck_result *ref,
		      const struct ck_result *model, int *severity,
		      bool *diverged, char *detail, size_t size);

/*
 * ck_cause - the root cause of a result finding of @kind, for grouping
 * ("mprotect → ENOSYS", "mmap → not at the fixed address", "brk →
 * refused"): the call and what the model did.  At most 39 bytes.
 */
void ck_cause(const struct ck_call *c, int kind, const struct ck_result *ref,
	      const struct ck_result *model, char *buf, size_t size);

#endif
