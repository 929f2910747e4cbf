/*
 * target.h - what the replay driver and the conformance runner need from
 * a backend: address spaces it can create, fork and free, the calls at
 * the syscall layer (0 or -errno, values through *out), one-byte
 * accesses, and the two pieces of initial state a trace reveals late
 * (the mmap base and the break).
 *
 * sim/target/ holds the interface and the two simulated backends (the
 * Linux reference model, tg_linux.c; a policy in a Genode component,
 * tg_genode.c).  It sits below its users, replay/ and conform/, and
 * beside native/, the host kernel's backend, which implements it too.
 */
#ifndef RMSIM_TARGET_TARGET_H
#define RMSIM_TARGET_TARGET_H

#include <stdbool.h>
#include <stdint.h>

#include "rmsim/trace.h"

/*
 * A target's answer when it will not run a call at all (the native
 * backend, for a range that reaches its own code, heap or stack): neither
 * a success nor an errno of the call, so never compared as one.
 */
#define TG_EREFUSED (-10000)
/*
 * A target's answer when it cannot answer any more (the native backend's
 * child died): the run stops as a failure of the backend, with the reason
 * from broken().
 */
#define TG_EBROKEN (-10001)

/* One call, arguments already translated to the target's addresses. */
struct tg_call {
	enum tr_call call;
	uint64_t arg[6];
	const char *path;	/* fd path of a file mapping, or NULL */
};

struct tg_target {
	const char *name;
	void *ctx;
	void *(*space_new)(void *ctx);
	void *(*space_fork)(void *ctx, void *space);
	void (*space_free)(void *ctx, void *space);
	void (*set_mmap_base)(void *ctx, void *space, uint64_t base);
	void (*set_brk)(void *ctx, void *space, uint64_t brk);
	/*
	 * May be NULL: a copy of @space's mappings to try calls on (freed
	 * with space_free), for the order search of racing threads' calls;
	 * and where the next MAP_32BIT search starts (0: unrandomised).
	 */
	void *(*space_shadow)(void *ctx, void *space);
	void (*set_map32_begin)(void *ctx, void *space, uint64_t begin);
	/* a mapping the trace cannot show (made by execve): anonymous, or
	 * (@file) backed by an object the trace never names: the binary, a
	 * library, the vDSO, whose pages a read maps without making them
	 * anonymous */
	int (*inherit)(void *ctx, void *space, uint64_t addr, uint64_t len,
		       bool file);
	/* is any page of [addr, addr+len) unmapped? first hole in *hole */
	bool (*hole)(void *ctx, void *space, uint64_t addr, uint64_t len,
		     uint64_t *hole_start, uint64_t *hole_end);
	int (*call)(void *ctx, void *space, const struct tg_call *c,
		    uint64_t *out);
	int (*load)(void *ctx, void *space, uint64_t addr, uint8_t *val);
	int (*store)(void *ctx, void *space, uint64_t addr, uint8_t val);
	/* PROT_* of the page, or -ENOMEM when unmapped */
	int (*prot)(void *ctx, void *space, uint64_t addr, int *prot);
	/*
	 * May be NULL (loads never have side effects): a load that runs no
	 * fault handler, 0 with the byte or -EAGAIN when the page is not
	 * resident.  A handler may allocate, so the checks read this way.
	 */
	int (*peek)(void *ctx, void *space, uint64_t addr, uint8_t *val);
	/*
	 * Context the trace shows besides memory calls (may be NULL): an fd
	 * opened with access mode @mode (O_RDONLY, O_WRONLY, O_RDWR) or
	 * closed (@mode < 0), one fd duplicated, RLIMIT_MEMLOCK, and whether
	 * CAP_IPC_LOCK and CAP_SYS_RAWIO are effective.  A memfd_secret fd
	 * comes with PX_FD_SECRET (rmsim/posix.h) in @mode.
	 */
	void (*fd_set)(void *ctx, void *space, int fd, int mode);
	void (*fd_dup)(void *ctx, void *space, int oldfd, int newfd);
	void (*set_memlock)(void *ctx, void *space, uint64_t limit);
	void (*set_cap_ipc_lock)(void *ctx, void *space, bool cap);
	void (*set_cap_sys_rawio)(void *ctx, void *space, bool cap);
	/*
	 * Write @val to every page of [addr, addr+len) that takes a write,
	 * or to the first such page only; @writable: every page is known to take one.  The
	 * number written, or TG_EREFUSED / TG_EBROKEN.  A store that stops
	 * the thread (it blocks, or is stopped: the program cannot go on
	 * touching) ends the touch and sets *@stopped.
	 */
	int64_t (*touch)(void *ctx, void *space, uint64_t addr, uint64_t len,
			 uint8_t val, bool first, bool writable,
			 bool *stopped);
	/* May be NULL: RssAnon of the space, as /proc/PID/status says it
	 * (the reference model's px_anon_resident) */
	uint64_t (*anon_resident)(void *ctx, void *space);
	/* May be NULL: why the target broke (after TG_EBROKEN), or NULL. */
	const char *(*broken)(void *ctx, void *space);
};

/* The Linux reference model as a target. */
void tg_linux(struct tg_target *t);

#endif
