/*
 * rep_write.c - rep_write: open the database read-only, read the report's
 * data, write report.md and report.html.  Each file goes to a temporary
 * name first and is renamed into place once complete, so a crash or a
 * full disk never leaves half a report where the last good one was.
 */
#include "rmsim/report.h"

#include "report/rep_internal.h"

#include <dirent.h>
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* mkdir -p: each missing component of @dir. */
static int make_dir(const char *dir)
{
	char *p = strdup(dir), *s;
	struct stat st;
	int ret = 0;

	if (!p)
		return -1;
	for (s = p + 1; *s && !ret; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0777) != 0 && errno != EEXIST)
			ret = -1;
		*s = '/';
	}
	if (!ret && mkdir(p, 0777) != 0 && errno != EEXIST)
		ret = -1;
	if (!ret && (stat(p, &st) != 0 || !S_ISDIR(st.st_mode))) {
		errno = ENOTDIR;
		ret = -1;
	}
	free(p);
	return ret;
}

/* What one file holds: the whole of a writer, or a group's page. */
struct page {
	void (*writer)(FILE *, const struct rep_data *);
	void (*detail)(FILE *, const struct rep_data *, size_t);
	size_t idx;
};

static int write_one(const struct rep_data *d, const char *dir,
		     const char *name, const struct page *pg, char *err,
		     size_t errsize)
{
	char path[4096], tmp[4200];
	FILE *f;
	int e;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    sizeof(path)) {
		snprintf(err, errsize, "%s: path too long", dir);
		return 73;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp%ld", path, (long)getpid());
	f = fopen(tmp, "w");
	if (!f) {
		snprintf(err, errsize, "cannot create %s: %s", tmp,
			 strerror(errno));
		return 73;
	}
	/* a large buffer: the page is written in many small pieces */
	setvbuf(f, NULL, _IOFBF, 1 << 16);
	if (pg->writer)
		pg->writer(f, d);
	else
		pg->detail(f, d, pg->idx);
	e = ferror(f) ? errno : 0;
	if (fclose(f) != 0 && !e)
		e = errno ? errno : EIO;
	if (e) {
		snprintf(err, errsize, "cannot write %s: %s", tmp,
			 strerror(e));
		unlink(tmp);
		return 74;
	}
	if (rename(tmp, path) != 0) {
		snprintf(err, errsize, "cannot create %s: %s", path,
			 strerror(errno));
		unlink(tmp);
		return 73;
	}
	return 0;
}

/* "file:PATH?immutable=1", with the characters a URI gives a meaning
 * (%, ?, #) escaped in PATH.  sqlite3_free() it. */
static char *file_uri(const char *path)
{
	size_t n = strlen(path), i, o = 0;
	char *u = sqlite3_malloc64(3 * n + 32);

	if (!u)
		return NULL;
	o += (size_t)sprintf(u, "file:");
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)path[i];

		if (c == '%' || c == '?' || c == '#')
			o += (size_t)sprintf(u + o, "%%%02X", c);
		else
			u[o++] = (char)c;
	}
	strcpy(u + o, "?immutable=1");
	return u;
}

/*
 * Open a database to read.  A database in WAL mode needs its -shm file
 * even to be read, and cannot create it in a directory it may not write:
 * a file that was closed cleanly (no -wal left with content) is then
 * opened as immutable, which needs no -shm; one with a -wal left is read
 * as SQLite can.
 */
int rep_open_readonly(const char *path, sqlite3 **db)
{
	char wal[4200], *uri;
	struct stat st;
	int rc;

	rc = sqlite3_open_v2(path, db, SQLITE_OPEN_READONLY |
					       SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_exec(*db, "SELECT count(*) FROM sqlite_schema", NULL,
			  NULL, NULL);
	snprintf(wal, sizeof(wal), "%s-wal", path);
	if (rc == SQLITE_OK ||
	    (stat(wal, &st) == 0 && st.st_size > 0) ||
	    !((rc & 0xff) == SQLITE_CANTOPEN || (rc & 0xff) == SQLITE_IOERR ||
	      (rc & 0xff) == SQLITE_READONLY))
		return SQLITE_OK;	/* what goes wrong is said later */
	uri = file_uri(path);
	if (!uri)
		return SQLITE_NOMEM;
	sqlite3_close(*db);
	*db = NULL;
	rc = sqlite3_open_v2(uri, db, SQLITE_OPEN_READONLY |
					      SQLITE_OPEN_NOMUTEX |
					      SQLITE_OPEN_URI, NULL);
	sqlite3_free(uri);
	return rc;
}

/*
 * Pages of groups beyond @keep that an earlier, bigger report left in
 * @dir: only names this writer makes (report-<n>.html), nothing else.
 */
static void remove_stale(const char *dir, size_t keep)
{
	DIR *dp = opendir(dir);
	struct dirent *e;
	char path[4200];

	if (!dp)
		return;
	while ((e = readdir(dp))) {
		unsigned long n;
		int end = 0;

		if (sscanf(e->d_name, "report-%lu.html%n", &n, &end) != 1 ||
		    e->d_name[end] || n == 0 || n <= keep)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		unlink(path);
	}
	closedir(dp);
}

/* Open @db_path read-only and load it into @d (runs from @min_run on). */
static int load(const char *db_path, int64_t min_run, struct rep_data *d,
		char *err, size_t errsize)
{
	struct stat st;
	sqlite3 *db = NULL;
	int rc, status;

	memset(d, 0, sizeof(*d));
	d->db_path = db_path;
	d->min_run = min_run;
	/* SQLite would create an empty database for a missing file */
	if (stat(db_path, &st) != 0) {
		snprintf(err, errsize, "%s: %s", db_path, strerror(errno));
		return 66;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errsize, "%s: not a file", db_path);
		return 66;
	}
	rc = rep_open_readonly(db_path, &db);
	if (rc != SQLITE_OK) {
		snprintf(err, errsize, "%s: cannot open: %s", db_path,
			 db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
		sqlite3_close(db);
		return (rc & 0xff) == SQLITE_NOTADB ? 65 : 66;
	}
	sqlite3_busy_timeout(db, 5000);
	status = rep_data_load(db, d, err, errsize);
	sqlite3_close(db);
	return status;
}

int rep_write(const char *db_path, const char *out_dir, char *err,
	      size_t errsize)
{
	struct rep_data d;
	char name[64];
	size_t i;
	int status;

	if (!out_dir || !*out_dir)
		out_dir = ".";
	status = load(db_path, 0, &d, err, errsize);
	if (status)
		goto out;
	if (make_dir(out_dir) != 0) {
		snprintf(err, errsize, "cannot create %s: %s", out_dir,
			 strerror(errno));
		status = 73;
		goto out;
	}
	status = write_one(&d, out_dir, "report.md",
			   &(struct page){rep_md_write, NULL, 0}, err,
			   errsize);
	if (!status)
		status = write_one(&d, out_dir, "report.html",
				   &(struct page){rep_html_write, NULL, 0}, err,
				   errsize);
	for (i = 0; !status && d.split && i < d.ngroups; i++) {
		snprintf(name, sizeof(name), "report-%zu.html", i + 1);
		status = write_one(&d, out_dir, name,
				   &(struct page){NULL, rep_html_detail, i},
				   err, errsize);
	}
	if (!status)
		remove_stale(out_dir, d.split ? d.ngroups : 0);
out:
	rep_data_free(&d);
	return status;
}

int rep_decision_print(const char *db_path, int64_t min_run, FILE *f,
		       char *err, size_t errsize)
{
	struct rep_data d;
	int status = load(db_path, min_run, &d, err, errsize);

	if (!status)
		rep_decision_text(f, &d.decision);
	rep_data_free(&d);
	return status;
}
