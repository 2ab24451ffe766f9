/* The storage area: where shadows' COW data lives (DESIGN §1, §5). */
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
/* Removes whatever exists of SH's COW: its device and its file. */
int storage_release(struct vss_ctx *ctx, const struct shadow_rec *sh);

#endif
