/*
 * Thin pools (pool.h). The metadata takes the start of the device and the
 * data the rest, each a dm-linear slice, so that one device (a partition,
 * a LUN, a loop file) is the whole pool, found again after a reboot by what
 * it carries (devid.h) as a managed volume's is.
 */
#include "config.h"
#include "blockdev.h"
#include "devid.h"
#include "pool.h"
#include "setrec.h"
#include "state.h"
#include "strv.h"
#include "volume-rec.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

/* 64K: dm-thin's usual block, small enough that a snapshot of a volume
 * written in small pieces shares most of its data. */
#define POOL_BLOCK_SECTORS 128

static int field(void *data, const char *section, const char *key, const char *v)
{
	struct pool *p = data;

	if (strcmp(section, "pool"))
		return 1;
	if (!strcmp(key, "name"))
		snprintf(p->name, sizeof(p->name), "%s", v);
	else if (!strcmp(key, "dm_name"))
		snprintf(p->dm_name, sizeof(p->dm_name), "%s", v);
	else if (!strcmp(key, "uuid"))
		snprintf(p->uuid, sizeof(p->uuid), "%s", v);
	else if (!strcmp(key, "device"))
		snprintf(p->device, sizeof(p->device), "%s", v);
	else if (!strcmp(key, "device_id"))
		snprintf(p->devid, sizeof(p->devid), "%s", v);
	else if (!strcmp(key, "devno"))
		return sscanf(v, "%u:%u", &p->bmaj, &p->bmin) == 2;
	else if (!strcmp(key, "meta_sectors"))
		return sscanf(v, "%" SCNu64, &p->meta_sectors) == 1;
	else if (!strcmp(key, "data_sectors"))
		return sscanf(v, "%" SCNu64, &p->data_sectors) == 1;
	else if (!strcmp(key, "block_sectors"))
		return sscanf(v, "%u", &p->block_sectors) == 1;
	else if (!strcmp(key, "next_id"))
		return sscanf(v, "%u", &p->next_id) == 1;
	else if (!strcmp(key, "created"))
		return sscanf(v, "%lld", &p->created) == 1;
	return 1;
}

int pool_load(struct vss_ctx *ctx, const char *name, struct pool *p)
{
	char rel[256];
	int r;

	memset(p, 0, sizeof(*p));
	snprintf(rel, sizeof(rel), "pools/%s.conf", name);
	if ((r = vss_state_read(ctx, rel, field, p)) == -ENOENT)
		return vss_fail(ctx, ENOENT, "thin pool %s: no such pool", name);
	if (!r && (!p->dm_name[0] || !p->data_sectors || !p->block_sectors || !p->meta_sectors))
		return vss_fail(ctx, EBADMSG, "%s/%s: damaged pool record", ctx->state_dir, rel);
	/* A record is data: it may name only a device vss made. */
	if (!r && (strncmp(p->uuid, POOL_UUID_PREFIX, strlen(POOL_UUID_PREFIX)) ||
		   strncmp(p->dm_name, "vss-", 4)))
		return vss_fail_kind(ctx, VSS_ERR_USAGE, EPERM, "%s/%s: %s (uuid %s) is not a pool vss "
				     "made: refused", ctx->state_dir, rel, p->dm_name, p->uuid);
	return r;
}

int pool_save(struct vss_ctx *ctx, const struct pool *p)
{
	char rel[256], buf[12288];
	int n;

	snprintf(rel, sizeof(rel), "pools/%s.conf", p->name);
	n = snprintf(buf, sizeof(buf),
		     "# A thin pool made by vss. Written by vss: do not edit.\n"
		     "[pool]\nname = %s\ndm_name = %s\nuuid = %s\ndevice = %s\ndevice_id = %s\n"
		     "devno = %u:%u\nmeta_sectors = %" PRIu64 "\ndata_sectors = %" PRIu64 "\n"
		     "block_sectors = %u\nnext_id = %u\ncreated = %lld\n",
		     p->name, p->dm_name, p->uuid, p->device, p->devid, p->bmaj, p->bmin,
		     p->meta_sectors, p->data_sectors, p->block_sectors, p->next_id, p->created);
	return vss_state_write(ctx, rel, buf, (size_t)n);
}

int pool_list(struct vss_ctx *ctx, struct pool **out, size_t *nout)
{
	char **names;
	size_t n;
	struct pool *p;
	int r;

	*out = NULL;
	*nout = 0;
	if ((r = vss_state_list(ctx, "pools", ".conf", &names, &n)))
		return r;
	if (!(p = calloc(n + 1, sizeof(*p)))) {
		vss_strv_free(names, n);
		return vss_fail(ctx, ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < n && !r; i++)
		r = pool_load(ctx, names[i], &p[i]);
	vss_strv_free(names, n);
	if (r) {
		free(p);
		return r;
	}
	*out = p;
	*nout = n;
	return 0;
}

int pool_on_device(struct vss_ctx *ctx, dev_t devno, struct pool *out)
{
	struct pool *p;
	size_t n;
	char id[4200];
	int r;

	if ((r = pool_list(ctx, &p, &n)))
		return r;
	vss_devid_of(devno, id, sizeof(id));
	r = -ENOENT;
	for (size_t i = 0; i < n && r; i++) {
		if ((p[i].devid[0] && !strcmp(p[i].devid, id)) ||
		    (!p[i].devid[0] && makedev(p[i].bmaj, p[i].bmin) == devno)) {
			*out = p[i];
			r = 0;
		}
	}
	free(p);
	return r;
}

static void slice_name(const struct pool *p, const char *what, char *buf, size_t len)
{
	snprintf(buf, len, "%s-%s", p->dm_name, what);
}

/* P's device as it is now: by its identity, else by path and number. */
static int pool_device(struct vss_ctx *ctx, struct pool *p, dev_t *devno)
{
	if (p->devid[0] && vss_devid_find(p->devid, devno) == 0)
		return 0;
	if (!p->devid[0] && vss_blockdev_devno(ctx, p->device, devno) == 0 &&
	    makedev(p->bmaj, p->bmin) == *devno)
		return 0;
	return vss_fail(ctx, ENODEV, "thin pool %s: its device is not present (%s, made on %s)",
			p->name, p->devid[0] ? p->devid : "no identity", p->device);
}

/* One slice (WHAT: tmeta, tdata) of P over DEVNO, unless it is there. */
static int slice(struct vss_ctx *ctx, const struct pool *p, const char *what, dev_t devno,
		 uint64_t start, uint64_t len, unsigned *maj, unsigned *min, bool *made)
{
	struct vss_dm_target t = { 0 };
	struct vss_dm_info info;
	char name[200], uuid[96], params[64];
	int r;

	slice_name(p, what, name, sizeof(name));
	snprintf(uuid, sizeof(uuid), "%s-%s", p->uuid, what);
	if ((r = vss_dm_info(ctx, name, &info)))
		return r;
	if (info.exists && strcmp(info.uuid, uuid))
		return vss_fail(ctx, EEXIST, "/dev/mapper/%s: not the device vss made (uuid %s)", name,
				info.uuid[0] ? info.uuid : "none");
	if (!info.exists) {
		snprintf(params, sizeof(params), "%u:%u %" PRIu64, major(devno), minor(devno), start);
		t.length = len;
		t.type = "linear";
		t.params = params;
		if ((r = vss_dm_create(ctx, name, uuid, &t, 1, VSS_DM_UDEV_PRIVATE)) ||
		    (r = vss_dm_info(ctx, name, &info)))
			return r;
		*made = true;
	}
	*maj = info.major;
	*min = info.minor;
	return 0;
}

/* A new pool's metadata must begin zeroed: dm-thin formats it then, and
 * would otherwise take whatever the device held for a pool of its own. */
static int clear_metadata(struct vss_ctx *ctx, const struct pool *p)
{
	size_t len = 1 << 20;
	char dev[200];
	void *buf;
	int fd, err = 0;

	snprintf(dev, sizeof(dev), "/dev/mapper/%s-tmeta", p->dm_name);
	if (posix_memalign(&buf, 4096, len))
		return vss_fail(ctx, ENOMEM, "out of memory");
	memset(buf, 0, len);
	if ((fd = open(dev, O_WRONLY | O_DIRECT | O_CLOEXEC)) < 0)
		err = errno;
	else if (write(fd, buf, len) != (ssize_t)len || fsync(fd) < 0)
		err = errno ? errno : EIO;
	if (fd >= 0)
		close(fd);
	free(buf);
	return err ? vss_fail(ctx, err, "%s: cannot clear it: %s", dev, strerror(err)) : 0;
}

int pool_activate(struct vss_ctx *ctx, struct pool *p, unsigned *maj, unsigned *min, bool *made)
{
	struct vss_dm_target t = { 0 };
	struct vss_dm_info info;
	unsigned mmaj, mmin, dmaj, dmin;
	char params[128];
	dev_t devno;
	int r;

	*made = false;
	if ((r = vss_dm_info(ctx, p->dm_name, &info)))
		return r;
	if (info.exists && strcmp(info.uuid, p->uuid))
		return vss_fail(ctx, EEXIST, "/dev/mapper/%s: not the pool vss made (uuid %s)",
				p->dm_name, info.uuid[0] ? info.uuid : "none");
	if (info.exists && info.live_table) {
		*maj = info.major;
		*min = info.minor;
		return 0;
	}
	if (info.exists && (r = vss_dm_remove(ctx, p->dm_name)))
		return r;
	if ((r = pool_device(ctx, p, &devno)) ||
	    (r = slice(ctx, p, "tmeta", devno, 0, p->meta_sectors, &mmaj, &mmin, made)) ||
	    (r = slice(ctx, p, "tdata", devno, p->meta_sectors, p->data_sectors, &dmaj, &dmin, made)))
		return r;
	/* Low water: an event once a tenth of the data is left. */
	snprintf(params, sizeof(params), "%u:%u %u:%u %u %" PRIu64 " 0", mmaj, mmin, dmaj, dmin,
		 p->block_sectors, p->data_sectors / p->block_sectors / 10 + 1);
	t.length = p->data_sectors;
	t.type = "thin-pool";
	t.params = params;
	if ((r = vss_dm_create(ctx, p->dm_name, p->uuid, &t, 1, VSS_DM_UDEV_PRIVATE)) ||
	    (r = vss_dm_info(ctx, p->dm_name, &info)))
		return r;
	*made = true;
	*maj = info.major;
	*min = info.minor;
	if (makedev(p->bmaj, p->bmin) != devno) {
		p->bmaj = major(devno);
		p->bmin = minor(devno);
		return pool_save(ctx, p);
	}
	return 0;
}

int pool_make(struct vss_ctx *ctx, const char *name, const char *device, dev_t devno,
	      uint64_t bytes, struct pool *p)
{
	uint64_t sectors = bytes / 512, meta;
	char uuid[37];
	unsigned maj, min;
	bool made;
	int r;

	memset(p, 0, sizeof(*p));
	/* 64 bytes of metadata a data block, twice over for snapshots'
	 * sharing; at least 4M, as a whole number of MiB. */
	meta = sectors / POOL_BLOCK_SECTORS * 64 * 2 / 512;
	if (meta < 8192)
		meta = 8192;
	meta = (meta + 2047) / 2048 * 2048;
	if (sectors < meta + 64 * POOL_BLOCK_SECTORS)
		return vss_fail(ctx, ENOSPC, "%s: too small for a thin pool (at least %" PRIu64
				" MiB)", device, (meta + 64 * POOL_BLOCK_SECTORS) / 2048);
	if ((r = vss_uuid_new(uuid)))
		return vss_fail(ctx, -r, "cannot make a uuid: %s", strerror(-r));
	/* Named after its first volume; a pool of that name may live on
	 * (its first volume removed, others left): then NAME-2, NAME-3... */
	for (unsigned k = 1;; k++) {
		struct pool other;
		struct vss_dm_info info;

		if (k == 1)
			snprintf(p->name, sizeof(p->name), "%.100s", name);
		else
			snprintf(p->name, sizeof(p->name), "%.100s-%u", name, k);
		pool_dm_name(p->name, p->dm_name, sizeof(p->dm_name));
		if ((r = pool_load(ctx, p->name, &other)) != -ENOENT) {
			if (r)
				return r;
			continue;
		}
		if ((r = vss_dm_info(ctx, p->dm_name, &info)))
			return r;
		if (!info.exists)
			break;
	}
	snprintf(p->uuid, sizeof(p->uuid), POOL_UUID_PREFIX "%s", uuid);
	snprintf(p->device, sizeof(p->device), "%s", device);
	vss_devid_of(devno, p->devid, sizeof(p->devid));
	if (!vss_state_value_ok(p->devid))
		p->devid[0] = '\0';
	p->bmaj = major(devno);
	p->bmin = minor(devno);
	p->meta_sectors = meta;
	p->block_sectors = POOL_BLOCK_SECTORS;
	p->data_sectors = (sectors - meta) / POOL_BLOCK_SECTORS * POOL_BLOCK_SECTORS;
	p->next_id = 1;
	p->created = (long long)time(NULL);
	/* The metadata first, cleared, then the record, then the pool: a
	 * pool activate could build is never over stale metadata. */
	made = false;
	if ((r = slice(ctx, p, "tmeta", devno, 0, p->meta_sectors, &maj, &min, &made)) ||
	    (r = clear_metadata(ctx, p)) || (r = pool_save(ctx, p)) ||
	    (r = pool_activate(ctx, p, &maj, &min, &made)))
		return r;
	return 0;
}

int pool_new_id(struct vss_ctx *ctx, struct pool *p, unsigned *id)
{
	*id = p->next_id++;
	return pool_save(ctx, p);
}

int pool_message(struct vss_ctx *ctx, const struct pool *p, const char *fmt, ...)
{
	char msg[128];
	va_list ap;
	int r;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	r = vss_dm_message(ctx, p->dm_name, msg, NULL);
	/* A delete that an interrupted one did already. */
	if (r && !strncmp(msg, "delete ", 7) && r == -ENODATA)
		return 0;
	if (r)
		return vss_fail(ctx, -r, "thin pool %s: %s: %s", p->name, msg, vss_errmsg(ctx));
	return 0;
}

int pool_usage(struct vss_ctx *ctx, const struct pool *p, uint64_t *used, uint64_t *total,
	       unsigned *meta_pct, char *mode, size_t mlen)
{
	struct vss_dm_table st;
	uint64_t tid, mu, mt, du, dt;
	char m[32] = "";
	int r;

	*used = *total = 0;
	if (meta_pct)
		*meta_pct = 0;
	snprintf(mode, mlen, "inactive");
	if ((r = vss_dm_status(ctx, p->dm_name, &st)))
		return r;
	/* TID META-USED/TOTAL DATA-USED/TOTAL HELD-ROOT MODE ... */
	if (st.n == 1 && sscanf(st.t[0].params, "%" SCNu64 " %" SCNu64 "/%" SCNu64 " %" SCNu64
				"/%" SCNu64 " %*s %31s", &tid, &mu, &mt, &du, &dt, m) == 6) {
		*used = du * p->block_sectors * 512;
		*total = dt * p->block_sectors * 512;
		snprintf(mode, mlen, "%s", m);
		if (meta_pct)
			*meta_pct = mt ? (unsigned)(mu * 100 / mt) : 0;
	} else if (st.n == 1) {
		snprintf(mode, mlen, "%.*s", (int)strcspn(st.t[0].params, " "), st.t[0].params);
	}
	vss_dm_table_free(&st);
	return 0;
}

int pool_release_if_unused(struct vss_ctx *ctx, const char *name)
{
	struct set_rec *recs;
	struct pool p;
	size_t n;
	int r, users;
	char sl[200];

	if ((r = pool_load(ctx, name, &p)))
		return r;
	if ((users = volume_count_in_pool(ctx, name)) < 0)
		return users;
	if ((r = set_rec_list_strict(ctx, "sets", &recs, &n)))
		return r;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < recs[i].n; j++)
			users += !strcmp(recs[i].sh[j].pool, name);
	set_recs_free(recs, n);
	if (users)
		return 0;
	if ((r = vss_dm_remove(ctx, p.dm_name)))
		return r;
	slice_name(&p, "tdata", sl, sizeof(sl));
	if ((r = vss_dm_remove(ctx, sl)))
		return r;
	slice_name(&p, "tmeta", sl, sizeof(sl));
	if ((r = vss_dm_remove(ctx, sl)))
		return r;
	snprintf(sl, sizeof(sl), "pools/%s.conf", name);
	if ((r = vss_state_unlink(ctx, sl)))
		return r;
	vss_step(ctx, "thin pool %s removed: %s is free", name, p.device);
	return 0;
}

void pool_dm_name(const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "vss-%s-pool", name);
}

void pool_thin_target(unsigned maj, unsigned min, unsigned id, uint64_t sectors,
		      struct vss_dm_target *t, char *params, size_t plen)
{
	snprintf(params, plen, "%u:%u %u", maj, min, id);
	memset(t, 0, sizeof(*t));
	t->length = sectors;
	t->type = "thin";
	t->params = params;
}
