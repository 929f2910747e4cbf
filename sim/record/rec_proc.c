/*
 * rec_proc.c - what the recorder reads from /proc and /sys: the machine's
 * facts, a process's maps right after execve and the anonymous pages
 * execve left resident in them (its pagemap), its RssAnon.
 *
 * A process's maps are exact only while it is held at the end of its
 * execve (strace's delay_exit injection holds it): /proc/PID/syscall
 * names the call a stopped task is in, so it is read before and after
 * the maps, and only when both say execve is the capture called exact.
 */
#include "rec_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#define NR_EXECVE 59
#define NR_EXECVEAT 322

int64_t rec_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* The first line of @path without its newline, or "" */
static void first_line(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "re");

	buf[0] = '\0';
	if (!f)
		return;
	if (fgets(buf, (int)size, f))
		buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

#define PROBE_PAGES 256

/*
 * Does a read fault on private anonymous memory map the shared zero page
 * (1), as upstream x86 does (mm/memory.c: do_anonymous_page), or
 * allocate a page (0), as a kernel where mm_forbids_zeropage() holds
 * does; -1 when it cannot tell.  Read PROBE_PAGES fresh pages and see
 * whether RssAnon grew by about their size (what else this process
 * allocates meanwhile is a few pages).
 */
static int zero_page_probe(void)
{
	volatile const uint8_t *p;
	uint64_t before, after;
	unsigned i, sum = 0;
	int ok;

	p = mmap(NULL, PROBE_PAGES * 4096, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return -1;
	ok = rec_rss_anon(getpid(), &before) > 0;
	for (i = 0; i < PROBE_PAGES; i++)
		sum += p[i * 4096];
	ok = ok && rec_rss_anon(getpid(), &after) > 0;
	munmap((void *)p, PROBE_PAGES * 4096);
	if (!ok || sum)
		return -1;
	return after < before + PROBE_PAGES * 4 / 2;
}

void rec_machine(struct rec_buf *b)
{
	int zp = zero_page_probe();

	struct utsname u;
	char line[256], *o, *c;

	if (uname(&u) == 0)
		rec_buf_printf(b, "machine kernel %s\n", u.release);
	rec_buf_printf(b, "machine page_size %ld\n", sysconf(_SC_PAGESIZE));
	/* "always [madvise] never": the bracketed one is in force */
	first_line("/sys/kernel/mm/transparent_hugepage/enabled", line,
		   sizeof(line));
	o = strchr(line, '[');
	c = o ? strchr(o, ']') : NULL;
	if (o && c)
		rec_buf_printf(b, "machine thp %.*s\n", (int)(c - o - 1),
			       o + 1);
	first_line("/proc/sys/vm/max_map_count", line, sizeof(line));
	if (line[0])
		rec_buf_printf(b, "machine max_map_count %s\n", line);
	first_line("/proc/sys/vm/overcommit_memory", line, sizeof(line));
	if (line[0])
		rec_buf_printf(b, "machine overcommit_memory %s\n", line);
	if (zp >= 0)
		rec_buf_printf(b, "machine zero_page %s\n", zp ? "yes" : "no");
}

/* The syscall number a stopped @pid is in, or -1 (running, gone). */
static long in_syscall(int32_t pid)
{
	char path[64], line[256];

	snprintf(path, sizeof(path), "/proc/%d/syscall", (int)pid);
	first_line(path, line, sizeof(line));
	if (line[0] < '0' || line[0] > '9')
		return -1;
	return strtol(line, NULL, 10);
}

static bool in_execve(int32_t pid)
{
	long nr = in_syscall(pid);

	return nr == NR_EXECVE || nr == NR_EXECVEAT;
}

/*
 * "START-END PERMS OFFSET DEV INODE   PATH" -> "map PID START-END PERMS
 * OFFSET PATH": the device and inode say nothing the replay can use.
 */
static void map_line(int32_t pid, const char *l, struct rec_buf *b)
{
	char range[64], perms[8], off[24];
	int path_at = 0;

	if (sscanf(l, "%63s %7s %23s %*s %*s %n", range, perms, off,
		   &path_at) < 3)
		return;
	if (path_at <= 0 || (size_t)path_at > strlen(l))
		path_at = (int)strlen(l);
	rec_buf_printf(b, "map %d %s %s %s %s\n", (int)pid, range, perms, off,
		       l + path_at);
}

/* pagemap's bits (Documentation/admin-guide/mm/pagemap.rst) */
#define PM_PRESENT (1ULL << 63)
#define PM_FILE (1ULL << 61) /* a file page or shared anonymous */
#define PM_EXCLUSIVE (1ULL << 56) /* mapped once: not the zero page */
#define PM_BATCH 512	     /* entries per read */
/* the most of one range looked at: an image's writable ranges after
 * execve are the data segments and the stack, far smaller */
#define PM_MAX_PAGES (1ULL << 18)

/*
 * "resident PID START-END" for each run of anonymous pages present in
 * [@start, @end) of @pid, by its pagemap @fd: pages execve wrote itself
 * (the arguments and environment at the stack's top, the zeroed tail of
 * a data page), which no fault shows.
 */
static void resident_runs(int fd, int32_t pid, uint64_t start, uint64_t end,
			  struct rec_buf *b)
{
	uint64_t e[PM_BATCH], page = start >> 12, last = end >> 12,
			     run = 0;
	bool in = false;

	if (last - page > PM_MAX_PAGES)
		last = page + PM_MAX_PAGES;
	while (page < last) {
		size_t want = last - page < PM_BATCH ? last - page : PM_BATCH;
		ssize_t got = pread(fd, e, want * sizeof(*e),
				    (off_t)(page * sizeof(*e)));
		size_t i;

		if (got <= 0)
			break;
		for (i = 0; i < (size_t)got / sizeof(*e); i++, page++) {
			bool anon = (e[i] & (PM_PRESENT | PM_EXCLUSIVE)) ==
					    (PM_PRESENT | PM_EXCLUSIVE) &&
				    !(e[i] & PM_FILE);

			if (anon && !in) {
				run = page;
				in = true;
			} else if (!anon && in) {
				rec_buf_printf(b, "resident %d %" PRIx64
					       "-%" PRIx64 "\n", (int)pid,
					       run << 12, page << 12);
				in = false;
			}
		}
		if ((size_t)got < want * sizeof(*e))
			break;
	}
	if (in)
		rec_buf_printf(b, "resident %d %" PRIx64 "-%" PRIx64 "\n",
			       (int)pid, run << 12, page << 12);
}

/* The resident anonymous pages of a map line's range, if it can hold any. */
static void map_resident(int fd, int32_t pid, const char *l,
			 struct rec_buf *b)
{
	uint64_t start, end;
	char perms[8];

	if (fd < 0 ||
	    sscanf(l, "%" SCNx64 "-%" SCNx64 " %7s", &start, &end, perms) != 3)
		return;
	/* anonymous pages live in private mappings only; after execve the
	 * ones that can hold them are writable (data, bss, the stack) */
	if (perms[3] != 'p' || perms[1] != 'w' || end <= start)
		return;
	resident_runs(fd, pid, start, end, b);
}

int rec_capture_maps(int32_t pid, int64_t ts_us, struct rec_buf *b)
{
	char path[64], exe[4096], *line = NULL;
	struct rec_buf maps = {0}, res = {0};
	size_t cap = 0;
	ssize_t n;
	bool exact;
	FILE *f;
	int pm;

	exact = in_execve(pid);
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	snprintf(path, sizeof(path), "/proc/%d/pagemap", (int)pid);
	pm = open(path, O_RDONLY | O_CLOEXEC);
	while ((n = getline(&line, &cap, f)) > 0) {
		line[strcspn(line, "\n")] = '\0';
		map_line(pid, line, &maps);
		map_resident(pm, pid, line, &res);
	}
	free(line);
	fclose(f);
	if (pm >= 0)
		close(pm);
	exact = exact && in_execve(pid);
	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	n = readlink(path, exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = '\0';
	rec_buf_printf(b, "exec %d %" PRId64 ".%06" PRId64 " %s %s\n",
		       (int)pid, ts_us / 1000000, ts_us % 1000000,
		       exact ? "exact" : "late", exe);
	if (maps.len)
		rec_buf_printf(b, "%s", maps.s);
	/* only while held are they execve's own pages */
	if (exact && res.len)
		rec_buf_printf(b, "%s", res.s);
	rec_buf_free(&maps);
	rec_buf_free(&res);
	return exact;
}

int rec_rss_anon(int32_t pid, uint64_t *kib)
{
	char path[64], line[256];
	long tgid = -1;
	int found = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "Tgid:", 5) == 0)
			tgid = strtol(line + 5, NULL, 10);
		else if (strncmp(line, "RssAnon:", 8) == 0) {
			*kib = strtoull(line + 8, NULL, 10);
			found = 1;
		}
	}
	fclose(f);
	return tgid == pid ? found : 0;
}
