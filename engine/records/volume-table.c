/* A managed volume's own table after a reboot: dm-linear over its backing
 * device, found again by the identity recorded at import, or a thin
 * volume's thin target in its pool (activated first). */
#include "config.h"
#include "blockdev.h"
#include "devid.h"
#include "dm.h"
#include "pool.h"
#include "volume-rec.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

/* Where NAME's backing device is now. */
static int backing_find(struct vss_ctx *ctx, const struct volume_rec *rec, dev_t *devno)
{
	struct stat st;

	if (rec->backing_id[0]) {
		if (vss_devid_find(rec->backing_id, devno) == 0)
			return 0;
		return vss_fail(ctx, ENODEV, "%s: its device is not present (%s, imported from %s)",
				rec->name, rec->backing_id, rec->backing);
	}
	/* Nothing names it but its path and number: both must agree. */
	if (stat(rec->backing, &st) < 0 || !S_ISBLK(st.st_mode))
		return vss_fail(ctx, ENODEV, "%s: its device %s is not present", rec->name,
				rec->backing);
	if (major(st.st_rdev) != rec->bmaj || minor(st.st_rdev) != rec->bmin)
		return vss_fail(ctx, ENODEV, "%s: %s is now %u:%u, not %u:%u as when imported, and "
				"nothing else tells it is the same device", rec->name, rec->backing,
				major(st.st_rdev), minor(st.st_rdev), rec->bmaj, rec->bmin);
	*devno = st.st_rdev;
	return 0;
}

int volume_table(struct vss_ctx *ctx, const char *name, struct vss_dm_target *t, char *params,
		 size_t plen, char *dev, size_t dlen)
{
	char holders[1024], where[4096], have[16], need[16];
	struct volume_rec rec;
	uint64_t bytes;
	dev_t devno;
	int r;

	if ((r = volume_rec_load(ctx, name, &rec)))
		return r;
	if (rec.pool[0]) {
		struct pool p;
		unsigned maj, min;
		bool made;

		if ((r = pool_load(ctx, rec.pool, &p)) || (r = pool_activate(ctx, &p, &maj, &min, &made)))
			return r;
		pool_thin_target(maj, min, rec.thin_id, rec.sectors, t, params, plen);
		snprintf(dev, dlen, "thin pool %s", rec.pool);
		return 0;
	}
	if ((r = backing_find(ctx, &rec, &devno)))
		return r;
	vss_devid_node(devno, dev, dlen);
	if (!dev[0])
		return vss_fail(ctx, ENODEV, "%s: its device %u:%u has no node", name, major(devno),
				minor(devno));
	if ((r = vss_blockdev_size(ctx, dev, &bytes)))
		return r;
	if (bytes < rec.sectors * 512) {
		vss_size_format(bytes, have, sizeof(have));
		vss_size_format(rec.sectors * 512, need, sizeof(need));
		return vss_fail(ctx, ENOSPC, "%s: its device %s is %s, smaller than the volume (%s)",
				name, dev, have, need);
	}
	/* Mounted or held directly: what was written there went around the
	 * volume, and around its shadows. */
	vss_blockdev_mountpoint(devno, where, sizeof(where));
	if (where[0])
		return vss_fail(ctx, EBUSY, "%s: its device %s is mounted on %s (not through "
				"/dev/mapper/%s); unmount it first", name, dev, where, name);
	vss_blockdev_holders(devno, holders, sizeof(holders));
	if (holders[0])
		return vss_fail(ctx, EBUSY, "%s: its device %s is in use by %s", name, dev, holders);
	snprintf(params, plen, "%u:%u 0", major(devno), minor(devno));
	memset(t, 0, sizeof(*t));
	t->length = rec.sectors;
	t->type = "linear";
	t->params = params;
	if (major(devno) != rec.bmaj || minor(devno) != rec.bmin) {
		vss_log(ctx, VSS_LEVEL_INFO, "%s: its device is %s (%u:%u) now, %u:%u before", name,
			dev, major(devno), minor(devno), rec.bmaj, rec.bmin);
		rec.bmaj = major(devno);
		rec.bmin = minor(devno);
		if ((r = volume_rec_save(ctx, &rec)))
			return r;
	}
	return 0;
}
