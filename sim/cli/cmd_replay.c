/*
 * cmd_replay.c - `rmsim replay`: replay one trace on one policy, print the
 * summary (or JSON), and log to a database when asked.  SIGINT and
 * SIGTERM stop the replay between events; what was logged stays, and the
 * run is marked interrupted.
 */
#include "cli.h"

#include "rmsim/db.h"
#include "rmsim/policy.h"
#include "rmsim/replay.h"

#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

static void replay_usage(FILE *f)
{
	fprintf(f,
		"usage: rmsim replay TRACE [--policy P] [--layout L] "
		"[--genode V] [--db FILE]\n"
		"                    [--touch recorded|none|first|all] "
		"[--max-map-count N]\n"
		"                    [--keep-going] [--json] [-q]\n\n"
		"Replay TRACE (strace text, plain, .gz or .xz) on policy P and "
		"compare every\nresult with the recorded one.\n\n"
		"  -p, --policy P    linux (the reference model; default), "
		"native (the host\n"
		"                    kernel, in a child process), a Genode "
		"policy beside the\n"
		"                    reference (rmsim policies; NAME:key=val,..."
		"), or ./lib.so\n"
		"  -l, --layout L    Genode kernel layout (default "
		"nova-x86_64; rmsim layouts)\n"
		"  -g, --genode V    Genode version: 20.05, 24.08, 26.02 "
		"(default)\n"
		"      --ram SIZE    the component's RAM quota (default: the "
		"reference's peak\n"
		"                    writable bytes + 50%% + 32 MiB)\n"
		"      --caps N      the component's capability quota "
		"(default 20000)\n"
		"  -d, --db FILE     log run, events, findings, metrics to "
		"FILE (SQLite)\n"
		"  -t, --touch MODE  which pages the program touched: "
		"recorded (the page\n"
		"                    faults of the side file, when it faulted "
		"them; the default\n"
		"                    where the side file has them), or after "
		"a call that makes\n"
		"                    pages writable none, the first (the "
		"default without page\n"
		"                    faults) or all of them\n"
		"      --max-map-count N  vm.max_map_count of the recording "
		"machine, for the\n"
		"                    reference model (default 65530, "
		"Linux's)\n"
		"  -k, --keep-going  skip unreadable trace lines, count them\n"
		"  -j, --json        print the summary as JSON\n"
		"  -q, --quiet       no progress, summary only on deviations\n"
		"Exit: 0 all results as recorded, 1 some differ, 65 bad trace "
		"line,\n66 no trace, 73/74 cannot write the database, "
		"130/143 interrupted.\n");
}

/* The touch model, and with recorded faults what they gave. */
static void print_touch(const struct rp_summary *s)
{
	printf("touch      %s", rp_touch_name(s->touch));
	if (s->touch == RP_TOUCH_RECORDED) {
		printf(": %" PRIu64 " page faults, %" PRIu64 " touched, %"
		       PRIu64 " outside every mapping, %" PRIu64
		       " refused by the protection, %" PRIu64
		       " of processes not in the trace",
		       s->faults, s->faults_touched, s->faults_outside,
		       s->faults_denied, s->faults_unknown_pid);
		if (s->two_sided)
			printf(" (%" PRIu64 " on ranges execve made, not the "
			       "policy's), %" PRIu64 " the policy could not "
			       "back", s->faults_inherited,
			       s->faults_model_failed);
	}
	printf("\n");
	if (s->touch != RP_TOUCH_RECORDED)
		return;
	printf("RssAnon    %" PRIu64 " samples, median error %.1f%%, worst "
	       "%.1f%%", s->rss_samples, 100 * s->rss_median_err,
	       100 * s->rss_worst_err);
	if (s->rss_samples)
		printf(" (pid %d at %" PRId64 ".%06" PRId64 ": recorded %"
		       PRIu64 " KiB, model %" PRIu64 " KiB)",
		       (int)s->rss_worst_pid, s->rss_worst_ts_us / 1000000,
		       s->rss_worst_ts_us % 1000000,
		       s->rss_worst_recorded >> 10, s->rss_worst_model >> 10);
	if (s->rss_skipped)
		printf(", %" PRIu64 " of processes the replay did not have",
		       s->rss_skipped);
	printf("\n");
}

static void print_text(const struct rp_options *o, const struct rp_summary *s)
{
	int c, k;
	const char *sep = "";
	uint64_t alone;

	printf("trace      %s\n", o->trace);
	printf("policy     %s\n", o->policy);
	cli_print_quota(stdout, o);
	printf("events     %" PRIu64 " (", s->events);
	for (c = 0; c < TR_NCALLS; c++)
		if (s->calls[c]) {
			printf("%s%s %" PRIu64, sep,
			       tr_call_name((enum tr_call)c), s->calls[c]);
			sep = ", ";
		}
	printf(")\n");
	printf("results    %" PRIu64 " compared, %" PRIu64 " mismatched",
	       s->compared, s->mismatches);
	if (s->mismatches) {
		printf(" (");
		sep = "";
		for (k = 0; k < RP_MM_KINDS; k++)
			if (s->mismatch[k]) {
				printf("%s%s %" PRIu64, sep,
				       rp_mismatch_name((enum rp_mismatch)k),
				       s->mismatch[k]);
				sep = ", ";
			}
		printf("; first at line %" PRIu64 ")", s->first_mismatch_line);
	}
	printf(", %" PRIu64 " not recorded\n", s->unknown);
	if (s->two_sided) {
		printf("findings   %" PRIu64, s->findings);
		sep = " (";
		for (k = 0; k < CK_NKINDS; k++)
			if (s->finding[k]) {
				printf("%s%s %" PRIu64, sep,
				       ck_kind_name((enum ck_kind)k),
				       s->finding[k]);
				sep = ", ";
			}
		if (s->consequences) {
			printf("%s%" PRIu64 " consequences of the exhausted "
			       "quota", sep, s->consequences);
			sep = ", ";
		}
		if (s->findings)
			printf("; first at line %" PRIu64,
			       s->first_finding_line);
		printf("%s against the reference\n", sep[0] == ',' ? ")" : "");
		printf("genode     RAM peak %.1f MiB, caps peak %" PRIu64
		       ", RM sessions %" PRIu64 ", region maps %" PRIu64
		       ", attachments peak %" PRIu64 ", faults %" PRIu64 "\n",
		       (double)s->gn.ram_peak / (1 << 20), s->gn.caps_peak,
		       s->gn.rm_sessions_peak, s->gn.region_maps_peak,
		       s->gn.attachments_peak, s->gn.faults);
	}
	alone = s->mmaps_placed - s->mmaps_concurrent - s->mmaps_random -
		s->mmaps_unseen;
	printf("addresses  %" PRIu64 " of %" PRIu64
	       " non-fixed mmaps at the recorded address (%.2f%%)",
	       s->mmaps_exact, alone,
	       alone ? 100.0 * (double)s->mmaps_exact / (double)alone : 100.0);
	if (s->mmaps_concurrent)
		printf(", %" PRIu64 " concurrent with another thread's "
		       "counted apart (%" PRIu64 " of them there in the "
		       "kernel's order%s",
		       s->mmaps_concurrent, s->mmaps_concurrent_exact,
		       s->mmaps_concurrent_adopted ? ", " : ")");
	if (s->mmaps_concurrent_adopted)
		printf("%" PRIu64 " more placed there as recorded: no order "
		       "explained them)", s->mmaps_concurrent_adopted);
	if (s->mmaps_random)
		printf(", %" PRIu64 " randomised per call (MAP_32BIT) and "
		       "consistent with the rule, counted apart",
		       s->mmaps_random);
	if (s->mmaps_unseen)
		printf(", %" PRIu64 " beside memory the trace never showed "
		       "(threads it did not follow), counted apart",
		       s->mmaps_unseen);
	printf("\n");
	if (s->unmodelled) {
		printf("unmodelled %" PRIu64 " calls that change the address "
		       "space were not run (", s->unmodelled);
		sep = "";
		for (c = 0; c < TR_NCALLS; c++)
			if (tr_call_unmodelled((enum tr_call)c) &&
			    s->calls[c]) {
				printf("%s%s %" PRIu64, sep,
				       tr_call_name((enum tr_call)c),
				       s->calls[c]);
				sep = ", ";
			}
		printf("): later results may differ\n");
	}
	printf("processes  %" PRIu64 " address spaces, %" PRIu64
	       " ranges adopted from before the trace, %" PRIu64
	       " pids without a clone\n",
	       s->processes, s->adopted, s->orphans);
	if (s->images)
		printf("images     %" PRIu64 " program image%s without an "
		       "execve line (first at line %" PRIu64 ", shown by "
		       "brk(NULL)): replayed in a fresh address space\n",
		       s->images, s->images > 1 ? "s" : "",
		       s->first_image_line);
	if (s->warning[0])
		printf("warning    %s\n", s->warning);
	if (s->side_path[0])
		printf("side file  %s: maps of %" PRIu64 " images (%" PRIu64
		       " applied, %" PRIu64 " ranges, %" PRIu64
		       " pages resident after execve), page faults %s, "
		       "max_map_count %" PRIu64 "\n",
		       s->side_path, s->side_images, s->side_images_used,
		       s->side_ranges, s->side_resident_pages,
		       s->side_faults ? "recorded" : "not recorded",
		       s->max_map_count);
	print_touch(s);
	if (s->skipped_lines)
		printf("skipped    %" PRIu64 " unreadable lines\n",
		       s->skipped_lines);
	if (s->missing_files)
		printf("missing    %" PRIu64 " process file%s of the strace -ff "
		       "family: their calls are not replayed\n",
		       s->missing_files, s->missing_files > 1 ? "s" : "");
	printf("speed      %.0f events/s (%.3f s)\n",
	       s->wall_s > 0 ? (double)s->events / s->wall_s : 0, s->wall_s);
	if (s->run_id)
		printf("run        %" PRId64 "\n", s->run_id);
}

static void print_json(const struct rp_options *o, const struct rp_summary *s)
{
	int c, k;
	const char *sep = "";

	fputs("{\"trace\": ", stdout);
	cli_json_str(stdout, o->trace);
	fputs(", \"policy\": ", stdout);
	cli_json_str(stdout, o->policy);
	printf(", \"events\": %" PRIu64 ", \"calls\": {", s->events);
	for (c = 0; c < TR_NCALLS; c++)
		if (s->calls[c]) {
			printf("%s\"%s\": %" PRIu64, sep,
			       tr_call_name((enum tr_call)c), s->calls[c]);
			sep = ", ";
		}
	printf("}, \"compared\": %" PRIu64 ", \"unknown\": %" PRIu64
	       ", \"mismatches\": %" PRIu64 ", \"first_mismatch_line\": %"
	       PRIu64 ", \"mismatch\": {",
	       s->compared, s->unknown, s->mismatches, s->first_mismatch_line);
	for (k = 0; k < RP_MM_KINDS; k++)
		printf("%s\"%s\": %" PRIu64, k ? ", " : "",
		       rp_mismatch_name((enum rp_mismatch)k), s->mismatch[k]);
	printf("}, \"findings\": %" PRIu64 ", \"finding\": {",
	       s->findings);
	for (k = 0; k < CK_NKINDS; k++)
		printf("%s\"%s\": %" PRIu64, k ? ", " : "",
		       ck_kind_name((enum ck_kind)k), s->finding[k]);
	printf("}, \"consequences\": %" PRIu64, s->consequences);
	if (o->pol)
		printf(", \"ram_quota\": %" PRIu64 ", \"ram_quota_derived\": "
		       "%s, \"caps_quota\": %" PRIu64,
		       o->gn.ram_quota, o->ram_derived ? "true" : "false",
		       o->gn.cap_quota);
	printf(", \"ram_peak\": %" PRIu64 ", \"caps_peak\": %" PRIu64,
	       s->gn.ram_peak, s->gn.caps_peak);
	printf(", \"unmodelled\": {");
	sep = "";
	for (c = 0; c < TR_NCALLS; c++)
		if (tr_call_unmodelled((enum tr_call)c) && s->calls[c]) {
			printf("%s\"%s\": %" PRIu64, sep,
			       tr_call_name((enum tr_call)c), s->calls[c]);
			sep = ", ";
		}
	printf("}, \"images\": %" PRIu64 ", \"warning\": ", s->images);
	if (s->warning[0])
		cli_json_str(stdout, s->warning);
	else
		fputs("null", stdout);
	printf(", \"mmaps_placed\": %" PRIu64 ", \"mmaps_exact\": %" PRIu64
	       ", \"concurrent\": %" PRIu64
	       ", \"concurrent_exact\": %" PRIu64
	       ", \"concurrent_adopted\": %" PRIu64
	       ", \"random\": %" PRIu64 ", \"unseen\": %" PRIu64
	       ", \"adopted\": %" PRIu64 ", \"processes\": %" PRIu64
	       ", \"orphans\": %" PRIu64 ", \"skipped_lines\": %" PRIu64
	       ", \"missing_files\": %" PRIu64 ", \"side_file\": ",
	       s->mmaps_placed, s->mmaps_exact, s->mmaps_concurrent,
	       s->mmaps_concurrent_exact, s->mmaps_concurrent_adopted,
	       s->mmaps_random, s->mmaps_unseen, s->adopted, s->processes,
	       s->orphans, s->skipped_lines, s->missing_files);
	if (s->side_path[0])
		cli_json_str(stdout, s->side_path);
	else
		fputs("null", stdout);
	printf(", \"side_faults\": %s, \"side_images\": %" PRIu64
	       ", \"side_images_used\": %" PRIu64 ", \"side_ranges\": %"
	       PRIu64 ", \"side_resident_pages\": %" PRIu64
	       ", \"max_map_count\": %" PRIu64
	       ", \"touch\": \"%s\", \"faults\": %" PRIu64
	       ", \"faults_touched\": %" PRIu64 ", \"faults_outside\": %"
	       PRIu64 ", \"faults_denied\": %" PRIu64
	       ", \"faults_unknown_pid\": %" PRIu64
	       ", \"faults_inherited\": %" PRIu64
	       ", \"faults_model_failed\": %" PRIu64
	       ", \"rss_samples\": %" PRIu64 ", \"rss_skipped\": %" PRIu64
	       ", \"rss_median_err\": %.6f, \"rss_worst_err\": %.6f"
	       ", \"rss_worst_pid\": %d, \"rss_worst_ts_us\": %" PRId64
	       ", \"rss_worst_recorded\": %" PRIu64
	       ", \"rss_worst_model\": %" PRIu64
	       ", \"rss_recorded_peak\": %" PRIu64
	       ", \"rss_model_peak\": %" PRIu64
	       ", \"posix_writable_peak\": %" PRIu64,
	       s->side_faults ? "true" : "false", s->side_images,
	       s->side_images_used, s->side_ranges, s->side_resident_pages,
	       s->max_map_count,
	       rp_touch_name(s->touch), s->faults, s->faults_touched,
	       s->faults_outside, s->faults_denied, s->faults_unknown_pid,
	       s->faults_inherited, s->faults_model_failed, s->rss_samples,
	       s->rss_skipped,
	       s->rss_median_err, s->rss_worst_err, (int)s->rss_worst_pid,
	       s->rss_worst_ts_us, s->rss_worst_recorded, s->rss_worst_model,
	       s->rss_recorded_peak, s->rss_model_peak,
	       s->posix_writable_peak);
	printf(", \"wall_s\": %.6f, \"run_id\": %" PRId64
	       ", \"interrupted\": %s}\n",
	       s->wall_s, s->run_id, s->interrupted ? "true" : "false");
}

int cmd_replay(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"policy", required_argument, NULL, 'p'},
		{"layout", required_argument, NULL, 'l'},
		{"genode", required_argument, NULL, 'g'},
		{"db", required_argument, NULL, 'd'},
		{"touch", required_argument, NULL, 't'},
		{"ram", required_argument, NULL, 'R'},
		{"caps", required_argument, NULL, 'C'},
		{"max-map-count", required_argument, NULL, 'M'},
		{"keep-going", no_argument, NULL, 'k'},
		{"json", no_argument, NULL, 'j'},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	struct rp_options o = {.policy = "linux", .touch = RP_TOUCH_AUTO,
			       .layout = "nova-x86_64",
			       .genode_version = "26.02"};
	struct rp_summary s;
	struct pol_spec spec;
	struct sigaction sa;
	const char *dbpath = NULL;
	const char *layout = "nova-x86_64", *genode = "26.02";
	uint64_t ram = 0, caps = 0;
	bool json = false, quiet = false;
	enum db_error dberr;
	char msg[1024];
	int c, status;

	optind = 1;
	while ((c = getopt_long(argc, argv, "p:l:g:d:t:kjqh", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'p':
			o.policy = optarg;
			break;
		case 'l':
			layout = optarg;
			break;
		case 'g':
			genode = optarg;
			break;
		case 'R':
			/* no component starts without RAM: 0 is no quota */
			if (cli_parse_size(optarg, &ram) || !ram)
				return cli_fail(EXIT_USAGE, "replay",
						"--ram takes a size (4G, 512M)");
			break;
		case 'C':
			if (cli_parse_size(optarg, &caps) || !caps)
				return cli_fail(EXIT_USAGE, "replay",
						"--caps takes a number");
			break;
		case 'M':
			if (cli_parse_size(optarg, &o.max_map_count) ||
			    !o.max_map_count)
				return cli_fail(EXIT_USAGE, "replay",
						"--max-map-count takes a "
						"positive number");
			break;
		case 'd':
			if (!*optarg)
				return cli_fail(EXIT_USAGE, "replay",
						"--db takes a file name");
			dbpath = optarg;
			break;
		case 't':
			if (rp_touch_parse(optarg) < 0)
				return cli_fail(EXIT_USAGE, "replay",
						"--touch takes recorded, none, "
						"first or all");
			o.touch = (enum rp_touch)rp_touch_parse(optarg);
			break;
		case 'k':
			o.keep_going = true;
			break;
		case 'j':
			json = true;
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			replay_usage(stdout);
			return EXIT_OK;
		case 'V':
			cli_version();
			return EXIT_OK;
		default:
			replay_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		replay_usage(stderr);
		return EXIT_USAGE;
	}
	o.trace = argv[optind];
	if (rp_touch_resolve(o.trace, o.touch, msg, sizeof(msg)) < 0)
		return cli_fail(EXIT_USAGE, "replay", "%s", msg);
	if (cli_policy_setup(o.policy, &spec, layout, genode, ram, caps, &o,
			     msg, sizeof(msg)))
		return cli_fail(EXIT_USAGE, "replay", "%s", msg);
	if (o.pol && !ram) {
		uint64_t need;

		status = rp_reference_need(o.trace, o.max_map_count, &need,
					   msg, sizeof(msg));
		if (status) {
			fprintf(stderr, "%s%s\n",
				status == EXIT_DATAERR ? "" : "rmsim replay: ",
				msg);
			return status;
		}
		cli_derive_ram(&o, ram, need);
	}
	if (dbpath) {
		o.db = db_open(dbpath, &dberr, msg, sizeof(msg));
		if (!o.db)
			return cli_fail(dberr == DB_ECANTCREATE ? EXIT_CANTCREAT
				       : dberr == DB_ECORRUPT	? EXIT_DATAERR
								: EXIT_IOERR,
					"replay", "%s", msg);
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	o.stop = &stop_signal;
	o.progress = !quiet && !json && isatty(2);
	status = rp_replay(&o, &s);
	if (o.db) {
		enum db_error e = db_close(o.db);

		if (e && !status) {
			fprintf(stderr, "rmsim replay: %s: cannot finish the "
					"database\n", dbpath);
			status = e == DB_ECANTCREATE ? EXIT_CANTCREAT
						     : EXIT_IOERR;
		}
	}
	if (status && status != EXIT_SIGINT && status != EXIT_SIGTERM) {
		fprintf(stderr, "%s%s\n",
			status == EXIT_DATAERR ? "" : "rmsim replay: ", s.error);
		return status;
	}
	/* a warning about the trace is never lost to -q or --json */
	if (s.warning[0] && (json || quiet))
		fprintf(stderr, "rmsim replay: warning: %s\n", s.warning);
	if (json)
		print_json(&o, &s);
	else if (!quiet || s.mismatches || s.findings || status)
		print_text(&o, &s);
	if (status)
		return status;
	return s.mismatches || s.findings ? EXIT_DEVIATIONS : EXIT_OK;
}
