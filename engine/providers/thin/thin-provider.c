/*
 * The thin provider: a dm-thin snapshot in the pool of a thin volume vss
 * made (thin.c). Nothing is prepared: in the window the pool is told to
 * take the snapshot; its device is made after.
 */
#include "config.h"
#include "blockdev.h"
#include "origin.h"
#include "provider.h"
#include "setrec.h"
#include "thin.h"
#include "volume-rec.h"

#include <errno.h>
#include <stdio.h>

static int thin_check(struct vss_ctx *ctx, const char *volume, uint64_t size,
		      const struct vss_create_opts *o, bool asked)
{
	(void)size;
	(void)o;
	if (volume_is_thin(ctx, volume))
		return 0;
	return asked ? vss_fail(ctx, EINVAL, "%s: not a thin volume of a vss pool (the thin "
				"provider needs one: vss volume import --thin)", volume)
		     : -ENOENT;
}

static int thin_plan_op(struct vss_ctx *ctx, struct shadow_rec *sh, const struct plan_input *in)
{
	(void)in;
	return thin_plan(ctx, sh->volume, sh);
}

static int thin_in_window(struct vss_ctx *ctx, struct shadow_rec *sh, uint32_t *cookie)
{
	(void)cookie;
	return thin_snap(ctx, sh);
}

/* After the volumes: a thin shadow needs its pool, which is made with them. */
static int thin_activate(struct vss_ctx *ctx, const struct shadow_rec *sh, unsigned rmaj,
			 unsigned rmin, bool *made)
{
	(void)rmaj;
	(void)rmin;
	return thin_shadow_make(ctx, sh, made);
}

static int thin_after_window(struct vss_ctx *ctx, struct shadow_rec *sh)
{
	bool made;

	return thin_shadow_make(ctx, sh, &made);
}

/* A thin volume with cow shadows too: its -real is what would move. */
static int thin_revert_check(struct vss_ctx *ctx, const struct set_rec *rec, size_t i)
{
	const struct shadow_rec *sh = &rec->sh[i];

	if (origin_layered(ctx, sh->volume))
		return vss_fail(ctx, EBUSY, "%s: has cow shadows too; delete them before a thin revert",
				sh->volume);
	return 0;
}

/* Scheduled, or a swap cut short: once the volume is free. */
static int thin_revert_recover(struct vss_ctx *ctx, struct set_rec *rec, size_t i, bool *finished,
			       int *fixed)
{
	char why[4200];
	int r;

	*finished = false;
	if ((r = volume_busy(ctx, rec->sh[i].volume, 0, why, sizeof(why))) || why[0])
		return r;
	if ((r = thin_swap(ctx, rec, i)))
		return r;
	*finished = true;
	(*fixed)++;
	return 0;
}

static void thin_describe(const struct shadow_rec *sh, char *buf, size_t len)
{
	snprintf(buf, len, "thin snapshot %u in pool %s", sh->thin_id, sh->pool);
}

static bool thin_complete(const struct shadow_rec *sh)
{
	return sh->pool[0] && sh->thin_id;
}

const struct provider thin_provider = {
	.name = "thin",
	.layers_origin = false,
	.complete = thin_complete,
	.check = thin_check,
	.plan = thin_plan_op,
	.in_window = thin_in_window,
	.after_window = thin_after_window,
	.describe = thin_describe,
	.activate = thin_activate,
	.state = thin_state,
	.release = thin_release,
	.revert_check = thin_revert_check,
	.revert_at_once = true,
	.revert_start = thin_swap,
	.revert_recover = thin_revert_recover,
};
