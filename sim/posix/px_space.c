/*
 * px_space.c - an address space as a whole: creation, fork, teardown,
 * the late initial state, and the program's view of it (loads, stores,
 * the protection of a page, the VMA list, statistics).
 *
 * Loads and stores go through the same fault path as the kernel's: a
 * write to a private page breaks copy-on-write (giving the VMA an
 * anon_vma and, for a file, a private copy of the page), a read maps the
 * zero page or the page cache.  x86 cannot forbid reads of writable or
 * executable pages, so those read fine.  An access below a MAP_GROWSDOWN
 * VMA grows it first, as expand_downwards() would.
 */
#include "px_internal.h"

#include <string.h>

#include <stdlib.h>

/* Linux's default mmap_base without randomisation, 128 MiB stack gap. */
#define DEFAULT_MMAP_BASE 0x7ffff7fff000ULL

/*
 * px_default_config - Linux x86-64 defaults (see rmsim/posix.h).
 */
void px_default_config(struct px_config *cfg)
{
	*cfg = (struct px_config){
		.mmap_base = 0,
		.mmap_min_addr = 65536,
		.task_size = LX_TASK_SIZE,
		.start_brk = 0,
		.thp = true,
		.memlock_limit = 8ULL << 20,
		.cap_ipc_lock = false,
		.mmap_legacy_base = 0,
		.max_map_count = 65530,
		.stack_guard_gap = 256 * PX_PAGE,
		.stack_rlimit = 8ULL << 20,
		.commit_limit = 0,
		.thp_enabled = PX_THP_MADVISE,
		.file_thp = true,
		.ksm = true,
		/* the recording kernel (6.18, as configured) has no
		 * CONFIG_MEMORY_FAILURE: HWPOISON and SOFT_OFFLINE are
		 * EINVAL there */
		.memory_failure = false,
		.cap_sys_admin = false,
		.cap_sys_rawio = false,
		.pku = false,
	};
}

/*
 * px_new - an empty address space configured by cfg (NULL: defaults).
 */
struct px_space *px_new(const struct px_config *cfg)
{
	struct px_space *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	if (cfg)
		s->cfg = *cfg;
	else
		px_default_config(&s->cfg);
	if (!s->cfg.task_size)
		s->cfg.task_size = LX_TASK_SIZE;
	if (!s->cfg.max_map_count)
		s->cfg.max_map_count = 65530;
	if (!s->cfg.stack_guard_gap)
		s->cfg.stack_guard_gap = 256 * PX_PAGE;
	if (!s->cfg.stack_rlimit)
		s->cfg.stack_rlimit = 8ULL << 20;
	s->objs = px_objset_new();
	if (!s->objs) {
		free(s);
		return NULL;
	}
	px_set_mmap_base(s, s->cfg.mmap_base);
	s->legacy_base = s->cfg.mmap_legacy_base
				 ? s->cfg.mmap_legacy_base & LX_PAGE_MASK
				 : PX_PAGE_ALIGN(s->cfg.task_size / 3);
	s->start_brk = s->brk = s->cfg.start_brk;
	return s;
}

/* Free a subtree without rebalancing: the whole tree goes. */
static void free_all(struct px_space *s, struct px_vma *v)
{
	while (v) {
		struct px_vma *r = px_vma_of(v->node.c[1]);

		free_all(s, px_vma_of(v->node.c[0]));
		px_vma_free(s, v);
		v = r;
	}
}

/*
 * px_free - destroy s and everything it holds.
 */
void px_free(struct px_space *s)
{
	if (!s)
		return;
	free_all(s, px_vma_of(s->tree.root));
	px_objset_put(s->objs);
	free(s);
}

/* The child's copy of VMA p, or NULL when memory runs out; for a shadow
 * (px_shadow) the same VMA without its pages. */
static struct px_vma *fork_vma(struct px_space *c, const struct px_vma *p,
			       bool shadow)
{
	struct px_vma *v = px_vma_alloc();

	if (!v)
		return NULL;
	v->start = p->start;
	v->end = p->end;
	v->pgoff = p->pgoff;
	v->flags = p->flags & ~LX_VM_LOCKED_MASK;
	v->inherited = p->inherited;
	v->unmerged = p->unmerged;
	v->obj = px_obj_get(p->obj);
	if (shadow) {
		v->flags = p->flags;
		v->anon = p->anon;
		v->forked = p->forked;
		return v;
	}
	if (p->flags & LX_VM_WIPEONFORK)
		return v; /* fresh memory: no anon_vma, no pages */
	if (pxp_copy(&p->pages, &v->pages, &c->stored)) {
		px_vma_free(c, v);
		return NULL;
	}
	if (p->anon) {
		/* anon_vma_fork(): a new anon_vma chained to the parent's */
		v->anon = ++c->next_anon;
		v->forked = true;
	}
	return v;
}

/*
 * px_fork - the child's address space as fork() leaves it: MADV_DONTFORK
 * ranges absent, MADV_WIPEONFORK ranges empty, no locks, no MCL_FUTURE,
 * private pages copied, objects shared.
 */
struct px_space *px_fork(const struct px_space *s)
{
	struct px_space *c = calloc(1, sizeof(*c));
	const struct px_vma *p;
	struct px_vma *v;

	if (!c)
		return NULL;
	c->cfg = s->cfg;
	/* fork() copies the descriptor table */
	c->fd_known = s->fd_known;
	memcpy(c->fd_mode, s->fd_mode, sizeof(c->fd_mode));
	c->mdwe = lx_mdwe_inherit(s->mdwe);
	c->mmap_base = s->mmap_base;
	c->legacy_base = s->legacy_base;
	c->start_brk = s->start_brk;
	c->brk = s->brk;
	c->objs = s->objs;
	c->objs->refs++;
	for (p = pxt_first(&s->tree); p; p = pxt_next(p)) {
		if (p->flags & LX_VM_DONTCOPY)
			continue;
		v = fork_vma(c, p, false);
		if (!v) {
			px_free(c);
			return NULL;
		}
		px_vma_link(c, v);
	}
	/* dup_mmap() copies VMAs one by one and never merges them, though
	 * cleared locks or wiped anon_vmas can make neighbours twins. */
	for (v = pxt_first(&c->tree); v && pxt_next(v); v = pxt_next(v)) {
		struct px_vma *n = pxt_next(v);
		struct px_cand a, b;

		px_cand_of(&a, v);
		px_cand_of(&b, n);
		if (px_can_merge(&a, &b))
			v->unmerged = n->unmerged = true;
	}
	return c;
}

/*
 * px_shadow - a copy of s to try calls on: the same VMAs, flags, limits
 * and layout, without the pages (loads from it read zero).  Its cost
 * grows with the VMAs, never with the bytes stored.
 */
struct px_space *px_shadow(const struct px_space *s)
{
	struct px_space *c = malloc(sizeof(*c));
	const struct px_vma *p;
	struct px_vma *v;

	if (!c)
		return NULL;
	*c = *s;
	memset(&c->tree, 0, sizeof(c->tree));
	c->map_count = c->mapped = c->writable = c->locked = c->stored = 0;
	c->objs->refs++;
	for (p = pxt_first(&s->tree); p; p = pxt_next(p)) {
		v = fork_vma(c, p, true);
		if (!v) {
			px_free(c);
			return NULL;
		}
		px_vma_link(c, v);
	}
	return c;
}

/*
 * px_set_map32_begin - where the next MAP_32BIT search starts: Linux
 * starts it at 0x40000000 plus a random page offset below 32 MiB per
 * call when the process is randomised (find_start_end()); 0 is the
 * unrandomised 0x40000000.
 */
void px_set_map32_begin(struct px_space *s, uint64_t begin)
{
	s->map32_begin = begin & LX_PAGE_MASK;
}

/*
 * px_set_mmap_base - set the top of the mmap area (0: the default).
 */
void px_set_mmap_base(struct px_space *s, uint64_t base)
{
	s->mmap_base = base ? base & LX_PAGE_MASK : DEFAULT_MMAP_BASE;
}

/*
 * px_set_brk - set the initial program break (start_brk == brk).
 */
void px_set_brk(struct px_space *s, uint64_t start_brk)
{
	s->start_brk = s->brk = start_brk;
}

/*
 * px_mmap_base - the top of the mmap area.
 */
uint64_t px_mmap_base(const struct px_space *s)
{
	return s->mmap_base;
}

/* The VMA containing addr, or NULL. */
static struct px_vma *vma_at(const struct px_space *s, uint64_t addr)
{
	struct px_vma *v = pxt_find(&s->tree, addr);

	return v && v->start <= addr ? v : NULL;
}

/* expand_downwards(): a fault at addr below the stack VMA v grows it, if
 * the guard gap to an accessible VMA below, RLIMIT_STACK, the mlock limit
 * and the overcommit check allow.  Returns v or NULL (SIGSEGV). */
static struct px_vma *grow_stack(struct px_space *s, struct px_vma *v,
				 uint64_t addr)
{
	struct px_vma *prev = pxt_prev(v);
	uint64_t grow;

	addr &= LX_PAGE_MASK;
	if (addr < s->cfg.mmap_min_addr)
		return NULL;
	if (prev && !(prev->flags & LX_VM_GROWSDOWN) &&
	    (prev->flags & LX_VM_ACCESS) &&
	    addr - prev->end < s->cfg.stack_guard_gap)
		return NULL;
	/* The anon_vma comes before the limits: a refused growth keeps it. */
	px_anon_prepare(s, v);
	grow = (v->start - addr) >> PX_SHIFT;
	if (grow > v->pgoff || v->end - addr > s->cfg.stack_rlimit)
		return NULL;
	if (!px_mlock_future_ok(s, v->flags & LX_VM_LOCKED, grow << PX_SHIFT))
		return NULL;
	if ((v->flags & LX_VM_ACCOUNT) && !px_commit_ok(s, grow))
		return NULL;
	px_vma_unlink(s, v);
	v->start = addr;
	v->pgoff -= grow;
	v->unmerged = true; /* expansion never merges */
	px_vma_link(s, v);
	return v;
}

/* The VMA serving an access at addr, grown down to it if need be. */
static struct px_vma *vma_access(struct px_space *s, uint64_t addr)
{
	struct px_vma *v = pxt_find(&s->tree, addr);

	if (!v)
		return NULL;
	if (v->start <= addr)
		return v;
	if (!(v->flags & LX_VM_GROWSDOWN))
		return NULL;
	return grow_stack(s, v, addr);
}

static bool guarded(const struct px_vma *v, uint64_t addr)
{
	const struct pxp_node *n =
		pxp_find(&v->pages, px_vma_pgoff_at(v, addr));

	return n && (n->flags & PXP_GUARD);
}

/*
 * px_load - read one byte as the program would (see rmsim/posix.h).
 */
int px_load(struct px_space *s, uint64_t addr, uint8_t *val)
{
	struct px_vma *v = vma_access(s, addr);
	const struct pxp_node *n;
	uint64_t idx;
	unsigned off = addr & (PX_PAGE - 1);
	int err;

	if (!v || guarded(v, addr) || !(v->flags & LX_VM_ACCESS))
		return -LX_EFAULT;
	if (px_beyond_eof(v, addr))
		return -LX_EIO;
	idx = px_vma_pgoff_at(v, addr);
	n = pxp_find(&v->pages, idx);
	if (!n || !(n->flags & PXP_PRESENT)) {
		err = px_fault(s, v, addr, false);
		if (err)
			return err;
		n = pxp_find(&v->pages, idx);
	}
	if (v->flags & LX_VM_SHARED)
		*val = pxp_get_byte(&v->obj->pages, idx, off);
	else if ((n && (n->flags & PXP_ANON)) || !v->obj)
		*val = pxp_get_byte(&v->pages, idx, off);
	else
		*val = pxp_get_byte(&v->obj->pages, idx, off);
	return 0;
}

/*
 * px_store - write one byte as the program would (see rmsim/posix.h).
 */
int px_store(struct px_space *s, uint64_t addr, uint8_t val)
{
	struct px_vma *v = vma_access(s, addr);

	if (!v || guarded(v, addr) || !(v->flags & LX_VM_WRITE))
		return -LX_EFAULT;
	if (px_beyond_eof(v, addr))
		return -LX_EIO;
	return px_store_in(s, v, addr, val);
}

/*
 * px_store_in - px_store() into v, which holds addr, is writable and has
 * neither a guard page nor its object's end there: the caller has looked
 * (px_touch), so the store need not look again.
 */
int px_store_in(struct px_space *s, struct px_vma *v, uint64_t addr,
		uint8_t val)
{
	const struct pxp_node *n;
	uint64_t idx;
	unsigned off = addr & (PX_PAGE - 1);
	int err;

	idx = px_vma_pgoff_at(v, addr);
	n = pxp_find(&v->pages, idx);
	if (v->flags & LX_VM_SHARED) {
		const struct pxp_node *o = pxp_find(&v->obj->pages, idx);

		if (!n || !(n->flags & PXP_PRESENT) || !o ||
		    !(o->flags & PXP_DIRTY)) {
			err = px_fault(s, v, addr, true);
			if (err)
				return err;
		}
		return pxp_set_byte(&v->obj->pages, idx, off, val,
				    &s->objs->stored);
	}
	if (!n || !(n->flags & PXP_ANON)) {
		err = px_fault(s, v, addr, true);
		if (err)
			return err;
	} else if (n->flags & PXP_LAZYFREE) {
		/* writing cancels MADV_FREE for the page */
		err = pxp_update(&v->pages, idx, idx + 1, 0, PXP_LAZYFREE,
				 false, &s->stored);
		if (err)
			return err;
	}
	return pxp_set_byte(&v->pages, idx, off, val, &s->stored);
}

/*
 * px_prot - the effective access of the page at addr (see rmsim/posix.h).
 */
int px_prot(const struct px_space *s, uint64_t addr, int *prot)
{
	const struct px_vma *v = vma_at(s, addr);
	int p = 0;

	if (!v)
		return -LX_ENOMEM;
	if (!guarded(v, addr)) {
		if (v->flags & LX_VM_READ)
			p |= LX_PROT_READ;
		if (v->flags & LX_VM_WRITE)
			p |= LX_PROT_WRITE | LX_PROT_READ;
		if (v->flags & LX_VM_EXEC)
			p |= LX_PROT_EXEC | LX_PROT_READ;
	}
	*prot = p;
	return 0;
}

/*
 * px_find - describe the first VMA ending above addr.
 */
bool px_find(const struct px_space *s, uint64_t addr, struct px_vma_info *vi)
{
	const struct px_vma *v = pxt_find(&s->tree, addr);
	int prot = 0, flags;

	if (!v)
		return false;
	if (v->flags & LX_VM_READ)
		prot |= LX_PROT_READ;
	if (v->flags & LX_VM_WRITE)
		prot |= LX_PROT_WRITE;
	if (v->flags & LX_VM_EXEC)
		prot |= LX_PROT_EXEC;
	flags = (v->flags & LX_VM_SHARED) ? LX_MAP_SHARED : LX_MAP_PRIVATE;
	if (!v->obj || v->obj->kind == PX_OBJ_SHMEM)
		flags |= LX_MAP_ANONYMOUS;
	if (v->flags & LX_VM_GROWSDOWN)
		flags |= LX_MAP_GROWSDOWN;
	if (v->flags & LX_VM_LOCKED)
		flags |= LX_MAP_LOCKED;
	if (v->flags & LX_VM_NORESERVE)
		flags |= LX_MAP_NORESERVE;
	vi->start = v->start;
	vi->end = v->end;
	vi->prot = prot;
	vi->flags = flags;
	vi->off = v->obj ? v->pgoff << PX_SHIFT : 0;
	vi->path = v->obj && v->obj->kind == PX_OBJ_FILE ? v->obj->name : NULL;
	vi->inherited = v->inherited;
	return true;
}

/*
 * px_stats - the counters of s.
 */
void px_stats(const struct px_space *s, struct px_stats *st)
{
	st->vmas = s->map_count;
	st->mapped = s->mapped;
	st->writable = s->writable;
	st->locked = s->locked;
	st->stored = s->stored + s->objs->stored;
	st->brk = s->brk;
	st->start_brk = s->start_brk;
}

/* The descriptor table starts known with 0, 1 and 2 open read-write:
 * the trace shows opens, not what the process inherited. */
static void fd_table_start(struct px_space *s)
{
	if (s->fd_known)
		return;
	memset(s->fd_mode, -1, sizeof(s->fd_mode));
	s->fd_mode[0] = s->fd_mode[1] = s->fd_mode[2] = LX_O_RDWR;
	s->fd_known = true;
}

void px_fd_set(struct px_space *s, int fd, int mode)
{
	fd_table_start(s);
	if (fd >= 0 && fd < PX_MAX_FD)
		s->fd_mode[fd] =
			(int8_t)(mode < 0 ? -1 : (mode & (3 | PX_FD_SECRET)));
}

void px_fd_dup(struct px_space *s, int oldfd, int newfd)
{
	fd_table_start(s);
	if (oldfd >= 0 && oldfd < PX_MAX_FD && newfd >= 0 &&
	    newfd < PX_MAX_FD)
		s->fd_mode[newfd] = s->fd_mode[oldfd];
}

int px_fd_mode(const struct px_space *s, int fd)
{
	if (fd < 0)
		return -1;
	if (!s->fd_known)
		return LX_O_RDWR;
	if (fd >= PX_MAX_FD || s->fd_mode[fd] < 0)
		return -1;
	return s->fd_mode[fd] & 3;
}

bool px_fd_secret(const struct px_space *s, int fd)
{
	return s->fd_known && fd >= 0 && fd < PX_MAX_FD &&
	       s->fd_mode[fd] >= 0 && (s->fd_mode[fd] & PX_FD_SECRET);
}

/*
 * px_memfd_secret - memfd_secret(2): the lowest free descriptor, as
 * get_unused_fd_flags() picks it, for a secret memory file.  Secret
 * memory is taken to be enabled (secretmem.enable, the default since
 * 6.5); its size (ftruncate) is not traced, so it is not known either.
 */
int px_memfd_secret(struct px_space *s, uint64_t flags, uint64_t *fd)
{
	int i;

	if (flags & ~(uint64_t)02000000)	/* O_CLOEXEC only */
		return -LX_EINVAL;
	fd_table_start(s);
	for (i = 0; i < PX_MAX_FD; i++)
		if (s->fd_mode[i] < 0) {
			s->fd_mode[i] = LX_O_RDWR | PX_FD_SECRET;
			*fd = (uint64_t)i;
			return 0;
		}
	return -LX_EMFILE;
}

/*
 * px_prctl - prctl(2) for the options that govern memory calls:
 * PR_SET_MDWE and PR_GET_MDWE (*@out: the bits).  Any other option is
 * -EINVAL here; the replay never runs one.
 */
int px_prctl(struct px_space *s, uint64_t option, const uint64_t *a,
	     uint64_t *out)
{
	*out = 0;
	switch (option) {
	case LX_PR_SET_MDWE:
		return lx_mdwe_set(&s->mdwe, a[0], a[1], a[2], a[3]);
	case LX_PR_GET_MDWE:
		if (a[0] || a[1] || a[2] || a[3])
			return -LX_EINVAL;
		*out = s->mdwe;
		return 0;
	default:
		return -LX_EINVAL;
	}
}

void px_set_memlock_limit(struct px_space *s, uint64_t limit)
{
	s->cfg.memlock_limit = limit;
}

void px_set_cap_ipc_lock(struct px_space *s, bool cap)
{
	s->cfg.cap_ipc_lock = cap;
}

void px_set_cap_sys_rawio(struct px_space *s, bool cap)
{
	s->cfg.cap_sys_rawio = cap;
}
