/*
 * util/noncopyable.h - a base class that forbids copies (port layer,
 * see base/stdint.h).
 */
#ifndef RMSIM_PORT_UTIL_NONCOPYABLE_H
#define RMSIM_PORT_UTIL_NONCOPYABLE_H

namespace Genode {
	class Noncopyable
	{
		public:
			Noncopyable(Noncopyable const &) = delete;
			Noncopyable &operator = (Noncopyable const &) = delete;

		protected:
			Noncopyable() { }
			~Noncopyable() { }
	};
}

#endif
