/* The providers vss has: one line each in providers[], in the order
 * --provider auto tries them. Records keep a shadow's provider by its name
 * only, so nothing outside a provider's folder and this table knows it. */
#include "config.h"
#include "provider.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

/* A thin volume's snapshot is better than a COW over it (which could not
 * be layered): thin is tried first. A volume whose shadows are chained
 * is passed on by cow to chain. */
static const struct provider *const providers[] = {
	&thin_provider,
	&cow_provider,
	&chain_provider,
};
#define NPROVIDERS (sizeof(providers) / sizeof(providers[0]))

const struct provider *provider_by_name(const char *name)
{
	for (size_t i = 0; i < NPROVIDERS; i++)
		if (!strcmp(providers[i]->name, name))
			return providers[i];
	return NULL;
}

static const char *names[NPROVIDERS + 1];

static void names_fill(void)
{
	for (size_t i = 0; i < NPROVIDERS; i++)
		names[i] = providers[i]->name;
}

const char *const *vss_providers(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	/* Once: a library's callers may ask from several threads. */
	pthread_once(&once, names_fill);
	return names;
}

/* ---- a shadow no provider of this vss can act on: its record names one
 * this vss does not have (written by a newer one), or lacks what its
 * provider needs. Every step refuses, naming why, and the set is listed
 * as invalid: vss will not guess what such a shadow is. ---- */

static void unusable_why(const struct shadow_rec *sh, char *buf, size_t len)
{
	if (provider_by_name(sh->provider))
		snprintf(buf, len, "its record lacks what provider %s needs (damaged)", sh->provider);
	else
		snprintf(buf, len, "its record names provider %s, which this vss does not have",
			 sh->provider);
}

static int unusable(struct vss_ctx *ctx, const struct shadow_rec *sh)
{
	char why[128];

	unusable_why(sh, why, sizeof(why));
	return vss_fail_kind(ctx, VSS_ERR_USAGE, EPROTONOSUPPORT, "shadow of %s: %s: refused",
			     sh->volume, why);
}

static int u_check(struct vss_ctx *ctx, const char *volume, uint64_t size,
		   const struct vss_create_opts *o, bool asked)
{
	(void)ctx, (void)volume, (void)size, (void)o, (void)asked;
	return -ENOENT;
}

static int u_plan(struct vss_ctx *ctx, struct shadow_rec *sh, const struct plan_input *in)
{
	(void)in;
	return unusable(ctx, sh);
}

static int u_step(struct vss_ctx *ctx, struct shadow_rec *sh)
{
	return unusable(ctx, sh);
}

static int u_in_window(struct vss_ctx *ctx, struct shadow_rec *sh, uint32_t *cookie)
{
	(void)cookie;
	return unusable(ctx, sh);
}

static bool u_complete(const struct shadow_rec *sh)
{
	(void)sh;
	return false;
}

static void u_describe(const struct shadow_rec *sh, char *buf, size_t len)
{
	unusable_why(sh, buf, len);
}

static int u_attach(struct vss_ctx *ctx, const struct shadow_rec *sh, bool *made)
{
	*made = false;
	return unusable(ctx, sh);
}

static int u_activate(struct vss_ctx *ctx, const struct shadow_rec *sh, unsigned rmaj,
		      unsigned rmin, bool *made)
{
	(void)rmaj, (void)rmin;
	*made = false;
	return unusable(ctx, sh);
}

static void u_state(struct vss_ctx *ctx, const struct shadow_rec *sh, struct vss_shadow *d)
{
	(void)ctx;
	d->state = VSS_SHADOW_INVALID;
	unusable_why(sh, d->why, sizeof(d->why));
}

static int u_vouch(struct vss_ctx *ctx, const struct shadow_rec *sh)
{
	return unusable(ctx, sh);
}

static int u_revert_check(struct vss_ctx *ctx, const struct set_rec *rec, size_t i)
{
	return unusable(ctx, &rec->sh[i]);
}

static int u_revert_start(struct vss_ctx *ctx, struct set_rec *rec, size_t i)
{
	return unusable(ctx, &rec->sh[i]);
}

static int u_revert_left(struct vss_ctx *ctx, const struct shadow_rec *sh, uint64_t *left)
{
	*left = 0;
	return unusable(ctx, sh);
}

static int u_revert_recover(struct vss_ctx *ctx, struct set_rec *rec, size_t i, bool *finished,
			    int *fixed)
{
	(void)fixed;
	*finished = false;
	return unusable(ctx, &rec->sh[i]);
}

static int u_release(struct vss_ctx *ctx, const struct shadow_rec *sh)
{
	return unusable(ctx, sh);
}

static const struct provider unusable_provider = {
	.name = "?",
	.complete = u_complete,
	.check = u_check,
	.plan = u_plan,
	.make_storage = u_step,
	.make_devices = u_step,
	.load_origin = u_step,
	.in_window = u_in_window,
	.after_window = u_step,
	.describe = u_describe,
	.attach = u_attach,
	.activate = u_activate,
	.state = u_state,
	.vouch = u_vouch,
	.revert_check = u_revert_check,
	.revert_start = u_revert_start,
	.revert_left = u_revert_left,
	.revert_recover = u_revert_recover,
	.release = u_release,
};

const struct provider *provider_of(const struct shadow_rec *sh)
{
	const struct provider *p = provider_by_name(sh->provider);

	return p && p->complete(sh) ? p : &unusable_provider;
}

bool provider_usable(const struct shadow_rec *sh, char *why, size_t len)
{
	if (provider_of(sh) != &unusable_provider)
		return true;
	unusable_why(sh, why, len);
	return false;
}

int provider_choose(struct vss_ctx *ctx, const char *choice, const char *volume, uint64_t size,
		    const struct vss_create_opts *o, const struct provider **out)
{
	int r = -ENOENT;

	if (choice && strcmp(choice, "auto")) {
		if (!(*out = provider_by_name(choice)))
			return vss_fail_kind(ctx, VSS_ERR_USAGE, EINVAL, "provider %s: no such provider",
					     choice);
		r = (*out)->check(ctx, volume, size, o, true);
		return r == -ENOENT ? -EINVAL : r;
	}
	for (size_t i = 0; i < NPROVIDERS && r == -ENOENT; i++) {
		*out = providers[i];
		r = (*out)->check(ctx, volume, size, o, false);
	}
	return r == -ENOENT ? vss_fail(ctx, EINVAL, "%s: no provider can make its shadow", volume) : r;
}

int provider_expose_dev(struct vss_ctx *ctx, const struct shadow_rec *sh, bool make, char *name,
			char *uuid)
{
	const struct provider *p = provider_of(sh);

	if (p->expose_dev)
		return p->expose_dev(ctx, sh, make, name, uuid);
	snprintf(name, 130, "%s", sh->dm_name);
	snprintf(uuid, 130, "%s", sh->dm_uuid);
	return 0;
}
