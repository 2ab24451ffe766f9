/*
 * Taking sets apart: delete-set (set-delete.c), the undo of a create that
 * failed, the storage policy, and recovery of either after a crash all
 * come here. Every step looks at what is there before touching it, so the
 * same code finishes a half-made set, a half-deleted one, or a whole one.
 */
#include "config.h"
#include "blockdev.h"
#include "dm.h"
#include "origin.h"
#include "provider.h"
#include "set.h"
#include "setrec.h"
#include "strv.h"

#include <errno.h>
#include <libmount.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/sysmacros.h>
#include <unistd.h>

int vss_umount(struct vss_ctx *ctx, const char *target)
{
	struct libmnt_context *cxt = mnt_new_context();
	int rc, err;

	if (!cxt)
		return vss_fail(ctx, ENOMEM, "out of memory");
	mnt_context_set_target(cxt, target);
	rc = mnt_context_umount(cxt);
	err = mnt_context_get_syscall_errno(cxt);
	mnt_free_context(cxt);
	if (rc != 0)
		return vss_fail(ctx, err ? err : EIO, "%s: cannot unmount: %s", target,
				strerror(err ? err : EIO));
	return 0;
}

/* Where SH's device is mounted: *TARGETS, or none. */
int set_shadow_mounts(struct vss_ctx *ctx, const struct shadow_rec *sh, char ***targets, size_t *n)
{
	struct vss_dm_info info;
	int r;

	char name[130], uuid[130];

	*targets = NULL;
	*n = 0;
	if ((r = provider_expose_dev(ctx, sh, false, name, uuid)) || (r = vss_dm_info(ctx, name, &info)))
		return r;
	if (!info.exists || strcmp(info.uuid, uuid))
		return 0;
	if (vss_blockdev_mounts(makedev(info.major, info.minor), targets, n))
		return vss_fail(ctx, ENOMEM, "out of memory");
	return 0;
}

int shadow_unexpose(struct vss_ctx *ctx, struct shadow_rec *sh)
{
	char **targets;
	bool was_there = false;
	size_t n;
	int r;

	if ((r = set_shadow_mounts(ctx, sh, &targets, &n)))
		return r;
	for (size_t i = n; i-- > 0 && !r;) {
		if ((r = vss_umount(ctx, targets[i])))
			break;
		was_there |= !strcmp(targets[i], sh->exposed);
		/* What unexpose reports; for a delete --force, a detail. */
		if (ctx->op && !strcmp(ctx->op, "unexpose"))
			vss_step(ctx, "/dev/mapper/%s unmounted from %s", sh->dm_name, targets[i]);
		else
			vss_log(ctx, VSS_LEVEL_INFO, "/dev/mapper/%s unmounted from %s", sh->dm_name,
				targets[i]);
	}
	vss_strv_free(targets, n);
	if (r || (provider_of(sh)->unexposed && (r = provider_of(sh)->unexposed(ctx, sh))))
		return r;
	/* The record's word alone removes nothing: only the directory the
	 * shadow was mounted on just now, and only if vss made it. */
	size_t rl = strlen(ctx->run_dir);

	/* Or, unmounted already, one vss made under the run directory. */
	was_there |= !strncmp(sh->exposed, ctx->run_dir, rl) && sh->exposed[rl] == '/';
	if (was_there && sh->exposed_made_dir && rmdir(sh->exposed) == 0) {
		/* RUN_DIR/SET8 goes with its last volume, as does a whole
		 * set's MOUNTPOINT that vss made (exposed_made_dir 2); while
		 * another volume's directory is in it, rmdir leaves it. */
		char parent[4096], *slash;

		snprintf(parent, sizeof(parent), "%s", sh->exposed);
		if ((slash = strrchr(parent, '/')) && slash != parent) {
			*slash = '\0';
			if ((!strncmp(parent, ctx->run_dir, rl) && parent[rl] == '/' &&
			     !strchr(parent + rl + 1, '/')) || sh->exposed_made_dir == 2)
				rmdir(parent);
		}
	}
	sh->exposed[0] = '\0';
	sh->exposed_made_dir = 0;
	return 0;
}

int set_exposed_check(struct vss_ctx *ctx, const struct set_rec *rec)
{
	for (size_t i = 0; i < rec->n; i++) {
		char **targets;
		size_t n;
		int r;

		if ((r = set_shadow_mounts(ctx, &rec->sh[i], &targets, &n)))
			return r;
		if (n) {
			r = vss_fail(ctx, EBUSY, "%.8s: exposed on %s; unexpose it first or use --force",
				     rec->id, targets[0]);
			vss_strv_free(targets, n);
			return r;
		}
	}
	return 0;
}

/* udev (blkid) and desktop daemons open a new device for a moment: a
 * shadow found open is given a few seconds to be closed before it counts
 * as in use. */
static int settle_open(struct vss_ctx *ctx, const struct set_rec *rec, const char *name,
		       int allowed, struct vss_dm_info *info)
{
	struct timespec nap = { 0, 100 * 1000 * 1000 }, now;
	int r;

	/* Only a set made moments ago (or never finished) is worth the wait;
	 * an old one found open is in use. */
	clock_gettime(CLOCK_REALTIME, &now);
	if (rec->created_us && now.tv_sec - rec->created_us / 1000000 > 60)
		return 0;
	for (int i = 0; i < 30 && info->exists && info->open_count > allowed; i++) {
		nanosleep(&nap, NULL);
		if ((r = vss_dm_info(ctx, name, info)))
			return r;
	}
	return 0;
}

/* One of NAME's devices, if it exists, must carry UUID: a name alone is
 * no proof the device is the one vss made. */
static int dm_ours(struct vss_ctx *ctx, const char *name, const char *uuid)
{
	struct vss_dm_info info;
	int r;

	if (!name[0])
		return 0;
	if ((r = vss_dm_info(ctx, name, &info)) || !info.exists || !strcmp(info.uuid, uuid))
		return r;
	return vss_fail_kind(ctx, VSS_ERR_USAGE, EEXIST, "%s: not the device vss made (uuid %s)",
			     name, info.uuid[0] ? info.uuid : "none");
}

int set_vouch(struct vss_ctx *ctx, const struct set_rec *rec)
{
	int r = 0;

	for (size_t i = 0; i < rec->n && !r; i++) {
		const struct shadow_rec *sh = &rec->sh[i];
		const struct provider *p = provider_of(sh);

		if (!(r = dm_ours(ctx, sh->dm_name, sh->dm_uuid)) &&
		    !(r = dm_ours(ctx, sh->cow_name, sh->cow_uuid)) && p->vouch)
			r = p->vouch(ctx, sh);
	}
	return r;
}

int set_teardown(struct vss_ctx *ctx, struct set_rec *rec, bool force, bool resume)
{
	bool deleting = !strcmp(rec->op, "delete");
	int r = 0;

	if ((r = set_vouch(ctx, rec)) || (!force && (r = set_exposed_check(ctx, rec))))
		return r;
	for (size_t i = 0; i < rec->n && !r; i++)
		r = shadow_unexpose(ctx, &rec->sh[i]);
	if (r)
		return r;
	if (deleting)
		vss_fault(ctx, "delete:unexposed");
	for (size_t i = 0; resume && i < rec->n && !r; i++) {
		struct vss_dm_info info;

		if ((r = vss_dm_info(ctx, rec->sh[i].volume, &info)) || !info.exists || !info.suspended)
			continue;
		if (rec->sh[i].origin_uuid[0] && strcmp(info.uuid, rec->sh[i].origin_uuid)) {
			vss_log(ctx, VSS_LEVEL_WARNING, "%s: suspended, but not the volume of this set "
				"(uuid %s): left alone", rec->sh[i].volume, info.uuid);
			continue;
		}
		/* The table a create loaded is dropped, unless the layering
		 * under the volume already changed to need it (a chain's). */
		if (info.inactive_table && !(provider_of(&rec->sh[i])->keeps_loaded &&
					     provider_of(&rec->sh[i])->keeps_loaded(ctx, rec->sh[i].volume)) &&
		    (r = vss_dm_clear(ctx, rec->sh[i].volume)))
			break;
		r = vss_dm_resume(ctx, rec->sh[i].volume);
	}
	/* Whatever of its provider's own rests on a shadow (an older chained
	 * one reading through it) moves off it first. */
	for (size_t i = 0; i < rec->n && !r; i++)
		if (provider_of(&rec->sh[i])->detach)
			r = provider_of(&rec->sh[i])->detach(ctx, rec, i);
	if (r)
		return r;
	if (deleting)
		vss_fault(ctx, "delete:detached");
	for (size_t i = 0; i < rec->n && !r; i++) {
		const struct shadow_rec *sh = &rec->sh[i];
		struct vss_dm_info info;

		if ((r = vss_dm_info(ctx, sh->dm_name, &info)) || !info.exists)
			continue;
		if (strcmp(info.uuid, sh->dm_uuid)) {
			r = vss_fail(ctx, EEXIST, "%s: not the device vss made (uuid %s)", sh->dm_name,
				     info.uuid);
			break;
		}
		if ((r = settle_open(ctx, rec, sh->dm_name, 0, &info)))
			break;
		if (info.open_count > 0) {
			r = vss_fail(ctx, EBUSY, "/dev/mapper/%s: in use (open %d time%s), by a backup "
				     "program perhaps; close it first", sh->dm_name, info.open_count,
				     info.open_count == 1 ? "" : "s");
			break;
		}
		r = vss_dm_remove(ctx, sh->dm_name);
	}
	if (r)
		return r;
	if (deleting)
		vss_fault(ctx, "delete:snapshots-removed");
	for (size_t i = 0; i < rec->n && !r; i++) {
		bool seen = false;

		for (size_t j = 0; j < i && !seen; j++)
			seen = !strcmp(rec->sh[j].volume, rec->sh[i].volume);
		/* Only a provider that layers its origin changed its table. */
		if (seen || !provider_of(&rec->sh[i])->layers_origin)
			continue;
		r = set_volume_in_use(ctx, rec->sh[i].volume, rec->id);
		if (r == 0)
			r = origin_restore(ctx, rec->sh[i].volume);
		else if (r > 0)
			r = 0;
	}
	if (r)
		return r;
	if (deleting)
		vss_fault(ctx, "delete:origins-restored");
	for (size_t i = 0; i < rec->n && !r; i++)
		r = provider_of(&rec->sh[i])->release(ctx, &rec->sh[i]);
	if (!r && deleting)
		vss_fault(ctx, "delete:cow-removed");
	return r;
}

/* The delete itself, the lock held; REC is the set's record. */
int set_delete_locked(struct vss_ctx *ctx, struct set_rec *rec, bool force)
{
	int r;

	/* Refused before the journal is written: a delete that cannot be
	 * done is not begun. */
	if ((r = set_vouch(ctx, rec)) || (!force && (r = set_exposed_check(ctx, rec))))
		return r;
	/* (A scheduled revert is cancelled with its set.) */
	for (size_t i = 0; i < rec->n; i++)
		if (rec->sh[i].merge == MERGE_MERGING || rec->sh[i].merge == MERGE_DONE ||
		    rec->sh[i].merge == MERGE_SWAP)
			return vss_fail(ctx, EBUSY, "set %.8s: its shadow of %s is being merged into it "
					"(a revert); the shadow leaves the set when that is over",
					rec->id, rec->sh[i].volume);
	/* A shadow a program holds open stops the delete before it starts,
	 * not halfway. (A mounted one is unexposed first, with FORCE.) */
	for (size_t i = 0; i < rec->n; i++) {
		struct vss_dm_info info;
		char **mounts;
		size_t nm;

		if ((r = vss_dm_info(ctx, rec->sh[i].dm_name, &info)))
			return r;
		if (!info.exists || strcmp(info.uuid, rec->sh[i].dm_uuid))
			continue;
		const struct provider *p = provider_of(&rec->sh[i]);
		int own;

		if ((r = set_shadow_mounts(ctx, &rec->sh[i], &mounts, &nm)))
			return r;
		vss_strv_free(mounts, nm);
		/* Its provider's own opens (a chain's base) are moved off it. */
		own = p->own_opens ? p->own_opens(ctx, &rec->sh[i]) : 0;
		if ((r = settle_open(ctx, rec, rec->sh[i].dm_name, (int)nm + own, &info)))
			return r;
		/* (Counted as the user sees them: not its provider's own.) */
		if (info.open_count > (int)nm + own)
			return vss_fail(ctx, EBUSY, "/dev/mapper/%s: in use (open %d time%s), by a backup "
					"program perhaps; close it first", rec->sh[i].dm_name,
					info.open_count - own, info.open_count - own == 1 ? "" : "s");
	}
	/* A chained shadow's older neighbour must be able to take what it
	 * reads through it. */
	for (size_t i = 0; i < rec->n; i++)
		if (provider_of(&rec->sh[i])->detach_check &&
		    (r = provider_of(&rec->sh[i])->detach_check(ctx, rec, i)))
			return r;
	snprintf(rec->op, sizeof(rec->op), "delete");
	if ((r = set_rec_save(ctx, "journal", rec)))
		return r;
	vss_fault(ctx, "delete:journal");
	if ((r = set_teardown(ctx, rec, force, false))) {
		/* The journal stays: recovery finishes the delete. */
		char msg[sizeof(ctx->errmsg)];

		snprintf(msg, sizeof(msg), "%s", ctx->errmsg);
		snprintf(ctx->errmsg, sizeof(ctx->errmsg),
			 "%.900s; the delete is begun, and the next vss command finishes it", msg);
		return r;
	}
	if ((r = set_rec_unlink(ctx, "sets", rec->id)))
		return r;
	vss_fault(ctx, "delete:record-removed");
	return set_rec_unlink(ctx, "journal", rec->id);
}
