/*
 * A shadow's COW, carved from an area. A directory area gives one
 * preallocated file a shadow, attached to a loop device; a device area is
 * cut into dm-linear slices, first fit. Either way the COW is a dm device
 * vss-SET8-VOLUME-cow (uuid VSS-cow-...), so recovery finds every piece by
 * uuid.
 */
#include "config.h"
#include "area.h"
#include "blockdev.h"
#include "cow.h"
#include "dm.h"
#include "loop.h"
#include "setrec.h"
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

/* storage_max bounds what every area together gives, whatever each has. */
static int under_storage_max(struct vss_ctx *ctx, const struct set_rec *recs, size_t n,
			     const struct set_rec *plan, const struct shadow_rec *sh)
{
	uint64_t used = 0, need = sh->cow_sectors * 512, max = ctx->policy.storage_max;
	char a[16], b[16], c[16];

	for (size_t i = 0; i <= n; i++) {
		const struct set_rec *r = i < n ? &recs[i] : plan;

		for (size_t j = 0; r && j < r->n; j++)
			if (r->sh[j].area[0])
				used += r->sh[j].cow_sectors * 512;
	}
	if (used + need <= max)
		return 0;
	vss_size_format(need, a, sizeof(a));
	vss_size_format(max, b, sizeof(b));
	vss_size_format(used < max ? max - used : 0, c, sizeof(c));
	return vss_fail_kind(ctx, VSS_ERR_STORAGE_FULL, ENOSPC,
			     "storage full: the shadow of %s needs %s; storage_max (%s) leaves %s",
			     sh->volume, a, b, c);
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

	if ((r = areas_load(ctx, &areas, &nareas)) || (r = set_recs_holding(ctx, &recs, &nrecs)))
		goto out;
	if (ctx->policy.storage_max && (r = under_storage_max(ctx, recs, nrecs, plan, sh)))
		goto out;
	for (size_t i = 0; i < nareas; i++) {
		struct area *a = &areas[i];
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
		area_usage(a, recs, nrecs, NULL, &u);
		area_usage(a, NULL, 0, plan, &pu);
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
			room = area_free(ctx, a, &u, pu.used);
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

/* Where SH's COW file is: in the directory of its area A, under the one
 * name vss gives it. A record naming a file anywhere else is refused, as
 * is an area directory anyone but root could write to: the file is made,
 * attached and removed through *DIRFD (close it) and *BASE, never by a
 * path a link could lead astray. MAKE: the default area's directory is
 * made on first use. */
static int cow_place(struct vss_ctx *ctx, const struct area *a, const struct shadow_rec *sh,
		     bool make, int *dirfd, const char **base)
{
	size_t pl = strlen(a->path), bl;
	const char *b = sh->cow_file + pl + 1;

	*dirfd = -1;
	if (a->device || strncmp(sh->cow_file, a->path, pl) || sh->cow_file[pl] != '/' ||
	    strchr(b, '/') || b[0] == '.' || (bl = strlen(b)) < 5 || strcmp(b + bl - 4, ".cow"))
		return vss_fail_kind(ctx, VSS_ERR_USAGE, EPERM, "%s: not a COW file in the storage "
				     "area %s its record names: refused", sh->cow_file, a->path);
	*base = b;
	return trust_dir_open(ctx, "storage area", a->path, make && a->implicit ? 0700 : 0, dirfd);
}

/* Whether the file BASE under DIRFD is the COW file SH's record says it is:
 * a regular file of root's, with one link, of its recorded size. 0 when
 * it is or is gone (-ENOENT); refused, with the reason, when it is not. */
static int cow_is_ours(struct vss_ctx *ctx, int dirfd, const char *base,
		       const struct shadow_rec *sh, bool whole)
{
	uint64_t want = sh->cow_sectors * 512;
	struct stat st;

	if (fstatat(dirfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? -ENOENT : vss_fail(ctx, errno, "%s: %s", sh->cow_file,
							     strerror(errno));
	/* To be removed, one cut short (a create killed while it was being
	 * preallocated) is still ours; to be used, only the whole one. */
	char why[128] = "";

	if (!S_ISREG(st.st_mode))
		snprintf(why, sizeof(why), "%s", trust_kind(&st));
	else if (st.st_nlink != 1)
		snprintf(why, sizeof(why), "%lu links", (unsigned long)st.st_nlink);
	else if (!trust_owner(st.st_uid))
		snprintf(why, sizeof(why), "owned by uid %u", (unsigned)st.st_uid);
	else if (whole ? (uint64_t)st.st_size != want : (uint64_t)st.st_size > want)
		snprintf(why, sizeof(why), "%lld bytes, not %llu", (long long)st.st_size,
			 (unsigned long long)want);
	if (why[0])
		return vss_fail_kind(ctx, VSS_ERR_USAGE, EPERM, "%s: not the COW file vss made (%s): "
				     "refused", sh->cow_file, why);
	return 0;
}

/* Whether SH's COW file, refused by cow_place with R, is not there at
 * all: nothing is removed or trusted then, so nothing is refused (a
 * create refused before its file was made is undone). A directory gone
 * takes its files with it. */
static bool nothing_there(const struct shadow_rec *sh, int r)
{
	struct stat st;

	return r == -ENOENT || (lstat(sh->cow_file, &st) < 0 && errno == ENOENT);
}

int storage_check(struct vss_ctx *ctx, const struct shadow_rec *sh)
{
	const char *base;
	struct area a;
	int r, dirfd;

	if (!sh->cow_file[0])
		return 0;
	if ((r = area_find(ctx, sh->area, &a)))
		return r;
	if ((r = cow_place(ctx, &a, sh, false, &dirfd, &base)))
		return nothing_there(sh, r) ? 0 : r;
	r = cow_is_ours(ctx, dirfd, base, sh, false);
	close(dirfd);
	return r == -ENOENT ? 0 : r;
}

/* A preallocated file: every block it will need is its own from the start,
 * so the COW can never meet a full filesystem later. */
static int make_file(struct vss_ctx *ctx, const struct area *a, const struct shadow_rec *sh)
{
	uint64_t bytes = sh->cow_sectors * 512;
	const char *base;
	int fd, dirfd, err = 0;

	if ((err = cow_place(ctx, a, sh, true, &dirfd, &base)))
		return err;
	fd = openat(dirfd, base, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	close(dirfd);
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

/* SH's COW device over its area: a device slice, or a loop on its file. */
static int cow_device(struct vss_ctx *ctx, struct area *a, const struct shadow_rec *sh)
{
	struct vss_dm_target t = { 0 };
	char params[64];
	unsigned ma, mi;
	int r, hold = -1;

	if (a->device) {
		ma = a->major;
		mi = a->minor;
	} else if ((r = vss_loop_attach(ctx, sh->cow_file, &ma, &mi, &hold))) {
		return r;
	}
	snprintf(params, sizeof(params), "%u:%u %" PRIu64, ma, mi, a->device ? sh->cow_offset : 0);
	t.length = sh->cow_sectors;
	t.type = "linear";
	t.params = params;
	r = vss_dm_create(ctx, sh->cow_name, sh->cow_uuid, &t, 1, VSS_DM_UDEV_PRIVATE);
	/* The COW device holds the loop now, or it failed and the loop,
	 * set to clear itself, goes when we let go. */
	if (hold >= 0)
		close(hold);
	return r;
}

int storage_make(struct vss_ctx *ctx, const struct shadow_rec *sh)
{
	struct area a;
	int r;

	if ((r = area_find(ctx, sh->area, &a)) || (r = area_verify(ctx, &a)))
		return r;
	if (a.implicit) {
		/* First use of the default directory: from now on it is recorded. */
		a.implicit = false;
		a.added = (long long)time(NULL);
		if ((r = area_save(ctx, &a)))
			return r;
		a.implicit = true;
	}
	if (!a.device && (r = make_file(ctx, &a, sh)))
		return r;
	if ((r = cow_device(ctx, &a, sh))) {
		if (!a.device)
			unlink(sh->cow_file);
		return r;
	}
	return zero_header(ctx, sh);
}

int storage_attach(struct vss_ctx *ctx, const struct shadow_rec *sh, bool *made)
{
	struct vss_dm_info info;
	struct area a;
	int r;

	*made = false;
	if ((r = vss_dm_info(ctx, sh->cow_name, &info)))
		return r;
	if (info.exists) {
		if (strcmp(info.uuid, sh->cow_uuid))
			return vss_fail(ctx, EEXIST, "%s: not the device vss made (uuid %s)",
					sh->cow_name, info.uuid);
		return 0;
	}
	if ((r = area_find(ctx, sh->area, &a)) || (r = area_verify(ctx, &a)))
		return r;
	/* Its exceptions are all it has: a file cut short or gone is no store. */
	if (!a.device) {
		const char *base;
		int dirfd;

		if ((r = cow_place(ctx, &a, sh, false, &dirfd, &base)))
			return r;
		r = cow_is_ours(ctx, dirfd, base, sh, true);
		close(dirfd);
		if (r == -ENOENT)
			return vss_fail(ctx, ENOENT, "%s: its COW file is missing", sh->cow_file);
		if (r)
			return r;
	}
	if ((r = cow_device(ctx, &a, sh)))
		return r;
	*made = true;
	return 0;
}

int storage_release(struct vss_ctx *ctx, const struct shadow_rec *sh)
{
	struct vss_dm_info info;
	const char *base = NULL;
	int r, dirfd = -1;

	/* The record's word is checked, not obeyed, and before anything goes:
	 * only the file vss made, where it made it, is removed. */
	if (sh->cow_file[0]) {
		struct area a;

		if ((r = area_find(ctx, sh->area, &a)))
			return r;
		if ((r = cow_place(ctx, &a, sh, false, &dirfd, &base))) {
			if (!nothing_there(sh, r))
				return r;
			base = NULL;
		} else if ((r = cow_is_ours(ctx, dirfd, base, sh, false)) && r != -ENOENT) {
			close(dirfd);
			return r;
		}
	}
	if ((r = vss_dm_info(ctx, sh->cow_name, &info)))
		goto out;
	if (info.exists) {
		if (strcmp(info.uuid, sh->cow_uuid)) {
			r = vss_fail(ctx, EEXIST, "%s: not the device vss made (uuid %s)",
				     sh->cow_name, info.uuid);
			goto out;
		}
		/* Its loop device, set to clear itself, goes with it. */
		if ((r = vss_dm_remove(ctx, sh->cow_name)))
			goto out;
	}
	r = 0;
	if (base && unlinkat(dirfd, base, 0) < 0 && errno != ENOENT)
		r = vss_fail(ctx, errno, "%s: %s", sh->cow_file, strerror(errno));
out:
	if (dirfd >= 0)
		close(dirfd);
	return r;
}
