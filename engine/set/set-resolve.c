/* Which set a name given by a person means: a full id, a unique prefix of
 * one, or a label (labels are unique among sets: create-set sees to it). */
#include "config.h"
#include "set.h"
#include "setrec.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int set_match(struct vss_ctx *ctx, const char *spec, const struct set_rec *recs, size_t n,
	      size_t *idx)
{
	char list[512] = "";
	size_t hits = 0, len = strlen(spec), used = 0;

	if (!len)
		return vss_fail_kind(ctx, VSS_ERR_USAGE, EINVAL, "an empty set id");
	for (size_t i = 0; i < n; i++) {
		/* An exact id wins over everything else. */
		if (!strcmp(recs[i].id, spec)) {
			*idx = i;
			return 0;
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (strncmp(recs[i].id, spec, len) && strcmp(recs[i].label, spec))
			continue;
		if (!hits++)
			*idx = i;
		if (used < sizeof(list))
			used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%.8s",
						 hits > 1 ? ", " : "", recs[i].id);
	}
	if (hits == 1)
		return 0;
	if (hits == 0)
		return vss_fail(ctx, ENOENT, "%s: no such shadow copy set", spec);
	return vss_fail(ctx, EINVAL, "%s: ambiguous: matches %s", spec, list);
}

int vss_set_resolve(struct vss_ctx *ctx, const char *spec, char id[37])
{
	struct set_rec *recs;
	size_t n, i;
	int r;

	if ((r = set_rec_list(ctx, "sets", &recs, &n)))
		return r;
	if ((r = set_match(ctx, spec, recs, n, &i)) == 0)
		snprintf(id, 37, "%s", recs[i].id);
	set_recs_free(recs, n);
	return r;
}
