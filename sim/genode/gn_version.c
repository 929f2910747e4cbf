/*
 * gn_version.c - every Genode behaviour that changed between the releases
 * the model supports, in one table, and the sizes of core's objects that
 * decide what quota each step costs.
 *
 * A behaviour is listed with the commit that changed it (research
 * genode.md, confirmed with `git tag --contains`).  The model consults
 * this table and nothing else for version differences; the layout module
 * holds the address-space differences (linker-area size, seL4's range).
 */
#include "gn_internal.h"

#include <string.h>

/*
 * Each behaviour once, with the release that changed it: true from that
 * release on (v is a constant, so the table stays a constant).
 */
#define BEHAVIOUR(v)                                                       \
	{                                                                  \
		.version = (v),                                            \
		/* 5181d08d05, 0105494223 (24.08): Attr, no exceptions */  \
		.attr_api = (v) >= GN_24_08,                               \
		.api_default_writeable = (v) < GN_24_08,                   \
		/* a4c59c03e3 (23.08): page-fault resolution rework */     \
		.rights_along_path = (v) >= GN_24_08,                      \
		/* 9a049789de (24.02): implicitly detached regions         \
		 * reserved */                                             \
		.reserve_on_implicit_detach = (v) >= GN_24_08,             \
		.queue_needs_handler = (v) >= GN_24_08,                    \
		.fault_addr_with_offsets = (v) >= GN_24_08,                \
		.recursion_limit_drops = (v) >= GN_24_08,                  \
		/* 231ac187fe (21.11): Ram_allocator::try_alloc */         \
		.zero_alloc_denied = (v) >= GN_24_08,                      \
		/* 5181d08d05 (24.08): Rm_connection::create loops */      \
		.rm_create_attempts = (v) >= GN_24_08 ? 0 : 16,            \
		/* 31397d67ae (20.08): 160 -> 256 MiB; a7422e316d         \
		 * (25.02): 256 -> 320 MiB */                              \
		.linker_area_size = ((v) >= GN_26_02   ? 320ULL            \
				     : (v) >= GN_24_08 ? 256ULL            \
						       : 160ULL)           \
				    << 20,                                 \
		/* 3c5d27506f (23.08) */                                   \
		.attach_executable_rx = (v) >= GN_24_08,                   \
		/* f47c64e246 (23.08): region offsets applied */           \
		.map_dst_with_offsets = (v) >= GN_24_08,                   \
		/* pd_session_component.cc alloc_ram: the reservations are \
		 * kept before Ram_dataspace_factory runs (with_reservation \
		 * in 24.08, deallocate = false in 26.02) */               \
		.alloc_ram_keeps_reservation = (v) >= GN_24_08,            \
	}

static const struct gn_behaviour behaviours[GN_NVERSIONS] = {
	[GN_20_05] = BEHAVIOUR(GN_20_05),
	[GN_24_08] = BEHAVIOUR(GN_24_08),
	[GN_26_02] = BEHAVIOUR(GN_26_02),
};

static const char *const version_names[GN_NVERSIONS] = {"20.05", "24.08",
							 "26.02"};
static const int version_numbers[GN_NVERSIONS] = {2005, 2408, 2602};

const char *gn_version_name(enum gn_version v)
{
	return (unsigned)v < GN_NVERSIONS ? version_names[v] : "?";
}

int gn_version_number(enum gn_version v)
{
	return (unsigned)v < GN_NVERSIONS ? version_numbers[v] : 0;
}

int gn_version_parse(const char *s, enum gn_version *out)
{
	unsigned i;

	for (i = 0; i < GN_NVERSIONS; i++)
		if (strcmp(s, version_names[i]) == 0) {
			*out = (enum gn_version)i;
			return 0;
		}
	return -1;
}

const struct gn_behaviour *gn_behaviour(enum gn_version v)
{
	return &behaviours[(unsigned)v < GN_NVERSIONS ? v : GN_VERSION_DEFAULT];
}

/*
 * Object sizes.  Exact where the constant is in the source; estimated
 * where it is a sizeof that depends on the compiler (docs/genode-model.md
 * lists them).  The same for every supported release.
 */
void gn_costs_for(unsigned bits, struct gn_costs *o)
{
	unsigned w = bits == 32 ? 4 : 8;
	/* Sliced_heap::Block: list element, dataspace cap, size */
	uint64_t sliced_hdr = 4ULL * w;
	/* Allocator_avl_tpl<Rm_region>::Block: Avl_node (3 pointers and a
	 * depth) + addr, size, used, max_avail + Rm_region (list element,
	 * dataspace, map, base, size, rights, offset, dma): estimate */
	uint64_t md_entry = w == 8 ? 128 : 64;
	/* Dataspace_component: estimate */
	uint64_t ds_entry = w == 8 ? 200 : 120;

	memset(o, 0, sizeof(*o));
	o->word = w;
	/* allocator_avl.h: SLAB_BLOCK_SIZE = (1024 - 8) * sizeof(addr_t) */
	o->md_slab_block = (1024 - 8) * (uint64_t)w;
	/* slab.cc: (block - sizeof(Block) - word) / (entry + word + 1) */
	o->md_epb = (unsigned)((o->md_slab_block - 4 * w - w) /
			       (md_entry + w + 1));
	o->md_block_ram = gn_align_page(o->md_slab_block + sliced_hdr);
	/* Region_map_component embeds one slab block and a few hundred
	 * bytes more: estimate, page-rounded with the sliced-heap header */
	o->rmc_ram = gn_align_page(o->md_slab_block + (w == 8 ? 700 : 350) +
				   sliced_hdr);
	/* Rm_session_component: well below a page with the header */
	o->rm_session_ram = GN_PAGE;
	/* rm_session/connection.h: 64 KiB; rm_session.h: CAP_QUOTA 2 */
	o->rm_session_quota = 64 * 1024;
	o->rm_session_caps = 2;
	/* ram_dataspace_factory.h: SLAB_BLOCK_SIZE 4096 */
	o->ds_slab_block = 4096;
	o->ds_epb = (unsigned)((o->ds_slab_block - 4 * w - w) /
			       (ds_entry + w + 1));
	/* pd_session.h: RAM_QUOTA 24K words, CAP_QUOTA 6 + 7 */
	o->pd_session_quota = 24 * 1024 * (uint64_t)w;
	o->pd_session_caps = 13;
	/* Pd_session_component embeds three region maps and a dataspace
	 * slab block: estimate */
	o->pd_session_ram = gn_align_page(3 * o->rmc_ram + 4096 + 2048);
	/* child.cc Child::session: the parent withholds session_costs()
	 * from each donation before forwarding it, the slab overhead of
	 * one Session_state (session_state.h: a Slab of
	 * sizeof(Session_state) entries in blocks of 16 of them, child.h
	 * session_alloc_batch_size()): block size / entries per block.
	 * sizeof(Session_state) is an estimate: label String<160>, args
	 * String<256>, three id-space elements, affinity, capability,
	 * quotas and pointers */
	{
		uint64_t state = w == 8 ? 776 : 640, block = 16 * state;
		uint64_t epb = (block - 4 * w - w) / (state + w + 1);

		o->session_costs = block / epb;
	}
}
