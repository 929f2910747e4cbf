/*
 * base/env.h - Env, a component's environment, as of Genode 25.05 on
 * (port layer, see base/stdint.h): rm() is the component's own address
 * space as a Local_rm, ram() its RAM allocator, pd() its PD session,
 * ep() its entrypoint.  Rmsim::Env (rmsim_port/model.h) implements it
 * over one model of core.
 */
#ifndef RMSIM_PORT_BASE_ENV_H
#define RMSIM_PORT_BASE_ENV_H

#include <base/entrypoint.h>
#include <base/local.h>
#include <base/ram_allocator.h>
#include <pd_session/pd_session.h>

namespace Genode {

	struct Env : Interface
	{
		using Local_rm = Local::Constrained_region_map;

		virtual Local_rm      &rm()  = 0;
		virtual Ram_allocator &ram() = 0;
		virtual Pd_session    &pd()  = 0;
		virtual Entrypoint    &ep()  = 0;

		/* port only: the model of core this component runs in */
		virtual struct gn_ctx *rmsim_model() = 0;
	};
}

#endif
