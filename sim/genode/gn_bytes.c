/*
 * gn_bytes.c - the contents of a dataspace, kept sparsely.
 *
 * Dataspaces are zero-filled when core hands them out and can be
 * gigabytes large, while a replay stores a few bytes here and there.  So
 * only chunks that were written exist: 64-byte chunks in an
 * open-addressing hash table keyed by chunk index, and every other byte
 * reads as zero.  Memory grows with the bytes stored, not with the size.
 */
#include "gn_internal.h"

#include <stdlib.h>
#include <string.h>

static size_t slot_of(uint64_t key, size_t cap)
{
	/* Fibonacci hashing spreads consecutive chunks */
	return (size_t)((key * 0x9e3779b97f4a7c15ULL) >> 17) & (cap - 1);
}

static long find(const struct gn_bytes *b, uint64_t key)
{
	size_t i;

	if (!b->cap)
		return -1;
	for (i = slot_of(key, b->cap);; i = (i + 1) & (b->cap - 1)) {
		if (b->keys[i] == key)
			return (long)i;
		if (b->keys[i] == 0)
			return -1;
	}
}

static void grow(struct gn_bytes *b)
{
	struct gn_bytes n;
	size_t i, j;

	n.cap = b->cap ? b->cap * 2 : 16;
	n.n = b->n;
	n.keys = gn_xcalloc(n.cap, sizeof(*n.keys));
	n.data = gn_xcalloc(n.cap, sizeof(*n.data));
	for (i = 0; i < b->cap; i++) {
		if (!b->keys[i])
			continue;
		for (j = slot_of(b->keys[i], n.cap); n.keys[j];
		     j = (j + 1) & (n.cap - 1))
			;
		n.keys[j] = b->keys[i];
		memcpy(n.data[j], b->data[i], GN_CHUNK);
	}
	free(b->keys);
	free(b->data);
	*b = n;
}

void gn_bytes_free(struct gn_bytes *b)
{
	free(b->keys);
	free(b->data);
	memset(b, 0, sizeof(*b));
}

uint8_t gn_bytes_get(const struct gn_bytes *b, uint64_t off)
{
	long i = find(b, off / GN_CHUNK + 1);

	return i < 0 ? 0 : b->data[i][off % GN_CHUNK];
}

void gn_bytes_set(struct gn_bytes *b, uint64_t off, uint8_t v)
{
	uint64_t key = off / GN_CHUNK + 1;
	long i = find(b, key);
	size_t j;

	if (i < 0) {
		if (v == 0)
			return;	/* still reads as zero */
		if ((b->n + 1) * 4 > b->cap * 3)
			grow(b);
		for (j = slot_of(key, b->cap); b->keys[j];
		     j = (j + 1) & (b->cap - 1))
			;
		b->keys[j] = key;
		memset(b->data[j], 0, GN_CHUNK);
		b->n++;
		i = (long)j;
	}
	b->data[i][off % GN_CHUNK] = v;
}

/* Remove the chunk in slot @i, re-placing the run after it (linear
 * probing has no tombstones). */
static void remove_slot(struct gn_bytes *b, size_t i)
{
	size_t j = i, k;

	b->keys[i] = 0;
	b->n--;
	for (;;) {
		j = (j + 1) & (b->cap - 1);
		if (!b->keys[j])
			return;
		k = slot_of(b->keys[j], b->cap);
		/* may the entry at j move to the hole at i? */
		if ((j > i && (k <= i || k > j)) ||
		    (j < i && k <= i && k > j)) {
			b->keys[i] = b->keys[j];
			memcpy(b->data[i], b->data[j], GN_CHUNK);
			b->keys[j] = 0;
			i = j;
		}
	}
}

static bool all_zero(const uint8_t *p, size_t n)
{
	/* memcmp with itself shifted by one: vectorised, no table */
	return n == 0 || (p[0] == 0 && memcmp(p, p + 1, n - 1) == 0);
}

void gn_bytes_zero(struct gn_bytes *b, uint64_t off, uint64_t len)
{
	uint64_t first = off / GN_CHUNK + 1;
	uint64_t last = (off + len - 1) / GN_CHUNK + 1;
	uint64_t key, o;
	size_t i;

	if (len == 0 || b->n == 0)
		return;
	if (last - first + 1 > b->n) {
		/* fewer chunks stored than the range spans: visit those */
		for (i = 0; i < b->cap; i++) {
			key = b->keys[i];
			if (!key || key < first || key > last)
				continue;
			for (o = 0; o < GN_CHUNK; o++) {
				uint64_t at = (key - 1) * GN_CHUNK + o;

				if (at >= off && at < off + len)
					b->data[i][o] = 0;
			}
			if (all_zero(b->data[i], GN_CHUNK)) {
				remove_slot(b, i);
				i--;	/* the slot may hold a moved entry */
			}
		}
		return;
	}
	for (o = off; o < off + len; o++)
		if (o % GN_CHUNK == 0 && o + GN_CHUNK <= off + len) {
			long s = find(b, o / GN_CHUNK + 1);

			if (s >= 0)
				remove_slot(b, (size_t)s);
			o += GN_CHUNK - 1;
		} else {
			gn_bytes_set(b, o, 0);
		}
}

void gn_bytes_write(struct gn_bytes *b, uint64_t off, const uint8_t *p,
		    uint64_t len)
{
	uint64_t i;

	/* zero-filling (libc's bzero, a fresh page) is the common case */
	if (all_zero(p, len)) {
		gn_bytes_zero(b, off, len);
		return;
	}
	for (i = 0; i < len; i++)
		gn_bytes_set(b, off + i, p[i]);
}
