/*
 * rmsim/conform.h - conformance cases (prefix cf_).
 *
 * A case is one small file in the case language (tests/cases/README.md):
 * strace's call syntax with $bindings, expressions and expected results,
 * plus load/store/prot statements that probe the address space.  Cases
 * are read once, checked for form (a malformed case is FILE:LINE: what is
 * wrong), then run on any backend: each backend gets a fresh address
 * space and its own variable bindings, since every backend places
 * mappings where it likes.
 */
#ifndef RMSIM_CONFORM_H
#define RMSIM_CONFORM_H

#include <stdbool.h>
#include <stddef.h>

struct cf_case;
struct tg_target;
struct gn_ctx;

/*
 * cf_load - read and check the case in @path.  NULL on failure with the
 * message ("FILE:LINE: what is wrong", or "FILE: cannot read") in @msg
 * and *@missing set when the file could not be read at all.
 */
struct cf_case *cf_load(const char *path, char *msg, size_t size,
			bool *missing);
void cf_free(struct cf_case *c);

const char *cf_name(const struct cf_case *c);	/* the file stem */
const char *cf_title(const struct cf_case *c);	/* "# case:" text */
const char *cf_path(const struct cf_case *c);

enum cf_verdict { CF_PASS, CF_FAIL, CF_UNSUPPORTED, CF_ERROR };

const char *cf_verdict_name(enum cf_verdict v);

/* What a backend offers, for `# requires:`. */
struct cf_backend {
	const char *name;		/* "linux", "native", ... */
	const struct tg_target *target;
	int kernel[3];			/* Linux version it behaves as */
	bool root;			/* privileged (CAP_IPC_LOCK) */
	/* Genode backends: the version (2602 for 26.02) and the model
	 * under a space, for Genode statements; 0 and NULL elsewhere */
	int genode_version;
	struct gn_ctx *(*genode)(void *space);
	const char *layout;		/* Genode layout name */
};

/*
 * cf_run - run case @c on @b.  Returns the verdict; @detail says why for
 * anything but a pass (the first failing line, expected and actual, or
 * the requirement not met).
 */
enum cf_verdict cf_run(const struct cf_case *c, const struct cf_backend *b,
		       char *detail, size_t size);

#endif
