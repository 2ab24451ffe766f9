/* The event stream: the only way the engine tells anyone anything. */
#include "config.h"
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int vss_subscribe(struct vss_ctx *ctx, vss_event_fn *fn, void *data)
{
	if (ctx->nsubs == VSS_MAX_SUBSCRIBERS)
		return -ENOSPC;
	ctx->subs[ctx->nsubs].fn = fn;
	ctx->subs[ctx->nsubs].data = data;
	ctx->nsubs++;
	return 0;
}

static uint64_t elapsed_us(const struct vss_ctx *ctx)
{
	struct timespec now;

	if (!ctx->op)
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t)(now.tv_sec - ctx->op_start.tv_sec) * 1000000u +
	       (uint64_t)((now.tv_nsec - ctx->op_start.tv_nsec) / 1000);
}

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void deliver(struct vss_ctx *ctx, struct vss_event *ev)
{
	if (!ev->at_us)
		ev->at_us = now_us();
	if (ctx->publisher)
		ctx->publisher(ctx, ev);
	for (int i = 0; i < ctx->nsubs; i++)
		ctx->subs[i].fn(ev, ctx->subs[i].data);
}

static void emit_set(struct vss_ctx *ctx, enum vss_event_kind kind, enum vss_level level,
		     const char *text, const char *set)
{
	struct vss_event ev = {
		.kind = kind,
		.level = level,
		.op = ctx->op,
		.text = text,
		.elapsed_us = elapsed_us(ctx),
		.set = set,
	};

	if (ctx->hold_events) {
		struct held_event *h;

		/* The window is a few calls long; past 64 events, debug lines
		 * make room first, and whatever is lost is counted. */
		if (ctx->nheld == (int)(sizeof(ctx->held) / sizeof(ctx->held[0]))) {
			int i = ctx->nheld - 1;

			while (i >= 0 && ctx->held[i].level != VSS_LEVEL_DEBUG)
				i--;
			if (i < 0 && level == VSS_LEVEL_DEBUG) {
				ctx->nlost++;
				return;
			}
			if (i < 0) {
				i = ctx->nheld - 1;
				ctx->lost_loud = true;
			}
			memmove(&ctx->held[i], &ctx->held[i + 1],
				(size_t)(ctx->nheld - i - 1) * sizeof(ctx->held[0]));
			ctx->nheld--;
			ctx->nlost++;
		}
		h = &ctx->held[ctx->nheld++];
		h->kind = kind;
		h->level = level;
		h->elapsed_us = ev.elapsed_us;
		h->at_us = now_us();
		snprintf(h->set, sizeof(h->set), "%s", set ? set : "");
		snprintf(h->text, sizeof(h->text), "%s", text);
		return;
	}
	deliver(ctx, &ev);
}

void vss_events_hold(struct vss_ctx *ctx, bool hold)
{
	ctx->hold_events = hold;
	if (hold)
		return;
	for (int i = 0; i < ctx->nheld; i++) {
		struct held_event *h = &ctx->held[i];
		struct vss_event ev = {
			.kind = h->kind,
			.level = h->level,
			.op = ctx->op,
			.text = h->text,
			.elapsed_us = h->elapsed_us,
			.set = h->set[0] ? h->set : NULL,
			.at_us = h->at_us,
		};

		deliver(ctx, &ev);
	}
	ctx->nheld = 0;
	if (ctx->nlost) {
		int lost = ctx->nlost;
		bool loud = ctx->lost_loud;

		ctx->nlost = 0;
		ctx->lost_loud = false;
		vss_log(ctx, loud ? VSS_LEVEL_WARNING : VSS_LEVEL_DEBUG,
			"%d more messages of the freeze window were dropped", lost);
	}
}


static void emit(struct vss_ctx *ctx, enum vss_event_kind kind, enum vss_level level,
		 const char *text)
{
	emit_set(ctx, kind, level, text, NULL);
}

void vss_writer_event(struct vss_ctx *ctx, const char *set, const char *writer, int state,
		      const char *event, bool busy, enum vss_level level, const char *text)
{
	struct vss_event ev = {
		.kind = VSS_EVENT_WRITER,
		.level = level,
		.op = ctx->op,
		.text = text,
		.elapsed_us = elapsed_us(ctx),
		.set = set,
		.writer = writer,
		.writer_state = state,
		.writer_event = event,
		.writer_busy = busy,
	};

	/* Writers are never told anything inside the window: nothing to hold. */
	deliver(ctx, &ev);
}

void vss_phase(struct vss_ctx *ctx, const char *set, const char *phase)
{
	emit_set(ctx, VSS_EVENT_PHASE, VSS_LEVEL_INFO, phase, set);
}

void vss_vlog(struct vss_ctx *ctx, enum vss_level level, const char *fmt, va_list ap)
{
	char text[1024];

	if (!ctx->nsubs && !(ctx->publisher && ctx->op))
		return;
	vsnprintf(text, sizeof(text), fmt, ap);
	emit(ctx, VSS_EVENT_LOG, level, text);
}

void vss_log(struct vss_ctx *ctx, enum vss_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vss_vlog(ctx, level, fmt, ap);
	va_end(ap);
}

void vss_step(struct vss_ctx *ctx, const char *fmt, ...)
{
	char text[1024];
	va_list ap;

	if (!ctx->nsubs && !(ctx->publisher && ctx->op))
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	emit(ctx, VSS_EVENT_STEP, VSS_LEVEL_INFO, text);
}

void vss_op_begin(struct vss_ctx *ctx, const char *op)
{
	ctx->op = op;
	ctx->errmsg[0] = '\0';
	clock_gettime(CLOCK_MONOTONIC, &ctx->op_start);
}

void vss_op_end(struct vss_ctx *ctx, int r)
{
	if (r < 0)
		emit(ctx, VSS_EVENT_END, VSS_LEVEL_ERROR, ctx->errmsg[0] ? ctx->errmsg : strerror(-r));
	else
		emit(ctx, VSS_EVENT_END, VSS_LEVEL_INFO, "done");
	ctx->op = NULL;
}
