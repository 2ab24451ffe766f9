/*
 * A volume reverted to one of its chained shadows, K. Every chunk written
 * since K's instant is held by K's COW or a newer one's (the first write to
 * a chunk is copied out to the newest shadow of its time, and a delete
 * gives the older neighbour what it lacks); nothing else changed. So those
 * chunks, as K shows them, are written back into the volume through its
 * snapshot-origin, which copies the volume's data out to the newest shadow
 * first: every other shadow keeps its instant. K is then consumed as a
 * reverted shadow is (taken out of its chain, as by a delete) and leaves
 * its set. The copy runs again whole after a kill: it writes the same.
 */
#include "config.h"
#include "chain.h"
#include "cow-table.h"
#include "dm.h"
#include "origin.h"
#include "setrec.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int by_chunk(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* The chunks LINKS[FROM..N-1]'s COWs hold, sorted and each once, into
 * *OUT (*NOUT); the newest's table into NEWEST. */
static int chunks_since(struct vss_ctx *ctx, const struct chain_link *links, size_t from, size_t n,
			uint64_t **out, size_t *nout, struct cow_table *newest)
{
	uint64_t *all = NULL;
	size_t k = 0;
	int r = 0;

	*out = NULL;
	*nout = 0;
	for (size_t j = from; j < n && !r; j++) {
		struct cow_table t;
		char path[200];
		snprintf(path, sizeof(path), "/dev/mapper/%s", links[j].sh.cow_name);
		if ((r = cow_table_read(ctx, path, &t)))
			break;
		if (!t.fresh && !t.valid) {
			r = vss_fail(ctx, EIO, "/dev/mapper/%s: its COW overflowed or failed: the shadows "
				     "older than it are lost", links[j].sh.dm_name);
		} else if (t.n) {
			uint64_t *grown = realloc(all, (k + t.n) * sizeof(*all));

			if (!grown)
				r = vss_fail(ctx, ENOMEM, "out of memory");
			for (size_t e = 0; grown && e < t.n; e++)
				grown[k++] = t.e[e].old_chunk;
			if (grown)
				all = grown;
		}
		if (j == n - 1 && !r)
			*newest = t;
		else
			cow_table_free(&t);
	}
	if (r) {
		free(all);
		return r;
	}
	if (k)
		qsort(all, k, sizeof(*all), by_chunk);
	for (size_t i = 0; i < k; i++)
		if (!*nout || all[*nout - 1] != all[i])
			all[(*nout)++] = all[i];
	*out = all;
	return 0;
}

/* The newest's COW takes a copy of every chunk of CHUNKS it lacks. */
static int newest_room(struct vss_ctx *ctx, const struct shadow_rec *newest,
		       const struct cow_table *t, const uint64_t *chunks, size_t n)
{
	uint64_t left, need;
	size_t lack = 0;
	char has[32], wants[32];

	for (size_t i = 0; i < n; i++)
		lack += !cow_table_find(t, chunks[i]);
	if (!lack || (need = chain_room_need(newest, t, lack, &left)) <= left)
		return 0;
	vss_size_format(left * newest->chunk * 512, has, sizeof(has));
	vss_size_format(need * newest->chunk * 512, wants, sizeof(wants));
	return vss_fail(ctx, ENOSPC, "%s: the revert overwrites %zu chunks whose data the newest "
			"shadow (/dev/mapper/%s) must keep first (%s), and its COW has %s left: "
			"delete that set first", newest->volume, lack, newest->dm_name, wants, has);
}

int chain_revert_copy(struct vss_ctx *ctx, const struct set_rec *rec, size_t i, bool check_only)
{
	const struct shadow_rec *k = &rec->sh[i];
	struct chain_link *links;
	struct cow_table newest = { 0 };
	uint64_t *chunks = NULL;
	size_t n, at, nchunks;
	int r;

	if ((r = chain_of(ctx, k->volume, NULL, &links, &n)))
		return r;
	for (at = 0; at < n && strcmp(links[at].set, rec->id); at++)
		;
	if (at == n) {
		free(links);
		return vss_fail(ctx, ENOENT, "set %.8s: its shadow of %s is not in the chain's records",
				rec->id, k->volume);
	}
	if ((r = chunks_since(ctx, links, at, n, &chunks, &nchunks, &newest)) == 0)
		r = newest_room(ctx, &links[n - 1].sh, &newest, chunks, nchunks);
	if (!r && !check_only) {
		vss_log(ctx, VSS_LEVEL_INFO, "%s: %zu chunks written since set %.8s go back", k->volume,
			nchunks, rec->id);
		r = chain_copy(ctx, k->dm_name, k->volume, k->chunk, k->origin_sectors, chunks,
			       nchunks);
	}
	cow_table_free(&newest);
	free(chunks);
	free(links);
	return r;
}
