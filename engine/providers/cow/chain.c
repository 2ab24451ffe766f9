/* A volume's chain of shadows, and the bases they sit on (chain.h). */
#include "config.h"
#include "blockdev.h"
#include "chain.h"
#include "dm.h"
#include "setrec.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

static int by_place(const void *a, const void *b)
{
	const struct chain_link *x = a, *y = b;

	if (x->seq != y->seq)
		return (x->seq > y->seq) - (x->seq < y->seq);
	return (x->created_us > y->created_us) - (x->created_us < y->created_us);
}

int chain_of(struct vss_ctx *ctx, const char *volume, const char *except,
	     struct chain_link **links, size_t *n)
{
	struct set_rec *recs;
	size_t nrec, k = 0;
	int r;

	*links = NULL;
	*n = 0;
	if ((r = set_rec_list_strict(ctx, "sets", &recs, &nrec)))
		return r;
	for (size_t i = 0; i < nrec; i++)
		for (size_t j = 0; j < recs[i].n; j++)
			k += !strcmp(recs[i].sh[j].volume, volume) &&
			     !strcmp(recs[i].sh[j].provider, "chain") &&
			     (!except || strcmp(recs[i].id, except));
	if (k && !(*links = calloc(k, sizeof(**links)))) {
		set_recs_free(recs, nrec);
		return vss_fail(ctx, ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < nrec; i++) {
		for (size_t j = 0; j < recs[i].n; j++) {
			struct chain_link *l = &(*links)[*n];

			if (strcmp(recs[i].sh[j].volume, volume) ||
			    strcmp(recs[i].sh[j].provider, "chain") ||
			    (except && !strcmp(recs[i].id, except)))
				continue;
			snprintf(l->set, sizeof(l->set), "%s", recs[i].id);
			l->created_us = recs[i].created_us;
			l->sh = recs[i].sh[j];
			if (shadow_extra(&l->sh, CHAIN_SEQ))
				l->seq = strtoull(shadow_extra(&l->sh, CHAIN_SEQ), NULL, 10);
			(*n)++;
		}
	}
	set_recs_free(recs, nrec);
	if (*n)
		qsort(*links, *n, sizeof(**links), by_place);
	return 0;
}

int chain_of_all(struct vss_ctx *ctx, const char *volume, struct chain_link **links, size_t *n)
{
	struct set_rec *js;
	size_t nj;
	int r;

	if ((r = chain_of(ctx, volume, NULL, links, n)))
		return r;
	if ((r = set_rec_list_strict(ctx, "journal", &js, &nj))) {
		free(*links);
		*links = NULL;
		*n = 0;
		return r;
	}
	for (size_t i = 0; i < nj && !r; i++) {
		if (strcmp(js[i].op, "create"))
			continue;
		for (size_t j = 0; j < js[i].n && !r; j++) {
			struct chain_link *grown;

			if (strcmp(js[i].sh[j].volume, volume) || strcmp(js[i].sh[j].provider, "chain"))
				continue;
			if (!(grown = realloc(*links, (*n + 1) * sizeof(**links)))) {
				r = vss_fail(ctx, ENOMEM, "out of memory");
				break;
			}
			*links = grown;
			memset(&grown[*n], 0, sizeof(grown[0]));
			snprintf(grown[*n].set, sizeof(grown[0].set), "%s", js[i].id);
			grown[*n].sh = js[i].sh[j];
			grown[(*n)++].seq = CHAIN_MAKING;
		}
	}
	set_recs_free(js, nj);
	return r;
}

int chain_base_target(struct vss_ctx *ctx, const char *base, bool inactive,
		      struct vss_devno *dev, bool *has)
{
	struct vss_dm_info info;
	struct vss_dm_table t = { 0 };
	int r;

	*has = false;
	if ((r = vss_dm_info(ctx, base, &info)) || !info.exists ||
	    !(inactive ? info.inactive_table : info.live_table))
		return r;
	if ((r = inactive ? vss_dm_table_inactive(ctx, base, &t) : vss_dm_table(ctx, base, &t)))
		return r;
	*has = t.n == 1 && !strcmp(t.t[0].type, "linear") &&
	       sscanf(t.t[0].params, "%u:%u 0", &dev->major, &dev->minor) == 2;
	vss_dm_table_free(&t);
	return 0;
}

static void linear_over(struct vss_dm_target *t, char *params, size_t len, struct vss_devno dev,
			uint64_t sectors)
{
	memset(t, 0, sizeof(*t));
	snprintf(params, len, "%u:%u 0", dev.major, dev.minor);
	t->length = sectors;
	t->type = "linear";
	t->params = params;
}

int chain_base_make(struct vss_ctx *ctx, const struct shadow_rec *sh, struct vss_devno dev)
{
	const char *name = shadow_extra(sh, CHAIN_BASE), *uuid = shadow_extra(sh, CHAIN_BASE_UUID);
	struct vss_dm_target t;
	struct vss_dm_info info;
	char params[40];
	int r;

	if ((r = vss_dm_info(ctx, name, &info)))
		return r;
	if (info.exists && strcmp(info.uuid, uuid))
		return vss_fail(ctx, EEXIST, "%s: not the device vss made (uuid %s)", name,
				info.uuid[0] ? info.uuid : "none");
	if (info.exists && info.live_table)
		return 0;
	/* Left with no table by a create cut short: made again. */
	if (info.exists && (r = vss_dm_remove(ctx, name)))
		return r;
	linear_over(&t, params, sizeof(params), dev, sh->origin_sectors);
	return vss_dm_create(ctx, name, uuid, &t, 1, VSS_DM_UDEV_PRIVATE);
}

int chain_base_point(struct vss_ctx *ctx, const char *base, struct vss_devno dev,
		     uint64_t sectors, bool *loaded)
{
	struct vss_dm_target t;
	struct vss_devno now;
	char params[40];
	bool has;
	int r;

	*loaded = false;
	if ((r = chain_base_target(ctx, base, false, &now, &has)))
		return r;
	if (has && now.major == dev.major && now.minor == dev.minor)
		return 0;
	linear_over(&t, params, sizeof(params), dev, sectors);
	if ((r = vss_dm_load(ctx, base, &t, 1)))
		return r;
	*loaded = true;
	return 0;
}

int chain_own_opens(struct vss_ctx *ctx, const struct shadow_rec *sh)
{
	struct vss_dm_info info;
	char holders[1024], *save = NULL;
	int own = 0;

	if (vss_dm_info(ctx, sh->dm_name, &info) || !info.exists ||
	    vss_blockdev_holders(makedev(info.major, info.minor), holders, sizeof(holders)) < 0)
		return 0;
	for (char *h = strtok_r(holders, " ", &save); h; h = strtok_r(NULL, " ", &save)) {
		struct vss_dm_info b;
		unsigned minor;

		if (sscanf(h, "dm-%u", &minor) == 1 &&
		    !vss_dm_info_devno(ctx, info.major, minor, &b) && b.exists &&
		    !strncmp(b.uuid, BASE_UUID_PREFIX, strlen(BASE_UUID_PREFIX)))
			own++;
	}
	return own;
}

int chain_resume(struct vss_ctx *ctx, const char *name, enum vss_dm_udev udev)
{
	uint32_t cookie = 0;
	int r = vss_dm_resume_deferred(ctx, name, udev, &cookie);

	vss_dm_udev_wait(ctx, &cookie);
	return r;
}

bool chain_older(const struct chain_link *l, const struct set_rec *rec, size_t i)
{
	const char *seq = shadow_extra(&rec->sh[i], CHAIN_SEQ);

	if (l->seq && seq)
		return l->seq < strtoull(seq, NULL, 10);
	return l->created_us < rec->created_us;
}
