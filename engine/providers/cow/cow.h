/*
 * The cow provider's own parts: the COW's storage in an area
 * (storage-cow.c), the shadow's table (cow-snapshot.c) and reverts by
 * snapshot-merge (revert-merge.c).
 */
#ifndef VSS_COW_H
#define VSS_COW_H

#include "origin.h"
#include "provider.h"
#include "setrec.h"

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
/* Makes SH's shadow device with its snapshot table loaded over -real
 * (RMAJ:RMIN) and its COW device; live at its next resume. */
int set_snapshot_load(struct vss_ctx *ctx, const struct shadow_rec *sh, unsigned rmaj,
		      unsigned rmin);

/* Refuses a COW size (--cow-size, cow_size) more than a shadow of VOLUME
 * (SIZE bytes) could ever use; a configured one is cut, with a warning. */
int cow_size_check(struct vss_ctx *ctx, const char *volume, uint64_t size,
		   const struct vss_create_opts *o);
/* What PROVIDER (cow, or chain) refuses of VOLUME (SIZE bytes), its
 * shadows layered KIND's way: a thin volume, one layered the other way
 * (-ENOENT unless ASKED: auto tries the next), a COW size too big. */
int cow_volume_check(struct vss_ctx *ctx, const char *provider, enum origin_kind kind,
		     const char *volume, uint64_t size, const struct vss_create_opts *o, bool asked);
/* A dm-snapshot shadow's plan: its COW's names, chunk and size, and room
 * for it in an area. */
int cow_plan(struct vss_ctx *ctx, struct shadow_rec *sh, const struct plan_input *in);
/* COW use from the snapshot's status; invalid when it overflowed, or when
 * its origin's table was swapped from under it. */
void cow_state(struct vss_ctx *ctx, const struct shadow_rec *sh, struct vss_shadow *d);

/* What recovery does for REC's shadow I, if anything: 0 nothing or done
 * (*FINISHED when the shadow left the set), -errno. */
int revert_merge_recover(struct vss_ctx *ctx, struct set_rec *rec, size_t i, bool *finished,
			 int *fixed);
/* Whether VOLUME is merging SH now, and how far: *LEFT sectors still to
 * go. 0 merging; 1 not merging SH; -errno. */
int revert_merge_status(struct vss_ctx *ctx, const struct shadow_rec *sh, uint64_t *left);
/* Starts the merge of REC's shadow I into its volume, which nothing holds. */
int revert_merge_start(struct vss_ctx *ctx, struct set_rec *rec, size_t i);

#endif
