/*
 * Which volumes there are, and what one named on a command line is: every
 * dm device but vss's own, and the managed volumes not yet activated, each
 * with its device's facts and, when vss manages it, its record's. Reads
 * only: no lock, nothing changed.
 */
#include "config.h"
#include "blockdev.h"
#include "dm.h"
#include "state.h"
#include "strv.h"
#include "volume-rec.h"
#include "window.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

/* Whether NAME, or any dm device under it, is suspended: reading it (as
 * blkid does) would then block until someone resumes it. */
static bool stack_suspended(struct vss_ctx *ctx, const char *name, int depth)
{
	struct vss_devno *deps;
	struct vss_dm_info info;
	bool suspended = false;
	size_t n;

	if (depth > 16 || vss_dm_deps(ctx, name, &deps, &n))
		return true;
	for (size_t i = 0; i < n && !suspended; i++) {
		char lower[128];

		vss_blockdev_dm_name(makedev(deps[i].major, deps[i].minor), lower, sizeof(lower));
		if (lower[0])
			suspended = vss_dm_info(ctx, lower, &info) || info.suspended ||
				    stack_suspended(ctx, lower, depth + 1);
	}
	free(deps);
	return suspended;
}

static bool is_internal(const char *uuid)
{
	return !strncmp(uuid, "VSS-", 4) && strncmp(uuid, VOL_UUID_PREFIX, strlen(VOL_UUID_PREFIX));
}

/* Fills VOL with what the kernel says about dm device NAME. */
static int facts(struct vss_ctx *ctx, const char *name, struct vss_volume *vol)
{
	struct vss_dm_info info;
	struct vss_dm_table tab;
	int r;

	memset(vol, 0, sizeof(*vol));
	if ((r = vss_dm_info(ctx, name, &info)))
		return r;
	snprintf(vol->name, sizeof(vol->name), "%s", name);
	snprintf(vol->path, sizeof(vol->path), "/dev/mapper/%s", name);
	if (!info.exists)
		return 0;
	vol->active = true;
	vol->major = info.major;
	vol->minor = info.minor;
	snprintf(vol->dm_uuid, sizeof(vol->dm_uuid), "%s", info.uuid);
	/* vss's own devices are no volumes, and are not opened to find out:
	 * a probe that holds a shadow open, even for a moment, makes a revert
	 * or a delete that checks it is closed see it in use. */
	if (is_internal(vol->dm_uuid))
		return 0;
	if (vss_dm_table(ctx, name, &tab) == 0) {
		vol->size = 0;
		for (size_t i = 0; i < tab.n; i++)
			vol->size += tab.t[i].length * 512;
		vss_dm_table_free(&tab);
	}
	if (info.suspended || !info.live_table || stack_suspended(ctx, name, 0) ||
	    window_names(ctx, name))
		vss_log(ctx, VSS_LEVEL_DEBUG, "%s: suspended (or on a suspended device): not probed",
			name);
	else
		vss_blockdev_probe(vol->path, vol->fstype, sizeof(vol->fstype),
				   vol->fsuuid, sizeof(vol->fsuuid));
	vss_blockdev_mountpoint(makedev(info.major, info.minor), vol->mountpoint,
				sizeof(vol->mountpoint));
	return 0;
}

static void from_record(const struct volume_rec *rec, struct vss_volume *vol)
{
	vol->managed = true;
	snprintf(vol->backing, sizeof(vol->backing), "%s", rec->backing);
	if (!vol->active) {
		snprintf(vol->dm_uuid, sizeof(vol->dm_uuid), "%s", rec->dm_uuid);
		vol->size = rec->sectors * 512;
	}
}

int vss_volume_resolve(struct vss_ctx *ctx, const char *spec, struct vss_volume *vol)
{
	char dmname[128];
	struct volume_rec rec;
	dev_t devno;
	int r;

	memset(vol, 0, sizeof(*vol));
	if (!strchr(spec, '/')) {
		char why[160];
		int f;

		if (vss_name_check(spec, why, sizeof(why)))
			return vss_fail_kind(ctx, VSS_ERR_USAGE, EINVAL, "%s: invalid volume name: %s",
					     spec, why);
		r = volume_rec_load(ctx, spec, &rec);
		if (r && r != -ENOENT)
			return r;
		if ((f = facts(ctx, spec, vol)))
			return f;
		/* The record is this device's only if the uuids agree (or the
		 * device is not there, and the record says what it was). */
		if (r == 0 && (!vol->active || !strcmp(rec.dm_uuid, vol->dm_uuid))) {
			from_record(&rec, vol);
			return 0;
		}
		if (!vol->active)
			return vss_fail(ctx, ENOENT, "%s: no such volume", spec);
	} else {
		if ((r = vss_blockdev_devno(ctx, spec, &devno)))
			return r;
		vss_blockdev_dm_name(devno, dmname, sizeof(dmname));
		if (!dmname[0])
			return vss_fail(ctx, EINVAL,
					"%s: not a device-mapper device (wrap it first: vss volume import %s NAME)",
					spec, spec);
		if ((r = facts(ctx, dmname, vol)))
			return r;
		if (volume_rec_load(ctx, dmname, &rec) == 0 && !strcmp(rec.dm_uuid, vol->dm_uuid)) {
			from_record(&rec, vol);
			return 0;
		}
	}
	if (is_internal(vol->dm_uuid))
		return vss_fail(ctx, EINVAL, "%s: a device vss keeps for itself, not a volume", spec);
	return 0;
}

int vss_volume_list(struct vss_ctx *ctx, struct vss_volume **volsp, size_t *np)
{
	char **dm = NULL, **managed = NULL;
	size_t ndm = 0, nmanaged = 0, n = 0;
	struct vss_volume *vols = NULL;
	int r;

	*volsp = NULL;
	*np = 0;
	if ((r = vss_dm_list(ctx, &dm, &ndm)) ||
	    (r = vss_state_list(ctx, "volumes", ".conf", &managed, &nmanaged)))
		goto out;
	vols = calloc(ndm + nmanaged + 1, sizeof(*vols));
	if (!vols) {
		r = vss_fail(ctx, ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < ndm; i++) {
		struct vss_volume *v = &vols[n];
		struct volume_rec rec;

		if ((r = facts(ctx, dm[i], v)))
			goto out;
		if (!v->active || is_internal(v->dm_uuid))
			continue;
		if (volume_rec_load(ctx, dm[i], &rec) == 0 && !strcmp(rec.dm_uuid, v->dm_uuid))
			from_record(&rec, v);
		n++;
	}
	/* Managed volumes whose device is not there (not activated yet). */
	for (size_t i = 0; i < nmanaged; i++) {
		struct volume_rec rec;
		bool seen = false;

		for (size_t j = 0; j < n && !seen; j++)
			seen = vols[j].managed && !strcmp(vols[j].name, managed[i]);
		if (seen)
			continue;
		if (volume_rec_load(ctx, managed[i], &rec)) {
			vss_log(ctx, VSS_LEVEL_WARNING, "%s", ctx->errmsg);
			continue;
		}
		memset(&vols[n], 0, sizeof(vols[n]));
		snprintf(vols[n].name, sizeof(vols[n].name), "%s", managed[i]);
		snprintf(vols[n].path, sizeof(vols[n].path), "/dev/mapper/%s", managed[i]);
		from_record(&rec, &vols[n]);
		n++;
	}
	*volsp = vols;
	*np = n;
	vols = NULL;
	r = 0;
out:
	free(vols);
	vss_strv_free(dm, ndm);
	vss_strv_free(managed, nmanaged);
	return r;
}
