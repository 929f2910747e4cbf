/*
 * test_policy_window.c - the `window` policy on the Genode model: Go's
 * arena start-up on three layouts, every way a committed range is cut
 * (MAP_FIXED over the middle, partial munmap, mprotect of part), contents
 * kept or zeroed as Linux keeps or zeroes them, mremap moving contents,
 * shared memory, guards, Linux's errors, quota exhaustion, the set-up
 * parameters, and a randomised comparison with the reference model.
 * Results and Genode state (rights through env, contents, RAM, caps,
 * attachments) are asserted; gn_check and the policy's own checker run
 * after every operation.
 */
#include "win_fixture.h"

/* test_policy_window_genode.c runs the same tests on the port */
#ifndef WIN_POLICY
#define WIN_POLICY pol_window
#endif

/* Go's arena start-up: a 64 MiB PROT_NONE reservation at the hint, 4 MiB
 * commits inside with MAP_FIXED, the scavenger's MADV_DONTNEED, and the
 * trims Go does with munmap. */
static void go_arena(const char *layout, bool hint_fits)
{
	struct wfx f;
	uint64_t a, ram, caps, att;

	wfx_open(&f, &WIN_POLICY, layout);
	att = gn_region_map_count(gn_env_rm(f.gn));
	a = wmap(&f, GO_HINT, 64 * MiB, NONE, ANON);
	if (hint_fits) {
		assert_int_equal(a, GO_HINT);
	} else {
		/* the window ends below the hint: placed inside anyway */
		assert_true(a >= wfx_base(&f) && a + 64 * MiB <= wfx_top(&f));
	}
	/* a reservation costs nothing and nothing reaches it */
	assert_int_equal(wfx_ram(&f), 0);
	assert_int_equal(gn_region_map_count(gn_env_rm(f.gn)), att);
	assert_int_equal(wrights(&f, a), -1);
	assert_int_equal(wload_r(&f, a), GN_ACCESS_STOPPED);

	caps = gn_metrics(f.gn)->caps_used;
	assert_int_equal(wmap(&f, a, 4 * MiB, RW, FIXED), a);
	assert_int_equal(wmap(&f, a + 4 * MiB, 4 * MiB, RW, FIXED),
			 a + 4 * MiB);
	assert_int_equal(wfx_ram(&f), 8 * MiB);
	/* one dataspace, one cap, per commit */
	assert_int_equal(gn_metrics(f.gn)->caps_used - caps, 2);
	assert_int_equal(wrights(&f, a), RW);
	assert_int_equal(wrights(&f, a + 8 * MiB - PG), RW);
	assert_int_equal(wrights(&f, a + 8 * MiB), -1);
	assert_int_equal(wload(&f, a + 5 * MiB), 0);
	assert_int_equal(wstore(&f, a, 0x11), 0);
	assert_int_equal(wstore(&f, a + 64 * KiB, 0x22), 0);
	assert_int_equal(wstore(&f, a + 5 * MiB, 0x33), 0);

	/* the scavenger: DONTNEED zeroes exactly its pages, RAM stays */
	ram = wfx_ram(&f);
	assert_int_equal(wadv(&f, a + 64 * KiB, 64 * KiB, LX_MADV_DONTNEED),
			 0);
	assert_int_equal(wload(&f, a + 64 * KiB), 0);
	assert_int_equal(wload(&f, a), 0x11);
	assert_int_equal(wload(&f, a + 5 * MiB), 0x33);
	assert_int_equal(wfx_ram(&f), ram);
	assert_int_equal(wadv(&f, a, 4 * MiB, LX_MADV_NOHUGEPAGE), 0);
	assert_int_equal(wload(&f, a), 0x11);

	/* trimming the reservation's head and a committed tail */
	assert_int_equal(wunmap(&f, a + 7 * MiB, 57 * MiB), 0);
	assert_int_equal(wrights(&f, a + 7 * MiB), -1);
	assert_int_equal(wload(&f, a + 5 * MiB), 0x33);
	assert_int_equal(wunmap(&f, a, 4 * MiB), 0);
	assert_int_equal(wload_r(&f, a), GN_ACCESS_STOPPED);
	assert_int_equal(wfx_ram(&f), 4 * MiB);	/* the second commit */
	assert_int_equal(wunmap(&f, a, 64 * MiB), 0);
	assert_int_equal(wfx_ram(&f), 0);
	assert_int_equal(gn_metrics(f.gn)->caps_used, caps);
	assert_int_equal(gn_region_map_count(gn_env_rm(f.gn)), att);
	wfx_close(&f);
}

static void test_go_arena_nova(void **state)
{
	go_arena("nova-x86_64", true);
}

static void test_go_arena_hw64(void **state)
{
	go_arena("hw-64", false);
}

static void test_go_arena_sel4(void **state)
{
	go_arena("sel4-64", false);
}

/* Hints beyond the window fold into it: Go's next arena follows its
 * last one, so fixed commits that span both still work. */
static void test_hints_beyond_window_stay_consecutive(void **state)
{
	struct wfx f;
	uint64_t a, b;

	wfx_open(&f, &WIN_POLICY, "hw-64");
	/* hw-64's address space ends at 256 GiB */
	assert_int_equal(wfx_top(&f), 1ULL << 38);
	a = wmap(&f, GO_HINT, 64 * MiB, NONE, ANON);
	b = wmap(&f, GO_HINT + 64 * MiB, 64 * MiB, NONE, ANON);
	assert_int_equal(b, a + 64 * MiB);
	assert_int_equal(wmap(&f, a + 60 * MiB, 8 * MiB, RW, FIXED),
			 a + 60 * MiB);
	assert_int_equal(wstore(&f, b + MiB, 5), 0);
	assert_int_equal(wload(&f, b + MiB), 5);
	/* a fixed range beyond the window cannot be mapped */
	assert_int_equal(wmmap(&f, GO_HINT, PG, RW, FIXED, NULL),
			 -LX_ENOMEM);
	wfx_close(&f);
}

static void test_fixed_over_middle(void **state)
{
	struct wfx f;
	uint64_t a, ram, id1, off1, id2, off2;

	wfx_open(&f, &WIN_POLICY, NULL);
	a = wmap(&f, 0, 4 * PG, RW, ANON);
	assert_int_equal(wstore(&f, a, 1), 0);
	assert_int_equal(wstore(&f, a + PG, 2), 0);
	assert_int_equal(wstore(&f, a + 3 * PG, 4), 0);
	ram = wfx_ram(&f);
	assert_int_equal(wmap(&f, a + PG, 2 * PG, R, FIXED), a + PG);
	/* head and tail keep their data in the same dataspace, at their
	 * offsets; the middle is fresh and read-only */
	assert_int_equal(wload(&f, a), 1);
	assert_int_equal(wload(&f, a + 3 * PG), 4);
	assert_int_equal(wload(&f, a + PG), 0);
	assert_int_equal(wrights(&f, a + PG), R);
	assert_int_equal(wrights(&f, a), RW);
	assert_int_equal(wstore_r(&f, a + PG, 9), GN_ACCESS_STOPPED);
	assert_true(wds(&f, a, &id1, &off1));
	assert_true(wds(&f, a + 3 * PG, &id2, &off2));
	assert_int_equal(id1, id2);
	assert_int_equal(off2 - off1, 3 * PG);
	/* fresh read-only pages show the shared zero pages: no new RAM
	 * beyond that dataspace, made once */
	assert_true(wds(&f, a + PG, &id2, &off2));
	assert_int_not_equal(id1, id2);
	assert_int_equal(wfx_ram(&f) - ram, 2 * MiB);
	assert_int_equal(wmap(&f, 0, 64 * PG, R, ANON) != 0, 1);
	assert_int_equal(wfx_ram(&f) - ram, 2 * MiB);
	wfx_close(&f);
}

static void test_partial_munmap(void **state)
{
	struct wfx f;
	uint64_t a, id1, off1, id2, off2, att;

	wfx_open(&f, &WIN_POLICY, NULL);
	a = wmap(&f, 0, 3 * PG, RW, ANON);
	assert_int_equal(wstore(&f, a, 1), 0);
	assert_int_equal(wstore(&f, a + 2 * PG, 3), 0);
	att = gn_metrics(f.gn)->attachments;
	assert_int_equal(wunmap(&f, a + PG, PG), 0);
	/* the attachment was split: two remnants of one dataspace */
	assert_int_equal(gn_metrics(f.gn)->attachments, att + 1);
	assert_true(wds(&f, a, &id1, &off1));
	assert_true(wds(&f, a + 2 * PG, &id2, &off2));
	assert_int_equal(id1, id2);
	assert_int_equal(off2 - off1, 2 * PG);
	assert_int_equal(wload(&f, a), 1);
	assert_int_equal(wload(&f, a + 2 * PG), 3);
	assert_int_equal(wload_r(&f, a + PG), GN_ACCESS_STOPPED);
	/* Linux's argument checks */
	assert_int_equal(wunmap(&f, a + 1, PG), -LX_EINVAL);
	assert_int_equal(wunmap(&f, a, 0), -LX_EINVAL);
	assert_int_equal(wunmap(&f, LX_TASK_SIZE, PG), -LX_EINVAL);
	assert_int_equal(wunmap(&f, a + PG, PG), 0);	/* a hole: fine */
	/* the partial last page goes too */
	assert_int_equal(wunmap(&f, a, 1), 0);
	assert_int_equal(wload_r(&f, a), GN_ACCESS_STOPPED);
	assert_int_equal(wload(&f, a + 2 * PG), 3);
	wfx_close(&f);
}

static void test_mprotect_split_and_restore(void **state)
{
	struct wfx f;
	uint64_t a, ram;

	wfx_open(&f, &WIN_POLICY, NULL);
	a = wmap(&f, 0, 4 * PG, RW, ANON);
	assert_int_equal(wstore(&f, a + PG, 7), 0);
	ram = wfx_ram(&f);
	assert_int_equal(wprot(&f, a + PG, 2 * PG, R), 0);
	assert_int_equal(wrights(&f, a + PG), R);
	assert_int_equal(wrights(&f, a), RW);
	assert_int_equal(wrights(&f, a + 3 * PG), RW);
	assert_int_equal(wstore_r(&f, a + PG, 1), GN_ACCESS_STOPPED);
	assert_int_equal(wstore(&f, a + 3 * PG, 1), 0);
	/* PROT_NONE detaches but keeps RAM and contents */
	assert_int_equal(wprot(&f, a + PG, PG, NONE), 0);
	assert_int_equal(wrights(&f, a + PG), -1);
	assert_int_equal(wfx_ram(&f), ram);
	assert_int_equal(wprot(&f, a, 4 * PG, RWX), 0);
	assert_int_equal(wload(&f, a + PG), 7);
	assert_int_equal(wrights(&f, a + 2 * PG), RWX);
	assert_int_equal(wprot(&f, a, 4 * PG, RW), 0);
	/* back to one VMA: a resize across the old boundaries works */
	assert_int_equal(wremap(&f, a, 4 * PG, 4 * PG, 0, 0, NULL), 0);
	/* write-only is the most Genode can narrow it to: rw */
	assert_int_equal(wprot(&f, a, PG, W), 0);
	assert_int_equal(wrights(&f, a), RW);
	/* Linux's errors: unaligned, unknown bits, holes (partial effect) */
	assert_int_equal(wprot(&f, a + 1, PG, R), -LX_EINVAL);
	assert_int_equal(wprot(&f, a, PG, 0x40), -LX_EINVAL);
	assert_int_equal(wprot(&f, a, PG, R | LX_PROT_GROWSDOWN),
			 -LX_EINVAL);
	assert_int_equal(wprot(&f, a, 0, NONE), 0);
	assert_int_equal(wunmap(&f, a + 2 * PG, PG), 0);
	assert_int_equal(wprot(&f, a, 4 * PG, R), -LX_ENOMEM);
	assert_int_equal(wrights(&f, a + PG), R);
	assert_int_equal(wrights(&f, a + 3 * PG), RW);
	wfx_close(&f);
}

static void test_mremap_moves_contents(void **state)
{
	struct wfx f;
	uint64_t r, b, d, id1, off1, id2, off2;

	wfx_open(&f, &WIN_POLICY, NULL);
	r = wmap(&f, 0, 8 * PG, NONE, ANON);
	assert_int_equal(wmap(&f, r, 2 * PG, RW, FIXED), r);
	assert_int_equal(wstore(&f, r, 1), 0);
	assert_int_equal(wstore(&f, r + PG, 2), 0);
	assert_true(wds(&f, r, &id1, &off1));
	/* blocked by the reservation: moves, contents and dataspace along */
	assert_int_equal(wremap(&f, r, 2 * PG, 4 * PG, 0, 0, NULL),
			 -LX_ENOMEM);
	assert_int_equal(wremap(&f, r, 2 * PG, 4 * PG, LX_MREMAP_MAYMOVE, 0,
				&b),
			 0);
	assert_int_not_equal(b, r);
	assert_int_equal(wload(&f, b), 1);
	assert_int_equal(wload(&f, b + PG), 2);
	assert_int_equal(wload(&f, b + 3 * PG), 0);
	assert_int_equal(wrights(&f, b + 3 * PG), RW);
	assert_true(wds(&f, b, &id2, &off2));
	assert_int_equal(id1, id2);
	assert_int_equal(off1, off2);
	assert_int_equal(wrights(&f, r), -1);
	/* grow in place into free pages, shrink in place */
	assert_int_equal(wunmap(&f, b + 4 * PG, 4 * PG), 0);
	assert_int_equal(wremap(&f, b, 4 * PG, 6 * PG, 0, 0, &d), 0);
	assert_int_equal(d, b);
	assert_int_equal(wload(&f, b + 5 * PG), 0);
	assert_int_equal(wremap(&f, b, 6 * PG, PG, 0, 0, &d), 0);
	assert_int_equal(wrights(&f, b + PG), -1);
	assert_int_equal(wload(&f, b), 1);
	/* a fixed move into the reservation replaces what is there */
	assert_int_equal(wremap(&f, b, PG, PG,
				LX_MREMAP_MAYMOVE | LX_MREMAP_FIXED, r + 4 * PG,
				&d),
			 0);
	assert_int_equal(d, r + 4 * PG);
	assert_int_equal(wload(&f, d), 1);
	assert_int_equal(wrights(&f, r + 5 * PG), -1);
	/* DONTUNMAP: the source stays, empty */
	assert_int_equal(wremap(&f, d, PG, PG,
				LX_MREMAP_MAYMOVE | LX_MREMAP_DONTUNMAP, 0, &b),
			 0);
	assert_int_equal(wload(&f, b), 1);
	assert_int_equal(wload(&f, d), 0);
	assert_int_equal(wrights(&f, d), RW);
	/* errors */
	assert_int_equal(wremap(&f, d + 1, PG, PG, 0, 0, NULL), -LX_EINVAL);
	assert_int_equal(wremap(&f, d, PG, 0, 0, 0, NULL), -LX_EINVAL);
	assert_int_equal(wremap(&f, d, PG, PG, LX_MREMAP_FIXED, r, NULL),
			 -LX_EINVAL);
	assert_int_equal(wremap(&f, r, PG, 2 * PG, 0, 0, NULL), -LX_EFAULT);
	wfx_close(&f);
}

static void test_shared_memory(void **state)
{
	struct wfx f;
	uint64_t s, d, ram;

	wfx_open(&f, &WIN_POLICY, NULL);
	ram = wfx_ram(&f);
	/* room to grow into */
	s = wmap(&f, 0, 8 * PG, NONE, ANON);
	assert_int_equal(wunmap(&f, s, 8 * PG), 0);
	assert_int_equal(wmap(&f, s, 2 * PG, RW, SANON | LX_MAP_FIXED), s);
	assert_int_equal(wfx_ram(&f) - ram, 2 * PG);
	assert_int_equal(wstore(&f, s + PG, 5), 0);
	/* DONTNEED keeps shared data, REMOVE drops it */
	assert_int_equal(wadv(&f, s, 2 * PG, LX_MADV_DONTNEED), 0);
	assert_int_equal(wload(&f, s + PG), 5);
	assert_int_equal(wadv(&f, s, 2 * PG, LX_MADV_FREE), -LX_EINVAL);
	/* a second mapping of the same object */
	assert_int_equal(wremap(&f, s, 0, 2 * PG, LX_MREMAP_MAYMOVE, 0, &d),
			 0);
	assert_int_equal(wload(&f, d + PG), 5);
	assert_int_equal(wstore(&f, d, 9), 0);
	assert_int_equal(wload(&f, s), 9);
	assert_int_equal(wfx_ram(&f) - ram, 2 * PG);
	assert_int_equal(wadv(&f, s, 2 * PG, LX_MADV_REMOVE), 0);
	assert_int_equal(wload(&f, d), 0);
	/* grown past the object: the page is there, access faults */
	assert_int_equal(wunmap(&f, d, 2 * PG), 0);
	assert_int_equal(wremap(&f, s, 2 * PG, 3 * PG, 0, 0, &d), 0);
	assert_int_equal(d, s);
	assert_int_equal(wload_r(&f, s + 2 * PG), GN_ACCESS_STOPPED);
	assert_int_equal(wunmap(&f, s, 3 * PG), 0);
	assert_int_equal(wfx_ram(&f), ram);
	wfx_close(&f);
}

static void test_guards(void **state)
{
	struct wfx f;
	uint64_t a;

	wfx_open(&f, &WIN_POLICY, NULL);
	a = wmap(&f, 0, 3 * PG, RW, ANON);
	assert_int_equal(wstore(&f, a + PG, 2), 0);
	assert_int_equal(wstore(&f, a + 2 * PG, 3), 0);
	assert_int_equal(wadv(&f, a + PG, PG, LX_MADV_GUARD_INSTALL), 0);
	assert_int_equal(wload_r(&f, a + PG), GN_ACCESS_STOPPED);
	assert_int_equal(wload(&f, a + 2 * PG), 3);
	/* guards survive mprotect and DONTNEED */
	assert_int_equal(wprot(&f, a, 3 * PG, R), 0);
	assert_int_equal(wadv(&f, a, 3 * PG, LX_MADV_DONTNEED), 0);
	assert_int_equal(wload_r(&f, a + PG), GN_ACCESS_STOPPED);
	assert_int_equal(wprot(&f, a, 3 * PG, RW), 0);
	assert_int_equal(wadv(&f, a, 3 * PG, LX_MADV_GUARD_REMOVE), 0);
	assert_int_equal(wload(&f, a + PG), 0);
	assert_int_equal(wstore(&f, a + PG, 4), 0);
	/* a hole: applied to the mapped parts, ENOMEM */
	assert_int_equal(wunmap(&f, a + 2 * PG, PG), 0);
	assert_int_equal(wadv(&f, a, 3 * PG, LX_MADV_GUARD_INSTALL),
			 -LX_ENOMEM);
	assert_int_equal(wload_r(&f, a), GN_ACCESS_STOPPED);
	wfx_close(&f);
}

/* MADV_COLLAPSE as Linux decides it: memory never written has no
 * anon_vma and cannot be collapsed, though the window shows it the zero
 * pages; written memory can, where every 2 MiB block holds a page. */
static void test_collapse(void **state)
{
	struct wfx f;
	uint64_t a;

	wfx_open(&f, &WIN_POLICY, NULL);
	a = wmap(&f, 0, 4 * MiB, R, ANON);
	assert_int_equal(wadv(&f, a, 4 * MiB, LX_MADV_COLLAPSE), -LX_EINVAL);
	a = wmap(&f, 0, 4 * MiB, RW, ANON);
	assert_int_equal(wstore(&f, a, 1), 0);
	assert_int_equal(wstore(&f, a + 2 * MiB, 1), 0);
	assert_int_equal(wstore(&f, a + 4 * MiB - PG, 1), 0);
	assert_int_equal(wadv(&f, a, 4 * MiB, LX_MADV_COLLAPSE), 0);
	wfx_close(&f);
}

static void test_mlock_msync_mincore(void **state)
{
	struct wfx f;
	uint64_t a;

	wfx_open(&f, &WIN_POLICY, NULL);
	a = wmap(&f, 0, 3 * PG, RW, ANON);
	assert_int_equal(f.pol->mlock(f.st, a + 1, PG, 0), 0);
	assert_int_equal(wadv(&f, a, PG, LX_MADV_DONTNEED), -LX_EINVAL);
	assert_int_equal(f.pol->msync(f.st, a, 3 * PG, LX_MS_INVALIDATE),
			 -LX_EBUSY);
	assert_int_equal(f.pol->munlock(f.st, a, PG), 0);
	assert_int_equal(wadv(&f, a, PG, LX_MADV_DONTNEED), 0);
	assert_int_equal(f.pol->mlock(f.st, a, PG, 2), -LX_EINVAL);
	assert_int_equal(f.pol->mlockall(f.st, 0), -LX_EINVAL);
	assert_int_equal(f.pol->mlockall(f.st, LX_MCL_CURRENT), 0);
	assert_int_equal(f.pol->munlockall(f.st), 0);
	assert_int_equal(wunmap(&f, a + PG, PG), 0);
	assert_int_equal(f.pol->mlock(f.st, a, 3 * PG, 0), -LX_ENOMEM);
	assert_int_equal(f.pol->msync(f.st, a, 3 * PG, LX_MS_SYNC),
			 -LX_ENOMEM);
	assert_int_equal(f.pol->msync(f.st, a, PG, LX_MS_SYNC | LX_MS_ASYNC),
			 -LX_EINVAL);
	assert_int_equal(f.pol->msync(f.st, a + 1, PG, LX_MS_SYNC),
			 -LX_EINVAL);
	assert_int_equal(f.pol->mincore(f.st, a, PG - 1), 0);
	assert_int_equal(f.pol->mincore(f.st, a, PG + 1), -LX_ENOMEM);
	assert_int_equal(f.pol->mincore(f.st, a + 1, PG), -LX_EINVAL);
	wfx_check(&f);
	wfx_close(&f);
	/* with an RLIMIT_MEMLOCK emulated */
	assert_int_equal(wfx_open_ex(&f, &WIN_POLICY, "memlock=8M",
				     GN_VERSION_DEFAULT, NULL, 0, 0),
			 0);
	a = wmap(&f, 0, 16 * MiB, R, ANON);
	assert_int_equal(f.pol->mlock(f.st, a, 16 * MiB, 0), -LX_ENOMEM);
	assert_int_equal(wmmap(&f, 0, 16 * MiB, R, ANON | LX_MAP_LOCKED,
			       NULL),
			 -LX_EAGAIN);
	wfx_close(&f);
}

/* Linux's errors for mmap, in the kernel's order. */
static void test_mmap_errors(void **state)
{
	struct wfx f;
	uint64_t r, a;

	wfx_open(&f, &WIN_POLICY, NULL);
	r = wmap(&f, 0, 4 * PG, NONE, ANON);
	assert_int_equal(wmmap(&f, 0, 0, RW, ANON, NULL), -LX_EINVAL);
	assert_int_equal(wmmap(&f, r + 1, PG, RW, FIXED, NULL), -LX_EINVAL);
	assert_int_equal(wmmap(&f, 0, -PG + 1, RW, ANON, NULL), -LX_ENOMEM);
	assert_int_equal(wmmap(&f, 0, PG, RW, LX_MAP_ANONYMOUS, NULL),
			 -LX_EINVAL);
	assert_int_equal(wmmap(&f, 0, PG, RW,
			       LX_MAP_SHARED_VALIDATE | LX_MAP_ANONYMOUS,
			       NULL),
			 -LX_EINVAL);
	assert_int_equal(f.pol->mmap(f.st, 0, PG, R, LX_MAP_PRIVATE, -1, 0,
				     &a),
			 -LX_EBADF);
	assert_int_equal(wmmap(&f, r, PG, RW, NOREPLACE, NULL), -LX_EEXIST);
	assert_int_equal(wmmap(&f, 0, PG, RW, FIXED, NULL), -LX_EPERM);
	assert_int_equal(wmmap(&f, LX_TASK_SIZE, PG, RW, FIXED, NULL),
			 -LX_ENOMEM);
	assert_int_equal(wmmap(&f, 0, LX_TASK_SIZE + PG, NONE, ANON, NULL),
			 -LX_ENOMEM);
	/* a hint inside a reservation is not taken */
	a = wmap(&f, r + PG, PG, RW, ANON);
	assert_int_not_equal(a, r + PG);
	assert_int_equal(wrights(&f, r + PG), -1);
	/* an unaligned hint is rounded down */
	assert_int_equal(wunmap(&f, r, 4 * PG), 0);
	assert_int_equal(wmap(&f, r + PG + 123, PG, RW, ANON), r + PG);
	wfx_close(&f);
}

/* A PD that cannot pay gets ENOMEM and keeps nothing new. */
static void test_quota_exhaustion(void **state)
{
	struct wfx f;
	uint64_t r, a;

	assert_int_equal(wfx_open_ex(&f, &WIN_POLICY, "", GN_VERSION_DEFAULT,
				     NULL, 8 * MiB, 0),
			 0);
	/* reservations are free */
	r = wmap(&f, 0, 1 * GiB, NONE, ANON);
	assert_int_equal(wmmap(&f, r, 64 * MiB, RW, FIXED, NULL), -LX_ENOMEM);
	assert_int_equal(wrights(&f, r), -1);
	assert_int_equal(wfx_ram(&f), 0);
	a = wmap(&f, r, 64 * KiB, RW, FIXED);
	assert_int_equal(wstore(&f, a, 1), 0);
	wfx_close(&f);
}

/* The set-up: the default window, parameters, refusals. */
static void test_setup(void **state)
{
	struct wfx f;
	uint64_t caps;

	wfx_open(&f, &WIN_POLICY, NULL);
	/* nova-x86_64: everything above the stack area */
	assert_int_equal(wfx_base(&f), LAY_STACK_AREA_ADDR +
					       LAY_STACK_AREA_SIZE);
	assert_int_equal(wfx_top(&f), 0x7fffc0000000ULL);
	/* one RM session, one map, attached rwx; no fault handler */
	assert_int_equal(gn_metrics(f.gn)->rm_sessions, 1);
	assert_int_equal(gn_metrics(f.gn)->region_maps, 1);
	assert_int_equal(wfx_rpc(&f, GN_RPC_FAULT_HANDLER), 0);
	caps = gn_metrics(f.gn)->caps_used;
	wfx_close(&f);
	assert_true(caps > 0);

	assert_int_equal(wfx_open_ex(&f, &WIN_POLICY,
				     "base=0x100000000,size=1G",
				     GN_VERSION_DEFAULT, NULL, 0, 0),
			 0);
	assert_int_equal(wfx_base(&f), 0x100000000ULL);
	assert_int_equal(wfx_top(&f), 0x140000000ULL);
	assert_int_equal(wmap(&f, 0, PG, RW, ANON), 0x13ffff000ULL);
	wfx_close(&f);

	assert_int_equal(wfx_open_ex(&f, &WIN_POLICY, "colour=blue",
				     GN_VERSION_DEFAULT, NULL, 0, 0),
			 -LX_EINVAL);
	wfx_close(&f);
	/* over ld.lib.so */
	assert_int_equal(wfx_open_ex(&f, &WIN_POLICY, "base=0x30000,size=1M",
				     GN_VERSION_DEFAULT, NULL, 0, 0),
			 -LX_EINVAL);
	wfx_close(&f);
	assert_int_equal(wfx_open_ex(&f, &WIN_POLICY, "chunk=64K",
				     GN_VERSION_DEFAULT, NULL, 0, 0),
			 -LX_EINVAL);
	wfx_close(&f);
	/* the 32-bit layouts and the old release work the same way */
	assert_int_equal(wfx_open_ex(&f, &WIN_POLICY, "", GN_20_05,
				     "nova-x86_32", 0, 0),
			 0);
	assert_int_equal(wstore(&f, wmap(&f, 0, PG, RW, ANON), 1), 0);
	wfx_close(&f);
}

/* brk: by default the break never moves (Genode's libc has none); with
 * `heap` it grows inside the window from its base, never failing. */
static void test_brk(void **state)
{
	struct wfx f;
	uint64_t b, n;

	wfx_open(&f, &WIN_POLICY, NULL);
	assert_int_equal(f.pol->brk(f.st, 0, &b), 0);
	assert_int_equal(f.pol->brk(f.st, b + 132 * KiB, &n), 0);
	assert_int_equal(n, b);
	assert_int_equal(wrights(&f, b), -1);
	wfx_close(&f);

	assert_int_equal(wfx_open_ex(&f, &WIN_POLICY, "heap=1M",
				     GN_VERSION_DEFAULT, NULL, 0, 0),
			 0);
	assert_int_equal(f.pol->brk(f.st, 0, &b), 0);
	assert_int_equal(b, wfx_base(&f));
	assert_int_equal(f.pol->brk(f.st, b + 2 * MiB, &n), 0);
	assert_int_equal(n, b);
	assert_int_equal(f.pol->brk(f.st, b + 132 * KiB, &n), 0);
	wfx_check(&f);
	assert_int_equal(n, b + 132 * KiB);
	assert_int_equal(wstore(&f, b + 100 * KiB, 3), 0);
	assert_int_equal(f.pol->brk(f.st, b + 4 * KiB, &n), 0);
	wfx_check(&f);
	assert_int_equal(wload_r(&f, b + 100 * KiB), GN_ACCESS_STOPPED);
	/* below the start: the break stays */
	assert_int_equal(f.pol->brk(f.st, b - PG, &n), 0);
	assert_int_equal(n, b + 4 * KiB);
	wfx_close(&f);
}

/* Random calls on both sides compared after every one. */
static void test_differential(void **state)
{
	uint64_t seed, n = wfx_stress(40);

	for (seed = 1; seed <= n; seed++)
		wfx_differential(&WIN_POLICY, seed, 400, "");
	/* without pools: a dataspace per committed run */
	for (seed = 1; seed <= n / 4; seed++)
		wfx_differential(&WIN_POLICY, seed, 400, "pool=0");
}

/*
 * wc_pend keeps four ranges, then their hull: a fifth range below them
 * all, or above, widens it (the calls pend in ascending order, so only
 * this test reaches the widening at the bottom).
 */
static void test_pend_hull(void **state)
{
	static const uint64_t r[4][2] = {{0x5000, 0x6000}, {0x7000, 0x8000},
					 {0x9000, 0xa000}, {0xb000, 0xc000}};
	struct wfx f;
	struct wc *w;
	unsigned i;

	(void)state;
	wfx_open(&f, &WIN_POLICY, NULL);
	w = wfx_core(&f);
	w->npend = 0;
	wc_pend(w, 0x4000, 0x4000);	/* empty: nothing */
	assert_int_equal(w->npend, 0);
	for (i = 0; i < 4; i++)
		wc_pend(w, r[i][0], r[i][1]);
	assert_int_equal(w->npend, 4);
	wc_pend(w, 0x1000, 0x2000);
	assert_int_equal(w->npend, 1);
	assert_int_equal(w->pend[0][0], 0x1000);
	assert_int_equal(w->pend[0][1], 0xc000);
	w->npend = 0;
	for (i = 0; i < 4; i++)
		wc_pend(w, r[i][0], r[i][1]);
	wc_pend(w, 0xd000, 0xe000);
	assert_int_equal(w->npend, 1);
	assert_int_equal(w->pend[0][0], 0x5000);
	assert_int_equal(w->pend[0][1], 0xe000);
	w->npend = 0;
	wfx_close(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_go_arena_nova),
		cmocka_unit_test(test_go_arena_hw64),
		cmocka_unit_test(test_go_arena_sel4),
		cmocka_unit_test(test_hints_beyond_window_stay_consecutive),
		cmocka_unit_test(test_fixed_over_middle),
		cmocka_unit_test(test_partial_munmap),
		cmocka_unit_test(test_mprotect_split_and_restore),
		cmocka_unit_test(test_mremap_moves_contents),
		cmocka_unit_test(test_shared_memory),
		cmocka_unit_test(test_guards),
		cmocka_unit_test(test_collapse),
		cmocka_unit_test(test_mlock_msync_mincore),
		cmocka_unit_test(test_mmap_errors),
		cmocka_unit_test(test_quota_exhaustion),
		cmocka_unit_test(test_setup),
		cmocka_unit_test(test_brk),
		cmocka_unit_test(test_differential),
		cmocka_unit_test(test_pend_hull),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
