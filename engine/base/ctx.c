/* The engine context: settings, the last error, and who listens. */
#include "config.h"
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
	ctx->state_fd = ctx->run_fd = -1;
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

void vss_ctx_on_free(struct vss_ctx *ctx, enum vss_cleanup_slot slot, vss_cleanup_fn *fn)
{
	ctx->cleanups[slot] = fn;
}

void vss_ctx_free(struct vss_ctx *ctx)
{
	if (!ctx)
		return;
	for (int i = 0; i < VSS_CLEANUP_N; i++)
		if (ctx->cleanups[i])
			ctx->cleanups[i](ctx);
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
