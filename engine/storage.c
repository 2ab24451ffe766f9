/*
 * Storage areas. A directory area holds one preallocated file a shadow,
 * attached to a loop device; a device area is carved into dm-linear slices.
 * Either way each shadow's COW is a dm device vss-SET8-VOLUME-cow (uuid
 * VSS-cow-...), so recovery finds every piece by uuid. Areas are recorded in
 * STATE_DIR/areas/ID.conf; what each shadow took is in its set's record, the
 * one place that says it, so usage is always computed, never kept.
 */
#include "config.h"
#include "blockdev.h"
#include "dm.h"
#include "loop.h"
#include "state.h"
#include "storage.h"
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

#define DEFAULT_AREA "default"

struct area {
	char id[64];
	bool device;
	bool implicit;
	char path[4096];
	unsigned major, minor;
	uint64_t sectors;   /* device */
	uint64_t max;       /* bytes, 0: none */
	long long added;
};

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
static int areas_load(struct vss_ctx *ctx, struct area **areasp, size_t *np)
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

static int area_save(struct vss_ctx *ctx, const struct area *a)
{
	char rel[128], buf[8192];
	int n;

	snprintf(rel, sizeof(rel), "areas/%s.conf", a->id);
	n = snprintf(buf, sizeof(buf),
		     "# A storage area for shadows' COW data. Written by vss: do not edit.\n"
		     "[area]\nid = %s\ntype = %s\npath = %s\n", a->id,
		     a->device ? "device" : "directory", a->path);
	if (a->device)
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, "devno = %u:%u\nsectors = %" PRIu64 "\n",
			      a->major, a->minor, a->sectors);
	n += snprintf(buf + n, sizeof(buf) - (size_t)n, "max = %" PRIu64 "\nadded = %lld\n", a->max,
		      a->added);
	return vss_state_write(ctx, rel, buf, (size_t)n);
}

/* Every shadow that holds storage: committed sets, and operations under
 * way (a set being deleted counts once). */
static int shadows_all(struct vss_ctx *ctx, struct set_rec **recsp, size_t *np)
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
	*recsp = all;
	*np = n;
	return 0;
}

struct usage {
	uint64_t used;      /* bytes */
	unsigned shadows;
};

static void usage_of(const struct area *a, const struct set_rec *recs, size_t n,
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
static uint64_t free_of(struct vss_ctx *ctx, const struct area *a, const struct usage *u,
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
		left = left > planned ? left - planned : 0;
	}
	if (a->max)
		left = a->max > used ? (left < a->max - used ? left : a->max - used) : 0;
	return left;
}

struct extent {
	uint64_t start, len;
};

static int by_start(const void *x, const void *y)
{
	const struct extent *a = x, *b = y;

	return a->start < b->start ? -1 : a->start > b->start;
}

/* First fit in device area A: the lowest offset with SECTORS free. */
static int fit(const struct area *a, const struct set_rec *recs, size_t n,
	       const struct set_rec *plan, uint64_t sectors, uint64_t *offset, uint64_t *largest)
{
	struct extent *ex = NULL;
	size_t nex = 0, cap = 0;
	uint64_t at = 0, limit = a->sectors;
	bool ok = false;

	if (a->max && a->max / 512 < limit)
		limit = a->max / 512;
	*largest = 0;
	for (size_t i = 0; i <= n; i++) {
		const struct set_rec *r = i < n ? &recs[i] : plan;

		for (size_t j = 0; r && j < r->n; j++) {
			if (strcmp(r->sh[j].area, a->id) || !r->sh[j].cow_sectors)
				continue;
			if (nex == cap) {
				struct extent *e = realloc(ex, (cap = cap * 2 + 8) * sizeof(*e));

				if (!e) {
					free(ex);
					return -ENOMEM;
				}
				ex = e;
			}
			ex[nex].start = r->sh[j].cow_offset;
			ex[nex++].len = r->sh[j].cow_sectors;
		}
	}
	if (nex)
		qsort(ex, nex, sizeof(*ex), by_start);
	for (size_t i = 0; i <= nex; i++) {
		uint64_t end = i < nex ? ex[i].start : limit;

		if (end > at && end - at > *largest)
			*largest = end - at;
		if (!ok && end > at && end - at >= sectors) {
			*offset = at;
			ok = true;
		}
		if (i < nex && ex[i].start + ex[i].len > at)
			at = ex[i].start + ex[i].len;
	}
	free(ex);
	*largest *= 512;
	return ok ? 1 : 0;
}

/* A device area is named by the devno it had when added; after a reboot or
 * a removed LV that number may be another device's. Checked before use. */
static int area_verify(struct vss_ctx *ctx, const struct area *a)
{
	struct stat st;
	uint64_t bytes = 0;
	char had[16];

	if (!a->device)
		return 0;
	vss_size_format(a->sectors * 512, had, sizeof(had));
	if (stat(a->path, &st) < 0 || !S_ISBLK(st.st_mode) || major(st.st_rdev) != a->major ||
	    minor(st.st_rdev) != a->minor || vss_blockdev_size(ctx, a->path, &bytes) ||
	    bytes != a->sectors * 512)
		return vss_fail(ctx, ENODEV, "storage area %s: not the device that was added (%u:%u, %s); "
				"remove the area and add it again", a->path, a->major, a->minor, had);
	return 0;
}

/* Whether area A lies on one of MEMBERS: COW there would be written through
 * the very origin it tracks, and the first such write would deadlock. */
static int area_on_member(struct vss_ctx *ctx, const struct area *a, const dev_t *members,
			  size_t n, size_t *which)
{
	dev_t dev;
	int r;

	if (a->device)
		dev = makedev(a->major, a->minor);
	else if ((r = vss_blockdev_of_path(ctx, a->implicit ? ctx->state_dir : a->path, &dev)))
		return r;
	for (size_t i = 0; dev && i < n; i++) {
		if (vss_blockdev_stacked_on(dev, members[i])) {
			*which = i;
			return 1;
		}
	}
	return 0;
}

/* Whether area A lies on a volume that already has shadows: copy-outs from
 * its writes could end on this set's volumes, and theirs on it. 2 if so. */
static int area_on_origin(struct vss_ctx *ctx, const struct area *a, const struct set_rec *recs,
			  size_t n)
{
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < recs[i].n; j++) {
			struct vss_dm_info info;
			dev_t dev;
			size_t which;
			int m;

			if (vss_dm_info(ctx, recs[i].sh[j].volume, &info) || !info.exists)
				continue;
			dev = makedev(info.major, info.minor);
			if ((m = area_on_member(ctx, a, &dev, 1, &which)))
				return m < 0 ? m : 2;
		}
	}
	return 0;
}

int storage_alloc(struct vss_ctx *ctx, const struct set_rec *plan, struct shadow_rec *sh,
		  const dev_t *members, char *const *names, size_t nmembers)
{
	struct set_rec *recs = NULL;
	struct area *areas = NULL;
	size_t nrecs = 0, nareas = 0, member = 0, on_member = 0, tried = 0;
	uint64_t best = 0;
	char need[16], have[16], member_name[160] = "";
	int r;

	if ((r = areas_load(ctx, &areas, &nareas)) || (r = shadows_all(ctx, &recs, &nrecs)))
		goto out;
	for (size_t i = 0; i < nareas; i++) {
		const struct area *a = &areas[i];
		struct usage u, pu;
		uint64_t room, offset = 0, largest;
		size_t which;
		int m;

		if ((r = area_verify(ctx, a)))
			goto out;
		m = area_on_member(ctx, a, members, nmembers, &which);
		if (m == 0)
			m = area_on_origin(ctx, a, recs, nrecs);
		if (m < 0) {
			r = m;
			goto out;
		}
		if (m) {
			if (!on_member++) {
				member = i;
				snprintf(member_name, sizeof(member_name), "%s",
					 m == 1 ? names[which] : "a volume that has shadows");
			}
			vss_log(ctx, VSS_LEVEL_INFO, "storage area %s is on %s: not used", a->path,
				m == 1 ? names[which] : "a volume that has shadows");
			continue;
		}
		tried++;
		usage_of(a, recs, nrecs, NULL, &u);
		usage_of(a, NULL, 0, plan, &pu);
		if (a->device) {
			int f = fit(a, recs, nrecs, plan, sh->cow_sectors, &offset, &largest);

			if (f < 0) {
				r = vss_fail(ctx, ENOMEM, "out of memory");
				goto out;
			}
			if (!f) {
				if (largest > best)
					best = largest;
				continue;
			}
		} else {
			room = free_of(ctx, a, &u, pu.used);
			if (room < sh->cow_sectors * 512) {
				if (room > best)
					best = room;
				continue;
			}
			snprintf(sh->cow_file, sizeof(sh->cow_file), "%.3000s/%s-%.100s.cow", a->path,
				 plan->id, sh->volume);
		}
		snprintf(sh->area, sizeof(sh->area), "%s", a->id);
		sh->cow_offset = offset;
		goto out;
	}
	vss_size_format(sh->cow_sectors * 512, need, sizeof(need));
	vss_size_format(best, have, sizeof(have));
	if (!tried)
		r = vss_fail(ctx, EDEADLK,
			     "%s: the storage area %s is on %s (its COW would be written through an "
			     "origin with shadows, and wait on itself); add a storage area elsewhere "
			     "(vss storage add)", sh->volume, areas[member].path, member_name);
	else
		r = vss_fail_kind(ctx, VSS_ERR_STORAGE_FULL, ENOSPC,
				  "storage full: the shadow of %s needs %s; the most any storage area "
				  "can give is %s", sh->volume, need, have);
out:
	free(areas);
	set_recs_free(recs, nrecs);
	return r;
}

static int find_area(struct vss_ctx *ctx, const char *id, struct area *out)
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

/* A preallocated file: every block it will need is its own from the start,
 * so the COW can never meet a full filesystem later. */
static int make_file(struct vss_ctx *ctx, const struct area *a, const struct shadow_rec *sh)
{
	uint64_t bytes = sh->cow_sectors * 512;
	int fd, err = 0;

	if (a->implicit && mkdir(a->path, 0700) < 0 && errno != EEXIST)
		return vss_fail(ctx, errno, "%s: %s", a->path, strerror(errno));
	fd = open(sh->cow_file, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return vss_fail(ctx, errno, "%s: %s", sh->cow_file, strerror(errno));
	/* On btrfs and other copy-on-write filesystems preallocated blocks are
	 * only reserved once: overwrites would need new ones. No COW there. */
	{
		int flags = 0;

		if (ioctl(fd, FS_IOC_GETFLAGS, &flags) == 0) {
			flags |= FS_NOCOW_FL;
			(void)ioctl(fd, FS_IOC_SETFLAGS, &flags);
		}
	}
	err = posix_fallocate(fd, 0, (off_t)bytes);
	if (!err && fsync(fd) < 0)
		err = errno;
	close(fd);
	if (err) {
		unlink(sh->cow_file);
		if (err == ENOSPC)
			return vss_fail_kind(ctx, VSS_ERR_STORAGE_FULL, ENOSPC,
					     "storage full: %s: no room for %" PRIu64 " bytes",
					     sh->cow_file, bytes);
		return vss_fail(ctx, err, "%s: cannot preallocate: %s", sh->cow_file, strerror(err));
	}
	return 0;
}

/* A new persistent exception store must start with a zeroed header, or
 * whatever the space held before could be read as an old store. */
static int zero_header(struct vss_ctx *ctx, const struct shadow_rec *sh)
{
	size_t len = (size_t)sh->chunk * 512;
	char dev[200];
	void *buf;
	int fd, err = 0;

	snprintf(dev, sizeof(dev), "/dev/mapper/%s", sh->cow_name);
	if (posix_memalign(&buf, 4096, len))
		return vss_fail(ctx, ENOMEM, "out of memory");
	memset(buf, 0, len);
	fd = open(dev, O_WRONLY | O_DIRECT | O_CLOEXEC);
	if (fd < 0) {
		err = errno;
	} else {
		ssize_t w = write(fd, buf, len);

		if (w < 0 || fsync(fd) < 0)
			err = errno;
		else if (w != (ssize_t)len)
			err = EIO;
	}
	if (fd >= 0)
		close(fd);
	free(buf);
	return err ? vss_fail(ctx, err, "%s: cannot clear its header: %s", dev, strerror(err)) : 0;
}

int storage_make(struct vss_ctx *ctx, const struct shadow_rec *sh)
{
	struct vss_dm_target t = { 0 };
	char params[64];
	unsigned ma, mi;
	struct area a;
	int r, hold = -1;

	if ((r = find_area(ctx, sh->area, &a)) || (r = area_verify(ctx, &a)))
		return r;
	if (a.implicit) {
		/* First use of the default directory: from now on it is recorded. */
		a.implicit = false;
		a.added = (long long)time(NULL);
		if ((r = area_save(ctx, &a)))
			return r;
		a.implicit = true;
	}
	if (a.device) {
		ma = a.major;
		mi = a.minor;
	} else {
		if ((r = make_file(ctx, &a, sh)))
			return r;
		if ((r = vss_loop_attach(ctx, sh->cow_file, &ma, &mi, &hold))) {
			unlink(sh->cow_file);
			return r;
		}
	}
	snprintf(params, sizeof(params), "%u:%u %" PRIu64, ma, mi, a.device ? sh->cow_offset : 0);
	t.length = sh->cow_sectors;
	t.type = "linear";
	t.params = params;
	r = vss_dm_create(ctx, sh->cow_name, sh->cow_uuid, &t, 1);
	/* The COW device holds the loop now, or it failed and the loop,
	 * set to clear itself, goes when we let go. */
	if (hold >= 0)
		close(hold);
	if (r == 0)
		r = zero_header(ctx, sh);
	return r;
}

int storage_release(struct vss_ctx *ctx, const struct shadow_rec *sh)
{
	struct vss_dm_info info;
	int r;

	if ((r = vss_dm_info(ctx, sh->cow_name, &info)))
		return r;
	if (info.exists) {
		if (strcmp(info.uuid, sh->cow_uuid))
			return vss_fail(ctx, EEXIST, "%s: not the device vss made (uuid %s)",
					sh->cow_name, info.uuid);
		/* Its loop device, set to clear itself, goes with it. */
		if ((r = vss_dm_remove(ctx, sh->cow_name)))
			return r;
	}
	if (sh->cow_file[0] && unlink(sh->cow_file) < 0 && errno != ENOENT)
		return vss_fail(ctx, errno, "%s: %s", sh->cow_file, strerror(errno));
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
	if ((r = areas_load(ctx, &areas, &nareas)) || (r = shadows_all(ctx, &recs, &nrecs)))
		goto out;
	if (!(list = calloc(nareas, sizeof(*list)))) {
		r = vss_fail(ctx, ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < nareas; i++) {
		struct vss_storage_area *l = &list[i];
		struct usage u;

		usage_of(&areas[i], recs, nrecs, NULL, &u);
		snprintf(l->id, sizeof(l->id), "%s", areas[i].id);
		snprintf(l->path, sizeof(l->path), "%s", areas[i].path);
		l->device = areas[i].device;
		l->implicit = areas[i].implicit;
		l->size = areas[i].sectors * 512;
		l->max = areas[i].max;
		l->used = u.used;
		l->shadows = u.shadows;
		l->free = free_of(ctx, &areas[i], &u, 0);
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

	return len && len < 3000 && !strpbrk(p, ";#\n\r\t\\\"'") && p[len - 1] != ' ';
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
		return vss_fail(ctx, EEXIST, "%s: holds a %s signature; shadows would overwrite it "
				"(wipefs -a %s first, if it may go)", path, type, path);
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
	if ((r = vss_lock(ctx)))
		goto out;
	if ((r = vss_recover(ctx)) || (r = add_checks(ctx, path, &a)) ||
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
	vss_op_end(ctx);
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
	if ((r = vss_lock(ctx)))
		goto out;
	if ((r = vss_recover(ctx)) || (r = areas_load(ctx, &areas, &n)) ||
	    (r = shadows_all(ctx, &recs, &nrecs)))
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
	vss_op_end(ctx);
	return r;
}
