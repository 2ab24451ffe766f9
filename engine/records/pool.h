/*
 * Thin pools vss makes on a storage device (volume import --thin), for the
 * thin provider: shadows are dm-thin snapshots in the pool of their volume.
 * A pool is three devices over its device: vss-NAME-pool-tmeta (dm-linear,
 * the metadata), vss-NAME-pool-tdata (dm-linear, the data) and
 * vss-NAME-pool (thin-pool); its record is STATE_DIR/pools/NAME.conf.
 */
#ifndef VSS_POOL_H
#define VSS_POOL_H

#include "dm.h"

#include <sys/types.h>

#define POOL_UUID_PREFIX "VSS-pool-"

struct pool {
	char name[128];          /* the record's name: the first volume made in it */
	char dm_name[160];       /* vss-NAME-pool */
	char uuid[64];           /* VSS-pool-UUID (-tmeta, -tdata for the slices) */
	char device[4096];       /* its device, as named when it was made */
	char devid[4200];        /* how to find that device after a reboot (devid.h) */
	unsigned bmaj, bmin;
	uint64_t meta_sectors;
	uint64_t data_sectors;
	unsigned block_sectors;
	unsigned next_id;        /* the next thin device id to hand out */
	long long created;
};

int pool_load(struct vss_ctx *ctx, const char *name, struct pool *p);
int pool_save(struct vss_ctx *ctx, const struct pool *p);
/* Every pool, by name. */
int pool_list(struct vss_ctx *ctx, struct pool **pools, size_t *n);
/* The pool made on DEVNO: 0, or -ENOENT (no message) when there is none. */
int pool_on_device(struct vss_ctx *ctx, dev_t devno, struct pool *p);
/* A new pool named NAME over all of DEVICE (DEVNO, BYTES): recorded, its
 * metadata cleared, its devices made. */
int pool_make(struct vss_ctx *ctx, const char *name, const char *device, dev_t devno,
	      uint64_t bytes, struct pool *p);
/* Makes P's devices that are missing (after a reboot), over its device as
 * found now; its major:minor into *MAJ, *MIN. *MADE: something was made. */
int pool_activate(struct vss_ctx *ctx, struct pool *p, unsigned *maj, unsigned *min, bool *made);
/* A new thin device id of P, recorded as handed out before it is used. */
int pool_new_id(struct vss_ctx *ctx, struct pool *p, unsigned *id);
/* create_thin, create_snap, delete: a message to P's pool device. A delete
 * of an id the pool does not have is no error. */
int pool_message(struct vss_ctx *ctx, const struct pool *p, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* P's data space: bytes used of TOTAL; *META_PCT (may be NULL) its
 * metadata's use; MODE "rw", "ro", "out_of_data_space", "Fail" or
 * "inactive". */
int pool_usage(struct vss_ctx *ctx, const struct pool *p, uint64_t *used, uint64_t *total,
	       unsigned *meta_pct, char *mode, size_t mlen);
/* Removes P's devices and record when no volume and no shadow is in it. */
int pool_release_if_unused(struct vss_ctx *ctx, const char *name);
/* The dm name of pool NAME: vss-NAME-pool. */
void pool_dm_name(const char *name, char *buf, size_t len);
/* The table of thin device ID of P (live at MAJ:MIN), SECTORS long. */
void pool_thin_target(unsigned maj, unsigned min, unsigned id, uint64_t sectors,
		      struct vss_dm_target *t, char *params, size_t plen);

#endif
