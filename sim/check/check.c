/*
 * check.c - the comparisons behind every finding (see rmsim/check.h).
 *
 * Kept free of any target or model: the replay gathers each side's view
 * of a result or a page, and this file says whether they differ, how,
 * and how much it matters.  Severity follows what the program would
 * experience: a crash or wrong data is an error, access the program did
 * not ask for is a warning, a hint not taken is information (Linux may
 * refuse hints too).  What a finding is called follows its cause: a
 * quota that ran out (resource) is told apart from an address space
 * without room (address-space) and from a plain wrong answer (result),
 * because each asks for a different remedy (more quota, another
 * layout or window, a fix in the policy).
 */
#include "rmsim/check.h"

#include "rmsim/abi.h"
#include "rmsim/trace.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static const char *const kind_names[CK_NKINDS] = {
	[CK_RESULT] = "result",
	[CK_ADDRESS] = "address",
	[CK_HINT] = "hint",
	[CK_ACCESS_MISSING] = "access-missing",
	[CK_ACCESS_EXTRA] = "access-extra",
	[CK_CONTENT] = "content",
	[CK_RESOURCE] = "resource",
	[CK_ADDRESS_SPACE] = "address-space",
	[CK_DIVERGENCE] = "divergence",
	[CK_OUTSIDE] = "outside",
};

bool ck_kind_counts(enum ck_kind k)
{
	return k != CK_OUTSIDE;
}

const char *ck_quota_name(enum ck_quota q)
{
	static const char *const names[] = {
		[CK_QUOTA_NONE] = "no quota",
		[CK_QUOTA_PD_RAM] = "RAM quota of the PD",
		[CK_QUOTA_PD_CAPS] = "cap quota of the PD",
		[CK_QUOTA_RM_RAM] = "RAM quota of an RM session",
		[CK_QUOTA_RM_CAPS] = "cap quota of an RM session",
	};

	return (unsigned)q <= CK_QUOTA_RM_CAPS ? names[q] : "?";
}

const char *ck_kind_name(enum ck_kind k)
{
	return (unsigned)k < CK_NKINDS ? kind_names[k] : "?";
}

int ck_check_names(const char *const names[], int n, const char *what,
		   char *msg, size_t size)
{
	int k, j;

	for (k = 0; k < n; k++) {
		if (!names[k]) {
			snprintf(msg, size, "%s %d has no name", what, k);
			return -1;
		}
		for (j = 0; j < k; j++)
			if (strcmp(names[j], names[k]) == 0) {
				snprintf(msg, size,
					 "%ss %d and %d are both "
					 "'%s'",
					 what, j, k, names[k]);
				return -1;
			}
	}
	return 0;
}

int ck_check(char *msg, size_t size)
{
	const char *quotas[CK_QUOTA_RM_CAPS + 1];
	int k;

	if (ck_check_names(kind_names, CK_NKINDS, "kind", msg, size))
		return -1;
	for (k = 0; k < CK_NKINDS; k++)
		if (ck_kind_counts(k) != (k != CK_OUTSIDE)) {
			snprintf(msg, size, "kind '%s' counted wrongly",
				 kind_names[k]);
			return -1;
		}
	for (k = CK_QUOTA_NONE; k <= CK_QUOTA_RM_CAPS; k++)
		quotas[k] =
			strcmp(ck_quota_name(k), "?") ? ck_quota_name(k) : NULL;
	return ck_check_names(quotas, CK_QUOTA_RM_CAPS + 1, "quota", msg, size);
}

const char *ck_severity_name(int severity)
{
	static const char *const names[] = {"error", "warning", "info"};

	return severity >= 0 && severity <= CK_INFO ? names[severity] : "?";
}

static void rights(const struct ck_page *p, char *buf)
{
	if (!p->mapped) {
		snprintf(buf, 12, "unmapped");
		return;
	}
	buf[0] = p->prot & LX_PROT_READ ? 'r' : '-';
	buf[1] = p->prot & LX_PROT_WRITE ? 'w' : '-';
	buf[2] = p->prot & LX_PROT_EXEC ? 'x' : '-';
	buf[3] = '\0';
	if (!p->readable && (p->prot & (LX_PROT_READ | LX_PROT_WRITE)))
		snprintf(buf + 3, 9, " guard");
}

int ck_compare_page(const struct ck_page *ref, const struct ck_page *model,
		    int *severity, char *detail, size_t size)
{
	char r[16], m[16];
	bool ref_any = ref->mapped && ref->readable &&
		       (ref->prot & (LX_PROT_READ | LX_PROT_WRITE |
				     LX_PROT_EXEC));
	bool mod_any = model->mapped &&
		       (model->prot & (LX_PROT_READ | LX_PROT_WRITE |
				       LX_PROT_EXEC));
	bool ref_w = ref_any && (ref->prot & LX_PROT_WRITE);
	bool mod_w = mod_any && (model->prot & LX_PROT_WRITE);
	bool ref_x = ref_any && (ref->prot & LX_PROT_EXEC);
	bool mod_x = mod_any && (model->prot & LX_PROT_EXEC);
	bool ref_r = ref_any && (ref->prot & (LX_PROT_READ | LX_PROT_EXEC));

	rights(ref, r);
	rights(model, m);
	if ((ref_any && !mod_any) || (ref_w && !mod_w) || (ref_x && !mod_x)) {
		*severity = CK_ERROR;
		snprintf(detail, size, "reference %s, model %s", r, m);
		return CK_ACCESS_MISSING;
	}
	if (ref->have_byte && model->have_byte && ref->byte != model->byte) {
		*severity = CK_ERROR;
		snprintf(detail, size,
			 "%s: reference reads %#x, model %#x",
			 ref->byte == 0 ? "stale data visible" : "data lost",
			 ref->byte, model->byte);
		return CK_CONTENT;
	}
	if ((!ref_any && mod_any) || (!ref_w && mod_w) || (!ref_x && mod_x)) {
		*severity = CK_WARNING;
		snprintf(detail, size, "reference %s, model %s", r, m);
		return CK_ACCESS_EXTRA;
	}
	if (ref_w && !ref_r && (model->prot & LX_PROT_READ)) {
		/* write-only: Genode has no such mapping (the model has
		 * the page: ref_w without mod_w returned above) */
		*severity = CK_INFO;
		snprintf(detail, size,
			 "reference %s, model %s (write-only becomes rw)", r,
			 m);
		return CK_ACCESS_EXTRA;
	}
	return -1;
}

static void describe(char *buf, size_t size, const struct ck_result *x)
{
	if (x->rc < 0)
		snprintf(buf, size, "-1 %s",
			 abi_errno_name(-x->rc) ? abi_errno_name(-x->rc)
						: "E?");
	else
		snprintf(buf, size, "%#" PRIx64, x->val);
}

static void both(char *r, char *m, size_t size, const struct ck_result *ref,
		 const struct ck_result *model)
{
	describe(r, size, ref);
	describe(m, size, model);
}

/*
 * brk the model did not follow: growth refused (the old break back) or
 * no brk at all.  glibc's malloc then takes its memory from mmap, so the
 * program goes on, by another path.
 */
static int brk_refused(const struct ck_call *c, const struct ck_result *ref,
		       const struct ck_result *model, int *severity,
		       bool *diverged, char *detail, size_t size)
{
	char r[48], m[48];

	both(r, m, sizeof(r), ref, model);
	*diverged = true;
	*severity = CK_WARNING;
	snprintf(detail, size, "reference %s, model %s: %s; the program's "
		 "allocator falls back to mmap", r, m,
		 model->rc < 0 ? "no brk" : c->brk_asked
						? "the break cannot grow"
						: "another break");
	return CK_RESULT;
}

static int compare(const struct ck_call *c, const struct ck_result *ref,
		   const struct ck_result *model, int *severity,
		   bool *diverged, char *detail, size_t size)
{
	char r[48], m[48];
	bool returns_address = c->call == TR_MMAP || c->call == TR_MREMAP;

	/* the texts only when there is a finding: this runs for every
	 * event */
	if (ref->rc < 0 && model->rc < 0) {
		if (ref->rc == model->rc)
			return -1;
		*severity = CK_ERROR;
		both(r, m, sizeof(r), ref, model);
		snprintf(detail, size, "reference %s, model %s", r, m);
		return CK_RESULT;
	}
	if (ref->rc == 0 && c->call == TR_BRK &&
	    (model->rc < 0 || model->val != c->want_model) &&
	    (model->rc < 0 || !c->brk_asked ||
	     c->want_model == c->brk_asked))
		return brk_refused(c, ref, model, severity, diverged, detail,
				   size);
	if (ref->rc < 0 || model->rc < 0) {
		*diverged = true;
		*severity = CK_ERROR;
		both(r, m, sizeof(r), ref, model);
		if (ref->rc == 0 && c->quota != CK_QUOTA_NONE) {
			snprintf(detail, size, "reference %s, model %s: the "
				 "%s ran out", r, m, ck_quota_name(c->quota));
			return CK_RESOURCE;
		}
		if (ref->rc == 0 && model->rc == -LX_ENOMEM &&
		    returns_address) {
			snprintf(detail, size, "reference %s, model %s: no "
				 "room in the policy's address space", r, m);
			return CK_ADDRESS_SPACE;
		}
		snprintf(detail, size, "reference %s, model %s", r, m);
		return CK_RESULT;
	}
	if (!returns_address) {
		/* the break in the model's coordinates */
		if (model->val ==
		    (c->call == TR_BRK ? c->want_model : ref->val))
			return -1;
		*severity = CK_ERROR;
		both(r, m, sizeof(r), ref, model);
		snprintf(detail, size, "reference %s, model %s", r, m);
		return CK_RESULT;
	}
	if (c->fixed && model->val != c->want_model) {
		*severity = CK_ERROR;
		describe(m, sizeof(m), model);
		snprintf(detail, size, "fixed at %#" PRIx64 ", model placed it "
			 "at %s", c->want_model, m);
		return CK_ADDRESS;
	}
	if (c->hinted && ref->val == c->hint_model &&
	    model->val != c->hint_model) {
		*severity = CK_INFO;
		describe(m, sizeof(m), model);
		snprintf(detail, size, "hint %#" PRIx64 " honoured by the "
			 "reference, model placed it at %s", c->hint_model, m);
		return CK_HINT;
	}
	return -1;
}

int ck_compare_result(const struct ck_call *c, const struct ck_result *ref,
		      const struct ck_result *model, int *severity,
		      bool *diverged, char *detail, size_t size)
{
	int kind;

	*diverged = false;
	kind = compare(c, ref, model, severity, diverged, detail, size);
	if (kind >= 0 && c->outside) {
		/* not the policy's range: the program's path is whatever
		 * Genode's dynamic linker makes of it */
		*diverged = false;
		*severity = CK_INFO;
		return CK_OUTSIDE;
	}
	return kind;
}

void ck_cause(const struct ck_call *c, int kind, const struct ck_result *ref,
	      const struct ck_result *model, char *buf, size_t size)
{
	const char *call = tr_call_name(c->call), *what;
	/* NULL for a success (abi_errno_name names only errnos) */
	const char *e = abi_errno_name(-model->rc);

	switch (kind) {
	case CK_ADDRESS:
		what = "not at the fixed address";
		break;
	case CK_HINT:
		what = "hint not taken";
		break;
	case CK_RESOURCE: {
		static const char *const quota[] = {
			"quota", "PD RAM quota", "PD cap quota",
			"RM session RAM", "RM session caps",
		};

		what = (unsigned)c->quota <= CK_QUOTA_RM_CAPS
			       ? quota[c->quota]
			       : "quota";
		break;
	}
	case CK_RESULT:
	case CK_ADDRESS_SPACE:
	case CK_OUTSIDE:
		if (c->call == TR_BRK && ref->rc == 0 &&
		    (model->rc < 0 || model->val != c->want_model))
			what = model->rc < 0 ? (e ? e : "fails") : "refused";
		else if (model->rc < 0)
			what = e ? e : "fails";
		else if (ref->rc < 0)
			what = "succeeds";
		else
			what = "another value";
		break;
	default:
		what = ck_kind_name(kind);
		break;
	}
	snprintf(buf, size, "%s \u2192 %s", call, what);
}
