/*
 * test_check.c - every rule of sim/check/ that classifies a difference:
 * which kind a page or result difference is, its severity, resource
 * against address-space against result, the hint and fixed-address
 * rules, missing and extra access (read, write, execute, guard,
 * write-only), content, brk, outside, divergence, and the root cause
 * the reports group by.  Each rule has a case on both sides of its
 * condition, so changing any one makes a test here fail.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "rmsim/abi.h"
#include "rmsim/check.h"
#include "rmsim/trace.h"

#define R LX_PROT_READ
#define W LX_PROT_WRITE
#define X LX_PROT_EXEC

static char detail[256];
static int sev;

/* A page as a side sees it: mapped with @prot, readable unless a guard. */
static struct ck_page page(bool mapped, int prot)
{
	struct ck_page p = {mapped, prot, mapped, false, 0};

	return p;
}

static int pages(struct ck_page ref, struct ck_page mod)
{
	sev = -2;
	detail[0] = 0;
	return ck_compare_page(&ref, &mod, &sev, detail, sizeof(detail));
}

static void test_names_and_invariants(void **state)
{
	char msg[128];

	(void)state;
	assert_int_equal(ck_check(msg, sizeof(msg)), 0);
	assert_string_equal(ck_kind_name(CK_RESOURCE), "resource");
	assert_string_equal(ck_kind_name(CK_ADDRESS_SPACE), "address-space");
	assert_string_equal(ck_kind_name(CK_OUTSIDE), "outside");
	assert_string_equal(ck_kind_name(CK_ACCESS_MISSING), "access-missing");
	assert_string_equal(ck_kind_name(CK_NKINDS), "?");
	assert_string_equal(ck_severity_name(CK_ERROR), "error");
	assert_string_equal(ck_severity_name(CK_WARNING), "warning");
	assert_string_equal(ck_severity_name(CK_INFO), "info");
	assert_string_equal(ck_quota_name(CK_QUOTA_PD_RAM),
			    "RAM quota of the PD");
	assert_string_equal(ck_quota_name(CK_QUOTA_RM_CAPS),
			    "cap quota of an RM session");
	/* outside is shown, never counted against the policy */
	assert_false(ck_kind_counts(CK_OUTSIDE));
	assert_true(ck_kind_counts(CK_RESULT));
	assert_true(ck_kind_counts(CK_HINT));
}

/* The names' check fails on a table with a hole or a name twice. */
static void test_names_check_fails(void **state)
{
	static const char *const ok[] = {"a", "b", "c"};
	static const char *const hole[] = {"a", NULL, "c"};
	static const char *const twice[] = {"a", "b", "a"};
	static const char *const first[] = {"a", "a"};
	char msg[128];

	(void)state;
	assert_int_equal(ck_check_names(ok, 3, "kind", msg, sizeof(msg)), 0);
	assert_int_equal(ck_check_names(hole, 3, "kind", msg, sizeof(msg)), -1);
	assert_string_equal(msg, "kind 1 has no name");
	assert_int_equal(ck_check_names(twice, 3, "quota", msg, sizeof(msg)),
			 -1);
	assert_string_equal(msg, "quotas 0 and 2 are both 'a'");
	assert_int_equal(ck_check_names(first, 2, "kind", msg, sizeof(msg)),
			 -1);
	assert_string_equal(msg, "kinds 0 and 1 are both 'a'");
}

static void test_pages_agree(void **state)
{
	(void)state;
	assert_int_equal(pages(page(true, R | W), page(true, R | W)), -1);
	assert_int_equal(pages(page(false, 0), page(false, 0)), -1);
	assert_int_equal(pages(page(true, 0), page(true, 0)), -1);
	/* a PROT_NONE page and an unmapped one look alike to the program */
	assert_int_equal(pages(page(true, 0), page(false, 0)), -1);
	assert_int_equal(pages(page(false, 0), page(true, 0)), -1);
}

static void test_access_missing(void **state)
{
	struct ck_page guard = page(true, R | W);

	(void)state;
	/* mapped and readable, not at all in the model: a crash */
	assert_int_equal(pages(page(true, R), page(false, 0)),
			 CK_ACCESS_MISSING);
	assert_int_equal(sev, CK_ERROR);
	/* the write right lost */
	assert_int_equal(pages(page(true, R | W), page(true, R)),
			 CK_ACCESS_MISSING);
	assert_int_equal(sev, CK_ERROR);
	assert_non_null(strstr(detail, "reference rw-, model r--"));
	/* the execute right lost */
	assert_int_equal(pages(page(true, R | X), page(true, R)),
			 CK_ACCESS_MISSING);
	/* a guard page of the reference (mapped, not readable) is nothing
	 * the program can use: the model need not have it */
	guard.readable = false;
	assert_int_equal(pages(guard, page(false, 0)), -1);
}

static void test_access_extra(void **state)
{
	struct ck_page guard = page(true, R | W);

	(void)state;
	assert_int_equal(pages(page(false, 0), page(true, R)),
			 CK_ACCESS_EXTRA);
	assert_int_equal(sev, CK_WARNING);
	assert_int_equal(pages(page(true, R), page(true, R | W)),
			 CK_ACCESS_EXTRA);
	assert_int_equal(sev, CK_WARNING);
	assert_int_equal(pages(page(true, R), page(true, R | X)),
			 CK_ACCESS_EXTRA);
	/* where the reference has a guard, a usable page is extra */
	guard.readable = false;
	assert_int_equal(pages(guard, page(true, R | W)), CK_ACCESS_EXTRA);
	assert_non_null(strstr(detail, "guard"));
}

static void test_write_only_becomes_rw(void **state)
{
	(void)state;
	/* Genode has no write-only mapping: information, not a warning */
	assert_int_equal(pages(page(true, W), page(true, R | W)),
			 CK_ACCESS_EXTRA);
	assert_int_equal(sev, CK_INFO);
	assert_non_null(strstr(detail, "write-only"));
	/* write-only on both sides would be fine, if Genode had it */
	assert_int_equal(pages(page(true, W), page(true, W)), -1);
	/* write and execute: the execute right makes it readable */
	assert_int_equal(pages(page(true, W | X), page(true, R | W | X)), -1);
}

static void test_content(void **state)
{
	struct ck_page ref = page(true, R | W), mod = page(true, R | W);

	(void)state;
	ref.have_byte = mod.have_byte = true;
	ref.byte = 0;
	mod.byte = 7;
	assert_int_equal(pages(ref, mod), CK_CONTENT);
	assert_int_equal(sev, CK_ERROR);
	assert_non_null(strstr(detail, "stale data visible"));
	ref.byte = 7;
	mod.byte = 0;
	assert_int_equal(pages(ref, mod), CK_CONTENT);
	assert_non_null(strstr(detail, "data lost"));
	mod.byte = 7;
	assert_int_equal(pages(ref, mod), -1);
	/* one side not read: nothing to compare */
	mod.have_byte = false;
	mod.byte = 0;
	assert_int_equal(pages(ref, mod), -1);
	/* missing access outranks content */
	mod = page(true, R);
	mod.have_byte = true;
	assert_int_equal(pages(ref, mod), CK_ACCESS_MISSING);
}

/* ---- results ---- */

static bool diverged;

static int result(const struct ck_call *c, int ref_rc, uint64_t ref_val,
		  int mod_rc, uint64_t mod_val)
{
	struct ck_result ref = {ref_rc, ref_val}, mod = {mod_rc, mod_val};

	sev = -2;
	detail[0] = 0;
	diverged = true;	/* must be cleared where nothing diverges */
	return ck_compare_result(c, &ref, &mod, &sev, &diverged, detail,
				 sizeof(detail));
}

static struct ck_call call(int which)
{
	struct ck_call c;

	memset(&c, 0, sizeof(c));
	c.call = which;
	return c;
}

static void test_errnos(void **state)
{
	struct ck_call c = call(TR_MPROTECT);

	(void)state;
	assert_int_equal(result(&c, -LX_EINVAL, 0, -LX_EINVAL, 0), -1);
	assert_false(diverged);
	assert_int_equal(result(&c, -LX_EINVAL, 0, -LX_ENOMEM, 0), CK_RESULT);
	assert_int_equal(sev, CK_ERROR);
	/* both failed: the program takes the error path either way */
	assert_false(diverged);
	assert_non_null(strstr(detail, "EINVAL"));
	assert_non_null(strstr(detail, "ENOMEM"));
}

static void test_one_side_fails(void **state)
{
	struct ck_call c = call(TR_MPROTECT);

	(void)state;
	assert_int_equal(result(&c, 0, 0, -LX_ENOSYS, 0), CK_RESULT);
	assert_int_equal(sev, CK_ERROR);
	assert_true(diverged);
	/* the model succeeds where Linux failed */
	assert_int_equal(result(&c, -LX_EINVAL, 0, 0, 0), CK_RESULT);
	assert_true(diverged);
	/* a quota that refused nothing: ENOMEM from mprotect is "not
	 * mapped", a wrong answer, not want of room */
	assert_int_equal(result(&c, 0, 0, -LX_ENOMEM, 0), CK_RESULT);
}

static void test_resource_only_when_a_quota_ran_out(void **state)
{
	struct ck_call c = call(TR_MMAP);

	(void)state;
	c.quota = CK_QUOTA_PD_RAM;
	assert_int_equal(result(&c, 0, 0x1000, -LX_ENOMEM, 0), CK_RESOURCE);
	assert_int_equal(sev, CK_ERROR);
	assert_true(diverged);
	assert_non_null(strstr(detail, "RAM quota of the PD"));
	c.quota = CK_QUOTA_RM_CAPS;
	assert_int_equal(result(&c, 0, 0x1000, -LX_ENOMEM, 0), CK_RESOURCE);
	assert_non_null(strstr(detail, "cap quota of an RM session"));
	/* any errno: the quota is the cause */
	assert_int_equal(result(&c, 0, 0x1000, -LX_EINVAL, 0), CK_RESOURCE);
	/* a quota refusal on a call Linux failed too is no resource
	 * finding: both failed alike */
	assert_int_equal(result(&c, -LX_ENOMEM, 0, -LX_ENOMEM, 0), -1);
}

static void test_address_space(void **state)
{
	struct ck_call c = call(TR_MMAP);

	(void)state;
	/* ENOMEM from a call that places memory, no quota short: no room */
	assert_int_equal(result(&c, 0, 0x1000, -LX_ENOMEM, 0),
			 CK_ADDRESS_SPACE);
	assert_int_equal(sev, CK_ERROR);
	assert_true(diverged);
	c = call(TR_MREMAP);
	assert_int_equal(result(&c, 0, 0x1000, -LX_ENOMEM, 0),
			 CK_ADDRESS_SPACE);
	/* another errno is a wrong answer */
	c = call(TR_MMAP);
	assert_int_equal(result(&c, 0, 0x1000, -LX_EINVAL, 0), CK_RESULT);
}

static void test_values(void **state)
{
	struct ck_call c = call(TR_MUNMAP);

	(void)state;
	assert_int_equal(result(&c, 0, 0, 0, 0), -1);
	assert_false(diverged);
	c = call(TR_MINCORE);
	assert_int_equal(result(&c, 0, 1, 0, 2), CK_RESULT);
	assert_int_equal(sev, CK_ERROR);
	/* addresses of mmap differ by design (relocation): no finding */
	c = call(TR_MMAP);
	assert_int_equal(result(&c, 0, 0x7f0000000000, 0, 0x50000000), -1);
}

static void test_fixed(void **state)
{
	struct ck_call c = call(TR_MMAP);

	(void)state;
	c.fixed = true;
	c.want_model = 0x40000000;
	assert_int_equal(result(&c, 0, 0x40000000, 0, 0x40000000), -1);
	assert_int_equal(result(&c, 0, 0x40000000, 0, 0x50000000),
			 CK_ADDRESS);
	assert_int_equal(sev, CK_ERROR);
	c = call(TR_MREMAP);
	c.fixed = true;
	c.want_model = 0x40000000;
	assert_int_equal(result(&c, 0, 0x40000000, 0, 0x50000000),
			 CK_ADDRESS);
}

static void test_hint(void **state)
{
	struct ck_call c = call(TR_MMAP);

	(void)state;
	c.hinted = true;
	c.hint_model = 0x40000000;
	assert_int_equal(result(&c, 0, 0x40000000, 0, 0x50000000), CK_HINT);
	assert_int_equal(sev, CK_INFO);
	assert_false(diverged);
	assert_int_equal(result(&c, 0, 0x40000000, 0, 0x40000000), -1);
	/* a hint the reference did not honour binds nobody */
	assert_int_equal(result(&c, 0, 0x60000000, 0, 0x50000000), -1);
	c.hinted = false;
	assert_int_equal(result(&c, 0, 0x40000000, 0, 0x50000000), -1);
}

static void test_brk(void **state)
{
	struct ck_call c = call(TR_BRK);

	(void)state;
	/* the model's heap is elsewhere: compared in its coordinates */
	c.brk_asked = 0x50021000;
	c.want_model = 0x50021000;
	assert_int_equal(result(&c, 0, 0x5638a021000, 0, 0x50021000), -1);
	assert_false(diverged);
	/* growth Linux granted, refused: the old break comes back */
	assert_int_equal(result(&c, 0, 0x5638a021000, 0, 0x50000000),
			 CK_RESULT);
	assert_int_equal(sev, CK_WARNING);
	assert_true(diverged);
	assert_non_null(strstr(detail, "falls back to mmap"));
	assert_non_null(strstr(detail, "cannot grow"));
	/* no brk at all */
	assert_int_equal(result(&c, 0, 0x5638a021000, -LX_ENOSYS, 0),
			 CK_RESULT);
	assert_int_equal(sev, CK_WARNING);
	assert_non_null(strstr(detail, "no brk"));
	/* a query answered with another break */
	c.brk_asked = 0;
	c.want_model = 0x50000000;
	assert_int_equal(result(&c, 0, 0x5638a000000, 0, 0x60000000),
			 CK_RESULT);
	assert_int_equal(sev, CK_WARNING);
	/* Linux refused the growth (want is the old break), the model
	 * granted it: the model is wrong */
	c.brk_asked = 0x50021000;
	c.want_model = 0x50000000;
	assert_int_equal(result(&c, 0, 0x5638a000000, 0, 0x50021000),
			 CK_RESULT);
	assert_int_equal(sev, CK_ERROR);
	assert_int_equal(result(&c, 0, 0x5638a000000, 0, 0x50000000), -1);
}

static void test_outside(void **state)
{
	struct ck_call c = call(TR_MPROTECT);

	(void)state;
	c.outside = true;
	assert_int_equal(result(&c, 0, 0, -LX_ENOMEM, 0), CK_OUTSIDE);
	assert_int_equal(sev, CK_INFO);
	/* not the policy's path: no divergence */
	assert_false(diverged);
	assert_int_equal(result(&c, 0, 0, 0, 0), -1);
	c.outside = false;
	assert_int_equal(result(&c, 0, 0, -LX_ENOMEM, 0), CK_RESULT);
}

static void test_causes(void **state)
{
	struct ck_call c = call(TR_MPROTECT);
	struct ck_result ok = {0, 0}, nosys = {-LX_ENOSYS, 0};
	struct ck_result einval = {-LX_EINVAL, 0}, val = {0, 5};
	char buf[40];

	(void)state;
	ck_cause(&c, CK_RESULT, &ok, &nosys, buf, sizeof(buf));
	assert_string_equal(buf, "mprotect \u2192 ENOSYS");
	ck_cause(&c, CK_RESULT, &einval, &ok, buf, sizeof(buf));
	assert_string_equal(buf, "mprotect \u2192 succeeds");
	ck_cause(&c, CK_RESULT, &ok, &val, buf, sizeof(buf));
	assert_string_equal(buf, "mprotect \u2192 another value");
	ck_cause(&c, CK_ACCESS_MISSING, &ok, &ok, buf, sizeof(buf));
	assert_string_equal(buf, "mprotect \u2192 access-missing");
	c = call(TR_MMAP);
	ck_cause(&c, CK_ADDRESS, &ok, &ok, buf, sizeof(buf));
	assert_string_equal(buf, "mmap \u2192 not at the fixed address");
	ck_cause(&c, CK_HINT, &ok, &ok, buf, sizeof(buf));
	assert_string_equal(buf, "mmap \u2192 hint not taken");
	c.quota = CK_QUOTA_PD_RAM;
	ck_cause(&c, CK_RESOURCE, &ok, &nosys, buf, sizeof(buf));
	assert_string_equal(buf, "mmap \u2192 PD RAM quota");
	c.quota = CK_QUOTA_RM_RAM;
	ck_cause(&c, CK_RESOURCE, &ok, &nosys, buf, sizeof(buf));
	assert_string_equal(buf, "mmap \u2192 RM session RAM");
	c = call(TR_BRK);
	c.want_model = 0x50021000;
	val.val = 0x50000000;
	ck_cause(&c, CK_RESULT, &ok, &val, buf, sizeof(buf));
	assert_string_equal(buf, "brk \u2192 refused");
	/* short buffers are cut, never overrun */
	ck_cause(&c, CK_RESULT, &ok, &val, buf, 6);
	assert_int_equal(strlen(buf), 5);
}

/*
 * The details and causes exactly as the reports show them: each side's
 * rights (r, w, x, guard, unmapped), each side's result (an address, or
 * -1 and the errno's name, E? for one without), and the rule's own
 * words.
 */
static void test_details_read_as_shown(void **state)
{
	struct ck_call c = call(TR_MPROTECT);
	struct ck_page guard = page(true, R | W);

	(void)state;
	assert_int_equal(pages(page(true, R | X), page(true, R)),
			 CK_ACCESS_MISSING);
	assert_string_equal(detail, "reference r-x, model r--");
	assert_int_equal(pages(page(true, R), page(false, 0)),
			 CK_ACCESS_MISSING);
	assert_string_equal(detail, "reference r--, model unmapped");
	assert_int_equal(pages(page(true, R), page(true, R | W)),
			 CK_ACCESS_EXTRA);
	assert_string_equal(detail, "reference r--, model rw-");
	guard.readable = false;
	assert_int_equal(pages(guard, page(true, R | W)), CK_ACCESS_EXTRA);
	assert_string_equal(detail, "reference rw- guard, model rw-");
	assert_int_equal(pages(page(true, W), page(true, R | W)),
			 CK_ACCESS_EXTRA);
	assert_string_equal(detail, "reference -w-, model rw- "
				    "(write-only becomes rw)");

	assert_int_equal(result(&c, -LX_EINVAL, 0, -4000, 0), CK_RESULT);
	assert_string_equal(detail, "reference -1 EINVAL, model -1 E?");
	assert_int_equal(result(&c, 0, 0, -LX_ENOMEM, 0), CK_RESULT);
	assert_string_equal(detail, "reference 0, model -1 ENOMEM");
	c = call(TR_MINCORE);
	assert_int_equal(result(&c, 0, 1, 0, 2), CK_RESULT);
	assert_string_equal(detail, "reference 0x1, model 0x2");
	c = call(TR_MMAP);
	c.quota = CK_QUOTA_PD_CAPS;
	assert_int_equal(result(&c, 0, 0x1000, -LX_ENOMEM, 0), CK_RESOURCE);
	assert_string_equal(detail, "reference 0x1000, model -1 ENOMEM: the "
				    "cap quota of the PD ran out");
	c.quota = CK_QUOTA_NONE;
	assert_int_equal(result(&c, 0, 0x1000, -LX_ENOMEM, 0),
			 CK_ADDRESS_SPACE);
	assert_string_equal(detail, "reference 0x1000, model -1 ENOMEM: no "
				    "room in the policy's address space");
	assert_int_equal(result(&c, 0, 0x1000, -LX_EINVAL, 0), CK_RESULT);
	assert_string_equal(detail, "reference 0x1000, model -1 EINVAL");
	c.fixed = true;
	c.want_model = 0x40000000;
	assert_int_equal(result(&c, 0, 0x40000000, 0, 0x50000000),
			 CK_ADDRESS);
	assert_string_equal(detail, "fixed at 0x40000000, model placed it at "
				    "0x50000000");
	c = call(TR_MMAP);
	c.hinted = true;
	c.hint_model = 0x40000000;
	assert_int_equal(result(&c, 0, 0x40000000, 0, 0x50000000), CK_HINT);
	assert_string_equal(detail, "hint 0x40000000 honoured by the "
				    "reference, model placed it at 0x50000000");
	/* outside the policy's range: information, the detail kept */
	c = call(TR_MPROTECT);
	c.outside = true;
	assert_int_equal(result(&c, 0, 0, -LX_ENOMEM, 0), CK_OUTSIDE);
	assert_string_equal(detail, "reference 0, model -1 ENOMEM");
}

static void test_brk_details(void **state)
{
	struct ck_call c = call(TR_BRK);

	(void)state;
	c.brk_asked = 0x50021000;
	c.want_model = 0x50021000;
	assert_int_equal(result(&c, 0, 0x5638a021000, 0, 0x50000000),
			 CK_RESULT);
	assert_string_equal(detail, "reference 0x5638a021000, model "
				    "0x50000000: the break cannot grow; the "
				    "program's allocator falls back to mmap");
	assert_int_equal(result(&c, 0, 0x5638a021000, -LX_ENOSYS, 0),
			 CK_RESULT);
	assert_string_equal(detail, "reference 0x5638a021000, model -1 "
				    "ENOSYS: no brk; the program's allocator "
				    "falls back to mmap");
	c.brk_asked = 0;
	c.want_model = 0x50000000;
	assert_int_equal(result(&c, 0, 0x5638a000000, 0, 0x60000000),
			 CK_RESULT);
	assert_string_equal(detail, "reference 0x5638a000000, model "
				    "0x60000000: another break; the program's "
				    "allocator falls back to mmap");
	/* both refused alike, another errno: a plain wrong answer */
	assert_int_equal(result(&c, -LX_ENOMEM, 0, -LX_ENOSYS, 0),
			 CK_RESULT);
	assert_int_equal(sev, CK_ERROR);
	assert_false(diverged);
}

/* Names out of their tables read "?", never another table's entry. */
static void test_names_out_of_range(void **state)
{
	(void)state;
	assert_string_equal(ck_severity_name(-1), "?");
	assert_string_equal(ck_severity_name(CK_INFO + 1), "?");
	assert_string_equal(ck_quota_name(CK_QUOTA_NONE), "no quota");
	assert_string_equal(ck_quota_name(CK_QUOTA_RM_CAPS + 1), "?");
	assert_string_equal(ck_kind_name(-1), "?");
	assert_string_equal(ck_kind_name(CK_CONTENT), "content");
}

static void test_causes_of_failures(void **state)
{
	struct ck_call c = call(TR_BRK);
	struct ck_result ok = {0, 0}, nosys = {-LX_ENOSYS, 0};
	struct ck_result odd = {-4000, 0};
	char buf[64];

	(void)state;
	c.want_model = 0x50021000;
	ck_cause(&c, CK_RESULT, &ok, &nosys, buf, sizeof(buf));
	assert_string_equal(buf, "brk \u2192 ENOSYS");
	ck_cause(&c, CK_RESULT, &ok, &odd, buf, sizeof(buf));
	assert_string_equal(buf, "brk \u2192 fails");
	/* Linux refused, the model gave a break: not a refusal */
	ck_cause(&c, CK_RESULT, &nosys, &ok, buf, sizeof(buf));
	assert_string_equal(buf, "brk \u2192 succeeds");
	c = call(TR_MMAP);
	ck_cause(&c, CK_ADDRESS_SPACE, &ok, &odd, buf, sizeof(buf));
	assert_string_equal(buf, "mmap \u2192 fails");
	ck_cause(&c, CK_OUTSIDE, &ok, &nosys, buf, sizeof(buf));
	assert_string_equal(buf, "mmap \u2192 ENOSYS");
	c.quota = CK_QUOTA_NONE;
	ck_cause(&c, CK_RESOURCE, &ok, &nosys, buf, sizeof(buf));
	assert_string_equal(buf, "mmap \u2192 quota");
	c.quota = CK_QUOTA_PD_CAPS;
	ck_cause(&c, CK_RESOURCE, &ok, &nosys, buf, sizeof(buf));
	assert_string_equal(buf, "mmap \u2192 PD cap quota");
	c.quota = CK_QUOTA_RM_CAPS;
	ck_cause(&c, CK_RESOURCE, &ok, &nosys, buf, sizeof(buf));
	assert_string_equal(buf, "mmap \u2192 RM session caps");
	c.quota = CK_QUOTA_RM_CAPS + 1;
	ck_cause(&c, CK_RESOURCE, &ok, &nosys, buf, sizeof(buf));
	assert_string_equal(buf, "mmap \u2192 quota");
	ck_cause(&c, CK_CONTENT, &ok, &ok, buf, sizeof(buf));
	assert_string_equal(buf, "mmap \u2192 content");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_and_invariants),
		cmocka_unit_test(test_names_check_fails),
		cmocka_unit_test(test_pages_agree),
		cmocka_unit_test(test_access_missing),
		cmocka_unit_test(test_access_extra),
		cmocka_unit_test(test_write_only_becomes_rw),
		cmocka_unit_test(test_content),
		cmocka_unit_test(test_errnos),
		cmocka_unit_test(test_one_side_fails),
		cmocka_unit_test(test_resource_only_when_a_quota_ran_out),
		cmocka_unit_test(test_address_space),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_fixed),
		cmocka_unit_test(test_hint),
		cmocka_unit_test(test_brk),
		cmocka_unit_test(test_outside),
		cmocka_unit_test(test_causes),
		cmocka_unit_test(test_details_read_as_shown),
		cmocka_unit_test(test_brk_details),
		cmocka_unit_test(test_names_out_of_range),
		cmocka_unit_test(test_causes_of_failures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
