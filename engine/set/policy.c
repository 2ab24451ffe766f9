/*
 * The storage policy: how many sets a volume may have, how much every
 * shadow together may take, and what happens when a new set needs more
 * than that - refused, or the oldest sets deleted. Nothing is deleted
 * unless deleting it makes the room: the room is weighed first, with the
 * candidates counted as gone, and only then are they deleted, each with a
 * warning naming it and why.
 */
#include "config.h"
#include "dm.h"
#include "policy.h"
#include "provider.h"
#include "set.h"
#include "setrec.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *vss_on_full_name(enum vss_on_full f)
{
	return f == VSS_ON_FULL_DELETE_OLDEST ? "delete-oldest" : "refuse";
}

int vss_on_full_parse(const char *s, enum vss_on_full *f)
{
	if (!strcmp(s, "refuse"))
		*f = VSS_ON_FULL_REFUSE;
	else if (!strcmp(s, "delete-oldest"))
		*f = VSS_ON_FULL_DELETE_OLDEST;
	else
		return -EINVAL;
	return 0;
}

static bool has_volume(const struct set_rec *rec, char *const *volumes, size_t n)
{
	for (size_t i = 0; i < rec->n; i++)
		for (size_t k = 0; k < n; k++)
			if (!strcmp(rec->sh[i].volume, volumes[k]))
				return true;
	return false;
}

/* Whether the policy may delete REC: a persistent set nobody has open (so
 * not exposed either), no shadow of which is being reverted, and each of
 * whose shadows has a provider here (delete refuses one that has none: it
 * cannot make room). An auto-release set belongs to the session that made
 * it. */
static bool deletable(struct vss_ctx *ctx, const struct set_rec *rec)
{
	if (rec->context != VSS_CONTEXT_PERSISTENT)
		return false;
	for (size_t i = 0; i < rec->n; i++) {
		struct vss_dm_info info;
		char why[160];

		if (!provider_usable(&rec->sh[i], why, sizeof(why)))
			return false;
		if (rec->sh[i].merge != MERGE_NONE)
			return false;
		if (vss_dm_info(ctx, rec->sh[i].dm_name, &info))
			return false;
		/* (Its provider's own opens, an older chained shadow's base,
		 * are not a use.) */
		if (info.exists && !strcmp(info.uuid, rec->sh[i].dm_uuid) &&
		    info.open_count > (provider_of(&rec->sh[i])->own_opens ?
				       provider_of(&rec->sh[i])->own_opens(ctx, &rec->sh[i]) : 0))
			return false;
	}
	return true;
}

int policy_victims(struct vss_ctx *ctx, char *const *volumes, size_t n, bool others,
		   struct set_rec **out, size_t *nout)
{
	struct set_rec *recs, *v;
	size_t nrecs, k = 0;
	int r;

	*out = NULL;
	*nout = 0;
	if ((r = set_rec_list_strict(ctx, "sets", &recs, &nrecs)))
		return r;
	if (!(v = calloc(nrecs + 1, sizeof(*v)))) {
		set_recs_free(recs, nrecs);
		return vss_fail(ctx, ENOMEM, "out of memory");
	}
	/* Those of VOLUMES, oldest first, then (OTHERS) the rest, oldest first. */
	for (int pass = 0; pass < (others ? 2 : 1); pass++) {
		for (size_t i = 0; i < nrecs; i++) {
			if (!recs[i].sh || has_volume(&recs[i], volumes, n) != (pass == 0) ||
			    !deletable(ctx, &recs[i]))
				continue;
			v[k++] = recs[i];
			recs[i].sh = NULL;
			recs[i].n = 0;
		}
	}
	set_recs_free(recs, nrecs);
	*out = v;
	*nout = k;
	return 0;
}

static void when(long long us, char *buf, size_t len)
{
	time_t t = (time_t)(us / 1000000);
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
}

int policy_delete(struct vss_ctx *ctx, struct set_rec *rec, const char *why)
{
	char made[32], id[37];
	int r;

	when(rec->created_us, made, sizeof(made));
	snprintf(id, sizeof(id), "%s", rec->id);
	if ((r = set_delete_locked(ctx, rec, false))) {
		char msg[sizeof(ctx->errmsg)];

		snprintf(msg, sizeof(msg), "%s", ctx->errmsg);
		return vss_fail(ctx, -r, "set %.8s could not be deleted to make room (%.300s): %.600s",
				id, why, msg);
	}
	vss_log(ctx, VSS_LEVEL_WARNING, "deleted set %.8s%s%.100s%s (made %s): %s; on_full = "
		"delete-oldest", id, rec->label[0] ? " (" : "", rec->label, rec->label[0] ? ")" : "",
		made, why);
	return 0;
}

static unsigned sets_of(const struct set_rec *recs, size_t n, const char *volume)
{
	unsigned c = 0;

	for (size_t i = 0; i < n; i++)
		c += has_volume(&recs[i], (char *const *)&volume, 1);
	return c;
}

int policy_count_room(struct vss_ctx *ctx, char *const *volumes, size_t n)
{
	unsigned max = ctx->policy.max_sets_per_volume;
	struct set_rec **victims;
	size_t *nv, *need;
	int r = 0;

	if (!max)
		return 0;
	victims = calloc(n + 1, sizeof(*victims));
	nv = calloc(n + 1, sizeof(*nv));
	need = calloc(n + 1, sizeof(*need));
	if (!victims || !nv || !need) {
		r = vss_fail(ctx, ENOMEM, "out of memory");
		goto out;
	}
	/* Every volume weighed first: a refusal deletes nothing. */
	for (size_t v = 0; v < n && !r; v++) {
		struct set_rec *recs;
		size_t nrecs;
		unsigned have;

		if ((r = set_rec_list_strict(ctx, "sets", &recs, &nrecs)))
			break;
		have = sets_of(recs, nrecs, volumes[v]);
		set_recs_free(recs, nrecs);
		if (have < max)
			continue;
		need[v] = have - max + 1;
		if (ctx->policy.on_full == VSS_ON_FULL_REFUSE)
			r = vss_fail_kind(ctx, VSS_ERR_STORAGE_FULL, ENOSPC,
					  "%s: it has %u sets, the most max_sets_per_volume allows; "
					  "delete some (vss prune, delete-set --oldest) or set "
					  "on_full = delete-oldest", volumes[v], have);
		else if (!(r = policy_victims(ctx, &volumes[v], 1, false, &victims[v], &nv[v])) &&
			 nv[v] < need[v])
			r = vss_fail_kind(ctx, VSS_ERR_STORAGE_FULL, ENOSPC,
					  "%s: it has %u sets, the most max_sets_per_volume allows, and "
					  "%s of them can be deleted (the others are in use, exposed, being "
					  "reverted or auto-release)", volumes[v], have,
					  nv[v] ? "not enough" : "none");
	}
	for (size_t v = 0; v < n && !r; v++) {
		char why[300];

		snprintf(why, sizeof(why), "%s had %zu sets, the most max_sets_per_volume allows",
			 volumes[v], need[v] + max - 1);
		for (size_t i = 0; !r && i < need[v]; i++) {
			struct set_rec cur;
			int l;

			/* Deleted already, for an earlier volume of the new set:
			 * it counted for this one too. */
			if ((l = set_rec_load(ctx, "sets", victims[v][i].id, &cur)) == -ENOENT)
				continue;
			set_rec_free(&cur);
			r = l ? l : policy_delete(ctx, &victims[v][i], why);
		}
	}
out:
	for (size_t v = 0; victims && v < n; v++)
		set_recs_free(victims[v], nv ? nv[v] : 0);
	free(victims);
	free(nv);
	free(need);
	return r;
}

int policy_plan_room(struct vss_ctx *ctx, char *const *volumes, size_t n,
		     int (*try_plan)(struct vss_ctx *ctx, void *arg), void *arg)
{
	struct set_rec *victims = NULL;
	size_t nv = 0, k = 0;
	char full[sizeof(ctx->errmsg)];
	int r = try_plan(ctx, arg);

	if (!r || vss_errkind(ctx) != VSS_ERR_STORAGE_FULL ||
	    ctx->policy.on_full != VSS_ON_FULL_DELETE_OLDEST)
		return r;
	snprintf(full, sizeof(full), "%s", ctx->errmsg);
	if ((r = policy_victims(ctx, volumes, n, true, &victims, &nv)))
		return r;
	/* Only a set with room of its own (a COW in a storage area) gives room
	 * there. */
	for (size_t i = 0; i < nv;) {
		bool cow = false;

		for (size_t j = 0; j < victims[i].n && !cow; j++)
			cow = provider_of(&victims[i].sh[j])->own_room;
		if (cow) {
			i++;
			continue;
		}
		set_rec_free(&victims[i]);
		memmove(&victims[i], &victims[i + 1], (nv - i - 1) * sizeof(*victims));
		nv--;
	}
	/* The fewest oldest sets whose deletion makes the room. */
	r = -ENOSPC;
	for (k = 1; k <= nv && r; k++) {
		ctx->alloc_ignore = victims;
		ctx->nalloc_ignore = k;
		r = try_plan(ctx, arg);
		ctx->alloc_ignore = NULL;
		ctx->nalloc_ignore = 0;
		if (r && vss_errkind(ctx) != VSS_ERR_STORAGE_FULL)
			goto out;
	}
	if (r) {
		r = vss_fail_kind(ctx, VSS_ERR_STORAGE_FULL, ENOSPC, "%.700s (%s)", full,
				  nv ? "and deleting every set on_full may delete would not make the room" :
				  "and no set on_full may delete holds storage there");
		goto out;
	}
	k--;
	for (size_t i = 0; i < k && !r; i++)
		r = policy_delete(ctx, &victims[i], full);
	if (!r)
		r = try_plan(ctx, arg);
out:
	set_recs_free(victims, nv);
	return r;
}
