/* A persistent COW's exception table (engine/dm/cow-table.c), read from
 * images built here as the kernel lays them out: the header, areas that
 * end early, fill and go on, or end with the COW; and what is not a COW
 * or is damaged. tests/dm/dm.bats reads tables the kernel wrote. */
#include "config.h"
#include "cow-table.h"
#include "tap.h"

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHUNK 8                           /* sectors: 4 KiB */
#define BYTES (CHUNK * 512)
#define PER_AREA (BYTES / 16)             /* 256 pairs an area */

static char path[] = "/tmp/vss-test-cow.XXXXXX";
static int fd = -1;

static void put32(unsigned char *p, uint32_t v)
{
	v = htole32(v);
	memcpy(p, &v, 4);
}

static void put64(unsigned char *p, uint64_t v)
{
	v = htole64(v);
	memcpy(p, &v, 8);
}

/* An image of CHUNKS chunks, all zero, with a header when MAGIC. */
static void image(uint32_t magic, uint32_t valid, uint32_t version, uint32_t chunk, size_t chunks)
{
	unsigned char hdr[16];

	if (ftruncate(fd, 0) || ftruncate(fd, (off_t)(chunks * BYTES)))
		exit(99);
	put32(hdr, magic);
	put32(hdr + 4, valid);
	put32(hdr + 8, version);
	put32(hdr + 12, chunk);
	if (pwrite(fd, hdr, sizeof(hdr), 0) != (ssize_t)sizeof(hdr))
		exit(99);
}

/* Pair J of area I: OLD held in NEW. */
static void pair(uint64_t area, size_t j, uint64_t old_chunk, uint64_t new_chunk)
{
	unsigned char p[16];
	uint64_t at = (1 + area * (PER_AREA + 1)) * BYTES + j * 16;

	put64(p, old_chunk);
	put64(p + 8, new_chunk);
	if (pwrite(fd, p, sizeof(p), (off_t)at) != (ssize_t)sizeof(p))
		exit(99);
}

/* Where the kernel puts the Kth data chunk: after each area's metadata. */
static uint64_t data_chunk(uint64_t k)
{
	return 2 + k + k / PER_AREA;
}

static int rd(struct vss_ctx *ctx, struct cow_table *t)
{
	return cow_table_read_fd(ctx, fd, "cow", t);
}

int main(void)
{
	struct vss_ctx *ctx;
	struct cow_table t;
	bool all = true;

	if ((fd = mkstemp(path)) < 0 || vss_ctx_new(&ctx, NULL))
		return 99;
	unlink(path);

	image(0, 0, 0, 0, 4);
	ok(rd(ctx, &t) == 0 && t.fresh && t.valid && t.n == 0,
	   "a COW the kernel has not started: fresh, nothing held");

	image(0x70416e53, 1, 1, CHUNK, 8);
	ok(rd(ctx, &t) == 0 && !t.fresh && t.valid && t.chunk == CHUNK && t.n == 0 && t.used == 2,
	   "a started COW holding nothing: its chunk size, 2 chunks used (header, first area)");

	/* Three chunks copied out in the order the origin was written. */
	pair(0, 0, 700, data_chunk(0));
	pair(0, 1, 5, data_chunk(1));
	pair(0, 2, 42, data_chunk(2));
	ok(rd(ctx, &t) == 0 && t.n == 3, "three exceptions are read");
	ok(t.n == 3 && t.e[0].old_chunk == 5 && t.e[1].old_chunk == 42 && t.e[2].old_chunk == 700,
	   "in the order of the origin's chunks");
	ok(t.used == data_chunk(2) + 1, "used counts up to the last data chunk");
	ok(cow_table_find(&t, 42) && cow_table_find(&t, 42)->new_chunk == data_chunk(2),
	   "a chunk it holds is found, with where");
	ok(!cow_table_find(&t, 43) && !cow_table_find(&t, 0), "one it lacks is not");
	cow_table_free(&t);

	/* A full first area goes on into the second, which ends early. */
	image(0x70416e53, 1, 1, CHUNK, 2 + 2 * (PER_AREA + 1) + 4);
	for (size_t k = 0; k < PER_AREA + 3; k++)
		pair(k / PER_AREA, k % PER_AREA, 3 * k + 1, data_chunk(k));
	ok(rd(ctx, &t) == 0 && t.n == PER_AREA + 3, "a full area goes on into the next (%zu read)",
	   t.n);
	for (size_t k = 0; k < PER_AREA + 3 && t.n == PER_AREA + 3; k++)
		all &= t.e[k].old_chunk == 3 * k + 1 && t.e[k].new_chunk == data_chunk(k);
	ok(all, "every exception of both areas, where the kernel put it");
	cow_table_free(&t);

	/* A full area that ends the COW: the table ends with it. */
	image(0x70416e53, 1, 1, CHUNK, 1 + PER_AREA + 1);
	for (size_t k = 0; k < PER_AREA; k++)
		pair(0, k, k, data_chunk(k));
	ok(rd(ctx, &t) == 0 && t.n == PER_AREA, "a full area at the COW's end ends the table");
	cow_table_free(&t);

	image(0x70416e53, 0, 1, CHUNK, 8);
	pair(0, 0, 9, data_chunk(0));
	ok(rd(ctx, &t) == 0 && !t.valid && t.n == 1, "an invalid COW (overflowed) still reads");
	cow_table_free(&t);

	image(0x12345678, 1, 1, CHUNK, 8);
	ok(rd(ctx, &t) == -EBADMSG, "no SnAp header: refused");
	is_str(vss_errmsg(ctx), "cow: not a persistent snapshot COW (no SnAp header)", "saying so");
	image(0x70416e53, 1, 2, CHUNK, 8);
	ok(rd(ctx, &t) == -EBADMSG, "a version other than 1: refused");
	image(0x70416e53, 1, 1, 12, 8);
	ok(rd(ctx, &t) == -EBADMSG, "a chunk size not a power of 2: refused");
	is_str(vss_errmsg(ctx), "cow: its header names a chunk size the kernel would refuse",
	       "saying so");
	image(0x70416e53, 1, 1, 4, 8);
	ok(rd(ctx, &t) == -EBADMSG, "chunks of 2 KiB: refused");
	is_str(vss_errmsg(ctx), "cow: its chunks are smaller than 4 KiB, which vss never makes",
	       "saying so");

	image(0x70416e53, 1, 1, CHUNK, 8);
	pair(0, 0, 1, 1);
	ok(rd(ctx, &t) == -EBADMSG, "an exception in the first area's metadata chunk: refused");
	is_str(vss_errmsg(ctx), "cow: an exception points into its metadata", "saying so");
	image(0x70416e53, 1, 1, CHUNK, 8);
	pair(0, 0, 1, data_chunk(0));
	pair(0, 1, 1, data_chunk(1));
	ok(rd(ctx, &t) == -EBADMSG && t.n == 0 && !t.e, "a chunk held twice: refused, nothing kept");
	is_str(vss_errmsg(ctx), "cow: a chunk is held twice in its exception table", "saying so");

	image(0x70416e53, 1, 1, CHUNK, 1);
	if (ftruncate(fd, BYTES + 100))
		return 99;
	ok(rd(ctx, &t) == -EBADMSG && !t.chunk && !t.valid && !t.n && !t.e,
	   "a COW that ends inside a metadata area: refused, the table left empty");
	is_str(vss_errmsg(ctx), "cow: it ends inside a metadata area", "saying so");
	if (ftruncate(fd, 100))
		return 99;
	ok(rd(ctx, &t) == -EBADMSG, "a file shorter than a header: refused");
	is_str(vss_errmsg(ctx), "cow: too small for a COW", "saying so");
	ok(cow_table_read(ctx, "/nonexistent/cow", &t) == -ENOENT, "a missing COW: ENOENT");
	is_str(vss_errmsg(ctx), "/nonexistent/cow: No such file or directory", "naming it");

	close(fd);
	/* What one shadow holds and the next older lacks: a merge's list. */
	{
		struct cow_exception fe[] = { { 3, 2 }, { 9, 3 }, { 12, 4 }, { 40, 5 } };
		struct cow_exception ie[] = { { 1, 2 }, { 9, 3 }, { 40, 4 }, { 41, 5 } };
		struct cow_table from = { .chunk = CHUNK, .n = 4, .e = fe };
		struct cow_table into = { .chunk = CHUNK, .n = 4, .e = ie };
		struct cow_table none = { .chunk = CHUNK };
		struct cow_table other = { .chunk = CHUNK * 2, .n = 1, .e = ie };
		uint64_t *c = NULL;
		size_t n = 99;

		ok(cow_table_missing(ctx, &from, &into, &c, &n) == 0 && n == 2 && c[0] == 3 &&
		   c[1] == 12, "missing: the chunks FROM holds that INTO lacks (3 and 12), in order");
		free(c);
		ok(cow_table_missing(ctx, &from, &none, &c, &n) == 0 && n == 4 && c[0] == 3 &&
		   c[3] == 40, "missing from an empty COW: everything FROM holds");
		free(c);
		ok(cow_table_missing(ctx, &none, &into, &c, &n) == 0 && n == 0 && !c,
		   "missing from an empty FROM: nothing");
		ok(cow_table_missing(ctx, &into, &into, &c, &n) == 0 && n == 0,
		   "a COW lacks nothing of itself");
		free(c);
		ok(cow_table_missing(ctx, &from, &other, &c, &n) == -EINVAL && !c &&
		   strstr(vss_errmsg(ctx), "chunks of 8 and 16 sectors"),
		   "COWs of two chunk sizes are refused, named");
	}

	vss_ctx_free(ctx);
	return done_testing();
}
