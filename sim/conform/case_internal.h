/*
 * case_internal.h - the parsed form of a case, shared by the reader
 * (case.c) and the runner (run.c).  Statements keep their text: the
 * arguments are evaluated when the case runs, against that backend's
 * bindings, by the same parser that reads traces.
 */
#ifndef RMSIM_CONFORM_CASE_INTERNAL_H
#define RMSIM_CONFORM_CASE_INTERNAL_H

#include "rmsim/conform.h"
#include "rmsim/trace.h"

struct gn_case_stmt;

#include <stdint.h>

#define CF_MAX_VARS 64
#define CF_MAX_ERRNOS 4

enum cf_kind { CF_CALL, CF_LOAD, CF_STORE, CF_PROT, CF_GENODE };

enum cf_expect {
	CF_EXP_SUCCESS,		/* nothing given: the call must succeed */
	CF_EXP_VALUE,		/* "= EXPR" */
	CF_EXP_ERRNO,		/* "= -1 EINVAL|ENOMEM" */
	CF_EXP_SEGV,		/* "= SEGV" (load, store) */
	CF_EXP_PROT,		/* "= rw-" or "= unmapped" (prot) */
};

struct cf_stmt {
	unsigned line;
	enum cf_kind kind;
	enum tr_call call;	/* CF_CALL */
	char *text;		/* the statement, without "$x =" */
	char *args;		/* text after "name(" */
	int bind;		/* variable index, or -1 */
	enum cf_expect expect;
	char *expect_text;	/* CF_EXP_VALUE: the expression */
	int errnos[CF_MAX_ERRNOS];
	int nerrnos;
	int prot;		/* CF_EXP_PROT: PROT_* bits, -1 unmapped */
	struct gn_case_stmt *gn;	/* CF_GENODE: genode/gn_case.h */
};

enum cf_req_kind { CF_REQ_LINUX, CF_REQ_ROOT, CF_REQ_NONROOT,
		   CF_REQ_BACKEND, CF_REQ_GENODE, CF_REQ_LAYOUT };

struct cf_req {
	enum cf_req_kind kind;
	int op;			/* '>', 'g' (>=), '=', 'l' (<=), '<' */
	int version[3];
	char backend[32];
	char text[64];
};

struct cf_case {
	char *path, *name, *title, *refs;
	struct cf_stmt *stmts;
	unsigned nstmts;
	struct cf_req *reqs;
	unsigned nreqs;
	char vars[CF_MAX_VARS][32];
	unsigned nvars;
	bool genode;		/* has Genode statements */
};

/* Parse "rw-" style triples; -1 when malformed. */
int cf_parse_prot(const char *s, size_t len);

#endif
