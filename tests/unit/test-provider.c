/* Providers by name: records keep a shadow's provider and its own fields
 * without knowing them (engine/records/setrec.c), and a shadow whose
 * provider this vss lacks, or whose record lacks what its provider needs,
 * is refused with the reason at every step (engine/providers/provider.c). */
#include "config.h"
#include "provider.h"
#include "state.h"
#include "tap.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ID "0f6b3f1e-9a1c-4d2e-8b7a-5c4d3e2f1a0b"

static const char *record(const char *provider_line, const char *more)
{
	static char buf[2048];

	snprintf(buf, sizeof(buf),
		 "[set]\nid = " ID "\ncontext = persistent\ncreated_us = 1\nfreeze_us = 2\n\n"
		 "[shadow 0]\nvolume = vol\norigin_uuid = u\n%sdm_name = vss-0f6b3f1e-vol\n"
		 "dm_uuid = VSS-snap-" ID "-0\ncow_name = vss-0f6b3f1e-vol-cow\n"
		 "cow_uuid = VSS-cow-" ID "-0\narea = a\ncow_offset = 0\ncow_sectors = 8\n"
		 "origin_sectors = 16\nchunk = 8\n%s",
		 provider_line, more);
	return buf;
}

static int load(struct vss_ctx *ctx, const char *text, struct set_rec *rec)
{
	if (vss_state_write(ctx, "sets/" ID ".conf", text, strlen(text)))
		return -EIO;
	return set_rec_load(ctx, "sets", ID, rec);
}

static void names(struct vss_ctx *ctx)
{
	const char *const *n = vss_providers();
	const struct provider *p;
	size_t count = 0;
	bool cow = false, thin = false;

	for (; *n; n++, count++) {
		ok(provider_by_name(*n) && !strcmp(provider_by_name(*n)->name, *n),
		   "provider %s is found by its name", *n);
		cow |= !strcmp(*n, "cow");
		thin |= !strcmp(*n, "thin");
	}
	ok(count >= 2 && cow && thin, "vss_providers names cow and thin (%zu in all)", count);
	ok(provider_by_name("zfs") == NULL && provider_by_name("auto") == NULL,
	   "a name no provider has finds none (auto is a choice, not a provider)");
	ok(provider_choose(ctx, "zfs", "vol", 1 << 20, NULL, &p) == -EINVAL &&
	   vss_errkind(ctx) == VSS_ERR_USAGE, "choosing a provider vss lacks is refused (usage)");
	is_str(vss_errmsg(ctx), "provider zfs: no such provider", "naming it");
}

static void kept(struct vss_ctx *ctx)
{
	struct set_rec rec, again;

	ok(load(ctx, record("provider = zfs\n", "zfs_dataset = tank/vol@x\nfuture = 1 2 3\n"),
		&rec) == 0, "a record naming a provider this vss lacks is read");
	is_str(rec.sh[0].provider, "zfs", "its provider's name is kept");
	is_str(shadow_extra(&rec.sh[0], "zfs_dataset"), "tank/vol@x", "and its own fields");
	is_str(shadow_extra(&rec.sh[0], "future"), "1 2 3", "and keys this vss does not know");
	ok(shadow_extra(&rec.sh[0], "volume") == NULL && shadow_extra(&rec.sh[0], "chunk") == NULL,
	   "fields records know are not extra");
	ok(set_rec_save(ctx, "sets", &rec) == 0 && set_rec_load(ctx, "sets", ID, &again) == 0,
	   "saved and read again");
	is_str(again.sh[0].provider, "zfs", "the name survives a save");
	is_str(shadow_extra(&again.sh[0], "future"), "1 2 3", "so do its fields");
	set_rec_free(&again);

	ok(shadow_extra_set(ctx, &rec.sh[0], "future", "4") == 0 &&
	   !strcmp(shadow_extra(&rec.sh[0], "future"), "4") && rec.sh[0].nextra == 2,
	   "setting a field again replaces it");
	ok(shadow_extra_set(ctx, &rec.sh[0], "Bad-Key", "x") == -EINVAL,
	   "a key that is not [a-z0-9_] is refused");
	is_str(vss_errmsg(ctx), "shadow of vol: cannot record Bad-Key: a key is a word of [a-z0-9_] "
	       "and its value one line of less than 512 bytes", "naming it and why");
	ok(shadow_extra_set(ctx, &rec.sh[0], "dm_name", "vss-other") == -EINVAL &&
	   strcmp(rec.sh[0].dm_name, "vss-other") && !shadow_extra(&rec.sh[0], "dm_name"),
	   "a field records keep themselves cannot be set as a provider's");
	is_str(vss_errmsg(ctx), "shadow of vol: cannot record dm_name: records keep that field "
	       "themselves", "naming it");
	ok(shadow_extra_set(ctx, &rec.sh[0], "k", "two\nlines") == -EINVAL,
	   "a value of two lines is refused");
	for (int i = 0; rec.sh[0].nextra < SHADOW_EXTRA_MAX; i++) {
		char key[16];

		snprintf(key, sizeof(key), "k%d", i);
		shadow_extra_set(ctx, &rec.sh[0], key, "v");
	}
	ok(shadow_extra_set(ctx, &rec.sh[0], "one_more", "v") == -E2BIG,
	   "a field past the %d a shadow holds is refused", SHADOW_EXTRA_MAX);
	is_str(vss_errmsg(ctx), "shadow of vol: cannot record one_more: a shadow keeps at most 8 "
	       "fields of its provider's", "naming it and why");
	set_rec_free(&rec);
}

static void refused(struct vss_ctx *ctx)
{
	struct set_rec rec;
	struct vss_shadow d = { 0 };
	const struct provider *p;
	bool made = true;

	ok(load(ctx, record("provider = zfs\n", ""), &rec) == 0, "a zfs shadow's record is read");
	p = provider_of(&rec.sh[0]);
	ok(p && !provider_by_name(p->name), "its provider is none this vss has");
	p->state(ctx, &rec.sh[0], &d);
	ok(d.state == VSS_SHADOW_INVALID, "it lists as invalid");
	is_str(d.why, "its record names provider zfs, which this vss does not have", "saying why");
	ok(p->vouch(ctx, &rec.sh[0]) < 0 && vss_errkind(ctx) == VSS_ERR_USAGE,
	   "deleting it is refused before anything is touched (usage)");
	is_str(vss_errmsg(ctx),
	       "shadow of vol: its record names provider zfs, which this vss does not have: refused",
	       "with the reason");
	ok(p->activate(ctx, &rec.sh[0], 0, 0, &made) < 0 && !made, "activating it is refused");
	ok(p->revert_check(ctx, &rec, 0) < 0, "reverting it is refused");
	ok(p->release(ctx, &rec.sh[0]) < 0, "its storage is never let go");
	ok(!p->layers_origin && !p->own_room, "it claims no origin and no room");
	ok(p->complete && p->check && p->plan && p->in_window && p->describe && p->activate &&
	   p->state && p->revert_start && p->revert_recover && p->release && p->vouch &&
	   p->revert_check && p->revert_left && p->attach,
	   "every operation a caller may count on is there");
	{
		char why[160];

		ok(!provider_usable(&rec.sh[0], why, sizeof(why)) &&
		   !strcmp(why, "its record names provider zfs, which this vss does not have"),
		   "provider_usable says no, and why");
	}
	set_rec_free(&rec);

	ok(load(ctx, record("provider = thin\n", ""), &rec) == 0,
	   "a thin shadow's record with no pool is read");
	p = provider_of(&rec.sh[0]);
	p->state(ctx, &rec.sh[0], &d);
	is_str(d.why, "its record lacks what provider thin needs (damaged)",
	       "its provider refuses it as damaged");
	set_rec_free(&rec);

	ok(load(ctx, record("", ""), &rec) == 0, "a record written before providers is read");
	is_str(rec.sh[0].provider, "cow", "it is cow's");
	ok(provider_of(&rec.sh[0]) == provider_by_name("cow"), "and cow acts on it");
	set_rec_free(&rec);
	ok(load(ctx, record("provider = \n", ""), &rec) == 0 && !strcmp(rec.sh[0].provider, "cow"),
	   "so is one whose provider is empty");
	set_rec_free(&rec);

	ok(load(ctx, record("provider = Zfs!\n", ""), &rec) == -EBADMSG,
	   "a provider that is not a word is a damaged record");
	ok(load(ctx, record("provider = abcdefghijklmnopqrstuvwxyz\n", ""), &rec) == -EBADMSG,
	   "so is one longer than a name can be");
}

int main(void)
{
	char dir[] = "/tmp/vss-test-provider.XXXXXX";
	struct vss_options opts = { 0 };
	struct vss_ctx *ctx;

	if (!mkdtemp(dir))
		return 99;
	opts.state_dir = dir;
	ok(vss_ctx_new(&ctx, &opts) == 0 && vss_state_check(ctx) == 0, "a context is made");
	names(ctx);
	kept(ctx);
	refused(ctx);
	vss_ctx_free(ctx);
	{
		char cmd[600];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd))
			return 99;
	}
	return done_testing();
}
