/* A cow shadow's device: the snapshot target over the origin's -real and
 * the shadow's COW, persistent, made read-only and loaded inactive. The
 * same table serves create-set (before its window), activate (after a
 * reboot) and a revert that could not start (the shadow put back). */
#include "config.h"
#include "cow.h"
#include "dm.h"
#include "setrec.h"

#include <stdio.h>

int set_snapshot_load(struct vss_ctx *ctx, const struct shadow_rec *sh, unsigned rmaj,
			 unsigned rmin)
{
	struct vss_dm_target t = { 0 };
	struct vss_dm_info cow;
	char params[128];
	int r;

	if ((r = vss_dm_info(ctx, sh->cow_name, &cow)))
		return r;
	snprintf(params, sizeof(params), "%u:%u %u:%u P %u", rmaj, rmin, cow.major, cow.minor,
		 sh->chunk);
	t.length = sh->origin_sectors;
	t.type = "snapshot";
	t.params = params;
	if ((r = vss_dm_create_empty(ctx, sh->dm_name, sh->dm_uuid)))
		return r;
	return vss_dm_load_ro(ctx, sh->dm_name, &t, 1);
}
