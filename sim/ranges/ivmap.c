/*
 * ivmap.c - disjoint intervals in a treap (see ivmap.h).
 *
 * Algorithm: a treap keyed by interval start with random priorities, and
 * split/merge as the only structural operations.  Assigning [s, e) splits
 * the tree at s and at e, trims the interval that straddles s (it can
 * only be the largest one left of s) and re-inserts its remainder past
 * e, drops everything between, and merges the three parts around the new
 * node.  Every operation is O(log n) expected, and memory is one node
 * per interval.
 *
 * Invariants (iv_check): in-order starts strictly increase, each interval
 * is non-empty, no interval overlaps the next, parent priority >= child.
 */
#include "ivmap.h"

#include <stdlib.h>

struct node {
	uint64_t start, end, value;
	uint32_t prio;
	struct node *l, *r;
};

struct iv_map {
	struct node *root;
	uint64_t count;
	uint64_t seed;
};

/* xorshift64*: deterministic priorities, no global state. */
static uint32_t next_prio(struct iv_map *m)
{
	m->seed ^= m->seed >> 12;
	m->seed ^= m->seed << 25;
	m->seed ^= m->seed >> 27;
	return (uint32_t)((m->seed * 2685821657736338717ULL) >> 32);
}

struct iv_map *iv_new(void)
{
	struct iv_map *m = calloc(1, sizeof(*m));

	if (m)
		m->seed = 0x9e3779b97f4a7c15ULL;
	return m;
}

static void free_tree(struct node *n)
{
	while (n) {
		struct node *r = n->r;

		free_tree(n->l);
		free(n);
		n = r;
	}
}

void iv_free(struct iv_map *m)
{
	if (!m)
		return;
	free_tree(m->root);
	free(m);
}

static struct node *clone_tree(const struct node *n, bool *ok)
{
	struct node *c;

	if (!n)
		return NULL;
	c = malloc(sizeof(*c));
	if (!c) {
		*ok = false;
		return NULL;
	}
	*c = *n;
	c->l = clone_tree(n->l, ok);
	c->r = clone_tree(n->r, ok);
	return c;
}

struct iv_map *iv_clone(const struct iv_map *m)
{
	struct iv_map *c = iv_new();
	bool ok = true;

	if (!c)
		return NULL;
	c->root = clone_tree(m->root, &ok);
	c->count = m->count;
	c->seed = m->seed;
	if (!ok) {
		iv_free(c);
		return NULL;
	}
	return c;
}

/* Split @t into nodes with start < @key (*l) and >= @key (*r). */
static void split(struct node *t, uint64_t key, struct node **l,
		  struct node **r)
{
	if (!t) {
		*l = *r = NULL;
	} else if (t->start < key) {
		split(t->r, key, &t->r, r);
		*l = t;
	} else {
		split(t->l, key, l, &t->l);
		*r = t;
	}
}

/* Merge two treaps where every start in @l is below every start in @r. */
static struct node *merge(struct node *l, struct node *r)
{
	if (!l)
		return r;
	if (!r)
		return l;
	if (l->prio >= r->prio) {
		l->r = merge(l->r, r);
		return l;
	}
	r->l = merge(l, r->l);
	return r;
}

static struct node *rightmost(struct node *t)
{
	while (t && t->r)
		t = t->r;
	return t;
}

static struct node *new_node(struct iv_map *m, uint64_t s, uint64_t e,
			     uint64_t v)
{
	struct node *n = malloc(sizeof(*n));

	if (!n)
		return NULL;
	n->start = s;
	n->end = e;
	n->value = v;
	n->prio = next_prio(m);
	n->l = n->r = NULL;
	return n;
}

static uint64_t count_tree(const struct node *n)
{
	return n ? 1 + count_tree(n->l) + count_tree(n->r) : 0;
}

/*
 * Cut [s, e) out of the map and return the pieces left (*pl) and right
 * (*pr) of it; the middle is freed.  A remainder of an interval that
 * straddles @e keeps its value with its start moved to @e.
 */
static int cut(struct iv_map *m, uint64_t s, uint64_t e, struct node **pl,
	       struct node **pr)
{
	struct node *l, *mid, *r, *last, *rest = NULL;
	uint64_t removed;

	split(m->root, s, &l, &r);
	split(r, e, &mid, &r);
	last = rightmost(l);
	if (last && last->end > s) {
		if (last->end > e) {
			rest = new_node(m, e, last->end, last->value);
			if (!rest) {
				m->root = merge(merge(l, mid), r);
				return -1;
			}
		}
		last->end = s;
	}
	last = rightmost(mid);
	if (last && last->end > e) {
		rest = new_node(m, e, last->end, last->value);
		if (!rest) {
			m->root = merge(merge(l, mid), r);
			return -1;
		}
	}
	removed = count_tree(mid);
	free_tree(mid);
	m->count -= removed;
	/* trimmed to nothing: the straddler started exactly at s - handled
	 * by split (start >= s goes right), so last->end == s > start here */
	if (rest) {
		r = merge(rest, r);
		m->count++;
	}
	*pl = l;
	*pr = r;
	return 0;
}

int iv_assign(struct iv_map *m, uint64_t start, uint64_t end, uint64_t value)
{
	struct node *l, *r, *n;

	if (start >= end)
		return 0;
	n = new_node(m, start, end, value);
	if (!n || cut(m, start, end, &l, &r)) {
		free(n);
		return -1;
	}
	m->root = merge(merge(l, n), r);
	m->count++;
	return 0;
}

int iv_union(struct iv_map *m, uint64_t start, uint64_t end, uint64_t value)
{
	uint64_t s, e, v, next;

	if (start >= end)
		return 0;
	/* already covered by one interval: the common case, no change */
	if (iv_lookup(m, start, &s, &e, &v, &next) && v == value && e >= end)
		return 0;
	/* grow to swallow neighbours that touch or overlap, so the set
	 * stays one interval per maximal run */
	if (start > 0 && iv_lookup(m, start - 1, &s, &e, &v, &next) &&
	    v == value)
		start = s;
	if (iv_lookup(m, end, &s, &e, &v, &next) && v == value)
		end = e;
	return iv_assign(m, start, end, value);
}

int iv_remove(struct iv_map *m, uint64_t start, uint64_t end)
{
	struct node *l, *r;

	if (start >= end || !m->root)
		return 0;
	if (cut(m, start, end, &l, &r))
		return -1;
	m->root = merge(l, r);
	return 0;
}

bool iv_lookup(const struct iv_map *m, uint64_t addr, uint64_t *start,
	       uint64_t *end, uint64_t *value, uint64_t *next)
{
	const struct node *t = m->root, *best = NULL;

	*next = UINT64_MAX;
	while (t) {
		if (t->start <= addr) {
			best = t;
			t = t->r;
		} else {
			*next = t->start;
			t = t->l;
		}
	}
	if (best && addr < best->end) {
		*start = best->start;
		*end = best->end;
		*value = best->value;
		return true;
	}
	return false;
}

bool iv_disjoint(const struct iv_map *m, uint64_t start, uint64_t end)
{
	uint64_t s, e, v, next;

	if (start >= end)
		return true;
	if (iv_lookup(m, start, &s, &e, &v, &next))
		return false;
	return next >= end;
}

uint64_t iv_count(const struct iv_map *m)
{
	return m->count;
}

static int check_tree(const struct node *n, const struct node **prev,
		      uint64_t *count)
{
	if (!n)
		return 0;
	if ((n->l && n->l->prio > n->prio) || (n->r && n->r->prio > n->prio))
		return -1;
	if (check_tree(n->l, prev, count))
		return -1;
	if (n->start >= n->end)
		return -1;
	if (*prev && (*prev)->end > n->start)
		return -1;
	*prev = n;
	(*count)++;
	return check_tree(n->r, prev, count);
}

int iv_check(const struct iv_map *m)
{
	const struct node *prev = NULL;
	uint64_t count = 0;

	if (check_tree(m->root, &prev, &count))
		return -1;
	return count == m->count ? 0 : -1;
}
