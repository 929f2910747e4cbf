/*
 * rmsim/layout.h - address-space layouts of Genode components (prefix
 * lay_).
 *
 * A layout is a kernel and an architecture: the range of virtual addresses
 * core manages for a component's PD (its address-space region map), and
 * the fixed areas every component has there (ld.lib.so at its link
 * address, the linker area, the stack area), plus the ranges outside that
 * the kernel keeps (page 0, the main thread's UTCB, the kernel half).  Some
 * of it changed between Genode versions (the linker-area size, seL4's
 * 64-bit range), so the queries take a version, written as year * 100 +
 * month (2602 for 26.02): this module sits below the Genode model and
 * knows nothing of it.  Where a value is not confirmed from Genode's
 * sources the area says so (verified == false).
 */
#ifndef RMSIM_LAYOUT_H
#define RMSIM_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum lay_kernel { LAY_NOVA, LAY_HW, LAY_SEL4, LAY_OKL4, LAY_LINUX };

/* What an area is, so the model knows what to build and reports what to
 * draw. */
enum lay_area_kind {
	LAY_AREA_RESERVED,	/* outside the PD's range: page 0, kernel */
	LAY_AREA_LDSO,		/* ld.lib.so, loaded at its link address */
	LAY_AREA_LINKER,	/* the PD's linker_area() map, attached rwx */
	LAY_AREA_STACK,		/* the PD's stack_area() map, attached rw */
	LAY_AREA_PROGRAM,	/* the program inside the linker area */
	LAY_AREA_MAIN_STACK,	/* the main thread's stack in the stack area */
};

struct lay_area {
	const char *name;
	enum lay_area_kind kind;
	uint64_t start, size;	/* absolute addresses in the component */
	const char *rights;	/* "r-x", "rw-", "rwx", "---" */
	bool verified;		/* confirmed from Genode's sources */
	const char *source;	/* where in Genode (or why unverified) */
};

struct lay_layout {
	const char *name;	/* "nova-x86_64", ... */
	enum lay_kernel kernel;
	unsigned bits;		/* 32 or 64 */
	const char *summary;
};

#define LAY_MAX_AREAS 12

/* Every layout, in the order `rmsim layouts` prints them. */
size_t lay_count(void);
const struct lay_layout *lay_at(size_t i);
/* The layout named @name, or NULL. */
const struct lay_layout *lay_find(const char *name);
/* nova-x86_64 */
const struct lay_layout *lay_default(void);
const char *lay_kernel_name(enum lay_kernel k);

/*
 * lay_va_range - the range [*start, *end) core manages for a component's
 * address space under @version.  Returns whether the numbers are
 * confirmed from source.
 */
bool lay_va_range(const struct lay_layout *l, int version, uint64_t *start,
		  uint64_t *end);

/* LINKER_AREA_SIZE of Pd_session under @version. */
uint64_t lay_linker_area_size(int version);

/*
 * lay_areas - the fixed areas of @l under @version, lowest first, into
 * @out (at most @max); returns how many there are.
 */
size_t lay_areas(const struct lay_layout *l, int version,
		 struct lay_area *out, size_t max);

/* Named constants of every layout but Linux (research §6). */
#define LAY_LDSO_ADDR 0x30000ULL
#define LAY_PROGRAM_ADDR 0x01000000ULL
#define LAY_STACK_AREA_ADDR 0x40000000ULL
#define LAY_STACK_AREA_SIZE 0x10000000ULL
#define LAY_STACK_SLOT_SIZE 0x00100000ULL

#endif
