/* Recovery: what a command cut short left behind, finished or undone. */
#ifndef VSS_RECOVER_H
#define VSS_RECOVER_H

#include "internal.h"

/* How a mutating command starts: the lock, then whatever an interrupted vss
 * left is finished or rolled back. On failure the lock is let go. */
int vss_lock_and_recover(struct vss_ctx *ctx);

/* For recovery and activate: finishes reverts that are over, starts
 * scheduled ones whose volume is free now. */
int revert_recover(struct vss_ctx *ctx, int *fixed);

#endif
