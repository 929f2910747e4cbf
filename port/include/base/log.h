/*
 * base/log.h - log, warning and error (port layer, see base/stdint.h):
 * their arguments, strings and integers, printed to stderr on one line,
 * warnings and errors with Genode's "Warning: " and "Error: " prefixes.
 */
#ifndef RMSIM_PORT_BASE_LOG_H
#define RMSIM_PORT_BASE_LOG_H

#include <base/stdint.h>

namespace Genode {

	struct Hex
	{
		unsigned long long value;

		explicit Hex(auto v) : value((unsigned long long)v) { }
	};

	namespace Log {
		void begin(char const *prefix);
		void put(char const *s);
		void put(long long v);
		void put(unsigned long long v);
		void put(Hex h);
		void end();

		inline void put(int v) { put((long long)v); }
		inline void put(long v) { put((long long)v); }
		inline void put(unsigned v) { put((unsigned long long)v); }
		inline void put(unsigned long v) { put((unsigned long long)v); }
		inline void put(bool v) { put(v ? "true" : "false"); }
		inline void put(void const *p) { put(Hex(p)); }

		inline void line(char const *prefix, auto &&... args)
		{
			begin(prefix);
			(put(args), ...);
			end();
		}
	}

	void log(auto &&... args)     { Log::line("", args...); }
	void warning(auto &&... args) { Log::line("Warning: ", args...); }
	void error(auto &&... args)   { Log::line("Error: ", args...); }
}

#endif
