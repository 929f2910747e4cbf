/*
 * check.c - the comparisons behind every finding (see rmsim/check.h).
 *
 * Kept free of any target or model: the replay gathers each side's view
 * of a result or a page, and this file says whether they differ, how,
 * and how much it matters.  Severity follows what the program would
 * experience: a crash or wrong data is an error, access the program did
 * not ask for is a warning, a hint not taken is information (Linux may
 * refuse hints too).
 */
#include "rmsim/check.h"

#include "rmsim/abi.h"
#include "rmsim/trace.h"

#include <inttypes.h>
#include <stdio.h>

static const char *const kind_names[CK_NKINDS] = {
	[CK_RESULT] = "result",
	[CK_ADDRESS] = "address",
	[CK_HINT] = "hint",
	[CK_ACCESS_MISSING] = "access-missing",
	[CK_ACCESS_EXTRA] = "access-extra",
	[CK_CONTENT] = "content",
	[CK_RESOURCE] = "resource",
	[CK_DIVERGENCE] = "divergence",
};

const char *ck_kind_name(enum ck_kind k)
{
	return (unsigned)k < CK_NKINDS ? kind_names[k] : "?";
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
	if (ref_w && !ref_r && mod_any && (model->prot & LX_PROT_READ)) {
		/* write-only: Genode has no such mapping */
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

int ck_compare_result(const struct ck_call *c, const struct ck_result *ref,
		      const struct ck_result *model, int *severity,
		      bool *diverged, char *detail, size_t size)
{
	char r[48], m[48];
	bool returns_address = c->call == TR_MMAP || c->call == TR_MREMAP;

	*diverged = false;
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
	if (ref->rc < 0 || model->rc < 0) {
		*diverged = true;
		*severity = CK_ERROR;
		both(r, m, sizeof(r), ref, model);
		snprintf(detail, size, "reference %s, model %s", r, m);
		if (model->rc == -LX_ENOMEM && c->quota_short)
			return CK_RESOURCE;
		return CK_RESULT;
	}
	if (!returns_address) {
		if (c->call == TR_BRK || ref->val == model->val)
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
