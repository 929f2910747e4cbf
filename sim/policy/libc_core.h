/*
 * libc_core.h - the mmap family of Genode's libc, shared by the policies
 * that model it (prefix pol_lc_): libc (26.02), libc-20.05, and go-world,
 * whose file mappings and fallbacks go to the libc underneath.
 *
 * What it models (genodelabs/genode, repos/libports/src/lib/libc/):
 * file_operations.cc (mmap, munmap, msync), internal/mmap_registry.h
 * (Mmap_registry), vfs_plugin.cc (Vfs_plugin::mmap, munmap),
 * dummies.cc (madvise, mprotect), libc_mem_alloc.cc (the two pools, in
 * mem_alloc.c).  Two generations: 20.05 (the state of the 2020 thread on
 * the mailing list) and 26.02 (20.08 onwards: hint ignored, MAP_FIXED
 * refused, zero-fill, MAP_SHARED attached, align_log2).
 */
#ifndef RMSIM_POLICY_LIBC_CORE_H
#define RMSIM_POLICY_LIBC_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mem_alloc.h"
#include "rmsim/genode.h"

/* ---- a set of addresses with a small value (the registries) ---- */

struct pol_addrset {
	uint64_t *keys;
	uint8_t *vals;		/* 0: empty slot; else value + 1 */
	size_t cap, n;
};

void pol_addrset_free(struct pol_addrset *s);
/* Insert @key with @val (0..254); false when already present. */
bool pol_addrset_insert(struct pol_addrset *s, uint64_t key, unsigned val);
/* The value of @key, or -1 when absent. */
int pol_addrset_get(const struct pol_addrset *s, uint64_t key);
bool pol_addrset_remove(struct pol_addrset *s, uint64_t key);

/* ---- the libc ---- */

enum pol_lc_gen { POL_LC_20_05, POL_LC_26_02 };

/* what Mmap_registry records for a start address: the plugin */
enum { POL_LC_ANON = 0, POL_LC_VFS = 1 };

/* A dataspace a file system handed out for a file mapping. */
struct pol_lc_file {
	struct pol_lc_file *next;
	int fd;
	gn_ds_cap ds;
	bool ram;		/* a RAM copy (ram fs), else a ROM */
};

struct pol_lc {
	struct gn_ctx *gn;
	enum pol_lc_gen gen;
	unsigned align_log2;	/* <libc><mmap align_log2=".."/> */
	struct pol_ma pool[2];	/* Libc::mem_alloc(false), (true) */
	struct pol_addrset reg;	/* Mmap_registry */
	struct pol_addrset shared;	/* Vfs_plugin's Mmap_entry list */
	struct pol_lc_file *files;
};

/* A fresh libc in @gn's component; allocates nothing from core. */
void pol_lc_init(struct pol_lc *lc, struct gn_ctx *gn, enum pol_lc_gen gen,
		 unsigned align_log2);
/* Everything back to core (the pools, file dataspaces, attachments). */
void pol_lc_fini(struct pol_lc *lc);

/* mmap, munmap, msync of file_operations.cc: 0 or -errno. */
int pol_lc_mmap(struct pol_lc *lc, uint64_t addr, uint64_t len, int prot,
		int flags, int fd, uint64_t off, uint64_t *out);
int pol_lc_munmap(struct pol_lc *lc, uint64_t addr, uint64_t len);
int pol_lc_msync(struct pol_lc *lc, uint64_t addr, uint64_t len, int flags);

/* The dummies.cc stubs every generation has. */
int pol_lc_madvise(uint64_t addr, uint64_t len, int advice);
int pol_lc_mprotect(uint64_t addr, uint64_t len, int prot);

/*
 * The align_log2 parameter shared by the libc policies: 0 with the
 * value in *@out (default 12), or -EINVAL when malformed or beyond what
 * the libc's `1 << align_log2` can hold.
 */
int pol_lc_param_align(const char *params, unsigned *out);
/* The align_log2 parameter of the libc-based policies. */
#define POL_LC_PARAM_ALIGN                                                    \
	{"align_log2", POL_PARAM_COUNT, 0, 12, 0, 30, 0,                      \
	 "log2 of the alignment of large allocations"}

#endif
