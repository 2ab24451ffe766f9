/*
 * Storage areas: where COW data may go. Areas are recorded in
 * STATE_DIR/areas/ID.conf (the default directory area is implicit until it
 * is first used); what each shadow took is in its set's record, the one
 * place that says it, so usage is always computed, never kept.
 */
#include "config.h"
#include "area.h"
#include "blockdev.h"
#include "devid.h"
#include "setrec.h"
#include "state.h"
#include "strv.h"
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
