/*
 * What every operation on a whole set shares: its public view, its
 * teardown, its exposed mounts, and finding it by id or label.
 */
#ifndef VSS_SET_H
#define VSS_SET_H

#include "setrec.h"

/* Whether REC names only what vss made: each shadow's and COW's device,
 * where one of the name exists, carries the record's uuid, and its COW
 * file is the one in its area (its provider's vouch). A refusal (VSS_ERR_USAGE)
 * comes before anything is touched. */
int set_vouch(struct vss_ctx *ctx, const struct set_rec *rec);
/* Removes whatever exists of REC's shadows: exposed mounts (when FORCE),
 * snapshot devices, origin layering no other set needs, COW storage. Each
 * step checks what is there, so it finishes a half-made or half-deleted set
 * as well as a whole one. RESUME: also resume origins left suspended and
 * drop tables loaded but never made live (after an interrupted create). */
int set_teardown(struct vss_ctx *ctx, struct set_rec *rec, bool force, bool resume);

/* The public view of REC, with each shadow's state from the kernel. */
int set_fill(struct vss_ctx *ctx, const struct set_rec *rec, struct vss_set *s);
/* Fails "SET8: exposed on X; ..." when any shadow of REC is mounted. */
int set_exposed_check(struct vss_ctx *ctx, const struct set_rec *rec);
/* Where SH's device is mounted (vss_strv_free *TARGETS). */
int set_shadow_mounts(struct vss_ctx *ctx, const struct shadow_rec *sh, char ***targets, size_t *n);
/* Unmounts SH's device wherever it is mounted. */
int shadow_unexpose(struct vss_ctx *ctx, struct shadow_rec *sh);
int vss_umount(struct vss_ctx *ctx, const char *target);
/* delete-set with the lock held. */
int set_delete_locked(struct vss_ctx *ctx, struct set_rec *rec, bool force);

/* Finds SPEC (an id, a unique prefix of one, or a label) among RECS. */
int set_match(struct vss_ctx *ctx, const char *spec, const struct set_rec *recs, size_t n,
	      size_t *idx);

#endif
