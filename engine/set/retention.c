/*
 * Retention: which sets prune keeps. Pure, so the rules are tested on made
 * up histories (tests/unit/test-retention.c), not only on what a test can
 * make in a few minutes.
 *
 * Each volume is judged on its own sets, so an hourly job on one volume and
 * a daily one on another each keep theirs; a set spanning volumes stays if
 * any of them keeps it. The rules are independent of each other (as
 * snapper's timeline: a set kept by one rule still counts for the others),
 * and a set's reason is the first rule, in the order of the struct, that
 * keeps it. An invalid set counts for no rule, so it is pruned first.
 */
#include "config.h"
#include "vss.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

bool vss_retention_given(const struct vss_retention *r)
{
	return r->last || r->hourly || r->daily || r->weekly || r->monthly || r->within_s;
}

enum { R_LAST, R_WITHIN, R_HOURLY, R_DAILY, R_WEEKLY, R_MONTHLY, R_RULES };

static const char *const rule_names[R_RULES] = {
	"last", "within", "hourly", "daily", "weekly", "monthly",
};

/* The period a set falls in for RULE, as a number that differs between
 * periods: the local hour, day, ISO week or month. */
static long long period(int rule, long long us)
{
	time_t t = (time_t)(us / 1000000);
	struct tm tm;

	localtime_r(&t, &tm);
	switch (rule) {
	case R_HOURLY:
		return ((tm.tm_year * 1000LL + tm.tm_yday) * 100) + tm.tm_hour;
	case R_DAILY:
		return tm.tm_year * 1000LL + tm.tm_yday;
	case R_WEEKLY: {
		char buf[16];

		strftime(buf, sizeof(buf), "%G%V", &tm);
		return atoll(buf);
	}
	default:
		return tm.tm_year * 100LL + tm.tm_mon;
	}
}

static bool has_volume(const struct vss_set *s, const char *volume)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->shadows[i].volume, volume))
			return true;
	return false;
}

static bool invalid(const struct vss_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->shadows[i].state == VSS_SHADOW_INVALID)
			return true;
	return false;
}

static const char *pinned(const struct vss_set *s)
{
	if (s->context == VSS_CONTEXT_AUTO_RELEASE)
		return "auto-release";
	for (size_t i = 0; i < s->n; i++) {
		if (s->shadows[i].state == VSS_SHADOW_MERGING ||
		    s->shadows[i].state == VSS_SHADOW_REVERT_SCHEDULED)
			return "reverting";
		if (s->shadows[i].mountpoint[0])
			return "exposed";
	}
	return NULL;
}

/* Newest first; the same instant by id, so the order never depends on qsort. */
static const struct vss_set *sort_base;

static int newest_first(const void *a, const void *b)
{
	const struct vss_set *x = &sort_base[*(const size_t *)a], *y = &sort_base[*(const size_t *)b];

	if (x->created_us != y->created_us)
		return x->created_us < y->created_us ? 1 : -1;
	return strcmp(x->id, y->id);
}

/* The rules for the sets of VOLUME (ORDER: every set, newest first). */
static void judge(const struct vss_set *sets, const size_t *order, size_t n,
		  const struct vss_retention *r, long long now_us, const char *volume, int *rule)
{
	const unsigned want[R_RULES] = { r->last, 0, r->hourly, r->daily, r->weekly, r->monthly };
	unsigned got[R_RULES] = { 0 };
	long long last_period[R_RULES];
	bool seen[R_RULES] = { false };

	for (size_t k = 0; k < n; k++) {
		size_t i = order[k];
		const struct vss_set *s = &sets[i];

		/* An invalid set keeps nothing: it is no copy of its instant. */
		if (!has_volume(s, volume) || s->context == VSS_CONTEXT_AUTO_RELEASE || invalid(s))
			continue;
		for (int q = 0; q < R_RULES; q++) {
			bool keep = false;

			if (q == R_WITHIN) {
				keep = r->within_s && s->created_us >= now_us - (long long)r->within_s * 1000000;
			} else if (q == R_LAST) {
				keep = got[q] < want[q];
				got[q] += keep;
			} else if (want[q]) {
				long long p = period(q, s->created_us);

				if (!seen[q] || p != last_period[q]) {
					seen[q] = true;
					last_period[q] = p;
					keep = got[q] < want[q];
					got[q] += keep;
				}
			}
			if (keep && (rule[i] < 0 || q < rule[i]))
				rule[i] = q;
		}
	}
}

void vss_retention_apply(const struct vss_set *sets, size_t n, const struct vss_retention *r,
			 long long now_us, const char **why)
{
	size_t *order = calloc(n + 1, sizeof(*order));
	int *rule = calloc(n + 1, sizeof(*rule));

	for (size_t i = 0; i < n; i++)
		why[i] = pinned(&sets[i]);
	if (!order || !rule) {
		/* Nothing can be judged: everything stays. */
		for (size_t i = 0; i < n; i++)
			why[i] = why[i] ? why[i] : "last";
		free(order);
		free(rule);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		order[i] = i;
		rule[i] = -1;
	}
	sort_base = sets;
	qsort(order, n, sizeof(*order), newest_first);
	for (size_t i = 0; i < n; i++)
		for (size_t v = 0; v < sets[i].n; v++) {
			bool done = false;

			/* Each volume once. */
			for (size_t j = 0; j < i && !done; j++)
				done = has_volume(&sets[j], sets[i].shadows[v].volume);
			for (size_t w = 0; w < v && !done; w++)
				done = !strcmp(sets[i].shadows[w].volume, sets[i].shadows[v].volume);
			if (!done)
				judge(sets, order, n, r, now_us, sets[i].shadows[v].volume, rule);
		}
	for (size_t i = 0; i < n; i++)
		if (!why[i] && rule[i] >= 0)
			why[i] = rule_names[rule[i]];
	free(order);
	free(rule);
}
