/*
 * One mutating command at a time: an flock on RUN_DIR/lock. The holder writes
 * its pid into the file so a waiter that gives up can say who holds it.
 * The kernel drops the lock when the holder dies, however it dies.
 */
#include "config.h"
#include "internal.h"
#include "trust.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static long holder_pid(int fd)
{
	char buf[32];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	long pid;

	if (n <= 0)
		return 0;
	buf[n] = '\0';
	pid = strtol(buf, NULL, 10);
	return pid > 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM) ? pid : 0;
}

/* The context goes: whatever depth it held the lock to. */
static void unlock_all(struct vss_ctx *ctx)
{
	while (ctx->lock_depth > 0)
		vss_unlock(ctx);
}

int vss_lock(struct vss_ctx *ctx)
{
	char path[4200], pid[32];
	struct timespec nap = { 0, 50 * 1000 * 1000 }, start, now;
	unsigned waited = 0;
	int fd, n, r;

	if (ctx->lock_depth++ > 0)
		return 0;
	/* The lock file is written (our pid): through a link planted in its
	 * place it would write elsewhere, so it is opened as trust.c says. */
	snprintf(path, sizeof(path), "%s/lock", ctx->run_dir);
	if ((r = vss_run_fd(ctx)) < 0 ||
	    (r = trust_file_open(ctx, ctx->run_fd, ctx->run_dir, "lock", O_RDWR | O_CREAT, 0600,
				 &fd)) < 0) {
		ctx->lock_depth--;
		return r;
	}
	clock_gettime(CLOCK_MONOTONIC, &start);
	while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK && errno != EINTR) {
			int err = errno;

			close(fd);
			ctx->lock_depth--;
			return vss_fail(ctx, err, "%s: %s", path, strerror(err));
		}
		if (waited == 0)
			vss_log(ctx, VSS_LEVEL_INFO, "waiting for the lock %s", path);
		if (vss_interrupted()) {
			close(fd);
			ctx->lock_depth--;
			return vss_check_interrupt(ctx);
		}
		if (waited >= ctx->lock_timeout_ms) {
			long holder = holder_pid(fd);

			close(fd);
			ctx->lock_depth--;
			if (holder)
				return vss_fail_kind(ctx, VSS_ERR_LOCKED, EWOULDBLOCK,
						"another vss (pid %ld) holds the lock %s; gave up after %.1f s",
						holder, path, ctx->lock_timeout_ms / 1000.0);
			return vss_fail_kind(ctx, VSS_ERR_LOCKED, EWOULDBLOCK,
					"another process holds the lock %s; gave up after %.1f s",
					path, ctx->lock_timeout_ms / 1000.0);
		}
		nanosleep(&nap, NULL);
		/* Wall time, not naps counted: a loaded machine oversleeps. */
		clock_gettime(CLOCK_MONOTONIC, &now);
		waited = (unsigned)((now.tv_sec - start.tv_sec) * 1000 +
				    (now.tv_nsec - start.tv_nsec) / 1000000);
	}
	n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) < 0 || pwrite(fd, pid, (size_t)n, 0) != n)
		vss_log(ctx, VSS_LEVEL_WARNING, "%s: cannot record our pid: %s", path,
			strerror(errno));
	ctx->lock_fd = fd;
	vss_ctx_on_free(ctx, VSS_CLEANUP_LOCK, unlock_all);
	return 0;
}

void vss_unlock(struct vss_ctx *ctx)
{
	if (ctx->lock_depth == 0 || --ctx->lock_depth > 0)
		return;
	/* Emptied first so a waiter never reads our pid after we let go. */
	if (ftruncate(ctx->lock_fd, 0) < 0)
		vss_log(ctx, VSS_LEVEL_DEBUG, "cannot empty the lock file: %s", strerror(errno));
	close(ctx->lock_fd);
	ctx->lock_fd = -1;
}
