/*
 * rec_proc.c - what the recorder reads from /proc and /sys: the machine's
 * facts, a process's maps right after execve, its RssAnon.
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

void rec_machine(struct rec_buf *b)
{
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

int rec_capture_maps(int32_t pid, int64_t ts_us, struct rec_buf *b)
{
	char path[64], exe[4096], *line = NULL;
	struct rec_buf maps = {0};
	size_t cap = 0;
	ssize_t n;
	bool exact;
	FILE *f;

	exact = in_execve(pid);
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while ((n = getline(&line, &cap, f)) > 0) {
		line[strcspn(line, "\n")] = '\0';
		map_line(pid, line, &maps);
	}
	free(line);
	fclose(f);
	exact = exact && in_execve(pid);
	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	n = readlink(path, exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = '\0';
	rec_buf_printf(b, "exec %d %" PRId64 ".%06" PRId64 " %s %s\n",
		       (int)pid, ts_us / 1000000, ts_us % 1000000,
		       exact ? "exact" : "late", exe);
	if (maps.len)
		rec_buf_printf(b, "%s", maps.s);
	rec_buf_free(&maps);
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
