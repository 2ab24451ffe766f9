/* Facts about block devices, from the kernel, sysfs (through libudev),
 * libblkid and libmount. */
#ifndef VSS_BLOCKDEV_H
#define VSS_BLOCKDEV_H

#include "internal.h"

#include <sys/types.h>

/* Fails "PATH: no such block device" / "PATH: not a block device". */
int vss_blockdev_devno(struct vss_ctx *ctx, const char *path, dev_t *devno);
int vss_blockdev_size(struct vss_ctx *ctx, const char *path, uint64_t *bytes);
/* Where DEVNO is mounted (first mount), or "" when it is not. */
void vss_blockdev_mountpoint(dev_t devno, char *buf, size_t len);
/* Filesystem type and uuid from libblkid; "" when there is none. */
void vss_blockdev_probe(const char *path, char *type, size_t tlen, char *uuid, size_t ulen);
/* The partition table on PATH ("dos", "gpt"), "" when none. */
void vss_blockdev_ptable(const char *path, char *type, size_t tlen);
/* Space-separated holders (dm-3 md0 ...) from sysfs, "" when none. 0 or
 * -errno: -ENODEV when there is no such device, -ENAMETOOLONG when BUF
 * holds only those that fit. */
int vss_blockdev_holders(dev_t devno, char *buf, size_t len);
/* Whether anything but dm device DM_NAME holds DEVNO. */
bool vss_blockdev_held_by_other(dev_t devno, const char *dm_name);
/* The dm name when DEVNO is a device-mapper device, else "". 0, or -ENODEV
 * when the kernel has no such device. */
int vss_blockdev_dm_name(dev_t devno, char *buf, size_t len);
/* 0, or -EBUSY when something (a mount, swap, dm, md) holds it exclusively. */
int vss_blockdev_claimable(const char *path);

/* Whether TOP is LOWER or lies on it (through dm, md, ... slaves, and the
 * filesystem holding a loop device's file). */
bool vss_blockdev_stacked_on(dev_t top, dev_t lower);
/* The block device of the filesystem PATH lives on; 0 when there is none. */
int vss_blockdev_of_path(struct vss_ctx *ctx, const char *path, dev_t *devno);
/* Every mountpoint of DEVNO (vss_strv_free them). */
int vss_blockdev_mounts(dev_t devno, char ***targets, size_t *n);

/* Whether anything holds the dm device VOLUME (WHY says what, "" when
 * nothing): a revert or a removal must not change data in use. An open
 * that is not a mount gets up to GRACE_MS to close: udev's probe of a
 * device closed after a write, or a listing's look at it with blkid, lasts
 * milliseconds, and must not defer a revert asked for now. */
int volume_busy(struct vss_ctx *ctx, const char *volume, int grace_ms, char *why, size_t len);
/* The grace a command asked for now gives (recovery's looks give none). */
#define VOLUME_BUSY_GRACE_MS 2000

#endif
