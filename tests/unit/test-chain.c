/* A volume's chain from the set records (engine/providers/cow/chain.c):
 * its chain shadows only, oldest first by their sets' instants, whatever
 * order the records are read in; a record that cannot be read is an error,
 * not a link left out; and the provider's fields a chain shadow needs. */
#include "config.h"
#include "chain.h"
#include "provider.h"
#include "state.h"
#include "tap.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A set record: ID, made at CREATED, with one shadow of VOLUME by PROVIDER
 * (and a chain shadow's fields when it is chain's). */
static int put(struct vss_ctx *ctx, const char *id, long long created, const char *volume,
	       const char *provider)
{
	char buf[2048], rel[128];
	bool chain = !strcmp(provider, "chain");

	snprintf(buf, sizeof(buf),
		 "[set]\nid = %s\ncontext = persistent\ncreated_us = %lld\nfreeze_us = 2\n\n"
		 "[shadow 0]\nvolume = %s\norigin_uuid = u\nprovider = %s\ndm_name = vss-%.8s-%s\n"
		 "dm_uuid = VSS-snap-%s-0\ncow_name = vss-%.8s-%s-cow\ncow_uuid = VSS-cow-%s-0\n"
		 "area = a\ncow_offset = 0\ncow_sectors = 8\norigin_sectors = 16\nchunk = 8\n%s%.8s%s%s%s",
		 id, created, volume, provider, id, volume, id, id, volume, id,
		 chain ? "base = vss-" : "", chain ? id : "", chain ? "-base\nbase_uuid = VSS-base-" : "",
		 chain ? id : "", chain ? "-0\n" : "");
	snprintf(rel, sizeof(rel), "sets/%s.conf", id);
	return vss_state_write(ctx, rel, buf, strlen(buf));
}

#define A "aaaaaaaa-0000-4000-8000-000000000001"
#define B "bbbbbbbb-0000-4000-8000-000000000002"
#define C "cccccccc-0000-4000-8000-000000000003"
#define D "dddddddd-0000-4000-8000-000000000004"
#define E "eeeeeeee-0000-4000-8000-000000000005"

int main(void)
{
	char dir[] = "/tmp/vss-test-chain.XXXXXX";
	struct vss_options opts = { 0 };
	struct chain_link *links = NULL;
	struct vss_ctx *ctx;
	size_t n = 99;

	if (!mkdtemp(dir))
		return 99;
	opts.state_dir = dir;
	ok(vss_ctx_new(&ctx, &opts) == 0 && vss_state_check(ctx) == 0, "a context is made");

	ok(chain_of(ctx, "vol", NULL, &links, &n) == 0 && n == 0 && !links,
	   "no records: an empty chain");

	/* Written newest first: the order of the directory is not the chain's. */
	ok(put(ctx, C, 300, "vol", "chain") == 0 && put(ctx, A, 100, "vol", "chain") == 0 &&
	   put(ctx, B, 200, "vol", "chain") == 0 && put(ctx, D, 150, "vol", "cow") == 0 &&
	   put(ctx, E, 250, "other", "chain") == 0, "five records are written");
	ok(chain_of(ctx, "vol", NULL, &links, &n) == 0 && n == 3, "vol's chain has its 3 chain shadows");
	ok(n == 3 && !strcmp(links[0].set, A) && !strcmp(links[1].set, B) && !strcmp(links[2].set, C),
	   "oldest first, by the sets' instants");
	ok(n == 3 && links[0].created_us == 100 && !strcmp(links[2].sh.volume, "vol") &&
	   !strcmp(shadow_extra(&links[2].sh, CHAIN_BASE), "vss-cccccccc-base"),
	   "each link carries its set's instant and its shadow's record, base included");
	ok(n == 3 && provider_usable(&links[1].sh, NULL, 0), "a chain shadow's record is complete");
	free(links);

	ok(chain_of(ctx, "vol", B, &links, &n) == 0 && n == 2 && !strcmp(links[0].set, A) &&
	   !strcmp(links[1].set, C), "EXCEPT leaves that set out");
	free(links);
	ok(chain_of(ctx, "other", NULL, &links, &n) == 0 && n == 1 && !strcmp(links[0].set, E),
	   "another volume's chain is its own");
	free(links);

	/* A chain shadow without its base: not complete, listed unusable. */
	{
		static const char text[] =
			"[set]\nid = " D "\ncontext = persistent\ncreated_us = 1\nfreeze_us = 2\n\n"
			"[shadow 0]\nvolume = x\norigin_uuid = u\nprovider = chain\n"
			"dm_name = vss-dddddddd-x\ndm_uuid = VSS-snap-" D "-0\n"
			"cow_name = vss-dddddddd-x-cow\ncow_uuid = VSS-cow-" D "-0\narea = a\n"
			"cow_offset = 0\ncow_sectors = 8\norigin_sectors = 16\nchunk = 8\n";
		struct set_rec rec;
		char why[200] = "";

		ok(vss_state_write(ctx, "sets/" D ".conf", text, strlen(text)) == 0 &&
		   set_rec_load(ctx, "sets", D, &rec) == 0, "a chain record without its base is read");
		ok(!provider_usable(&rec.sh[0], why, sizeof(why)) && strstr(why, "chain"),
		   "...and its shadow is not usable, said why: %s", why);
		set_rec_free(&rec);
	}

	/* Places counted, not instants: a clock set back between two sets
	 * does not reorder the chain. */
	{
		static const char *const ids[] = { "11111111-0000-4000-8000-000000000001",
						   "22222222-0000-4000-8000-000000000002" };
		bool written = true;

		for (int k = 0; k < 2; k++) {
			char rel[128], buf[2048];

			/* The second made has the earlier instant. */
			snprintf(buf, sizeof(buf),
				 "[set]\nid = %s\ncontext = persistent\ncreated_us = %d\nfreeze_us = 2\n\n"
				 "[shadow 0]\nvolume = clock\norigin_uuid = u\nprovider = chain\n"
				 "dm_name = vss-%.8s-clock\ndm_uuid = VSS-snap-%s-0\n"
				 "cow_name = vss-%.8s-clock-cow\ncow_uuid = VSS-cow-%s-0\narea = a\n"
				 "cow_offset = 0\ncow_sectors = 8\norigin_sectors = 16\nchunk = 8\n"
				 "base = vss-%.8s-clock-base\nbase_uuid = VSS-base-%s-0\nseq = %d\n",
				 ids[k], k ? 100 : 900, ids[k], ids[k], ids[k], ids[k], ids[k], ids[k], k + 1);
			snprintf(rel, sizeof(rel), "sets/%s.conf", ids[k]);
			written &= vss_state_write(ctx, rel, buf, strlen(buf)) == 0;
		}
		ok(written && chain_of(ctx, "clock", NULL, &links, &n) == 0 && n == 2 &&
		   !strcmp(links[0].set, ids[0]) && links[0].seq == 1 && links[1].seq == 2,
		   "the order is the shadows' places (seq), not their sets' instants");
		free(links);
	}

	/* A record that cannot be read: the chain is not guessed. */
	ok(vss_state_write(ctx, "sets/" E ".conf", "[set]\nid = garbage\n", 19) == 0,
	   "a damaged record is written");
	ok(chain_of(ctx, "vol", NULL, &links, &n) < 0 && n == 0 && !links,
	   "a damaged record fails the chain, named: %s", vss_errmsg(ctx));

	vss_ctx_free(ctx);
	{
		char cmd[600];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd))
			return 99;
	}
	return done_testing();
}
