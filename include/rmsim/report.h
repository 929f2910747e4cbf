/*
 * rmsim/report.h - the report generator (prefix rep_).
 *
 * Reads an rmsim database and nothing else, and writes two files into a
 * directory: report.md (summary tables that render on forges) and
 * report.html (one self-contained page: inline CSS and SVG, no script,
 * no font or image from anywhere else).  docs/report.md explains what
 * each section shows.
 *
 * The cost does not grow with the number of events: event rows are read
 * only for the deviations listed (a capped number per kind), resource
 * samples are downsampled in SQL, and everything else is per run.
 */
#ifndef RMSIM_REPORT_H
#define RMSIM_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * rep_write - write @out_dir/report.md and @out_dir/report.html from the
 * database at @db_path, creating @out_dir when it does not exist.  Each
 * file is written under a temporary name and renamed into place, so a
 * reader never sees half a report.
 *
 * Returns 0, or a sysexits status with a message in @err: 66 the
 * database does not exist, 65 it is not an rmsim database (or not a
 * database at all), 73 the directory or a file cannot be created, 74 a
 * write failed, 70 anything else (out of memory, an SQL error).
 *
 * Call it after the database is closed by the run that wrote it (the
 * reader opens it read-only and sees only committed rows).
 */
int rep_write(const char *db_path, const char *out_dir, char *err,
	      size_t errsize);

/*
 * rep_decision_print - the decision view (report.md's first section) of
 * the runs of @db_path numbered @min_run or higher, as text for the
 * terminal.  Returns 0 or a status as rep_write's.
 */
int rep_decision_print(const char *db_path, int64_t min_run, FILE *f,
		       char *err, size_t errsize);

/*
 * rep_explain - one event of run @run_id in the terminal: the event at
 * trace line @line, or with @line 0 that of the run's first finding that
 * counts.  The trace line (read again from the trace when it is still
 * there), the recorded, reference and policy results, the findings, the
 * Genode operations the policy made for it and its address space
 * around the address after it.  0, or 66 no such run, event or
 * finding, 65 not a database, 70 anything else, with @err set.
 */
int rep_explain(const char *db_path, int64_t run_id, uint64_t line, FILE *f,
		char *err, size_t errsize);

/*
 * The costs a sweep weighs settings by, each summed over a setting's
 * runs: peak RAM (bytes), peak caps, RPCs, faults; and the metric of the
 * database each comes from.
 */
#define REP_NCOSTS 4
extern const char *const rep_cost_names[REP_NCOSTS];	/* ram, caps */
extern const char *const rep_cost_metrics[REP_NCOSTS];	/* ram_peak */

/*
 * rep_pareto - mark in @front the clean settings no other clean setting
 * beats: at most equal on every cost and below on one.  O(n^2) in the
 * settings, which a sweep counts in hundreds.
 */
void rep_pareto(const double (*cost)[REP_NCOSTS], const bool *clean,
		size_t n, bool *front);

#endif
