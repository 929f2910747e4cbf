/*
 * px_pages.c - sparse page state: which pages have a PTE or page-cache
 * page, which carry guard markers, and the bytes the program stored.
 *
 * A page map is a treap of disjoint extents [lo, hi) of page indices, each
 * with one set of PXP_* flags; a one-page extent may also own the bytes
 * stored into that page.  Extents are keyed by page index in the owner's
 * offset space (vm_pgoff for a VMA, the file page for an object), which a
 * split, a merge or an mremap move of the owning VMA never changes, so
 * those cost a treap split or join, never a walk over the pages.  Memory
 * is proportional to the number of extents and stored bytes, never to the
 * size of a mapping: populating a gigabyte is one extent.
 *
 * Priorities are a hash of the extent's first page, so the shape is that
 * of a random treap (expected depth O(log n)) yet fully deterministic.
 * Range updates cut the map at both ends, rewrite the O(k) extents in
 * between and join the pieces back: O(k + log n) expected.
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

static void data_free(struct pxp_data *d, uint64_t *stored)
{
	if (!d)
		return;
	*stored -= d->n;
	free(d->off);
	free(d->val);
	free(d);
}

static void node_free(struct pxp_node *n, uint64_t *stored)
{
	data_free(n->data, stored);
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
	free_rec(m->root, stored);
	m->root = NULL;
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
	/* Only one-page extents own data, and they cannot straddle. */
	x = node_new(key, n->hi, n->flags);
	if (!x)
		return -LX_ENOMEM;
	n->hi = key;
	tinsert(&m->root, x);
	return 0;
}

/*
 * pxp_split - move the part of m at or above key into right (empty).
 */
int pxp_split(struct pxp_map *m, uint64_t key, struct pxp_map *right)
{
	int err = cut(m, key);

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
	shift_rec(m->root, delta, up);
}

static struct pxp_data *data_dup(const struct pxp_data *d, uint64_t *stored)
{
	struct pxp_data *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	*c = *d;
	c->off = NULL;
	c->val = NULL;
	if (d->cap) {
		c->off = malloc(d->cap * sizeof(*c->off));
		c->val = malloc(d->cap);
		if (!c->off || !c->val)
			goto error;
		memcpy(c->off, d->off, d->n * sizeof(*c->off));
		memcpy(c->val, d->val, d->n);
	} else {
		c->val = malloc(PX_PAGE);
		if (!c->val)
			goto error;
		memcpy(c->val, d->val, PX_PAGE);
	}
	*stored += c->n;
	return c;
error:
	free(c->off);
	free(c->val);
	free(c);
	return NULL;
}

static struct pxp_node *copy_rec(const struct pxp_node *n, uint64_t *stored,
				 bool *oom)
{
	struct pxp_node *c;

	if (!n)
		return NULL;
	c = node_new(n->lo, n->hi, n->flags);
	if (!c) {
		*oom = true;
		return NULL;
	}
	c->prio = n->prio;
	if (n->data) {
		c->data = data_dup(n->data, stored);
		if (!c->data)
			*oom = true;
	}
	c->l = copy_rec(n->l, stored, oom);
	c->r = copy_rec(n->r, stored, oom);
	return c;
}

/*
 * pxp_copy - a deep copy of m into out (for fork).  Returns -ENOMEM, with
 * out freed, when memory runs out.
 */
int pxp_copy(const struct pxp_map *m, struct pxp_map *out, uint64_t *stored)
{
	bool oom = false;

	out->root = copy_rec(m->root, stored, &oom);
	if (oom) {
		pxp_free(out, stored);
		return -LX_ENOMEM;
	}
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
 * coalescing the two when they are adjacent twins without data. */
static void emit(struct pxp_node **out, struct pxp_node **last,
		 struct pxp_node *cur, uint64_t *stored)
{
	struct pxp_node *p = *last;

	if (p && p->hi == cur->lo && p->flags == cur->flags && !p->data &&
	    !cur->data) {
		p->hi = cur->hi;
		node_free(cur, stored);
		return;
	}
	*out = tjoin(*out, cur);
	*last = cur;
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
	struct pxp_node *a, *b, *mid, *c, *list = NULL, **tail = &list;
	struct pxp_node *n, *next, *out = NULL, *last = NULL, **spare = NULL;
	size_t gaps = 0, used = 0;
	uint64_t pos;
	int err;

	if (lo >= hi)
		return 0;
	err = cut(m, lo);
	if (!err)
		err = cut(m, hi);
	if (err)
		return err;
	tsplit(m->root, lo, &a, &b);
	tsplit(b, hi, &mid, &c);
	flatten(mid, &tail);

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
			emit(&out, &last, g, stored);
		}
		if (!n)
			break;
		next = n->r;
		n->r = NULL;
		n->flags = (n->flags & ~clear) | set;
		if (drop_data && n->data) {
			data_free(n->data, stored);
			n->data = NULL;
		}
		pos = n->hi;
		if (!n->flags && !n->data)
			node_free(n, stored);
		else
			emit(&out, &last, n, stored);
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
			if (drop_data && n->data) {
				data_free(n->data, stored);
				n->data = NULL;
			}
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
	struct pxp_node *a, *b, *mid, *c, *list = NULL, **tail = &list;
	int err;

	if (lo >= hi)
		return 0;
	err = cut(m, lo);
	if (!err)
		err = cut(m, hi);
	if (err)
		return err;
	tsplit(m->root, lo, &a, &b);
	tsplit(b, hi, &mid, &c);
	flatten(mid, &tail);
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

/* Isolate page idx as a one-page extent; it must be in the map. */
static struct pxp_node *isolate(struct pxp_map *m, uint64_t idx)
{
	if (cut(m, idx) || cut(m, idx + 1))
		return NULL;
	return pxp_find(m, idx);
}

static int data_set(struct pxp_data *d, unsigned off, uint8_t val,
		    uint64_t *stored)
{
	uint32_t lo = 0, hi = d->n;

	if (!d->cap) {
		d->n += (!d->val[off] && val) - (d->val[off] && !val);
		*stored += (!d->val[off] && val);
		*stored -= (d->val[off] && !val);
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
			(*stored)--;
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
		(*stored)++;
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
	(*stored)++;
	return 0;
}

static struct pxp_data *data_new(void)
{
	struct pxp_data *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->cap = 4;
	d->off = malloc(d->cap * sizeof(*d->off));
	d->val = malloc(d->cap);
	if (!d->off || !d->val) {
		free(d->off);
		free(d->val);
		free(d);
		return NULL;
	}
	return d;
}

/*
 * pxp_set_byte - store val at byte off of page idx, which must already be
 * in the map (the fault made it present).  Zero bytes are not kept.
 */
int pxp_set_byte(struct pxp_map *m, uint64_t idx, unsigned off, uint8_t val,
		 uint64_t *stored)
{
	struct pxp_node *n = pxp_find(m, idx);
	int err;

	if (!n)
		return -LX_EINVAL;
	if (!n->data && !val)
		return 0;
	n = isolate(m, idx);
	if (!n)
		return -LX_ENOMEM;
	if (!n->data) {
		n->data = data_new();
		if (!n->data)
			return -LX_ENOMEM;
	}
	err = data_set(n->data, off, val, stored);
	if (!err && !n->data->n) {
		data_free(n->data, stored);
		n->data = NULL;
	}
	return err;
}

static uint8_t data_get(const struct pxp_data *d, unsigned off)
{
	uint32_t lo = 0, hi = d->n;

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
 * pxp_get_byte - the byte at off of page idx (0 where nothing is kept).
 */
uint8_t pxp_get_byte(const struct pxp_map *m, uint64_t idx, unsigned off)
{
	const struct pxp_node *n = pxp_find(m, idx);

	return n && n->data ? data_get(n->data, off) : 0;
}

/*
 * pxp_copy_page - give page idx of dst (present, without data) a copy of
 * the bytes of page idx of src: the copy-on-write of a file page.
 */
int pxp_copy_page(struct pxp_map *dst, const struct pxp_map *src, uint64_t idx,
		  uint64_t *stored)
{
	const struct pxp_node *s = pxp_find(src, idx);
	struct pxp_node *d;

	if (!s || !s->data)
		return 0;
	d = isolate(dst, idx);
	if (!d)
		return -LX_ENOMEM;
	data_free(d->data, stored);
	d->data = data_dup(s->data, stored);
	return d->data ? 0 : -LX_ENOMEM;
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

	if (n->hi != n->lo + 1) {
		snprintf(cs->why, cs->size,
			 "page %#llx: data on a %llu-page "
			 "extent",
			 (unsigned long long)n->lo,
			 (unsigned long long)(n->hi - n->lo));
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
	cs->bytes += count;
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
	*bytes += cs.bytes;
	return 0;
}
