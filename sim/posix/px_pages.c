/*
 * px_pages.c - sparse page state: which pages have a PTE or page-cache
 * page, which carry guard markers, and the bytes the program stored.
 *
 * A page map is a treap of disjoint extents [lo, hi) of page indices, each
 * with one set of PXP_* flags and, optionally, the bytes stored into
 * every one of its pages: contents are uniform over an extent, so a range
 * written with one pattern (the touch model's token, a zeroed range) is
 * one extent however many pages it spans.  Extents are keyed by page index
 * in the owner's offset space (vm_pgoff for a VMA, the file page for an
 * object), which a split, a merge or an mremap move of the owning VMA
 * never changes, so those cost a treap split or join, never a walk over
 * the pages.  Memory is proportional to the number of extents and the
 * distinct page contents, never to the size of a mapping.
 *
 * SHARING.  Page contents (struct pxp_data) are reference counted: the
 * extents of a split, a copy-on-write of a file page and a fork's child
 * all point at one copy, and a write to a page whose contents are shared
 * first gives that page a copy of its own.  A whole tree is shared the
 * same way between a forked parent and child (struct pxp_share): fork is
 * O(1) per VMA, and the first change to either map copies its extents
 * (not their contents).
 *
 * Priorities are a hash of the extent's first page, so the shape is that
 * of a random treap (expected depth O(log n)) yet fully deterministic.
 * Range updates cut the map at both ends, rewrite the O(k) extents in
 * between and join the pieces back: O(k + log n) expected.
 *
 * INVARIANTS (pxp_check): a treap ordered by lo and prio; extents
 * disjoint, non-empty, inside the owner; no extent without flags and
 * data; data with a byte count that matches its bytes; every data and
 * share reference count at least 1; a shared map's byte total equal to
 * the bytes its extents hold.
 */
#include "px_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Beyond this many non-zero bytes a page is kept as a plain array. */
#define DENSE_AT 1024

static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static struct pxp_node *node_new(uint64_t lo, uint64_t hi, uint32_t flags)
{
	struct pxp_node *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->lo = lo;
	n->hi = hi;
	n->flags = flags;
	n->prio = mix(lo);
	return n;
}

/* The bytes an extent holds: its contents once per page. */
static uint64_t node_bytes(const struct pxp_node *n)
{
	return n->data ? (uint64_t)n->data->n * (n->hi - n->lo) : 0;
}

static struct pxp_data *data_ref(struct pxp_data *d)
{
	if (d)
		d->refs++;
	return d;
}

static void data_put(struct pxp_data *d)
{
	if (!d || --d->refs)
		return;
	free(d->off);
	free(d->val);
	free(d);
}

/* Take n's contents away, subtracting its bytes from *stored. */
static void node_drop_data(struct pxp_node *n, uint64_t *stored)
{
	*stored -= node_bytes(n);
	data_put(n->data);
	n->data = NULL;
}

static void node_free(struct pxp_node *n, uint64_t *stored)
{
	node_drop_data(n, stored);
	free(n);
}

/* Split t into keys < key (*l) and >= key (*r); no extent may straddle. */
static void tsplit(struct pxp_node *t, uint64_t key, struct pxp_node **l,
		   struct pxp_node **r)
{
	if (!t) {
		*l = *r = NULL;
	} else if (t->lo < key) {
		tsplit(t->r, key, &t->r, r);
		*l = t;
	} else {
		tsplit(t->l, key, l, &t->l);
		*r = t;
	}
}

/* Join two treaps whose keys are ordered a < b. */
static struct pxp_node *tjoin(struct pxp_node *a, struct pxp_node *b)
{
	if (!a)
		return b;
	if (!b)
		return a;
	if (a->prio > b->prio) {
		a->r = tjoin(a->r, b);
		return a;
	}
	b->l = tjoin(a, b->l);
	return b;
}

static void tinsert(struct pxp_node **root, struct pxp_node *x)
{
	struct pxp_node **p = root;

	while (*p && (*p)->prio > x->prio)
		p = x->lo < (*p)->lo ? &(*p)->l : &(*p)->r;
	tsplit(*p, x->lo, &x->l, &x->r);
	*p = x;
}

/*
 * pxp_init - an empty map.
 */
void pxp_init(struct pxp_map *m)
{
	m->root = NULL;
	m->share = NULL;
}

static void free_rec(struct pxp_node *n, uint64_t *stored)
{
	while (n) {
		struct pxp_node *r = n->r;

		free_rec(n->l, stored);
		node_free(n, stored);
		n = r;
	}
}

/*
 * pxp_free - release every extent, subtracting their bytes from *stored.
 */
void pxp_free(struct pxp_map *m, uint64_t *stored)
{
	if (m->share) {
		uint64_t none = m->share->bytes;

		*stored -= m->share->bytes;
		if (--m->share->refs == 0) {
			free_rec(m->root, &none);
			free(m->share);
		}
	} else {
		free_rec(m->root, stored);
	}
	m->root = NULL;
	m->share = NULL;
}

static uint64_t bytes_rec(const struct pxp_node *n)
{
	uint64_t b = 0;

	for (; n; n = n->r)
		b += bytes_rec(n->l) + node_bytes(n);
	return b;
}

/* A copy of the tree n whose extents share n's contents. */
static struct pxp_node *copy_rec(const struct pxp_node *n, bool *oom)
{
	struct pxp_node *c;

	if (!n)
		return NULL;
	c = malloc(sizeof(*c));
	if (!c) {
		*oom = true;
		return NULL;
	}
	*c = *n;
	data_ref(c->data);
	c->l = copy_rec(n->l, oom);
	c->r = copy_rec(n->r, oom);
	return c;
}

/*
 * Give m a tree of its own before it changes: the last sharer takes the
 * tree over, any other copies its extents.  -ENOMEM leaves m shared.
 */
static int unshare(struct pxp_map *m)
{
	struct pxp_node *c;
	bool oom = false;

	if (!m->share)
		return 0;
	if (m->share->refs > 1) {
		c = copy_rec(m->root, &oom);
		if (oom) {
			uint64_t none = bytes_rec(c);

			free_rec(c, &none);
			return -LX_ENOMEM;
		}
		m->share->refs--;
		m->root = c;
	} else {
		free(m->share);
	}
	m->share = NULL;
	return 0;
}

/* unshare() for the changes that cannot fail (a VMA merge, a move's
 * renumbering): memory for the extents is not optional there. */
static void unshare_or_die(struct pxp_map *m)
{
	if (unshare(m)) {
		fputs("rmsim: out of memory copying a page map\n", stderr);
		abort();
	}
}

/*
 * pxp_find - the extent holding page idx, or NULL.
 */
struct pxp_node *pxp_find(const struct pxp_map *m, uint64_t idx)
{
	struct pxp_node *n = m->root;

	while (n) {
		if (idx < n->lo)
			n = n->l;
		else if (idx >= n->hi)
			n = n->r;
		else
			return n;
	}
	return NULL;
}

/*
 * pxp_next - the first extent ending above idx, or NULL.
 */
struct pxp_node *pxp_next(const struct pxp_map *m, uint64_t idx)
{
	struct pxp_node *n = m->root, *best = NULL;

	while (n) {
		if (n->hi > idx) {
			best = n;
			n = n->l;
		} else {
			n = n->r;
		}
	}
	return best;
}

/* Make key an extent boundary. */
static int cut(struct pxp_map *m, uint64_t key)
{
	struct pxp_node *n = pxp_find(m, key), *x;

	if (!n || n->lo == key)
		return 0;
	x = node_new(key, n->hi, n->flags);
	if (!x)
		return -LX_ENOMEM;
	/* both halves hold the same contents, as every page did */
	x->data = data_ref(n->data);
	n->hi = key;
	tinsert(&m->root, x);
	return 0;
}

/*
 * pxp_split - move the part of m at or above key into right (empty).
 */
int pxp_split(struct pxp_map *m, uint64_t key, struct pxp_map *right)
{
	int err = unshare(m);

	if (!err)
		err = cut(m, key);
	if (err)
		return err;
	tsplit(m->root, key, &m->root, &right->root);
	return 0;
}

/*
 * pxp_join - append right, whose extents all lie above m's, to m.
 */
void pxp_join(struct pxp_map *m, struct pxp_map *right)
{
	if (!right->root) {
		pxp_free(right, &(uint64_t){0});
		return;
	}
	if (!m->root) {
		*m = *right;	/* shared or not, the tree moves whole */
		pxp_init(right);
		return;
	}
	unshare_or_die(m);
	unshare_or_die(right);
	m->root = tjoin(m->root, right->root);
	right->root = NULL;
}

static void shift_rec(struct pxp_node *n, uint64_t delta, bool up)
{
	for (; n; n = n->r) {
		shift_rec(n->l, delta, up);
		n->lo = up ? n->lo + delta : n->lo - delta;
		n->hi = up ? n->hi + delta : n->hi - delta;
	}
}

/*
 * pxp_shift - renumber every page by delta (up or down); the order, and
 * so the treap, stays valid.
 */
void pxp_shift(struct pxp_map *m, uint64_t delta, bool up)
{
	unshare_or_die(m);
	shift_rec(m->root, delta, up);
}

/*
 * pxp_copy - out (empty) becomes a copy of m (for fork): the tree is
 * shared until one of the two changes.  m is logically unchanged; only
 * its share count moves.  Returns -ENOMEM when memory runs out.
 */
int pxp_copy(const struct pxp_map *m, struct pxp_map *out, uint64_t *stored)
{
	struct pxp_map *src = (struct pxp_map *)m;

	pxp_init(out);
	if (!src->root)
		return 0;
	if (!src->share) {
		src->share = malloc(sizeof(*src->share));
		if (!src->share)
			return -LX_ENOMEM;
		src->share->refs = 1;
		src->share->bytes = bytes_rec(src->root);
	}
	src->share->refs++;
	*out = *src;
	*stored += src->share->bytes;
	return 0;
}

/* Flatten a treap into an in-order list linked through r. */
static void flatten(struct pxp_node *n, struct pxp_node ***tail)
{
	while (n) {
		struct pxp_node *r = n->r;

		flatten(n->l, tail);
		n->l = n->r = NULL;
		**tail = n;
		*tail = &n->r;
		n = r;
	}
}

/* Append extent cur to the treap out, whose last extent is *last,
 * coalescing the two when they are adjacent twins (same flags, same
 * contents): the bytes stay as many, only one extent holds them. */
static void emit(struct pxp_node **out, struct pxp_node **last,
		 struct pxp_node *cur)
{
	struct pxp_node *p = *last;

	if (p && p->hi == cur->lo && p->flags == cur->flags &&
	    p->data == cur->data) {
		p->hi = cur->hi;
		data_put(cur->data);
		free(cur);
		return;
	}
	*out = tjoin(*out, cur);
	*last = cur;
}

/*
 * Take the extents of [lo, hi) out of m (made its own) as an in-order
 * list linked through r; *a and *c keep what lies below and above, for
 * tjoin(tjoin(a, rebuilt), c).  -ENOMEM leaves m as it was.
 */
static int open_range(struct pxp_map *m, uint64_t lo, uint64_t hi,
		      struct pxp_node **a, struct pxp_node **list,
		      struct pxp_node **c)
{
	struct pxp_node *b, *mid, **tail = list;
	int err = unshare(m);

	if (!err)
		err = cut(m, lo);
	if (!err)
		err = cut(m, hi);
	if (err)
		return err;
	tsplit(m->root, lo, a, &b);
	tsplit(b, hi, &mid, c);
	*list = NULL;
	flatten(mid, &tail);
	return 0;
}

/*
 * pxp_update - over pages [lo, hi), clear the flags in clear, set those in
 * set (creating extents where there were none), and drop stored bytes if
 * drop_data.  Extents left with nothing are removed and equal neighbours
 * coalesced.  Returns -ENOMEM, having changed nothing, when memory runs
 * out.
 */
int pxp_update(struct pxp_map *m, uint64_t lo, uint64_t hi, uint32_t set,
	       uint32_t clear, bool drop_data, uint64_t *stored)
{
	struct pxp_node *a, *c, *list;
	struct pxp_node *n, *next, *out = NULL, *last = NULL, **spare = NULL;
	size_t gaps = 0, used = 0;
	uint64_t pos;
	int err;

	if (lo >= hi)
		return 0;
	err = open_range(m, lo, hi, &a, &list, &c);
	if (err)
		return err;

	/* Allocate the extents that fill holes before changing anything. */
	if (set) {
		pos = lo;
		for (n = list; n; n = n->r) {
			gaps += pos < n->lo;
			pos = n->hi;
		}
		gaps += pos < hi;
		spare = calloc(gaps ? gaps : 1, sizeof(*spare));
		if (!spare)
			goto nomem;
		for (used = 0; used < gaps; used++) {
			spare[used] = node_new(0, 0, set);
			if (!spare[used])
				goto nomem;
		}
		used = 0;
	}

	pos = lo;
	for (n = list;; n = next) {
		uint64_t nlo = n ? n->lo : hi;

		if (set && pos < nlo) {
			struct pxp_node *g = spare[used++];

			g->lo = pos;
			g->hi = nlo;
			g->prio = mix(pos);
			emit(&out, &last, g);
		}
		if (!n)
			break;
		next = n->r;
		n->r = NULL;
		n->flags = (n->flags & ~clear) | set;
		if (drop_data)
			node_drop_data(n, stored);
		pos = n->hi;
		if (!n->flags && !n->data)
			node_free(n, stored);
		else
			emit(&out, &last, n);
	}
	free(spare);
	m->root = tjoin(tjoin(a, out), c);
	return 0;

nomem:
	if (spare) {
		for (size_t i = 0; i < gaps; i++)
			free(spare[i]);
		free(spare);
	}
	for (n = list; n; n = next) {
		next = n->r;
		n->r = NULL;
		out = tjoin(out, n);
	}
	m->root = tjoin(tjoin(a, out), c);
	return -LX_ENOMEM;
}

/* Apply the update to every extent of the in-order list that carries one
 * of need; the list is rebuilt into a treap. */
static struct pxp_node *update_list(struct pxp_node *list, uint32_t need,
				    uint32_t skip, uint32_t set, uint32_t clear,
				    bool drop_data, uint64_t *stored)
{
	struct pxp_node *n, *next, *out = NULL;

	for (n = list; n; n = next) {
		next = n->r;
		n->r = NULL;
		if ((n->flags & need) && !(n->flags & skip)) {
			n->flags = (n->flags & ~clear) | set;
			if (drop_data)
				node_drop_data(n, stored);
		}
		if (!n->flags && !n->data)
			node_free(n, stored);
		else
			out = tjoin(out, n);
	}
	return out;
}

/*
 * pxp_update_if - like pxp_update(), but only on the extents of [lo, hi)
 * that carry one of the flags in need and none of those in skip; holes
 * stay holes.
 */
int pxp_update_if(struct pxp_map *m, uint64_t lo, uint64_t hi, uint32_t need,
		  uint32_t skip, uint32_t set, uint32_t clear, bool drop_data,
		  uint64_t *stored)
{
	struct pxp_node *a, *mid, *c, *list;
	int err;

	if (lo >= hi)
		return 0;
	err = open_range(m, lo, hi, &a, &list, &c);
	if (err)
		return err;
	mid = update_list(list, need, skip, set, clear, drop_data, stored);
	m->root = tjoin(tjoin(a, mid), c);
	return 0;
}

static bool any_rec(const struct pxp_node *n, uint64_t lo, uint64_t hi,
		    uint32_t flags)
{
	while (n) {
		if (n->hi > lo && n->lo < hi && (n->flags & flags))
			return true;
		if (lo < n->lo && any_rec(n->l, lo, hi, flags))
			return true;
		if (hi <= n->hi)
			return false;
		n = n->r;
	}
	return false;
}

/*
 * pxp_any - does any page in [lo, hi) carry one of flags?
 */
bool pxp_any(const struct pxp_map *m, uint64_t lo, uint64_t hi, uint32_t flags)
{
	return lo < hi && any_rec(m->root, lo, hi, flags);
}

/* Set byte off of d (held by nobody else) to val; d->n counts the
 * non-zero bytes. */
static int data_set(struct pxp_data *d, unsigned off, uint8_t val)
{
	uint32_t lo = 0, hi = d->n;

	if (!d->cap) {
		d->n += (!d->val[off] && val) - (d->val[off] && !val);
		d->val[off] = val;
		return 0;
	}
	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;

		if (d->off[mid] < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < d->n && d->off[lo] == off) {
		if (val) {
			d->val[lo] = val;
		} else {
			memmove(d->off + lo, d->off + lo + 1,
				(d->n - lo - 1) * sizeof(*d->off));
			memmove(d->val + lo, d->val + lo + 1, d->n - lo - 1);
			d->n--;
		}
		return 0;
	}
	if (!val)
		return 0;
	if (d->n == DENSE_AT) {
		uint8_t *dense = calloc(1, PX_PAGE);

		if (!dense)
			return -LX_ENOMEM;
		for (uint32_t i = 0; i < d->n; i++)
			dense[d->off[i]] = d->val[i];
		free(d->off);
		free(d->val);
		d->off = NULL;
		d->val = dense;
		d->cap = 0;
		d->val[off] = val;
		d->n++;
		return 0;
	}
	if (d->n == d->cap) {
		uint32_t cap = d->cap * 2;
		uint16_t *no = realloc(d->off, cap * sizeof(*no));

		if (!no)
			return -LX_ENOMEM;
		d->off = no;
		uint8_t *nv = realloc(d->val, cap);

		if (!nv)
			return -LX_ENOMEM;
		d->val = nv;
		d->cap = cap;
	}
	memmove(d->off + lo + 1, d->off + lo, (d->n - lo) * sizeof(*d->off));
	memmove(d->val + lo + 1, d->val + lo, d->n - lo);
	d->off[lo] = (uint16_t)off;
	d->val[lo] = val;
	d->n++;
	return 0;
}

/* Contents of one reference: a copy of src, or empty when src is NULL. */
static struct pxp_data *data_clone(const struct pxp_data *src)
{
	struct pxp_data *d = calloc(1, sizeof(*d));
	size_t cap = src && !src->cap ? PX_PAGE : src ? src->cap : 4;

	if (!d)
		return NULL;
	d->refs = 1;
	d->cap = src ? src->cap : 4;
	d->val = malloc(cap);
	if (d->cap)
		d->off = malloc(d->cap * sizeof(*d->off));
	if (!d->val || (d->cap && !d->off)) {
		free(d->off);
		free(d->val);
		free(d);
		return NULL;
	}
	if (src) {
		d->n = src->n;
		memcpy(d->val, src->val, src->cap ? src->n : PX_PAGE);
		if (src->cap)
			memcpy(d->off, src->off, src->n * sizeof(*d->off));
	}
	return d;
}

static uint8_t data_get(const struct pxp_data *d, unsigned off)
{
	uint32_t lo = 0, hi;

	if (!d)
		return 0;
	hi = d->n;
	if (!d->cap)
		return d->val[off];
	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;

		if (d->off[mid] < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < d->n && d->off[lo] == off ? d->val[lo] : 0;
}

/*
 * The contents old with byte off set to val, as a new reference (NULL
 * when nothing non-zero is left); *err on failure.  Contents nobody else
 * holds change in place: the common store into a page of one's own.
 */
static struct pxp_data *data_with(struct pxp_data *old, unsigned off,
				  uint8_t val, int *err)
{
	struct pxp_data *d;

	if (data_get(old, off) == val)
		return data_ref(old);
	d = old && old->refs == 1 ? data_ref(old) : data_clone(old);
	if (!d) {
		*err = -LX_ENOMEM;
		return NULL;
	}
	*err = data_set(d, off, val);
	if (*err || !d->n) {
		data_put(d);
		return NULL;
	}
	return d;
}

/*
 * Rewrite the contents of every extent of [lo, hi) (holes stay holes):
 * with one_byte, byte off set to val; otherwise the contents d.  Runs
 * of extents that held the same contents get the same result, so they
 * coalesce again.  -ENOMEM may leave part of the range rewritten.
 */
static int rewrite(struct pxp_map *m, uint64_t lo, uint64_t hi, bool one_byte,
		   unsigned off, uint8_t val, struct pxp_data *d,
		   uint64_t *stored)
{
	struct pxp_node *a, *c, *list;
	struct pxp_node *n, *next, *out = NULL, *last = NULL;
	struct pxp_data *memo_old = NULL, *memo_new = NULL, *nd;
	bool memo = false;
	int err;

	if (lo >= hi)
		return 0;
	err = open_range(m, lo, hi, &a, &list, &c);
	if (err)
		return err;
	for (n = list; n; n = next) {
		next = n->r;
		n->r = NULL;
		/* the bytes before the change: n->data may change in place */
		*stored -= node_bytes(n);
		if (err) {
			nd = data_ref(n->data);
		} else if (!one_byte) {
			nd = data_ref(d);
		} else if (memo && n->data == memo_old) {
			nd = data_ref(memo_new);
		} else {
			nd = data_with(n->data, off, val, &err);
			if (!err) {
				data_put(memo_old);
				data_put(memo_new);
				memo_old = data_ref(n->data);
				memo_new = data_ref(nd);
				memo = true;
			}
		}
		data_put(n->data);
		n->data = nd;
		*stored += node_bytes(n);
		if (!n->flags && !n->data)
			node_free(n, stored);
		else
			emit(&out, &last, n);
	}
	data_put(memo_old);
	data_put(memo_new);
	m->root = tjoin(tjoin(a, out), c);
	return err;
}

/*
 * pxp_set_byte - store val at byte off of page idx, which must already be
 * in the map (the fault made it present).  Zero bytes are not kept.
 */
int pxp_set_byte(struct pxp_map *m, uint64_t idx, unsigned off, uint8_t val,
		 uint64_t *stored)
{
	return pxp_fill(m, idx, idx + 1, off, val, stored);
}

/*
 * pxp_fill - store val at byte off of every page in [lo, hi) that is in
 * the map: one extent per run of pages that held the same contents.
 */
int pxp_fill(struct pxp_map *m, uint64_t lo, uint64_t hi, unsigned off,
	     uint8_t val, uint64_t *stored)
{
	struct pxp_node *n = pxp_find(m, lo);

	if (hi == lo + 1 && !n)
		return -LX_EINVAL;
	/* the common write of a byte that is already there */
	if (n && n->hi >= hi && data_get(n->data, off) == val)
		return 0;
	/*
	 * The common store into a page that is one extent of its own (the
	 * page a fault just made present): what rewrite() does to a range
	 * of one extent, without cutting the tree and joining it again.
	 * An extent with flags stays, whatever its contents become.
	 */
	if (n && n->lo == lo && n->hi == hi && n->flags && !m->share) {
		struct pxp_data *nd;
		int err = 0;

		*stored -= node_bytes(n);
		nd = data_with(n->data, off, val, &err);
		data_put(n->data);
		n->data = nd;
		*stored += node_bytes(n);
		return err;
	}
	/* the common store into a page of one's own: in place */
	if (n && n->lo == lo && n->hi == hi && hi == lo + 1 && !m->share &&
	    n->data && n->data->refs == 1) {
		int err;

		*stored -= n->data->n;
		err = data_set(n->data, off, val);
		*stored += n->data->n;
		if (!n->data->n && !err)
			node_drop_data(n, stored);
		if (!n->flags && !n->data)
			return rewrite(m, lo, hi, true, off, val, NULL, stored);
		return err;
	}
	return rewrite(m, lo, hi, true, off, val, NULL, stored);
}

/*
 * pxp_get_byte - the byte at off of page idx (0 where nothing is kept).
 */
uint8_t pxp_get_byte(const struct pxp_map *m, uint64_t idx, unsigned off)
{
	const struct pxp_node *n = pxp_find(m, idx);

	return n ? data_get(n->data, off) : 0;
}

/*
 * pxp_copy_data - the pages of dst in [lo, hi) that carry none of skip
 * get the contents of the same pages of src: the copy-on-write of file
 * pages, shared until either side writes.
 */
int pxp_copy_data(struct pxp_map *dst, const struct pxp_map *src, uint64_t lo,
		  uint64_t hi, uint32_t skip, uint64_t *stored)
{
	const struct pxp_node *s, *mine;
	uint64_t a, b, q, e;
	int err;

	for (s = pxp_next(src, lo); s && s->lo < hi; s = pxp_next(src, s->hi)) {
		if (!s->data)
			continue;
		a = s->lo > lo ? s->lo : lo;
		b = s->hi < hi ? s->hi : hi;
		for (q = a; q < b; q = e) {
			mine = pxp_next(dst, q);
			if (!mine || mine->lo >= b)
				break;
			if (mine->lo > q)
				q = mine->lo;
			e = mine->hi < b ? mine->hi : b;
			if (mine->flags & skip)
				continue;
			err = rewrite(dst, q, e, false, 0, 0, s->data, stored);
			if (err)
				return err;
		}
	}
	return 0;
}

/*
 * pxp_empty - does the map hold nothing?
 */
bool pxp_empty(const struct pxp_map *m)
{
	return !m->root;
}

struct check_state {
	uint64_t lo, hi, prev_hi, bytes;
	bool first;
	char *why;
	size_t size;
};

static int check_data(const struct pxp_node *n, struct check_state *cs)
{
	const struct pxp_data *d = n->data;
	uint32_t count = 0;

	if (!d->refs) {
		snprintf(cs->why, cs->size, "page %#llx: data without a reference",
			 (unsigned long long)n->lo);
		return -1;
	}
	if (d->cap) {
		for (uint32_t i = 0; i < d->n; i++) {
			if (d->off[i] >= PX_PAGE || !d->val[i] ||
			    (i && d->off[i] <= d->off[i - 1])) {
				snprintf(cs->why, cs->size,
					 "page %#llx: bad sparse data",
					 (unsigned long long)n->lo);
				return -1;
			}
		}
		count = d->n;
	} else {
		for (uint32_t i = 0; i < PX_PAGE; i++)
			count += d->val[i] != 0;
	}
	if (count != d->n || !count) {
		snprintf(cs->why, cs->size,
			 "page %#llx: byte count %u, "
			 "found %u",
			 (unsigned long long)n->lo, d->n, count);
		return -1;
	}
	cs->bytes += (uint64_t)count * (n->hi - n->lo);
	return 0;
}

static int check_rec(const struct pxp_node *n, const struct pxp_node *parent,
		     struct check_state *cs)
{
	for (; n; parent = n, n = n->r) {
		if (parent && parent->prio < n->prio) {
			snprintf(cs->why, cs->size, "page %#llx: treap order",
				 (unsigned long long)n->lo);
			return -1;
		}
		if (check_rec(n->l, n, cs))
			return -1;
		if (n->lo >= n->hi || n->lo < cs->lo || n->hi > cs->hi ||
		    (!cs->first && n->lo < cs->prev_hi)) {
			snprintf(cs->why, cs->size,
				 "page extent [%#llx,%#llx) misplaced "
				 "(owner [%#llx,%#llx))",
				 (unsigned long long)n->lo,
				 (unsigned long long)n->hi,
				 (unsigned long long)cs->lo,
				 (unsigned long long)cs->hi);
			return -1;
		}
		if (!n->flags && !n->data) {
			snprintf(cs->why, cs->size, "page %#llx: empty extent",
				 (unsigned long long)n->lo);
			return -1;
		}
		if (n->data && check_data(n, cs))
			return -1;
		cs->first = false;
		cs->prev_hi = n->hi;
	}
	return 0;
}

/*
 * pxp_check - verify that m is a valid treap of disjoint, non-empty
 * extents inside [lo, hi) with consistent data.  Adds the stored bytes to
 * *bytes.  Returns 0 or -1 with why set.
 */
int pxp_check(const struct pxp_map *m, uint64_t lo, uint64_t hi,
	      uint64_t *bytes, char *why, size_t size)
{
	struct check_state cs = {
		.lo = lo,
		.hi = hi,
		.first = true,
		.why = why,
		.size = size,
	};

	if (check_rec(m->root, NULL, &cs))
		return -1;
	if (m->share && (!m->share->refs || m->share->bytes != cs.bytes)) {
		snprintf(why, size, "shared page map: %u references, %llu "
			 "bytes, found %llu", m->share->refs,
			 (unsigned long long)m->share->bytes,
			 (unsigned long long)cs.bytes);
		return -1;
	}
	*bytes += cs.bytes;
	return 0;
}
