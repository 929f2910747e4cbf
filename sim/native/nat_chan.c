/*
 * nat_chan.c - the native backend's mailbox handshake (see nat_proto.h).
 *
 * ALGORITHM: one side publishes a request or an answer by storing its
 * sequence number; the other side waits for that number.  A wait spins
 * first (a call to the host kernel usually answers within microseconds,
 * and a futex sleep and wake-up costs more than the call), for a time
 * that doubles when spinning paid and halves when it did not (on a
 * loaded machine the other side is often not running, and spinning only
 * takes its core), then announces that it sleeps and sleeps on the word with a
 * futex and a timeout, so a peer that died is noticed.  The poster wakes
 * the word only when the other side announced a sleep.
 *
 * INVARIANTS: sequence numbers only grow (modulo 2^32); the sleep flag is set before the word
 * is checked a last time and cleared after, and the poster stores the
 * word before it reads the flag (both sequentially consistent), so a
 * wake-up is never lost: either the sleeper sees the new number, or the
 * poster sees the flag.
 */
#include "nat_proto.h"

#include <errno.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* The longest and the shortest spin: about a host call's time, less
 * than a sleep and a wake-up */
#define SPIN_MAX_NS 40000
#define SPIN_MIN_NS 500

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* Has @word reached @seq?  Sequence numbers wrap. */
static bool reached(uint32_t word, uint32_t seq)
{
	return (int32_t)(word - seq) >= 0;
}

static void relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

static long futex(_Atomic uint32_t *word, int op, uint32_t val,
		  const struct timespec *ts)
{
	return syscall(SYS_futex, (uint32_t *)word, op, val, ts, NULL, 0);
}

void nat_post(_Atomic uint32_t *word, _Atomic uint32_t *sleeps,
	      uint32_t seq)
{
	atomic_store(word, seq);
	if (atomic_load(sleeps))
		futex(word, FUTEX_WAKE, 1, NULL);
}

int nat_wait(_Atomic uint32_t *word, _Atomic uint32_t *sleeps, uint32_t seq,
	     bool (*alive)(void *arg), void *arg)
{
	const struct timespec ts = {0, 20 * 1000 * 1000};
	/* per process and thread: one wait at a time on each side */
	static _Thread_local uint64_t spin_ns = SPIN_MAX_NS;
	uint64_t until = 0;
	uint32_t now;
	unsigned i;

	for (i = 0;; i++) {
		if (reached(atomic_load_explicit(word, memory_order_acquire),
			    seq)) {
			/* spinning pays: spin longer next time */
			if (spin_ns < SPIN_MAX_NS)
				spin_ns *= 2;
			return 0;
		}
		relax();
		if ((i & 63) == 0) {
			uint64_t t = now_ns();

			if (!until)
				until = t + spin_ns;
			else if (t > until)
				break;
		}
	}
	/* the other side was not running (a loaded machine): sleep sooner */
	if (spin_ns > SPIN_MIN_NS)
		spin_ns /= 2;
	for (;;) {
		atomic_store(sleeps, 1);
		now = atomic_load(word);
		if (reached(now, seq)) {
			atomic_store(sleeps, 0);
			return 0;
		}
		futex(word, FUTEX_WAIT, now, &ts);
		atomic_store(sleeps, 0);
		if (reached(atomic_load(word), seq))
			return 0;
		if (alive && !alive(arg))
			return -1;
	}
}
