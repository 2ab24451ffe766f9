/*
 * The frozen-writers marker: RUN_DIR/writers names every exec writer and
 * hook told freeze, for as long as it may hold something (an fsfreeze, a
 * lock), with its command. A vss killed in that time leaves it behind, and
 * recovery (writer-recover.c) tells each of them what it would have been
 * told: thaw (a hook) or abort. Coprocesses need none of this: their stdin closes with us. It
 * lives under /run, as the window marker does, because a hook may have
 * frozen the filesystem the state directory is on.
 */
#include "config.h"
#include "owner.h"
#include "trust.h"
#include "writer.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void writer_mark(struct vss_ctx *ctx, const struct writer_seq *seq)
{
	bool any = false;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	for (size_t i = 0; i < seq->n; i++)
		any |= seq->w[i].conf->type == VSS_WRITER_EXEC;
	if (!any)
		return;
	if (vss_run_fd(ctx) < 0 || !(f = open_memstream(&buf, &len))) {
		vss_log(ctx, VSS_LEVEL_WARNING, "%s/writers: %s (a vss killed now would leave writers "
			"frozen)", ctx->run_dir, ctx->run_fd < 0 ? vss_errmsg(ctx) : strerror(ENOMEM));
		return;
	}
	fprintf(f, "%ld %llu %s %s\n", (long)getpid(), set_proc_start(getpid()),
		seq->set[0] ? seq->set : "-", seq->volumes[0] ? seq->volumes : "-");
	for (size_t i = 0; i < seq->n; i++) {
		const struct writer_conf *c = seq->w[i].conf;

		if (c->type != VSS_WRITER_EXEC)
			continue;
		/* Values come from one-line config values: no newline in them. */
		fprintf(f, "W %u %d %s\n", c->timeout_ms, c->hook, c->name);
		for (char **a = c->argv; *a; a++)
			fprintf(f, "A %s\n", *a);
	}
	if (fclose(f) == 0 &&
	    trust_file_replace(ctx, ctx->run_fd, ctx->run_dir, "writers", buf, len, 0600) < 0)
		vss_log(ctx, VSS_LEVEL_WARNING, "%s (a vss killed now would leave writers frozen)",
			vss_errmsg(ctx));
	free(buf);
}

void writer_unmark(struct vss_ctx *ctx)
{
	if (ctx->run_fd >= 0)
		unlinkat(ctx->run_fd, "writers", 0);
}
