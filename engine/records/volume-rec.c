/* A managed volume's record (STATE_DIR/volumes/NAME.conf) and what is
 * answered from records alone: which thin ids of a pool are taken. The
 * verbs are volume.c's (import, remove), volume-thin.c's (import --thin)
 * and volume-list.c's (list); its table after a reboot, volume-table.c's. */
#include "config.h"
#include "state.h"
#include "strv.h"
#include "volume-rec.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

static int record_field(void *data, const char *section, const char *key, const char *value)
{
	struct volume_rec *r = data;

	if (strcmp(section, "volume"))
		return 1;
	if (!strcmp(key, "name"))
		snprintf(r->name, sizeof(r->name), "%s", value);
	else if (!strcmp(key, "dm_uuid"))
		snprintf(r->dm_uuid, sizeof(r->dm_uuid), "%s", value);
	else if (!strcmp(key, "backing"))
		snprintf(r->backing, sizeof(r->backing), "%s", value);
	else if (!strcmp(key, "backing_id"))
		snprintf(r->backing_id, sizeof(r->backing_id), "%s", value);
	else if (!strcmp(key, "backing_devno"))
		return sscanf(value, "%u:%u", &r->bmaj, &r->bmin) == 2;
	else if (!strcmp(key, "sectors"))
		return sscanf(value, "%" SCNu64, &r->sectors) == 1;
	else if (!strcmp(key, "created"))
		return sscanf(value, "%lld", &r->created) == 1;
	else if (!strcmp(key, "pool"))
		snprintf(r->pool, sizeof(r->pool), "%s", value);
	else if (!strcmp(key, "thin_id"))
		return sscanf(value, "%u", &r->thin_id) == 1;
	else if (!strcmp(key, "retired_id"))
		return sscanf(value, "%u", &r->retired_id) == 1;
	return 1;
}

static void record_path(const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "volumes/%s.conf", name);
}

/* 0 and R filled; -ENOENT (message set) when NAME is not managed. */
int volume_rec_load(struct vss_ctx *ctx, const char *name, struct volume_rec *r)
{
	char rel[256];
	int ret;

	memset(r, 0, sizeof(*r));
	record_path(name, rel, sizeof(rel));
	ret = vss_state_read(ctx, rel, record_field, r);
	if (ret == 0 && (!r->dm_uuid[0] || !r->sectors))
		return vss_fail(ctx, EBADMSG, "%s/%s: damaged volume record", ctx->state_dir, rel);
	/* A record is data: it may name only a device vss made. */
	if (ret == 0 && strncmp(r->dm_uuid, VOL_UUID_PREFIX, strlen(VOL_UUID_PREFIX)))
		return vss_fail_kind(ctx, VSS_ERR_USAGE, EPERM, "%s/%s: dm uuid %s is not one vss "
				     "gives a volume: refused", ctx->state_dir, rel, r->dm_uuid);
	return ret;
}

int volume_rec_unlink(struct vss_ctx *ctx, const char *name)
{
	char rel[256];

	record_path(name, rel, sizeof(rel));
	return vss_state_unlink(ctx, rel);
}

int volume_rec_save(struct vss_ctx *ctx, const struct volume_rec *r)
{
	char rel[256], buf[12288];
	int n;

	record_path(r->name, rel, sizeof(rel));
	n = snprintf(buf, sizeof(buf),
		     "# A volume managed by vss. Written by vss: do not edit.\n"
		     "[volume]\n"
		     "name = %s\n"
		     "dm_uuid = %s\n"
		     "backing = %s\n"
		     "backing_id = %s\n"
		     "backing_devno = %u:%u\n"
		     "sectors = %" PRIu64 "\n"
		     "created = %lld\n",
		     r->name, r->dm_uuid, r->backing, r->backing_id, r->bmaj, r->bmin, r->sectors,
		     r->created);
	if (r->pool[0])
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, "pool = %s\nthin_id = %u\n"
			      "retired_id = %u\n", r->pool, r->thin_id, r->retired_id);
	return vss_state_write(ctx, rel, buf, (size_t)n);
}

int volume_managed_uuid(struct vss_ctx *ctx, const char *name, char *uuid, size_t len)
{
	struct volume_rec rec;
	int r;

	if ((r = volume_rec_load(ctx, name, &rec)) == 0)
		snprintf(uuid, len, "%s", rec.dm_uuid);
	return r;
}

bool volume_is_thin(struct vss_ctx *ctx, const char *name)
{
	struct volume_rec rec;

	return volume_rec_load(ctx, name, &rec) == 0 && rec.pool[0];
}

int volume_count_in_pool(struct vss_ctx *ctx, const char *pool)
{
	char **names;
	size_t n;
	int r, c = 0;

	if ((r = vss_state_list(ctx, "volumes", ".conf", &names, &n)))
		return r;
	for (size_t i = 0; i < n && !r; i++) {
		struct volume_rec rec;

		if ((r = volume_rec_load(ctx, names[i], &rec)) == 0)
			c += !strcmp(rec.pool, pool);
	}
	vss_strv_free(names, n);
	return r ? r : c;
}

int volume_uses_id(struct vss_ctx *ctx, const char *pool, unsigned id)
{
	char **names;
	size_t n;
	int r, used = 0;

	if ((r = vss_state_list(ctx, "volumes", ".conf", &names, &n)))
		return r;
	for (size_t i = 0; i < n && !r && !used; i++) {
		struct volume_rec rec;

		if ((r = volume_rec_load(ctx, names[i], &rec)) == 0)
			used = !strcmp(rec.pool, pool) && (rec.thin_id == id || rec.retired_id == id);
	}
	vss_strv_free(names, n);
	return r ? r : used;
}
