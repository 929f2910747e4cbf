/*
 * util/allocation.h - Genode's Allocation<ALLOC>: something allocated
 * from ALLOC, with ALLOC's Attr as its members, given back by
 * ALLOC::_free on destruction unless `deallocate` was set false; and its
 * Attempt, a Unique_attempt of it (port layer, see base/stdint.h).
 */
#ifndef RMSIM_PORT_UTIL_ALLOCATION_H
#define RMSIM_PORT_UTIL_ALLOCATION_H

#include <util/attempt.h>

namespace Genode { template <typename> class Allocation; }


template <typename ALLOC>
class Genode::Allocation : Noncopyable, public ALLOC::Attr
{
	private:

		ALLOC &_alloc;

	public:

		using Attr  = typename ALLOC::Attr;
		using Error = typename ALLOC::Error;

		bool deallocate = true;

		Allocation(ALLOC &alloc, Attr attr)
		: Attr(attr), _alloc(alloc) { }

		~Allocation() { if (deallocate) _alloc._free(*this); }

		struct Attempt;
};


template <typename ALLOC>
struct Genode::Allocation<ALLOC>::Attempt
: Unique_attempt<Allocation<ALLOC>, typename ALLOC::Error>
{
	using Error = typename ALLOC::Error;
	using Base  = Unique_attempt<Allocation<ALLOC>, Error>;

	Attempt(ALLOC &alloc, Attr a) : Base(alloc, a) { }
	Attempt(Error e) : Base(e) { }
	Attempt() : Base(Error { }) { }

	/* move: the allocation changes hands, the source is empty */
	Attempt &operator = (Attempt &&other)
	{
		other.with_result(
			[&] (Allocation &a) {
				this->_construct(a._alloc, Attr(a));
				a.deallocate = false; },
			[&] (Error e) { this->_destruct(e); });
		other._destruct({ });
		return *this;
	}
};

#endif
