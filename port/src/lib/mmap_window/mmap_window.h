/*
 * mmap_window.h - the `window` and `lazy` mmap policies as Genode's libc
 * uses them: a class per policy that takes decoded arguments and answers
 * with Attempt results.
 *
 * Genode's libc is FreeBSD's, whose PROT_, MAP_ and MADV_ constants and
 * errno values differ from Linux's; the traces rmsim replays are
 * Linux's.  So the calls take small structs of named flags (Prot,
 * Map_flags, Advice, Remap_flags), filled by the libc glue from
 * FreeBSD's constants and by rmsim's adapter from Linux's, and fail with
 * an Error naming Linux's errno, which the glue turns into its own.
 * Bits without a name here are carried in `other`, so a decoding is
 * lossless whatever a caller passes.
 *
 * The bookkeeping behind the calls is rmsim's C (sim/policy/win_core.c
 * and friends), built unchanged; the Genode calls are backend.cc.
 */
#ifndef MMAP_WINDOW_MMAP_WINDOW_H
#define MMAP_WINDOW_MMAP_WINDOW_H

#include <base/allocator.h>
#include <base/env.h>
#include <base/mutex.h>
#include <util/attempt.h>

#include "backend.h"

namespace Mmap_window {

	using Genode::addr_t;
	using Genode::size_t;
	using Genode::uint64_t;

	struct Prot
	{
		bool read, write, exec;
		bool grows_down, grows_up;	/* mprotect only */
		unsigned other;		/* Linux bits without a name */
	};

	struct Map_flags
	{
		bool shared;		/* MAP_SHARED(_VALIDATE) */
		bool validate;		/* MAP_SHARED_VALIDATE */
		bool priv;		/* MAP_PRIVATE */
		bool droppable;		/* MAP_DROPPABLE */
		bool fixed;
		bool noreplace;		/* MAP_FIXED_NOREPLACE */
		bool anonymous;
		bool populate, nonblock, locked, noreserve, hugetlb;
		unsigned type_other;	/* a mapping type without a name */
		unsigned other;		/* Linux bits without a name */
	};

	struct Mmap_args
	{
		addr_t    addr;
		size_t    len;
		Prot      prot;
		Map_flags flags;
		int       fd;
		uint64_t  offset;
	};

	/* madvise's advice, by Linux's numbers; others pass through */
	enum class Advice : int {
		NORMAL = 0, RANDOM = 1, SEQUENTIAL = 2, WILLNEED = 3,
		DONTNEED = 4, FREE = 8, REMOVE = 9, DONTFORK = 10,
		DOFORK = 11, MERGEABLE = 12, UNMERGEABLE = 13, HUGEPAGE = 14,
		NOHUGEPAGE = 15, DONTDUMP = 16, DODUMP = 17, WIPEONFORK = 18,
		KEEPONFORK = 19, COLD = 20, PAGEOUT = 21, POPULATE_READ = 22,
		POPULATE_WRITE = 23, DONTNEED_LOCKED = 24, COLLAPSE = 25,
	};

	struct Remap_flags
	{
		bool maymove, fixed, dontunmap;
		unsigned other;
	};

	/* a failed call: Linux's errno number */
	struct Error
	{
		int linux_errno;

		bool operator == (Error const &o) const {
			return linux_errno == o.linux_errno; }
	};

	using Map_result = Genode::Attempt<addr_t, Error>;
	using Result     = Genode::Attempt<Genode::Ok, Error>;

	struct Config
	{
		addr_t   base;		/* the window */
		size_t   size;
		size_t   chunk;		/* lazy: RAM per first touch */
		size_t   pool;		/* pool dataspaces, 0: none */
		size_t   heap;		/* how far brk may grow */
		uint64_t memlock;	/* mlock limit, ~0: unlimited */
		bool     views;		/* lazy: faults through a second
					 * map (Genode 23.08 on) */
	};

	/* Linux's values of the decoded arguments (mmap_window.cc) */
	int linux_prot(Prot const &p);
	int linux_flags(Map_flags const &f);
	int linux_remap(Remap_flags const &f);

	class Policy;
	class Window;
	class Lazy;
}


class Mmap_window::Policy : Genode::Noncopyable
{
	private:

		Genode::Mutex _mutex { };
		void         *_core = nullptr;
		int           _start_error;

		int _start(Genode::Env &, Genode::Allocator &, Config const &,
		           bool lazy, struct wg_ops const &);

		template <typename T>
		Genode::Attempt<T, Error> _result(int rc, T value)
		{
			if (rc < 0)
				return Error { -rc };
			return value;
		}

	protected:

		Policy(Genode::Env &env, Genode::Allocator &alloc,
		       Config const &config, bool lazy,
		       struct wg_ops const &ops)
		: _start_error(_start(env, alloc, config, lazy, ops)) { }

	public:

		/* noncopyable */
		Policy(Policy const &) = delete;
		Policy &operator = (Policy const &) = delete;

		~Policy();

		/* did the window come up? (EINVAL: range taken, ENOMEM) */
		Result started() const;

		/* is [addr, addr + len) inside the window? (len 0: addr) */
		bool owns(addr_t addr, size_t len) const;

		Map_result mmap(Mmap_args const &a);
		Result     munmap(addr_t addr, size_t len);
		Result     mprotect(addr_t addr, size_t len, Prot prot);
		Result     madvise(addr_t addr, size_t len, Advice advice);
		Map_result mremap(addr_t old_addr, size_t old_len,
		                  size_t new_len, Remap_flags flags,
		                  addr_t new_addr);

		/*
		 * The calls Genode's libc does not route to a policy keep
		 * Linux's flag values (rmsim replays them).
		 */
		Result     msync(addr_t addr, size_t len, int linux_flags);
		Map_result brk(addr_t addr);
		Result     mlock(addr_t addr, size_t len, int linux_flags);
		Result     munlock(addr_t addr, size_t len);
		Result     mlockall(int linux_flags);
		Result     munlockall();
		Result     mincore(addr_t addr, size_t len);

		/* the C bookkeeping, for rmsim's checker */
		void *core() const { return _core; }
};


/*
 * The policies.  @ops is the Genode backend (backend.cc); rmsim passes a
 * copy with the checker's look at the model added.
 */
struct Mmap_window::Window : Policy
{
	Window(Genode::Env &env, Genode::Allocator &alloc, Config const &c,
	       struct wg_ops const &ops = backend_ops)
	: Policy(env, alloc, c, false, ops) { }
};


struct Mmap_window::Lazy : Policy
{
	Lazy(Genode::Env &env, Genode::Allocator &alloc, Config const &c,
	     struct wg_ops const &ops = backend_ops)
	: Policy(env, alloc, c, true, ops) { }
};

#endif
