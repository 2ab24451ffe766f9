/*
 * What vss may trust in its own directories. It runs as root and acts on
 * the files it finds there, so a directory anyone else could write to, or a
 * file that is a link to somewhere else, is refused (as VSS_ERR_USAGE, with
 * the path and the reason), never used. Every file is opened relative to
 * its directory's descriptor, so a name swapped after the check leads
 * nowhere.
 */
#ifndef VSS_TRUST_H
#define VSS_TRUST_H

#include "internal.h"

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

/* Whether UID may own what vss trusts: root, or the user vss runs as. */
bool trust_owner(uid_t uid);

/* Opens DIR (absolute) after checking it and every directory on the way
 * from "/": owned by root (or us), not writable by group or others (a
 * directory above it may be, if it is sticky, as /tmp is). Symbolic links
 * on the way are followed only where they are as trusted. When MODE is
 * not 0, a missing DIR is made with MODE and its missing parents 0755.
 * WHAT ("state directory") begins every message. */
int trust_dir_open(struct vss_ctx *ctx, const char *what, const char *dir, mode_t mode, int *fdp);
/* As MODE: make nothing, and where a directory is missing stop there with
 * 0 and *FDP -1 (check-config: what a command would find or make). */
#define TRUST_PROBE ((mode_t)010000000)

/* Opens NAME (one component) under DIRFD, whose path is DIRPATH, as a
 * directory, checked as DIR is above. MODE: made with it when missing,
 * else a missing one is -ENOENT. */
int trust_subdir(struct vss_ctx *ctx, int dirfd, const char *dirpath, const char *name,
		 mode_t mode, int *fdp);

/* Opens the file NAME under DIRFD with FLAGS (O_CREAT allowed, with MODE),
 * never following a link, and refuses it unless it is a regular file with
 * one link, owned by root (or us), not writable by group or others.
 * A missing file is -ENOENT (message set too). */
int trust_file_open(struct vss_ctx *ctx, int dirfd, const char *dirpath, const char *name,
		    int flags, mode_t mode, int *fdp);

/* Replaces NAME under DIRFD with DATA: a new file made beside it
 * (O_EXCL), synced, renamed over NAME, and the directory synced. Whatever
 * was at NAME (a link included) is replaced, never written through. */
int trust_file_replace(struct vss_ctx *ctx, int dirfd, const char *dirpath, const char *name,
		       const void *data, size_t len, mode_t mode);

/* Removes NAME under DIRFD and syncs the directory; a missing NAME is
 * -ENOENT. Only the name goes: a link is removed, never followed. */
int trust_unlink(struct vss_ctx *ctx, int dirfd, const char *dirpath, const char *name);

/* "a symbolic link", "a fifo", ...: what ST is, for messages. */
const char *trust_kind(const struct stat *st);

#endif
