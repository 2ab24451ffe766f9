/*
 * The thin provider: a shadow of a thin volume vss made is a
 * dm-thin snapshot in the volume's pool, taken with create_snap while the
 * volume is suspended in the freeze window, and shown as a thin device on
 * the snapshot's id. It shares unchanged blocks with its volume: no COW area
 * of its own, nothing copied on a write but the block written, and its room
 * is the pool's. A revert moves the volume onto the snapshot's id.
 */
#include "config.h"
#include "dm.h"
#include "pool.h"
#include "setrec.h"
#include "thin.h"
#include "volume-rec.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int thin_plan(struct vss_ctx *ctx, const char *volume, struct shadow_rec *sh)
{
	struct volume_rec vol;
	struct pool p;
	int r;

	if ((r = volume_rec_load(ctx, volume, &vol)) == -ENOENT || (!r && !vol.pool[0]))
		return -ENOENT;
	if (r || (r = pool_load(ctx, vol.pool, &p)))
		return r;
	snprintf(sh->pool, sizeof(sh->pool), "%s", p.name);
	sh->origin_thin_id = vol.thin_id;
	sh->origin_sectors = vol.sectors;
	return pool_new_id(ctx, &p, &sh->thin_id);
}

int thin_snap(struct vss_ctx *ctx, const struct shadow_rec *sh)
{
	struct pool p = { 0 };

	/* In the window: no read of the state directory (it may be on a
	 * frozen filesystem), so the pool's device by its name alone. */
	snprintf(p.name, sizeof(p.name), "%s", sh->pool);
	pool_dm_name(sh->pool, p.dm_name, sizeof(p.dm_name));
	return pool_message(ctx, &p, "create_snap %u %u", sh->thin_id, sh->origin_thin_id);
}

int thin_shadow_make(struct vss_ctx *ctx, const struct shadow_rec *sh, bool *made)
{
	struct vss_dm_target t;
	struct vss_dm_info info;
	struct pool p;
	unsigned maj, min;
	char params[64];
	bool pool_made;
	int r;

	*made = false;
	if ((r = vss_dm_info(ctx, sh->dm_name, &info)))
		return r;
	if (info.exists && strcmp(info.uuid, sh->dm_uuid))
		return vss_fail(ctx, EEXIST, "/dev/mapper/%s: not the device vss made (uuid %s)",
				sh->dm_name, info.uuid[0] ? info.uuid : "none");
	if (info.exists && info.live_table && !info.suspended)
		return 0;
	if (info.exists && (r = vss_dm_remove(ctx, sh->dm_name)))
		return r;
	if ((r = pool_load(ctx, sh->pool, &p)) || (r = pool_activate(ctx, &p, &maj, &min, &pool_made)))
		return r;
	pool_thin_target(maj, min, sh->thin_id, sh->origin_sectors, &t, params, sizeof(params));
	/* Read-only, as a cow shadow: it is the instant, kept. */
	if ((r = vss_dm_create_empty(ctx, sh->dm_name, sh->dm_uuid)))
		return r;
	if ((r = vss_dm_load_ro(ctx, sh->dm_name, &t, 1)) == 0) {
		uint32_t cookie = 0;

		r = vss_dm_resume_deferred(ctx, sh->dm_name, VSS_DM_UDEV_LOW_PRIORITY, &cookie);
		vss_dm_udev_wait(ctx, &cookie);
	}
	if (r) {
		char msg[sizeof(ctx->errmsg)];

		snprintf(msg, sizeof(msg), "%s", ctx->errmsg);
		(void)vss_dm_remove(ctx, sh->dm_name);
		snprintf(ctx->errmsg, sizeof(ctx->errmsg), "%s", msg);
		return r;
	}
	*made = true;
	return 0;
}

/* P live, to take a message: after a reboot it may not be yet. When its
 * device is missing, only what needs it waits (-EBUSY): recovery goes on
 * with every other set. */
static int pool_up(struct vss_ctx *ctx, struct pool *p)
{
	unsigned maj, min;
	bool made;
	int r;

	if ((r = pool_activate(ctx, p, &maj, &min, &made)) == -ENODEV)
		return vss_fail(ctx, EBUSY, "%s (its thin snapshots are deleted once it is back)",
				vss_errmsg(ctx));
	return r;
}

int thin_release(struct vss_ctx *ctx, const struct shadow_rec *sh)
{
	struct pool p;
	int r;

	if ((r = pool_load(ctx, sh->pool, &p)))
		return r == -ENOENT ? 0 : r;
	if ((r = volume_uses_id(ctx, sh->pool, sh->thin_id)))
		return r < 0 ? r : vss_fail(ctx, EBUSY, "thin pool %s: id %u is a volume's now (a "
					    "revert); it is not deleted", sh->pool, sh->thin_id);
	if ((r = pool_up(ctx, &p)))
		return r;
	return pool_message(ctx, &p, "delete %u", sh->thin_id);
}

void thin_state(struct vss_ctx *ctx, const struct shadow_rec *sh, struct vss_shadow *d)
{
	struct vss_dm_table st;
	struct pool p;
	char mode[32];

	if (pool_load(ctx, sh->pool, &p) || pool_usage(ctx, &p, &d->cow_used, &d->cow_size, NULL,
						       mode, sizeof(mode))) {
		d->state = VSS_SHADOW_MISSING;
		snprintf(d->why, sizeof(d->why), "its thin pool %s: %s", sh->pool, vss_errmsg(ctx));
		return;
	}
	snprintf(d->area, sizeof(d->area), "thin pool %s", sh->pool);
	if (vss_dm_status(ctx, sh->dm_name, &st) || st.n != 1) {
		vss_dm_table_free(&st);
		d->state = VSS_SHADOW_MISSING;
		snprintf(d->why, sizeof(d->why), "cannot read the status of /dev/mapper/%s", sh->dm_name);
		return;
	}
	/* Out of data space stops writes, not the snapshots; a failed pool
	 * (or snapshot) can no longer be read as it was. */
	if (!strcmp(mode, "Fail") || !strncmp(st.t[0].params, "Fail", 4)) {
		d->state = VSS_SHADOW_INVALID;
		snprintf(d->why, sizeof(d->why), "its thin pool %.60s failed (dmsetup status %.100s)", sh->pool,
			 p.dm_name);
	} else {
		d->state = VSS_SHADOW_VALID;
	}
	vss_dm_table_free(&st);
}

/* The thin id VOLUME's live table uses: 0 and *ID, or -ENOENT when it has no
 * thin table (not there, or something else on it). */
static int live_id(struct vss_ctx *ctx, const char *volume, unsigned *id)
{
	struct vss_dm_table tab;
	unsigned a, b;
	int r;

	if ((r = vss_dm_table(ctx, volume, &tab)))
		return r;
	r = tab.n == 1 && !strcmp(tab.t[0].type, "thin") &&
	    sscanf(tab.t[0].params, "%u:%u %u", &a, &b, id) == 3 ? 0 : -ENOENT;
	vss_dm_table_free(&tab);
	return r;
}

int thin_swap(struct vss_ctx *ctx, struct set_rec *rec, size_t i)
{
	struct shadow_rec sh = rec->sh[i];
	struct vss_dm_info info;
	struct volume_rec vol;
	struct pool p;
	unsigned id;
	int r;

	/* No two devices on one thin id: the shadow's goes first, so it
	 * must be free before anything is marked. */
	if ((r = vss_dm_info(ctx, sh.dm_name, &info)))
		return r;
	if (info.exists && !strcmp(info.uuid, sh.dm_uuid) && info.open_count > 0)
		return vss_fail(ctx, EBUSY, "/dev/mapper/%s: in use (open %d time%s); close it first",
				sh.dm_name, info.open_count, info.open_count == 1 ? "" : "s");
	if (rec->sh[i].merge != MERGE_SWAP) {
		rec->sh[i].merge = MERGE_SWAP;
		if ((r = set_rec_save(ctx, "sets", rec)))
			return r;
	}
	if (info.exists && !strcmp(info.uuid, sh.dm_uuid) && (r = vss_dm_remove(ctx, sh.dm_name)))
		return r;
	if ((r = volume_rec_load(ctx, sh.volume, &vol)) || (r = pool_load(ctx, sh.pool, &p)) ||
	    (r = pool_up(ctx, &p)))
		return r;
	/* An earlier revert's old id not deleted yet: first that. */
	if (vol.retired_id && vol.thin_id != sh.thin_id) {
		if ((r = pool_message(ctx, &p, "delete %u", vol.retired_id)))
			return r;
		vol.retired_id = 0;
		if ((r = volume_rec_save(ctx, &vol)))
			return r;
	}
	if (vol.thin_id != sh.thin_id) {
		vol.retired_id = vol.thin_id;
		vol.thin_id = sh.thin_id;
		if ((r = volume_rec_save(ctx, &vol)))
			return r;
	}
	/* Not there (a reboot before activate): activate makes it on the new id. */
	if ((r = vss_dm_info(ctx, sh.volume, &info)))
		return r;
	if (info.exists && (r = live_id(ctx, sh.volume, &id)) != -ENOENT) {
		struct vss_dm_target t;
		unsigned maj, min;
		bool made;
		char params[64];

		if (r)
			return r;
		if (id != sh.thin_id) {
			if ((r = pool_activate(ctx, &p, &maj, &min, &made)))
				return r;
			pool_thin_target(maj, min, sh.thin_id, vol.sectors, &t, params, sizeof(params));
			if ((r = vss_dm_load(ctx, sh.volume, &t, 1)) ||
			    (r = vss_dm_suspend(ctx, sh.volume, VSS_DM_NO_LOCKFS)))
				return r;
			if ((r = vss_dm_resume(ctx, sh.volume)))
				return r;
		}
	}
	if (vol.retired_id) {
		if ((r = pool_message(ctx, &p, "delete %u", vol.retired_id)))
			return r;
		vol.retired_id = 0;
		if ((r = volume_rec_save(ctx, &vol)))
			return r;
	}
	memmove(&rec->sh[i], &rec->sh[i + 1], (rec->n - i - 1) * sizeof(rec->sh[0]));
	rec->n--;
	if ((r = rec->n ? set_rec_save(ctx, "sets", rec) : set_rec_unlink(ctx, "sets", rec->id)))
		return r;
	vss_step(ctx, "%s: reverted to set %.8s (now on its snapshot's data)%s", sh.volume, rec->id,
		 rec->n ? "" : " (its last shadow: the set is gone)");
	return 0;
}
