/*
 * win_gn.h - the Genode calls of the window policies, as one table
 * (prefix wc_gn, ops of struct wg_ops).
 *
 * The window policies are Linux bookkeeping (win_core.c, win_vma.c,
 * win_back.c, win_pool.c: VMAs, placement, extents, pools) plus a small
 * number of Genode operations: allocate and free RAM, attach and detach
 * in the window or the lazy map, clear memory, read a fault, set the
 * window up and tear it down.  Those operations are this table, so that
 * the bookkeeping is one C source and the Genode side exists twice:
 *
 *   win_gn.c                 C over the model's gn_ API
 *                            (policies `window`, `lazy`)
 *   port/src/lib/mmap_window/backend.cc
 *                            Genode C++ over Genode's API: built here
 *                            against port/include (policies
 *                            `window-genode`, `lazy-genode`) and in
 *                            Genode against Genode's own headers
 *
 * A driver test keeps the two equal (tests/driver/test_port.py).
 *
 * This header is included from C and from C++ and needs only the
 * compiler's own headers, as Genode builds with -nostdinc.
 */
#ifndef RMSIM_WIN_GN_H
#define RMSIM_WIN_GN_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The two maps the policies attach in: the window, and the lazy map
 * whose dataspace the window shows through views. */
enum wg_map { WG_WINDOW, WG_LAZY };

/* Genode's Region_map::Fault::Type */
enum wg_fault { WG_FAULT_NONE, WG_FAULT_READ, WG_FAULT_WRITE, WG_FAULT_EXEC };

/* Rights of an attachment (read is implied by any). */
enum { WG_R = 1, WG_W = 2, WG_X = 4 };

/* Errors, as the bookkeeping returns them (Linux's errno values). */
enum { WG_EINVAL = 22, WG_ENOMEM = 12, WG_EFAULT = 14 };

/* zero's @at when the pages are mapped writeable nowhere */
#define WG_NOWHERE UINT64_MAX

/* A RAM dataspace of the backend: opaque to the bookkeeping. */
struct wg_ds;
/* The backend's state. */
struct wg;

/* What the bookkeeping asks for at start. */
struct wg_setup {
	uint64_t base, size; /* the window in the component's space */
	bool lazy_map;	     /* a second map shown through views */
	bool handler;	     /* faults of the lazy map (or, without one,
			      * of the window) go to @fault */
	/* the fault signal: the bookkeeping reads the faults of @map */
	void (*fault)(void *arg, enum wg_map map);
	void *arg;
};

struct wg_ops {
	/*
	 * open - an RM session, the window's region map (and the lazy
	 * map), the fault handler, the window attached into the
	 * component's address space at base, writeable and executable.
	 * 0, -WG_EINVAL when that range is taken, -WG_ENOMEM when the
	 * component cannot pay.  close undoes what open did, and frees @g.
	 */
	int (*open)(struct wg *g, const struct wg_setup *s);
	void (*close)(struct wg *g);

	/* RAM: a zero-filled dataspace of @size (page-rounded) or NULL;
	 * give it back. */
	struct wg_ds *(*ram_alloc)(struct wg *g, uint64_t size);
	void (*ram_free)(struct wg *g, struct wg_ds *ds);

	/*
	 * attach - @ds (NULL: the lazy map's dataspace) from @off on,
	 * @size bytes at @at of @map, with @rights, topping the RM
	 * session's quota up and retrying as Genode's clients do; the
	 * upgrades are added to *@upgrades.  0, -WG_ENOMEM when the
	 * component cannot pay, -WG_EFAULT on any other error (a
	 * bookkeeping error).
	 */
	int (*attach)(struct wg *g, enum wg_map map, struct wg_ds *ds,
		      uint64_t at, uint64_t size, uint64_t off, uint8_t rights,
		      uint64_t *upgrades);
	void (*detach)(struct wg *g, enum wg_map map, uint64_t at);

	/*
	 * slices_new - a region map of @n * @slice bytes (Rm_connection::
	 * create) holding @n read-only attachments of @below's first @slice
	 * bytes, one after the other, as a dataspace that attach takes like
	 * RAM: the larger zero pages.  Upgrades of the attaches are added to
	 * *@upgrades.  NULL when the component cannot pay.  slices_free
	 * destroys the map (Rm_connection::destroy).
	 */
	struct wg_ds *(*slices_new)(struct wg *g, struct wg_ds *below,
				    uint64_t slice, uint64_t n,
				    uint64_t *upgrades);
	void (*slices_free)(struct wg *g, struct wg_ds *ds);

	/* memset(0) of @len bytes of @ds from @off through the component's
	 * own mapping: at window offset @at, where they are mapped
	 * writeable now, or (WG_NOWHERE) attached anywhere for the moment */
	void (*zero)(struct wg *g, struct wg_ds *ds, uint64_t off, uint64_t len,
		     uint64_t at);

	/* Region_map::fault of @map: the type, the address in *@addr. */
	enum wg_fault (*fault)(struct wg *g, enum wg_map map, uint64_t *addr);

	/*
	 * For the checker (wc_check) only, which runs where the model can
	 * be looked at, never in a Genode component (NULL there): is the
	 * attachment at @at of @map exactly this; how many attachments
	 * @map holds; is the window attached at its base.
	 */
	bool (*attached)(const struct wg *g, enum wg_map map, uint64_t at,
			 uint64_t size, const struct wg_ds *ds, uint64_t off,
			 uint8_t rights);
	uint64_t (*count)(const struct wg *g, enum wg_map map);
	bool (*window_attached)(const struct wg *g);
};

#ifdef __cplusplus
}
#endif

#endif
