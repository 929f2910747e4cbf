/*
 * util/attempt.h - Genode's result-or-error types (port layer, see
 * base/stdint.h).
 *
 * Attempt<RESULT, ERROR> holds a copyable result or an error;
 * Unique_attempt<RESULT, ERROR> holds a result that cannot be copied
 * (an Allocation, which frees on destruction) or an error.  Both are
 * read with with_result(ok_fn, fail_fn), with_error(fail_fn),
 * convert<RET>(ok_fn, fail_fn), ok(), failed() and compared with an
 * error by ==, as Genode 26.02 documents them; results are [[nodiscard]].
 */
#ifndef RMSIM_PORT_UTIL_ATTEMPT_H
#define RMSIM_PORT_UTIL_ATTEMPT_H

#include <new>
#include <utility>

#include <util/noncopyable.h>

namespace Genode {

	/* the result of an attempt that returns nothing but success */
	struct Ok { };

	template <typename, typename> class [[nodiscard]] Attempt;
	template <typename, typename> class [[nodiscard]] Unique_attempt;
}


template <typename RESULT, typename ERROR>
class [[nodiscard]] Genode::Attempt
{
	private:

		bool   _ok;
		RESULT _result { };
		ERROR  _error  { };

	public:

		Attempt(RESULT result) : _ok(true), _result(result) { }
		Attempt(ERROR error) : _ok(false), _error(error) { }

		template <typename RET>
		RET convert(auto const &ok_fn, auto const &fail_fn) const
		{
			if (_ok)
				return RET { ok_fn(_result) };
			return RET { fail_fn(_error) };
		}

		void with_result(auto const &ok_fn,
		                 auto const &fail_fn) const
		{
			if (_ok)
				ok_fn(_result);
			else
				fail_fn(_error);
		}

		void with_error(auto const &fail_fn) const
		{
			if (!_ok)
				fail_fn(_error);
		}

		bool operator == (ERROR const &e) const
		{
			return !_ok && _error == e;
		}

		bool operator == (RESULT const &r) const
		{
			return _ok && _result == r;
		}

		[[nodiscard]] bool ok()     const { return _ok; }
		[[nodiscard]] bool failed() const { return !_ok; }
};


template <typename RESULT, typename ERROR>
class [[nodiscard]] Genode::Unique_attempt : Noncopyable
{
	private:

		alignas(RESULT) unsigned char _space[sizeof(RESULT)];

		bool  _constructed = false;
		ERROR _error { };

		RESULT &_obj()
		{
			return *reinterpret_cast<RESULT *>(_space);
		}

		RESULT const &_obj() const
		{
			return *reinterpret_cast<RESULT const *>(_space);
		}

	protected:

		void _construct(auto &&... args)
		{
			_destruct(ERROR { });
			new (_space)
				RESULT(std::forward<decltype(args)>(args)...);
			_constructed = true;
		}

		void _destruct(ERROR e)
		{
			if (_constructed)
				_obj().~RESULT();
			_constructed = false;
			_error = e;
		}

	public:

		Unique_attempt(auto &&... args)
		{
			new (_space)
				RESULT(std::forward<decltype(args)>(args)...);
			_constructed = true;
		}

		Unique_attempt(ERROR e) : _error(e) { }

		~Unique_attempt() { _destruct(ERROR { }); }

		template <typename RET>
		RET convert(auto const &ok_fn, auto const &fail_fn)
		{
			if (_constructed)
				return RET { ok_fn(_obj()) };
			return RET { fail_fn(_error) };
		}

		void with_result(auto const &ok_fn, auto const &fail_fn)
		{
			if (_constructed)
				ok_fn(_obj());
			else
				fail_fn(_error);
		}

		void with_result(auto const &ok_fn,
		                 auto const &fail_fn) const
		{
			if (_constructed)
				ok_fn(_obj());
			else
				fail_fn(_error);
		}

		void with_error(auto const &fail_fn) const
		{
			if (!_constructed)
				fail_fn(_error);
		}

		bool operator == (ERROR const &e) const
		{
			return !_constructed && _error == e;
		}

		[[nodiscard]] bool ok()     const { return _constructed; }
		[[nodiscard]] bool failed() const { return !_constructed; }
};

#endif
