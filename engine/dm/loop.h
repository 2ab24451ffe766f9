/* Loop devices over the storage area's preallocated files. */
#ifndef VSS_LOOP_H
#define VSS_LOOP_H

#include "internal.h"

/* Attaches FILE to a free loop device with autoclear set, so the loop goes
 * away by itself once the last holder closes it: the returned *FD keeps it
 * until the COW device over it holds it instead; then close *FD. */
int vss_loop_attach(struct vss_ctx *ctx, const char *file, unsigned *major, unsigned *minor,
		    int *fd);

#endif
