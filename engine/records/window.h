/* The window marker under RUN_DIR: the origins a create-set is suspending. */
#ifndef VSS_WINDOW_H
#define VSS_WINDOW_H

#include "internal.h"

int window_mark(struct vss_ctx *ctx, char **volumes, char **uuids, size_t n);
void window_clear(struct vss_ctx *ctx);
/* Whether a create-set's window marker names VOLUME: it may be suspended
 * at any moment, and nothing of ours may read it (a read would block). */
bool window_names(struct vss_ctx *ctx, const char *volume);
/* Whether the table loaded on VOLUME, found suspended, must go live: the
 * layering under it was already changed to need it (a chain's base
 * re-pointed). Asked of the layers above, which know. */
typedef bool window_keep_fn(struct vss_ctx *ctx, const char *volume);
/* Resumes every origin a dead process left suspended: on the table it
 * had, unless KEEP (may be NULL) says the one loaded must go live. */
int window_recover(struct vss_ctx *ctx, int *fixed, window_keep_fn *keep);

#endif
