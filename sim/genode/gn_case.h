/*
 * gn_case.h - the Genode statements of the case language (DESIGN §3.3),
 * read and run against the bare model.  The conformance module calls
 * these for every statement whose name is a Genode operation; everything
 * else about a case (bindings, load/store/prot, requirements) stays
 * there.
 *
 * Values in a case are 64-bit numbers, so Genode objects are too: a
 * dataspace or region map is its capability id, a PD or RM session a
 * tagged handle; `env`, `stack_area` and `linker_area` name the
 * component's own maps (and `env` its PD).
 */
#ifndef RMSIM_GENODE_CASE_H
#define RMSIM_GENODE_CASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rmsim/genode.h"
#include "rmsim/trace.h"

struct gn_case_stmt;
struct gn_case_run;

/* Is @name (@len bytes) a Genode statement? */
bool gn_case_is_statement(const char *name, size_t len);

/*
 * gn_case_parse - the statement @name with the argument text @args (after
 * "name(", up to and without the closing parenthesis) and the text after
 * it (@rest: empty, or "= expected").  @env resolves variables (all 0
 * while checking).  @bound: the result is bound to a variable.  NULL with
 * *@why set when the statement is malformed.
 */
struct gn_case_stmt *gn_case_parse(const char *name, size_t nlen,
				   const char *args, size_t alen,
				   const char *rest, size_t rlen, bool bound,
				   const struct tr_expr_env *env,
				   const char **why);
void gn_case_stmt_free(struct gn_case_stmt *st);

/* The handles one case run opens in the model @c (which it does not own:
 * the backend's address space does). */
struct gn_case_run *gn_case_run_new(struct gn_ctx *c);
void gn_case_run_free(struct gn_case_run *r);

enum gn_case_verdict { GN_CASE_PASS, GN_CASE_FAIL, GN_CASE_ERROR };

/*
 * gn_case_step - run one statement.  *@val receives the value to bind.
 * On anything but a pass, @got and @want describe what happened and what
 * was expected.
 */
enum gn_case_verdict gn_case_step(struct gn_case_run *r,
				  const struct gn_case_stmt *st,
				  const struct tr_expr_env *env,
				  uint64_t *val, char *got, size_t gsize,
				  char *want, size_t wsize);

#endif
