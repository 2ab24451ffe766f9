/* Recovery's part in reverts: every revert a kill or a reboot left (or a
 * scheduled one whose volume is free now) is taken up by its shadow's
 * provider, where its record says it is. */
#include "config.h"
#include "provider.h"

int revert_recover(struct vss_ctx *ctx, int *fixed)
{
	struct set_rec *recs;
	size_t n;
	int r;

	if ((r = set_rec_list_strict(ctx, "sets", &recs, &n)))
		return r;
	for (size_t i = 0; i < n && !r; i++) {
		size_t j = 0;

		while (j < recs[i].n && !r) {
			bool finished = false;

			/* A revert that cannot go on (someone else's suspend or
			 * hold, a failed merge) holds up only itself, not every
			 * command: each one tries again, and says why. */
			if (recs[i].sh[j].merge != MERGE_NONE &&
			    provider_of(&recs[i].sh[j])->revert_recover(ctx, &recs[i], j, &finished,
									fixed) < 0)
				vss_log(ctx, VSS_LEVEL_WARNING, "set %.8s, revert of %s: %s (tried "
					"again by the next command)", recs[i].id, recs[i].sh[j].volume,
					vss_errmsg(ctx));
			/* A finished shadow left the set: the next one moved into its place. */
			if (!finished)
				j++;
		}
	}
	set_recs_free(recs, n);
	return r;
}
