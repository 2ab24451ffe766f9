/*
 * Thin volumes: volume import --thin makes a thin pool of a storage device
 * (the first time) and a new, empty thin volume in it, whose shadows are
 * then dm-thin snapshots - as many as the pool's space holds, none with a
 * fixed COW area of its own to overflow.
 */
#include "config.h"
#include "area.h"
#include "blockdev.h"
#include "dm.h"
#include "pool.h"
#include "recover.h"
#include "volume-rec.h"
#include "volume.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <time.h>

/* DEVICE may become a pool: nothing uses it, and it holds nothing known. */
static int device_checks(struct vss_ctx *ctx, const char *device, dev_t devno)
{
	char buf[4096], type[64], uuid[64];
	int r;

	vss_blockdev_dm_name(devno, buf, sizeof(buf));
	if (buf[0])
		return vss_fail(ctx, EINVAL, "%s: a device-mapper device (%s): a thin pool needs a "
				"device of its own", device, buf);
	if ((r = volume_device_unused(ctx, device, devno)) ||
	    (r = storage_area_on_device(ctx, device, devno)))
		return r;
	/* A pool's metadata overwrites the start of the device. */
	vss_blockdev_ptable(device, type, sizeof(type));
	if (type[0])
		return vss_fail(ctx, EEXIST, "%s: holds a partition table (%s); a thin pool would "
				"destroy it (wipefs it first if that is what you want)", device, type);
	vss_blockdev_probe(device, type, sizeof(type), uuid, sizeof(uuid));
	if (type[0])
		return vss_fail(ctx, EEXIST, "%s: holds %s %s; a thin pool would destroy it (wipefs "
				"it first if that is what you want)",
				device, strchr("aeiou", type[0]) ? "an" : "a", type);
	return 0;
}

int vss_volume_import_thin(struct vss_ctx *ctx, const char *device, const char *name,
			   uint64_t bytes)
{
	struct vss_dm_target t;
	struct vss_dm_info info;
	struct volume_rec rec;
	struct pool p;
	char why[160], uuid[37], params[64], size[16], psize[16];
	unsigned maj, min;
	uint64_t dev_bytes;
	sigset_t old;
	bool made, new_pool = false;
	dev_t devno;
	int r;

	vss_op_begin(ctx, "volume import");
	if ((r = vss_lock_and_recover(ctx)))
		goto out;
	if (vss_name_check(name, why, sizeof(why))) {
		r = vss_fail(ctx, EINVAL, "%s: invalid volume name: %s", name, why);
		goto unlock;
	}
	if (bytes < 512) {
		r = vss_fail_kind(ctx, VSS_ERR_USAGE, EINVAL, "--thin: a thin volume needs a size");
		goto unlock;
	}
	if ((r = vss_dm_info(ctx, name, &info)))
		goto unlock;
	if (info.exists) {
		r = vss_fail(ctx, EEXIST, "%s: a device-mapper device of that name already exists", name);
		goto unlock;
	}
	if ((r = volume_rec_load(ctx, name, &rec)) == 0) {
		r = vss_fail(ctx, EEXIST, "%s: a managed volume of that name already exists", name);
		goto unlock;
	}
	if (r != -ENOENT || (r = vss_blockdev_devno(ctx, device, &devno)))
		goto unlock;
	if ((r = pool_on_device(ctx, devno, &p)) == -ENOENT) {
		if ((r = device_checks(ctx, device, devno)) ||
		    (r = vss_blockdev_size(ctx, device, &dev_bytes)) ||
		    (r = pool_make(ctx, name, device, devno, dev_bytes, &p)))
			goto unlock;
		new_pool = true;
		vss_size_format(p.data_sectors * 512, psize, sizeof(psize));
		vss_step(ctx, "thin pool %s made on %s: %s of data", p.name, device, psize);
	} else if (r) {
		goto unlock;
	}
	if ((r = pool_activate(ctx, &p, &maj, &min, &made)))
		goto unlock;
	memset(&rec, 0, sizeof(rec));
	snprintf(rec.name, sizeof(rec.name), "%s", name);
	snprintf(rec.backing, sizeof(rec.backing), "%s", device);
	snprintf(rec.pool, sizeof(rec.pool), "%s", p.name);
	rec.bmaj = major(devno);
	rec.bmin = minor(devno);
	rec.sectors = (bytes + 511) / 512;
	rec.sectors = (rec.sectors + p.block_sectors - 1) / p.block_sectors * p.block_sectors;
	rec.created = (long long)time(NULL);
	if ((r = vss_uuid_new(uuid))) {
		r = vss_fail(ctx, -r, "cannot make a uuid: %s", strerror(-r));
		goto unlock;
	}
	snprintf(rec.dm_uuid, sizeof(rec.dm_uuid), VOL_UUID_PREFIX "%s", uuid);
	if ((r = pool_new_id(ctx, &p, &rec.thin_id)) ||
	    (r = pool_message(ctx, &p, "create_thin %u", rec.thin_id))) {
		if (new_pool) {
			char msg[sizeof(ctx->errmsg)];

			snprintf(msg, sizeof(msg), "%s", ctx->errmsg);
			(void)pool_release_if_unused(ctx, p.name);
			snprintf(ctx->errmsg, sizeof(ctx->errmsg), "%s", msg);
		}
		goto unlock;
	}
	pool_thin_target(maj, min, rec.thin_id, rec.sectors, &t, params, sizeof(params));
	/* As import: the device and its record together, or neither. */
	vss_interrupts_hold(&old);
	if ((r = vss_dm_create(ctx, name, rec.dm_uuid, &t, 1, VSS_DM_UDEV_NORMAL)) == 0 &&
	    (r = volume_rec_save(ctx, &rec)))
		(void)vss_dm_remove(ctx, name);
	vss_interrupts_release(&old);
	if (r) {
		char msg[sizeof(ctx->errmsg)];

		snprintf(msg, sizeof(msg), "%s", ctx->errmsg);
		(void)pool_message(ctx, &p, "delete %u", rec.thin_id);
		if (new_pool)
			(void)pool_release_if_unused(ctx, p.name);
		snprintf(ctx->errmsg, sizeof(ctx->errmsg), "%s", msg);
		goto unlock;
	}
	vss_size_format(rec.sectors * 512, size, sizeof(size));
	vss_size_format(p.data_sectors * 512, psize, sizeof(psize));
	vss_step(ctx, "/dev/mapper/%s: thin volume of %s in pool %s (%s of data on %s)%s", name, size,
		 p.name, psize, p.device,
		 rec.sectors > p.data_sectors ? "; bigger than its pool: writes fail once the pool is full" : "");
unlock:
	vss_unlock(ctx);
out:
	vss_op_end(ctx, r);
	return r;
}
