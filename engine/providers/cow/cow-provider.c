/*
 * The cow provider: a dm-snapshot shadow whose COW is a slice of a storage
 * area (storage-cow.c), over the origin's -real layer (origin.c). The
 * origin is reloaded as snapshot-origin before the window; in it, the
 * shadow is made live.
 */
#include "config.h"
#include "cow.h"
#include "dm.h"
#include "origin.h"
#include "provider.h"
#include "setrec.h"
#include "volume-rec.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* A COW smaller than this many chunks would fill before it is any use. */
#define MIN_COW_CHUNKS 32

/* The most a COW of a volume of SIZE bytes can ever use with chunks of
 * CHUNK_BYTES: every chunk, each with its 16-byte exception entry, and a
 * header chunk. */
static uint64_t cow_most(uint64_t size, uint64_t chunk_bytes)
{
	return size + size / chunk_bytes * 16 + 2 * chunk_bytes;
}

/* BYTES as vss_size_format shows sizes, but rounded down: a size the
 * user may give back and have it fit. */
static void size_format_down(uint64_t bytes, char *buf, size_t len)
{
	static const char units[] = "BKMGTPE";
	uint64_t unit = 1;
	unsigned u = 0, tenth;

	while (bytes / unit >= 1024 && u < sizeof(units) - 2) {
		unit *= 1024;
		u++;
	}
	tenth = (unsigned)((long double)(bytes % unit) * 10 / unit);
	if (tenth)
		snprintf(buf, len, "%llu.%c%c", (unsigned long long)(bytes / unit), '0' + tenth % 10,
			 units[u]);
	else
		snprintf(buf, len, "%llu%c", (unsigned long long)(bytes / unit), units[u]);
}

/* A COW size (--cow-size, or cow_size of the configuration) more than a
 * shadow of the volume could ever use is refused, not cut down behind the
 * user's back: a size vss was given is the size it makes, or nothing. A
 * percentage never is (100% is less than the most). */
int cow_size_check(struct vss_ctx *ctx, const char *volume, uint64_t size,
		   const struct vss_create_opts *o)
{
	uint64_t chunk = o->chunk_bytes ? o->chunk_bytes : VSS_DEFAULT_CHUNK_BYTES;
	uint64_t most = cow_most(size, chunk);
	char asked[32], fits[32], vsize[32];

	if (!o->cow_bytes || o->cow_bytes <= most)
		return 0;
	vss_size_format(o->cow_bytes, asked, sizeof(asked));
	size_format_down(most, fits, sizeof(fits));
	vss_size_format(size, vsize, sizeof(vsize));
	/* One cow_size for every volume of the machine: a small volume gets
	 * what it can use, and is told so. */
	if (o->cow_default) {
		vss_log(ctx, VSS_LEVEL_WARNING, "%s: cow_size %s is more than its shadow could ever "
			"use: it gets %s (all %s of it, with the COW's own index)", volume, asked, fits,
			vsize);
		return 0;
	}
	return vss_fail_kind(ctx, VSS_ERR_USAGE, EINVAL, "%s: a COW of %s is more than it could "
			     "ever use; give at most %s (all %s of it, with the COW's own index)",
			     volume, asked, fits, vsize);
}

int cow_volume_check(struct vss_ctx *ctx, const char *provider, enum origin_kind kind,
		     const char *volume, uint64_t size, const struct vss_create_opts *o, bool asked)
{
	int r;

	/* Its table cannot be layered: the thin id would be open twice. A
	 * thin snapshot is the better shadow. */
	if (volume_is_thin(ctx, volume))
		return asked ? vss_fail(ctx, EINVAL, "%s: a thin volume: its shadows are thin "
					"snapshots (--provider %s is for other volumes)", volume,
					provider)
			     : -ENOENT;
	/* Layered the other way (cow's, or a chain's): auto goes on to the
	 * provider that layered it. */
	if ((r = origin_usable(ctx, volume, kind)))
		return r == -EXDEV && !asked ? -ENOENT : r;
	return cow_size_check(ctx, volume, size, o);
}

static int cow_check(struct vss_ctx *ctx, const char *volume, uint64_t size,
		     const struct vss_create_opts *o, bool asked)
{
	return cow_volume_check(ctx, "cow", ORIGIN_DIRECT, volume, size, o, asked);
}

int cow_plan(struct vss_ctx *ctx, struct shadow_rec *sh, const struct plan_input *in)
{
	const struct vss_create_opts *o = in->opts;
	uint64_t chunk = (o->chunk_bytes ? o->chunk_bytes : VSS_DEFAULT_CHUNK_BYTES) / 512;
	unsigned pct = o->cow_percent ? o->cow_percent : VSS_DEFAULT_COW_PERCENT;
	uint64_t bytes = o->cow_bytes ? o->cow_bytes : in->volume_bytes / 100 * pct;
	char need[16];

	/* More than cow_most: cow_check refused an asked size, and said it of
	 * a default, which is cut here. */
	if (bytes > cow_most(in->volume_bytes, chunk * 512))
		bytes = cow_most(in->volume_bytes, chunk * 512);
	snprintf(sh->cow_name, sizeof(sh->cow_name), "vss-%.8s-%.100s-cow", in->set->id, sh->volume);
	snprintf(sh->cow_uuid, sizeof(sh->cow_uuid), COW_UUID_PREFIX "%s-%zu", in->set->id,
		 in->index);
	sh->chunk = (unsigned)chunk;
	sh->origin_sectors = in->volume_bytes / 512;
	sh->cow_sectors = (bytes / 512 + chunk - 1) / chunk * chunk;
	if (sh->cow_sectors < MIN_COW_CHUNKS * chunk) {
		bool asked = o->cow_bytes || o->cow_percent;

		vss_size_format(MIN_COW_CHUNKS * chunk * 512, need, sizeof(need));
		return vss_fail_kind(ctx, asked ? VSS_ERR_USAGE : VSS_ERR_FAILED, EINVAL,
				     "%s: a COW of %" PRIu64 " bytes is too small; it needs at least %s "
				     "(%d chunks)%s", sh->volume, bytes, need, MIN_COW_CHUNKS,
				     asked ? "" : ": give --cow-size");
	}
	/* Counted as the plan's only once it has an area. */
	return storage_alloc(ctx, in->set, sh, in->devs, in->names, in->n);
}

static int cow_make_storage(struct vss_ctx *ctx, struct shadow_rec *sh)
{
	return storage_make(ctx, sh);
}

static int cow_make_devices(struct vss_ctx *ctx, struct shadow_rec *sh)
{
	unsigned rmaj, rmin;
	bool made;
	int r;

	if ((r = origin_prepare(ctx, sh->volume, sh->origin_uuid, ORIGIN_DIRECT, &made, &rmaj,
				  &rmin)))
		return r;
	return set_snapshot_load(ctx, sh, rmaj, rmin);
}

static int cow_load_origin(struct vss_ctx *ctx, struct shadow_rec *sh)
{
	bool loaded;

	return origin_load(ctx, sh->volume, sh->origin_sectors, &loaded);
}

/* Its table was loaded before the window: the resume makes it live at the
 * instant every origin is suspended. */
static int cow_in_window(struct vss_ctx *ctx, struct shadow_rec *sh, uint32_t *cookie)
{
	return vss_dm_resume_deferred(ctx, sh->dm_name, VSS_DM_UDEV_LOW_PRIORITY, cookie);
}

static void cow_describe(const struct shadow_rec *sh, char *buf, size_t len)
{
	char size[32];

	vss_size_format(sh->cow_sectors * 512, size, sizeof(size));
	snprintf(buf, len, "COW %s", size);
}

void cow_state(struct vss_ctx *ctx, const struct shadow_rec *sh, struct vss_shadow *d)
{
	struct vss_dm_table st;
	uint64_t used, total;

	if (vss_dm_status(ctx, sh->dm_name, &st) || st.n != 1) {
		vss_dm_table_free(&st);
		d->state = VSS_SHADOW_MISSING;
		snprintf(d->why, sizeof(d->why), "cannot read the status of /dev/mapper/%s", sh->dm_name);
		return;
	}
	if (sscanf(st.t[0].params, "%" SCNu64 "/%" SCNu64, &used, &total) == 2) {
		d->cow_used = used * 512;
		d->state = VSS_SHADOW_VALID;
	} else {
		d->state = VSS_SHADOW_INVALID;
		d->cow_used = d->cow_size;
		if (!strncmp(st.t[0].params, "Invalid", 7) || !strncmp(st.t[0].params, "Overflow", 8))
			snprintf(d->why, sizeof(d->why),
				 "its COW storage overflowed (or failed): it no longer holds the data of its instant");
		else
			snprintf(d->why, sizeof(d->why), "the kernel reports it as '%s'", st.t[0].params);
	}
	vss_dm_table_free(&st);
	if (d->state == VSS_SHADOW_VALID)
		origin_check(ctx, sh->volume, d->why, sizeof(d->why));
	if (d->why[0] && d->state == VSS_SHADOW_VALID)
		d->state = VSS_SHADOW_INVALID;
}

static int cow_attach(struct vss_ctx *ctx, const struct shadow_rec *sh, bool *made)
{
	return storage_attach(ctx, sh, made);
}

static int cow_activate(struct vss_ctx *ctx, const struct shadow_rec *sh, unsigned rmaj,
			unsigned rmin, bool *made)
{
	int r = set_snapshot_load(ctx, sh, rmaj, rmin);

	*made = r == 0;
	return r;
}

static int cow_release(struct vss_ctx *ctx, const struct shadow_rec *sh)
{
	return storage_release(ctx, sh);
}

static bool cow_complete(const struct shadow_rec *sh)
{
	return sh->cow_name[0];
}

const struct provider cow_provider = {
	.name = "cow",
	.layers_origin = true,
	.own_room = true,
	.complete = cow_complete,
	.check = cow_check,
	.plan = cow_plan,
	.make_storage = cow_make_storage,
	.make_devices = cow_make_devices,
	.load_origin = cow_load_origin,
	.in_window = cow_in_window,
	.describe = cow_describe,
	.attach = cow_attach,
	.activate = cow_activate,
	.state = cow_state,
	.release = cow_release,
	.vouch = storage_check,
	.revert_start = revert_merge_start,
	.revert_left = revert_merge_status,
	.revert_recover = revert_merge_recover,
};
