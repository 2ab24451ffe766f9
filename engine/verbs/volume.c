/*
 * volume import and volume remove. A managed volume is a block device vss
 * wrapped in a dm-linear device of the user's chosen name, so that vss can
 * later swap its table (snapshot-origin) without anyone else's manager
 * getting in the way; its record lives in STATE_DIR/volumes/NAME.conf. Any
 * other dm device (an LVM LV, a crypt device) is a volume as it is
 * (volume-list.c).
 */
#include "config.h"
#include "blockdev.h"
#include "devid.h"
#include "dm.h"
#include "pool.h"
#include "recover.h"
#include "setrec.h"
#include "state.h"
#include "volume-rec.h"
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

/* Everything that must hold before DEVICE may be wrapped; changes nothing. */
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
