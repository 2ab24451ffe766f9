/*
 * vss activate: after a reboot every dm device is gone, and the
 * state directory is all that says what was there. For each volume that is
 * managed or has shadows layered on it (layers_origin: cow's), in this
 * order, so that no write to it can reach its data before its shadows see
 * it:
 *   1. the -real layer, over the volume's own table (a managed volume's:
 *      dm-linear over its backing device, found again by what it carries);
 *   2. every such shadow's storage (attach: cow's COW device, whose
 *      persistent exception store is read, never cleared) and the shadow
 *      over -real (activate);
 *   3. the volume itself on snapshot-origin: made so (a managed volume), or
 *      switched to it while suspended (one another manager brought back).
 * Then every other shadow (thin's, over its pool, which came back with its
 * volumes) is made by its provider's activate.
 * Auto-release sets did not outlive their session: recovery deletes them
 * (their owner's boot is over). Every step looks first, so a second run, or
 * one after an activate cut short, does only what is missing.
 */
#include "config.h"
#include "area.h"
#include "blockdev.h"
#include "dm.h"
#include "origin.h"
#include "provider.h"
#include "recover.h"
#include "setrec.h"
#include "state.h"
#include "strv.h"
#include "volume-rec.h"
#include "window.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

struct shadows {
	size_t n;
	struct shadow_rec **sh;
	struct set_rec **set;
	ssize_t merging;   /* the one being merged into the volume (a revert), or -1 */
};

static int shadows_of(struct vss_ctx *ctx, const char *volume, struct set_rec *recs, size_t n,
		      struct shadows *out)
{
	char why[160];

	memset(out, 0, sizeof(*out));
	out->merging = -1;
	/* A shadow no provider here can act on may be layered on the volume:
	 * brought up without it, the volume's writes would no longer reach
	 * it (or would land on a half-merged revert). The volume stays down. */
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < recs[i].n; j++)
			if (!strcmp(recs[i].sh[j].volume, volume) &&
			    !provider_usable(&recs[i].sh[j], why, sizeof(why)))
				return vss_fail_kind(ctx, VSS_ERR_USAGE, EPROTONOSUPPORT,
						     "%s: not activated: set %.8s, shadow of %s: %s",
						     volume, recs[i].id, volume, why);
	/* Only the shadows layered on their volume; the others come back
	 * after every volume (unlayered_activate). */
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < recs[i].n; j++)
			out->n += !strcmp(recs[i].sh[j].volume, volume) &&
				  provider_of(&recs[i].sh[j])->layers_origin;
	if (!out->n)
		return 0;
	out->sh = calloc(out->n, sizeof(*out->sh));
	out->set = calloc(out->n, sizeof(*out->set));
	if (!out->sh || !out->set) {
		free(out->sh);
		free(out->set);
		return vss_fail(ctx, ENOMEM, "out of memory");
	}
	out->n = 0;
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < recs[i].n; j++) {
			if (strcmp(recs[i].sh[j].volume, volume) ||
			    !provider_of(&recs[i].sh[j])->layers_origin)
				continue;
			if (recs[i].sh[j].merge == MERGE_MERGING ||
			    recs[i].sh[j].merge == MERGE_DONE)
				out->merging = (ssize_t)out->n;
			out->set[out->n] = &recs[i];
			out->sh[out->n++] = &recs[i].sh[j];
		}
	}
	return 0;
}

/* Whether SH's shadow device is there and live; fails on a foreign one. */
static int shadow_live(struct vss_ctx *ctx, const struct shadow_rec *sh, bool *live)
{
	struct vss_dm_info info;
	int r;

	*live = false;
	if ((r = vss_dm_info(ctx, sh->dm_name, &info)))
		return r;
	if (!info.exists)
		return 0;
	if (strcmp(info.uuid, sh->dm_uuid))
		return vss_fail(ctx, EEXIST, "/dev/mapper/%s: not the device vss made (uuid %s)",
				sh->dm_name, info.uuid[0] ? info.uuid : "none");
	if (info.live_table && !info.suspended) {
		*live = true;
		return 0;
	}
	/* Left half-made by an activate cut short: made again below. */
	if (info.suspended && info.live_table)
		return vss_dm_resume(ctx, sh->dm_name) == 0 ? (*live = true, 0) : -EIO;
	return vss_dm_remove(ctx, sh->dm_name);
}

/* Step 2 for every shadow of the volume not yet live: COW device and shadow
 * table loaded; LOADED[i] says which wait for their resume. */
static int shadows_load(struct vss_ctx *ctx, const struct shadows *s, unsigned rmaj,
			unsigned rmin, bool *loaded, int *changed)
{
	int r;

	for (size_t i = 0; i < s->n; i++) {
		const struct provider *p = provider_of(s->sh[i]);
		bool live = false, made;

		/* The one being merged has its COW only: the merge reads it. */
		if ((ssize_t)i != s->merging && (r = shadow_live(ctx, s->sh[i], &live)))
			return r;
		if (live)
			continue;
		if (p->attach && (r = p->attach(ctx, s->sh[i], &made)))
			return vss_fail(ctx, -r, "set %.8s, shadow of %s: %s", s->set[i]->id,
					s->sh[i]->volume, vss_errmsg(ctx));
		(*changed) += p->attach && made;
		if ((ssize_t)i == s->merging)
			continue;
		if ((r = p->activate(ctx, s->sh[i], rmaj, rmin, &loaded[i])))
			return r;
	}
	return 0;
}

static void shadows_resume(struct vss_ctx *ctx, const struct shadows *s, bool *loaded,
			   uint32_t *cookie, int *r, int *changed)
{
	for (size_t i = 0; i < s->n; i++) {
		int r2;

		if (!loaded[i])
			continue;
		if ((r2 = vss_dm_resume_deferred(ctx, s->sh[i]->dm_name, VSS_DM_UDEV_LOW_PRIORITY,
						 cookie))) {
			if (!*r)
				*r = r2;
			continue;
		}
		loaded[i] = false;
		(*changed)++;
	}
}

/* Step 3 for a volume that is there: its snapshot-origin table takes over
 * while it is suspended, and its new shadows go live in that same pause. */
static int switch_origin(struct vss_ctx *ctx, const char *volume, const char *uuid,
			 const struct vss_dm_target *t, const struct shadows *s, bool *loaded,
			 int *changed)
{
	char *names[1] = { (char *)volume }, *uuids[1] = { (char *)uuid };
	uint32_t cookie = 0;
	int r, r2;

	if ((r = vss_dm_load(ctx, volume, t, 1)))
		return r;
	if ((r = window_mark(ctx, names, uuids, 1))) {
		(void)vss_dm_clear(ctx, volume);
		return r;
	}
	/* Flushed and frozen, as in a create-set: a filesystem mounted on it
	 * too early is then at one instant with the shadows' origin. */
	if ((r = vss_dm_suspend(ctx, volume, VSS_DM_LOCKFS))) {
		window_clear(ctx);
		(void)vss_dm_clear(ctx, volume);
		return r;
	}
	shadows_resume(ctx, s, loaded, &cookie, &r, changed);
	if ((r2 = vss_dm_resume_deferred(ctx, volume, VSS_DM_UDEV_NORMAL, &cookie)) == 0)
		window_clear(ctx);
	vss_dm_udev_wait(ctx, &cookie);
	return r ? r : r2;
}

static void drop_loaded(struct vss_ctx *ctx, const struct shadows *s, const bool *loaded)
{
	for (size_t i = 0; i < s->n; i++)
		if (loaded[i])
			(void)vss_dm_remove(ctx, s->sh[i]->dm_name);
}

/* The origin uuid VOLUME's shadows were made of, or "" when none says. */
static const char *shadows_origin(const struct shadows *s)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->sh[i]->origin_uuid[0])
			return s->sh[i]->origin_uuid;
	return "";
}

static int activate_volume(struct vss_ctx *ctx, const char *volume, struct set_rec *recs,
			   size_t nrecs, int *changed)
{
	char uuid[130] = "", params[64], oparams[32], dev[160], where[4096];
	struct vss_dm_target t, ot;
	struct vss_dm_info info;
	struct shadows s;
	bool managed, *loaded = NULL, made;
	unsigned rmaj, rmin;
	uint32_t cookie = 0;
	int r, before = *changed;

	if ((r = volume_managed_uuid(ctx, volume, uuid, sizeof(uuid))) && r != -ENOENT)
		return r;
	managed = r == 0;
	if ((r = vss_dm_info(ctx, volume, &info)) || (r = shadows_of(ctx, volume, recs, nrecs, &s)))
		return r;
	if (!info.exists && !managed) {
		r = vss_fail(ctx, ENODEV, "%s: not present, so its %zu shadow%s cannot be activated "
			     "(run vss activate again once it is)", volume, s.n, s.n == 1 ? "" : "s");
		goto out;
	}
	if (info.exists) {
		const char *want = managed ? uuid : shadows_origin(&s);

		if (want[0] && strcmp(info.uuid, want)) {
			r = vss_fail(ctx, EEXIST, "%s: not the volume %s (uuid %s, not %s); left alone",
				     volume, managed ? "vss manages" : "its shadows were made of",
				     info.uuid[0] ? info.uuid : "none", want);
			goto out;
		}
		snprintf(uuid, sizeof(uuid), "%s", info.uuid);
	} else if ((r = volume_table(ctx, volume, &t, params, sizeof(params), dev, sizeof(dev)))) {
		goto out;
	}
	/* A revert scheduled while the volume was in use starts at boot,
	 * before anything can mount it. */
	for (size_t i = 0; i < s.n && !info.exists && s.merging < 0; i++) {
		if (s.sh[i]->merge != MERGE_SCHEDULED)
			continue;
		s.sh[i]->merge = MERGE_MERGING;
		if ((r = set_rec_save(ctx, "sets", s.set[i])))
			goto out;
		s.merging = (ssize_t)i;
	}
	if (!s.n) {
		if (!info.exists) {
			if ((r = vss_dm_create(ctx, volume, uuid, &t, 1, VSS_DM_UDEV_NORMAL)))
				goto out;
			vss_step(ctx, "%s: active (%s%s)", volume,
				 strncmp(dev, "thin pool ", 10) ? "linear over " : "", dev);
			(*changed)++;
		}
		goto out;
	}
	if (info.exists && origin_layered(ctx, volume)) {
		rmaj = rmin = 0;
	} else {
		if (info.exists) {
			vss_blockdev_mountpoint(makedev(info.major, info.minor), where, sizeof(where));
			if (where[0])
				vss_log(ctx, VSS_LEVEL_WARNING, "%s: was mounted on %s before its shadows "
					"were activated: whatever was written to it since boot is not "
					"in them (activate before local filesystems mount)", volume, where);
		}
		if ((r = origin_rebuild(ctx, volume, shadows_origin(&s), info.exists ? NULL : &t, 1,
					&rmaj, &rmin, &made)))
			goto out;
		(*changed) += made;
	}
	if (!rmaj) {
		struct vss_dm_info rinfo;
		char real[160];

		origin_real_name(volume, real, sizeof(real));
		if ((r = vss_dm_info(ctx, real, &rinfo)))
			goto out;
		rmaj = rinfo.major;
		rmin = rinfo.minor;
	}
	if (!(loaded = calloc(s.n, sizeof(*loaded)))) {
		r = vss_fail(ctx, ENOMEM, "out of memory");
		goto out;
	}
	if ((r = shadows_load(ctx, &s, rmaj, rmin, loaded, changed)) ||
	    (r = origin_table(ctx, volume, s.sh[0]->origin_sectors,
			      s.merging >= 0 ? s.sh[s.merging] : NULL, &ot, oparams, sizeof(oparams))))
		goto undo;
	/* Not -real where its provider says (a chain: on its newest base). */
	if (s.merging < 0 && provider_of(s.sh[0])->origin_dev) {
		struct vss_devno under;

		if ((r = provider_of(s.sh[0])->origin_dev(ctx, s.sh[0], &under)))
			goto undo;
		snprintf(oparams, sizeof(oparams), "%u:%u", under.major, under.minor);
	}
	if (!info.exists) {
		/* Nothing can write to -real but through the volume, and the
		 * volume is not there yet: its shadows first, then itself. */
		shadows_resume(ctx, &s, loaded, &cookie, &r, changed);
		vss_dm_udev_wait(ctx, &cookie);
		if (r || (r = vss_dm_create(ctx, volume, uuid, &ot, 1, VSS_DM_UDEV_NORMAL)))
			goto undo;
		(*changed)++;
	} else if (!origin_layered(ctx, volume)) {
		if ((r = switch_origin(ctx, volume, uuid, &ot, &s, loaded, changed)))
			goto undo;
		(*changed)++;
	} else {
		shadows_resume(ctx, &s, loaded, &cookie, &r, changed);
		vss_dm_udev_wait(ctx, &cookie);
		if (r)
			goto undo;
	}
	if (*changed > before && info.exists)
		vss_step(ctx, "%s: active with %zu shadow%s", volume, s.n, s.n == 1 ? "" : "s");
	else if (*changed > before)
		vss_step(ctx, "%s: active with %zu shadow%s (%s%s)", volume, s.n,
			 s.n == 1 ? "" : "s", strncmp(dev, "thin pool ", 10) ? "linear over " : "", dev);
	if (*changed > before && s.merging >= 0)
		vss_step(ctx, "%s: its revert to set %.8s goes on (merging)", volume,
			 s.set[s.merging]->id);
	goto out;
undo:
	/* Shadows loaded but not live go; what is live stays for the next run. */
	drop_loaded(ctx, &s, loaded);
out:
	free(loaded);
	free(s.sh);
	free(s.set);
	return r;
}

/* Shadows not layered on their volume (thin ones, over their pools), once
 * the volumes are back; a revert of one under way is recovery's. */
static int unlayered_activate(struct vss_ctx *ctx, const struct set_rec *recs, size_t n,
			      int *changed)
{
	int r = 0;

	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < recs[i].n; j++) {
			const struct shadow_rec *sh = &recs[i].sh[j];
			const struct provider *p = provider_of(sh);
			bool made = false;

			char why[160];

			/* One no provider can act on: its volume's pass said so. */
			if (p->layers_origin || sh->merge != MERGE_NONE ||
			    !provider_usable(sh, why, sizeof(why)))
				continue;
			if (p->activate(ctx, sh, 0, 0, &made)) {
				vss_log(ctx, VSS_LEVEL_ERROR, "set %.8s, shadow of %s: %s", recs[i].id,
					sh->volume, vss_errmsg(ctx));
				r = -EIO;
				continue;
			}
			*changed += made;
		}
	}
	return r;
}

/* Every volume activation concerns: managed ones and those with shadows,
 * each once, sorted. */
static int volumes_of(struct vss_ctx *ctx, const struct set_rec *recs, size_t n, char ***out,
		      size_t *nout)
{
	char **v;
	size_t nv;
	int r;

	if ((r = vss_state_list(ctx, "volumes", ".conf", &v, &nv)))
		return r;
	for (size_t i = 0; i < n && !r; i++) {
		for (size_t j = 0; j < recs[i].n && !r; j++) {
			bool seen = false;

			for (size_t k = 0; k < nv && !seen; k++)
				seen = !strcmp(v[k], recs[i].sh[j].volume);
			if (!seen)
				r = vss_strv_push(&v, &nv, recs[i].sh[j].volume);
		}
	}
	if (r) {
		vss_strv_free(v, nv);
		return vss_fail(ctx, ENOMEM, "out of memory");
	}
	vss_strv_sort(v, nv);
	*out = v;
	*nout = nv;
	return 0;
}

int vss_activate(struct vss_ctx *ctx)
{
	struct set_rec *recs = NULL;
	size_t n = 0, nv = 0, failed = 0;
	char **vols = NULL;
	int r, changed = 0;

	vss_op_begin(ctx, "activate");
	if ((r = vss_lock_and_recover(ctx)))
		goto out;
	if ((r = storage_areas_refresh(ctx)) || (r = set_rec_list_strict(ctx, "sets", &recs, &n)) ||
	    (r = volumes_of(ctx, recs, n, &vols, &nv)))
		goto unlock;
	for (size_t i = 0; i < nv; i++) {
		if (activate_volume(ctx, vols[i], recs, n, &changed) == 0)
			continue;
		/* One volume's missing disk does not keep the others down. */
		vss_log(ctx, VSS_LEVEL_ERROR, "%s", vss_errmsg(ctx));
		failed++;
	}
	/* Shadows over their pools, once the volumes (and so the pools) are
	 * there; then a revert scheduled before the reboot. */
	if (unlayered_activate(ctx, recs, n, &changed))
		failed++;
	{
		int fixed = 0;

		if ((r = revert_recover(ctx, &fixed)))
			goto unlock;
		changed += fixed;
	}
	if (failed)
		r = vss_fail(ctx, EIO, "%zu of %zu volume%s could not be activated", failed, nv,
			     nv == 1 ? "" : "s");
	else if (!changed && !nv)
		vss_step(ctx, "nothing to do: no managed volume, no shadow");
	else if (!changed)
		vss_step(ctx, "nothing to do: %zu volume%s and every shadow already active", nv,
			 nv == 1 ? "" : "s");
unlock:
	set_recs_free(recs, n);
	vss_strv_free(vols, nv);
	vss_unlock(ctx);
out:
	vss_op_end(ctx, r);
	return r;
}
