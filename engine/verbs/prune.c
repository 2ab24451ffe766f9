/*
 * prune: deletes the sets the retention rules (retention.c) do not keep.
 * The dry run takes the same lock and the same look, so what it lists is
 * what the real one would delete at that moment.
 */
#include "config.h"
#include "recover.h"
#include "set.h"
#include "setrec.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Moves SETS[I] to the end of *OUT. */
static int take(struct vss_ctx *ctx, struct vss_set *sets, size_t i, struct vss_set **out,
		size_t *n)
{
	struct vss_set *o = realloc(*out, (*n + 1) * sizeof(*o));

	if (!o)
		return vss_fail(ctx, ENOMEM, "out of memory");
	o[(*n)++] = sets[i];
	sets[i].shadows = NULL;
	sets[i].n = 0;
	*out = o;
	return 0;
}

int vss_prune(struct vss_ctx *ctx, const struct vss_retention *rules, bool dry_run,
	      struct vss_set **gone, size_t *ngone)
{
	struct vss_set *sets = NULL;
	const char **why = NULL;
	size_t n = 0, failed = 0, tried = 0;
	int r;

	*gone = NULL;
	*ngone = 0;
	vss_op_begin(ctx, "prune");
	if (!vss_retention_given(rules)) {
		r = vss_fail_kind(ctx, VSS_ERR_USAGE, EINVAL, "no retention rule: nothing says what to "
				  "keep (keep_last, keep_within, keep_hourly, keep_daily, keep_weekly, "
				  "keep_monthly)");
		goto out;
	}
	/* A dry run changes nothing: the lock only, not recovery's tidying. */
	if ((r = dry_run ? vss_lock(ctx) : vss_lock_and_recover(ctx)))
		goto out;
	if ((r = vss_set_list(ctx, &sets, &n)))
		goto unlock;
	if (!(why = calloc(n + 1, sizeof(*why)))) {
		r = vss_fail(ctx, ENOMEM, "out of memory");
		goto unlock;
	}
	vss_retention_apply(sets, n, rules, now_us(), why);
	for (size_t i = 0; i < n && !r; i++) {
		struct set_rec rec;
		int d;

		if (why[i])
			continue;
		if (dry_run) {
			r = take(ctx, sets, i, gone, ngone);
			continue;
		}
		tried++;
		if ((d = set_rec_load(ctx, "sets", sets[i].id, &rec)) == 0) {
			d = set_delete_locked(ctx, &rec, false);
			set_rec_free(&rec);
		}
		if (d) {
			failed++;
			vss_log(ctx, VSS_LEVEL_ERROR, "set %.8s: %s", sets[i].id, vss_errmsg(ctx));
			continue;
		}
		vss_step(ctx, "deleted %s", sets[i].id);
		r = take(ctx, sets, i, gone, ngone);
	}
	if (!r && failed)
		r = vss_fail(ctx, EIO, "%zu of %zu sets to prune could not be deleted", failed, tried);
unlock:
	vss_unlock(ctx);
out:
	free(why);
	vss_sets_free(sets, n);
	vss_op_end(ctx, r);
	return r;
}
