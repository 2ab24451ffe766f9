/* Which sets prune keeps (engine/set/retention.c), on made-up histories. */
#include "engine/vss.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define H 3600LL
#define D (24 * H)

/* 2026-11-02 00:00:00 UTC, a Monday. */
static const long long base = 1793577600LL;

static struct vss_set sets[64];
static struct vss_shadow shadows[64][2];
static size_t nsets;

static struct vss_set *add(long long at, const char *v1, const char *v2)
{
	struct vss_set *s = &sets[nsets];

	memset(s, 0, sizeof(*s));
	snprintf(s->id, sizeof(s->id), "%08zx-0000-4000-8000-000000000000", nsets);
	s->created_us = at * 1000000;
	s->shadows = shadows[nsets];
	memset(shadows[nsets], 0, sizeof(shadows[nsets]));
	snprintf(s->shadows[0].volume, sizeof(s->shadows[0].volume), "%s", v1);
	s->n = 1;
	if (v2) {
		snprintf(s->shadows[1].volume, sizeof(s->shadows[1].volume), "%s", v2);
		s->n = 2;
	}
	nsets++;
	return s;
}

/* The verdicts as one string: the rule's first letter, '-' when pruned
 * (within: 'i', monthly: 'M', auto-release: 'A', exposed: 'E', reverting: 'R'). */
static const char *verdicts(const struct vss_retention *r, long long now)
{
	static char out[65];
	const char *why[64];

	vss_retention_apply(sets, nsets, r, now * 1000000, why);
	for (size_t i = 0; i < nsets; i++) {
		const char *w = why[i];

		out[i] = !w ? '-' : !strcmp(w, "within") ? 'i' : !strcmp(w, "monthly") ? 'M' :
			 !strcmp(w, "auto-release") ? 'A' : !strcmp(w, "exposed") ? 'E' :
			 !strcmp(w, "reverting") ? 'R' : w[0];
	}
	out[nsets] = '\0';
	return out;
}

int main(void)
{
	struct vss_retention r;
	long long now;

	setenv("TZ", "UTC", 1);
	tzset();

	memset(&r, 0, sizeof(r));
	ok(!vss_retention_given(&r), "no rule: nothing given");
	r.within_s = 1;
	ok(vss_retention_given(&r), "keep_within alone is a rule");

	/* Ten sets an hour apart, oldest first. */
	nsets = 0;
	for (int i = 0; i < 10; i++)
		add(base + i * H, "a", NULL);
	now = base + 10 * H;
	memset(&r, 0, sizeof(r));
	r.last = 3;
	is_str(verdicts(&r, now), "-------lll", "keep_last 3: the three newest");
	r.last = 0;
	r.within_s = 150 * 60;
	is_str(verdicts(&r, now), "--------ii", "keep_within 150m: those younger than that");
	r.within_s = 0;
	r.last = 20;
	is_str(verdicts(&r, now), "llllllllll", "keep_last more than there are: every one");

	/* Two sets an hour (at :10 and :40) for six hours. */
	nsets = 0;
	for (int i = 0; i < 12; i++)
		add(base + (i / 2) * H + (i % 2 ? 40 : 10) * 60, "a", NULL);
	memset(&r, 0, sizeof(r));
	r.hourly = 4;
	is_str(verdicts(&r, base + 6 * H), "-----h-h-h-h",
	       "keep_hourly 4: the newest set of each of the four latest hours");
	r.last = 1;
	is_str(verdicts(&r, base + 6 * H), "-----h-h-h-l",
	       "keep_last 1 and keep_hourly 4: the newest says last (the first rule)");

	/* One set every six hours over ten days: daily, weekly, monthly. */
	nsets = 0;
	for (int i = 0; i < 40; i++)
		add(base + i * 6 * H, "a", NULL);
	memset(&r, 0, sizeof(r));
	r.daily = 3;
	{
		const char *v = verdicts(&r, base + 10 * D);
		int kept = 0;

		for (int i = 0; i < 40; i++)
			kept += v[i] != '-';
		ok(kept == 3 && v[39] == 'd' && v[35] == 'd' && v[31] == 'd' && v[30] == '-',
		   "keep_daily 3: the last set of each of the three latest days (%s)", v);
	}
	memset(&r, 0, sizeof(r));
	r.weekly = 5;
	{
		/* Days 0-6 are one ISO week (Monday to Sunday), 7-9 the next. */
		const char *v = verdicts(&r, base + 10 * D);
		int kept = 0;

		for (int i = 0; i < 40; i++)
			kept += v[i] != '-';
		ok(kept == 2 && v[39] == 'w' && v[27] == 'w',
		   "keep_weekly 5 over two ISO weeks: the newest set of each (%s)", v);
	}
	memset(&r, 0, sizeof(r));
	r.monthly = 2;
	nsets = 0;
	add(base - 40 * D, "a", NULL);      /* September */
	add(base - 20 * D, "a", NULL);      /* October */
	add(base - 10 * D, "a", NULL);      /* October */
	add(base + 1 * D, "a", NULL);       /* November */
	is_str(verdicts(&r, base + 2 * D), "--MM", "keep_monthly 2: the newest of November and October");

	/* Each volume on its own; a set of both stays when either keeps it. */
	nsets = 0;
	add(base + 0 * H, "a", NULL);
	add(base + 1 * H, "b", NULL);
	add(base + 2 * H, "a", "b");
	add(base + 3 * H, "a", NULL);
	add(base + 4 * H, "a", NULL);
	memset(&r, 0, sizeof(r));
	r.last = 2;
	is_str(verdicts(&r, base + 5 * H), "-llll",
	       "keep_last 2 per volume: b keeps its two (one shared with a)");
	r.last = 1;
	is_str(verdicts(&r, base + 5 * H), "--l-l",
	       "keep_last 1 per volume: a's newest, and b's newest (the set of both)");

	/* Auto-release, exposed and reverting sets stay, and are not counted. */
	nsets = 0;
	add(base + 0 * H, "a", NULL);
	add(base + 1 * H, "a", NULL);
	add(base + 2 * H, "a", NULL)->context = VSS_CONTEXT_AUTO_RELEASE;
	snprintf(add(base + 3 * H, "a", NULL)->shadows[0].mountpoint, 64, "/mnt/x");
	add(base + 4 * H, "a", NULL)->shadows[0].state = VSS_SHADOW_MERGING;
	add(base + 5 * H, "a", NULL)->shadows[0].state = VSS_SHADOW_REVERT_SCHEDULED;
	memset(&r, 0, sizeof(r));
	r.last = 2;
	is_str(verdicts(&r, base + 6 * H), "--AERR",
	       "pinned sets say why; auto-release is not counted by the rules, exposed and reverting ones are");
	/* An invalid set counts for no rule: the valid one before it is kept. */
	nsets = 0;
	add(base + 0 * H, "a", NULL);
	add(base + 1 * H, "a", NULL);
	add(base + 2 * H, "a", NULL)->shadows[0].state = VSS_SHADOW_INVALID;
	memset(&r, 0, sizeof(r));
	r.last = 1;
	is_str(verdicts(&r, base + 3 * H), "-l-", "keep_last 1: an invalid newest set is pruned, the valid one kept");
	return done_testing();
}
