/*
 * px_test_util.h - helpers shared by the reference model's unit tests
 * (tests/unit/test_posix_*.c): a fresh address space, call wrappers that
 * run px_check() after every operation, and small queries.
 */
#ifndef PX_TEST_UTIL_H
#define PX_TEST_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "rmsim/abi.h"
#include "rmsim/posix.h"

#define PG LX_PAGE_SIZE
#define MIB (1ULL << 20)
#define GIB (1ULL << 30)
#define ANON (LX_MAP_PRIVATE | LX_MAP_ANONYMOUS)
#define SANON (LX_MAP_SHARED | LX_MAP_ANONYMOUS)
#define FIXED LX_MAP_FIXED
#define NOREPLACE LX_MAP_FIXED_NOREPLACE
#define R LX_PROT_READ
#define W LX_PROT_WRITE
#define X LX_PROT_EXEC
#define RW (LX_PROT_READ | LX_PROT_WRITE)
#define NONE LX_PROT_NONE
/* A region far from where top-down placement starts. */
#define LOW 0x100000000ULL

/* Fail the test when the model's invariants are broken. */
static inline void pt_check(const struct px_space *s)
{
	char why[512];

	if (px_check(s, why, sizeof(why)))
		fail_msg("px_check: %s", why);
}

/* A space with the default configuration; cfg_fn may adjust it. */
static inline struct px_space *pt_new_cfg(void (*cfg_fn)(struct px_config *))
{
	struct px_config cfg;
	struct px_space *s;

	px_default_config(&cfg);
	if (cfg_fn)
		cfg_fn(&cfg);
	s = px_new(&cfg);
	assert_non_null(s);
	pt_check(s);
	return s;
}

static inline struct px_space *pt_new(void)
{
	return pt_new_cfg(NULL);
}

/* The call must succeed, and the model must stay consistent. */
#define OK(s, call)                                                            \
	do {                                                                   \
		assert_int_equal((call), 0);                                   \
		pt_check(s);                                                   \
	} while (0)

/* The call must fail with errno e (an LX_E* value). */
#define ERR(s, call, e)                                                        \
	do {                                                                   \
		assert_int_equal((call), -(e));                                \
		pt_check(s);                                                   \
	} while (0)

/* mmap that must succeed; returns the address. */
static inline uint64_t pt_map(struct px_space *s, uint64_t addr, uint64_t len,
			      int prot, int flags)
{
	uint64_t a = 0;

	assert_int_equal(px_mmap(s, addr, len, prot, flags, -1, 0, NULL, &a),
			 0);
	pt_check(s);
	return a;
}

/* mmap's result: 0 or -errno. */
static inline int pt_map_err(struct px_space *s, uint64_t addr, uint64_t len,
			     int prot, int flags)
{
	uint64_t a;
	int e = px_mmap(s, addr, len, prot, flags, -1, 0, NULL, &a);

	pt_check(s);
	return e;
}

/* mmap of a file (by path) that must succeed. */
static inline uint64_t pt_map_file(struct px_space *s, uint64_t addr,
				   uint64_t len, int prot, int flags,
				   const char *path, uint64_t off)
{
	uint64_t a = 0;

	assert_int_equal(px_mmap(s, addr, len, prot, flags, 3, off, path, &a),
			 0);
	pt_check(s);
	return a;
}

/* mremap that must succeed; returns the address. */
static inline uint64_t pt_remap(struct px_space *s, uint64_t old,
				uint64_t old_len, uint64_t new_len, int flags,
				uint64_t new_addr)
{
	uint64_t a = 0;

	assert_int_equal(
		px_mremap(s, old, old_len, new_len, flags, new_addr, &a), 0);
	pt_check(s);
	return a;
}

/* mremap's result: 0 or -errno. */
static inline int pt_remap_err(struct px_space *s, uint64_t old,
			       uint64_t old_len, uint64_t new_len, int flags,
			       uint64_t new_addr)
{
	uint64_t a;
	int e = px_mremap(s, old, old_len, new_len, flags, new_addr, &a);

	pt_check(s);
	return e;
}

/* The byte at addr, or -errno for a fault. */
static inline int pt_load(struct px_space *s, uint64_t addr)
{
	uint8_t v;
	int e = px_load(s, addr, &v);

	pt_check(s);
	return e ? e : v;
}

static inline void pt_store(struct px_space *s, uint64_t addr, uint8_t v)
{
	assert_int_equal(px_store(s, addr, v), 0);
	pt_check(s);
}

static inline int pt_store_err(struct px_space *s, uint64_t addr, uint8_t v)
{
	int e = px_store(s, addr, v);

	pt_check(s);
	return e;
}

/* The effective PROT_* of the page at addr, or -1 when unmapped. */
static inline int pt_prot(const struct px_space *s, uint64_t addr)
{
	int p;

	return px_prot(s, addr, &p) ? -1 : p;
}

/* Describe the VMA containing addr; false when addr is unmapped. */
static inline bool pt_vma(const struct px_space *s, uint64_t addr,
			  struct px_vma_info *vi)
{
	return px_find(s, addr, vi) && vi->start <= addr;
}

/* Number of VMAs that intersect [lo, hi). */
static inline int pt_count(const struct px_space *s, uint64_t lo, uint64_t hi)
{
	struct px_vma_info vi;
	int n = 0;

	while (lo < hi && px_find(s, lo, &vi) && vi.start < hi) {
		n++;
		lo = vi.end;
	}
	return n;
}

/* Is every page of [lo, hi) mapped? */
static inline bool pt_mapped(const struct px_space *s, uint64_t lo, uint64_t hi)
{
	for (; lo < hi; lo += PG)
		if (pt_prot(s, lo) < 0)
			return false;
	return true;
}

/* Is no page of [lo, hi) mapped? */
static inline bool pt_unmapped(const struct px_space *s, uint64_t lo,
			       uint64_t hi)
{
	for (; lo < hi; lo += PG)
		if (pt_prot(s, lo) >= 0)
			return false;
	return true;
}

/* mincore of one page: 1 resident, 0 not, -errno. */
static inline int pt_resident(struct px_space *s, uint64_t addr)
{
	uint8_t v = 0;
	int e = px_mincore(s, addr, PG, &v);

	pt_check(s);
	return e ? e : v;
}

#endif
