/* The storage area: where shadows' COW data lives. */
#ifndef VSS_STORAGE_H
#define VSS_STORAGE_H

#include "set.h"

#include <sys/types.h>

/* Finds room for SH's COW (SH->cow_sectors) in an area that does not lie on
 * any of the set's MEMBERS, counting what PLAN (the set being made) already
 * took; fills SH->area and SH->cow_file or SH->cow_offset. Changes nothing
 * on disk. Fails with kind STORAGE_FULL when no area has room. */
int storage_alloc(struct vss_ctx *ctx, const struct set_rec *plan, struct shadow_rec *sh,
		  const dev_t *members, char *const *names, size_t nmembers);
/* Makes SH's COW device (vss-SET8-VOLUME-cow) and clears its header. */
int storage_make(struct vss_ctx *ctx, const struct shadow_rec *sh);
/* After a reboot: SH's COW device again over what its area still holds (the
 * persistent exception store, never cleared here). *MADE: it was missing. */
int storage_attach(struct vss_ctx *ctx, const struct shadow_rec *sh, bool *made);
/* Refuses (VSS_ERR_USAGE) when SH's record names a COW file that is not
 * the one vss made in its area's directory: checked before a teardown
 * touches anything. */
int storage_check(struct vss_ctx *ctx, const struct shadow_rec *sh);
/* Removes whatever exists of SH's COW: its device and its file. */
int storage_release(struct vss_ctx *ctx, const struct shadow_rec *sh);
/* Whether the default directory area is recorded (it is at its first use),
 * and the undoing of that when the set that first used it was undone. */
bool storage_default_recorded(struct vss_ctx *ctx);
void storage_default_forget(struct vss_ctx *ctx);

/* Between storage-area.c, storage-cow.c and storage.c. */
#define DEFAULT_AREA "default"

struct area {
	char id[64];
	bool device;
	bool implicit;
	char path[4096];
	unsigned major, minor;
	char devid[4200];   /* device: how to find it after a reboot (devid.h) */
	uint64_t sectors;   /* device */
	uint64_t max;       /* bytes, 0: none */
	long long added;
};

struct usage {
	uint64_t used;      /* bytes */
	unsigned shadows;
};

/* The recorded areas, oldest first, the default one included. */
int areas_load(struct vss_ctx *ctx, struct area **areas, size_t *n);
int area_save(struct vss_ctx *ctx, const struct area *a);
/* The area recorded as ID. */
int area_find(struct vss_ctx *ctx, const char *id, struct area *out);
/* Fails unless a device area is still the device that was added; its
 * number (A->major, A->minor) may have changed since, with a reboot. */
int area_verify(struct vss_ctx *ctx, struct area *a);
/* After a reboot: records the numbers device areas have now. */
int storage_areas_refresh(struct vss_ctx *ctx);
/* Every set holding storage: committed ones and those being made. */
int storage_shadows_all(struct vss_ctx *ctx, struct set_rec **recs, size_t *n);
/* What the sets RECS (and PLAN, the set being made, if any) take of A. */
void area_usage(const struct area *a, const struct set_rec *recs, size_t n,
		const struct set_rec *plan, struct usage *u);
/* Fails when DEVICE (DEVNO) is a storage area's device. */
int storage_area_on_device(struct vss_ctx *ctx, const char *device, dev_t devno);
/* Bytes still free in A. */
uint64_t area_free(struct vss_ctx *ctx, const struct area *a, const struct usage *u,
		   uint64_t planned);

#endif
