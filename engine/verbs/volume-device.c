/* Whether a device may become a volume or a pool: nothing uses it, and it
 * is not storage vss already keeps. Checks only; nothing changed. */
#include "config.h"
#include "area.h"
#include "blockdev.h"
#include "pool.h"
#include "volume.h"

#include <errno.h>
#include <string.h>


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
