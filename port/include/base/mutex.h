/*
 * base/mutex.h - Mutex and its Guard (port layer, see base/stdint.h).
 * A replay runs one thread per model, so acquiring never waits here;
 * the guard marks where Genode's libc must hold the lock.
 */
#ifndef RMSIM_PORT_BASE_MUTEX_H
#define RMSIM_PORT_BASE_MUTEX_H

#include <util/noncopyable.h>

namespace Genode {

	class Mutex : Noncopyable
	{
		private:

			bool _held = false;

		public:

			Mutex() { }

			void acquire() { _held = true; }
			void release() { _held = false; }

			class Guard : Noncopyable
			{
				private:

					Mutex &_mutex;

				public:

					explicit Guard(Mutex &m) : _mutex(m)
					{
						_mutex.acquire();
					}
					~Guard() { _mutex.release(); }
			};
	};
}

#endif
