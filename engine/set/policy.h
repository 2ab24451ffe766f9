/* The storage policy's part in making a set (policy.c) and in the monitor. */
#ifndef VSS_POLICY_H
#define VSS_POLICY_H

#include "setrec.h"

/* The sets the policy may delete, oldest first: those with a shadow of one
 * of VOLUMES, then (OTHERS) any other. Persistent, not open (nor exposed),
 * not being reverted. */
int policy_victims(struct vss_ctx *ctx, char *const *volumes, size_t n, bool others,
		   struct set_rec **out, size_t *nout);
/* Deletes REC (the lock held), with a warning saying it was for WHY. */
int policy_delete(struct vss_ctx *ctx, struct set_rec *rec, const char *why);
/* max_sets_per_volume for a new set of VOLUMES: refused (kind
 * STORAGE_FULL), or room made by deleting each one's oldest sets. */
int policy_count_room(struct vss_ctx *ctx, char *const *volumes, size_t n);
/* TRY_PLAN finds storage for the new set (from scratch each call); when it
 * fails for want of room and on_full is delete-oldest, the fewest oldest
 * sets whose deletion would make that room are deleted, and it runs again.
 * When no deletion could make it, nothing is deleted. */
int policy_plan_room(struct vss_ctx *ctx, char *const *volumes, size_t n,
		     int (*try_plan)(struct vss_ctx *ctx, void *arg), void *arg);

#endif
