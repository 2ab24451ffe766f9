/*
 * The layering under a volume that has shadows: origin X with
 * its own table T gains vss-X-real carrying T, and X itself is reloaded as
 * snapshot-origin over it, so every write to X copies the old data out to
 * each shadow first. T is kept in STATE_DIR/origins/X.conf, because the
 * volume must get exactly T back when its last shadow goes, and after a
 * reboot -real is rebuilt from it.
 */
#include "config.h"
#include "blockdev.h"
#include "dm.h"
#include "origin.h"
#include "setrec.h"
#include "state.h"
#include "window.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

struct origin_rec {
	char origin_uuid[130];
	char real_uuid[130];
	struct vss_dm_table tab;
	int bad;
};

void origin_real_name(const char *volume, char *buf, size_t len)
{
	snprintf(buf, len, "vss-%s-real", volume);
}

static void rel_of(const char *volume, char *buf, size_t len)
{
	snprintf(buf, len, "origins/%s.conf", volume);
}

static int on_value(void *data, const char *section, const char *key, const char *value)
{
	struct origin_rec *o = data;
	struct vss_dm_target *t;
	char type[64];
	int used = 0;

	if (strcmp(section, "origin"))
		return 1;
	if (!strcmp(key, "real_uuid"))
		snprintf(o->real_uuid, sizeof(o->real_uuid), "%s", value);
	if (!strcmp(key, "origin_uuid"))
		snprintf(o->origin_uuid, sizeof(o->origin_uuid), "%s", value);
	if (strcmp(key, "target"))
		return 1;
	t = realloc(o->tab.t, (o->tab.n + 1) * sizeof(*t));
	if (!t)
		return 0;
	o->tab.t = t;
	t += o->tab.n;
	memset(t, 0, sizeof(*t));
	if (sscanf(value, "%" SCNu64 " %" SCNu64 " %63s %n", &t->start, &t->length, type, &used) < 3)
		return 0;
	t->type = strdup(type);
	t->params = strdup(value + used);
	o->tab.n++;
	return t->type && t->params;
}

static int record_load(struct vss_ctx *ctx, const char *volume, struct origin_rec *o)
{
	char rel[256];
	int r;

	memset(o, 0, sizeof(*o));
	rel_of(volume, rel, sizeof(rel));
	r = vss_state_read(ctx, rel, on_value, o);
	if (r == 0 && !o->real_uuid[0])
		r = vss_fail(ctx, EBADMSG, "%s/%s: damaged origin record", ctx->state_dir, rel);
	/* A record is data: it may name only a device vss made. */
	if (r == 0 && strncmp(o->real_uuid, REAL_UUID_PREFIX, strlen(REAL_UUID_PREFIX)))
		r = vss_fail_kind(ctx, VSS_ERR_USAGE, EPERM, "%s/%s: real_uuid %s is not one vss gives "
				  "a volume's -real device: refused", ctx->state_dir, rel, o->real_uuid);
	if (r)
		vss_dm_table_free(&o->tab);
	return r;
}

static int record_save(struct vss_ctx *ctx, const char *volume, const char *origin_uuid,
		       const char *real_uuid, const struct vss_dm_table *tab)
{
	char rel[256], *buf;
	size_t cap = 1024, len;
	int r;

	for (size_t i = 0; i < tab->n; i++)
		cap += strlen(tab->t[i].params) + 128;
	if (!(buf = malloc(cap)))
		return vss_fail(ctx, ENOMEM, "out of memory");
	len = (size_t)snprintf(buf, cap,
			       "# The table of a volume with shadows, given back when its last\n"
			       "# shadow goes. Written by vss: do not edit.\n"
			       "[origin]\nvolume = %s\norigin_uuid = %s\nreal_uuid = %s\n",
			       volume, origin_uuid, real_uuid);
	/* A crypt table carries its key: that stays in the kernel, and the
	 * table is taken from -real when it is needed. */
	bool secret = false;

	for (size_t i = 0; i < tab->n; i++)
		secret |= !strcmp(tab->t[i].type, "crypt");
	for (size_t i = 0; !secret && i < tab->n; i++)
		len += (size_t)snprintf(buf + len, cap - len, "target = %" PRIu64 " %" PRIu64 " %s %s\n",
					tab->t[i].start, tab->t[i].length, tab->t[i].type,
					tab->t[i].params);
	rel_of(volume, rel, sizeof(rel));
	r = vss_state_write(ctx, rel, buf, len);
	free(buf);
	return r;
}

/* Whether BASE (a device's info) is a base vss made over REAL: a linear
 * of the whole of -real, which a chain's newest shadow and the volume sit
 * on (chain.h). */
static bool base_over_real(struct vss_ctx *ctx, const struct vss_dm_info *base,
			   const struct vss_dm_info *real)
{
	struct vss_dm_table bt;
	char want[40];
	bool yes;

	if (!base->exists || strncmp(base->uuid, BASE_UUID_PREFIX, strlen(BASE_UUID_PREFIX)) ||
	    vss_dm_table(ctx, base->name, &bt))
		return false;
	snprintf(want, sizeof(want), "%u:%u 0", real->major, real->minor);
	yes = bt.n == 1 && !strcmp(bt.t[0].type, "linear") && !strcmp(bt.t[0].params, want);
	vss_dm_table_free(&bt);
	return yes;
}

enum origin_kind origin_kind_of(struct vss_ctx *ctx, const struct vss_dm_table *tab,
				const struct vss_dm_info *real, struct vss_dm_info *base)
{
	unsigned ma, mi;
	struct vss_dm_info b;

	if (base)
		memset(base, 0, sizeof(*base));
	if (tab->n != 1 || strcmp(tab->t[0].type, "snapshot-origin") ||
	    sscanf(tab->t[0].params, "%u:%u", &ma, &mi) != 2)
		return ORIGIN_NONE;
	if (ma == real->major && mi == real->minor)
		return ORIGIN_DIRECT;
	if (vss_dm_info_devno(ctx, ma, mi, &b) || !base_over_real(ctx, &b, real))
		return ORIGIN_NONE;
	if (base)
		*base = b;
	return ORIGIN_BASED;
}

/* The same, or merging a shadow back into itself over REAL (a revert): its
 * other shadows are kept up to date by that target as by snapshot-origin. */
static bool is_layered(struct vss_ctx *ctx, const struct vss_dm_table *tab,
		       const struct vss_dm_info *real)
{
	char want[32];
	size_t len;

	if (origin_kind_of(ctx, tab, real, NULL) != ORIGIN_NONE)
		return true;
	len = (size_t)snprintf(want, sizeof(want), "%u:%u ", real->major, real->minor);
	return tab->n == 1 && !strcmp(tab->t[0].type, "snapshot-merge") &&
	       !strncmp(tab->t[0].params, want, len);
}

int origin_usable(struct vss_ctx *ctx, const char *volume, enum origin_kind want)
{
	char real[160];
	struct vss_dm_info info;
	struct vss_dm_table tab;
	int r;

	origin_real_name(volume, real, sizeof(real));
	if ((r = vss_dm_info(ctx, real, &info)))
		return r;
	if (info.exists) {
		enum origin_kind kind;

		if (strncmp(info.uuid, REAL_UUID_PREFIX, strlen(REAL_UUID_PREFIX)))
			return vss_fail(ctx, EEXIST, "%s: a device named %s exists and is not vss's "
					"(uuid %s)", volume, real, info.uuid[0] ? info.uuid : "none");
		if ((r = vss_dm_table(ctx, volume, &tab)))
			return r;
		kind = origin_kind_of(ctx, &tab, &info, NULL);
		vss_dm_table_free(&tab);
		/* Its table was swapped under its shadows (lvextend, pvmove):
		 * -real is stale and a shadow on it would be wrong. */
		if (kind == ORIGIN_NONE)
			return vss_fail(ctx, EBUSY, "%s: its table was replaced after its shadows were made, "
					"so they are invalid; delete those sets first", volume);
		/* A write reaches only the shadows on the device under the
		 * volume's snapshot-origin: -real's (cow) or the newest base
		 * (chain), never both. */
		if (kind != want)
			return vss_fail(ctx, EXDEV, kind == ORIGIN_BASED ?
					"%s: its shadows are chained (provider chain); a shadow of "
					"another kind cannot join them" :
					"%s: its shadows are cow's; a chained shadow cannot join them",
					volume);
		return 0;
	}
	if ((r = vss_dm_table(ctx, volume, &tab)))
		return r;
	for (size_t i = 0; i < tab.n; i++) {
		static const char *const stateless[] = { "linear", "striped", "crypt", "zero", NULL };
		bool ok = false;

		for (const char *const *t = stateless; *t && !ok; t++)
			ok = !strcmp(tab.t[i].type, *t);
		if (ok)
			continue;
		/* -real runs the volume's table beside the volume itself for a
		 * moment; a target with state of its own (cache, raid, mirror,
		 * integrity, ...) must never run twice, and one that fails or
		 * delays I/O has no place under a shadow. */
		r = vss_fail(ctx, EOPNOTSUPP,
			     !strncmp(tab.t[i].type, "snapshot", 8) ?
			     "%s: has a %s table: it already has snapshots vss did not make" :
			     "%s: its table uses %s; vss layers shadows only under linear, striped, "
			     "crypt and zero tables", volume, tab.t[i].type);
		vss_dm_table_free(&tab);
		return r;
	}
	vss_dm_table_free(&tab);
	return 0;
}

int origin_prepare(struct vss_ctx *ctx, const char *volume, const char *origin_uuid,
		   enum origin_kind want, bool *made, unsigned *rmaj, unsigned *rmin)
{
	char real[160], uuid[37], real_uuid[130];
	struct vss_dm_info info;
	struct vss_dm_table tab;
	int r;

	*made = false;
	origin_real_name(volume, real, sizeof(real));
	/* (Checked before the set began too; checked again as it is made.) */
	if ((r = origin_usable(ctx, volume, want)) || (r = vss_dm_info(ctx, real, &info)))
		return r;
	if (info.exists) {
		*rmaj = info.major;
		*rmin = info.minor;
		return 0;
	}
	if ((r = vss_dm_table(ctx, volume, &tab)))
		return r;
	if ((r = vss_uuid_new(uuid))) {
		vss_dm_table_free(&tab);
		return vss_fail(ctx, -r, "cannot make a uuid: %s", strerror(-r));
	}
	snprintf(real_uuid, sizeof(real_uuid), REAL_UUID_PREFIX "%s", uuid);
	/* The record first: whoever finds the -real device finds its table. */
	if ((r = record_save(ctx, volume, origin_uuid, real_uuid, &tab)) == 0 &&
	    (r = vss_dm_create(ctx, real, real_uuid, tab.t, tab.n, VSS_DM_UDEV_PRIVATE)) == 0)
		r = vss_dm_info(ctx, real, &info);
	vss_dm_table_free(&tab);
	if (r)
		return r;
	*made = true;
	*rmaj = info.major;
	*rmin = info.minor;
	return 0;
}

int origin_load_over(struct vss_ctx *ctx, const char *volume, uint64_t sectors,
		     unsigned major, unsigned minor, bool *loaded)
{
	struct vss_dm_target t = { 0 };
	struct vss_dm_table tab;
	char params[32];
	bool already;
	int r;

	*loaded = false;
	snprintf(params, sizeof(params), "%u:%u", major, minor);
	if ((r = vss_dm_table(ctx, volume, &tab)))
		return r;
	already = tab.n == 1 && !strcmp(tab.t[0].type, "snapshot-origin") &&
		  !strcmp(tab.t[0].params, params);
	vss_dm_table_free(&tab);
	if (already)
		return 0;
	t.length = sectors;
	t.type = "snapshot-origin";
	t.params = params;
	if ((r = vss_dm_load(ctx, volume, &t, 1)))
		return r;
	*loaded = true;
	return 0;
}

/* VOLUME's -real device, which must be there. */
static int real_of(struct vss_ctx *ctx, const char *volume, struct vss_dm_info *rinfo)
{
	char real[160];
	int r;

	origin_real_name(volume, real, sizeof(real));
	if ((r = vss_dm_info(ctx, real, rinfo)))
		return r;
	return rinfo->exists ? 0 : vss_fail(ctx, ENODEV, "%s: its %s device is missing", volume, real);
}

int origin_load(struct vss_ctx *ctx, const char *volume, uint64_t sectors, bool *loaded)
{
	struct vss_dm_info rinfo;
	int r;

	*loaded = false;
	if ((r = real_of(ctx, volume, &rinfo)))
		return r;
	return origin_load_over(ctx, volume, sectors, rinfo.major, rinfo.minor, loaded);
}

void origin_check(struct vss_ctx *ctx, const char *volume, char *why, size_t len)
{
	struct vss_dm_info info, rinfo;
	struct vss_dm_table tab;
	char real[160];

	why[0] = '\0';
	origin_real_name(volume, real, sizeof(real));
	if (vss_dm_info(ctx, volume, &info) || !info.exists) {
		snprintf(why, len, "its origin %s is not active", volume);
		return;
	}
	if (vss_dm_info(ctx, real, &rinfo) || !rinfo.exists) {
		snprintf(why, len, "the %s layer under its origin is missing", real);
		return;
	}
	if (vss_dm_table(ctx, volume, &tab)) {
		snprintf(why, len, "cannot read the table of its origin %s", volume);
		return;
	}
	if (!is_layered(ctx, &tab, &rinfo))
		snprintf(why, len,
			 "the table of its origin %s was replaced (now %s): writes to it are no longer tracked",
			 volume, tab.n ? tab.t[0].type : "empty");
	vss_dm_table_free(&tab);
}

/* Suspends VOLUME under the window marker, loads T and resumes it. */
static int swap_table(struct vss_ctx *ctx, const char *volume, const char *uuid,
		      const struct vss_dm_table *t)
{
	char *names[1] = { (char *)volume }, *uuids[1] = { (char *)uuid };
	int r;

	if ((r = vss_dm_load(ctx, volume, t->t, t->n)) || (r = window_mark(ctx, names, uuids, 1)))
		return r;
	/* No lockfs: nothing needs a consistent image here, only that writes
	 * in flight through the old table finish. */
	if ((r = vss_dm_suspend(ctx, volume, VSS_DM_NO_LOCKFS))) {
		window_clear(ctx);
		(void)vss_dm_clear(ctx, volume);
		return r;
	}
	if ((r = vss_dm_resume(ctx, volume)) == 0)
		window_clear(ctx);
	return r;
}

/* The bases vss made over -real (REAL) into BASES (at most MAX), checking
 * that nothing but VOLUME and those bases holds -real, and nothing but
 * VOLUME holds a base: else a shadow still sits on them (-EBUSY). */
static int real_bases(struct vss_ctx *ctx, const char *volume, const struct vss_dm_info *real,
		      struct vss_dm_info *bases, size_t max, size_t *nb)
{
	char holders[1024], *save = NULL;
	dev_t devno = makedev(real->major, real->minor);

	*nb = 0;
	if (vss_blockdev_holders(devno, holders, sizeof(holders)))
		return vss_fail(ctx, EBUSY, "%s: cannot tell what holds vss-%s-real", volume, volume);
	for (char *h = strtok_r(holders, " ", &save); h; h = strtok_r(NULL, " ", &save)) {
		struct vss_dm_info b;
		unsigned n;
		char name[160];

		if (sscanf(h, "dm-%u", &n) == 1 && vss_dm_info_devno(ctx, real->major, n, &b) == 0 &&
		    b.exists && !strcmp(b.name, volume))
			continue;
		if (sscanf(h, "dm-%u", &n) != 1 || vss_dm_info_devno(ctx, real->major, n, &b) ||
		    !base_over_real(ctx, &b, real) || *nb == max)
			return vss_fail(ctx, EBUSY, "%s: vss-%s-real still carries a shadow (%s); its "
					"table stays", volume, volume, h);
		snprintf(name, sizeof(name), "%s", b.name);
		if (vss_blockdev_held_by_other(makedev(b.major, b.minor), volume))
			return vss_fail(ctx, EBUSY, "%s: %s still carries a shadow; its table stays",
					volume, name);
		bases[(*nb)++] = b;
	}
	return 0;
}

int origin_restore(struct vss_ctx *ctx, const char *volume)
{
	struct vss_dm_info info, rinfo, bases[8];
	struct vss_dm_table live = { 0 }, t = { 0 };
	struct origin_rec rec;
	char real[160], rel[256];
	size_t nb = 0;
	int r, have_rec;

	origin_real_name(volume, real, sizeof(real));
	rel_of(volume, rel, sizeof(rel));
	r = record_load(ctx, volume, &rec);
	if (r && r != -ENOENT)
		return r;
	have_rec = r == 0;
	if ((r = vss_dm_info(ctx, real, &rinfo)) || (r = vss_dm_info(ctx, volume, &info)))
		goto out;
	if (rinfo.exists && (strncmp(rinfo.uuid, REAL_UUID_PREFIX, strlen(REAL_UUID_PREFIX)) ||
			     (have_rec && strcmp(rinfo.uuid, rec.real_uuid)))) {
		r = vss_fail(ctx, EEXIST, "%s: the device %s is not the one vss made (uuid %s)", volume,
			     real, rinfo.uuid);
		goto out;
	}
	if (info.exists && have_rec && rec.origin_uuid[0] && strcmp(info.uuid, rec.origin_uuid)) {
		if (rinfo.exists) {
			r = vss_fail(ctx, EEXIST, "%s: not the volume vss layered (uuid %s, not %s), "
				     "yet %s is there", volume, info.uuid, rec.origin_uuid, real);
			goto out;
		}
		/* Replaced since (a reboot, then an LV made anew): there is
		 * nothing of ours on it to undo. */
		vss_log(ctx, VSS_LEVEL_WARNING, "%s: not the volume vss layered (uuid %s, not %s); "
			"its record is dropped, the device left alone", volume, info.uuid,
			rec.origin_uuid);
		info.exists = false;
	}
	/* A chain's bases over -real (chain.h) go with it; a shadow on
	 * either keeps them. */
	if (rinfo.exists && (r = real_bases(ctx, volume, &rinfo, bases, 8, &nb)))
		goto out;
	if (info.exists) {
		/* Whatever suspended it is not ours (our suspends are resumed
		 * before this, or named by the window marker), nor is a table
		 * loaded that is not ours: another tool is at work on it. */
		if (info.suspended) {
			r = vss_fail(ctx, EBUSY, "%s: suspended (by another program, or its resume "
				     "failed); its table stays until it is resumed", volume);
			goto out;
		}
		if (info.inactive_table) {
			if ((r = vss_dm_table_inactive(ctx, volume, &t)))
				goto out;
			if (!rinfo.exists || origin_kind_of(ctx, &t, &rinfo, NULL) == ORIGIN_NONE) {
				r = vss_fail(ctx, EBUSY, "%s: another program loaded a table into it "
					     "(not yet live); its table stays until that is done", volume);
				goto out;
			}
			/* Ours, loaded for a create that never finished. */
			vss_dm_table_free(&t);
			if ((r = vss_dm_clear(ctx, volume)))
				goto out;
		}
		if ((r = vss_dm_table(ctx, volume, &live)))
			goto out;
		if (rinfo.exists && is_layered(ctx, &live, &rinfo)) {
			/* T as -real (ours, by its uuid) carries it in the
			 * kernel, not as the record says: a record is data, and
			 * a forged one would map the volume anywhere. */
			if ((r = vss_dm_table(ctx, real, &t)) == 0)
				r = swap_table(ctx, volume, info.uuid, &t);
			if (r)
				goto out;
			vss_log(ctx, VSS_LEVEL_INFO, "%s: its own table is back", volume);
		}
	}
	for (size_t i = 0; i < nb && !r; i++)
		r = vss_dm_remove(ctx, bases[i].name);
	if (r || (rinfo.exists && (r = vss_dm_remove(ctx, real))))
		goto out;
	if (have_rec && (r = vss_state_unlink(ctx, rel)) == -ENOENT)
		r = 0;
out:
	vss_dm_table_free(&live);
	vss_dm_table_free(&t);
	if (have_rec)
		vss_dm_table_free(&rec.tab);
	return r;
}

static bool same_table(const struct vss_dm_table *a, const struct vss_dm_table *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (a->t[i].start != b->t[i].start || a->t[i].length != b->t[i].length ||
		    strcmp(a->t[i].type, b->t[i].type) || strcmp(a->t[i].params, b->t[i].params))
			return false;
	return true;
}

int origin_rebuild(struct vss_ctx *ctx, const char *volume, const char *origin_uuid,
		   const struct vss_dm_target *t, size_t n, unsigned *rmaj, unsigned *rmin,
		   bool *made)
{
	char real[160], uuid[37], real_uuid[130];
	struct vss_dm_table live = { 0 }, rt = { 0 };
	struct vss_dm_info info;
	struct origin_rec rec;
	int r;

	*made = false;
	origin_real_name(volume, real, sizeof(real));
	if ((r = record_load(ctx, volume, &rec)) == 0) {
		snprintf(real_uuid, sizeof(real_uuid), "%s", rec.real_uuid);
		vss_dm_table_free(&rec.tab);
	} else if (r != -ENOENT) {
		return r;
	} else if ((r = vss_uuid_new(uuid))) {
		return vss_fail(ctx, -r, "cannot make a uuid: %s", strerror(-r));
	} else {
		snprintf(real_uuid, sizeof(real_uuid), REAL_UUID_PREFIX "%s", uuid);
	}
	if ((r = vss_dm_info(ctx, real, &info)))
		return r;
	if (!t && (r = vss_dm_table(ctx, volume, &live)))
		return r;
	if (info.exists) {
		if (strcmp(info.uuid, real_uuid)) {
			r = vss_fail(ctx, EEXIST, "%s: a device named %s exists and is not the one vss "
				     "made (uuid %s)", volume, real, info.uuid[0] ? info.uuid : "none");
			goto out;
		}
		/* Made by an activate cut short, before the volume was layered
		 * on it: it must carry the volume's table still. */
		if (!t && !is_layered(ctx, &live, &info)) {
			if ((r = vss_dm_table(ctx, real, &rt)))
				goto out;
			if (!same_table(&rt, &live)) {
				r = vss_fail(ctx, EBUSY, "%s: its table is not the one %s carries (replaced "
					     "since?); its shadows are not activated", volume, real);
				goto out;
			}
		}
	} else {
		const struct vss_dm_table mine = { n, (struct vss_dm_target *)t };
		const struct vss_dm_table *use = t ? &mine : &live;

		/* A volume already on snapshot-origin has no table of its own to give. */
		if (!t && use->n && !strncmp(use->t[0].type, "snapshot", 8)) {
			r = vss_fail(ctx, EOPNOTSUPP, "%s: has a %s table over a device that is not "
				     "vss's -real layer", volume, use->t[0].type);
			goto out;
		}
		if ((r = record_save(ctx, volume, origin_uuid, real_uuid, use)) ||
		    (r = vss_dm_create(ctx, real, real_uuid, use->t, use->n, VSS_DM_UDEV_PRIVATE)) ||
		    (r = vss_dm_info(ctx, real, &info)))
			goto out;
		*made = true;
	}
	*rmaj = info.major;
	*rmin = info.minor;
out:
	vss_dm_table_free(&live);
	vss_dm_table_free(&rt);
	return r;
}

int origin_table(struct vss_ctx *ctx, const char *volume, uint64_t sectors,
		 const struct shadow_rec *merge, struct vss_dm_target *t, char *params,
		 size_t plen)
{
	struct vss_dm_info rinfo, cow;
	int r;

	if ((r = real_of(ctx, volume, &rinfo)))
		return r;
	memset(t, 0, sizeof(*t));
	t->length = sectors;
	t->params = params;
	if (!merge) {
		snprintf(params, plen, "%u:%u", rinfo.major, rinfo.minor);
		t->type = "snapshot-origin";
		return 0;
	}
	if ((r = vss_dm_info(ctx, merge->cow_name, &cow)))
		return r;
	if (!cow.exists)
		return vss_fail(ctx, ENODEV, "%s: its COW device %s is missing", volume,
				merge->cow_name);
	snprintf(params, plen, "%u:%u %u:%u P %u", rinfo.major, rinfo.minor, cow.major, cow.minor,
		 merge->chunk);
	t->type = "snapshot-merge";
	return 0;
}

bool origin_layered(struct vss_ctx *ctx, const char *volume)
{
	struct vss_dm_info rinfo;
	struct vss_dm_table tab;
	char real[160];
	bool yes;

	origin_real_name(volume, real, sizeof(real));
	if (vss_dm_info(ctx, real, &rinfo) || !rinfo.exists || vss_dm_table(ctx, volume, &tab))
		return false;
	yes = is_layered(ctx, &tab, &rinfo);
	vss_dm_table_free(&tab);
	return yes;
}

int origin_merge_end(struct vss_ctx *ctx, const char *volume, uint64_t sectors, bool others)
{
	struct vss_dm_target t;
	struct vss_dm_table live, next = { 1, &t };
	struct vss_dm_info info;
	char params[64];
	bool merging;
	int r;

	if (!others)
		return origin_restore(ctx, volume);
	if ((r = vss_dm_info(ctx, volume, &info)))
		return r;
	if (!info.exists)
		return 0;
	if ((r = vss_dm_table(ctx, volume, &live)))
		return r;
	merging = live.n == 1 && !strcmp(live.t[0].type, "snapshot-merge");
	vss_dm_table_free(&live);
	if (!merging)
		return 0;
	if ((r = origin_table(ctx, volume, sectors, NULL, &t, params, sizeof(params))))
		return r;
	return swap_table(ctx, volume, info.uuid, &next);
}
