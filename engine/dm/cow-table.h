/*
 * The exception table of a persistent dm-snapshot COW, as the kernel
 * writes it (drivers/md/dm-snap-persistent.c): which chunks of its origin
 * a shadow holds, and where. Read from the COW itself, so that what a
 * merge copies is exactly what one shadow holds and another lacks, never
 * found by comparing data.
 *
 * The format, all little-endian: chunk 0 is a header (magic "SnAp" as
 * 0x70416e53, valid, version 1, chunk size in sectors). Then come areas,
 * each one metadata chunk of (old_chunk, new_chunk) pairs of 8 bytes each
 * followed by as many data chunks as the metadata chunk has pairs; area I
 * starts at chunk 1 + I * (pairs + 1). A pair whose new_chunk is 0 ends
 * the table (chunk 0 is the header, so no exception lives there); an area
 * that is full goes on into the next.
 */
#ifndef VSS_COW_TABLE_H
#define VSS_COW_TABLE_H

#include "internal.h"

#include <stdbool.h>
#include <stdint.h>

struct cow_exception {
	uint64_t old_chunk;   /* the origin's chunk */
	uint64_t new_chunk;   /* where the COW holds it */
};

struct cow_table {
	unsigned chunk;       /* sectors */
	bool valid;           /* the header's flag: 0 once it overflowed or failed */
	bool fresh;           /* no header yet: a COW the kernel has not started */
	size_t n;
	struct cow_exception *e;  /* by old_chunk */
	uint64_t used;        /* chunks in use: header, metadata and data */
};

/* Reads the table of the COW at PATH (a device or a file) with direct
 * I/O, past any cache of the device: the kernel writes it underneath.
 * -EBADMSG when it is not a persistent COW or is damaged. */
int cow_table_read(struct vss_ctx *ctx, const char *path, struct cow_table *t);
/* The same from an open descriptor (opened with O_DIRECT, or a file). */
int cow_table_read_fd(struct vss_ctx *ctx, int fd, const char *what, struct cow_table *t);
void cow_table_free(struct cow_table *t);
/* Where T holds OLD_CHUNK; NULL when it does not. */
const struct cow_exception *cow_table_find(const struct cow_table *t, uint64_t old_chunk);
/* The origin chunks FROM holds and INTO lacks, ascending, into *CHUNKS
 * (malloc'd, *N of them): what a shadow read through FROM would lose if
 * FROM went away. Both must have one chunk size. */
int cow_table_missing(struct vss_ctx *ctx, const struct cow_table *from,
		      const struct cow_table *into, uint64_t **chunks, size_t *n);

#endif
