/*
 * The state and run directories, each opened once a context, after
 * trust.c has checked the way to it. Every file vss keeps is reached from
 * these descriptors, never by its name again.
 */
#include "config.h"
#include "trust.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

static void dirs_close(struct vss_ctx *ctx)
{
	if (ctx->state_fd >= 0)
		close(ctx->state_fd);
	if (ctx->run_fd >= 0)
		close(ctx->run_fd);
	ctx->state_fd = ctx->run_fd = -1;
}

/* The state directory is 0700: its records name devices and writers'
 * commands. The run directory is 0755: a dashboard of another process
 * reads the events published there. */
static int open_state(struct vss_ctx *ctx, mode_t mode)
{
	int r;

	if (ctx->state_fd < 0 &&
	    (r = trust_dir_open(ctx, "state directory", ctx->state_dir, mode, &ctx->state_fd)))
		return r;
	vss_ctx_on_free(ctx, VSS_CLEANUP_DIRS, dirs_close);
	return ctx->state_fd;
}

/* Made only by vss_state_check, before a command uses it: never as a side
 * effect of writing a record. */
int vss_state_fd(struct vss_ctx *ctx)
{
	return open_state(ctx, 0);
}

int vss_run_fd(struct vss_ctx *ctx)
{
	int r;

	if (ctx->run_fd < 0 &&
	    (r = trust_dir_open(ctx, "run directory", ctx->run_dir, 0755, &ctx->run_fd)))
		return r;
	vss_ctx_on_free(ctx, VSS_CLEANUP_DIRS, dirs_close);
	return ctx->run_fd;
}


int vss_state_check(struct vss_ctx *ctx)
{
	int r;

	/* The run directory first: made in /run, where every command that
	 * changes anything makes it anyway, rather than a state directory
	 * made for a command then refused. Only root's commands use it: a
	 * user's (list writers, a dashboard) need not make or reach it. */
	if ((geteuid() == 0 && (r = vss_run_fd(ctx)) < 0) || (r = open_state(ctx, 0700)) < 0)
		return r;
	/* Not root: a directory it may not write is said now, not at the
	 * first record. */
	if (faccessat(ctx->state_fd, ".", W_OK | X_OK, AT_EACCESS) < 0)
		return vss_fail(ctx, errno, "state directory %s: %s", ctx->state_dir, strerror(errno));
	return 0;
}

/* DIR trusted, or, where it is missing, every directory above it trusted
 * as one on the way: a command may make it there. Nothing is made. */
static int probe(struct vss_ctx *ctx, const char *what, const char *dir)
{
	int fd = -1, r;

	if ((r = trust_dir_open(ctx, what, dir, TRUST_PROBE, &fd)) == 0 && fd >= 0)
		close(fd);
	return r;
}

int vss_dirs_probe(struct vss_ctx *ctx)
{
	int r;

	if ((r = probe(ctx, "state directory", ctx->state_dir)) ||
	    (r = probe(ctx, "run directory", ctx->run_dir)))
		return r;
	return 0;
}
