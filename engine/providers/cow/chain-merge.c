/* A chain shadow's chunks given to its older neighbour before it goes
 * (chain.h): only those the neighbour lacks, found in the two COWs'
 * exception tables. */
#include "config.h"
#include "chain.h"
#include "cow-table.h"
#include "dm.h"
#include "setrec.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Copies of less than this are quick: no progress is reported. */
#define PROGRESS_MIN_BYTES (16ULL << 20)

int chain_writable(struct vss_ctx *ctx, const struct shadow_rec *sh, bool rw)
{
	struct vss_dm_info info;
	struct vss_dm_table t;
	int r;

	if ((r = vss_dm_info(ctx, sh->dm_name, &info)))
		return r;
	if (!info.exists || strcmp(info.uuid, sh->dm_uuid))
		return vss_fail(ctx, ENODEV, "/dev/mapper/%s: missing, or not the device vss made",
				sh->dm_name);
	if (info.read_only == !rw)
		return 0;
	if ((r = vss_dm_table(ctx, sh->dm_name, &t)))
		return r;
	r = rw ? vss_dm_load(ctx, sh->dm_name, t.t, t.n) : vss_dm_load_ro(ctx, sh->dm_name, t.t, t.n);
	vss_dm_table_free(&t);
	if (r == 0 && (r = chain_resume(ctx, sh->dm_name, VSS_DM_UDEV_LOW_PRIORITY)))
		(void)vss_dm_clear(ctx, sh->dm_name);
	return r;
}

uint64_t chain_room_need(const struct shadow_rec *sh, const struct cow_table *t, size_t n,
			 uint64_t *left)
{
	uint64_t per_area = (uint64_t)sh->chunk * 512 / 16;
	uint64_t total = sh->cow_sectors / sh->chunk;

	*left = t->used < total ? total - t->used : 0;
	/* (Counts a new metadata area one chunk early: it errs on the safe side.) */
	return n + (t->n % per_area + n + per_area - 1) / per_area;
}

/* Whether INTO's COW can take N more chunks of data, with the metadata
 * areas they open; else why not. */
static int room_for(struct vss_ctx *ctx, const struct shadow_rec *into, const struct cow_table *t,
		    size_t n)
{
	uint64_t left, need = chain_room_need(into, t, n, &left);
	char has[32], wants[32];

	if (need <= left)
		return 0;
	vss_size_format(left * into->chunk * 512, has, sizeof(has));
	vss_size_format(need * into->chunk * 512, wants, sizeof(wants));
	return vss_fail(ctx, ENOSPC, "/dev/mapper/%s, the older shadow that reads through this "
			"one, must take %zu chunks of it (%s), and its COW has %s left: delete the "
			"older set first", into->dm_name, n, wants, has);
}

int chain_copy(struct vss_ctx *ctx, const char *from, const char *into, unsigned chunk,
	       uint64_t sectors, const uint64_t *chunks, size_t n)
{
	size_t len = (size_t)chunk * 512;
	uint64_t end = sectors * 512;
	char src[200], dst[200];
	int in = -1, out = -1, err = 0;
	unsigned shown = 0;
	void *buf = NULL;

	snprintf(src, sizeof(src), "/dev/mapper/%s", from);
	snprintf(dst, sizeof(dst), "/dev/mapper/%s", into);
	if (posix_memalign(&buf, 4096, len))
		return vss_fail(ctx, ENOMEM, "out of memory");
	if ((in = open(src, O_RDONLY | O_DIRECT | O_CLOEXEC)) < 0 ||
	    (out = open(dst, O_WRONLY | O_DIRECT | O_CLOEXEC)) < 0) {
		err = errno;
		free(buf);
		if (in >= 0)
			close(in);
		return vss_fail(ctx, err, "%s: %s", in < 0 ? src : dst, strerror(err));
	}
	for (size_t i = 0; i < n && !err; i++) {
		uint64_t off = chunks[i] * len;
		/* The last chunk may run past the volume's end. */
		size_t want = off + len > end ? (size_t)(end - off) : len;
		ssize_t got;

		if (off >= end)
			continue;
		if ((got = pread(in, buf, want, (off_t)off)) != (ssize_t)want)
			err = got < 0 ? errno : EIO;
		else if ((got = pwrite(out, buf, want, (off_t)off)) != (ssize_t)want)
			err = got < 0 ? errno : EIO;
		if (!err && n * len >= PROGRESS_MIN_BYTES && (i + 1) * 10 / n > shown) {
			shown = (unsigned)((i + 1) * 10 / n);
			vss_step(ctx, "%s: %u%% of %zu chunks copied to /dev/mapper/%s", from, shown * 10,
				 n, into);
		}
	}
	if (!err && fdatasync(out) < 0)
		err = errno;
	close(in);
	close(out);
	free(buf);
	return err ? vss_fail(ctx, err, "copying /dev/mapper/%s to /dev/mapper/%s: %s", from, into,
			      strerror(err)) : 0;
}

int chain_merge(struct vss_ctx *ctx, const struct shadow_rec *from, const struct shadow_rec *into,
		enum chain_merge_how how)
{
	struct cow_table ft, it;
	uint64_t *chunks = NULL;
	char path[200];
	size_t n = 0;
	int r;

	snprintf(path, sizeof(path), "/dev/mapper/%s", from->cow_name);
	if ((r = cow_table_read(ctx, path, &ft)))
		return r;
	snprintf(path, sizeof(path), "/dev/mapper/%s", into->cow_name);
	if ((r = cow_table_read(ctx, path, &it))) {
		cow_table_free(&ft);
		return r;
	}
	/* Overflowed (or failed): every older shadow read through it and is
	 * lost with it. Taken out, it would leave them reading through the
	 * next one as if valid: they go first. */
	if (!ft.fresh && !ft.valid) {
		cow_table_free(&ft);
		cow_table_free(&it);
		return vss_fail(ctx, EBUSY, "/dev/mapper/%s: its COW overflowed, and the older shadows "
				"of %s (/dev/mapper/%s the newest of them), which read through it, are "
				"lost with it: delete their sets first, oldest first", from->dm_name,
				from->volume, into->dm_name);
	}
	/* A COW the kernel never started holds nothing yet; started, it
	 * has a header and its first area. */
	if (it.fresh) {
		it.chunk = ft.chunk;
		it.used = 2;
	}
	if (!it.fresh && !it.valid)
		r = vss_fail(ctx, EIO, "/dev/mapper/%s: its COW overflowed or failed: it cannot take "
			     "what it reads through /dev/mapper/%s", into->dm_name, from->dm_name);
	else if (!(r = cow_table_missing(ctx, &ft, &it, &chunks, &n)) && n)
		r = room_for(ctx, into, &it, n);
	cow_table_free(&ft);
	cow_table_free(&it);
	if (r || !n || how == CHAIN_CHECK) {
		free(chunks);
		return r;
	}
	if (how == CHAIN_COPY)
		vss_log(ctx, VSS_LEVEL_INFO, "%s: %zu chunks go to /dev/mapper/%s", from->dm_name, n,
			into->dm_name);
	r = chain_copy(ctx, from->dm_name, into->dm_name, from->chunk, from->origin_sectors, chunks,
		       n);
	free(chunks);
	return r;
}
