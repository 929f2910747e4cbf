/*
 * rmsim_port/model.h - what only the simulator sees of the port layer:
 * a Genode::Env over one model of core, the model's names behind
 * capabilities, and the scope that tells util/string.h's bzero which
 * model a store goes to.
 *
 * Genode code never includes this header; the policies' adapters
 * (port/rmsim/) and the port layer's tests do.
 */
#ifndef RMSIM_PORT_MODEL_H
#define RMSIM_PORT_MODEL_H

/* the model's C API; in C++ its functions named like their structs
 * (gn_walk, gn_metrics) would shadow constructors */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wshadow"
extern "C" {
#include "rmsim/genode.h"
#include "rmsim/policy.h"
}
#pragma GCC diagnostic pop

#include <base/env.h>
#include <region_map/client.h>

namespace Rmsim {

	/* The model's names behind capabilities. */
	inline gn_ds_cap ds_cap(Genode::Native_capability const &c)
	{
		return { c.ctx, c.id };
	}

	inline gn_rm_cap rm_cap(Genode::Native_capability const &c)
	{
		return { c.ctx, c.id };
	}

	template <typename T>
	Genode::Capability<T> cap(struct gn_ctx *ctx, uint64_t id)
	{
		Genode::Native_capability n;
		n.ctx = ctx;
		n.id  = id;
		return Genode::Capability<T>(n);
	}

	/*
	 * Env - the environment of the component a model of core runs:
	 * rm() is env's address space (gn_env_rm), ram() and pd() its PD
	 * (gn_env_pd).
	 */
	class Env : public Genode::Env
	{
		private:

			struct Local_rm_model : Genode::Env::Local_rm
			{
				struct gn_ctx *ctx;

				explicit Local_rm_model(struct gn_ctx *c)
				: ctx(c) { }

				Result attach(Genode::Dataspace_capability ds,
				              Attach_attr const &attr) override;
				void _free(Attachment &a) override;
			};

			struct Ram_model : Genode::Ram_allocator
			{
				struct gn_ctx *ctx;

				explicit Ram_model(struct gn_ctx *c)
				: ctx(c) { }

				Result try_alloc(Genode::size_t size,
				                 Genode::Cache) override;
				void _free(Allocation &a) override;
			};

			struct Pd_model : Genode::Pd_session
			{
				struct gn_ctx *ctx;

				explicit Pd_model(struct gn_ctx *c) : ctx(c) { }

				Genode::Ram_quota avail_ram() const override;
				Genode::Cap_quota avail_caps() const override;
			};

			struct gn_ctx      *_ctx;
			Local_rm_model      _rm  { _ctx };
			Ram_model           _ram { _ctx };
			Pd_model            _pd  { _ctx };
			Genode::Entrypoint  _ep  { };

		public:

			explicit Env(struct gn_ctx *ctx) : _ctx(ctx) { }

			Local_rm              &rm()  override { return _rm; }
			Genode::Ram_allocator &ram() override { return _ram; }
			Genode::Pd_session    &pd()  override { return _pd; }
			Genode::Entrypoint    &ep()  override { return _ep; }
			struct gn_ctx *rmsim_model() override { return _ctx; }
	};

	/*
	 * Scope - the model that stores through plain pointers (bzero) go
	 * to, for the time of one call into a policy: entered by the
	 * adapters around each call and by the signal delivery, restored
	 * on leaving, so that several models can run side by side.
	 */
	class Scope
	{
		private:

			struct gn_ctx *_prev;

		public:

			explicit Scope(struct gn_ctx *ctx);
			~Scope();

			Scope(Scope const &) = delete;
			Scope &operator = (Scope const &) = delete;

			static struct gn_ctx *current();
	};
}

#endif
