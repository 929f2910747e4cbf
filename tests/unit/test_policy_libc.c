/*
 * test_policy_libc.c - the "libc" policy (Genode's libc as of 26.02) and
 * the allocators under it (mem_alloc.c): results and the component's
 * state after every call, gn_check throughout, fini leaving nothing.
 */
#include "libc_fixture.h"

#include "policy/libc_core.h"
#include "policy/mem_alloc.h"
#include "test_rnd.h"

static void pool_check(struct fx *f)
{
	struct pol_lc *lc = f->st;
	char msg[256];
	int i;

	for (i = 0; i < 2; i++)
		if (pol_avl_check(&lc->pool[i].alloc, msg, sizeof(msg)))
			fail_msg("pool %d: %s", i, msg);
}

static void test_init_params(void **state)
{
	struct fx f;
	void *st = NULL;

	/* no RAM, no caps, no attachment before the first mmap */
	fx_open(&f, &pol_libc, "", 0);
	assert_int_equal(fx_ram(&f), f.ram0);
	assert_int_equal(gn_metrics(f.gn)->attachments, f.att0);
	fx_close(&f);

	fx_open(&f, &pol_libc, "align_log2=21", 0);
	fx_close(&f);

	assert_int_equal(fx_open_ex(&f, &pol_libc, "bogus=1", 0, GN_26_02,
				    NULL),
			 -LX_EINVAL);
	gn_ctx_free(f.gn);
	assert_int_equal(fx_open_ex(&f, &pol_libc, "align_log2=31", 0,
				    GN_26_02, NULL),
			 -LX_EINVAL);
	gn_ctx_free(f.gn);
	assert_int_equal(pol_libc.init(&f.env, "align_log2=x", &st),
			 -LX_EINVAL);
}

/*
 * The first mmap expands the rw pool by one 32 KiB chunk attached
 * anywhere; the pool's Dataspace record takes its first bytes, so a
 * page-aligned block lands one page in.
 */
static void test_first_mmap(void **state)
{
	struct gn_attachment att;
	struct fx f;
	uint64_t a, caps;

	fx_open(&f, &pol_libc, "", 0);
	caps = gn_metrics(f.gn)->caps_used;
	a = fx_anon(&f, 4096, RW);
	assert_int_equal(a & (PG - 1), 0);
	att = fx_env_att(&f, a);
	assert_int_equal(att.size, 32 * KiB);
	assert_int_equal(a, att.base + PG);
	assert_true(att.writeable);
	assert_false(att.executable);
	assert_int_equal(gn_ds_kind(att.ds), GN_DS_RAM);
	assert_int_equal(fx_ram(&f), f.ram0 + 32 * KiB);
	assert_int_equal(gn_metrics(f.gn)->caps_used, caps + 1);
	assert_string_equal(fx_prot(&f, a), "rw-");
	/* a second small one fits in the same chunk, right after */
	assert_int_equal(fx_anon(&f, 8192, RW), a + PG);
	assert_int_equal(fx_ram(&f), f.ram0 + 32 * KiB);
	pool_check(&f);
	fx_close(&f);
}

/* PROT_NONE is committed rw; PROT_EXEC goes to the rwx pool. */
static void test_prot(void **state)
{
	struct gn_attachment ax, an;
	struct fx f;
	uint64_t n, x;

	fx_open(&f, &pol_libc, "", 0);
	n = fx_anon(&f, 4096, LX_PROT_NONE);
	assert_string_equal(fx_prot(&f, n), "rw-");
	fx_store(&f, n, 7);
	x = fx_anon(&f, 4096, LX_PROT_READ | LX_PROT_EXEC);
	assert_string_equal(fx_prot(&f, x), "rwx");
	ax = fx_env_att(&f, x);
	an = fx_env_att(&f, n);
	assert_true(ax.executable && ax.writeable);
	assert_true(ax.base != an.base);
	/* read-only is writeable all the same */
	assert_string_equal(fx_prot(&f, fx_anon(&f, 4096, LX_PROT_READ)),
			    "rw-");
	fx_close(&f);
}

/* MAP_FIXED is refused; a hint is ignored. */
static void test_fixed_and_hint(void **state)
{
	struct fx f;
	uint64_t a = 0, used;

	fx_open(&f, &pol_libc, "", 0);
	used = fx_ram(&f);
	assert_int_equal(fx_mmap(&f, 0x100000000ULL, PG, RW, FIXED, -1, 0,
				 &a),
			 -LX_EINVAL);
	assert_int_equal(fx_ram(&f), used);
	assert_int_equal(fx_mmap(&f, 0x100000000ULL, PG, RW, ANON, -1, 0, &a),
			 0);
	assert_true(a != 0x100000000ULL);
	/* MAP_FIXED_NOREPLACE is not MAP_FIXED: a hint like any other */
	assert_int_equal(fx_mmap(&f, 0x100000000ULL, PG, RW,
				 ANON | LX_MAP_FIXED_NOREPLACE, -1, 0, &a),
			 0);
	assert_true(a != 0x100000000ULL);
	fx_close(&f);
}

/* Expansion sizes: the doubling chunk, and a request of its own size. */
static void test_expansion(void **state)
{
	struct gn_attachment a1, a2, a3;
	struct fx f;
	uint64_t x, y, z;

	fx_open(&f, &pol_libc, "", 64 * MiB);
	x = fx_anon(&f, 16 * KiB, RW);
	y = fx_anon(&f, 16 * KiB, RW);
	a1 = fx_env_att(&f, x);
	a2 = fx_env_att(&f, y);
	assert_int_equal(a1.size, 32 * KiB);
	/* 16K + 4K + slab block + record < 64K: the second chunk */
	assert_int_equal(a2.size, 64 * KiB);
	/* 1 MiB + 4096 + 8128 + 32, page-rounded */
	z = fx_anon(&f, 1 * MiB, RW);
	a3 = fx_env_att(&f, z);
	assert_int_equal(a3.size, 1 * MiB + 12 * KiB);
	assert_int_equal(fx_ram(&f), f.ram0 + 96 * KiB + a3.size);
	pool_check(&f);
	fx_close(&f);
}

/*
 * munmap: only a registered start; the length is ignored and the whole
 * block goes back to the pool, where the next request finds it; the RAM
 * stays with the pool.
 */
static void test_munmap(void **state)
{
	struct fx f;
	uint64_t a, b, ram;

	fx_open(&f, &pol_libc, "", 0);
	a = fx_anon(&f, 16 * KiB, RW);
	b = fx_anon(&f, 4 * KiB, RW);
	ram = fx_ram(&f);
	assert_int_equal(fx_munmap(&f, a + PG, PG), -LX_EINVAL);
	assert_int_equal(fx_munmap(&f, 0x1234000, PG), -LX_EINVAL);
	/* a page of four: all four go */
	assert_int_equal(fx_munmap(&f, a, PG), 0);
	assert_int_equal(fx_munmap(&f, a, PG), -LX_EINVAL);
	assert_int_equal(fx_ram(&f), ram);
	/* still attached: the program can touch freed memory */
	assert_string_equal(fx_prot(&f, a + 3 * PG), "rw-");
	assert_int_equal(fx_anon(&f, 16 * KiB, RW), a);
	assert_int_equal(fx_munmap(&f, b, 0), 0);
	assert_int_equal(fx_anon(&f, 4 * KiB, RW), b);
	pool_check(&f);
	fx_close(&f);
}

/* 26.02 zero-fills: reused memory reads as zero. */
static void test_zero_fill(void **state)
{
	struct fx f;
	uint64_t a;

	fx_open(&f, &pol_libc, "", 0);
	a = fx_anon(&f, 8 * KiB, RW);
	fx_store(&f, a, 0x5a);
	fx_store(&f, a + PG + 17, 0xa5);
	assert_int_equal(fx_munmap(&f, a, 8 * KiB), 0);
	assert_int_equal(fx_anon(&f, 5000, RW), a);
	assert_int_equal(fx_load(&f, a), 0);
	assert_int_equal(fx_load(&f, a + PG + 17), 0);
	fx_close(&f);
}

/*
 * 26.02's mmap zeroes the page-rounded length of a block that is only
 * `length` long, and the pool's own metadata comes from the same memory
 * (Allocator_avl(0); the Dataspace record of each expansion is allocated
 * there at word alignment).  Mappings of lengths that are no page
 * multiple, freed and made again, sooner or later get a record placed in
 * the tail of a block's last page and then wipe it; the pool loses that
 * dataspace and every older one at destruction.
 */
static void test_bzero_clobbers_metadata(void **state)
{
	uint64_t seed = 0x5eed, kept[16] = {0}, klen[16] = {0}, a = 0;
	uint64_t len = 0, ds0, leak = 0;
	struct pol_ma_ds *d;
	struct pol_ma *pool;
	struct fx f;
	int i;

	fx_open(&f, &pol_libc, "", 256 * MiB);
	pool = &((struct pol_lc *)f.st)->pool[0];
	ds0 = gn_metrics(f.gn)->dataspaces;
	for (i = 0; i < 20000 && !pool->records_lost; i++) {
		uint64_t r = test_rnd(&seed);
		unsigned k = (unsigned)(r % 16);

		if (kept[k]) {
			assert_int_equal(fx_munmap(&f, kept[k], klen[k]), 0);
			kept[k] = 0;
			continue;
		}
		len = 1 + (r >> 8) % (48 * KiB);
		a = kept[k] = fx_anon(&f, len, RW);
		klen[k] = len;
	}
	assert_true(pool->records_lost == 1);
	/* the last mmap's bzero hit a record in its block's last page */
	for (d = pool->ds; d && !d->rec_lost; d = d->next)
		;
	assert_non_null(d);
	assert_true(d->rec >= a + len);
	assert_true(d->rec + pool->ds_struct <=
		    ((a + len + PG - 1) & ~(PG - 1)));
	assert_true(pool->md_clobbered >= pool->ds_struct);
	/* ~Dataspace_pool stops at the lost record (a LIFO list): it and
	 * every older dataspace stay */
	for (; d; d = d->next)
		leak++;
	f.pol->fini(f.st);
	fx_check(&f);
	assert_int_equal(gn_metrics(f.gn)->dataspaces, ds0 + leak);
	gn_ctx_free(f.gn);
}

static void test_other_calls(void **state)
{
	struct fx f;
	uint64_t a;

	fx_open(&f, &pol_libc, "", 0);
	a = fx_anon(&f, 8 * KiB, RW);
	assert_int_equal(pol_libc.mprotect(f.st, a, PG, LX_PROT_READ),
			 -LX_ENOSYS);
	assert_int_equal(pol_libc.madvise(f.st, a, PG, LX_MADV_DONTNEED), 0);
	assert_int_equal(pol_libc.madvise(f.st, a, PG, 8 /* MADV_FREE */),
			 -LX_ENOSYS);
	assert_int_equal(pol_libc.msync(f.st, a, PG, 4), 0);
	assert_int_equal(pol_libc.msync(f.st, a + PG, PG, 4), -LX_EINVAL);
	/* not in the libc's ABI: the target answers ENOSYS for NULL */
	assert_null(pol_libc.mremap);
	assert_null(pol_libc.mincore);
	assert_null(pol_libc.mlock);
	assert_null(pol_libc.mlockall);
	assert_null(pol_libc.brk);
	assert_null(pol_libc.fault);
	fx_close(&f);
}

/* Length 0: Allocator_avl never fits it, yet the pool grows first. */
static void test_zero_length(void **state)
{
	struct fx f;
	uint64_t a;

	fx_open(&f, &pol_libc, "", 0);
	assert_int_equal(fx_mmap(&f, 0, 0, RW, ANON, -1, 0, &a), -LX_ENOMEM);
	assert_int_equal(fx_ram(&f), f.ram0 + 32 * KiB);
	fx_close(&f);
}

/* More than the quota: ENOMEM, and nothing half done. */
static void test_quota(void **state)
{
	struct fx f;
	uint64_t a, ram;

	fx_open(&f, &pol_libc, "", 0);
	a = fx_anon(&f, PG, RW);
	ram = fx_ram(&f);
	assert_int_equal(fx_mmap(&f, 0, 64 * MiB, RW, ANON, -1, 0, &a),
			 -LX_ENOMEM);
	assert_int_equal(fx_ram(&f), ram);
	fx_close(&f);
}

/* File mappings through the VFS plugin. */
static void test_files(void **state)
{
	struct gn_attachment att;
	struct fx f;
	uint64_t p, s, w, ram;

	fx_open(&f, &pol_libc, "", 0);
	/* shared libraries are mapped r-x: refused */
	assert_int_equal(fx_mmap(&f, 0, 8 * KiB, LX_PROT_READ | LX_PROT_EXEC,
				 LX_MAP_PRIVATE, 3, 0, &p),
			 -LX_EACCES);
	assert_int_equal(fx_mmap(&f, 0x10000000, 8 * KiB, LX_PROT_READ,
				 LX_MAP_PRIVATE | LX_MAP_FIXED, 3, 0, &p),
			 -LX_EINVAL);
	assert_int_equal(fx_mmap(&f, 0, 8 * KiB, LX_PROT_READ, LX_MAP_PRIVATE,
				 -1, 0, &p),
			 -LX_EBADF);
	/* private: a copy in the rw pool */
	assert_int_equal(fx_mmap(&f, 0, 5000, LX_PROT_READ,
				 LX_MAP_PRIVATE | LX_MAP_DENYWRITE, 3, 0, &p),
			 0);
	att = fx_env_att(&f, p);
	assert_int_equal(gn_ds_kind(att.ds), GN_DS_RAM);
	assert_string_equal(fx_prot(&f, p), "rw-");
	/* shared read-only: the file's ROM, attached anywhere */
	assert_int_equal(fx_mmap(&f, 0, 8 * KiB, LX_PROT_READ, LX_MAP_SHARED,
				 4, 4096, &s),
			 0);
	att = fx_env_att(&f, s);
	assert_int_equal(att.base, s);
	assert_int_equal(att.size, 8 * KiB);
	assert_int_equal(att.offset, 4096);
	assert_int_equal(gn_ds_kind(att.ds), GN_DS_ROM);
	assert_string_equal(fx_prot(&f, s), "r--");
	/* shared writeable: a RAM copy from the ram fs */
	ram = fx_ram(&f);
	assert_int_equal(fx_mmap(&f, 0, 8 * KiB, RW, LX_MAP_SHARED, 5, 0, &w),
			 0);
	assert_int_equal(fx_ram(&f), ram + 8 * KiB);
	assert_string_equal(fx_prot(&f, w), "rw-");
	/* munmap: the copy back to the pool, the others detached */
	assert_int_equal(fx_munmap(&f, s, 8 * KiB), 0);
	assert_false(gn_region_map_lookup(gn_env_rm(f.gn), s, &att));
	assert_int_equal(fx_munmap(&f, w, 8 * KiB), 0);
	assert_false(gn_region_map_lookup(gn_env_rm(f.gn), w, &att));
	/* the copy leaks: the libc never releases the dataspace */
	assert_int_equal(fx_ram(&f), ram + 8 * KiB);
	assert_int_equal(fx_munmap(&f, p, 5000), 0);
	assert_int_equal(fx_mmap(&f, 0, 4096, LX_PROT_READ, LX_MAP_PRIVATE, 3,
				 0, &s),
			 0);
	assert_int_equal(s, p);
	/* msync of a file mapping: the plugin's dummy */
	assert_int_equal(pol_libc.msync(f.st, s, PG, 4), -LX_EINVAL);
	fx_close(&f);
}

/*
 * Go's arena start-up: a PROT_NONE reservation of 64 MiB at the hint
 * 0xc000000000, then MAP_FIXED commits inside it.  libc commits the
 * reservation somewhere else and refuses the first MAP_FIXED.
 */
static void test_go_arena(void **state)
{
	struct fx f;
	uint64_t r, c = 0, ram;

	fx_open(&f, &pol_libc, "", 256 * MiB);
	assert_int_equal(fx_mmap(&f, 0xc000000000ULL, 64 * MiB, LX_PROT_NONE,
				 ANON, -1, 0, &r),
			 0);
	assert_true(r != 0xc000000000ULL);
	/* committed in full, and accessible */
	assert_true(fx_ram(&f) >= f.ram0 + 64 * MiB);
	assert_string_equal(fx_prot(&f, r + 32 * MiB), "rw-");
	ram = fx_ram(&f);
	assert_int_equal(fx_mmap(&f, 0xc000000000ULL, 4 * MiB, RW, FIXED, -1,
				 0, &c),
			 -LX_EINVAL);
	/* nor inside the range it did return */
	assert_int_equal(fx_mmap(&f, r, 4 * MiB, RW, FIXED, -1, 0, &c),
			 -LX_EINVAL);
	assert_int_equal(fx_ram(&f), ram);
	/* the trim of a reservation: EINVAL off the start, all of it at
	 * the start */
	assert_int_equal(fx_munmap(&f, r + 32 * MiB, 32 * MiB), -LX_EINVAL);
	assert_int_equal(fx_munmap(&f, r, 32 * MiB), 0);
	assert_int_equal(fx_ram(&f), ram);
	fx_close(&f);
}

/* align_log2 moves every anonymous block to that alignment. */
static void test_align(void **state)
{
	struct fx f;
	uint64_t a, b;

	fx_open(&f, &pol_libc, "align_log2=21", 64 * MiB);
	a = fx_anon(&f, PG, RW);
	b = fx_anon(&f, PG, RW);
	assert_int_equal(a & (2 * MiB - 1), 0);
	assert_int_equal(b & (2 * MiB - 1), 0);
	assert_true(a != b);
	pool_check(&f);
	fx_close(&f);
}

/* 32-bit: chunks are counted in 4-byte words. */
static void test_32bit(void **state)
{
	struct fx f;
	uint64_t a;

	assert_int_equal(fx_open_ex(&f, &pol_libc, "", 0, GN_26_02,
				    "nova-x86_32"),
			 0);
	a = fx_anon(&f, PG, RW);
	assert_int_equal(fx_env_att(&f, a).size, 16 * KiB);
	assert_true(a < (1ULL << 32));
	fx_close(&f);
}

/*
 * Many allocations of mixed sizes, freed in random order: blocks never
 * overlap, lie inside the pool, the slab grows beyond its inline block
 * (so metadata lives in pool memory), and the tree stays sound.
 */
static void test_churn(void **state)
{
	enum { N = 300 };
	static uint64_t addr[N], len[N];
	uint64_t seed = 0x9e3779b97f4a7c15ULL;
	struct pol_avl_sb *sb;
	struct pol_lc *lc;
	char msg[128];
	struct fx f;
	int i, j, k;

	fx_open(&f, &pol_libc, "", 128 * MiB);
	lc = f.st;
	memset(addr, 0, sizeof(addr));
	for (k = 0; k < 3000; k++) {
		i = (int)(test_rnd(&seed) % N);
		if (addr[i]) {
			assert_int_equal(fx_munmap(&f, addr[i], len[i]), 0);
			addr[i] = 0;
		} else {
			len[i] = 1 + test_rnd(&seed) % (64 * KiB);
			addr[i] = fx_anon(&f, len[i], RW);
			assert_true(pol_ma_owns(&lc->pool[0], addr[i]));
			for (j = 0; j < N; j++)
				if (j != i && addr[j])
					assert_true(addr[i] + len[i] <=
							    addr[j] ||
						    addr[j] + len[j] <=
							    addr[i]);
		}
		if (k % 50 == 0)
			pool_check(&f);
	}
	/* the slab has had to grow: more than one block in the ring */
	assert_true(lc->pool[0].alloc.num_blocks > 1);
	pool_check(&f);
	/* and the checker knows its blocks: one moved by a word is found */
	sb = lc->pool[0].alloc.curr;
	while (sb->initial)
		sb = sb->next;
	sb->addr += 8;
	assert_int_equal(pol_avl_check(&lc->pool[0].alloc, msg, sizeof(msg)),
			 -1);
	assert_non_null(strstr(msg, "is no block of its allocator"));
	sb->addr -= 8;
	pool_check(&f);
	for (i = 0; i < N; i++)
		if (addr[i])
			assert_int_equal(fx_munmap(&f, addr[i], len[i]), 0);
	pool_check(&f);
	fx_close(&f);
}

/* Allocator_avl on its own: best fit, alignment, merge, size_at. */
static void test_avl(void **state)
{
	struct pol_avl t;
	uint64_t a, b, c, size;
	char msg[256];

	pol_avl_init(&t, false, 8);
	assert_int_equal(pol_avl_add_range(&t, 0x10000, 0x10000), 0);
	assert_int_equal(pol_avl_add_range(&t, 0x18000, 0x1000), -1);
	assert_int_equal(pol_avl_alloc_aligned(&t, 0x100, 4, &a), 0);
	assert_int_equal(a, 0x10000);
	assert_int_equal(pol_avl_alloc_aligned(&t, 0x1000, 12, &b), 0);
	assert_int_equal(b, 0x11000);
	assert_int_equal(pol_avl_alloc_aligned(&t, 0x80, 3, &c), 0);
	assert_int_equal(c, 0x10100);
	assert_int_equal(pol_avl_size_at(&t, b, &size), POL_AVL_SIZE_OK);
	assert_int_equal(size, 0x1000);
	assert_int_equal(pol_avl_size_at(&t, b + 8, &size),
			 POL_AVL_MISMATCHING_ADDR);
	assert_int_equal(pol_avl_size_at(&t, 0x50000, &size),
			 POL_AVL_UNKNOWN_ADDR);
	assert_int_equal(pol_avl_alloc_aligned(&t, 0, 12, &a), -1);
	/* free from inside a block frees all of it */
	pol_avl_free(&t, b + 0x10);
	assert_int_equal(pol_avl_alloc_addr(&t, 0x1000, 0x11000), 0);
	assert_int_equal(pol_avl_alloc_addr(&t, 0x1000, 0x11800), -1);
	assert_int_equal(pol_avl_alloc_aligned(&t, 0x20000, 12, &a), -1);
	if (pol_avl_check(&t, msg, sizeof(msg)))
		fail_msg("%s", msg);
	pol_avl_free(&t, 0x10000);
	pol_avl_free(&t, 0x10100);
	pol_avl_free(&t, 0x11000);
	if (pol_avl_check(&t, msg, sizeof(msg)))
		fail_msg("%s", msg);
	/* everything merged back into one block */
	assert_int_equal(pol_avl_alloc_addr(&t, 0x10000, 0x10000), 0);
	pol_avl_destroy(&t);
}

/*
 * Tslab<Block, (1024 - 8) * sizeof(addr_t)>: Genode's slab.cc puts
 * (block_size - sizeof(Slab::Block) - sizeof(umword_t)) /
 * (slab_size + sizeof(Entry) + 1) entries in a block, with Slab::Block
 * of four words, Entry of one and Allocator_avl's Block of eight: 110 on
 * 64 bits, 109 on 32.  The libc's metadata RAM follows from it.
 */
static void test_avl_slab_entries(void **state)
{
	struct pol_avl t;

	(void)state;
	pol_avl_init(&t, false, 8);
	assert_int_equal(t.sb_size, 8128);
	assert_int_equal(t.epb, (8128 - 4 * 8 - 8) / (8 * 8 + 8 + 1));
	assert_int_equal(t.epb, 110);
	pol_avl_destroy(&t);
	pol_avl_init(&t, false, 4);
	assert_int_equal(t.sb_size, 4064);
	assert_int_equal(t.epb, (4064 - 4 * 4 - 4) / (8 * 4 + 4 + 1));
	assert_int_equal(t.epb, 109);
	pol_avl_destroy(&t);
}

/* The allocator against a page shadow, with random sizes and frees. */
static void test_avl_random(void **state)
{
	enum { PAGES = 1024, N = 200 };
	static uint8_t owner[PAGES];
	static uint64_t at[N], np[N];
	uint64_t seed = 12345, a;
	struct pol_avl t;
	char msg[256];
	int i, k;
	uint64_t p;

	memset(owner, 0, sizeof(owner));
	memset(at, 0, sizeof(at));
	pol_avl_init(&t, true, 8);
	assert_int_equal(pol_avl_add_range(&t, 0x100000, PAGES * PG), 0);
	for (k = 0; k < 20000; k++) {
		i = (int)(test_rnd(&seed) % N);
		if (at[i]) {
			pol_avl_free(&t, at[i]);
			for (p = 0; p < np[i]; p++)
				owner[(at[i] - 0x100000) / PG + p] = 0;
			at[i] = 0;
		} else {
			np[i] = 1 + test_rnd(&seed) % 8;
			if (pol_avl_alloc_aligned(&t, np[i] * PG, 12, &a))
				continue;
			assert_true(a >= 0x100000 &&
				    a + np[i] * PG <= 0x100000 + PAGES * PG);
			for (p = 0; p < np[i]; p++) {
				assert_int_equal(
					owner[(a - 0x100000) / PG + p], 0);
				owner[(a - 0x100000) / PG + p] = 1;
			}
			at[i] = a;
		}
		if (k % 500 == 0 && pol_avl_check(&t, msg, sizeof(msg)))
			fail_msg("%s", msg);
	}
	if (pol_avl_check(&t, msg, sizeof(msg)))
		fail_msg("%s", msg);
	pol_avl_destroy(&t);
}

/* The address registry: insert, duplicate, remove with collisions. */
static void test_addrset(void **state)
{
	struct pol_addrset s = {0};
	uint64_t i;

	for (i = 0; i < 5000; i++)
		assert_true(pol_addrset_insert(&s, i * PG, (unsigned)(i & 1)));
	assert_false(pol_addrset_insert(&s, 7 * PG, 0));
	assert_int_equal(pol_addrset_get(&s, 7 * PG), 1);
	assert_int_equal(pol_addrset_get(&s, 7 * PG + 1), -1);
	for (i = 0; i < 5000; i += 2)
		assert_true(pol_addrset_remove(&s, i * PG));
	for (i = 0; i < 5000; i++)
		assert_int_equal(pol_addrset_get(&s, i * PG),
				 i & 1 ? 1 : -1);
	assert_true(pol_addrset_insert(&s, 0, 0));
	assert_true(pol_addrset_insert(&s, UINT64_MAX, 1));
	assert_int_equal(pol_addrset_get(&s, UINT64_MAX), 1);
	pol_addrset_free(&s);
}

/* Random calls on every generation of the model: sound, and clean. */
static void test_random(void **state)
{
	static const enum gn_version v[] = {GN_20_05, GN_24_08, GN_26_02};
	struct fx f;
	int i;

	for (i = 0; i < 3; i++) {
		assert_int_equal(fx_open_ex(&f, &pol_libc, "", 256 * MiB,
					    v[i], i == 1 ? "hw-64" : NULL),
				 0);
		fx_random(&f, 0x1234567ULL + (uint64_t)i, 3000);
		fx_close(&f);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_params),
		cmocka_unit_test(test_first_mmap),
		cmocka_unit_test(test_prot),
		cmocka_unit_test(test_fixed_and_hint),
		cmocka_unit_test(test_expansion),
		cmocka_unit_test(test_munmap),
		cmocka_unit_test(test_zero_fill),
		cmocka_unit_test(test_other_calls),
		cmocka_unit_test(test_zero_length),
		cmocka_unit_test(test_quota),
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_go_arena),
		cmocka_unit_test(test_align),
		cmocka_unit_test(test_32bit),
		cmocka_unit_test(test_churn),
		cmocka_unit_test(test_avl),
		cmocka_unit_test(test_avl_random),
		cmocka_unit_test(test_avl_slab_entries),
		cmocka_unit_test(test_addrset),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_bzero_clobbers_metadata),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
