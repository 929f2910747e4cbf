/*
 * digest.c - the trace file's SHA-256 for the run row, made beside the
 * replay.
 *
 * Hashing a trace means reading it a second time: 50 MB of text cost the
 * replay 5% of its time when the run waited for it.  So a thread of its
 * own hashes the file while the replay runs, and the run's end writes
 * the digest (before its status: a complete run has its digest).  When
 * no thread can be made, the hash is made at once, as before.  Only a
 * regular file is hashed: a trace read from a pipe has no digest.
 *
 * INVARIANTS: a started digest is joined exactly once (rp_digest_finish,
 * which every end of rp_replay calls); the thread takes no signals, they
 * are the replay thread's.
 */
#include "replay_internal.h"

#include <signal.h>
#include <string.h>
#include <sys/stat.h>

static void *digest_main(void *arg)
{
	struct rp_digest *d = arg;

	d->rc = tr_sha256_file(d->path, d->hex);
	return NULL;
}

void rp_digest_start(struct replay *r, const char *path)
{
	struct rp_digest *d = &r->digest;
	struct stat st;
	sigset_t all, old;
	int rc;

	memset(d, 0, sizeof(*d));
	/* a pipe's bytes are the reader's: reading them here would take
	 * them from the replay, or hash what it left (nothing) */
	if (stat(path, &st) || !S_ISREG(st.st_mode))
		return;
	d->path = path;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&d->tid, NULL, digest_main, d);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc)
		digest_main(d);	/* no thread: at once */
	else
		d->running = true;
}

const char *rp_digest_finish(struct replay *r)
{
	struct rp_digest *d = &r->digest;

	if (!d->path)
		return NULL;
	if (d->running) {
		pthread_join(d->tid, NULL);
		d->running = false;
	}
	d->path = NULL;
	return d->rc == 0 ? d->hex : NULL;
}
