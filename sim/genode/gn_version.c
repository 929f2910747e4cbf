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

static const struct gn_behaviour behaviours[GN_NVERSIONS] = {
	[GN_20_05] = {
		.version = GN_20_05,
		.attr_api = false,
		.api_default_writeable = true,
		.rights_along_path = false,
		.reserve_on_implicit_detach = false,
		.queue_needs_handler = false,
		.fault_addr_with_offsets = false,
		.recursion_limit_drops = false,
		.zero_alloc_denied = false,
		.rm_create_attempts = 16,
		.linker_area_size = 160ULL << 20,
		.attach_executable_rx = false,
	},
	[GN_24_08] = {
		.version = GN_24_08,
		/* 5181d08d05, 0105494223 (24.08): Attr, no exceptions */
		.attr_api = true,
		.api_default_writeable = false,
		/* a4c59c03e3 (23.08): page-fault resolution rework */
		.rights_along_path = true,
		/* 9a049789de (24.02): implicitly detached regions reserved */
		.reserve_on_implicit_detach = true,
		.queue_needs_handler = true,
		.fault_addr_with_offsets = true,
		.recursion_limit_drops = true,
		/* 231ac187fe (21.11): Ram_allocator::try_alloc */
		.zero_alloc_denied = true,
		/* 5181d08d05 (24.08): Rm_connection::create loops */
		.rm_create_attempts = 0,
		/* 31397d67ae (20.08): 160 -> 256 MiB */
		.linker_area_size = 256ULL << 20,
		/* 3c5d27506f (23.08) */
		.attach_executable_rx = true,
		/* f47c64e246 (23.08): region offsets applied */
		.map_dst_with_offsets = true,
		/* pd_session_component.cc alloc_ram: the reservations are
		 * kept before Ram_dataspace_factory runs (with_reservation
		 * in 24.08, deallocate = false in 26.02) */
		.alloc_ram_keeps_reservation = true,
	},
	[GN_26_02] = {
		.version = GN_26_02,
		.attr_api = true,
		.api_default_writeable = false,
		.rights_along_path = true,
		.reserve_on_implicit_detach = true,
		.queue_needs_handler = true,
		.fault_addr_with_offsets = true,
		.recursion_limit_drops = true,
		.zero_alloc_denied = true,
		.rm_create_attempts = 0,
		/* a7422e316d (25.02): 256 -> 320 MiB */
		.linker_area_size = 320ULL << 20,
		.attach_executable_rx = true,
		.map_dst_with_offsets = true,
		.alloc_ram_keeps_reservation = true,
	},
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
