/*
 * Storage areas: where COW data may go. Areas are recorded in
 * STATE_DIR/areas/ID.conf (the default directory area is implicit until it
 * is first used); what each shadow took is in its set's record, the one
 * place that says it, so usage is always computed, never kept.
 */
#include "config.h"
#include "blockdev.h"
#include "devid.h"
#include "dm.h"
#include "state.h"
#include "pool.h"
#include "storage.h"
#include "trust.h"
#include "strv.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>
static int area_field(void *data, const char *section, const char *key, const char *v)
{
	struct area *a = data;

	if (strcmp(section, "area"))
		return 1;
	if (!strcmp(key, "id"))
		snprintf(a->id, sizeof(a->id), "%s", v);
	else if (!strcmp(key, "type"))
		a->device = !strcmp(v, "device");
	else if (!strcmp(key, "path"))
		snprintf(a->path, sizeof(a->path), "%s", v);
	else if (!strcmp(key, "devid"))
		snprintf(a->devid, sizeof(a->devid), "%s", v);
	else if (!strcmp(key, "devno"))
		return sscanf(v, "%u:%u", &a->major, &a->minor) == 2;
	else if (!strcmp(key, "sectors"))
		return sscanf(v, "%" SCNu64, &a->sectors) == 1;
	else if (!strcmp(key, "max"))
		return sscanf(v, "%" SCNu64, &a->max) == 1;
	else if (!strcmp(key, "added"))
		return sscanf(v, "%lld", &a->added) == 1;
	return 1;
}

static int by_added(const void *x, const void *y)
{
	const struct area *a = x, *b = y;

	return a->added < b->added ? -1 : a->added > b->added;
}

static void default_area(struct vss_ctx *ctx, struct area *a)
{
	memset(a, 0, sizeof(*a));
	snprintf(a->id, sizeof(a->id), DEFAULT_AREA);
	snprintf(a->path, sizeof(a->path), "%.4000s/storage", ctx->state_dir);
	a->implicit = true;
}

/* The recorded areas in the order they were added; with none recorded, the
 * default directory (not recorded until a shadow uses it). */
int areas_load(struct vss_ctx *ctx, struct area **areasp, size_t *np)
{
	struct area *areas;
	char **ids = NULL;
	size_t nids = 0, n = 0;
	int r;

	*areasp = NULL;
	*np = 0;
	if ((r = vss_state_list(ctx, "areas", ".conf", &ids, &nids)))
		return r;
	areas = calloc(nids + 1, sizeof(*areas));
	if (!areas) {
		vss_strv_free(ids, nids);
		return vss_fail(ctx, ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < nids; i++) {
		char rel[128];

		snprintf(rel, sizeof(rel), "areas/%s.conf", ids[i]);
		memset(&areas[n], 0, sizeof(areas[n]));
		if (vss_state_read(ctx, rel, area_field, &areas[n]) || strcmp(areas[n].id, ids[i]) ||
		    !areas[n].path[0]) {
			vss_log(ctx, VSS_LEVEL_WARNING, "%s/%s: damaged storage area record",
				ctx->state_dir, rel);
			continue;
		}
		n++;
	}
	vss_strv_free(ids, nids);
	if (n == 0)
		default_area(ctx, &areas[n++]);
	qsort(areas, n, sizeof(*areas), by_added);
	*areasp = areas;
	*np = n;
	return 0;
}

int area_save(struct vss_ctx *ctx, const struct area *a)
{
	char rel[128], buf[16384];
	int n;

	snprintf(rel, sizeof(rel), "areas/%s.conf", a->id);
	n = snprintf(buf, sizeof(buf),
		     "# A storage area for shadows' COW data. Written by vss: do not edit.\n"
		     "[area]\nid = %s\ntype = %s\npath = %s\n", a->id,
		     a->device ? "device" : "directory", a->path);
	if (a->device)
		n += snprintf(buf + n, sizeof(buf) - (size_t)n,
			      "devid = %s\ndevno = %u:%u\nsectors = %" PRIu64 "\n", a->devid, a->major,
			      a->minor, a->sectors);
	n += snprintf(buf + n, sizeof(buf) - (size_t)n, "max = %" PRIu64 "\nadded = %lld\n", a->max,
		      a->added);
	return vss_state_write(ctx, rel, buf, (size_t)n);
}

/* Every shadow that holds storage: committed sets, and operations under
 * way (a set being deleted counts once). */
static bool ignored(const struct vss_ctx *ctx, const char *id)
{
	for (size_t i = 0; i < ctx->nalloc_ignore; i++)
		if (!strcmp(ctx->alloc_ignore[i].id, id))
			return true;
	return false;
}

int storage_shadows_all(struct vss_ctx *ctx, struct set_rec **recsp, size_t *np)
{
	struct set_rec *sets, *jour, *all;
	size_t ns, nj, n;
	int r;

	if ((r = set_rec_list_strict(ctx, "sets", &sets, &ns)))
		return r;
	if ((r = set_rec_list_strict(ctx, "journal", &jour, &nj))) {
		set_recs_free(sets, ns);
		return r;
	}
	all = realloc(sets, (ns + nj + 1) * sizeof(*all));
	if (!all) {
		set_recs_free(sets, ns);
		set_recs_free(jour, nj);
		return vss_fail(ctx, ENOMEM, "out of memory");
	}
	n = ns;
	for (size_t j = 0; j < nj; j++) {
		bool dup = false;

		for (size_t i = 0; i < ns && !dup; i++)
			dup = !strcmp(all[i].id, jour[j].id);
		if (dup)
			set_rec_free(&jour[j]);
		else
			all[n++] = jour[j];
	}
	free(jour);
	/* The sets the policy weighs deleting count as gone already. */
	for (size_t i = 0; i < n;) {
		if (ignored(ctx, all[i].id)) {
			set_rec_free(&all[i]);
			all[i] = all[--n];
		} else
			i++;
	}
	*recsp = all;
	*np = n;
	return 0;
}

void area_usage(const struct area *a, const struct set_rec *recs, size_t n,
		     const struct set_rec *plan, struct usage *u)
{
	memset(u, 0, sizeof(*u));
	for (size_t i = 0; i <= n; i++) {
		const struct set_rec *r = i < n ? &recs[i] : plan;

		for (size_t j = 0; r && j < r->n; j++) {
			if (strcmp(r->sh[j].area, a->id) || !r->sh[j].cow_sectors)
				continue;
			u->used += r->sh[j].cow_sectors * 512;
			u->shadows++;
		}
	}
}

/* Free bytes in A, given what sets hold (U) and what the set being made
 * took already (PLANNED); for a directory, also what its filesystem has. */
uint64_t area_free(struct vss_ctx *ctx, const struct area *a, const struct usage *u,
			uint64_t planned)
{
	uint64_t left = UINT64_MAX, used = u->used + planned;

	if (a->device) {
		left = a->sectors * 512 > used ? a->sectors * 512 - used : 0;
	} else {
		struct statvfs sv;

		/* The default area's directory may not exist yet. */
		if (statvfs(a->path, &sv) == 0 || (a->implicit && statvfs(ctx->state_dir, &sv) == 0))
			left = (uint64_t)sv.f_bavail * sv.f_frsize;
		else
			left = 0;
		/* The files of sets counted as gone would be free too. */
		for (size_t i = 0; i < ctx->nalloc_ignore; i++) {
			struct usage g;

			area_usage(a, &ctx->alloc_ignore[i], 1, NULL, &g);
			left += g.used;
		}
		left = left > planned ? left - planned : 0;
	}
	if (a->max)
		left = a->max > used ? (left < a->max - used ? left : a->max - used) : 0;
	return left;
}

/* A device area is named by the devno it had when added, and by what the
 * device carries (devid.h): after a reboot or a removed LV that number may
 * be another device's, or the area's device may have another number. */
int area_verify(struct vss_ctx *ctx, struct area *a)
{
	char had[16], has[16], now[128], node[160];
	uint64_t bytes = 0;
	struct stat st;
	dev_t devno;

	if (!a->device) {
		/* Shadow data goes there: checked as the state directory is,
		 * before any COW file is made or used. A directory not made
		 * yet (the default one, before its first use) is made later,
		 * 0700. */
		int fd, r = trust_dir_open(ctx, "storage area", a->path, 0, &fd);

		if (r == 0)
			close(fd);
		return r == -ENOENT ? 0 : r;
	}
	vss_size_format(a->sectors * 512, had, sizeof(had));
	if (a->devid[0]) {
		if (vss_devid_find(a->devid, &devno))
			return vss_fail(ctx, ENODEV, "storage area %s: its device is not present (%s)",
					a->path, a->devid);
		vss_devid_node(devno, node, sizeof(node));
		if (vss_blockdev_size(ctx, node, &bytes))
			return vss_fail(ctx, ENODEV, "storage area %s: %s", a->path, vss_errmsg(ctx));
		if (bytes != a->sectors * 512) {
			vss_size_format(bytes, has, sizeof(has));
			return vss_fail(ctx, ENODEV, "storage area %s: its device %s is %s now, not %s "
					"as when it was added; remove the area and add it again", a->path,
					node, has, had);
		}
		a->major = major(devno);
		a->minor = minor(devno);
		return 0;
	}
	if (stat(a->path, &st) < 0)
		snprintf(now, sizeof(now), "missing");
	else if (!S_ISBLK(st.st_mode))
		snprintf(now, sizeof(now), "not a block device");
	else if (vss_blockdev_size(ctx, a->path, &bytes))
		snprintf(now, sizeof(now), "%u:%u, of unknown size", major(st.st_rdev),
			 minor(st.st_rdev));
	else if (major(st.st_rdev) != a->major || minor(st.st_rdev) != a->minor ||
		 bytes != a->sectors * 512) {
		vss_size_format(bytes, has, sizeof(has));
		snprintf(now, sizeof(now), "%u:%u, %s", major(st.st_rdev), minor(st.st_rdev), has);
	} else {
		return 0;
	}
	return vss_fail(ctx, ENODEV, "storage area %s: not the device that was added (then %u:%u, %s; "
			"now %s); remove the area and add it again", a->path, a->major, a->minor, had,
			now);
}

int storage_areas_refresh(struct vss_ctx *ctx)
{
	struct area *areas;
	size_t n;
	int r;

	if ((r = areas_load(ctx, &areas, &n)))
		return r;
	for (size_t i = 0; i < n && !r; i++) {
		unsigned ma = areas[i].major, mi = areas[i].minor;

		/* A missing area fails the shadows on it, each with its reason. */
		if (!areas[i].device || area_verify(ctx, &areas[i]) ||
		    (ma == areas[i].major && mi == areas[i].minor))
			continue;
		vss_log(ctx, VSS_LEVEL_INFO, "storage area %s: its device is %u:%u now, %u:%u before",
			areas[i].path, areas[i].major, areas[i].minor, ma, mi);
		r = area_save(ctx, &areas[i]);
	}
	free(areas);
	return r;
}

int area_find(struct vss_ctx *ctx, const char *id, struct area *out)
{
	struct area *areas;
	size_t n;
	int r;

	if ((r = areas_load(ctx, &areas, &n)))
		return r;
	r = vss_fail(ctx, ENOENT, "storage area %s: not recorded", id);
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(areas[i].id, id)) {
			*out = areas[i];
			r = 0;
			break;
		}
	}
	free(areas);
	return r;
}

/* The thin pools after the areas: their room is that of thin shadows. */
static int with_pools(struct vss_ctx *ctx, struct vss_storage_area **list, size_t *n,
		      const struct set_rec *recs, size_t nrecs)
{
	struct vss_storage_area *l;
	struct pool *pools;
	size_t np;
	int r;

	if ((r = pool_list(ctx, &pools, &np)))
		return r;
	if (!(l = realloc(*list, (*n + np + 1) * sizeof(*l)))) {
		free(pools);
		return vss_fail(ctx, ENOMEM, "out of memory");
	}
	*list = l;
	for (size_t i = 0; i < np; i++) {
		struct vss_storage_area *a = &l[(*n)++];
		char mode[32];

		memset(a, 0, sizeof(*a));
		snprintf(a->id, sizeof(a->id), "%.63s", pools[i].name);
		snprintf(a->path, sizeof(a->path), "%s", pools[i].device);
		a->thin = a->device = true;
		if (pool_usage(ctx, &pools[i], &a->used, &a->size, NULL, mode, sizeof(mode)) || !a->size)
			a->size = pools[i].data_sectors * 512;
		a->free = a->size > a->used ? a->size - a->used : 0;
		for (size_t k = 0; k < nrecs; k++)
			for (size_t j = 0; j < recs[k].n; j++)
				a->shadows += !strcmp(recs[k].sh[j].pool, pools[i].name);
	}
	free(pools);
	return 0;
}

int vss_storage_list(struct vss_ctx *ctx, struct vss_storage_area **out, size_t *np)
{
	struct vss_storage_area *list = NULL;
	struct set_rec *recs = NULL;
	struct area *areas = NULL;
	size_t nareas = 0, nrecs = 0;
	int r;

	*out = NULL;
	*np = 0;
	if ((r = areas_load(ctx, &areas, &nareas)) || (r = storage_shadows_all(ctx, &recs, &nrecs)))
		goto out;
	if (!(list = calloc(nareas, sizeof(*list)))) {
		r = vss_fail(ctx, ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < nareas; i++) {
		struct vss_storage_area *l = &list[i];
		struct usage u;

		area_usage(&areas[i], recs, nrecs, NULL, &u);
		snprintf(l->id, sizeof(l->id), "%s", areas[i].id);
		snprintf(l->path, sizeof(l->path), "%s", areas[i].path);
		l->device = areas[i].device;
		l->implicit = areas[i].implicit;
		l->size = areas[i].sectors * 512;
		l->max = areas[i].max;
		l->used = u.used;
		l->shadows = u.shadows;
		l->free = area_free(ctx, &areas[i], &u, 0);
	}
	if ((r = with_pools(ctx, &list, &nareas, recs, nrecs)))
		goto out;
	/* storage_max bounds every area's free space as well (a pool's is
	 * its own). */
	if (ctx->policy.storage_max) {
		uint64_t total = 0, left;

		for (size_t i = 0; i < nareas; i++)
			total += list[i].thin ? 0 : list[i].used;
		left = ctx->policy.storage_max > total ? ctx->policy.storage_max - total : 0;
		for (size_t i = 0; i < nareas; i++)
			if (!list[i].thin && list[i].free > left)
				list[i].free = left;
	}
	*out = list;
	*np = nareas;
out:
	free(areas);
	set_recs_free(recs, nrecs);
	return r;
}

/* Characters an area's path may not hold: the state files are INI. */
static bool path_ok(const char *p)
{
	size_t len = strlen(p);

	return len < 3000 && vss_state_value_ok(p);
}

static int add_checks(struct vss_ctx *ctx, const char *path, struct area *a)
{
	char real[PATH_MAX], buf[4096], type[32], uuid[64];
	struct vss_dm_info info;
	struct stat st;
	dev_t devno;
	int r;

	if (stat(path, &st) < 0)
		return vss_fail(ctx, errno == ENOENT ? ENOENT : errno, "%s: %s", path,
				errno == ENOENT ? "no such device or directory" : strerror(errno));
	if (!realpath(path, real))
		return vss_fail(ctx, errno, "%s: %s", path, strerror(errno));
	if (!path_ok(real))
		return vss_fail(ctx, EINVAL, "%s: a storage area's path may not hold ; # quotes, "
				"backslashes or control characters", path);
	memset(a, 0, sizeof(*a));
	if (S_ISDIR(st.st_mode)) {
		snprintf(a->path, sizeof(a->path), "%s", real);
		if (st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH)))
			return vss_fail(ctx, EPERM, "%s: must be owned by root and not writable by group "
					"or others (shadow data goes there)", path);
		/* And so must every directory on the way to it. */
		{
			int fd;

			if ((r = trust_dir_open(ctx, "storage area", real, 0, &fd)))
				return r;
			close(fd);
		}
		return 0;
	}
	if (!S_ISBLK(st.st_mode))
		return vss_fail(ctx, EINVAL, "%s: neither a block device nor a directory", path);
	a->device = true;
	/* The path given, not realpath's /dev/dm-N or /dev/loopN: what the
	 * user named is what they will recognise in lists. */
	snprintf(a->path, sizeof(a->path), "%s", path);
	devno = st.st_rdev;
	a->major = major(devno);
	a->minor = minor(devno);
	vss_devid_of(devno, a->devid, sizeof(a->devid));
	if (!vss_state_value_ok(a->devid))
		a->devid[0] = '\0';
	vss_blockdev_mountpoint(devno, buf, sizeof(buf));
	if (buf[0])
		return vss_fail(ctx, EBUSY, "%s: is mounted on %s", path, buf);
	vss_blockdev_holders(devno, buf, sizeof(buf));
	if (buf[0])
		return vss_fail(ctx, EBUSY, "%s: is in use by %s", path, buf);
	if ((r = vss_blockdev_claimable(path)) < 0)
		return vss_fail(ctx, -r, "%s: is in use (%s)", path,
				r == -EBUSY ? "held open exclusively, e.g. as swap" : strerror(-r));
	vss_blockdev_dm_name(devno, buf, sizeof(buf));
	if (buf[0] && vss_dm_info(ctx, buf, &info) == 0 && !strncmp(info.uuid, "VSS-", 4))
		return vss_fail(ctx, EINVAL, "%s: a device vss manages (%s) cannot be a storage area",
				path, buf);
	vss_blockdev_probe(path, type, sizeof(type), uuid, sizeof(uuid));
	if (type[0])
		return vss_fail(ctx, EEXIST, "%s: carries a signature (%s); shadows would overwrite it "
				"(wipefs -a %s first, if it may go)", path, type, path);
	/* A thin pool's metadata carries none blkid knows. */
	{
		struct pool p;

		if ((r = pool_on_device(ctx, devno, &p)) == 0)
			return vss_fail(ctx, EBUSY, "%s: the device of thin pool %s", path, p.name);
		if (r != -ENOENT)
			return r;
	}
	if ((r = vss_blockdev_size(ctx, path, &a->sectors)))
		return r;
	a->sectors /= 512;
	if (a->sectors < 2048)
		return vss_fail(ctx, EINVAL, "%s: too small to be a storage area (less than 1M)", path);
	return 0;
}

int vss_storage_add(struct vss_ctx *ctx, const char *path, uint64_t max)
{
	struct area a, *areas = NULL;
	char uuid[37];
	size_t n = 0;
	int r;

	vss_op_begin(ctx, "storage add");
	if ((r = vss_lock_and_recover(ctx)))
		goto out;
	if ((r = add_checks(ctx, path, &a)) ||
	    (r = areas_load(ctx, &areas, &n)))
		goto unlock;
	for (size_t i = 0; i < n; i++) {
		if (areas[i].implicit)
			continue;
		if ((a.device && areas[i].device && areas[i].major == a.major &&
		     areas[i].minor == a.minor) || !strcmp(areas[i].path, a.path)) {
			r = vss_fail(ctx, EEXIST, "%s: already a storage area", path);
			goto unlock;
		}
	}
	if ((r = vss_uuid_new(uuid))) {
		r = vss_fail(ctx, -r, "cannot make a uuid: %s", strerror(-r));
		goto unlock;
	}
	/* The default directory has the fixed id; a user's area a short one. */
	if (!a.device && !strcmp(a.path, areas[0].path) && areas[0].implicit)
		snprintf(a.id, sizeof(a.id), DEFAULT_AREA);
	else
		snprintf(a.id, sizeof(a.id), "%.8s", uuid);
	a.max = max;
	a.added = (long long)time(NULL);
	if ((r = area_save(ctx, &a)))
		goto unlock;
	vss_step(ctx, "%s: storage area added (%s)", a.path, a.device ? "device" : "directory");
unlock:
	free(areas);
	vss_unlock(ctx);
out:
	vss_op_end(ctx, r);
	return r;
}

int vss_storage_remove(struct vss_ctx *ctx, const char *path)
{
	struct set_rec *recs = NULL;
	struct area *areas = NULL;
	size_t n = 0, nrecs = 0;
	char real[PATH_MAX], rel[128];
	const struct area *a = NULL;
	int r;

	vss_op_begin(ctx, "storage remove");
	if ((r = vss_lock_and_recover(ctx)))
		goto out;
	if ((r = areas_load(ctx, &areas, &n)) ||
	    (r = storage_shadows_all(ctx, &recs, &nrecs)))
		goto unlock;
	if (!realpath(path, real))
		snprintf(real, sizeof(real), "%s", path);
	for (size_t i = 0; i < n && !a; i++)
		if (!areas[i].implicit && (!strcmp(areas[i].path, path) || !strcmp(areas[i].path, real) ||
					   !strcmp(areas[i].id, path)))
			a = &areas[i];
	if (!a) {
		r = vss_fail(ctx, ENOENT, "%s: not a storage area", path);
		goto unlock;
	}
	for (size_t i = 0; i < nrecs; i++) {
		for (size_t j = 0; j < recs[i].n; j++) {
			if (strcmp(recs[i].sh[j].area, a->id))
				continue;
			r = vss_fail(ctx, EBUSY, "%s: holds the COW of the shadow of %s in set %.8s; "
				     "delete that set first", path, recs[i].sh[j].volume, recs[i].id);
			goto unlock;
		}
	}
	snprintf(rel, sizeof(rel), "areas/%s.conf", a->id);
	if ((r = vss_state_unlink(ctx, rel)))
		goto unlock;
	vss_step(ctx, "%s: storage area removed", a->path);
unlock:
	free(areas);
	set_recs_free(recs, nrecs);
	vss_unlock(ctx);
out:
	vss_op_end(ctx, r);
	return r;
}

bool storage_default_recorded(struct vss_ctx *ctx)
{
	char path[4200];

	snprintf(path, sizeof(path), "%s/areas/" DEFAULT_AREA ".conf", ctx->state_dir);
	return access(path, F_OK) == 0;
}

void storage_default_forget(struct vss_ctx *ctx)
{
	int r = vss_state_unlink(ctx, "areas/" DEFAULT_AREA ".conf");

	if (r && r != -ENOENT)
		vss_log(ctx, VSS_LEVEL_DEBUG, "%s", vss_errmsg(ctx));
}

int storage_area_on_device(struct vss_ctx *ctx, const char *device, dev_t devno)
{
	struct area *areas;
	size_t n;
	char id[4200];
	int r;

	if ((r = areas_load(ctx, &areas, &n)))
		return r;
	vss_devid_of(devno, id, sizeof(id));
	for (size_t i = 0; i < n && !r; i++)
		if (areas[i].device && ((areas[i].devid[0] && !strcmp(areas[i].devid, id)) ||
					(!areas[i].devid[0] && makedev(areas[i].major, areas[i].minor) == devno)))
			r = vss_fail(ctx, EBUSY, "%s: the device of storage area %s", device,
				     areas[i].path);
	free(areas);
	return r;
}
