/*
 * Volumes. A managed volume is a block device vss wrapped in a dm-linear
 * device of the user's chosen name, so that vss can later swap its table
 * (snapshot-origin) without anyone else's manager getting in the way; its
 * record lives in STATE_DIR/volumes/NAME.conf. Any other dm device (an LVM
 * LV, a crypt device) is a volume as it is, found by its path.
 */
#include "config.h"
#include "blockdev.h"
#include "devid.h"
#include "dm.h"
#include "pool.h"
#include "set.h"
#include "state.h"
#include "storage.h"
#include "strv.h"
#include "volume.h"

#include <errno.h>
#include <signal.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>

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

/* Everything that must hold before DEVICE may be wrapped; changes nothing. */
/* DEVICE is not a thin pool's or a storage area's, even an inactive one:
 * neither carries a signature blkid knows. */
int volume_device_not_storage(struct vss_ctx *ctx, const char *device, dev_t devno)
{
	struct pool p;
	int r;

	if ((r = pool_on_device(ctx, devno, &p)) == 0)
		return vss_fail(ctx, EBUSY, "%s: the device of thin pool %s", device, p.name);
	if (r != -ENOENT)
		return r;
	return storage_area_on_device(ctx, device, devno);
}

int volume_device_unused(struct vss_ctx *ctx, const char *device, dev_t devno)
{
	char buf[4096];
	int r;

	vss_blockdev_mountpoint(devno, buf, sizeof(buf));
	if (buf[0])
		return vss_fail(ctx, EBUSY, "%s: is mounted on %s; unmount it first", device, buf);
	vss_blockdev_holders(devno, buf, sizeof(buf));
	if (buf[0])
		return vss_fail(ctx, EBUSY, "%s: is in use by %s", device, buf);
	if ((r = vss_blockdev_claimable(device)) < 0)
		return vss_fail(ctx, -r, "%s: is in use (%s)", device,
				r == -EBUSY ? "held open exclusively, e.g. as swap" : strerror(-r));
	return 0;
}

static int import_checks(struct vss_ctx *ctx, const char *device, const char *name,
			 struct volume_rec *rec)
{
	char why[160], buf[4096];
	struct vss_dm_info info;
	uint64_t bytes;
	dev_t devno;
	int r;

	if (vss_name_check(name, why, sizeof(why)))
		return vss_fail(ctx, EINVAL, "%s: invalid volume name: %s", name, why);
	if ((r = vss_blockdev_devno(ctx, device, &devno)))
		return r;
	vss_blockdev_dm_name(devno, buf, sizeof(buf));
	if (buf[0])
		return vss_fail(ctx, EINVAL,
				"%s: already a device-mapper device (%s): use it as a volume by its path",
				device, buf);
	if ((r = volume_device_unused(ctx, device, devno)) || (r = volume_device_not_storage(ctx, device, devno)) ||
	    (r = vss_blockdev_size(ctx, device, &bytes)))
		return r;
	if (bytes < 512)
		return vss_fail(ctx, EINVAL, "%s: is empty", device);
	if ((r = vss_dm_info(ctx, name, &info)))
		return r;
	if (info.exists)
		return vss_fail(ctx, EEXIST, "%s: a device-mapper device of that name already exists",
				name);
	r = volume_rec_load(ctx, name, rec);
	if (r == 0)
		return vss_fail(ctx, EEXIST, "%s: a managed volume of that name already exists", name);
	if (r != -ENOENT)
		return r;
	memset(rec, 0, sizeof(*rec));
	snprintf(rec->name, sizeof(rec->name), "%s", name);
	snprintf(rec->backing, sizeof(rec->backing), "%s", device);
	rec->bmaj = major(devno);
	rec->bmin = minor(devno);
	vss_devid_of(devno, rec->backing_id, sizeof(rec->backing_id));
	if (!vss_state_value_ok(rec->backing_id))
		rec->backing_id[0] = '\0';
	rec->sectors = bytes / 512;
	rec->created = (long long)time(NULL);
	return 0;
}

int vss_volume_import(struct vss_ctx *ctx, const char *device, const char *name)
{
	char uuid[37], params[64], size[16];
	struct vss_dm_target t = { 0 };
	sigset_t old;
	struct volume_rec rec;
	int r;

	vss_op_begin(ctx, "volume import");
	if ((r = vss_lock_and_recover(ctx)))
		goto out;
	if ((r = import_checks(ctx, device, name, &rec)))
		goto unlock;
	if ((r = vss_uuid_new(uuid))) {
		r = vss_fail(ctx, -r, "cannot make a uuid: %s", strerror(-r));
		goto unlock;
	}
	snprintf(rec.dm_uuid, sizeof(rec.dm_uuid), VOL_UUID_PREFIX "%s", uuid);
	snprintf(params, sizeof(params), "%u:%u 0", rec.bmaj, rec.bmin);
	t.length = rec.sectors;
	t.type = "linear";
	t.params = params;
	/* A device without its record would be an orphan: between the two,
	 * an interrupt waits (SIGKILL cannot; `volume remove` takes orphans). */
	vss_interrupts_hold(&old);
	if ((r = vss_dm_create(ctx, name, rec.dm_uuid, &t, 1, VSS_DM_UDEV_NORMAL)) == 0 &&
	    (r = volume_rec_save(ctx, &rec))) {
		char msg[sizeof(ctx->errmsg)];

		snprintf(msg, sizeof(msg), "%s", ctx->errmsg);
		if (vss_dm_remove(ctx, name))
			snprintf(ctx->errmsg, sizeof(ctx->errmsg),
				 "%.500s; and /dev/mapper/%s, left behind, could not be removed: %.300s",
				 msg, name, vss_errmsg(ctx));
		else
			snprintf(ctx->errmsg, sizeof(ctx->errmsg), "%s", msg);
	}
	vss_interrupts_release(&old);
	if (r)
		goto unlock;
	vss_size_format(rec.sectors * 512, size, sizeof(size));
	vss_step(ctx, "/dev/mapper/%s: linear over %s, %s", name, device, size);
unlock:
	vss_unlock(ctx);
out:
	vss_op_end(ctx, r);
	return r;
}

static int remove_checks(struct vss_ctx *ctx, const char *name, const struct vss_dm_info *info)
{
	struct vss_dm_table tab;
	char where[4096];
	int r;

	vss_blockdev_mountpoint(makedev(info->major, info->minor), where, sizeof(where));
	if (where[0])
		return vss_fail(ctx, EBUSY, "%s: is mounted on %s; unmount it first", name, where);
	if ((r = vss_dm_table(ctx, name, &tab)))
		return r;
	r = tab.n > 0 && strcmp(tab.t[0].type, "linear") && strcmp(tab.t[0].type, "thin");
	vss_dm_table_free(&tab);
	/* A thin volume's shadows are not in its table. */
	if (!r && (r = set_volume_in_use(ctx, name, NULL)) < 0)
		return r;
	if (r)
		return vss_fail(ctx, EBUSY, "%s: has shadows; delete its shadow copy sets first", name);
	vss_blockdev_holders(makedev(info->major, info->minor), where, sizeof(where));
	if (where[0])
		return vss_fail(ctx, EBUSY, "%s: is in use by %s", name, where);
	if (info->open_count > 0)
		return vss_fail(ctx, EBUSY, "%s: is in use (open %d time%s)", name,
				info->open_count, info->open_count == 1 ? "" : "s");
	return 0;
}

int vss_volume_remove(struct vss_ctx *ctx, const char *name)
{
	struct vss_dm_info info;
	struct volume_rec rec;
	char why[160];
	bool orphan = false, has_record;
	int r;

	vss_op_begin(ctx, "volume remove");
	if (vss_name_check(name, why, sizeof(why))) {
		r = vss_fail(ctx, EINVAL, "%s: invalid volume name: %s", name, why);
		goto out;
	}
	if ((r = vss_lock_and_recover(ctx)))
		goto out;
	r = volume_rec_load(ctx, name, &rec);
	if (r && r != -ENOENT)
		goto unlock;
	has_record = r == 0;
	if ((r = vss_dm_info(ctx, name, &info)))
		goto unlock;
	if (!has_record) {
		/* A device of ours without its record: an import cut short by
		 * SIGKILL or power loss. Removing it is what the user wants. */
		orphan = info.exists && !strncmp(info.uuid, VOL_UUID_PREFIX, strlen(VOL_UUID_PREFIX));
		if (!orphan) {
			r = info.exists ?
				vss_fail(ctx, EINVAL, "%s: not a managed volume (vss did not import it)", name) :
				vss_fail(ctx, ENOENT, "%s: no such managed volume", name);
			goto unlock;
		}
	} else if (info.exists && strcmp(info.uuid, rec.dm_uuid)) {
		r = vss_fail(ctx, EINVAL, "%s: the device of that name is not the one vss made (uuid %s)",
			     name, info.uuid[0] ? info.uuid : "none");
		goto unlock;
	}
	/* Not active (before activate): its shadows are recorded all the same. */
	if (!info.exists && has_record && (r = set_volume_in_use(ctx, name, NULL)) != 0) {
		if (r > 0)
			r = vss_fail(ctx, EBUSY, "%s: has shadows; delete its shadow copy sets first", name);
		goto unlock;
	}
	if (info.exists && ((r = remove_checks(ctx, name, &info)) || (r = vss_dm_remove(ctx, name))))
		goto unlock;
	if (orphan) {
		vss_step(ctx, "/dev/mapper/%s removed (it had no record: an import was cut short)", name);
		goto unlock;
	}
	if (rec.pool[0]) {
		/* Its data goes with it: it lives only in the pool. */
		struct pool p;

		if ((r = pool_load(ctx, rec.pool, &p)) || (r = pool_message(ctx, &p, "delete %u", rec.thin_id)) ||
		    (rec.retired_id && (r = pool_message(ctx, &p, "delete %u", rec.retired_id))))
			goto unlock;
	}
	if ((r = volume_rec_unlink(ctx, name)))
		goto unlock;
	if (rec.pool[0]) {
		vss_step(ctx, "/dev/mapper/%s removed, and its data with it (thin volume of pool %s)",
			 name, rec.pool);
		r = pool_release_if_unused(ctx, rec.pool);
		goto unlock;
	}
	vss_step(ctx, "/dev/mapper/%s removed; %s is as it was", name, rec.backing);
unlock:
	vss_unlock(ctx);
out:
	vss_op_end(ctx, r);
	return r;
}
