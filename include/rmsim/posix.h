/*
 * rmsim/posix.h - the Linux reference model (prefix px_).
 *
 * One px_space is the address space of one Linux x86-64 process as the
 * syscall layer sees it: the VMAs with their protection, sharing, backing
 * (anonymous, or a file keyed by path and offset), lock state and
 * MAP_GROWSDOWN; the program break; and the bytes the program stored.
 * Each call takes the arguments strace recorded and returns what Linux
 * returns: 0 (or a value through an out-parameter) or -errno, including
 * the partial effects Linux leaves behind on failure.  It is the judge
 * every policy is compared against, so it follows the kernel (6.x, 4-level
 * paging) rather than the man pages where the two disagree.
 *
 * Nothing here knows about Genode, policies or traces.
 */
#ifndef RMSIM_POSIX_H
#define RMSIM_POSIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct px_space;

struct px_config {
	/* Top of the top-down mmap area (exclusive); 0 picks a default. */
	uint64_t mmap_base;
	/* Lowest address mmap may return or accept (vm.mmap_min_addr). */
	uint64_t mmap_min_addr;
	/* Exclusive upper end of user space (TASK_SIZE). */
	uint64_t task_size;
	/* Initial program break (start_brk == brk); 0 means unknown. */
	uint64_t start_brk;
	/* Transparent huge pages enabled: large anonymous maps are aligned. */
	bool thp;
	/* RLIMIT_MEMLOCK in bytes; UINT64_MAX is unlimited. */
	uint64_t memlock_limit;
	/* The process may lock without limit (CAP_IPC_LOCK). */
	bool cap_ipc_lock;

	/*
	 * Added by the model; px_default_config() sets all of them, and a
	 * zero in the numeric ones also picks the default.
	 */
	/* Base of the bottom-up fallback search (TASK_UNMAPPED_BASE plus
	 * the mmap randomisation); 0 picks PAGE_ALIGN(TASK_SIZE / 3). */
	uint64_t mmap_legacy_base;
	/* vm.max_map_count; 0 picks 65530. */
	uint64_t max_map_count;
	/* stack_guard_gap in bytes; 0 picks 256 pages. */
	uint64_t stack_guard_gap;
	/* RLIMIT_STACK in bytes, the most a MAP_GROWSDOWN VMA grows to on
	 * a fault below it; 0 picks 8 MiB. */
	uint64_t stack_rlimit;
	/* RAM plus swap in bytes for the heuristic overcommit check (one
	 * accounted request larger than this fails); 0 disables it. */
	uint64_t commit_limit;
	/* /sys/kernel/mm/transparent_hugepage/enabled (PX_THP_*). */
	int thp_enabled;
	/* Regular files sit on a file system whose get_unmapped_area
	 * THP-aligns large mappings (ext4, xfs). */
	bool file_thp;
	/* CONFIG_KSM: MADV_MERGEABLE/UNMERGEABLE are known advice. */
	bool ksm;
	/* CONFIG_MEMORY_FAILURE: MADV_HWPOISON/SOFT_OFFLINE are known. */
	bool memory_failure;
	/* CAP_SYS_ADMIN (MADV_HWPOISON, MADV_SOFT_OFFLINE). */
	bool cap_sys_admin;
	/* CAP_SYS_RAWIO: MAP_FIXED below mmap_min_addr is allowed. */
	bool cap_sys_rawio;
	/* The CPU has protection keys (OSPKE): pkey 0 is allocated. */
	bool pku;
	/* A read fault on private anonymous memory allocates a zeroed page
	 * instead of mapping the shared zero page (a kernel where
	 * mm_forbids_zeropage() holds; the recording's "machine zero_page
	 * no"); false is upstream x86. */
	bool read_allocates;
};

/* Values of px_config.thp_enabled. */
#define PX_THP_MADVISE 0
#define PX_THP_ALWAYS 1
#define PX_THP_NEVER 2

/* px_default_config - Linux x86-64 defaults (65536 min addr, 47-bit). */
void px_default_config(struct px_config *cfg);

struct px_space *px_new(const struct px_config *cfg);
/* px_fork - the child's copy of @s as fork() makes it (DONTFORK, WIPEONFORK
 * and locks honoured). */
struct px_space *px_fork(const struct px_space *s);
/* px_shadow - @s's mappings without their contents, to try calls on. */
struct px_space *px_shadow(const struct px_space *s);
void px_free(struct px_space *s);

/* Late initial state learnt from the trace, valid before the first call
 * that depends on it. */
void px_set_mmap_base(struct px_space *s, uint64_t base);
void px_set_brk(struct px_space *s, uint64_t start_brk);
uint64_t px_mmap_base(const struct px_space *s);
/* Where the next MAP_32BIT search starts (0: LX_MAP32_BEGIN); the kernel
 * picks it per call from [LX_MAP32_BEGIN, + LX_MAP32_RANDOM). */
void px_set_map32_begin(struct px_space *s, uint64_t begin);

/*
 * Declare a mapping that exists without a traced call creating it (what
 * execve and the dynamic loader's kernel side leave: the binary, the
 * stack, the vDSO).  Overwrites whatever is there.  Returns 0 or -errno.
 * MAP_PRIVATE|MAP_ANONYMOUS declares an ordinary anonymous VMA (it merges
 * like one); anything else stands for an object the trace never names,
 * so it merges only with pieces of itself.
 */
int px_inherit(struct px_space *s, uint64_t addr, uint64_t len, int prot,
	       int flags);

/*
 * Context the trace shows besides memory calls.  px_fd_set: @fd was
 * opened with access mode @mode (LX_O_RDONLY, LX_O_WRONLY, LX_O_RDWR), or
 * closed (@mode < 0); from the first call on, an fd the trace never
 * opened (other than 0, 1, 2) is EBADF for mmap.  px_fd_mode: the mode,
 * or -1.  RLIMIT_MEMLOCK and CAP_IPC_LOCK change with prlimit64,
 * setrlimit and capset, CAP_SYS_RAWIO (mappings below mmap_min_addr)
 * with capset.  PX_FD_SECRET in px_fd_set's @mode marks a memfd_secret
 * descriptor (maps only shared, always locked).
 */
#define PX_FD_SECRET 4
void px_fd_set(struct px_space *s, int fd, int mode);
void px_fd_dup(struct px_space *s, int oldfd, int newfd);
int px_fd_mode(const struct px_space *s, int fd);
void px_set_memlock_limit(struct px_space *s, uint64_t limit);
void px_set_cap_ipc_lock(struct px_space *s, bool cap);
void px_set_cap_sys_rawio(struct px_space *s, bool cap);

/* The calls.  @path may be NULL (fd path unknown). */
int px_mmap(struct px_space *s, uint64_t addr, uint64_t len, int prot,
	    int flags, int fd, uint64_t off, const char *path, uint64_t *out);
int px_munmap(struct px_space *s, uint64_t addr, uint64_t len);
int px_mprotect(struct px_space *s, uint64_t addr, uint64_t len, int prot);
int px_pkey_mprotect(struct px_space *s, uint64_t addr, uint64_t len,
		     int prot, int pkey);
int px_madvise(struct px_space *s, uint64_t addr, uint64_t len, int advice);
int px_mremap(struct px_space *s, uint64_t old_addr, uint64_t old_len,
	      uint64_t new_len, int flags, uint64_t new_addr, uint64_t *out);
int px_msync(struct px_space *s, uint64_t addr, uint64_t len, int flags);
/* brk never fails at the syscall layer: *out is the new or old break. */
int px_brk(struct px_space *s, uint64_t addr, uint64_t *out);
int px_mlock(struct px_space *s, uint64_t addr, uint64_t len, int flags);
int px_munlock(struct px_space *s, uint64_t addr, uint64_t len);
int px_mlockall(struct px_space *s, int flags);
int px_munlockall(struct px_space *s);
/* @vec may be NULL; otherwise one byte per page (bit 0: resident). */
int px_mincore(struct px_space *s, uint64_t addr, uint64_t len,
	       uint8_t *vec);
/* mseal(2): seal every VMA of the range (Linux 6.10 on). */
int px_mseal(struct px_space *s, uint64_t addr, uint64_t len, uint64_t flags);
/* memfd_secret(2): *@fd is the new descriptor. */
int px_memfd_secret(struct px_space *s, uint64_t flags, uint64_t *fd);
/* prctl(2) PR_SET_MDWE and PR_GET_MDWE; @a holds arguments 2 to 5. */
int px_prctl(struct px_space *s, uint64_t option, const uint64_t *a,
	     uint64_t *out);

/*
 * One-byte accesses through the process's view.  Return 0, or -EFAULT
 * where the access would raise SIGSEGV (unmapped, PROT_NONE, a guard
 * page, or the access type not permitted), -EIO for SIGBUS.
 */
int px_load(struct px_space *s, uint64_t addr, uint8_t *val);
int px_store(struct px_space *s, uint64_t addr, uint8_t val);

/*
 * The touch model over a range: store @val at the first byte of every
 * page of [@addr, @addr + @len) that px_store() could write, in address
 * order, at most @max of them; the pages written in *@pages.  The same
 * state as px_store() page by page, in time and memory that grow with
 * the VMAs and page extents of the range, not its size.  0 or -ENOMEM.
 */
int px_touch(struct px_space *s, uint64_t addr, uint64_t len, uint8_t val,
	     uint64_t max, uint64_t *pages);

/* Effective access of the page at @addr as PROT_* bits, or -ENOMEM when
 * unmapped.  A guard page (MADV_GUARD_INSTALL) reports PROT_NONE. */
int px_prot(const struct px_space *s, uint64_t addr, int *prot);

/* A read-only view of one VMA, for iteration and the checks. */
struct px_vma_info {
	uint64_t start, end;	/* [start, end), page aligned */
	int prot;		/* PROT_* */
	int flags;		/* MAP_SHARED/PRIVATE, ANONYMOUS, GROWSDOWN,
				 * LOCKED (mlock'd), NORESERVE */
	uint64_t off;		/* file offset of start */
	const char *path;	/* file path, NULL for anonymous */
	bool inherited;		/* made by px_inherit */
};

/* First VMA with end > @addr; returns false when there is none. */
bool px_find(const struct px_space *s, uint64_t addr, struct px_vma_info *v);

struct px_stats {
	uint64_t vmas;		/* number of VMAs */
	uint64_t mapped;	/* bytes mapped */
	uint64_t writable;	/* bytes mapped with PROT_WRITE */
	uint64_t locked;	/* bytes mlock'd */
	uint64_t stored;	/* bytes of stored content kept */
	uint64_t brk, start_brk;
};
void px_stats(const struct px_space *s, struct px_stats *st);

/*
 * px_anon_resident - RssAnon as /proc/PID/status would give it: bytes of
 * private anonymous pages mapped (written or populated private pages,
 * copies of private file pages included; not the zero page, shmem or
 * page cache).  Time grows with VMAs and page extents.
 */
uint64_t px_anon_resident(const struct px_space *s);

/*
 * px_check - walk every invariant (ordering, no overlap, no empty or
 * unaligned VMA, gap augmentation correct in every node, adjacent
 * mergeable VMAs merged, stored bytes only inside mapped pages, brk within
 * bounds).  Returns 0, or -1 after writing what is broken into @why.
 */
int px_check(const struct px_space *s, char *why, size_t size);

#endif
