/*
 * px_obj.c - the objects behind non-anonymous mappings: files, shared
 * anonymous memory and the unnamed objects of px_inherit().
 *
 * What a MAP_SHARED mapping stores lands in its object, so another
 * mapping of the same object (a second mmap of the file, an mremap
 * duplicate, a fork) sees it, and a MAP_PRIVATE mapping of a file reads it
 * until it writes its own copy.  Files are keyed by path when the trace
 * knows it and by "fd:N" otherwise; they live in a registry shared by a
 * process and its forks and stay there after the last unmap, as the file
 * would.  Shared anonymous objects and inherited ones die with their last
 * mapping.
 */
#include "px_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * px_objset_new - an empty registry with one reference.
 */
struct px_objset *px_objset_new(void)
{
	struct px_objset *os = calloc(1, sizeof(*os));

	if (!os)
		return NULL;
	os->refs = 1;
	return os;
}

/*
 * px_objset_put - drop a reference; the last one frees the files (every
 * mapping of them must be gone by then).
 */
void px_objset_put(struct px_objset *os)
{
	if (!os || --os->refs)
		return;
	for (size_t i = 0; i < os->nbuckets; i++) {
		struct px_obj *o = os->tab[i], *next;

		for (; o; o = next) {
			next = o->hnext;
			pxp_free(&o->pages, &os->stored);
			free(o->name);
			free(o);
		}
	}
	free(os->tab);
	free(os);
}

static size_t hash(const char *s)
{
	size_t h = 14695981039346656037ULL;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

static int grow(struct px_objset *os)
{
	size_t n = os->nbuckets ? os->nbuckets * 2 : 16;
	struct px_obj **tab = calloc(n, sizeof(*tab));

	if (!tab)
		return -1;
	for (size_t i = 0; i < os->nbuckets; i++) {
		struct px_obj *o = os->tab[i], *next;

		for (; o; o = next) {
			size_t b = hash(o->name) & (n - 1);

			next = o->hnext;
			o->hnext = tab[b];
			tab[b] = o;
		}
	}
	free(os->tab);
	os->tab = tab;
	os->nbuckets = n;
	return 0;
}

/*
 * px_obj_file - the file known by path (or, without one, by descriptor
 * fd), created on first use.  Returns a new reference, or NULL when memory
 * runs out.
 */
struct px_obj *px_obj_file(struct px_objset *os, const char *path, int fd)
{
	char buf[32];
	const char *name = path;
	struct px_obj *o;
	size_t b;

	if (!name) {
		snprintf(buf, sizeof(buf), "fd:%d", fd);
		name = buf;
	}
	if (os->nbuckets) {
		b = hash(name) & (os->nbuckets - 1);
		for (o = os->tab[b]; o; o = o->hnext)
			if (!strcmp(o->name, name))
				return px_obj_get(o);
	}
	if (os->count >= os->nbuckets && grow(os))
		return NULL;
	o = calloc(1, sizeof(*o));
	if (!o)
		return NULL;
	o->name = strdup(name);
	if (!o->name) {
		free(o);
		return NULL;
	}
	o->kind = PX_OBJ_FILE;
	o->set = os;
	o->size = UINT64_MAX; /* the file's size is not known */
	o->refs = 2;	      /* the registry's and the caller's */
	b = hash(name) & (os->nbuckets - 1);
	o->hnext = os->tab[b];
	os->tab[b] = o;
	os->count++;
	return o;
}

/*
 * px_obj_new - a fresh unnamed object (shared anonymous memory or an
 * inherited mapping's object) of size pages, with one reference.  Shared
 * anonymous memory keeps the size it was created with: mremap can grow a
 * mapping of it past the end, and touching that part is SIGBUS.
 */
struct px_obj *px_obj_new(struct px_objset *os, enum px_obj_kind kind,
			  uint64_t size)
{
	struct px_obj *o = calloc(1, sizeof(*o));

	if (!o)
		return NULL;
	o->kind = kind;
	o->set = os;
	o->size = size;
	o->refs = 1;
	return o;
}

/*
 * px_obj_get - take another reference.
 */
struct px_obj *px_obj_get(struct px_obj *o)
{
	if (o)
		o->refs++;
	return o;
}

/*
 * px_obj_put - drop a reference; unnamed objects die with the last one,
 * files stay in the registry.
 */
void px_obj_put(struct px_obj *o)
{
	if (!o || --o->refs)
		return;
	pxp_free(&o->pages, &o->set->stored);
	free(o->name);
	free(o);
}
