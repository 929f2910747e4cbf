/*
 * test_policy_go_world.c - the "go-world" policy (genode-world's
 * libgo_support anon_mmap): areas as RM sessions, reservations, commits
 * by attach, the bookkeeping-only partial munmap; results and the
 * component's state after every call, gn_check throughout, fini leaving
 * nothing.
 */
#include "libc_fixture.h"

#define HINT 0xc000000000ULL

static const struct gn_metrics *met(const struct fx *f)
{
	return gn_metrics(f->gn);
}

/* The default area: an RM session, a map, attached anywhere rwx. */
static void test_init(void **state)
{
	struct gn_attachment att;
	struct fx f;
	uint64_t a;

	fx_open(&f, &pol_go_world, "", 0);
	assert_int_equal(met(&f)->rm_sessions, f.sessions0 + 1);
	assert_int_equal(met(&f)->attachments, f.att0 + 1);
	a = fx_anon(&f, PG, RW);
	att = fx_env_att(&f, a);
	assert_int_equal(gn_ds_kind(att.ds), GN_DS_MANAGED);
	assert_int_equal(att.size, 15 * MiB);
	assert_true(att.writeable && att.executable);
	/* the first block of the area's allocator */
	assert_int_equal(a, att.base);
	fx_close(&f);

	fx_open(&f, &pol_go_world, "area=1536M,align_log2=12", 0);
	a = fx_anon(&f, PG, RW);
	assert_int_equal(fx_env_att(&f, a).size, 1536 * MiB);
	fx_close(&f);

	assert_int_equal(fx_open_ex(&f, &pol_go_world, "size=1G", 0, GN_26_02,
				    NULL),
			 -LX_EINVAL);
	gn_ctx_free(f.gn);
	assert_int_equal(fx_open_ex(&f, &pol_go_world, "area=0", 0, GN_26_02,
				    NULL),
			 -LX_EINVAL);
	gn_ctx_free(f.gn);
}

/* A component that cannot pay for the RM session does not start. */
static void test_init_fails(void **state)
{
	struct fx f;

	assert_int_equal(fx_open_ex(&f, &pol_go_world, "", 40 * KiB, GN_26_02,
				    NULL),
			 -LX_ENOMEM);
	assert_int_equal(met(&f)->rm_sessions, f.sessions0);
	assert_int_equal(met(&f)->ram_used, f.ram0);
	fx_check(&f);
	gn_ctx_free(f.gn);
}

/*
 * Go's arena start-up: the PROT_NONE reservation lands at the hint as a
 * new area (RM session and map attached there), MAP_FIXED commits
 * inside it attach RAM, a commit over committed memory answers NULL,
 * and a partial munmap changes nothing in the component.
 */
static void test_go_arena(void **state)
{
	struct gn_attachment att;
	struct gn_walk w;
	struct fx f;
	uint64_t r = 0, c = 0, ram, atts;

	fx_open(&f, &pol_go_world, "", 64 * MiB);
	assert_int_equal(fx_mmap(&f, HINT, 64 * MiB, LX_PROT_NONE, ANON, -1,
				 0, &r),
			 0);
	assert_int_equal(r, HINT);
	assert_int_equal(met(&f)->rm_sessions, f.sessions0 + 2);
	att = fx_env_att(&f, HINT);
	assert_int_equal(att.base, HINT);
	assert_int_equal(att.size, 64 * MiB);
	assert_int_equal(gn_ds_kind(att.ds), GN_DS_MANAGED);
	/* attach_at: writeable, not executable */
	assert_true(att.writeable);
	assert_false(att.executable);
	/* reserved, not accessible */
	assert_string_equal(fx_prot(&f, HINT), "---");
	ram = fx_ram(&f);

	assert_int_equal(fx_mmap(&f, HINT, 4 * MiB, RW, FIXED, -1, 0, &c), 0);
	assert_int_equal(c, HINT);
	assert_true(fx_ram(&f) >= ram + 4 * MiB);
	assert_string_equal(fx_prot(&f, HINT), "rw-");
	assert_string_equal(fx_prot(&f, HINT + 4 * MiB), "---");
	fx_store(&f, HINT + 5, 0x42);
	assert_int_equal(fx_load(&f, HINT + 5), 0x42);
	/* env -> the area's map -> the RAM at offset 0 */
	gn_walk(gn_env_rm(f.gn), HINT + 5, GN_WRITE, &w);
	assert_int_equal(w.result, GN_WALK_RESOLVED);
	assert_int_equal(w.nsteps, 2);
	assert_int_equal(w.step[1].addr, 5);
	assert_int_equal(w.step[1].att.base, 0);
	assert_int_equal(w.step[1].att.size, 4 * MiB);
	assert_int_equal(gn_ds_kind(w.ds), GN_DS_RAM);

	/* over committed memory: NULL, no RAM kept */
	ram = fx_ram(&f);
	c = 1;
	assert_int_equal(fx_mmap(&f, HINT + 2 * MiB, 4 * MiB, RW, FIXED, -1, 0,
				 &c),
			 0);
	assert_int_equal(c, 0);
	assert_int_equal(fx_ram(&f), ram);

	/* the next piece, then a partial munmap of it: bookkeeping only */
	assert_int_equal(fx_mmap(&f, HINT + 4 * MiB, 4 * MiB, RW, FIXED, -1,
				 0, &c),
			 0);
	ram = fx_ram(&f);
	atts = met(&f)->attachments;
	assert_int_equal(fx_munmap(&f, HINT + 4 * MiB, 4 * MiB), 0);
	assert_int_equal(fx_ram(&f), ram);
	assert_int_equal(met(&f)->attachments, atts);
	assert_string_equal(fx_prot(&f, HINT + 4 * MiB), "rw-");
	/* and no overmapping after it either */
	assert_int_equal(fx_mmap(&f, HINT + 4 * MiB, 4 * MiB, RW, FIXED, -1,
				 0, &c),
			 0);
	assert_int_equal(c, 0);

	/* the whole area: detached, freed, session closed */
	assert_int_equal(fx_munmap(&f, HINT, 64 * MiB), 0);
	assert_int_equal(met(&f)->rm_sessions, f.sessions0 + 1);
	assert_false(gn_region_map_lookup(gn_env_rm(f.gn), HINT, &att));
	assert_true(fx_ram(&f) < ram - 8 * MiB);
	fx_close(&f);
}

/* Without an address: a block of the default area, then committed. */
static void test_default_area(void **state)
{
	struct fx f;
	uint64_t a, b, n, x, ram;

	fx_open(&f, &pol_go_world, "", 0);
	a = fx_anon(&f, 256 * KiB, RW);
	assert_string_equal(fx_prot(&f, a), "rw-");
	n = fx_anon(&f, 128 * KiB, LX_PROT_NONE);
	assert_int_equal(n, a + 256 * KiB);
	assert_string_equal(fx_prot(&f, n), "---");
	/* MAP_FIXED commits inside a reservation of the default area */
	assert_int_equal(fx_mmap(&f, n + 64 * KiB, 4 * KiB, RW, FIXED, -1, 0,
				 &x),
			 0);
	assert_int_equal(x, n + 64 * KiB);
	assert_string_equal(fx_prot(&f, n + 64 * KiB), "rw-");
	assert_string_equal(fx_prot(&f, n), "---");
	/* executable through the rwx area */
	x = fx_anon(&f, PG, RWX);
	assert_string_equal(fx_prot(&f, x), "rwx");
	/* munmap: nothing detached, and the addresses never come back */
	ram = fx_ram(&f);
	assert_int_equal(fx_munmap(&f, a, 256 * KiB), 0);
	assert_int_equal(fx_ram(&f), ram);
	assert_string_equal(fx_prot(&f, a), "rw-");
	b = fx_anon(&f, 256 * KiB, RW);
	assert_true(b != a);
	fx_close(&f);
}

/* Running out of the default area is ENOMEM. */
static void test_area_full(void **state)
{
	struct fx f;
	uint64_t a;

	fx_open(&f, &pol_go_world, "area=1M", 0);
	assert_int_equal(fx_mmap(&f, 0, 2 * MiB, LX_PROT_NONE, ANON, -1, 0,
				 &a),
			 -LX_ENOMEM);
	a = fx_anon(&f, 768 * KiB, LX_PROT_NONE);
	assert_int_equal(fx_mmap(&f, 0, 512 * KiB, LX_PROT_NONE, ANON, -1, 0,
				 &a),
			 -LX_ENOMEM);
	/* length 0 never fits */
	assert_int_equal(fx_mmap(&f, 0, 0, LX_PROT_NONE, ANON, -1, 0, &a),
			 -LX_ENOMEM);
	fx_close(&f);
}

/* A reservation where something is attached already: ENOMEM. */
static void test_conflict(void **state)
{
	struct fx f;
	uint64_t a, r, sessions, ram;

	fx_open(&f, &pol_go_world, "", 0);
	a = fx_anon(&f, PG, RW);
	sessions = met(&f)->rm_sessions;
	ram = fx_ram(&f);
	assert_int_equal(fx_mmap(&f, a + MiB, MiB, LX_PROT_NONE, ANON, -1, 0,
				 &r),
			 -LX_ENOMEM);
	assert_int_equal(met(&f)->rm_sessions, sessions);
	assert_int_equal(fx_ram(&f), ram);
	/* a hint with access and no reservation: no area takes it */
	r = 1;
	assert_int_equal(fx_mmap(&f, 0x200000000ULL, PG, RW, ANON, -1, 0, &r),
			 0);
	assert_int_equal(r, 0);
	fx_close(&f);
}

/*
 * MAP_FIXED without an address reserves a block, then answers ENOMEM
 * because the block is not at 0; the block stays taken.
 */
static void test_fixed_null(void **state)
{
	struct fx f;
	uint64_t a, b;

	fx_open(&f, &pol_go_world, "", 0);
	assert_int_equal(fx_mmap(&f, 0, 64 * KiB, LX_PROT_NONE, FIXED, -1, 0,
				 &a),
			 -LX_ENOMEM);
	a = fx_anon(&f, PG, RW);
	b = fx_anon(&f, PG, RW);
	assert_int_equal(b, a + PG);
	/* the first 64 KiB of the area went to the failed call */
	assert_int_equal(a & (64 * KiB - 1), 0);
	fx_close(&f);
}

/*
 * Rights along the nesting path (23.08+): an area at a hint is attached
 * non-executable, so PROT_EXEC inside it is not executable; before 23.08
 * only the leaf counted.
 */
static void test_exec_in_area(void **state)
{
	struct fx f;
	uint64_t r, c;

	fx_open(&f, &pol_go_world, "", 0);
	assert_int_equal(fx_mmap(&f, HINT, MiB, LX_PROT_NONE, ANON, -1, 0, &r),
			 0);
	assert_int_equal(fx_mmap(&f, HINT, PG, RWX, FIXED, -1, 0, &c), 0);
	assert_string_equal(fx_prot(&f, HINT), "rw-");
	fx_close(&f);

	assert_int_equal(fx_open_ex(&f, &pol_go_world, "", 0, GN_20_05, NULL),
			 0);
	assert_int_equal(fx_mmap(&f, HINT, MiB, LX_PROT_NONE, ANON, -1, 0, &r),
			 0);
	assert_int_equal(fx_mmap(&f, HINT, PG, RWX, FIXED, -1, 0, &c), 0);
	assert_string_equal(fx_prot(&f, HINT), "rwx");
	fx_close(&f);
}

/*
 * release's split: a range that leaves an area without mapped ranges
 * drops the area from the registry, after which every munmap there is
 * the libc's (EINVAL), and the area stays.
 */
static void test_split_quirks(void **state)
{
	struct fx f;
	uint64_t r, c, sessions;

	fx_open(&f, &pol_go_world, "", 0);
	sessions = met(&f)->rm_sessions;
	assert_int_equal(fx_mmap(&f, HINT, MiB, LX_PROT_NONE, ANON, -1, 0, &r),
			 0);
	assert_int_equal(fx_mmap(&f, HINT, 64 * KiB, RW, FIXED, -1, 0, &c), 0);
	/* the only mapped range goes: the area is unregistered */
	assert_int_equal(fx_munmap(&f, HINT, 64 * KiB), 0);
	assert_string_equal(fx_prot(&f, HINT), "rw-");
	assert_int_equal(fx_munmap(&f, HINT, MiB), -LX_EINVAL);
	assert_int_equal(met(&f)->rm_sessions, sessions + 1);

	/* a hole in the middle of the only range: the same */
	assert_int_equal(fx_mmap(&f, HINT + 2 * MiB, MiB, LX_PROT_NONE, ANON,
				 -1, 0, &r),
			 0);
	assert_int_equal(fx_mmap(&f, HINT + 2 * MiB, 64 * KiB, RW, FIXED, -1,
				 0, &c),
			 0);
	assert_int_equal(fx_munmap(&f, HINT + 2 * MiB + 16 * KiB, 16 * KiB),
			 0);
	assert_int_equal(fx_munmap(&f, HINT + 2 * MiB, MiB), -LX_EINVAL);

	/* with a second range left, the area stays registered and goes
	 * as a whole */
	assert_int_equal(fx_mmap(&f, HINT + 4 * MiB, MiB, LX_PROT_NONE, ANON,
				 -1, 0, &r),
			 0);
	assert_int_equal(fx_mmap(&f, HINT + 4 * MiB, 64 * KiB, RW, FIXED, -1,
				 0, &c),
			 0);
	assert_int_equal(fx_mmap(&f, HINT + 4 * MiB + 128 * KiB, 64 * KiB, RW,
				 FIXED, -1, 0, &c),
			 0);
	assert_int_equal(fx_munmap(&f, HINT + 4 * MiB, 64 * KiB), 0);
	assert_int_equal(fx_munmap(&f, HINT + 4 * MiB, MiB), 0);
	assert_int_equal(met(&f)->rm_sessions, sessions + 2);
	/* a range past the end of its area: no area releases it, 0 all
	 * the same, and the area is unregistered on the way */
	assert_int_equal(fx_mmap(&f, HINT + 8 * MiB, MiB, LX_PROT_NONE, ANON,
				 -1, 0, &r),
			 0);
	assert_int_equal(fx_mmap(&f, HINT + 8 * MiB, 64 * KiB, RW, FIXED, -1,
				 0, &c),
			 0);
	assert_int_equal(fx_munmap(&f, HINT + 9 * MiB - PG, 2 * PG), 0);
	assert_string_equal(fx_prot(&f, HINT + 8 * MiB), "rw-");
	assert_int_equal(fx_munmap(&f, HINT + 8 * MiB, MiB), -LX_EINVAL);
	fx_close(&f);
}

/* Files go to the libc; so does munmap outside every area. */
static void test_files(void **state)
{
	struct gn_attachment att;
	struct fx f;
	uint64_t p, s;

	fx_open(&f, &pol_go_world, "", 0);
	assert_int_equal(fx_mmap(&f, 0, 8 * KiB, LX_PROT_READ, LX_MAP_PRIVATE,
				 3, 0, &p),
			 0);
	assert_int_equal(gn_ds_kind(fx_env_att(&f, p).ds), GN_DS_RAM);
	assert_int_equal(fx_mmap(&f, 0, 8 * KiB, LX_PROT_READ, LX_MAP_SHARED,
				 4, 0, &s),
			 0);
	assert_int_equal(gn_ds_kind(fx_env_att(&f, s).ds), GN_DS_ROM);
	assert_int_equal(fx_mmap(&f, 0, PG, LX_PROT_READ | LX_PROT_EXEC,
				 LX_MAP_PRIVATE, 3, 0, &p),
			 -LX_EACCES);
	assert_int_equal(fx_munmap(&f, s, 8 * KiB), 0);
	assert_false(gn_region_map_lookup(gn_env_rm(f.gn), s, &att));
	assert_int_equal(fx_munmap(&f, 0x300000000ULL, PG), -LX_EINVAL);
	fx_close(&f);
}

static void test_other_calls(void **state)
{
	struct fx f;
	uint64_t a;

	fx_open(&f, &pol_go_world, "", 0);
	a = fx_anon(&f, PG, RW);
	assert_int_equal(pol_go_world.mprotect(f.st, a, PG, LX_PROT_NONE),
			 -LX_ENOSYS);
	assert_int_equal(pol_go_world.madvise(f.st, a, PG, LX_MADV_DONTNEED),
			 0);
	assert_int_equal(pol_go_world.madvise(f.st, a, PG, 14), -LX_ENOSYS);
	/* areas are not in the libc's registry */
	assert_int_equal(pol_go_world.msync(f.st, a, PG, 4), -LX_EINVAL);
	assert_int_equal(pol_go_world.mlock(f.st, a, PG, 0), -LX_EOPNOTSUPP);
	assert_int_equal(pol_go_world.munlock(f.st, a, PG), -LX_EOPNOTSUPP);
	assert_int_equal(pol_go_world.mlockall(f.st, 1), -LX_EOPNOTSUPP);
	assert_int_equal(pol_go_world.munlockall(f.st), -LX_EOPNOTSUPP);
	assert_null(pol_go_world.mremap);
	assert_null(pol_go_world.mincore);
	assert_null(pol_go_world.brk);
	fx_close(&f);
}

/*
 * An area's RM session pays for the metadata of every commit and is
 * never upgraded (the retry upgrades the PD): after enough commits the
 * attach fails although the PD has quota left; the real code never
 * returns from there, the model answers ENOMEM.
 */
static void test_session_exhausted(void **state)
{
	struct fx f;
	uint64_t a;
	int i, r = 0;

	fx_open(&f, &pol_go_world, "", 64 * MiB);
	for (i = 0; i < 2000; i++) {
		r = fx_mmap(&f, 0, PG, RW, ANON, -1, 0, &a);
		if (r)
			break;
	}
	assert_int_equal(r, -LX_ENOMEM);
	assert_true(i > 20);
	assert_true(gn_pd_avail_ram(gn_env_pd(f.gn)) > 32 * MiB);
	fx_close(&f);
}

/* Random calls on every generation of the model: sound, and clean. */
static void test_random(void **state)
{
	static const enum gn_version v[] = {GN_20_05, GN_24_08, GN_26_02};
	struct fx f;
	int i;

	for (i = 0; i < 3; i++) {
		assert_int_equal(fx_open_ex(&f, &pol_go_world, "area=64M",
					    256 * MiB, v[i],
					    i == 1 ? "hw-64" : NULL),
				 0);
		fx_random(&f, 0x1234567ULL + (uint64_t)i, 3000);
		fx_close(&f);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init),
		cmocka_unit_test(test_init_fails),
		cmocka_unit_test(test_go_arena),
		cmocka_unit_test(test_default_area),
		cmocka_unit_test(test_area_full),
		cmocka_unit_test(test_conflict),
		cmocka_unit_test(test_fixed_null),
		cmocka_unit_test(test_exec_in_area),
		cmocka_unit_test(test_split_quirks),
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_other_calls),
		cmocka_unit_test(test_session_exhausted),
		cmocka_unit_test(test_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
