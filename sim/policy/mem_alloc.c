/*
 * mem_alloc.c - Genode's component-side Allocator_avl and the libc's
 * Libc::Mem_alloc_impl, for the policies that model Genode's libc (libc,
 * libc-20.05, go-world).
 *
 * Allocator_avl (genodelabs/genode repos/base/src/lib/base/
 * allocator_avl.cc, avl_tree.cc; include/base/allocator_avl.h) is the
 * same class in a component as in core, so its tree and block logic are
 * the model's own (sim/genode/gn_avl.c): best fit by core's heuristic,
 * which depends on the tree's exact shape.  What differs is where block
 * metadata comes from, and that is here.
 *
 * Metadata: with Allocator_avl(0) every node is an entry of a Tslab
 * (slab.cc) whose first block (8128 bytes on 64-bit) is part of the
 * allocator object and whose further blocks are allocated from the
 * allocator itself, so they occupy the managed memory.  A new slab block
 * is taken when at most three entries are left, a completely free one is
 * returned once more than two blocks' worth of entries are free, and
 * add_range switches the backing store off while it runs.  Every one of
 * those rules changes where later blocks land, which is why they are
 * here.
 *
 * Mem_alloc_impl (repos/libports/src/lib/libc/libc_mem_alloc.cc) is a
 * pool of RAM dataspaces under such an allocator: on a miss it expands by
 * one dataspace of max(size + max(2^align, 1024) + slab block +
 * sizeof(Dataspace), chunk), page-rounded, where the chunk starts at 4K
 * words and doubles up to 1M words; the dataspace is attached anywhere
 * in env (writeable, executable for the rwx pool), its range added to
 * the allocator, and the pool's Dataspace record allocated from it
 * first.  Memory goes back to the allocator, never to core, until the
 * pool is destroyed.
 */
#include "mem_alloc.h"

#include "rmsim/abi.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LEFT 0
#define RIGHT 1
#define PAGE 4096ULL

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (!p) {
		fputs("rmsim: out of memory in a policy\n", stderr);
		abort();
	}
	return p;
}

static uint64_t align_up(uint64_t v, unsigned log2)
{
	uint64_t pot = log2 >= 64 ? 0 : 1ULL << log2;

	return (v + pot - 1) & ~(pot - 1);
}

/* ---- Allocator_avl on the model's tree ---- */

static int alloc_aligned(struct pol_avl *t, uint64_t size, unsigned align,
			 uint64_t *out)
{
	struct gn_blk *b;

	if (gn_avl_alloc_aligned(&t->tree, size, align, &b))
		return -1;
	*out = b->addr;
	return 0;
}

static int add_range(struct pol_avl *t, uint64_t base, uint64_t size)
{
	return gn_avl_add_range(&t->tree, base, size) ? -1 : 0;
}

static void avl_free(struct pol_avl *t, uint64_t addr)
{
	/* Genode logs an error when addr is not the block start, and frees
	 * the whole block anyway */
	gn_avl_free(&t->tree, addr);
}

/* ---- Slab (slab.cc), backed by the allocator itself ---- */

static void insert_sb(struct pol_avl *t, struct pol_avl_sb *sb)
{
	sb->prev = t->curr;
	sb->next = t->curr->next;
	t->curr->next->prev = sb;
	t->curr->next = sb;
	t->total_avail += t->epb;
	t->num_blocks++;
}

/* Slab::try_alloc: the slab block the new entry lives in, or NULL */
static struct pol_avl_sb *slab_alloc(struct pol_avl *t)
{
	struct pol_avl_sb *orig;

	/* a new block while three entries are left, so that the nested
	 * allocation of the block itself cannot run dry (_expand) */
	if (t->total_avail <= 3 && !t->bs_off && !t->nested) {
		struct pol_avl_sb *sb;
		uint64_t addr;
		int r;

		t->nested = true;
		/* Allocator_avl_base::try_alloc: word-aligned */
		r = alloc_aligned(t, t->sb_size, t->word == 8 ? 3 : 2, &addr);
		t->nested = false;
		if (r)
			return NULL;
		sb = xcalloc(1, sizeof(*sb));
		sb->avail = t->epb;
		sb->addr = addr;
		insert_sb(t, sb);
	}
	/* skip completely occupied slab blocks, detect cycles */
	orig = t->curr;
	for (; t->curr->avail == 0; t->curr = t->curr->next)
		if (t->curr->next == orig)
			break;
	if (t->curr->avail == 0)
		return NULL;
	t->curr->avail--;
	t->total_avail--;
	return t->curr;
}

/* Slab::_release_backing_store */
static void release_sb(struct pol_avl *t, struct pol_avl_sb *sb)
{
	uint64_t addr = sb->addr;
	bool give_back = !t->bs_off && !sb->initial;

	t->total_avail -= sb->avail;
	t->num_blocks--;
	if (sb->initial)
		return;
	free(sb);
	if (give_back)
		avl_free(t, addr);
}

/* Slab::_free_curr_sb */
static void free_curr_sb(struct pol_avl *t)
{
	struct pol_avl_sb *sb = t->curr;

	t->curr = t->curr->next;
	if (t->num_blocks <= 1)
		return;
	sb->prev->next = sb->next;
	sb->next->prev = sb->prev;
	release_sb(t, sb);
}

/* Slab::_free */
static void slab_free(struct pol_avl *t, struct pol_avl_sb *sb)
{
	sb->avail++;
	t->total_avail++;
	/* keep at most two blocks' worth of free entries around */
	t->curr = sb;
	while (t->total_avail > 2ULL * t->epb && t->num_blocks > 1 &&
	       t->curr->avail == t->epb && !t->bs_off)
		free_curr_sb(t);
}

/* ---- the tree's metadata hooks ---- */

/* _alloc_block_metadata: an entry of the slab, if the allocator has one */
static enum gn_alloc_error md_alloc(void *ctx, struct gn_blk *b)
{
	struct pol_avl *t = ctx;
	struct pol_avl_sb *sb = NULL;

	if (t->self_md) {
		sb = slab_alloc(t);
		if (!sb)
			return GN_ALLOC_DENIED;
	}
	b->md_entry = sb;
	return GN_ALLOC_OK;
}

static void md_free(void *ctx, struct gn_blk *b)
{
	if (b->md_entry)
		slab_free(ctx, b->md_entry);
}

/* Allocator_avl_tpl::add_range: the slab may not grow or shrink while
 * the range is being added */
static void md_add_range(void *ctx, bool start)
{
	struct pol_avl *t = ctx;

	if (start)
		t->bs_off++;
	else
		t->bs_off--;
}

static const struct gn_avl_md md_ops = {
	.alloc = md_alloc,
	.free = md_free,
	.add_range = md_add_range,
};

void pol_avl_init(struct pol_avl *t, bool self_md, unsigned word)
{
	memset(t, 0, sizeof(*t));
	gn_avl_init_md(&t->tree, &md_ops, t);
	t->self_md = self_md;
	t->word = word == 4 ? 4 : 8;
	/* SLAB_BLOCK_SIZE = (1024 - 8) * sizeof(addr_t); entries per block
	 * (block - sizeof(Slab::Block) - word) / (entry + sizeof(Entry) + 1)
	 * with Slab::Block of four words and Block of eight */
	t->sb_size = (1024 - 8) * (uint64_t)t->word;
	t->epb = (unsigned)((t->sb_size - 4 * t->word - t->word) /
			    (8 * t->word + t->word + 1));
	t->initial.initial = true;
	t->initial.avail = t->epb;
	t->initial.next = t->initial.prev = &t->initial;
	t->curr = &t->initial;
	t->num_blocks = 1;
	t->total_avail = t->epb;
}

void pol_avl_destroy(struct pol_avl *t)
{
	struct pol_avl_sb *sb, *n;

	gn_avl_destroy(&t->tree);
	/* the ring, without the inline block (which may have left it) */
	sb = t->curr;
	if (sb) {
		do {
			n = sb->next;
			if (!sb->initial)
				free(sb);
			sb = n;
		} while (sb != t->curr);
	}
	t->curr = NULL;
}

int pol_avl_add_range(struct pol_avl *t, uint64_t base, uint64_t size)
{
	return add_range(t, base, size);
}

int pol_avl_alloc_aligned(struct pol_avl *t, uint64_t size, unsigned align,
			  uint64_t *out)
{
	return alloc_aligned(t, size, align, out);
}

int pol_avl_alloc_addr(struct pol_avl *t, uint64_t size, uint64_t addr)
{
	struct gn_blk *b;

	return gn_avl_alloc_addr(&t->tree, size, addr, &b) ? -1 : 0;
}

void pol_avl_free(struct pol_avl *t, uint64_t addr)
{
	avl_free(t, addr);
}

enum pol_avl_size_at pol_avl_size_at(const struct pol_avl *t, uint64_t addr,
				     uint64_t *size)
{
	struct gn_blk *b = gn_avl_find(&t->tree, addr);

	*size = 0;
	if (b && b->addr != addr)
		return POL_AVL_MISMATCHING_ADDR;
	if (b && b->used) {
		*size = b->size;
		return POL_AVL_SIZE_OK;
	}
	return POL_AVL_UNKNOWN_ADDR;
}

bool pol_avl_lookup(const struct pol_avl *t, uint64_t addr, uint64_t *base,
		    uint64_t *size, bool *used)
{
	struct gn_blk *b = gn_avl_find(&t->tree, addr);

	if (!b)
		return false;
	*base = b->addr;
	*size = b->size;
	*used = b->used;
	return true;
}

int pol_avl_check(const struct pol_avl *t, char *msg, size_t size)
{
	const struct pol_avl_sb *sb;
	const struct gn_blk *b;
	uint64_t free_entries = 0, in_use;
	unsigned n = 0;

	if (gn_avl_check(&t->tree, msg, size))
		return -1;
	if (!t->self_md)
		return 0;
	sb = t->curr;
	do {
		if (sb->next->prev != sb || sb->avail > t->epb) {
			snprintf(msg, size, "slab ring broken");
			return -1;
		}
		/* a grown block is an allocation of the allocator itself */
		if (!sb->initial &&
		    (!(b = gn_avl_find(&t->tree, sb->addr)) || !b->used ||
		     b->addr != sb->addr || b->size != t->sb_size)) {
			snprintf(msg, size, "slab block at %#llx is no block of "
				 "its allocator", (unsigned long long)sb->addr);
			return -1;
		}
		free_entries += sb->avail;
		n++;
		sb = sb->next;
	} while (sb != t->curr && n <= t->num_blocks);
	if (n != t->num_blocks || free_entries != t->total_avail) {
		snprintf(msg, size, "slab: %u blocks (%u recorded), %llu free "
			 "(%llu recorded)", n, t->num_blocks,
			 (unsigned long long)free_entries,
			 (unsigned long long)t->total_avail);
		return -1;
	}
	/* every block of the tree is one entry */
	in_use = (uint64_t)n * t->epb - free_entries;
	if (in_use != t->tree.blocks) {
		snprintf(msg, size, "slab holds %llu entries, the tree %llu",
			 (unsigned long long)in_use,
			 (unsigned long long)t->tree.blocks);
		return -1;
	}
	return 0;
}

/* ---- Libc::Mem_alloc_impl ---- */

enum {
	MIN_CHUNK_WORDS = 4 * 1024,
	MAX_CHUNK_WORDS = 1024 * 1024,
};

void pol_ma_init(struct pol_ma *m, struct gn_ctx *gn, bool executable,
		 bool y2020)
{
	const struct lay_layout *l = gn_ctx_layout(gn);

	memset(m, 0, sizeof(*m));
	m->gn = gn;
	m->executable = executable;
	m->word = l && l->bits == 32 ? 4 : 8;
	/* List element, capability, and the Range (HEAD) or the local
	 * address (20.05) */
	m->ds_struct = (y2020 ? 3 : 4) * (uint64_t)m->word;
	m->chunk = MIN_CHUNK_WORDS;
	pol_avl_init(&m->alloc, true, m->word);
}

void pol_ma_fini(struct pol_ma *m)
{
	struct pol_ma_ds *d, *n;
	bool lost = false;

	/* ~Dataspace_pool: detach, then free, newest first (a LIFO list);
	 * a lost record ends the list: it and every older dataspace stay */
	for (d = m->ds; d; d = n) {
		n = d->next;
		if (d->rec_lost)
			lost = true;
		if (!lost) {
			gn_region_map_detach(gn_env_rm(m->gn), d->base);
			gn_pd_free_ram(gn_env_pd(m->gn), d->ds);
		}
		free(d);
	}
	m->ds = NULL;
	m->ram = 0;
	m->nds = 0;
	pol_avl_destroy(&m->alloc);
}

/* Dataspace_pool::expand */
static int expand(struct pol_ma *m, uint64_t size)
{
	struct gn_attr attr = {0};
	struct gn_range range;
	struct pol_ma_ds *d;
	gn_ds_cap ds;
	uint64_t rec;

	if (gn_pd_alloc_ram(gn_env_pd(m->gn), size, &ds) != GN_ALLOC_OK ||
	    !gn_ds_valid(ds))
		return -1;
	attr.executable = m->executable;
	attr.writeable = true;
	if (gn_region_map_attach(gn_env_rm(m->gn), ds, &attr, &range) !=
	    GN_ATTACH_OK) {
		gn_pd_free_ram(gn_env_pd(m->gn), ds);
		return -1;
	}
	/* the model keeps every dataspace, also one whose record cannot
	 * be allocated below (Genode then loses track of it) */
	d = xcalloc(1, sizeof(*d));
	d->ds = ds;
	d->base = range.start;
	d->size = range.num_bytes;
	d->fresh = true;
	d->next = m->ds;
	m->ds = d;
	m->ram += range.num_bytes;
	m->nds++;
	/* Genode only warns when the range cannot be added */
	add_range(&m->alloc, range.start, range.num_bytes);
	/* the pool's Dataspace record lives in the new memory */
	if (alloc_aligned(&m->alloc, m->ds_struct, 2, &rec))
		return -1;
	d->rec = rec;
	d->has_rec = true;
	return 0;
}

int pol_ma_alloc(struct pol_ma *m, uint64_t size, unsigned align_log2,
		 uint64_t *out)
{
	uint64_t request, ab = 1ULL << align_log2;
	struct pol_ma_ds *d;

	for (d = m->ds; d; d = d->next)
		d->fresh = false;
	if (!alloc_aligned(&m->alloc, size, align_log2, out))
		return 0;
	/* room for the request at its alignment, a Dataspace record and a
	 * slab block for the nodes, with the same wrap as size_t */
	request = size + (ab > 1024 ? ab : 1024) + m->alloc.sb_size +
		  m->ds_struct;
	if (request < m->chunk * m->word) {
		request = m->chunk * m->word;
		m->chunk = 2 * m->chunk < MAX_CHUNK_WORDS ? 2 * m->chunk
							  : MAX_CHUNK_WORDS;
	}
	if (expand(m, align_up(request, 12)) < 0)
		return -LX_ENOMEM;
	if (alloc_aligned(&m->alloc, size, align_log2, out))
		return -LX_ENOMEM;
	return 0;
}

void pol_ma_free(struct pol_ma *m, uint64_t addr)
{
	avl_free(&m->alloc, addr);
}

enum pol_avl_size_at pol_ma_size_at(const struct pol_ma *m, uint64_t addr,
				    uint64_t *size)
{
	return pol_avl_size_at(&m->alloc, addr, size);
}

bool pol_ma_owns(const struct pol_ma *m, uint64_t addr)
{
	const struct pol_ma_ds *d;

	for (d = m->ds; d; d = d->next)
		if (addr >= d->base && addr - d->base < d->size)
			return true;
	return false;
}

void pol_ma_zero(struct pol_ma *m, uint64_t addr, uint64_t len)
{
	struct pol_ma_ds *d;

	for (d = m->ds; d; d = d->next) {
		uint64_t s, e, off;

		if (d->fresh)
			continue;
		s = addr > d->base ? addr : d->base;
		e = addr + len < d->base + d->size ? addr + len
						   : d->base + d->size;
		if (addr + len < addr)	/* wrapped: up to the end */
			e = d->base + d->size;
		off = s;
		gn_ds_zero(d->ds, off - d->base, e - s);
	}
}

/* Bytes of [a, a+n) inside [b, b+size). */
static uint64_t overlap(uint64_t a, uint64_t n, uint64_t b, uint64_t size)
{
	uint64_t s = a > b ? a : b;
	uint64_t e = a + n < b + size ? a + n : b + size;

	return e > s ? e - s : 0;
}

uint64_t pol_ma_clobber(struct pol_ma *m, uint64_t addr, uint64_t len)
{
	struct pol_avl_sb *sb;
	struct pol_ma_ds *d;
	uint64_t hit = 0, h;

	for (d = m->ds; d; d = d->next) {
		if (!d->has_rec)
			continue;
		h = overlap(addr, len, d->rec, m->ds_struct);
		if (h && !d->rec_lost) {
			d->rec_lost = true;
			m->records_lost++;
		}
		hit += h;
	}
	sb = m->alloc.curr;
	if (sb)
		do {
			if (!sb->initial)
				hit += overlap(addr, len, sb->addr,
					       m->alloc.sb_size);
			sb = sb->next;
		} while (sb != m->alloc.curr);
	m->md_clobbered += hit;
	return hit;
}
