/* The engine context: settings, the last error, and who listens. */
#include "config.h"
#include "dm.h"
#include "event-pub.h"
#include "writer.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int copy_path(char *dst, size_t len, const char *src)
{
	int n = snprintf(dst, len, "%s", src);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int vss_ctx_new(struct vss_ctx **ctxp, const struct vss_options *opts)
{
	struct vss_ctx *ctx = calloc(1, sizeof(*ctx));

	if (!ctx)
		return -ENOMEM;
	ctx->lock_fd = -1;
	ctx->pub_fd = -1;
	ctx->lock_timeout_ms = VSS_DEFAULT_LOCK_TIMEOUT_MS;
	if (copy_path(ctx->state_dir, sizeof(ctx->state_dir),
		      opts && opts->state_dir ? opts->state_dir : VSS_STATE_DIR) ||
	    copy_path(ctx->run_dir, sizeof(ctx->run_dir),
		      opts && opts->run_dir ? opts->run_dir : VSS_RUN_DIR)) {
		free(ctx);
		return -ENAMETOOLONG;
	}
	ctx->freeze_timeout_ms = VSS_DEFAULT_FREEZE_TIMEOUT_MS;
	if (opts)
		ctx->lock_timeout_ms = opts->lock_timeout_ms;
	if (opts && opts->freeze_timeout_ms)
		ctx->freeze_timeout_ms = opts->freeze_timeout_ms;
	{
		static const struct vss_policy defaults = VSS_POLICY_DEFAULTS;

		ctx->policy = opts && opts->policy ? *opts->policy : defaults;
	}
	*ctxp = ctx;
	return 0;
}

void vss_ctx_free(struct vss_ctx *ctx)
{
	if (!ctx)
		return;
	/* A face that never said the backup ended: its writers' processes
	 * end with us, told nothing more (as after a crash). */
	while (ctx->backups) {
		struct writer_seq *next = ctx->backups->next;

		writer_seq_end(ctx, ctx->backups);
		ctx->backups = next;
	}
	if (ctx->writers) {
		writer_confs_free(ctx->writers);
		free(ctx->writers);
	}
	while (ctx->lock_depth > 0)
		vss_unlock(ctx);
	vss_dm_forget(ctx);
	event_pub_close(ctx);
	free(ctx);
}

const char *vss_errmsg(const struct vss_ctx *ctx)
{
	return ctx->errmsg;
}

const char *vss_state_dir(const struct vss_ctx *ctx)
{
	return ctx->state_dir;
}

enum vss_error_kind vss_errkind(const struct vss_ctx *ctx)
{
	return ctx->errkind;
}

__attribute__((format(printf, 4, 0)))
static int vfail(struct vss_ctx *ctx, enum vss_error_kind kind, int err, const char *fmt,
		 va_list ap)
{
	char msg[sizeof(ctx->errmsg)];

	/* Through a copy: the new message may quote the old one. */
	vsnprintf(msg, sizeof(msg), fmt, ap);
	memcpy(ctx->errmsg, msg, sizeof(msg));
	ctx->errkind = kind;
	vss_log(ctx, VSS_LEVEL_DEBUG, "failed: %s", ctx->errmsg);
	return err > 0 ? -err : err;
}

int vss_fail(struct vss_ctx *ctx, int err, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vfail(ctx, VSS_ERR_FAILED, err, fmt, ap);
	va_end(ap);
	return r;
}

int vss_fail_kind(struct vss_ctx *ctx, enum vss_error_kind kind, int err, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vfail(ctx, kind, err, fmt, ap);
	va_end(ap);
	return r;
}

/* Makes DIR as mkdir -p would: missing parents 0755, as /var/lib is, and
 * DIR itself 0700, since its records name devices and writers' commands. */
static int make_state_dir(struct vss_ctx *ctx, const char *dir)
{
	char path[sizeof(ctx->state_dir)];
	char *p;

	snprintf(path, sizeof(path), "%s", dir);
	for (p = path + 1; *p; p++) {
		if (*p != '/' || !p[1])  /* a trailing slash: DIR itself, made below */
			continue;
		*p = '\0';
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			return vss_fail(ctx, errno, "state directory %s: cannot create %s: %s",
					dir, path, strerror(errno));
		*p = '/';
	}
	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		return vss_fail(ctx, errno, "state directory %s: cannot create: %s",
				dir, strerror(errno));
	return 0;
}

int vss_state_check(struct vss_ctx *ctx)
{
	struct stat st;
	int r;

	if (stat(ctx->state_dir, &st) < 0 && errno == ENOENT) {
		if ((r = make_state_dir(ctx, ctx->state_dir)))
			return r;
	}
	if (stat(ctx->state_dir, &st) < 0)
		return vss_fail(ctx, errno, "state directory %s: %s",
				ctx->state_dir, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return vss_fail(ctx, ENOTDIR, "state directory %s: not a directory",
				ctx->state_dir);
	if (access(ctx->state_dir, W_OK | X_OK) < 0)
		return vss_fail(ctx, errno, "state directory %s: %s",
				ctx->state_dir, strerror(errno));
	return 0;
}
