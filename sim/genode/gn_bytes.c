/*
 * gn_bytes.c - the contents of a dataspace, kept sparsely.
 *
 * Dataspaces are zero-filled when core hands them out and can be
 * gigabytes large, while a replay stores a few bytes here and there.  So
 * only chunks that were written exist: 64-byte chunks in an
 * open-addressing hash table keyed by chunk index, and every other byte
 * reads as the fill byte (zero, or a ROM's uniform contents).  Memory
 * grows with the bytes stored, not with the size.
 *
 * A second, smaller table maps each 4 KiB page that holds chunks to a
 * bitmap of them (64 chunks of 64 bytes make a page).  Zeroing, which
 * policies do for every page they hand out again, then costs one lookup
 * per page of the range, or one pass over the pages stored when those
 * are fewer, instead of one per chunk.
 *
 * A thread that touches every page of a range (the replay's --touch
 * all over a mapping of terabytes) writes one byte per page, the same
 * byte.  Those pages are a stamped range: an interval of offsets whose
 * pages read that byte at their first offset and the fill elsewhere.  A
 * write into a stamped page takes the page out of the range and stores
 * its stamp as a chunk, so a page is either stamped or stored, never
 * both; zeroing drops the stamps of the pages that start in its range.
 * A stamp over a stored page whose only byte other than the fill is
 * then its first takes the page in (its chunk goes), so a fault's store
 * followed by a touch's stamp leaves one range, not a chunk per fault.
 *
 * INVARIANTS (gn_bytes_check): the page index names exactly the stored
 * chunks; no stored chunk is all fill; stamped ranges are page-aligned,
 * hold a byte other than the fill and contain no page with chunks.
 */
#include "gn_internal.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNKS_PER_PAGE (4096 / GN_CHUNK)

_Static_assert(CHUNKS_PER_PAGE == 64, "a page's chunks fit one bitmap");

static size_t slot_of(uint64_t key, size_t cap)
{
	/* Fibonacci hashing spreads consecutive keys */
	return (size_t)((key * 0x9e3779b97f4a7c15ULL) >> 17) & (cap - 1);
}

/* Linear probing over @keys of @cap slots: the slot of @key, or -1. */
static long probe(const uint64_t *keys, size_t cap, uint64_t key)
{
	size_t i;

	if (!cap)
		return -1;
	for (i = slot_of(key, cap);; i = (i + 1) & (cap - 1)) {
		if (keys[i] == key)
			return (long)i;
		if (keys[i] == 0)
			return -1;
	}
}

/* The first empty slot for @key (the table has room). */
static size_t free_slot(const uint64_t *keys, size_t cap, uint64_t key)
{
	size_t j;

	for (j = slot_of(key, cap); keys[j]; j = (j + 1) & (cap - 1))
		;
	return j;
}

/*
 * Empty slot @i of a linear-probing table and re-place the run after it
 * (no tombstones); @move copies an entry's payload from slot j to slot i.
 */
static void unprobe(uint64_t *keys, size_t cap, size_t i,
		    void (*move)(struct gn_bytes *, size_t, size_t),
		    struct gn_bytes *b)
{
	size_t j = i, k;

	keys[i] = 0;
	for (;;) {
		j = (j + 1) & (cap - 1);
		if (!keys[j])
			return;
		k = slot_of(keys[j], cap);
		/* may the entry at j move to the hole at i? */
		if ((j > i && (k <= i || k > j)) ||
		    (j < i && k <= i && k > j)) {
			keys[i] = keys[j];
			move(b, i, j);
			keys[j] = 0;
			i = j;
		}
	}
}

/* ---- the page index ---- */

static void page_move(struct gn_bytes *b, size_t to, size_t from)
{
	b->pbits[to] = b->pbits[from];
}

static void page_grow(struct gn_bytes *b)
{
	size_t cap = b->pcap ? b->pcap * 2 : 16, i, j;
	uint64_t *keys = gn_xcalloc(cap, sizeof(*keys));
	uint64_t *bits = gn_xcalloc(cap, sizeof(*bits));

	for (i = 0; i < b->pcap; i++) {
		if (!b->pkeys[i])
			continue;
		j = free_slot(keys, cap, b->pkeys[i]);
		keys[j] = b->pkeys[i];
		bits[j] = b->pbits[i];
	}
	free(b->pkeys);
	free(b->pbits);
	b->pkeys = keys;
	b->pbits = bits;
	b->pcap = cap;
}

/* Chunk key @key now exists. */
static void page_mark(struct gn_bytes *b, uint64_t key)
{
	uint64_t pk = (key - 1) / CHUNKS_PER_PAGE + 1;
	long i = probe(b->pkeys, b->pcap, pk);

	if (i < 0) {
		if ((b->pn + 1) * 4 > b->pcap * 3)
			page_grow(b);
		i = (long)free_slot(b->pkeys, b->pcap, pk);
		b->pkeys[i] = pk;
		b->pbits[i] = 0;
		b->pn++;
	}
	b->pbits[i] |= 1ULL << ((key - 1) % CHUNKS_PER_PAGE);
}

/* Chunk key @key is gone. */
static void page_unmark(struct gn_bytes *b, uint64_t key)
{
	uint64_t pk = (key - 1) / CHUNKS_PER_PAGE + 1;
	long i = probe(b->pkeys, b->pcap, pk);

	if (i < 0)
		return;
	b->pbits[i] &= ~(1ULL << ((key - 1) % CHUNKS_PER_PAGE));
	if (!b->pbits[i]) {
		unprobe(b->pkeys, b->pcap, (size_t)i, page_move, b);
		b->pn--;
	}
}

/* ---- the chunks ---- */

static void chunk_move(struct gn_bytes *b, size_t to, size_t from)
{
	memcpy(b->data[to], b->data[from], GN_CHUNK);
}

static void grow(struct gn_bytes *b)
{
	size_t cap = b->cap ? b->cap * 2 : 16, i, j;
	uint64_t *keys = gn_xcalloc(cap, sizeof(*keys));
	uint8_t(*data)[GN_CHUNK] = gn_xcalloc(cap, sizeof(*data));

	for (i = 0; i < b->cap; i++) {
		if (!b->keys[i])
			continue;
		j = free_slot(keys, cap, b->keys[i]);
		keys[j] = b->keys[i];
		memcpy(data[j], b->data[i], GN_CHUNK);
	}
	free(b->keys);
	free(b->data);
	b->keys = keys;
	b->data = data;
	b->cap = cap;
}

/*
 * After a bulk operation (a stamp, a zeroing) that left nothing stored:
 * the empty tables go too, so that memory follows what is stored (a
 * touch over thousands of dataspaces leaves each its stamps only).
 */
static void release_if_empty(struct gn_bytes *b)
{
	if (b->n || b->pn)
		return;
	free(b->keys);
	free(b->data);
	free(b->pkeys);
	free(b->pbits);
	b->keys = NULL;
	b->data = NULL;
	b->pkeys = NULL;
	b->pbits = NULL;
	b->cap = 0;
	b->pcap = 0;
}

void gn_bytes_free(struct gn_bytes *b)
{
	free(b->keys);
	free(b->data);
	free(b->pkeys);
	free(b->pbits);
	iv_free(b->stamps);
	memset(b, 0, sizeof(*b));
}

/* ---- stamped ranges ---- */

/* The stamp of the page holding @off, if that page is stamped. */
static bool stamp_of(const struct gn_bytes *b, uint64_t off, uint8_t *v)
{
	uint64_t s, e, val, next;

	if (!b->stamps || !iv_lookup(b->stamps, off, &s, &e, &val, &next))
		return false;
	*v = (uint8_t)val;
	return true;
}

static void stamps_remove(struct gn_bytes *b, uint64_t start, uint64_t end)
{
	if (b->stamps && iv_remove(b->stamps, start, end))
		gn_out_of_memory();
}

/* The first page start at or above @off, saturating at the top. */
static uint64_t page_start_from(uint64_t off)
{
	return off > UINT64_MAX - (GN_PAGE - 1) ? UINT64_MAX
						 : gn_align_page(off);
}

uint8_t gn_bytes_get(const struct gn_bytes *b, uint64_t off)
{
	long i = probe(b->keys, b->cap, off / GN_CHUNK + 1);
	uint8_t v;

	if (i >= 0)
		return b->data[i][off % GN_CHUNK];
	if (off % GN_PAGE == 0 && stamp_of(b, off, &v))
		return v;
	return b->fill;
}

/* Drop the chunk in slot @i. */
static void remove_slot(struct gn_bytes *b, size_t i)
{
	page_unmark(b, b->keys[i]);
	unprobe(b->keys, b->cap, i, chunk_move, b);
	b->n--;
}

static bool all_of(const uint8_t *p, size_t n, uint8_t v)
{
	/* memcmp with itself shifted by one: vectorised, no table */
	return n == 0 || (p[0] == v && memcmp(p, p + 1, n - 1) == 0);
}

static bool all_zero(const uint8_t *p, size_t n)
{
	return all_of(p, n, 0);
}

/* gn_bytes_set on a page that is not stamped. */
static void store_byte(struct gn_bytes *b, uint64_t off, uint8_t v)
{
	uint64_t key = off / GN_CHUNK + 1;
	long i = probe(b->keys, b->cap, key);

	if (i < 0) {
		if (v == b->fill)
			return;	/* still reads as the fill */
		if ((b->n + 1) * 4 > b->cap * 3)
			grow(b);
		i = (long)free_slot(b->keys, b->cap, key);
		b->keys[i] = key;
		memset(b->data[i], b->fill, GN_CHUNK);
		b->n++;
		page_mark(b, key);
	}
	b->data[i][off % GN_CHUNK] = v;
	/* a chunk that reads all fill again is dropped: memory follows
	 * what is stored, and the invariant that no stored chunk is all
	 * fill keeps the index exact */
	if (v == b->fill && all_of(b->data[i], GN_CHUNK, v))
		remove_slot(b, (size_t)i);
}

void gn_bytes_set(struct gn_bytes *b, uint64_t off, uint8_t v)
{
	uint64_t page = off & ~(GN_PAGE - 1);
	uint8_t stamp;

	if (stamp_of(b, off, &stamp)) {
		if (off == page && v == stamp)
			return;		/* already so */
		/* the page leaves its range; its stamp becomes stored */
		stamps_remove(b, page, page + GN_PAGE);
		store_byte(b, page, stamp);
	}
	store_byte(b, off, v);
}

void gn_bytes_fill(struct gn_bytes *b, uint8_t v)
{
	gn_bytes_free(b);
	b->fill = v;
}

/* Zero what chunk @key holds of [off, end). */
static void zero_chunk(struct gn_bytes *b, uint64_t key, uint64_t off,
		       uint64_t end)
{
	uint64_t lo = (key - 1) * GN_CHUNK, hi = lo + GN_CHUNK;
	long i;

	if (hi <= off || lo >= end)
		return;		/* a chunk of the page outside the range */
	i = probe(b->keys, b->cap, key);
	if (i < 0)
		return;
	if (off <= lo && end >= hi) {
		remove_slot(b, (size_t)i);
		return;
	}
	lo = off > lo ? off : lo;
	hi = end < hi ? end : hi;
	memset(b->data[i] + lo % GN_CHUNK, 0, hi - lo);
	if (all_zero(b->data[i], GN_CHUNK))
		remove_slot(b, (size_t)i);
}

/* Zero what page @pk holds of [off, end). */
static void zero_page(struct gn_bytes *b, uint64_t pk, uint64_t off,
		      uint64_t end)
{
	long pi = probe(b->pkeys, b->pcap, pk);
	uint64_t bits;

	if (pi < 0)
		return;
	/* zero_chunk may shift the page table: work from a copy */
	bits = b->pbits[pi];
	while (bits) {
		unsigned c = (unsigned)__builtin_ctzll(bits);

		bits &= bits - 1;
		zero_chunk(b, (pk - 1) * CHUNKS_PER_PAGE + c + 1, off, end);
	}
}

/*
 * Call @fn for each page key in [first, last] that holds chunks:
 * O(min(pages in the range, pages stored)).  @fn may reshape the tables
 * (it touches its own page only), so the stored keys are listed first.
 */
static void each_stored_page(struct gn_bytes *b, uint64_t first,
			     uint64_t last,
			     void (*fn)(struct gn_bytes *, uint64_t, void *),
			     void *arg)
{
	uint64_t pk, *pages;
	size_t i, n = 0;

	if (!b->pn || first > last)
		return;
	if (last - first < b->pn) {
		for (pk = first; pk <= last && b->pn; pk++)
			if (probe(b->pkeys, b->pcap, pk) >= 0)
				fn(b, pk, arg);
		return;
	}
	pages = gn_xcalloc(b->pn, sizeof(*pages));
	for (i = 0; i < b->pcap; i++)
		if (b->pkeys[i] >= first && b->pkeys[i] <= last)
			pages[n++] = b->pkeys[i];
	for (i = 0; i < n; i++)
		fn(b, pages[i], arg);
	free(pages);
}

struct span {
	uint64_t off, end;
};

static void zero_stored_page(struct gn_bytes *b, uint64_t pk, void *arg)
{
	const struct span *r = arg;

	zero_page(b, pk, r->off, r->end);
}

void gn_bytes_zero(struct gn_bytes *b, uint64_t off, uint64_t len)
{
	struct span r = {off, off + len};
	uint64_t i;

	if (b->fill) {
		/* zeroes are stored over a fill: only a filled ROM gets
		 * here, and nothing zeroes those (they are read-only) */
		for (i = 0; i < len && off + i >= off; i++)
			gn_bytes_set(b, off + i, 0);
		return;
	}
	if (len == 0)
		return;
	if (r.end < off)
		r.end = UINT64_MAX;	/* to the end of a 2^64 range */
	/* the pages that start in the range lose their stamps */
	stamps_remove(b, page_start_from(off), page_start_from(r.end));
	each_stored_page(b, off / GN_PAGE + 1, (r.end - 1) / GN_PAGE + 1,
			 zero_stored_page, &r);
	release_if_empty(b);
}

/*
 * A stored page inside a new stamp takes the byte as a store.  A page
 * whose only stored byte is then that first one is a stamped page
 * (what a fault's first store leaves before the touch stamps on): its
 * chunk goes and the page stays in the range, so a stretch of such
 * pages is one range, not a range and a chunk per page.
 */
static void stamp_stored_page(struct gn_bytes *b, uint64_t pk, void *arg)
{
	uint64_t page = (pk - 1) * GN_PAGE, key = page / GN_CHUNK + 1;
	uint8_t v = *(const uint8_t *)arg;
	long p, i;

	store_byte(b, page, v);
	p = probe(b->pkeys, b->pcap, pk);
	if (v != b->fill && p >= 0 && b->pbits[p] == 1 &&
	    (i = probe(b->keys, b->cap, key)) >= 0 &&
	    all_of(b->data[i] + 1, GN_CHUNK - 1, b->fill)) {
		remove_slot(b, (size_t)i);
		return;
	}
	stamps_remove(b, page, page + GN_PAGE);
}

void gn_bytes_stamp(struct gn_bytes *b, uint64_t off, uint64_t len,
		    uint8_t v)
{
	uint64_t start = page_start_from(off), end;

	end = off + len < off ? UINT64_MAX : page_start_from(off + len);
	if (start >= end)
		return;
	/* a stamp equal to the fill is the fill: the pages' stamps go */
	if (v == b->fill) {
		stamps_remove(b, start, end);
	} else {
		if (!b->stamps && !(b->stamps = iv_new()))
			gn_out_of_memory();
		if (iv_union(b->stamps, start, end, v))
			gn_out_of_memory();
	}
	/* pages with chunks keep them and take the byte as a store */
	each_stored_page(b, start / GN_PAGE + 1, (end - 1) / GN_PAGE + 1,
			 stamp_stored_page, &v);
	release_if_empty(b);
}

void gn_bytes_write(struct gn_bytes *b, uint64_t off, const uint8_t *p,
		    uint64_t len)
{
	uint64_t i;

	/* zero-filling (libc's bzero, a fresh page) is the common case */
	if (!b->fill && all_zero(p, len)) {
		gn_bytes_zero(b, off, len);
		return;
	}
	for (i = 0; i < len; i++)
		gn_bytes_set(b, off + i, p[i]);
}

/* Stamped ranges: page-aligned, not the fill, no stored page inside. */
static int check_stamps(const struct gn_bytes *b, char *msg, size_t size)
{
	uint64_t a = 0, s, e, v, next;
	size_t i;

	if (!b->stamps)
		return 0;
	if (iv_check(b->stamps)) {
		snprintf(msg, size, "stamped ranges out of order");
		return -1;
	}
	while (a < UINT64_MAX) {
		if (!iv_lookup(b->stamps, a, &s, &e, &v, &next)) {
			a = next;
			continue;
		}
		if (s % GN_PAGE || (e % GN_PAGE && e != UINT64_MAX) ||
		    v > UINT8_MAX || v == b->fill) {
			snprintf(msg, size, "stamped range %llx-%llx of %llu",
				 (unsigned long long)s, (unsigned long long)e,
				 (unsigned long long)v);
			return -1;
		}
		a = e;
	}
	for (i = 0; i < b->pcap; i++) {
		uint8_t stamp;

		if (b->pkeys[i] &&
		    stamp_of(b, (b->pkeys[i] - 1) * GN_PAGE, &stamp)) {
			snprintf(msg, size, "page %llu both stamped and stored",
				 (unsigned long long)b->pkeys[i] - 1);
			return -1;
		}
	}
	return 0;
}

int gn_bytes_check(const struct gn_bytes *b, char *msg, size_t size)
{
	size_t i, n = 0, pages = 0;
	long pi;

	for (i = 0; i < b->cap; i++) {
		uint64_t key = b->keys[i];

		if (!key)
			continue;
		n++;
		if (probe(b->keys, b->cap, key) != (long)i) {
			snprintf(msg, size, "chunk %llu unreachable",
				 (unsigned long long)key - 1);
			return -1;
		}
		if (all_of(b->data[i], GN_CHUNK, b->fill)) {
			snprintf(msg, size, "chunk %llu stored all fill",
				 (unsigned long long)key - 1);
			return -1;
		}
		pi = probe(b->pkeys, b->pcap, (key - 1) / CHUNKS_PER_PAGE + 1);
		if (pi < 0 || !(b->pbits[pi] >>
				((key - 1) % CHUNKS_PER_PAGE) & 1)) {
			snprintf(msg, size, "chunk %llu missing from the page "
				 "index", (unsigned long long)key - 1);
			return -1;
		}
	}
	for (i = 0; i < b->pcap; i++) {
		uint64_t bits;

		if (!b->pkeys[i])
			continue;
		pages++;
		for (bits = b->pbits[i]; bits; bits &= bits - 1) {
			uint64_t key = (b->pkeys[i] - 1) * CHUNKS_PER_PAGE +
				       (unsigned)__builtin_ctzll(bits) + 1;

			if (probe(b->keys, b->cap, key) < 0) {
				snprintf(msg, size, "page index names chunk "
					 "%llu, not stored",
					 (unsigned long long)key - 1);
				return -1;
			}
		}
		if (!b->pbits[i]) {
			snprintf(msg, size, "empty page entry");
			return -1;
		}
	}
	if (check_stamps(b, msg, size))
		return -1;
	if (n != b->n || pages != b->pn) {
		snprintf(msg, size, "%zu chunks and %zu pages stored, counted "
			 "%zu and %zu", n, pages, b->n, b->pn);
		return -1;
	}
	return 0;
}
