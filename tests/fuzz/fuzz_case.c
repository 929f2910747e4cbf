/*
 * fuzz_case.c - libFuzzer target for the case language.
 *
 * Each input is written to a memfd, read with cf_load (the statement
 * parser, expressions, requirements, Genode statements) and, when it is a
 * well-formed case, run with cf_run on the reference model (linux) and on
 * the bare Genode model (none): what
 * `rmsim conform --policy linux --policy none` does with a case file, without the host kernel.  Built and run by
 * scripts/fuzz; not part of the normal build.
 */
#include "target/target.h"
#include "target/tg_genode.h"
#include "rmsim/conform.h"
#include "rmsim/genode.h"
#include "rmsim/layout.h"
#include "rmsim/posix.h"

#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static void run(const struct cf_case *c)
{
	static struct px_config cfg;
	static struct tg_genode_cfg gcfg;
	struct tg_target tl, tg;
	struct cf_backend linux_be, none_be;
	char detail[512];

	memset(&linux_be, 0, sizeof(linux_be));
	tg_linux(&tl);
	px_default_config(&cfg);
	tl.ctx = &cfg;
	linux_be.name = "linux";
	linux_be.target = &tl;
	linux_be.kernel[0] = 6;
	linux_be.kernel[1] = 18;
	(void)cf_run(c, &linux_be, detail, sizeof(detail));

	memset(&none_be, 0, sizeof(none_be));
	memset(&gcfg, 0, sizeof(gcfg));
	gn_default_config(&gcfg.gn);
	gcfg.gn.layout = lay_default();
	tg_genode(&tg, &gcfg);
	none_be.name = "none";
	none_be.target = &tg;
	none_be.genode_version = gn_version_number(gcfg.gn.version);
	none_be.genode = tg_genode_ctx;
	none_be.layout = gcfg.gn.layout->name;
	(void)cf_run(c, &none_be, detail, sizeof(detail));
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	char path[64], msg[512];
	struct cf_case *c;
	bool missing;
	int fd = memfd_create("fuzz.case", MFD_CLOEXEC);

	if (fd < 0)
		return 0;
	if (size && write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	c = cf_load(path, msg, sizeof(msg), &missing);
	if (c) {
		run(c);
		cf_free(c);
	}
	close(fd);
	return 0;
}
