/* The providers vss knows: one line each, in the order of enum
 * shadow_provider (setrec.h), whose names records keep. */
#include "config.h"
#include "provider.h"

#include <errno.h>
#include <string.h>

static const struct provider *const providers[PROVIDER_N] = {
	[PROVIDER_COW] = &cow_provider,
	[PROVIDER_THIN] = &thin_provider,
};

/* --provider auto: the first that can serve the volume. A thin volume's
 * snapshot is better than a COW over it (which could not be layered). */
static const enum shadow_provider auto_order[] = { PROVIDER_THIN, PROVIDER_COW };

const struct provider *provider_of(const struct shadow_rec *sh)
{
	return providers[sh->provider];
}

const struct provider *provider_by_name(const char *name)
{
	for (int i = 0; i < PROVIDER_N; i++)
		if (!strcmp(providers[i]->name, name))
			return providers[i];
	return NULL;
}

int provider_choose(struct vss_ctx *ctx, enum vss_provider choice, const char *volume,
		    uint64_t size, const struct vss_create_opts *o, enum shadow_provider *out)
{
	int r = -ENOENT;

	if (choice != VSS_PROVIDER_AUTO) {
		*out = choice == VSS_PROVIDER_THIN ? PROVIDER_THIN : PROVIDER_COW;
		r = providers[*out]->check(ctx, volume, size, o, true);
		return r == -ENOENT ? -EINVAL : r;
	}
	for (size_t i = 0; i < sizeof(auto_order) / sizeof(auto_order[0]) && r == -ENOENT; i++) {
		*out = auto_order[i];
		r = providers[*out]->check(ctx, volume, size, o, false);
	}
	return r == -ENOENT ? vss_fail(ctx, EINVAL, "%s: no provider can make its shadow", volume) : r;
}
