/*
 * Listing sets: the records, and for each shadow what the kernel says now
 * (its provider's state: use, valid or invalid), merging during a revert,
 * missing when its device is not there. Invalid is said each time with a
 * warning, so it is never silent.
 */
#include "config.h"
#include "blockdev.h"
#include "dm.h"
#include "provider.h"
#include "set.h"
#include "setrec.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

static void shadow_state(struct vss_ctx *ctx, const struct set_rec *rec,
			 const struct shadow_rec *sh, struct vss_shadow *d)
{
	struct vss_dm_info info;

	/* First: neither activate nor a merge can change a shadow that no
	 * provider here can act on, so that is what there is to say. */
	if (!provider_usable(sh, d->why, sizeof(d->why))) {
		d->state = VSS_SHADOW_INVALID;
		if (!ctx->quiet_invalid)
			vss_log(ctx, VSS_LEVEL_WARNING, "set %.8s, shadow of %s: invalid: %s", rec->id,
				sh->volume, d->why);
		return;
	}
	if (sh->merge == MERGE_MERGING || sh->merge == MERGE_DONE ||
	    sh->merge == MERGE_SWAP) {
		d->state = VSS_SHADOW_MERGING;
		snprintf(d->why, sizeof(d->why), "being merged into %s (a revert)", sh->volume);
		return;
	}
	if (vss_dm_info(ctx, sh->dm_name, &info) || !info.exists || strcmp(info.uuid, sh->dm_uuid)) {
		d->state = VSS_SHADOW_MISSING;
		snprintf(d->why, sizeof(d->why), "its device /dev/mapper/%s is not active (after a "
			 "reboot: vss activate)", sh->dm_name);
		return;
	}
	{
		/* Mounted as its provider mounts it (a chained one: its view). */
		char name[130], uuid[130];
		struct vss_dm_info ex = info;

		if (!provider_expose_dev(ctx, sh, false, name, uuid) && strcmp(name, sh->dm_name) &&
		    (vss_dm_info(ctx, name, &ex) || !ex.exists || strcmp(ex.uuid, uuid)))
			ex.exists = false;
		if (ex.exists)
			vss_blockdev_mountpoint(makedev(ex.major, ex.minor), d->mountpoint,
						sizeof(d->mountpoint));
	}
	provider_of(sh)->state(ctx, sh, d);
	if (d->state == VSS_SHADOW_INVALID && !ctx->quiet_invalid)
		vss_log(ctx, VSS_LEVEL_WARNING, "set %.8s, shadow of %s: invalid: %s", rec->id,
			sh->volume, d->why);
	else if (d->state == VSS_SHADOW_VALID && sh->merge == MERGE_SCHEDULED) {
		d->state = VSS_SHADOW_REVERT_SCHEDULED;
		snprintf(d->why, sizeof(d->why), "%s goes back to it once no longer in use",
			 sh->volume);
	}
}

int set_fill(struct vss_ctx *ctx, const struct set_rec *rec, struct vss_set *s)
{
	memset(s, 0, sizeof(*s));
	if (!(s->shadows = calloc(rec->n, sizeof(*s->shadows))))
		return vss_fail(ctx, ENOMEM, "out of memory");
	snprintf(s->id, sizeof(s->id), "%s", rec->id);
	snprintf(s->label, sizeof(s->label), "%s", rec->label);
	s->context = rec->context;
	s->created_us = rec->created_us;
	s->freeze_us = rec->freeze_us;
	s->n = rec->n;
	for (size_t i = 0; i < rec->n; i++) {
		struct vss_shadow *d = &s->shadows[i];
		const struct shadow_rec *sh = &rec->sh[i];

		snprintf(d->volume, sizeof(d->volume), "%s", sh->volume);
		snprintf(d->provider, sizeof(d->provider), "%s", sh->provider);
		snprintf(d->origin, sizeof(d->origin), "/dev/mapper/%s", sh->volume);
		snprintf(d->device, sizeof(d->device), "/dev/mapper/%s", sh->dm_name);
		snprintf(d->area, sizeof(d->area), "%s", sh->cow_file[0] ? sh->cow_file : sh->area);
		d->size = sh->origin_sectors * 512;
		d->cow_size = sh->cow_sectors * 512;
		shadow_state(ctx, rec, sh, d);
	}
	return 0;
}

int vss_set_list(struct vss_ctx *ctx, struct vss_set **out, size_t *np)
{
	struct set_rec *recs;
	struct vss_set *sets;
	size_t n;
	int r;

	*out = NULL;
	*np = 0;
	if ((r = set_rec_list(ctx, "sets", &recs, &n)))
		return r;
	if (!(sets = calloc(n + 1, sizeof(*sets)))) {
		set_recs_free(recs, n);
		return vss_fail(ctx, ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < n; i++) {
		if ((r = set_fill(ctx, &recs[i], &sets[i]))) {
			vss_sets_free(sets, i);
			set_recs_free(recs, n);
			return r;
		}
	}
	set_recs_free(recs, n);
	*out = sets;
	*np = n;
	return 0;
}

void vss_sets_free(struct vss_set *sets, size_t n)
{
	if (!sets)
		return;
	for (size_t i = 0; i < n; i++)
		free(sets[i].shadows);
	free(sets);
}
