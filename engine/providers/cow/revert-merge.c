/*
 * A cow revert's mechanism (what revert.c decides is told there): the merge
 * of a shadow into its volume started, watched and finished, and taken up
 * by recovery where its record says it is after a kill or a reboot.
 */
#include "config.h"
#include "blockdev.h"
#include "cow.h"
#include "dm.h"
#include "origin.h"
#include "setrec.h"
#include "window.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Whether VOLUME is merging SH now, and how far: *LEFT sectors still to go.
 * 0 merging; 1 not merging SH; -errno. */
int revert_merge_status(struct vss_ctx *ctx, const struct shadow_rec *sh, uint64_t *left)
{
	struct vss_dm_table tab = { 0 }, st = { 0 };
	struct vss_dm_info info, cow;
	uint64_t alloc, total, meta;
	char want[40];
	int r;

	if ((r = vss_dm_info(ctx, sh->volume, &info)) || !info.exists)
		return r ? r : 1;
	if ((r = vss_dm_info(ctx, sh->cow_name, &cow)) || !cow.exists)
		return r ? r : 1;
	if ((r = vss_dm_table(ctx, sh->volume, &tab)))
		return r;
	snprintf(want, sizeof(want), " %u:%u ", cow.major, cow.minor);
	r = tab.n == 1 && !strcmp(tab.t[0].type, "snapshot-merge") && strstr(tab.t[0].params, want) ?
		    0 : 1;
	vss_dm_table_free(&tab);
	if (r)
		return 1;
	if ((r = vss_dm_status(ctx, sh->volume, &st)))
		return r;
	if (st.n != 1 || sscanf(st.t[0].params, "%" SCNu64 "/%" SCNu64 " %" SCNu64, &alloc, &total,
				&meta) != 3)
		r = vss_fail(ctx, EIO, "%s: its merge failed (the kernel reports '%s')", sh->volume,
			     st.n ? st.t[0].params : "nothing");
	else
		*left = alloc > meta ? alloc - meta : 0;
	vss_dm_table_free(&st);
	return r;
}

/* Starts the merge of REC's shadow I into its volume, which nothing holds. */
int revert_merge_start(struct vss_ctx *ctx, struct set_rec *rec, size_t i)
{
	struct shadow_rec *sh = &rec->sh[i];
	struct vss_dm_info info, real, snap;
	struct vss_dm_target t;
	char params[128], realname[160];
	char *names[1] = { sh->volume }, *uuids[1];
	sigset_t old;
	int r, r2;

	if ((r = vss_dm_info(ctx, sh->volume, &info)))
		return r;
	uuids[0] = info.uuid;
	origin_real_name(sh->volume, realname, sizeof(realname));
	if ((r = vss_dm_info(ctx, realname, &real)) || (r = vss_dm_info(ctx, sh->dm_name, &snap)))
		return r;
	/* The record first: whoever finds the volume merging finds why. */
	if (sh->merge != MERGE_MERGING) {
		sh->merge = MERGE_MERGING;
		if ((r = set_rec_save(ctx, "sets", rec)))
			return r;
	}
	if ((r = origin_table(ctx, sh->volume, sh->origin_sectors, sh, &t, params, sizeof(params))))
		return r;
	vss_interrupts_hold(&old);
	if ((r = window_mark(ctx, names, uuids, 1)))
		goto out;
	/* Suspended, nothing reaches the volume while its shadow's device
	 * goes (the merge reads the same store) and the merge takes over. */
	if ((r = vss_dm_suspend(ctx, sh->volume, VSS_DM_NO_LOCKFS))) {
		window_clear(ctx);
		goto out;
	}
	/* (Gone already when a start cut short is taken up.) */
	if ((r = snap.exists ? vss_dm_remove(ctx, sh->dm_name) : 0) == 0 &&
	    (r = vss_dm_load(ctx, sh->volume, &t, 1)))
		/* The shadow again, as it was: its store is untouched. */
		if (set_snapshot_load(ctx, sh, real.major, real.minor) == 0)
			(void)vss_dm_resume(ctx, sh->dm_name);
	if ((r2 = vss_dm_resume(ctx, sh->volume)) == 0)
		window_clear(ctx);
	r = r ? r : r2;
out:
	vss_interrupts_release(&old);
	if (r) {
		char msg[sizeof(ctx->errmsg)];

		snprintf(msg, sizeof(msg), "%s", ctx->errmsg);
		sh->merge = MERGE_NONE;
		(void)set_rec_save(ctx, "sets", rec);
		snprintf(ctx->errmsg, sizeof(ctx->errmsg), "%.100s: its revert could not start: %.800s",
			 sh->volume, msg);
	}
	return r;
}

/* The merge of REC's shadow I is over: the volume back on its usual table,
 * the shadow's COW released, the shadow out of its set (the set gone when
 * it was the last). Each step looks first: it finishes a finish cut short. */
static int merge_finish(struct vss_ctx *ctx, struct set_rec *rec, size_t i)
{
	struct shadow_rec sh = rec->sh[i];
	int r, others;

	if (rec->sh[i].merge != MERGE_DONE) {
		rec->sh[i].merge = MERGE_DONE;
		if ((r = set_rec_save(ctx, "sets", rec)))
			return r;
	}
	if ((others = set_volume_in_use(ctx, sh.volume, rec->id)) < 0)
		return others;
	if ((r = origin_merge_end(ctx, sh.volume, sh.origin_sectors, others > 0)) ||
	    (r = storage_release(ctx, &sh)))
		return r;
	memmove(&rec->sh[i], &rec->sh[i + 1], (rec->n - i - 1) * sizeof(rec->sh[0]));
	rec->n--;
	if ((r = rec->n ? set_rec_save(ctx, "sets", rec) : set_rec_unlink(ctx, "sets", rec->id)))
		return r;
	vss_step(ctx, "%s: reverted to set %.8s%s", sh.volume, rec->id,
		 rec->n ? "" : " (its last shadow: the set is gone)");
	return 0;
}

int revert_merge_recover(struct vss_ctx *ctx, struct set_rec *rec, size_t i, bool *finished,
			 int *fixed)
{
	struct shadow_rec *sh = &rec->sh[i];
	char why[4200];
	uint64_t left;
	int m, r;

	*finished = false;
	if (sh->merge != MERGE_DONE) {
		if ((m = revert_merge_status(ctx, sh, &left)) < 0)
			return m;
		/* Merging still; or not there yet (a reboot: activate takes it up). */
		if ((m == 0 && left) || (m == 1 && !origin_layered(ctx, sh->volume)))
			return 0;
		if (m == 1) {
			/* Scheduled, its volume free now; or a start cut short. */
			if ((r = volume_busy(ctx, sh->volume, 0, why, sizeof(why))) || why[0])
				return r;
			if ((r = revert_merge_start(ctx, rec, i)))
				return r;
			vss_step(ctx, "%s: its revert to set %.8s started", sh->volume, rec->id);
			(*fixed)++;
			return 0;
		}
	}
	if ((r = merge_finish(ctx, rec, i)))
		return r;
	*finished = true;
	(*fixed)++;
	return 0;
}
