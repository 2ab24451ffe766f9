/* What the volume and storage verbs check of a device before taking it. */
#ifndef VSS_VOLUME_H
#define VSS_VOLUME_H

#include "internal.h"
#include <sys/types.h>

/* DEVICE (DEVNO) is not mounted, held by another device, or open
 * exclusively: fails naming what uses it. */
int volume_device_unused(struct vss_ctx *ctx, const char *device, dev_t devno);
/* Fails when DEVICE is a thin pool's or a storage area's device. */
int volume_device_not_storage(struct vss_ctx *ctx, const char *device, dev_t devno);

#endif
