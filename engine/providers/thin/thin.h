/* The thin provider's own parts (thin.c): a dm-thin snapshot in a pool. */
#ifndef VSS_THIN_H
#define VSS_THIN_H

#include "setrec.h"

/* SH as a thin shadow of VOLUME, a thin volume vss made: 0; -ENOENT (no
 * message) when VOLUME is not one. Its id is handed out here. */
int thin_plan(struct vss_ctx *ctx, const char *volume, struct shadow_rec *sh);
/* In the window, every origin suspended: the snapshot taken in the pool. */
int thin_snap(struct vss_ctx *ctx, const struct shadow_rec *sh);
/* SH's device (thin on its id), unless it is there; *MADE says it was not. */
int thin_shadow_make(struct vss_ctx *ctx, const struct shadow_rec *sh, bool *made);
/* SH's snapshot deleted from its pool (its device must be gone). */
int thin_release(struct vss_ctx *ctx, const struct shadow_rec *sh);
/* SH's state and use (its pool's data) for list sets. */
void thin_state(struct vss_ctx *ctx, const struct shadow_rec *sh, struct vss_shadow *d);
/* A revert of REC's thin shadow I: its volume now on the snapshot's data,
 * the shadow out of the set. Each step looks first, so it finishes one cut
 * short. The volume must not be in use. */
int thin_swap(struct vss_ctx *ctx, struct set_rec *rec, size_t i);

#endif
