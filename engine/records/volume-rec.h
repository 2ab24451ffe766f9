/* Managed volumes as the state directory records them, and the table
 * each is made of. */
#ifndef VSS_VOLUME_REC_H
#define VSS_VOLUME_REC_H

#include "dm.h"

#define VOL_UUID_PREFIX "VSS-vol-"

/* A managed volume's record: STATE_DIR/volumes/NAME.conf. */
struct volume_rec {
	char name[128];
	char dm_uuid[130];
	char backing[4096];
	char backing_id[4200];   /* how to find it after a reboot (devid.h) */
	unsigned bmaj, bmin;
	uint64_t sectors;
	long long created;
	char pool[128];          /* a thin volume: its pool, and its id there */
	unsigned thin_id;
	unsigned retired_id;     /* a revert's: the id it had, until deleted */
};

/* 0 and R filled; -ENOENT (message set) when NAME is not managed. */
int volume_rec_load(struct vss_ctx *ctx, const char *name, struct volume_rec *r);
int volume_rec_save(struct vss_ctx *ctx, const struct volume_rec *r);
int volume_rec_unlink(struct vss_ctx *ctx, const char *name);
/* Whether a volume of POOL lives on thin ID, or has it retired (a revert
 * under way): 1, 0, -errno. */
int volume_uses_id(struct vss_ctx *ctx, const char *pool, unsigned id);
/* Whether NAME is a thin volume vss made (in one of its pools). */
bool volume_is_thin(struct vss_ctx *ctx, const char *name);
/* How many managed volumes are thin volumes of POOL; -errno. */
int volume_count_in_pool(struct vss_ctx *ctx, const char *pool);

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
