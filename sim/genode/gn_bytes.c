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
 */
#include "gn_internal.h"

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

void gn_bytes_free(struct gn_bytes *b)
{
	free(b->keys);
	free(b->data);
	free(b->pkeys);
	free(b->pbits);
	memset(b, 0, sizeof(*b));
}

uint8_t gn_bytes_get(const struct gn_bytes *b, uint64_t off)
{
	long i = probe(b->keys, b->cap, off / GN_CHUNK + 1);

	return i < 0 ? b->fill : b->data[i][off % GN_CHUNK];
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

void gn_bytes_set(struct gn_bytes *b, uint64_t off, uint8_t v)
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

void gn_bytes_zero(struct gn_bytes *b, uint64_t off, uint64_t len)
{
	uint64_t end = off + len, first, last, pk, *pages;
	size_t i, n = 0;

	if (b->fill) {
		/* zeroes are stored over a fill: only a filled ROM gets
		 * here, and nothing zeroes those (they are read-only) */
		for (i = 0; i < len && off + i >= off; i++)
			gn_bytes_set(b, off + i, 0);
		return;
	}
	if (len == 0 || b->n == 0)
		return;
	if (end < off)
		end = UINT64_MAX;	/* to the end of a 2^64 range */
	first = off / 4096 + 1;
	last = (end - 1) / 4096 + 1;
	if (last - first + 1 <= b->pn) {
		for (pk = first; pk <= last && b->n; pk++)
			zero_page(b, pk, off, end);
		return;
	}
	/* fewer pages stored than the range spans: visit those (listed
	 * first, since zeroing reshapes the table) */
	pages = gn_xcalloc(b->pn, sizeof(*pages));
	for (i = 0; i < b->pcap; i++)
		if (b->pkeys[i] >= first && b->pkeys[i] <= last)
			pages[n++] = b->pkeys[i];
	for (i = 0; i < n; i++)
		zero_page(b, pages[i], off, end);
	free(pages);
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
	if (n != b->n || pages != b->pn) {
		snprintf(msg, size, "%zu chunks and %zu pages stored, counted "
			 "%zu and %zu", n, pages, b->n, b->pn);
		return -1;
	}
	return 0;
}
