/*
 * layout.c - the address-space layouts of DESIGN §3.1 with the numbers of
 * research/genode.md §6: the range of each kernel's component address
 * space, and the fixed areas at the same place on every kernel.
 *
 * Addresses are from Genode's sources (the file is named with each area);
 * the sizes of ld.lib.so and of the program are not: they depend on the
 * build, so the areas carry illustrative sizes marked unverified.  Only
 * their presence matters to the model (placement avoids them, quota pays
 * for their writable parts).
 */
#include "rmsim/layout.h"

#include <string.h>

static const struct lay_layout layouts[] = {
	{"nova-x86_64", LAY_NOVA, 64, "NOVA on x86_64"},
	{"nova-x86_32", LAY_NOVA, 32, "NOVA on x86_32"},
	{"hw-64", LAY_HW, 64, "base-hw, 64-bit (arm_v8a, x86_64, riscv)"},
	{"hw-32", LAY_HW, 32, "base-hw, 32-bit (arm_v7a)"},
	{"sel4-64", LAY_SEL4, 64, "seL4, 64-bit"},
	{"sel4-32", LAY_SEL4, 32, "seL4, 32-bit"},
	{"okl4-x86_32", LAY_OKL4, 32, "OKL4 on x86_32"},
	{"linux-x86_64", LAY_LINUX, 64,
	 "base-linux on an x86_64 host (host mmap, no fault handlers)"},
};

#define NLAYOUTS (sizeof(layouts) / sizeof(layouts[0]))

size_t lay_count(void)
{
	return NLAYOUTS;
}

const struct lay_layout *lay_at(size_t i)
{
	return i < NLAYOUTS ? &layouts[i] : NULL;
}

const struct lay_layout *lay_find(const char *name)
{
	size_t i;

	for (i = 0; i < NLAYOUTS; i++)
		if (strcmp(layouts[i].name, name) == 0)
			return &layouts[i];
	return NULL;
}

const struct lay_layout *lay_default(void)
{
	return &layouts[0];
}

const char *lay_kernel_name(enum lay_kernel k)
{
	static const char *const names[] = {"nova", "hw", "sel4", "okl4",
					    "linux"};

	return (unsigned)k < sizeof(names) / sizeof(names[0]) ? names[k]
							       : "?";
}

bool lay_va_range(const struct lay_layout *l, int version, uint64_t *start,
		  uint64_t *end)
{
	switch (l->kernel) {
	case LAY_NOVA:
		/* repos/base-nova/src/core/platform.cc: _vm_base 0x1000 */
		*start = 0x1000;
		*end = l->bits == 64 ? 0x7fffc0000000ULL : 0xc0000000ULL;
		return true;
	case LAY_HW:
		/* hw/spec/{32,64}bit/memory_map.cc: after the main UTCB */
		*start = 0x2000;
		*end = l->bits == 64 ? 1ULL << 38 : 0x80000000ULL;
		return true;
	case LAY_SEL4:
		/* base-sel4 platform.cc: page 1 is the main IPC buffer;
		 * 64-bit grew from 8 to 64 GiB in 25.08 */
		*start = 0x2000;
		if (l->bits == 32)
			*end = 0xc0000000ULL;
		else
			*end = (version >= 2508 ? 64ULL : 8ULL) << 30;
		return true;
	case LAY_OKL4:
		*start = 0x1000;
		*end = 0xc0000000ULL;
		return true;
	case LAY_LINUX:
		/* core has no map on Linux; the host's user range with the
		 * usual mmap_min_addr stands in for it */
		*start = 0x10000;
		*end = 0x7ffffffff000ULL;
		return false;
	}
	return false;
}

uint64_t lay_linker_area_size(int version)
{
	/* repos/base/include/pd_session/pd_session.h, by release */
	if (version < 2008)
		return 160ULL << 20;
	if (version < 2502)
		return 256ULL << 20;
	return 320ULL << 20;
}

static void put(struct lay_area *out, size_t max, size_t *n,
		const struct lay_area *a)
{
	if (*n < max)
		out[*n] = *a;
	(*n)++;
}

size_t lay_areas(const struct lay_layout *l, int version,
		 struct lay_area *out, size_t max)
{
	uint64_t start, end, top = l->bits == 64 ? UINT64_MAX : 0xffffffffULL;
	bool is_linux = l->kernel == LAY_LINUX;
	size_t n = 0;
	struct lay_area a;

	lay_va_range(l, version, &start, &end);
	a = (struct lay_area){"page 0 and below the PD range",
			      LAY_AREA_RESERVED, 0, start, "---", !is_linux,
			      "platform.cc of the kernel (vm_base)"};
	put(out, max, &n, &a);
	if (l->kernel == LAY_HW || l->kernel == LAY_SEL4) {
		a = (struct lay_area){"main-thread UTCB / IPC buffer",
				      LAY_AREA_RESERVED, 0x1000, 0x1000, "rw-",
				      true,
				      "base-hw native_utcb.h; base-sel4 "
				      "platform.cc"};
		put(out, max, &n, &a);
	}
	if (!is_linux) {
		a = (struct lay_area){"ld.lib.so text", LAY_AREA_LDSO,
				      LAY_LDSO_ADDR, 0xc0000, "r-x", false,
				      "address from ldso/linker.ld; size "
				      "depends on the build"};
		put(out, max, &n, &a);
		a = (struct lay_area){"ld.lib.so data and bss", LAY_AREA_LDSO,
				      LAY_LDSO_ADDR + 0xc0000, 0x40000, "rw-",
				      false, "size depends on the build"};
		put(out, max, &n, &a);
	}
	a = (struct lay_area){"linker area", LAY_AREA_LINKER, LAY_PROGRAM_ADDR,
			      lay_linker_area_size(version), "rwx", !is_linux,
			      "pd_session.h LINKER_AREA_SIZE; attached at the "
			      "program's link address (ldso region_map.h)"};
	put(out, max, &n, &a);
	a = (struct lay_area){"program text", LAY_AREA_PROGRAM,
			      LAY_PROGRAM_ADDR, 0x10000, "r-x", false,
			      "LD_TEXT_ADDR from mk/prg.mk; size depends on "
			      "the program"};
	put(out, max, &n, &a);
	a = (struct lay_area){"program data and bss", LAY_AREA_PROGRAM,
			      LAY_PROGRAM_ADDR + 0x10000, 0x4000, "rw-", false,
			      "size depends on the program"};
	put(out, max, &n, &a);
	a = (struct lay_area){"stack area", LAY_AREA_STACK, LAY_STACK_AREA_ADDR,
			      LAY_STACK_AREA_SIZE, "rw-", true,
			      is_linux ? "base-linux stack_area.ld (reserved "
					 "by the linker script)"
				       : "non_core_stack_area_addr.h, "
					 "stack_area.h; 1 MiB per thread"};
	put(out, max, &n, &a);
	if (end < top) {
		a = (struct lay_area){"kernel and above the PD range",
				      LAY_AREA_RESERVED, end, top - end + 1,
				      "---", !is_linux,
				      "platform.cc (vm_size)"};
		put(out, max, &n, &a);
	}
	return n;
}
