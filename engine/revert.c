/*
 * revert: a volume rolled back to its shadow (DESIGN §1). cow: the origin's
 * table becomes snapshot-merge over -real with the shadow's COW, and the
 * kernel writes every chunk the shadow kept back into the origin, while the
 * origin stays usable (it reads as the shadow from the first moment).
 *
 * What is decided here: the shadow reverted to is consumed (merged, as
 * LVM's is), and leaves its set; a set left without shadows goes. Every
 * other shadow of the volume - the set's own are of other volumes; other
 * sets', older or later - stays what it was: the merge target copies a
 * chunk out to them before it overwrites it, as snapshot-origin does for any
 * write. A volume in use (mounted, open) cannot have its data change under
 * it: its revert is scheduled, and starts once it is no longer in use, by
 * recovery: the next vss command that changes something (each recovers
 * first; listings do not), monitor's next look, or activate (boot). One
 * revert of a volume at a time, and no new set of it until it is over.
 *
 * The record says where a revert is (set.h, MERGE_*), so that recovery and
 * activate take it up after a kill or a reboot: the kernel keeps its
 * progress in the COW itself.
 */
#include "config.h"
#include "blockdev.h"
#include "dm.h"
#include "set.h"
#include "storage.h"
#include "strv.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <time.h>

/* Whether VOLUME is merging SH now, and how far: *LEFT sectors still to go.
 * 0 merging; 1 not merging SH; -errno. */
static int merge_status(struct vss_ctx *ctx, const struct shadow_rec *sh, uint64_t *left)
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
static int merge_start(struct vss_ctx *ctx, struct set_rec *rec, size_t i)
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
	if (strcmp(sh->merge, MERGE_MERGING)) {
		snprintf(sh->merge, sizeof(sh->merge), MERGE_MERGING);
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
		sh->merge[0] = '\0';
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

	if (strcmp(rec->sh[i].merge, MERGE_DONE)) {
		snprintf(rec->sh[i].merge, sizeof(rec->sh[i].merge), MERGE_DONE);
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

/* Whether anything holds VOLUME: a revert must not change data in use. */
static int volume_busy(struct vss_ctx *ctx, const char *volume, char *why, size_t len)
{
	struct vss_dm_info info;
	char where[4096];
	int r;

	why[0] = '\0';
	if ((r = vss_dm_info(ctx, volume, &info)))
		return r;
	if (!info.exists)
		return 0;
	vss_blockdev_mountpoint(makedev(info.major, info.minor), where, sizeof(where));
	if (where[0])
		snprintf(why, len, "mounted on %s", where);
	else if (info.open_count > 0)
		snprintf(why, len, "open %d time%s", info.open_count, info.open_count == 1 ? "" : "s");
	return 0;
}

/* What recovery does for REC's shadow I, if anything: 0 nothing or done
 * (*FINISHED when the shadow left the set), -errno. */
static int revert_step(struct vss_ctx *ctx, struct set_rec *rec, size_t i, bool *finished,
		       int *fixed)
{
	struct shadow_rec *sh = &rec->sh[i];
	char why[4200];
	uint64_t left;
	int m, r;

	*finished = false;
	if (shadow_is_thin(sh)) {
		/* Scheduled, or a swap cut short: once the volume is free. */
		if ((r = volume_busy(ctx, sh->volume, why, sizeof(why))) || why[0])
			return r;
		if ((r = thin_swap(ctx, rec, i)))
			return r;
		*finished = true;
		(*fixed)++;
		return 0;
	}
	if (strcmp(sh->merge, MERGE_DONE)) {
		if ((m = merge_status(ctx, sh, &left)) < 0)
			return m;
		/* Merging still; or not there yet (a reboot: activate takes it up). */
		if ((m == 0 && left) || (m == 1 && !origin_layered(ctx, sh->volume)))
			return 0;
		if (m == 1) {
			/* Scheduled, its volume free now; or a start cut short. */
			if ((r = volume_busy(ctx, sh->volume, why, sizeof(why))) || why[0])
				return r;
			if ((r = merge_start(ctx, rec, i)))
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

int revert_recover(struct vss_ctx *ctx, int *fixed)
{
	struct set_rec *recs;
	size_t n;
	int r;

	if ((r = set_rec_list_strict(ctx, "sets", &recs, &n)))
		return r;
	for (size_t i = 0; i < n && !r; i++) {
		size_t j = 0;

		while (j < recs[i].n && !r) {
			bool finished = false;

			/* A revert that cannot go on (someone else's suspend or
			 * hold, a failed merge) holds up only itself, not every
			 * command: each one tries again, and says why. */
			if (recs[i].sh[j].merge[0] &&
			    revert_step(ctx, &recs[i], j, &finished, fixed) < 0)
				vss_log(ctx, VSS_LEVEL_WARNING, "set %.8s, revert of %s: %s (tried "
					"again by the next command)", recs[i].id, recs[i].sh[j].volume,
					vss_errmsg(ctx));
			/* A finished shadow left the set: the next one moved into its place. */
			if (!finished)
				j++;
		}
	}
	set_recs_free(recs, n);
	return r;
}

/* Everything that must hold before SH of REC may be reverted. */
static int revert_checks(struct vss_ctx *ctx, const struct set_rec *rec, size_t i,
			 const struct set_rec *recs, size_t n)
{
	const struct shadow_rec *sh = &rec->sh[i];
	struct vss_set view;
	struct vss_dm_info info;
	int r;

	if (sh->merge[0])
		return vss_fail(ctx, EBUSY, "%.8s/%s: its revert is already %s", rec->id, sh->volume,
				!strcmp(sh->merge, MERGE_SCHEDULED) ? "scheduled" : "under way");
	for (size_t k = 0; k < n; k++)
		for (size_t j = 0; j < recs[k].n; j++)
			if (recs[k].sh[j].merge[0] && !strcmp(recs[k].sh[j].volume, sh->volume))
				return vss_fail(ctx, EBUSY, "%s: a revert to set %.8s is %s; one at a "
						"time", sh->volume, recs[k].id,
						!strcmp(recs[k].sh[j].merge, MERGE_SCHEDULED) ?
						"scheduled" : "under way");
	/* A thin volume with cow shadows too: its -real is what would move. */
	if (shadow_is_thin(sh) && origin_layered(ctx, sh->volume))
		return vss_fail(ctx, EBUSY, "%s: has cow shadows too; delete them before a thin revert",
				sh->volume);
	if ((r = set_fill(ctx, rec, &view)))
		return r;
	if (view.shadows[i].state != VSS_SHADOW_VALID)
		r = vss_fail(ctx, EINVAL, "%.8s/%s: %s (%s); there is nothing to revert to", rec->id,
			     sh->volume, vss_shadow_state_name(view.shadows[i].state),
			     view.shadows[i].why);
	free(view.shadows);
	if (r)
		return r;
	if ((r = vss_dm_info(ctx, sh->dm_name, &info)))
		return r;
	if (info.open_count > 0)
		return vss_fail(ctx, EBUSY, "/dev/mapper/%s: %s; unexpose it (or close it) first",
				sh->dm_name, sh->exposed[0] ? "exposed" : "in use");
	if ((r = vss_dm_info(ctx, sh->volume, &info)))
		return r;
	if (info.suspended)
		return vss_fail(ctx, EBUSY, "%s: is suspended; resume it first", sh->volume);
	return 0;
}

/* Which of REC's shadows VOLUMES names (all when there are none). */
static int choose(struct vss_ctx *ctx, const struct set_rec *rec, char *const *volumes,
		  size_t nvol, bool *chosen)
{
	for (size_t i = 0; i < rec->n; i++)
		chosen[i] = nvol == 0;
	for (size_t v = 0; v < nvol; v++) {
		const char *name = volumes[v];
		bool found = false;

		if (!strncmp(name, "/dev/mapper/", 12))
			name += 12;
		for (size_t i = 0; i < rec->n && !found; i++) {
			if (strcmp(rec->sh[i].volume, name))
				continue;
			if (chosen[i])
				return vss_fail_kind(ctx, VSS_ERR_USAGE, EINVAL, "%s: named twice",
						     volumes[v]);
			chosen[i] = found = true;
		}
		if (!found) {
			char list[512] = "";
			size_t used = 0;

			for (size_t i = 0; i < rec->n && used < sizeof(list); i++)
				used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%s",
							 i ? ", " : "", rec->sh[i].volume);
			return vss_fail(ctx, ENOENT, "%s: not in set %.8s (its volumes: %s)",
					volumes[v], rec->id, list);
		}
	}
	return 0;
}

/* Waits for the merges of STARTED (volume names) to end, telling how far
 * they are; an interrupt stops the waiting, never a merge. */
static int wait_merges(struct vss_ctx *ctx, const struct set_rec *rec, const bool *started)
{
	uint64_t *first = calloc(rec->n, sizeof(*first));
	struct timespec tick = { 0, 200 * 1000 * 1000 };
	time_t said = 0;
	int r = 0;

	if (!first)
		return vss_fail(ctx, ENOMEM, "out of memory");
	for (;;) {
		bool all = true, tell = time(NULL) != said;

		for (size_t i = 0; i < rec->n && !r; i++) {
			uint64_t left = 0;
			int m;

			if (!started[i])
				continue;
			if ((m = merge_status(ctx, &rec->sh[i], &left)) < 0)
				r = m;
			else if (m == 0 && left) {
				all = false;
				if (!first[i])
					first[i] = left;
				if (tell)
					vss_phase(ctx, rec->id, "merging");
				if (tell)
					vss_log(ctx, VSS_LEVEL_INFO, "%s: merging, %.0f%% done",
						rec->sh[i].volume,
						100.0 * (double)(first[i] - left) / (double)first[i]);
			}
		}
		if (tell)
			said = time(NULL);
		if (r || all)
			break;
		if (vss_check_interrupt(ctx)) {
			r = vss_fail(ctx, EINTR, "interrupted: the merge goes on in the kernel (the "
				     "volumes read as their shadows already); the next vss command "
				     "that changes something finishes it once it is done");
			break;
		}
		nanosleep(&tick, NULL);
	}
	free(first);
	return r;
}

/* Fails naming the first of STARTED (shadows of OLD, the set ID as it was)
 * whose revert recovery could not finish (its warning says why). */
static int unfinished(struct vss_ctx *ctx, const char *id, const struct set_rec *old,
		      const bool *started)
{
	struct set_rec now;
	int r;

	if ((r = set_rec_load(ctx, "sets", id, &now)) == -ENOENT)
		return 0;
	if (r)
		return r;
	for (size_t i = 0; i < old->n && !r; i++)
		for (size_t j = 0; j < now.n && !r && started[i]; j++)
			if (!strcmp(now.sh[j].volume, old->sh[i].volume))
				r = vss_fail(ctx, EIO, "%s: its revert did not finish (see above); the "
					     "next vss command that changes something tries again",
					     now.sh[j].volume);
	set_rec_free(&now);
	return r;
}

int vss_revert(struct vss_ctx *ctx, const char *spec, char *const *volumes, size_t nvol)
{
	struct set_rec *recs = NULL, *rec;
	bool *chosen = NULL, *started = NULL;
	size_t n = 0, idx, nstarted = 0;
	int r;

	vss_op_begin(ctx, "revert");
	if ((r = vss_lock_and_recover(ctx)))
		goto out;
	if ((r = set_rec_list_strict(ctx, "sets", &recs, &n)) ||
	    (r = set_match(ctx, spec, recs, n, &idx)))
		goto unlock;
	rec = &recs[idx];
	chosen = calloc(rec->n + 1, sizeof(*chosen));
	started = calloc(rec->n + 1, sizeof(*started));
	if (!chosen || !started) {
		r = vss_fail(ctx, ENOMEM, "out of memory");
		goto unlock;
	}
	if ((r = choose(ctx, rec, volumes, nvol, chosen)))
		goto unlock;
	for (size_t i = 0; i < rec->n && !r; i++)
		if (chosen[i])
			r = revert_checks(ctx, rec, i, recs, n);
	if (r)
		goto unlock;
	/* Thin swaps first, and from the end: each takes its shadow out of
	 * the set, which moves those after it. */
	for (size_t i = rec->n; i-- > 0 && !r;) {
		char why[4200];

		if (!chosen[i] || !shadow_is_thin(&rec->sh[i]))
			continue;
		if ((r = volume_busy(ctx, rec->sh[i].volume, why, sizeof(why))) || why[0])
			continue;
		if ((r = thin_swap(ctx, rec, i)) == 0)
			memmove(&chosen[i], &chosen[i + 1], (rec->n - i) * sizeof(*chosen));
	}
	for (size_t i = 0; i < rec->n && !r; i++) {
		char why[4200];

		if (!chosen[i])
			continue;
		if ((r = volume_busy(ctx, rec->sh[i].volume, why, sizeof(why))))
			break;
		if (why[0]) {
			snprintf(rec->sh[i].merge, sizeof(rec->sh[i].merge), MERGE_SCHEDULED);
			if ((r = set_rec_save(ctx, "sets", rec)))
				break;
			vss_step(ctx, "%s: %s: its revert to set %.8s is scheduled; it starts when "
				 "%s is no longer in use: at the next vss command that changes "
				 "something, at vss monitor's next look, or at activate",
				 rec->sh[i].volume, why, rec->id, rec->sh[i].volume);
			continue;
		}
		if (shadow_is_thin(&rec->sh[i]))
			continue;
		if ((r = merge_start(ctx, rec, i)) == 0) {
			started[i] = true;
			nstarted++;
		}
	}
	/* Merges run without the lock: other commands go on meanwhile. */
	vss_unlock(ctx);
	if (nstarted) {
		int w = wait_merges(ctx, rec, started);

		/* Recovery finishes every merge that is over. */
		if (!w && (w = vss_lock_and_recover(ctx)) == 0) {
			w = unfinished(ctx, rec->id, rec, started);
			vss_unlock(ctx);
		}
		if (!r)
			r = w;
	}
	goto free;
unlock:
	vss_unlock(ctx);
free:
	free(chosen);
	free(started);
	set_recs_free(recs, n);
out:
	vss_op_end(ctx, r);
	return r;
}
