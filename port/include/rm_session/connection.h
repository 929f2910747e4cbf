/*
 * rm_session/connection.h - Rm_connection, a session to the RM service
 * (port layer, see base/stdint.h).
 *
 *   Rm_connection(env)  gn_rm_session_open (64 KiB and 2 caps donated)
 *   ~Rm_connection      gn_rm_session_close
 *   create(size)        gn_rm_create: the create RPC with Genode's
 *                       upgrade loop (8 KiB on OUT_OF_RAM, 2 caps on
 *                       OUT_OF_CAPS); an invalid capability when denied
 *                       or when the component cannot pay
 *   destroy(cap)        gn_rm_destroy
 *   upgrade_ram(n)      gn_rm_upgrade(n, 0)
 *   upgrade_caps(n)     gn_rm_upgrade(0, n)
 *
 * Genode blocks on a resource request where the component cannot pay a
 * session or an upgrade; the model cannot block, so cap() is invalid
 * after a session the component could not afford, and an upgrade it
 * cannot afford changes nothing (check Env::pd().avail_ram() first).
 */
#ifndef RMSIM_PORT_RM_SESSION_CONNECTION_H
#define RMSIM_PORT_RM_SESSION_CONNECTION_H

#include <base/env.h>
#include <region_map/region_map.h>

struct gn_rm_connection;

namespace Genode {

	struct Rm_session : Interface
	{
		enum { CAP_QUOTA = 2 };
	};

	class Rm_connection : Noncopyable
	{
		private:

			struct gn_rm_connection *_rm;

		public:

			explicit Rm_connection(Env &env);
			~Rm_connection();

			Capability<Rm_session> cap() const;

			Capability<Region_map> create(size_t size);
			void destroy(Capability<Region_map> cap);

			void upgrade_ram(size_t bytes);
			void upgrade_caps(size_t caps);
	};
}

#endif
