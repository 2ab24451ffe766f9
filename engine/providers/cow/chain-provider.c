/*
 * The chain provider's ops (the topology and its steps: chain.h). Its COWs
 * are cow's (storage-cow.c), planned and watched as cow's are.
 */
#include "config.h"
#include "chain.h"
#include "cow.h"
#include "dm.h"
#include "blockdev.h"
#include "origin.h"
#include "provider.h"
#include "setrec.h"
#include "window.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

/* As Windows keeps per volume: beyond it the oldest reads through too many. */
#define CHAIN_MAX 64

static bool chain_complete(const struct shadow_rec *sh)
{
	return sh->cow_name[0] && shadow_extra(sh, CHAIN_BASE) && shadow_extra(sh, CHAIN_BASE_UUID);
}

static int chain_check(struct vss_ctx *ctx, const char *volume, uint64_t size,
		       const struct vss_create_opts *o, bool asked)
{
	struct vss_create_opts mine = *o;

	if (!mine.chunk_bytes)
		mine.chunk_bytes = CHAIN_DEFAULT_CHUNK_BYTES;
	return cow_volume_check(ctx, "chain", ORIGIN_BASED, volume, size, &mine, asked);
}

static int chain_plan(struct vss_ctx *ctx, struct shadow_rec *sh, const struct plan_input *in)
{
	struct vss_create_opts o = *in->opts;
	struct plan_input mine = *in;
	struct chain_link *links;
	char name[128], uuid[130], size[32];
	size_t n;
	int r;

	if ((r = chain_of(ctx, sh->volume, NULL, &links, &n)))
		return r;
	if (n >= CHAIN_MAX) {
		free(links);
		return vss_fail_kind(ctx, VSS_ERR_USAGE, EMLINK, "%s: its chain has %d shadows, as "
				     "many as a chain holds; delete a set of it first", sh->volume,
				     CHAIN_MAX);
	}
	/* Each shadow is merged chunk by chunk into the next older one: one
	 * chunk size for the whole chain. */
	if (n) {
		uint64_t chunk = (uint64_t)links[n - 1].sh.chunk * 512;

		if (o.chunk_bytes && o.chunk_bytes != chunk) {
			vss_size_format(chunk, size, sizeof(size));
			free(links);
			return vss_fail_kind(ctx, VSS_ERR_USAGE, EINVAL, "%s: its chain's shadows have "
					     "chunks of %s; a new one must too (give --chunk-size %s, "
					     "or none)", sh->volume, size, size);
		}
		o.chunk_bytes = chunk;
	} else if (!o.chunk_bytes) {
		o.chunk_bytes = CHAIN_DEFAULT_CHUNK_BYTES;
	}
	mine.opts = &o;
	r = cow_plan(ctx, sh, &mine);
	snprintf(name, sizeof(name), "vss-%.8s-%.100s-base", in->set->id, sh->volume);
	snprintf(uuid, sizeof(uuid), BASE_UUID_PREFIX "%s-%zu", in->set->id, in->index);
	if (!r && !(r = shadow_extra_set(ctx, sh, CHAIN_BASE, name)))
		r = shadow_extra_set(ctx, sh, CHAIN_BASE_UUID, uuid);
	/* The newest now: in the window its base goes onto the new shadow. */
	if (!r && n)
		r = shadow_extra_set(ctx, sh, CHAIN_REPOINT, shadow_extra(&links[n - 1].sh, CHAIN_BASE));
	/* Its place, counted rather than timed: a clock set back between two
	 * sets must not reorder a chain. */
	if (!r) {
		char seq[24];

		snprintf(seq, sizeof(seq), "%llu", n ? links[n - 1].seq + 1 : 1ULL);
		r = shadow_extra_set(ctx, sh, CHAIN_SEQ, seq);
	}
	free(links);
	return r;
}

static int chain_make_storage(struct vss_ctx *ctx, struct shadow_rec *sh)
{
	return storage_make(ctx, sh);
}

static int dev_of(struct vss_ctx *ctx, const char *name, struct vss_devno *dev)
{
	struct vss_dm_info info;
	int r;

	if ((r = vss_dm_info(ctx, name, &info)))
		return r;
	if (!info.exists)
		return vss_fail(ctx, ENODEV, "/dev/mapper/%s: missing", name);
	dev->major = info.major;
	dev->minor = info.minor;
	return 0;
}

/* SH's shadow over its base, live; made again if a create cut short left
 * it without a table. */
static int shadow_live(struct vss_ctx *ctx, const struct shadow_rec *sh, struct vss_devno base)
{
	struct vss_dm_info info;
	uint32_t cookie = 0;
	int r;

	if ((r = vss_dm_info(ctx, sh->dm_name, &info)))
		return r;
	if (info.exists && strcmp(info.uuid, sh->dm_uuid))
		return vss_fail(ctx, EEXIST, "%s: not the device vss made (uuid %s)", sh->dm_name,
				info.uuid[0] ? info.uuid : "none");
	if (info.exists && info.live_table)
		return info.suspended ? chain_resume(ctx, sh->dm_name, VSS_DM_UDEV_LOW_PRIORITY) : 0;
	if (info.exists && (r = vss_dm_remove(ctx, sh->dm_name)))
		return r;
	if ((r = set_snapshot_load(ctx, sh, base.major, base.minor)))
		return r;
	r = vss_dm_resume_deferred(ctx, sh->dm_name, VSS_DM_UDEV_LOW_PRIORITY, &cookie);
	vss_dm_udev_wait(ctx, &cookie);
	return r;
}

static int chain_make_devices(struct vss_ctx *ctx, struct shadow_rec *sh)
{
	const char *repoint = shadow_extra(sh, CHAIN_REPOINT);
	struct vss_devno real, base, shadow, now;
	bool made, has, loaded;
	int r;

	if ((r = origin_prepare(ctx, sh->volume, sh->origin_uuid, ORIGIN_BASED, &made, &real.major,
				&real.minor)) ||
	    (r = chain_base_make(ctx, sh, real)) ||
	    (r = dev_of(ctx, shadow_extra(sh, CHAIN_BASE), &base)) ||
	    (r = shadow_live(ctx, sh, base)) || !repoint)
		return r;
	/* The newest until now sits on -real; in the window it goes onto
	 * this shadow, whose table is ready before. */
	if ((r = chain_base_target(ctx, repoint, false, &now, &has)))
		return r;
	if (!has || now.major != real.major || now.minor != real.minor)
		return vss_fail(ctx, EBUSY, "%s: the base %s of its newest shadow is not on %s's -real "
				"layer, as its records say (run vss activate?)", sh->volume, repoint,
				sh->volume);
	if ((r = dev_of(ctx, sh->dm_name, &shadow)))
		return r;
	return chain_base_point(ctx, repoint, shadow, sh->origin_sectors, &loaded);
}

static int chain_load_origin(struct vss_ctx *ctx, struct shadow_rec *sh)
{
	struct vss_devno base;
	bool loaded;
	int r;

	if ((r = dev_of(ctx, shadow_extra(sh, CHAIN_BASE), &base)))
		return r;
	return origin_load_over(ctx, sh->volume, sh->origin_sectors, base.major, base.minor,
				&loaded);
}

/* The volume suspended: the newest until now takes its table over this
 * shadow; the volume's resume then puts it over this one's base. */
static int chain_in_window(struct vss_ctx *ctx, struct shadow_rec *sh, uint32_t *cookie)
{
	const char *repoint = shadow_extra(sh, CHAIN_REPOINT);

	return repoint ? vss_dm_resume_deferred(ctx, repoint, VSS_DM_UDEV_PRIVATE, cookie) : 0;
}

/* Done: the set's record keeps no step of its making. */
static int chain_after_window(struct vss_ctx *ctx, struct shadow_rec *sh)
{
	(void)ctx;
	shadow_extra_unset(sh, CHAIN_REPOINT);
	return 0;
}

static void chain_describe(const struct shadow_rec *sh, char *buf, size_t len)
{
	char size[32];

	vss_size_format(sh->cow_sectors * 512, size, sizeof(size));
	snprintf(buf, len, "COW %s, chained", size);
}

/* The base under SH's shadow found among the devices its table maps onto
 * (deps), into BASE (its name). */
static int base_under(struct vss_ctx *ctx, const char *shadow, char *base, size_t len)
{
	struct vss_devno *deps;
	size_t n;
	int r;

	if ((r = vss_dm_deps(ctx, shadow, &deps, &n)))
		return r;
	r = -ENOENT;
	for (size_t i = 0; i < n && r; i++) {
		struct vss_dm_info b;

		if (!vss_dm_info_devno(ctx, deps[i].major, deps[i].minor, &b) && b.exists &&
		    !strncmp(b.uuid, BASE_UUID_PREFIX, strlen(BASE_UUID_PREFIX))) {
			snprintf(base, len, "%s", b.name);
			r = 0;
		}
	}
	free(deps);
	return r;
}

/* What SH's shadow reads through, from its base up to -real: each newer
 * shadow. One that overflowed (or failed) took every older one with it;
 * "" in WHY when none did. */
static void through_state(struct vss_ctx *ctx, const struct shadow_rec *sh, char *why, size_t len)
{
	char base[128];

	snprintf(base, sizeof(base), "%s", shadow_extra(sh, CHAIN_BASE));
	why[0] = '\0';
	for (int hops = 0; hops <= 2 * CHAIN_MAX; hops++) {
		struct vss_dm_info on;
		struct vss_dm_table st;
		struct vss_devno dev;
		bool has, bad;

		if (chain_base_target(ctx, base, false, &dev, &has) || !has ||
		    vss_dm_info_devno(ctx, dev.major, dev.minor, &on) || !on.exists) {
			snprintf(why, len, "its base %.100s is missing, or on nothing: it reads nothing", base);
			return;
		}
		if (!strncmp(on.uuid, REAL_UUID_PREFIX, strlen(REAL_UUID_PREFIX)))
			return;
		if (strncmp(on.uuid, SNAP_UUID_PREFIX, strlen(SNAP_UUID_PREFIX)) ||
		    vss_dm_status(ctx, on.name, &st)) {
			snprintf(why, len, "its base %.100s is on %.100s, not a shadow of vss's", base, on.name);
			return;
		}
		bad = st.n != 1 || !strncmp(st.t[0].params, "Invalid", 7) ||
		      !strncmp(st.t[0].params, "Overflow", 8);
		vss_dm_table_free(&st);
		if (bad) {
			snprintf(why, len, "it reads through /dev/mapper/%.100s, whose COW overflowed (or "
				 "failed): it no longer holds the data of its instant", on.name);
			return;
		}
		if (base_under(ctx, on.name, base, sizeof(base))) {
			snprintf(why, len, "it reads through /dev/mapper/%.100s, which has no base", on.name);
			return;
		}
	}
	snprintf(why, len, "its bases make a loop");
}

static void chain_state(struct vss_ctx *ctx, const struct shadow_rec *sh, struct vss_shadow *d)
{
	cow_state(ctx, sh, d);
	if (d->state != VSS_SHADOW_VALID)
		return;
	through_state(ctx, sh, d->why, sizeof(d->why));
	if (d->why[0])
		d->state = VSS_SHADOW_INVALID;
}

static int chain_attach(struct vss_ctx *ctx, const struct shadow_rec *sh, bool *made)
{
	return storage_attach(ctx, sh, made);
}

/* After a reboot the chain comes back from its newest down, each base over
 * the shadow above it (or -real: RMAJ:RMIN), every shadow live before the
 * volume writes through the newest base; the first shadow asked for
 * brings the whole chain, the others find theirs there. */
static int chain_activate(struct vss_ctx *ctx, const struct shadow_rec *sh, unsigned rmaj,
			  unsigned rmin, bool *made)
{
	struct chain_link *links;
	struct vss_devno under = { rmaj, rmin }, base;
	bool loaded;
	size_t n;
	int r;

	*made = false;
	if ((r = chain_of_all(ctx, sh->volume, &links, &n)))
		return r;
	for (size_t k = n; k-- > 0 && !r;) {
		const struct shadow_rec *s = &links[k].sh;
		const char *bname = shadow_extra(s, CHAIN_BASE);
		bool attached;

		/* Every COW of the chain, not only SH's: each shadow reads
		 * through the newer ones. One being made whose COW was never
		 * made had no window: nothing reads through it. */
		if ((r = storage_attach(ctx, s, &attached)) && links[k].seq == CHAIN_MAKING) {
			vss_log(ctx, VSS_LEVEL_INFO, "%s: set %.8s was being made, and its COW never was: "
				"left for its undo", sh->volume, links[k].set);
			r = 0;
			continue;
		}
		if (r || (r = chain_base_make(ctx, s, under)) ||
		    (r = chain_base_point(ctx, bname, under, s->origin_sectors, &loaded)) ||
		    (loaded && (r = chain_resume(ctx, bname, VSS_DM_UDEV_PRIVATE))) ||
		    (r = dev_of(ctx, bname, &base)) || (r = shadow_live(ctx, s, base)))
			break;
		*made = true;
		if ((r = dev_of(ctx, s->dm_name, &under)))
			break;
	}
	free(links);
	return r;
}

/* The newest base there is: a shadow being made whose COW never was
 * made got none. */
static int chain_origin_dev(struct vss_ctx *ctx, const struct shadow_rec *sh,
			    struct vss_devno *dev)
{
	struct chain_link *links;
	size_t n;
	int r;

	if ((r = chain_of_all(ctx, sh->volume, &links, &n)))
		return r;
	r = vss_fail(ctx, ENOENT, "%s: no chain shadow has its base", sh->volume);
	for (size_t k = n; k-- > 0 && r;) {
		struct vss_dm_info info;

		if (!vss_dm_info(ctx, shadow_extra(&links[k].sh, CHAIN_BASE), &info) && info.exists) {
			dev->major = info.major;
			dev->minor = info.minor;
			r = 0;
		}
	}
	free(links);
	return r;
}

static int base_vouch(struct vss_ctx *ctx, const struct shadow_rec *sh)
{
	const char *base = shadow_extra(sh, CHAIN_BASE), *uuid = shadow_extra(sh, CHAIN_BASE_UUID);
	struct vss_dm_info info;
	int r;

	if (strncmp(uuid, BASE_UUID_PREFIX, strlen(BASE_UUID_PREFIX)))
		return vss_fail_kind(ctx, VSS_ERR_USAGE, EPERM, "shadow of %s: base_uuid %s is not one "
				     "vss gives a base: refused", sh->volume, uuid);
	if ((r = vss_dm_info(ctx, base, &info)) || !info.exists || !strcmp(info.uuid, uuid))
		return r ? r : storage_check(ctx, sh);
	return vss_fail_kind(ctx, VSS_ERR_USAGE, EEXIST, "%s: not the device vss made (uuid %s)",
			     base, info.uuid[0] ? info.uuid : "none");
}

/* The shadow must be there, and the newest COW have room for what the
 * revert overwrites. */
static int chain_revert_check(struct vss_ctx *ctx, const struct set_rec *rec, size_t i)
{
	const struct shadow_rec *sh = &rec->sh[i];
	struct vss_dm_info info;
	int r;

	if ((r = vss_dm_info(ctx, sh->dm_name, &info)))
		return r;
	if (!info.exists || !info.live_table)
		return vss_fail(ctx, ENODEV, "set %.8s: its shadow of %s is not active (run vss "
				"activate)", rec->id, sh->volume);
	/* Consumed afterwards as by a delete: that must be possible too. */
	if ((r = chain_revert_copy(ctx, rec, i, true)))
		return r;
	return chain_detach_check(ctx, rec, i);
}

static int chain_release(struct vss_ctx *ctx, const struct shadow_rec *sh);

/* Reverted: REC's shadow I goes as a delete would take it (its older
 * neighbour given what it reads through it), and leaves the set. */
static int consume(struct vss_ctx *ctx, struct set_rec *rec, size_t i)
{
	struct shadow_rec sh = rec->sh[i];
	struct vss_dm_info info;
	int r;

	if ((r = chain_detach(ctx, rec, i)) || (r = vss_dm_info(ctx, sh.dm_name, &info)))
		return r;
	if (info.exists && !strcmp(info.uuid, sh.dm_uuid) && (r = vss_dm_remove(ctx, sh.dm_name)))
		return r;
	if ((r = set_volume_in_use(ctx, sh.volume, rec->id)) == 0)
		r = origin_restore(ctx, sh.volume);
	if (r < 0 || (r = chain_release(ctx, &sh)))
		return r;
	memmove(&rec->sh[i], &rec->sh[i + 1], (rec->n - i - 1) * sizeof(rec->sh[0]));
	rec->n--;
	if ((r = rec->n ? set_rec_save(ctx, "sets", rec) : set_rec_unlink(ctx, "sets", rec->id)))
		return r;
	vss_step(ctx, "%s: reverted to set %.8s (its shadow's data written back)%s", sh.volume,
		 rec->id, rec->n ? "" : " (its last shadow: the set is gone)");
	return 0;
}

/* Its volume free: the copy, then the shadow consumed. The record says a
 * revert is under way first, so that a kill is taken up by recovery. */
static int chain_revert_start(struct vss_ctx *ctx, struct set_rec *rec, size_t i)
{
	int r;

	/* Written back once: a volume used since (mounted after a kill)
	 * must not have it written again over its new data. */
	if (!shadow_extra(&rec->sh[i], CHAIN_REVERTED)) {
		if (rec->sh[i].merge != MERGE_SWAP) {
			rec->sh[i].merge = MERGE_SWAP;
			if ((r = set_rec_save(ctx, "sets", rec)))
				return r;
		}
		if ((r = chain_revert_copy(ctx, rec, i, false)) ||
		    (r = shadow_extra_set(ctx, &rec->sh[i], CHAIN_REVERTED, "yes")) ||
		    (r = set_rec_save(ctx, "sets", rec)))
			return r;
		vss_fault(ctx, "chain:reverted");
	}
	return consume(ctx, rec, i);
}

/* Scheduled, or cut short: once the volume is free, done again whole. */
static int chain_revert_recover(struct vss_ctx *ctx, struct set_rec *rec, size_t i,
				bool *finished, int *fixed)
{
	char why[4200];
	int r;

	struct vss_dm_info vol, shadow;

	*finished = false;
	/* After a reboot, before activate has made the chain again: activate
	 * takes it up once it has. */
	if ((r = vss_dm_info(ctx, rec->sh[i].volume, &vol)) ||
	    (r = vss_dm_info(ctx, rec->sh[i].dm_name, &shadow)) || !vol.exists || !shadow.exists ||
	    !shadow.live_table)
		return r;
	if ((r = volume_busy(ctx, rec->sh[i].volume, 0, why, sizeof(why))) || why[0])
		return r;
	if ((r = chain_revert_start(ctx, rec, i)))
		return r;
	*finished = true;
	(*fixed)++;
	return 0;
}

/* Whether the base named NAME's live table is on a device whose uuid has
 * PREFIX. */
static bool base_on(struct vss_ctx *ctx, const char *name, const char *prefix)
{
	struct vss_dm_info on;
	struct vss_devno dev;
	bool has;

	return !chain_base_target(ctx, name, false, &dev, &has) && has &&
	       !vss_dm_info_devno(ctx, dev.major, dev.minor, &on) && on.exists &&
	       !strncmp(on.uuid, prefix, strlen(prefix));
}

/* The base a table of VOLUME (INACTIVE or live) is a snapshot-origin
 * over, into *BASE; false when it is not over one of vss's. */
static bool origin_base(struct vss_ctx *ctx, const char *volume, bool inactive,
			struct vss_dm_info *base)
{
	struct vss_dm_table t;
	unsigned ma, mi;
	bool yes;

	if (inactive ? vss_dm_table_inactive(ctx, volume, &t) : vss_dm_table(ctx, volume, &t))
		return false;
	yes = t.n == 1 && !strcmp(t.t[0].type, "snapshot-origin") &&
	      sscanf(t.t[0].params, "%u:%u", &ma, &mi) == 2 &&
	      !vss_dm_info_devno(ctx, ma, mi, base) && base->exists &&
	      !strncmp(base->uuid, BASE_UUID_PREFIX, strlen(BASE_UUID_PREFIX));
	vss_dm_table_free(&t);
	return yes;
}

/* Whether a base of vss's has a loaded table (not yet live) on the device
 * INFO: the newest's base, ready to go onto a shadow being made. */
static bool base_loaded_on(struct vss_ctx *ctx, const struct vss_dm_info *info)
{
	char holders[1024], *save = NULL;
	bool yes = false;

	if (vss_blockdev_holders(makedev(info->major, info->minor), holders, sizeof(holders)) < 0)
		return false;
	for (char *h = strtok_r(holders, " ", &save); h && !yes; h = strtok_r(NULL, " ", &save)) {
		struct vss_dm_info b;
		struct vss_devno on;
		unsigned minor;
		bool has;

		yes = sscanf(h, "dm-%u", &minor) == 1 &&
		      !vss_dm_info_devno(ctx, info->major, minor, &b) && b.exists &&
		      !strncmp(b.uuid, BASE_UUID_PREFIX, strlen(BASE_UUID_PREFIX)) &&
		      !chain_base_target(ctx, b.name, true, &on, &has) && has &&
		      on.major == info->major && on.minor == info->minor;
	}
	return yes;
}

/* The shadow that sits on BASE, into *SHADOW. */
static bool shadow_on(struct vss_ctx *ctx, const struct vss_dm_info *base, struct vss_dm_info *shadow)
{
	char holders[1024], *save = NULL;

	if (vss_blockdev_holders(makedev(base->major, base->minor), holders, sizeof(holders)) < 0)
		return false;
	for (char *h = strtok_r(holders, " ", &save); h; h = strtok_r(NULL, " ", &save)) {
		unsigned minor;

		if (sscanf(h, "dm-%u", &minor) == 1 &&
		    !vss_dm_info_devno(ctx, base->major, minor, shadow) && shadow->exists &&
		    !strncmp(shadow->uuid, SNAP_UUID_PREFIX, strlen(SNAP_UUID_PREFIX)))
			return true;
	}
	return false;
}

/* A window cut short (chain.h): VOLUME's live table over one base L, a
 * loaded one over another, I. Only one of the two has its shadow copied
 * out to, and the loaded table must go live when that is I's:
 *   making a shadow: I is the new shadow's base, on -real; L, the newest
 *   until now, is re-pointed onto the new shadow in the window. Until
 *   then (L on -real, the re-pointing loaded on the new shadow), L's;
 *   after, I's.
 *   taking out the newest: L is its base, on -real; I the older one's,
 *   re-pointed from the newest onto -real in the window. Until then, L's;
 *   after (I on -real, nothing loaded on I's shadow), I's.
 * From the kernel's tables alone: the state may be on VOLUME. */
static bool chain_keeps_loaded(struct vss_ctx *ctx, const char *volume)
{
	struct vss_dm_info live, loaded, shadow;

	if (!origin_base(ctx, volume, true, &loaded) || !origin_base(ctx, volume, false, &live))
		return false;
	if (!base_on(ctx, live.name, REAL_UUID_PREFIX))
		return true;
	if (!base_on(ctx, loaded.name, REAL_UUID_PREFIX))
		return false;
	return shadow_on(ctx, &loaded, &shadow) && !base_loaded_on(ctx, &shadow);
}

/* A chained shadow's view: a read-only linear over it, which nothing
 * claims (the shadow is claimed by the older one's base on it). */
static void view_names(const struct shadow_rec *sh, char *name, char *uuid)
{
	snprintf(name, 130, "%.120s-view", sh->dm_name);
	snprintf(uuid, 130, VIEW_UUID_PREFIX "%s", sh->dm_uuid + strlen(SNAP_UUID_PREFIX));
}

static int chain_expose_dev(struct vss_ctx *ctx, const struct shadow_rec *sh, bool make,
			    char *name, char *uuid)
{
	struct vss_dm_target t = { 0 };
	struct vss_dm_info info;
	struct vss_devno dev = { 0, 0 };
	char params[40];
	int r;

	view_names(sh, name, uuid);
	if (!make || (r = vss_dm_info(ctx, name, &info)))
		return make ? r : 0;
	if (info.exists)
		return strcmp(info.uuid, uuid) ? vss_fail(ctx, EEXIST, "%s: not the device vss made "
							  "(uuid %s)", name, info.uuid) : 0;
	if ((r = dev_of(ctx, sh->dm_name, &dev)))
		return r;
	snprintf(params, sizeof(params), "%u:%u 0", dev.major, dev.minor);
	t.length = sh->origin_sectors;
	t.type = "linear";
	t.params = params;
	if ((r = vss_dm_create_empty(ctx, name, uuid)))
		return r;
	if ((r = vss_dm_load_ro(ctx, name, &t, 1)) ||
	    (r = chain_resume(ctx, name, VSS_DM_UDEV_LOW_PRIORITY)))
		(void)vss_dm_remove(ctx, name);
	return r;
}

/* Removes NAME if it is there and carries UUID (vss's). */
static int remove_ours(struct vss_ctx *ctx, const char *name, const char *uuid)
{
	struct vss_dm_info info;
	int r;

	if ((r = vss_dm_info(ctx, name, &info)) || !info.exists || strcmp(info.uuid, uuid))
		return r;
	return vss_dm_remove(ctx, name);
}

static int chain_unexposed(struct vss_ctx *ctx, const struct shadow_rec *sh)
{
	char name[130], uuid[130];

	view_names(sh, name, uuid);
	return remove_ours(ctx, name, uuid);
}

static int chain_release(struct vss_ctx *ctx, const struct shadow_rec *sh)
{
	int r;

	if ((r = chain_unexposed(ctx, sh)) ||
	    (r = remove_ours(ctx, shadow_extra(sh, CHAIN_BASE), shadow_extra(sh, CHAIN_BASE_UUID))))
		return r;
	return storage_release(ctx, sh);
}

const struct provider chain_provider = {
	.name = "chain",
	.layers_origin = true,
	.own_room = true,
	.complete = chain_complete,
	.check = chain_check,
	.plan = chain_plan,
	.make_storage = chain_make_storage,
	.make_devices = chain_make_devices,
	.load_origin = chain_load_origin,
	.in_window = chain_in_window,
	.after_window = chain_after_window,
	.describe = chain_describe,
	.attach = chain_attach,
	.activate = chain_activate,
	.origin_dev = chain_origin_dev,
	.state = chain_state,
	.expose_dev = chain_expose_dev,
	.unexposed = chain_unexposed,
	.vouch = base_vouch,
	.revert_check = chain_revert_check,
	.revert_at_once = true,
	.revert_start = chain_revert_start,
	.revert_recover = chain_revert_recover,
	.keeps_loaded = chain_keeps_loaded,
	.detach = chain_detach,
	.detach_check = chain_detach_check,
	.own_opens = chain_own_opens,
	.release = chain_release,
};
