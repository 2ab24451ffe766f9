/*
 * The monitor: dm-snapshot says nothing as a COW fills, and a full one is
 * invalid for good, so its use is looked at every few seconds. Above
 * warn_percent it is said once (again only after it went below); above
 * full_percent on_full applies: delete-oldest deletes the volume's sets,
 * oldest first, up to the one filling (each shadow's COW is its own: only
 * deleting its set keeps it from going invalid); refuse only warns.
 * A shadow that became invalid anyway is said once, with why. Each look
 * starts with recovery, which also ends and starts reverts.
 */
#include "config.h"
#include "policy.h"
#include "pool.h"
#include "provider.h"
#include "recover.h"
#include "setrec.h"
#include "strv.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum said { SAID_NOTHING, SAID_HIGH, SAID_FULL, SAID_INVALID };

struct said_rec {
	char key[200];   /* SET/VOLUME */
	enum said said;
	bool seen;       /* in this look */
};

struct watch {
	struct said_rec *s;
	size_t n;
	unsigned broken;  /* shadows invalid or missing, pools failed: in the last look */
};

static struct said_rec *said_of(struct watch *w, const char *set, const char *volume)
{
	char key[200];
	struct said_rec *s;

	snprintf(key, sizeof(key), "%.36s/%.150s", set, volume);
	for (size_t i = 0; i < w->n; i++)
		if (!strcmp(w->s[i].key, key))
			return &w->s[i];
	if (!(s = realloc(w->s, (w->n + 1) * sizeof(*s))))
		return NULL;
	w->s = s;
	s = &w->s[w->n++];
	memset(s, 0, sizeof(*s));
	snprintf(s->key, sizeof(s->key), "%s", key);
	return s;
}

/* Forgets what is gone, so the list does not grow with every set made. */
static void said_sweep(struct watch *w)
{
	for (size_t i = 0; i < w->n;) {
		if (!w->s[i].seen)
			w->s[i] = w->s[--w->n];
		else
			w->s[i++].seen = false;
	}
}

/* delete-oldest for VOLUME, whose shadow in SET is PCT% full: 1 when a set
 * was deleted, 0 when none could be (said once), or -errno. */
static int make_room(struct vss_ctx *ctx, const char *set, const char *volume, unsigned pct,
		     struct said_rec *said)
{
	char *vol = (char *)volume, why[300];
	struct set_rec *victims = NULL, full = { 0 };
	size_t nv = 0;
	int r;

	if ((r = vss_lock_and_recover(ctx)))
		return r;
	if ((r = set_rec_load(ctx, "sets", set, &full))) {
		/* Deleted meanwhile: nothing to do for it. */
		r = r == -ENOENT ? 0 : r;
		goto unlock;
	}
	if ((r = policy_victims(ctx, &vol, 1, false, &victims, &nv)))
		goto unlock;
	/* A set younger than the one filling up gives it no room; nor does
	 * an older one, when the full one itself cannot go (only deleting
	 * its own set saves a shadow that fills). */
	while (nv && victims[nv - 1].created_us > full.created_us)
		set_rec_free(&victims[--nv]);
	if (nv && strcmp(victims[nv - 1].id, set)) {
		set_recs_free(victims, nv);
		victims = NULL;
		nv = 0;
	}
	if (!nv) {
		if (said && said->said < SAID_FULL)
			vss_log(ctx, VSS_LEVEL_WARNING, "set %.8s, shadow of %s: %u%% full, and neither "
				"it nor an older set of %s can be deleted (in use, exposed, being reverted "
				"or auto-release): it becomes invalid when full", set, volume, pct, volume);
		if (said)
			said->said = SAID_FULL;
		goto unlock;
	}
	if (strcmp(victims[0].id, set))
		snprintf(why, sizeof(why), "the oldest set of %s, whose shadow in set %.8s was %u%% full",
			 volume, set, pct);
	else
		snprintf(why, sizeof(why), "its shadow of %s was %u%% full", volume, pct);
	r = policy_delete(ctx, &victims[0], why);
	if (!r)
		r = 1;
unlock:
	set_rec_free(&full);
	set_recs_free(victims, nv);
	vss_unlock(ctx);
	return r;
}

static bool has(char *const *v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i], s))
			return true;
	return false;
}

/* The volumes with thin shadows in POOL (vss_strv_free). */
static int pool_volumes(struct vss_ctx *ctx, const char *pool, char ***vols, size_t *n)
{
	struct set_rec *recs;
	size_t nrecs;
	int r;

	*vols = NULL;
	*n = 0;
	if ((r = set_rec_list_strict(ctx, "sets", &recs, &nrecs)))
		return r;
	for (size_t i = 0; i < nrecs && !r; i++)
		for (size_t j = 0; j < recs[i].n && !r; j++)
			if (!strcmp(recs[i].sh[j].pool, pool) && !has(*vols, *n, recs[i].sh[j].volume) &&
			    vss_strv_push(vols, n, recs[i].sh[j].volume))
				r = vss_fail(ctx, ENOMEM, "out of memory");
	set_recs_free(recs, nrecs);
	return r;
}

/* A thin pool at full_at: its oldest set with a shadow in it goes. 1 when
 * one went, 0 when none could (said once), -errno. */
static int pool_room(struct vss_ctx *ctx, const struct pool *p, unsigned pct,
		     struct said_rec *said)
{
	struct set_rec *victims = NULL;
	char **vols = NULL, why[300];
	size_t nv = 0, nvol = 0;
	int r;

	if ((r = vss_lock_and_recover(ctx)))
		return r;
	if ((r = pool_volumes(ctx, p->name, &vols, &nvol)) ||
	    (nvol && (r = policy_victims(ctx, vols, nvol, false, &victims, &nv))))
		goto unlock;
	if (!nv) {
		if (said->said < SAID_FULL)
			vss_log(ctx, VSS_LEVEL_WARNING, "thin pool %s: %u%% full, and no set in it can "
				"be deleted: when it is full, writes to its volumes fail", p->name, pct);
		said->said = SAID_FULL;
		goto unlock;
	}
	snprintf(why, sizeof(why), "the oldest set in thin pool %s, which was %u%% full", p->name,
		 pct);
	if ((r = policy_delete(ctx, &victims[0], why)) == 0)
		r = 1;
unlock:
	set_recs_free(victims, nv);
	vss_strv_free(vols, nvol);
	vss_unlock(ctx);
	return r;
}

/* Each thin pool's data use, as a shadow's COW use. */
static int look_pools(struct vss_ctx *ctx, struct watch *w)
{
	const struct vss_policy *pol = &ctx->policy;
	struct pool *pools;
	size_t n;
	int r;

	if ((r = pool_list(ctx, &pools, &n)))
		return r;
	for (size_t i = 0; i < n && !r; i++) {
		struct said_rec *said = said_of(w, "pool", pools[i].name);
		uint64_t used = 0, total = 0;
		char mode[32], u[16], t[16];
		unsigned pct, meta;

		if (!said) {
			r = vss_fail(ctx, ENOMEM, "out of memory");
			break;
		}
		said->seen = true;
		if (pool_usage(ctx, &pools[i], &used, &total, &meta, mode, sizeof(mode)) ||
		    !strcmp(mode, "inactive"))
			continue;
		if (strcmp(mode, "rw") || !total) {
			/* Failed, read-only, out of space: nothing more to weigh. */
			w->broken++;
			if (said->said != SAID_INVALID)
				vss_log(ctx, VSS_LEVEL_WARNING, "thin pool %s: %s (dmsetup status %s)",
					pools[i].name, !strcmp(mode, "out_of_data_space") ?
					"out of data space: writes to its volumes wait, then fail" :
					!strcmp(mode, "ro") ? "read-only: its metadata needs a check" :
					"failed", pools[i].dm_name);
			said->said = SAID_INVALID;
			continue;
		}
		pct = (unsigned)(used * 100 / total);
		vss_size_format(used, u, sizeof(u));
		vss_size_format(total, t, sizeof(t));
		/* Full metadata fails the pool as surely as full data. */
		if (meta > pct) {
			pct = meta;
			snprintf(u, sizeof(u), "metadata");
			snprintf(t, sizeof(t), "its %u%%", meta);
		}
		if (pct >= pol->full_percent && pol->on_full == VSS_ON_FULL_DELETE_OLDEST) {
			r = pool_room(ctx, &pools[i], pct, said);
		} else if (pct >= pol->full_percent) {
			if (said->said < SAID_FULL)
				vss_log(ctx, VSS_LEVEL_WARNING, "thin pool %s: %u%% full (%s of %s): when it "
					"is full, writes to its volumes fail (on_full = refuse)",
					pools[i].name, pct, u, t);
			said->said = SAID_FULL;
		} else if (pct >= pol->warn_percent) {
			if (said->said < SAID_HIGH)
				vss_log(ctx, VSS_LEVEL_WARNING, "thin pool %s: %u%% full (%s of %s)",
					pools[i].name, pct, u, t);
			said->said = SAID_HIGH;
		} else
			said->said = SAID_NOTHING;
	}
	free(pools);
	return r;
}

/* One look at every shadow: 1 when it deleted a set (look again), 0, -errno. */
static int look(struct vss_ctx *ctx, struct watch *w)
{
	const struct vss_policy *p = &ctx->policy;
	struct vss_set *sets;
	size_t n;
	int r = 0;

	ctx->quiet_invalid = true;
	r = vss_set_list(ctx, &sets, &n);
	ctx->quiet_invalid = false;
	if (r)
		return r;
	for (size_t i = 0; i < n && !r; i++) {
		for (size_t k = 0; k < sets[i].n && !r; k++) {
			const struct vss_shadow *sh = &sets[i].shadows[k];
			struct said_rec *said = said_of(w, sets[i].id, sh->volume);
			const struct provider *prov;
			unsigned pct;
			char used[16], size[16];

			if (!said) {
				r = vss_fail(ctx, ENOMEM, "out of memory");
				break;
			}
			said->seen = true;
			if (sh->state == VSS_SHADOW_INVALID || sh->state == VSS_SHADOW_MISSING) {
				if (said->said != SAID_INVALID)
					vss_log(ctx, VSS_LEVEL_WARNING, "set %.8s, shadow of %s: %s: %s",
						sets[i].id, sh->volume,
						vss_shadow_state_name(sh->state), sh->why);
				said->said = SAID_INVALID;
				w->broken++;
				continue;
			}
			/* A room that is shared (a thin pool's) is weighed as
			 * such: look_pools. */
			if (sh->state != VSS_SHADOW_VALID || !sh->cow_size ||
			    !(prov = provider_by_name(sh->provider)) || !prov->own_room)
				continue;
			pct = (unsigned)(sh->cow_used * 100 / sh->cow_size);
			vss_size_format(sh->cow_used, used, sizeof(used));
			vss_size_format(sh->cow_size, size, sizeof(size));
			if (pct >= p->full_percent && p->on_full == VSS_ON_FULL_DELETE_OLDEST) {
				r = make_room(ctx, sets[i].id, sh->volume, pct, said);
			} else if (pct >= p->full_percent) {
				if (said->said < SAID_FULL)
					vss_log(ctx, VSS_LEVEL_WARNING, "set %.8s, shadow of %s: %u%% full (%s "
						"of %s): it becomes invalid when full (on_full = refuse)",
						sets[i].id, sh->volume, pct, used, size);
				said->said = SAID_FULL;
			} else if (pct >= p->warn_percent) {
				if (said->said < SAID_HIGH)
					vss_log(ctx, VSS_LEVEL_WARNING, "set %.8s, shadow of %s: %u%% full "
						"(%s of %s)", sets[i].id, sh->volume, pct, used, size);
				said->said = SAID_HIGH;
			} else
				said->said = SAID_NOTHING;
		}
	}
	vss_sets_free(sets, n);
	return r ? r : look_pools(ctx, w);
}

static void pause_ms(unsigned ms)
{
	for (unsigned t = 0; t < ms && !vss_interrupted(); t += 100) {
		struct timespec ts = { 0, 100 * 1000000L };

		nanosleep(&ts, NULL);
	}
}

int vss_monitor(struct vss_ctx *ctx, unsigned interval_ms, bool once, unsigned *broken)
{
	struct watch w = { 0 };
	int r = 0;

	vss_op_begin(ctx, "monitor");
	vss_log(ctx, VSS_LEVEL_INFO, "watching every shadow%s: a warning at %u%% full; at %u%%, "
		"on_full = %s", once ? " once" : "", ctx->policy.warn_percent,
		ctx->policy.full_percent, vss_on_full_name(ctx->policy.on_full));
	while (!vss_interrupted()) {
		/* Reverts end and start here, as with any command. */
		if ((r = vss_lock_and_recover(ctx)) == 0) {
			vss_unlock(ctx);
			/* A deleted set frees nothing for the others: look again,
			 * at most once a set, until nothing is above the line. */
			for (int k = 0; k < 1000 && !vss_interrupted(); k++) {
				w.broken = 0;
				if ((r = look(ctx, &w)) != 1)
					break;
			}
			if (r == 1)
				r = 0;
			said_sweep(&w);
		}
		if (r && (once || vss_errkind(ctx) != VSS_ERR_LOCKED))
			break;
		if (r)
			vss_log(ctx, VSS_LEVEL_INFO, "%s; looking again in %u s", vss_errmsg(ctx),
				interval_ms / 1000);
		r = 0;
		if (once)
			break;
		pause_ms(interval_ms);
	}
	free(w.s);
	if (broken)
		*broken = w.broken;
	vss_op_end(ctx, r);
	return r;
}
