/*
 * rmsim/policy.h - the reservation-policy interface (prefix pol_).
 *
 * A policy is how a Genode libc implements mmap and its family on top of
 * Genode's memory API: a struct of function pointers, one per call, each
 * returning 0 or -errno exactly as the syscall strace recorded (values
 * through out-parameters), and a fault handler for the region maps it
 * manages.  A policy sees the call's arguments and the Genode API
 * (rmsim/genode.h) only: never the Linux reference model, never the
 * trace.  That is what makes it portable: every gn_ call maps to one
 * Genode call (docs/porting.md), so a policy that wins here is ported
 * into Genode's libc mechanically.
 *
 * Built-in policies live in sim/policy/, one file each.  An out-of-tree
 * policy is a shared object exporting
 *     const struct pol_policy rmsim_policy = { .abi = POL_ABI, ... };
 * built against the installed headers (pkg-config rmsim) and loaded with
 * `--policy ./libmine.so[:params]`.
 */
#ifndef RMSIM_POLICY_H
#define RMSIM_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#include "rmsim/genode.h"

/* Bumped whenever struct pol_policy or struct pol_env changes.  ABI 2
 * added the parameter table at the end; ABI 1 objects still load (their
 * parameters are passed through unchecked). */
#define POL_ABI 2

/* What a policy gets at start: the component it runs in. */
struct pol_env {
	struct gn_ctx *gn;		/* the Genode model: gn_env_pd(gn),
					 * gn_env_rm(gn), RM sessions, ... */
	const struct lay_layout *layout;
	enum gn_version version;
	/* lowest and highest address of the component's address space
	 * that core manages (the layout's VA range) */
	uint64_t va_start, va_end;
};

/*
 * One parameter a policy takes, declared so that a spec is checked
 * before any run (a bad key or value is the user's error, exit 64, never
 * the policy's failure), `rmsim policies` lists it, and a spec has one
 * canonical spelling (pol_spec_parse).
 */
enum pol_param_kind {
	POL_PARAM_SIZE,		/* bytes: 64K, 2M, 0x1000, 4096 */
	POL_PARAM_ADDR,		/* an address: 0x1000000000 */
	POL_PARAM_COUNT,	/* a plain number */
};

#define POL_PARAM_POW2 1u	/* a power of two */
#define POL_PARAM_AUTO 2u	/* no fixed default: init picks one (the
				 * window's base and size) */

struct pol_param {
	const char *key;	/* NULL ends the table */
	enum pol_param_kind kind;
	unsigned flags;		/* POL_PARAM_* */
	uint64_t dflt;		/* the value when the key is absent */
	uint64_t min, max;	/* inclusive */
	uint64_t align;		/* the value is a multiple of it (0: any) */
	const char *help;	/* what it is, a few words */
};

struct pol_policy {
	unsigned abi;			/* POL_ABI */
	const char *name;		/* "window" */
	const char *summary;		/* one line for `rmsim policies` */
	const char *params_help;	/* "base=ADDR,size=SIZE", or NULL */

	/*
	 * init - set the policy up in a fresh component (reserve windows,
	 * open RM sessions, ...).  @params is the text after ':' in
	 * --policy NAME:params (never NULL; "" when none); pol_param_*
	 * read it.  Returns 0 with *@state set, or -EINVAL for bad
	 * parameters, -ENOMEM when the component cannot afford the set-up.
	 */
	int (*init)(const struct pol_env *env, const char *params,
		    void **state);
	void (*fini)(void *state);

	/* The calls, as the kernel takes them.  A NULL entry answers
	 * -ENOSYS, as a libc without the function would. */
	int (*mmap)(void *st, uint64_t addr, uint64_t len, int prot, int flags,
		    int fd, uint64_t off, uint64_t *out);
	int (*munmap)(void *st, uint64_t addr, uint64_t len);
	int (*mprotect)(void *st, uint64_t addr, uint64_t len, int prot);
	int (*madvise)(void *st, uint64_t addr, uint64_t len, int advice);
	int (*mremap)(void *st, uint64_t old_addr, uint64_t old_len,
		      uint64_t new_len, int flags, uint64_t new_addr,
		      uint64_t *out);
	int (*msync)(void *st, uint64_t addr, uint64_t len, int flags);
	int (*brk)(void *st, uint64_t addr, uint64_t *out);
	int (*mlock)(void *st, uint64_t addr, uint64_t len, int flags);
	int (*munlock)(void *st, uint64_t addr, uint64_t len);
	int (*mlockall)(void *st, int flags);
	int (*munlockall)(void *st);
	int (*mincore)(void *st, uint64_t addr, uint64_t len);

	/*
	 * fault - the region-map fault handler (Genode's Signal_handler for
	 * Region_map::fault_handler): called when a thread faulted in @map
	 * and the policy registered itself with pol_fault_handler().  It
	 * reads gn_region_map_fault(map) and resolves by attaching, or
	 * leaves the thread blocked (a crash, for the program).
	 */
	void (*fault)(void *st, gn_rm_cap map);

	/* ABI 2: the parameters, ended by a NULL key (NULL: none). */
	const struct pol_param *params;
};

/* Register @pol's fault op as @map's fault handler (state @st). */
void pol_fault_handler(const struct pol_policy *pol, void *st, gn_rm_cap map);

/* ---- parameters: "key=value,key=value" ---- */

/*
 * pol_param_u64 - the value of @key in @params, with 0x hex, decimal and
 * the size suffixes K/KiB, M/MiB, G/GiB, T/TiB.  Returns 1 when found
 * (value in *@out), 0 when absent (*@out = @dflt), -EINVAL when the
 * value is malformed.
 */
int pol_param_u64(const char *params, const char *key, uint64_t dflt,
		  uint64_t *out);
/* Is every key in @params one of @keys (NULL-terminated)?  0 or -EINVAL
 * with the first unknown key copied to @bad. */
int pol_param_check(const char *params, const char *const *keys, char *bad,
		    size_t size);

/* ---- specs: NAME[:KEY=VALUE[,KEY=VALUE]...] ---- */

/* Room for a spec, its canonical form and its parameters. */
#define POL_SPEC_MAX 512

/*
 * A policy spec as parsed: the policy, and its parameters in canonical
 * form (the policy's key order, values spelt one way, defaults left
 * out), so that two specs name the same run exactly when they mean the
 * same settings.
 */
struct pol_spec {
	const struct pol_policy *pol;	/* NULL for linux, native, none */
	char name[POL_SPEC_MAX];	/* as given: window, ./libx.so */
	char params[POL_SPEC_MAX];	/* canonical, "" when none */
	char canon[POL_SPEC_MAX];	/* the policy's own name[:params]:
					 * the run's name everywhere */
};

/*
 * pol_spec_parse - parse @spec (one policy: NAME[:KEY=VALUE,...]): load
 * the policy (pol_load), check every key against its table (known, given
 * once, value of its kind, in range, aligned) and fill @out.  "linux",
 * "native" and "none" parse with no parameters.  0, or -EINVAL with a
 * message in @err naming the key, the value and what the policy accepts.
 */
int pol_spec_parse(const char *spec, struct pol_spec *out, char *err,
		   size_t errsize);
/* The one spelling of a run's policy: NAME, or NAME:PARAMS. */
void pol_spec_format(char *buf, size_t size, const char *name,
		     const char *params);
/* Parse one value of @p's kind ("64K", "0x1000"); 0 or -EINVAL. */
int pol_param_value(const struct pol_param *p, const char *s, size_t len,
		    uint64_t *out);
/* Is @v acceptable for @p?  0, or -EINVAL with what @p accepts in @err. */
int pol_param_accepts(const struct pol_param *p, uint64_t v, char *err,
		      size_t errsize);
/* @v spelt canonically for @p: sizes with the largest exact suffix. */
void pol_param_print(const struct pol_param *p, uint64_t v, char *buf,
		     size_t size);
/* What @p accepts, in words: "a size, power of two, 4K..1G". */
void pol_param_describe(const struct pol_param *p, char *buf, size_t size);

/* ---- the registry ---- */

/* The built-in policies, in `rmsim policies` order, NULL-terminated:
 * what compare and conform run when no --policy is given. */
const struct pol_policy *const *pol_builtin(void);
/* The Genode C++ ports of built-ins (port/), NULL-terminated: found by
 * name, run only when asked for, since they give their originals'
 * results by construction (a driver test holds them to it). */
const struct pol_policy *const *pol_ported(void);

/*
 * pol_load - find a policy by name ("window", "window:size=1G") or load
 * a shared object ("./libx.so", "/path/libx.so:params").  Returns the
 * policy with *@params pointing into @spec after ':' (or to ""), or NULL
 * with a message in @err.  A loaded object stays loaded.
 */
const struct pol_policy *pol_load(const char *spec, const char **params,
				  char *err, size_t errsize);

/* The built-ins, for tests that call them directly. */
extern const struct pol_policy pol_libc;
extern const struct pol_policy pol_libc_2005;
extern const struct pol_policy pol_go_world;
extern const struct pol_policy pol_window;
extern const struct pol_policy pol_lazy;
extern const struct pol_policy pol_window_genode;
extern const struct pol_policy pol_lazy_genode;

#ifdef __cplusplus
}
#endif

#endif
