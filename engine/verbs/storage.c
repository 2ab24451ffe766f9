/* storage list, storage add, storage remove: the verbs over the areas
 * (storage-area.c), each under the lock. */
#include "config.h"
#include "area.h"
#include "blockdev.h"
#include "devid.h"
#include "dm.h"
#include "pool.h"
#include "recover.h"
#include "setrec.h"
#include "state.h"
#include "trust.h"

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
	if ((r = areas_load(ctx, &areas, &nareas)) || (r = set_recs_holding(ctx, &recs, &nrecs)))
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
	    (r = set_recs_holding(ctx, &recs, &nrecs)))
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
