/*
 * fuzz_reader.c - libFuzzer target for the trace reader.
 *
 * Each input is written to a memfd and read back through tr_open, so the
 * whole path is exercised: buffer refills, line splitting, the pending
 * table of split calls, argument and result decoding, and gzip/xz
 * detection on the first bytes.  Both strict and --keep-going modes run.
 * The same input also goes to the side-file reader (tr_faults_*).
 * Built and run by scripts/fuzz; not part of the normal build.
 */
#include "rmsim/trace.h"

#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static void run(const char *path, int keep_going)
{
	struct tr_options opt = {.keep_going = keep_going != 0,
				 .all_calls = keep_going != 0};
	struct tr_reader *r;
	struct tr_event ev;
	int err, rc, n = 0;

	r = tr_open(path, &opt, &err);
	if (!r)
		return;
	while ((rc = tr_next(r, &ev)) > 0 && n++ < 100000)
		;
	if (rc < 0)
		(void)tr_error(r);
	tr_close(r);
}

static void run_side(const char *path)
{
	struct tr_faults *f;
	struct tr_fault ft;
	char msg[256];
	int err, n = 0;
	size_t i;

	f = tr_faults_open_file(path, &err, msg, sizeof(msg));
	if (!f)
		return;
	for (i = 0; i < tr_faults_nexecs(f); i++)
		(void)tr_faults_exec_of(f, tr_faults_exec(f, i)->pid, 0);
	while (tr_faults_next(f, &ft) > 0 && n++ < 100000)
		;
	tr_faults_close(f);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	char path[64];
	int fd = memfd_create("fuzz", MFD_CLOEXEC);

	if (fd < 0)
		return 0;
	if (size && write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	run(path, 0);
	run(path, 1);
	run_side(path);
	close(fd);
	return 0;
}
