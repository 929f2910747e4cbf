/*
 * libc_core.c - Genode libc's mmap, munmap and msync in both generations
 * the libc policies model, on the pools of mem_alloc.c.
 *
 * Sources (genodelabs/genode, repos/libports/src/lib/libc/):
 * file_operations.cc (mmap, munmap, msync), internal/mmap_registry.h,
 * vfs_plugin.cc (Vfs_plugin::mmap, Vfs_plugin::munmap), plugin.cc (the
 * Plugin::msync dummy), dummies.cc (madvise, mprotect), each at tag
 * 20.05 and at the 26.02-era master.
 *
 * The registry: Mmap_registry maps a start address to the plugin that
 * made the mapping (none for anonymous memory).  Only exact starts are
 * known, which is why munmap and msync refuse every other address, and
 * a second insert of the same start is ignored with a warning.
 *
 * File mappings: the policy interface passes the fd only, so the file
 * behind it is modelled per fd, with zero contents and exactly as long
 * as the mapping needs.  A private mapping is a copy (pread) into the rw
 * pool, so the copy writes zeros over the mapping's length.  A shared
 * mapping (26.02) attaches the dataspace the VFS hands out for the file:
 * a ROM module for a read-only mapping (the rom file system; one per fd,
 * replaced by a larger one when a mapping reaches further), and a RAM
 * copy for a writeable one (the ram file system allocates a fresh copy
 * from the component's RAM for every call; the libc never releases it).
 */
#include "libc_core.h"

#include "rmsim/abi.h"
#include "rmsim/policy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE 4096ULL

/* ---- pol_addrset: open addressing, backward-shift deletion ---- */

static size_t slot_of(uint64_t key, size_t cap)
{
	return (size_t)((key * 0x9e3779b97f4a7c15ULL) >> 20) & (cap - 1);
}

static void grow(struct pol_addrset *s)
{
	struct pol_addrset n = {0};
	size_t i, j;

	n.cap = s->cap ? s->cap * 2 : 64;
	n.keys = calloc(n.cap, sizeof(*n.keys));
	n.vals = calloc(n.cap, sizeof(*n.vals));
	if (!n.keys || !n.vals) {
		fputs("rmsim: out of memory in a policy\n", stderr);
		abort();
	}
	for (i = 0; i < s->cap; i++) {
		if (!s->vals[i])
			continue;
		for (j = slot_of(s->keys[i], n.cap); n.vals[j];
		     j = (j + 1) & (n.cap - 1))
			;
		n.keys[j] = s->keys[i];
		n.vals[j] = s->vals[i];
	}
	n.n = s->n;
	free(s->keys);
	free(s->vals);
	*s = n;
}

void pol_addrset_free(struct pol_addrset *s)
{
	free(s->keys);
	free(s->vals);
	memset(s, 0, sizeof(*s));
}

static long lookup(const struct pol_addrset *s, uint64_t key)
{
	size_t i;

	if (!s->cap)
		return -1;
	for (i = slot_of(key, s->cap); s->vals[i]; i = (i + 1) & (s->cap - 1))
		if (s->keys[i] == key)
			return (long)i;
	return -1;
}

bool pol_addrset_insert(struct pol_addrset *s, uint64_t key, unsigned val)
{
	size_t i;

	if (lookup(s, key) >= 0)
		return false;
	if ((s->n + 1) * 4 > s->cap * 3)
		grow(s);
	for (i = slot_of(key, s->cap); s->vals[i]; i = (i + 1) & (s->cap - 1))
		;
	s->keys[i] = key;
	s->vals[i] = (uint8_t)(val + 1);
	s->n++;
	return true;
}

int pol_addrset_get(const struct pol_addrset *s, uint64_t key)
{
	long i = lookup(s, key);

	return i < 0 ? -1 : s->vals[i] - 1;
}

bool pol_addrset_remove(struct pol_addrset *s, uint64_t key)
{
	long f = lookup(s, key);
	size_t i, j, home;

	if (f < 0)
		return false;
	i = (size_t)f;
	s->vals[i] = 0;
	s->n--;
	/* shift back every entry whose probe sequence crossed the hole */
	for (j = (i + 1) & (s->cap - 1); s->vals[j];
	     j = (j + 1) & (s->cap - 1)) {
		home = slot_of(s->keys[j], s->cap);
		if ((j > i && (home <= i || home > j)) ||
		    (j < i && home <= i && home > j)) {
			s->keys[i] = s->keys[j];
			s->vals[i] = s->vals[j];
			s->vals[j] = 0;
			i = j;
		}
	}
	return true;
}

/* ---- set-up ---- */

void pol_lc_init(struct pol_lc *lc, struct gn_ctx *gn, enum pol_lc_gen gen,
		 unsigned align_log2)
{
	bool y2020 = gen == POL_LC_20_05;

	memset(lc, 0, sizeof(*lc));
	lc->gn = gn;
	lc->gen = gen;
	lc->align_log2 = align_log2;
	/* _init_mem_alloc: the rw and the rwx instance */
	pol_ma_init(&lc->pool[0], gn, false, y2020);
	pol_ma_init(&lc->pool[1], gn, true, y2020);
}

void pol_lc_fini(struct pol_lc *lc)
{
	struct pol_lc_file *f, *n;
	size_t i;

	/* shared file mappings first: they point into file dataspaces */
	for (i = 0; i < lc->shared.cap; i++)
		if (lc->shared.vals[i])
			gn_region_map_detach(gn_env_rm(lc->gn),
					     lc->shared.keys[i]);
	for (f = lc->files; f; f = n) {
		n = f->next;
		if (f->ram)
			gn_pd_free_ram(gn_env_pd(lc->gn), f->ds);
		free(f);
	}
	lc->files = NULL;
	pol_ma_fini(&lc->pool[0]);
	pol_ma_fini(&lc->pool[1]);
	pol_addrset_free(&lc->reg);
	pol_addrset_free(&lc->shared);
}

/* ---- the VFS plugin ---- */

/* Directory_service::dataspace for the file open on @fd, big enough for
 * [0, @need): a ROM of the rom fs, or a fresh RAM copy of the ram fs. */
static int file_dataspace(struct pol_lc *lc, int fd, uint64_t need, bool ram,
			  gn_ds_cap *out)
{
	struct pol_lc_file *f;
	char name[24];

	if (!ram) {
		for (f = lc->files; f; f = f->next)
			if (!f->ram && f->fd == fd &&
			    gn_ds_size(f->ds) >= need) {
				*out = f->ds;
				return 0;
			}
	}
	f = calloc(1, sizeof(*f));
	if (!f) {
		fputs("rmsim: out of memory in a policy\n", stderr);
		abort();
	}
	f->fd = fd;
	f->ram = ram;
	if (ram) {
		if (gn_pd_alloc_ram(gn_env_pd(lc->gn), need, &f->ds) !=
			    GN_ALLOC_OK ||
		    !gn_ds_valid(f->ds)) {
			free(f);
			return -1;
		}
	} else {
		snprintf(name, sizeof(name), "fd%d", fd);
		f->ds = gn_rom_dataspace(lc->gn, name, need);
		if (!gn_ds_valid(f->ds)) {
			free(f);
			return -1;
		}
	}
	f->next = lc->files;
	lc->files = f;
	*out = f->ds;
	return 0;
}

/* The private copy both generations make: mem_alloc memory (the rw pool,
 * page-aligned whatever align_log2 says) filled by pread. */
static int vfs_private(struct pol_lc *lc, uint64_t len, uint64_t *out)
{
	/*
	 * On failure the real code tests for (void *)-1 while alloc
	 * answers 0, and goes on to pread into address 0; the model
	 * answers ENOMEM, what the test meant.
	 */
	if (pol_ma_alloc(&lc->pool[0], len, 12, out))
		return -LX_ENOMEM;
	/* the file's contents (zeros here) up to the length mapped; the
	 * rest of the last page keeps whatever the pool had there */
	pol_ma_zero(&lc->pool[0], *out, len);
	return 0;
}

/* Vfs_plugin::mmap, 20.05: everything is a private copy. */
static int vfs_mmap_2005(struct pol_lc *lc, uint64_t addr, uint64_t len,
			 int prot, int flags, uint64_t *out)
{
	if (prot != LX_PROT_READ &&
	    !(prot == (LX_PROT_READ | LX_PROT_WRITE) &&
	      flags == LX_MAP_PRIVATE))
		return -LX_EACCES;
	if (addr)
		return -LX_EINVAL;
	return vfs_private(lc, len, out);
}

/* Vfs_plugin::mmap since 20.08: MAP_SHARED attaches the file. */
static int vfs_mmap_2602(struct pol_lc *lc, uint64_t len, int prot, int flags,
			 int fd, uint64_t off, uint64_t *out)
{
	struct gn_attr attr = {0};
	struct gn_range range;
	bool rw = prot == (LX_PROT_READ | LX_PROT_WRITE);
	gn_ds_cap ds;

	if (prot != LX_PROT_READ && !rw)
		return -LX_EACCES;
	if (flags & LX_MAP_FIXED)
		return -LX_EINVAL;
	if (flags & LX_MAP_PRIVATE)
		return vfs_private(lc, len, out);
	if (!(flags & LX_MAP_SHARED)) {
		/* neither: the code returns its initial nullptr */
		*out = 0;
		return 0;
	}
	if (off + len < off ||
	    file_dataspace(lc, fd, (off + len + PAGE - 1) & ~(PAGE - 1), rw,
			   &ds))
		return -LX_ENODEV;
	/* local_rm().attach(ds, {size, offset, anywhere, rw}) */
	attr.size = len;
	attr.offset = off;
	attr.writeable = true;
	if (gn_region_map_attach(gn_env_rm(lc->gn), ds, &attr, &range) !=
	    GN_ATTACH_OK)
		return -LX_ENOMEM;
	pol_addrset_insert(&lc->shared, range.start, 0);
	*out = range.start;
	return 0;
}

/* Vfs_plugin::munmap */
static int vfs_munmap(struct pol_lc *lc, uint64_t addr)
{
	uint64_t size;
	enum pol_avl_size_at r;

	if (lc->gen == POL_LC_20_05) {
		pol_ma_free(&lc->pool[0], addr);
		return 0;
	}
	r = pol_ma_size_at(&lc->pool[0], addr, &size);
	if (r == POL_AVL_SIZE_OK) {
		pol_ma_free(&lc->pool[0], addr);	/* private mapping */
		return 0;
	}
	if (r == POL_AVL_MISMATCHING_ADDR)
		return -LX_EINVAL;
	if (!pol_addrset_remove(&lc->shared, addr))
		return -LX_EINVAL;
	gn_region_map_detach(gn_env_rm(lc->gn), addr);
	return 0;
}

/* ---- file_operations.cc ---- */

int pol_lc_mmap(struct pol_lc *lc, uint64_t addr, uint64_t len, int prot,
		int flags, int fd, uint64_t off, uint64_t *out)
{
	bool exec = prot & LX_PROT_EXEC;
	uint64_t start = 0, rounded;
	int r;

	*out = 0;
	if (lc->gen == POL_LC_20_05) {
		/* anonymous means no address and fd -1, whatever the flags
		 * say; PROT_NONE is committed like everything else, and the
		 * memory is not cleared: a reused block shows what its last
		 * owner left there */
		if (!addr && fd == -1) {
			if (pol_ma_alloc(&lc->pool[exec], len, 12, &start))
				return -LX_ENOMEM;
			pol_addrset_insert(&lc->reg, start, POL_LC_ANON);
			*out = start;
			return 0;
		}
		/* libc_fd_to_fd: a hint with fd -1 ends here */
		if (fd < 0)
			return -LX_EBADF;
		r = vfs_mmap_2005(lc, addr, len, prot, flags, &start);
		/* 20.05 registers whatever came back, MAP_FAILED included */
		pol_addrset_insert(&lc->reg, r ? UINT64_MAX : start,
				   POL_LC_VFS);
		*out = start;
		return r;
	}
	if (flags & LX_MAP_ANONYMOUS) {
		if (flags & LX_MAP_FIXED)
			return -LX_EINVAL;
		/* the hint is ignored, and so is prot but for PROT_EXEC:
		 * PROT_NONE is committed rw */
		if (pol_ma_alloc(&lc->pool[exec], len, lc->align_log2, &start))
			return -LX_ENOMEM;
		/* bzero(start, align_addr(length, AT_PAGE)): past a length
		 * that is no page multiple the page is the pool's, and may
		 * hold its own metadata (file_operations.cc) */
		rounded = (len + PAGE - 1) & ~(PAGE - 1);
		pol_ma_zero(&lc->pool[exec], start, rounded);
		if (rounded > len)
			pol_ma_clobber(&lc->pool[exec], start + len,
				       rounded - len);
		pol_addrset_insert(&lc->reg, start, POL_LC_ANON);
		*out = start;
		return 0;
	}
	if (fd < 0)
		return -LX_EBADF;
	r = vfs_mmap_2602(lc, len, prot, flags, fd, off, &start);
	if (r)
		return r;
	pol_addrset_insert(&lc->reg, start, POL_LC_VFS);
	*out = start;
	return 0;
}

int pol_lc_munmap(struct pol_lc *lc, uint64_t addr, uint64_t len)
{
	int plugin = pol_addrset_get(&lc->reg, addr);

	/* only a registered start; the length is never looked at */
	if (plugin < 0)
		return -LX_EINVAL;
	pol_addrset_remove(&lc->reg, addr);
	if (plugin == POL_LC_VFS)
		return vfs_munmap(lc, addr);
	/* anonymous: the whole block, from both pools (one of them has it),
	 * back into the pool; no RAM goes back to the PD */
	pol_ma_free(&lc->pool[0], addr);
	pol_ma_free(&lc->pool[1], addr);
	return 0;
}

int pol_lc_msync(struct pol_lc *lc, uint64_t addr, uint64_t len, int flags)
{
	int plugin = pol_addrset_get(&lc->reg, addr);

	if (plugin < 0)
		return -LX_EINVAL;
	/*
	 * The VFS plugin has no msync: Plugin::msync is a dummy answering
	 * -1 without touching errno.  The model reports EINVAL for it.
	 */
	if (plugin == POL_LC_VFS)
		return -LX_EINVAL;
	return 0;
}

int pol_lc_madvise(uint64_t addr, uint64_t len, int advice)
{
	/* dummies.cc: MADV_DONTNEED is ignored, everything else warns */
	return advice == LX_MADV_DONTNEED ? 0 : -LX_ENOSYS;
}

int pol_lc_mprotect(uint64_t addr, uint64_t len, int prot)
{
	/* dummies.cc: DUMMY(int, -1, mprotect, ...) */
	return -LX_ENOSYS;
}

int pol_lc_param_align(const char *params, unsigned *out)
{
	uint64_t v;
	int r = pol_param_u64(params, "align_log2", 12, &v);

	if (r < 0 || v > 30)
		return -LX_EINVAL;
	*out = (unsigned)v;
	return 0;
}
