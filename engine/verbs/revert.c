/*
 * revert: a volume rolled back to its shadow, by the shadow's provider.
 * cow: the origin's table becomes snapshot-merge over -real with the
 * shadow's COW, and the kernel writes every chunk the shadow kept back into
 * the origin, while the origin stays usable (it reads as the shadow from
 * the first moment). thin: the volume moves onto the snapshot's thin id at
 * once (revert_at_once).
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
 * The record says where a revert is (setrec.h, MERGE_*), so that recovery and
 * activate take it up after a kill or a reboot: for cow, the kernel keeps
 * its progress in the COW itself.
 */
#include "config.h"
#include "blockdev.h"
#include "dm.h"
#include "provider.h"
#include "recover.h"
#include "set.h"
#include "setrec.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <time.h>

/* Everything that must hold before SH of REC may be reverted. */
static int revert_checks(struct vss_ctx *ctx, const struct set_rec *rec, size_t i,
			 const struct set_rec *recs, size_t n)
{
	const struct shadow_rec *sh = &rec->sh[i];
	struct vss_set view;
	struct vss_dm_info info;
	int r;

	if (sh->merge != MERGE_NONE)
		return vss_fail(ctx, EBUSY, "%.8s/%s: its revert is already %s", rec->id, sh->volume,
				sh->merge == MERGE_SCHEDULED ? "scheduled" : "under way");
	for (size_t k = 0; k < n; k++)
		for (size_t j = 0; j < recs[k].n; j++)
			if (recs[k].sh[j].merge != MERGE_NONE && !strcmp(recs[k].sh[j].volume, sh->volume))
				return vss_fail(ctx, EBUSY, "%s: a revert to set %.8s is %s; one at a "
						"time", sh->volume, recs[k].id,
						recs[k].sh[j].merge == MERGE_SCHEDULED ?
						"scheduled" : "under way");
	if (provider_of(sh)->revert_check && (r = provider_of(sh)->revert_check(ctx, rec, i)))
		return r;
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
	/* (Not its provider's own opens: an older chained shadow's base.) */
	if (info.open_count > (provider_of(sh)->own_opens ? provider_of(sh)->own_opens(ctx, sh) : 0))
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
			if ((m = provider_of(&rec->sh[i])->revert_left(ctx, &rec->sh[i], &left)) < 0)
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
	/* Reverts done at once first, and from the end: each takes its
	 * shadow out of the set, which moves those after it. */
	for (size_t i = rec->n; i-- > 0 && !r;) {
		const struct provider *p = provider_of(&rec->sh[i]);
		char why[4200];

		if (!chosen[i] || !p->revert_at_once)
			continue;
		if ((r = volume_busy(ctx, rec->sh[i].volume, VOLUME_BUSY_GRACE_MS, why,
				     sizeof(why))) || why[0])
			continue;
		if ((r = p->revert_start(ctx, rec, i)) == 0)
			memmove(&chosen[i], &chosen[i + 1], (rec->n - i) * sizeof(*chosen));
	}
	for (size_t i = 0; i < rec->n && !r; i++) {
		char why[4200];

		if (!chosen[i])
			continue;
		/* A revert done at once that is still here found its volume
		 * busy above, after its grace. */
		if ((r = volume_busy(ctx, rec->sh[i].volume,
				     provider_of(&rec->sh[i])->revert_at_once ? 0 :
				     VOLUME_BUSY_GRACE_MS, why, sizeof(why))))
			break;
		if (why[0]) {
			rec->sh[i].merge = MERGE_SCHEDULED;
			if ((r = set_rec_save(ctx, "sets", rec)))
				break;
			vss_step(ctx, "%s: %s: its revert to set %.8s is scheduled; it starts when "
				 "%s is no longer in use: at the next vss command that changes "
				 "something, at vss monitor's next look, or at activate",
				 rec->sh[i].volume, why, rec->id, rec->sh[i].volume);
			continue;
		}
		if (provider_of(&rec->sh[i])->revert_at_once)
			continue;
		if ((r = provider_of(&rec->sh[i])->revert_start(ctx, rec, i)) == 0) {
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
