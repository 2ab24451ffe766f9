/* Managed volumes as the engine's other parts need them (activate.c). */
#ifndef VSS_VOLUME_H
#define VSS_VOLUME_H

#include "dm.h"

/* 0 and NAME's dm uuid when NAME is a managed volume; -ENOENT (no
 * message) when it is not; -errno when its record cannot be read. */
int volume_managed_uuid(struct vss_ctx *ctx, const char *name, char *uuid, size_t len);
/* NAME's own table: dm-linear over its backing device as found now (by the
 * identity recorded at import, devid.h, since its number may have changed
 * with the reboot), into T with PARAMS as its storage. Fails naming NAME
 * and why when that device is missing, smaller than the volume, or in use.
 * DEV gets the device's path; a new number is recorded. */
int volume_table(struct vss_ctx *ctx, const char *name, struct vss_dm_target *t, char *params,
		 size_t plen, char *dev, size_t dlen);

#endif
