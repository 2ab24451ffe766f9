/* Storage areas: where shadows' COW data lives, as the state directory
 * records them. */
#ifndef VSS_AREA_H
#define VSS_AREA_H

#include "setrec.h"
#include <sys/types.h>

/* Whether the default directory area is recorded (it is at its first use),
 * and the undoing of that when the set that first used it was undone. */
bool storage_default_recorded(struct vss_ctx *ctx);
void storage_default_forget(struct vss_ctx *ctx);

/* The area the default directory gives. */
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
/* What the sets RECS (and PLAN, the set being made, if any) take of A. */
void area_usage(const struct area *a, const struct set_rec *recs, size_t n,
		const struct set_rec *plan, struct usage *u);
/* Fails when DEVICE (DEVNO) is a storage area's device. */
int storage_area_on_device(struct vss_ctx *ctx, const char *device, dev_t devno);
/* Bytes still free in A. */
uint64_t area_free(struct vss_ctx *ctx, const struct area *a, const struct usage *u,
		   uint64_t planned);

#endif
