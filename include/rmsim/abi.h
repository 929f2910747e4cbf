/*
 * rmsim/abi.h - the Linux x86-64 constants the model speaks.
 *
 * The simulator models Linux at the syscall layer, so it carries its own
 * copy of every PROT_*, MAP_*, MADV_*, MREMAP_*, MS_*, MLOCK_*, MCL_*,
 * CLONE_* and errno value with the x86-64 numbers.  The model never takes
 * these from the build host's libc: a simulator built on another system
 * must still judge Linux traces by Linux rules.  A unit test compares
 * every value here against the host headers where those exist.
 *
 * The abi_ functions translate between names (as strace prints them) and
 * values, for the trace reader, the case language and the reports.
 */
#ifndef RMSIM_ABI_H
#define RMSIM_ABI_H

#include <stddef.h>
#include <stdint.h>

/* Page geometry of the modelled machine (x86-64, 4 KiB base pages). */
#define LX_PAGE_SHIFT 12
#define LX_PAGE_SIZE ((uint64_t)1 << LX_PAGE_SHIFT)
#define LX_PAGE_MASK (~(LX_PAGE_SIZE - 1))
/* 47-bit user address space with 4-level paging: TASK_SIZE. */
#define LX_TASK_SIZE ((uint64_t)0x7ffffffff000)
/* Size of the PMD-level huge page, the THP alignment unit. */
#define LX_PMD_SIZE ((uint64_t)2 << 20)

/* mmap prot */
#define LX_PROT_NONE 0x0
#define LX_PROT_READ 0x1
#define LX_PROT_WRITE 0x2
#define LX_PROT_EXEC 0x4
#define LX_PROT_SEM 0x8
#define LX_PROT_GROWSDOWN 0x01000000
#define LX_PROT_GROWSUP 0x02000000

/* mmap flags */
#define LX_MAP_FILE 0x00
#define LX_MAP_SHARED 0x01
#define LX_MAP_PRIVATE 0x02
#define LX_MAP_SHARED_VALIDATE 0x03
#define LX_MAP_DROPPABLE 0x08
#define LX_MAP_TYPE 0x0f
#define LX_MAP_FIXED 0x10
#define LX_MAP_ANONYMOUS 0x20
#define LX_MAP_32BIT 0x40
/* MAP_32BIT's bottom-up search starts at LX_MAP32_BEGIN, randomised per
 * call by up to LX_MAP32_RANDOM (arch/x86/kernel/sys_x86_64.c) */
#define LX_MAP32_BEGIN 0x40000000ULL
#define LX_MAP32_RANDOM 0x02000000ULL
#define LX_MAP_GROWSDOWN 0x0100
#define LX_MAP_DENYWRITE 0x0800
#define LX_MAP_EXECUTABLE 0x1000
#define LX_MAP_LOCKED 0x2000
#define LX_MAP_NORESERVE 0x4000
#define LX_MAP_POPULATE 0x8000
#define LX_MAP_NONBLOCK 0x10000
#define LX_MAP_STACK 0x20000
#define LX_MAP_HUGETLB 0x40000
#define LX_MAP_SYNC 0x80000
#define LX_MAP_FIXED_NOREPLACE 0x100000
#define LX_MAP_UNINITIALIZED 0x4000000
#define LX_MAP_HUGE_SHIFT 26
#define LX_MAP_HUGE_MASK 0x3f

/* madvise advice */
#define LX_MADV_NORMAL 0
#define LX_MADV_RANDOM 1
#define LX_MADV_SEQUENTIAL 2
#define LX_MADV_WILLNEED 3
#define LX_MADV_DONTNEED 4
#define LX_MADV_FREE 8
#define LX_MADV_REMOVE 9
#define LX_MADV_DONTFORK 10
#define LX_MADV_DOFORK 11
#define LX_MADV_MERGEABLE 12
#define LX_MADV_UNMERGEABLE 13
#define LX_MADV_HUGEPAGE 14
#define LX_MADV_NOHUGEPAGE 15
#define LX_MADV_DONTDUMP 16
#define LX_MADV_DODUMP 17
#define LX_MADV_WIPEONFORK 18
#define LX_MADV_KEEPONFORK 19
#define LX_MADV_COLD 20
#define LX_MADV_PAGEOUT 21
#define LX_MADV_POPULATE_READ 22
#define LX_MADV_POPULATE_WRITE 23
#define LX_MADV_DONTNEED_LOCKED 24
#define LX_MADV_COLLAPSE 25
#define LX_MADV_HWPOISON 100
#define LX_MADV_SOFT_OFFLINE 101
#define LX_MADV_GUARD_INSTALL 102
#define LX_MADV_GUARD_REMOVE 103

/* mremap flags */
#define LX_MREMAP_MAYMOVE 1
#define LX_MREMAP_FIXED 2
#define LX_MREMAP_DONTUNMAP 4

/* msync flags */
#define LX_MS_ASYNC 1
#define LX_MS_INVALIDATE 2
#define LX_MS_SYNC 4

/* mlock2 and mlockall flags */
#define LX_MLOCK_ONFAULT 1
#define LX_MCL_CURRENT 1
#define LX_MCL_FUTURE 2
#define LX_MCL_ONFAULT 4

/* open access modes (O_ACCMODE) */
#define LX_O_RDONLY 0
#define LX_O_WRONLY 1
#define LX_O_RDWR 2

/* prctl options and bits of memory-deny-write-execute (linux/prctl.h) */
#define LX_PR_SET_MDWE 65
#define LX_PR_GET_MDWE 66
#define LX_PR_MDWE_REFUSE_EXEC_GAIN 1
#define LX_PR_MDWE_NO_INHERIT 2

/* clone flags that decide address-space identity */
#define LX_CLONE_VM 0x00000100
#define LX_CLONE_VFORK 0x00004000
#define LX_CLONE_THREAD 0x00010000

/* errno values (asm-generic/errno-base.h and errno.h) */
#define LX_EPERM 1
#define LX_ENOENT 2
#define LX_EINTR 4
#define LX_EIO 5
#define LX_EBADF 9
#define LX_EAGAIN 11
#define LX_ENOMEM 12
#define LX_EACCES 13
#define LX_EFAULT 14
#define LX_EBUSY 16
#define LX_EEXIST 17
#define LX_ENODEV 19
#define LX_EINVAL 22
#define LX_ENFILE 23
#define LX_EMFILE 24
#define LX_ETXTBSY 26
#define LX_EFBIG 27
#define LX_ENOSPC 28
#define LX_ENOSYS 38
#define LX_EOVERFLOW 75
#define LX_EOPNOTSUPP 95
#define LX_EHWPOISON 133
#define LX_ERRNO_MAX 4095

/* Largest errno value the tables name (kernel-internal ones included). */
#define LX_ERRNO_NAMED_MAX 530

/*
 * abi_errno_name - strace's name for errno value @e ("ENOMEM"), or NULL
 * when the value has no name.
 */
const char *abi_errno_name(int e);

/*
 * abi_errno_value - the value of errno name @name (@len bytes, not
 * terminated), or -1 when the name is unknown.  Accepts aliases such as
 * EWOULDBLOCK and EDEADLOCK.
 */
int abi_errno_value(const char *name, size_t len);

/*
 * abi_const_value - the value of a symbolic constant as strace prints it
 * in a flags or enum argument (PROT_READ, MAP_ANONYMOUS, MADV_FREE,
 * CLONE_VM, SIGCHLD, ...).  Returns 0 and stores the value in @val, or -1
 * when the name is unknown.
 */
int abi_const_value(const char *name, size_t len, uint64_t *val);

/*
 * abi_flags_str - write flags @v in strace's symbolic form using the names
 * that start with @prefix ("PROT_", "MAP_", "MADV_", ...) into @buf;
 * bits without a name are appended in hex.  Returns @buf.
 */
char *abi_flags_str(const char *prefix, uint64_t v, char *buf, size_t size);

#endif
