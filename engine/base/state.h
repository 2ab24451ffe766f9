/* The state directory: small INI files, each replaced atomically. */
#ifndef VSS_STATE_H
#define VSS_STATE_H

#include "internal.h"

#include <ini.h>

/* Whether V can be written as a value in a state file and read back as
 * it was: no comment characters, quotes, backslashes or control characters,
 * no trailing space, not empty. */
bool vss_state_value_ok(const char *v);
/* Writes DATA to STATE_DIR/REL: temp file, fsync, rename, fsync the dir. */
int vss_state_write(struct vss_ctx *ctx, const char *rel, const char *data, size_t len);
/* Removes STATE_DIR/REL and makes that durable; a missing file is -ENOENT. */
int vss_state_unlink(struct vss_ctx *ctx, const char *rel);
/* Parses STATE_DIR/REL with inih; -ENOENT when it does not exist. */
int vss_state_read(struct vss_ctx *ctx, const char *rel, ini_handler fn, void *data);
/* Names (without SUFFIX) of the files ending in SUFFIX under STATE_DIR/SUB,
 * sorted; free with vss_strv_free. */
int vss_state_list(struct vss_ctx *ctx, const char *sub, const char *suffix,
		   char ***names, size_t *n);

#endif
