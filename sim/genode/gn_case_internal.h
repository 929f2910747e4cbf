/*
 * gn_case_internal.h - what the two halves of the Genode statements share
 * (gn_case.c reads a statement and evaluates its arguments,
 * gn_case_run.c runs it against the model): the table's types, the
 * statement and the run's handles, the outcome names and the argument
 * evaluation.  Nothing outside these two files includes it.
 */
#ifndef RMSIM_GENODE_CASE_INTERNAL_H
#define RMSIM_GENODE_CASE_INTERNAL_H

#include "gn_case.h"

#include "gn_internal.h"

#define MAX_ARGS 8
#define MAX_ERRORS 4

/* Handles of PDs and RM sessions carry a tag, so that they never pass
 * for a capability id (whose top bits are a small generation). */
#define TAG_MASK 0xff00000000000000ULL
#define TAG_PD 0xfd00000000000000ULL
#define TAG_SESSION 0xf500000000000000ULL
#define MAX_HANDLES 64

enum op {
	OP_RAM_ALLOC, OP_RAM_FREE, OP_ROM, OP_RM_SESSION, OP_RM_CLOSE,
	OP_RM_UPGRADE, OP_RM_CREATE, OP_RM_DESTROY, OP_RM_AVAIL_RAM,
	OP_RM_AVAIL_CAPS, OP_ATTACH, OP_DETACH, OP_DATASPACE,
	OP_FAULT_HANDLER, OP_FAULT, OP_AVAIL_RAM, OP_AVAIL_CAPS, OP_PD_OPEN,
	OP_PD_CLOSE, OP_TRANSFER, OP_PD_UPGRADE, OP_EXEC, OP_BLOCKED,
	OP_ATTACHMENTS,
};

/* argument kinds */
enum kind { K_NUM, K_MAP, K_DS, K_PD, K_SESSION, K_HANDLER };

/* outcome names */
enum err {
	E_NONE, E_OUT_OF_RAM, E_OUT_OF_CAPS, E_REGION_CONFLICT,
	E_INVALID_DATASPACE, E_DENIED, E_INSUFFICIENT_RAM,
	E_INSUFFICIENT_CAPS, E_NERR
};

#define ERR(e) (1u << (e))
#define ALLOC_ERRS (ERR(E_OUT_OF_RAM) | ERR(E_OUT_OF_CAPS) | ERR(E_DENIED))
#define SESSION_ERRS (ERR(E_INSUFFICIENT_RAM) | ERR(E_INSUFFICIENT_CAPS))
#define ATTACH_ERRS                                                         \
	(ERR(E_OUT_OF_RAM) | ERR(E_OUT_OF_CAPS) | ERR(E_REGION_CONFLICT) | \
	 ERR(E_INVALID_DATASPACE))

enum result { R_NONE, R_VALUE, R_FAULT, R_ACCESS };

struct op_spec {
	const char *name;
	enum op op;
	unsigned min, max;		/* positional arguments */
	enum kind pos[3];
	const char *keys[6];		/* key=value arguments */
	enum kind key_kind[6];
	enum result result;
	unsigned errors;		/* which error names may be expected */
};

struct arg {
	int key;		/* index into spec keys, or -1 */
	char *text;
	size_t len;
};

enum expect { X_SUCCESS, X_VALUE, X_ERRORS, X_FAULT, X_SEGV };

struct gn_case_stmt {
	const struct op_spec *spec;
	char *buf;		/* our copy of the arguments and outcome */
	struct arg args[MAX_ARGS];
	unsigned nargs;
	enum expect expect;
	char *expect_text;	/* X_VALUE, X_FAULT: the expression */
	size_t expect_len;
	unsigned errors;	/* X_ERRORS: accepted names */
	enum gn_fault_type fault_type;
};

struct gn_case_run {
	struct gn_ctx *ctx;
	struct gn_pd *pds[MAX_HANDLES];		/* [0] is env */
	struct gn_rm_connection *sessions[MAX_HANDLES];
	unsigned npds, nsessions;
	struct gn_rm_connection *implicit;	/* for rm_create */
};

/* The outcome names of enum err, as a case writes them. */
extern const char *const gn_case_err_names[E_NERR];

/* An expression of the case language: 0, or -1 with *@why set. */
int gn_case_eval_num(const char *s, size_t len, const struct tr_expr_env *env,
		     uint64_t *v, const char **why);
/* Argument @a of kind @k into *@out (a number, a map, a dataspace, a PD,
 * a session or a handler): 0, or -1 with *@why set. */
int gn_case_eval_arg(struct gn_case_run *r, enum kind k, const struct arg *a,
		     const struct tr_expr_env *env, void *out,
		     const char **why);

#endif
