/*
 * procs.c - pid -> address space, with clone, fork, vfork and execve
 * (see procs.h).  The pid table is open addressing with linear probing;
 * traces have tens of pids, Java a few dozen, so it never needs more.
 */
#include "procs.h"

#include "abi/lx_vm.h"

#include <stdlib.h>
#include <string.h>

#define MAX_PENDING 64

struct slot {
	int32_t pid;		/* 0: empty */
	int32_t tgid;		/* its thread group */
	struct rp_proc *p;
};

struct pending {
	int32_t parent;
	int32_t tgid;		/* the child's thread group, 0: its own */
	struct rp_proc *p;	/* referenced: the parent's, or a copy */
};

struct rp_procs {
	const struct tg_target *t[RP_SIDES];
	struct rp_proc *root;
	uint64_t fork_shared;
	struct slot *slots;
	size_t cap, n;
	struct pending pend[MAX_PENDING];
	size_t npend;
	struct rp_proc *last;	/* address space of the last pid seen */
	struct rp_proc *nopid;	/* for traces without -f (pid 0) */
	uint64_t created, orphans, freed;
};

/* Free what p holds on every side; the shell stays for its references. */
static void proc_empty(struct rp_procs *ps, struct rp_proc *p)
{
	int i;

	for (i = 0; i < RP_SIDES; i++) {
		if (p->side[i].space)
			ps->t[i]->space_free(ps->t[i]->ctx, p->side[i].space);
		iv_free(p->side[i].reloc);
		p->side[i].space = NULL;
		p->side[i].reloc = NULL;
	}
	iv_free(p->known);
	p->known = NULL;
	iv_free(p->inherited);
	p->inherited = NULL;
}

static void proc_release(struct rp_procs *ps, struct rp_proc *p)
{
	proc_empty(ps, p);
	if (ps->last == p)
		ps->last = NULL;
	free(p);
}

static struct rp_proc *proc_build(struct rp_procs *ps, void *const *spaces,
				  bool fresh);

/* A fresh address space on every side, or the given ones. */
static struct rp_proc *proc_new(struct rp_procs *ps, void *const *spaces)
{
	return proc_build(ps, spaces, spaces == NULL);
}

/* Exactly the given spaces; a side given none is left out. */
static struct rp_proc *proc_new_sides(struct rp_procs *ps,
				      void *const *spaces)
{
	return proc_build(ps, spaces, false);
}

static struct rp_proc *proc_build(struct rp_procs *ps, void *const *spaces,
				  bool fresh)
{
	struct rp_proc *p = calloc(1, sizeof(*p));
	bool ok;
	int i;

	if (!p)
		return NULL;
	ok = (p->known = iv_new()) != NULL &&
	     (p->inherited = iv_new()) != NULL;
	for (i = 0; i < RP_SIDES && ok; i++) {
		if (!ps->t[i])
			continue;
		p->side[i].space = fresh ? ps->t[i]->space_new(ps->t[i]->ctx)
					 : spaces[i];
		if (!p->side[i].space && !fresh && i != RP_REF)
			continue;	/* this side sits the process out */
		p->side[i].reloc = iv_new();
		ok = p->side[i].space && p->side[i].reloc;
	}
	if (!ok) {
		proc_release(ps, p);
		return NULL;
	}
	p->refs = 1;
	ps->created++;
	if (!ps->root) {
		ps->root = p;
		p->refs++;
	}
	return p;
}

/*
 * fork(): copy every side.  A policy's side that cannot fork (a Genode
 * component has no fork of its model) is left out for the child: the
 * child's calls still run on the reference, and are not judged.
 */
static struct rp_proc *proc_fork(struct rp_procs *ps, struct rp_proc *parent)
{
	void *spaces[RP_SIDES] = {NULL, NULL};
	struct rp_proc *p;
	int i;

	for (i = 0; i < RP_SIDES; i++) {
		if (!ps->t[i] || !parent->side[i].space)
			continue;
		spaces[i] = ps->t[i]->space_fork(ps->t[i]->ctx,
						 parent->side[i].space);
		if (spaces[i])
			continue;
		if (i == RP_REF) {
			/* the reference always forks; if it cannot, share */
			ps->fork_shared++;
			parent->refs++;
			return parent;
		}
		ps->fork_shared++;
	}
	p = proc_new_sides(ps, spaces);
	if (!p)
		return NULL;
	for (i = 0; i < RP_SIDES; i++) {
		if (!p->side[i].reloc)
			continue;
		iv_free(p->side[i].reloc);
		p->side[i].reloc = iv_clone(parent->side[i].reloc);
		p->side[i].brk_delta = parent->side[i].brk_delta;
		p->side[i].brk_delta_known = parent->side[i].brk_delta_known;
	}
	iv_free(p->known);
	p->known = iv_clone(parent->known);
	iv_free(p->inherited);
	p->inherited = iv_clone(parent->inherited);
	p->base_known = parent->base_known;
	p->brk_known = parent->brk_known;
	p->brk_start = parent->brk_start;
	p->from_exec = parent->from_exec;
	p->brk = parent->brk;
	return p;
}

static void proc_put(struct rp_procs *ps, struct rp_proc *p)
{
	if (!p || --p->refs)
		return;
	proc_release(ps, p);
}

struct rp_procs *procs_new(const struct tg_target *ref,
			   const struct tg_target *model)
{
	struct rp_procs *ps = calloc(1, sizeof(*ps));

	if (!ps)
		return NULL;
	ps->t[RP_REF] = ref;
	ps->t[RP_MODEL] = model;
	ps->cap = 64;
	ps->slots = calloc(ps->cap, sizeof(*ps->slots));
	if (!ps->slots) {
		free(ps);
		return NULL;
	}
	return ps;
}

void procs_free(struct rp_procs *ps)
{
	size_t i;

	if (!ps)
		return;
	for (i = 0; i < ps->cap; i++)
		proc_put(ps, ps->slots[i].p);
	for (i = 0; i < ps->npend; i++)
		proc_put(ps, ps->pend[i].p);
	proc_put(ps, ps->nopid);
	proc_put(ps, ps->root);
	free(ps->slots);
	free(ps);
}

static size_t home(const struct rp_procs *ps, int32_t pid)
{
	return ((uint32_t)pid * 2654435761u) & (ps->cap - 1);
}

static struct slot *find(struct rp_procs *ps, int32_t pid)
{
	size_t i = home(ps, pid);

	while (ps->slots[i].pid && ps->slots[i].pid != pid)
		i = (i + 1) & (ps->cap - 1);
	return &ps->slots[i];
}

static int grow(struct rp_procs *ps)
{
	struct slot *old = ps->slots;
	size_t oldcap = ps->cap, i;

	ps->slots = calloc(oldcap * 2, sizeof(*ps->slots));
	if (!ps->slots) {
		ps->slots = old;
		return -1;
	}
	ps->cap = oldcap * 2;
	for (i = 0; i < oldcap; i++)
		if (old[i].pid)
			*find(ps, old[i].pid) = old[i];
	free(old);
	return 0;
}

/*
 * Bind @pid, of thread group @tgid (0: its own), to @p (taking over one
 * reference).  The first group bound to an address space owns it.
 */
static void bind(struct rp_procs *ps, int32_t pid, int32_t tgid,
		 struct rp_proc *p)
{
	struct slot *s;

	if (2 * (ps->n + 1) > ps->cap && grow(ps)) {
		proc_put(ps, p);
		return;
	}
	s = find(ps, pid);
	if (s->pid) {
		proc_put(ps, s->p);
	} else {
		s->pid = pid;
		ps->n++;
	}
	s->tgid = tgid ? tgid : pid;
	s->p = p;
	if (!p->owner)
		p->owner = s->tgid;
}

/*
 * Empty slot @i and close the gap (backward shift): every later entry of
 * the probe cluster that may move into the gap does, so lookups never
 * stop early at it.
 */
static void unbind_slot(struct rp_procs *ps, size_t i)
{
	size_t mask = ps->cap - 1, j = i, k;

	ps->slots[i].pid = 0;
	ps->slots[i].p = NULL;
	ps->n--;
	for (;;) {
		j = (j + 1) & mask;
		if (!ps->slots[j].pid)
			return;
		k = home(ps, ps->slots[j].pid);
		/* may j's entry move to i: is i on its probe path? */
		if ((j > i && (k <= i || k > j)) ||
		    (j < i && k <= i && k > j)) {
			ps->slots[i] = ps->slots[j];
			ps->slots[j].pid = 0;
			ps->slots[j].p = NULL;
			i = j;
		}
	}
}

/* Remove slot s and drop its reference. */
static void unbind(struct rp_procs *ps, struct slot *s)
{
	struct rp_proc *p = s->p;

	unbind_slot(ps, (size_t)(s - ps->slots));
	proc_put(ps, p);
}

/* Take the oldest pending clone of @parent (any parent when 0), with
 * the child's thread group in *tgid. */
static struct rp_proc *take_pending(struct rp_procs *ps, int32_t parent,
				    int32_t *tgid)
{
	struct rp_proc *p;
	size_t i;

	for (i = 0; i < ps->npend; i++)
		if (!parent || ps->pend[i].parent == parent)
			break;
	if (i == ps->npend)
		return NULL;
	p = ps->pend[i].p;
	*tgid = ps->pend[i].tgid;
	memmove(&ps->pend[i], &ps->pend[i + 1],
		(ps->npend - i - 1) * sizeof(ps->pend[0]));
	ps->npend--;
	return p;
}

struct rp_proc *procs_get(struct rp_procs *ps, int32_t pid)
{
	struct slot *s;
	struct rp_proc *p;
	int32_t tgid = 0;

	if (pid <= 0) {
		if (!ps->nopid)
			ps->nopid = proc_new(ps, NULL);
		return ps->nopid;
	}
	s = find(ps, pid);
	if (s->pid && s->p->dead) {
		/* a thread of a group that exited, or a reused pid */
		unbind(ps, s);
		s = find(ps, pid);
	}
	if (s->pid) {
		ps->last = s->p;
		return s->p;
	}
	p = take_pending(ps, 0, &tgid);
	if (!p && ps->last) {
		/* a pid no clone announced (strace attached late, or the
		 * clone line was lost): assume a thread of the last one */
		ps->orphans++;
		p = ps->last;
		p->refs++;
	}
	if (!p)
		p = ps->nopid ? (ps->nopid->refs++, ps->nopid)
			      : proc_new(ps, NULL);
	if (!p)
		return NULL;
	bind(ps, pid, tgid, p);
	ps->last = p;
	return p;
}

struct rp_proc *procs_find(struct rp_procs *ps, int32_t pid)
{
	struct slot *s;
	size_t i;

	if (pid <= 0)
		return ps->nopid;
	s = find(ps, pid);
	if (s->pid)
		return s->p->dead ? NULL : s->p;
	/* a thread group whose leader the trace never showed */
	for (i = 0; i < ps->cap; i++)
		if (ps->slots[i].pid && ps->slots[i].tgid == pid &&
		    !ps->slots[i].p->dead)
			return ps->slots[i].p;
	/* a clone under way: its child may run before the call returns */
	return ps->npend ? procs_get(ps, pid) : NULL;
}

/* The thread group of @pid (bound), or 0. */
static int32_t tgid_of(struct rp_procs *ps, int32_t pid)
{
	struct slot *s = pid > 0 ? find(ps, pid) : NULL;

	return s && s->pid ? s->tgid : 0;
}

/* The child's address space for a clone of that kind by @parent. */
static struct rp_proc *clone_space(struct rp_procs *ps, struct rp_proc *parent,
				   enum rp_clone kind)
{
	if (kind == RP_CLONE_FORK)
		return proc_fork(ps, parent);
	parent->refs++;
	return parent;
}

void procs_clone_start(struct rp_procs *ps, int32_t pid, enum rp_clone kind)
{
	struct rp_proc *parent = procs_get(ps, pid), *p;
	int32_t tgid;

	if (!parent)
		return;
	if (ps->npend == MAX_PENDING)
		proc_put(ps, take_pending(ps, 0, &tgid));
	p = clone_space(ps, parent, kind);
	if (!p)
		return;
	ps->pend[ps->npend].parent = pid;
	ps->pend[ps->npend].tgid =
		kind == RP_CLONE_THREAD ? tgid_of(ps, pid) : 0;
	ps->pend[ps->npend].p = p;
	ps->npend++;
}

void procs_clone_done(struct rp_procs *ps, int32_t pid, int32_t child,
		      enum rp_clone kind)
{
	struct rp_proc *parent, *p;
	struct slot *s;
	int32_t tgid = 0;

	if (child <= 0)
		return;
	s = find(ps, child);
	p = take_pending(ps, pid, &tgid);
	if (s->pid && !s->p->dead) {
		/* the child already ran and took a prepared space */
		proc_put(ps, p);
		return;
	}
	if (!p) {
		parent = procs_get(ps, pid);
		if (!parent)
			return;
		p = clone_space(ps, parent, kind);
		if (!p)
			return;
		tgid = kind == RP_CLONE_THREAD ? tgid_of(ps, pid) : 0;
	}
	bind(ps, child, tgid, p);
}

/*
 * What a new image keeps of the old one's memory-deny-write-execute
 * (mmf_init_flags()), asked and set through the side's own prctl so
 * every target keeps its state its own way.
 */
static void carry_mdwe(const struct tg_target *t, void *from, void *to)
{
	struct tg_call c = {.call = TR_PRCTL, .arg = {LX_PR_GET_MDWE}};
	uint64_t bits = 0;

	if (!from || !to || t->call(t->ctx, from, &c, &bits) ||
	    !lx_mdwe_inherit((unsigned)bits))
		return;
	c.arg[0] = LX_PR_SET_MDWE;
	c.arg[1] = lx_mdwe_inherit((unsigned)bits);
	t->call(t->ctx, to, &c, &bits);
}

void procs_exec(struct rp_procs *ps, int32_t pid)
{
	struct rp_proc *p = proc_new(ps, NULL), *old;
	int i;

	if (!p)
		return;
	p->from_exec = true;
	old = pid <= 0 ? ps->nopid : procs_get(ps, pid);
	for (i = 0; old && i < RP_SIDES; i++)
		if (ps->t[i])
			carry_mdwe(ps->t[i], old->side[i].space,
				   p->side[i].space);
	if (old && old == ps->root) {
		/* the program the trace is about starts here: its address
		 * space stands for the run from now on */
		proc_put(ps, ps->root);
		ps->root = p;
		p->refs++;
	}
	if (pid <= 0) {
		proc_put(ps, ps->nopid);
		ps->nopid = p;
		return;
	}
	bind(ps, pid, tgid_of(ps, pid), p);
	ps->last = p;
}

void procs_exit(struct rp_procs *ps, int32_t pid)
{
	struct slot *s = pid > 0 ? find(ps, pid) : NULL;
	struct rp_proc *p;

	if (!s || !s->pid)
		return;
	p = s->p;
	/* the other threads' slots keep the shell until they are seen */
	if (s->tgid == p->owner && p != ps->root && !p->dead) {
		proc_empty(ps, p);
		p->dead = true;
		ps->freed++;
		if (ps->last == p)
			ps->last = NULL;
	}
	unbind(ps, s);
}

uint64_t procs_freed(const struct rp_procs *ps)
{
	return ps->freed;
}

uint64_t procs_created(const struct rp_procs *ps)
{
	return ps->created;
}

uint64_t procs_fork_shared(const struct rp_procs *ps)
{
	return ps->fork_shared;
}

struct rp_proc *procs_root(const struct rp_procs *ps)
{
	return ps->root;
}

uint64_t procs_orphans(const struct rp_procs *ps)
{
	return ps->orphans;
}
