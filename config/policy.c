/*
 * The storage policy and retention keys of [vss]: how many sets, how much
 * space, what happens when it runs out, what the monitor watches for, and
 * what prune keeps.
 */
#include "config.h"
#include "parse.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int count(const char *s, unsigned max, unsigned *out)
{
	char *end;
	unsigned long v;

	if (!*s || *s == '-' || *s == '+' || *s == ' ')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (*end || errno || v > max)
		return -EINVAL;
	*out = (unsigned)v;
	return 0;
}

/* "85%" or "85", from 1 to 100. */
static int percent(const char *s, unsigned *out)
{
	char buf[16];
	size_t len = strlen(s);

	if (len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, len + 1);
	if (len && buf[len - 1] == '%')
		buf[len - 1] = '\0';
	if (count(buf, 100, out) || !*out)
		return -EINVAL;
	return 0;
}

/* KEY's field when it is one of the keep_N rules, else NULL. */
static unsigned *keep_field(struct vss_retention *r, const char *key)
{
	if (!strcmp(key, "keep_last"))
		return &r->last;
	if (!strcmp(key, "keep_hourly"))
		return &r->hourly;
	if (!strcmp(key, "keep_daily"))
		return &r->daily;
	if (!strcmp(key, "keep_weekly"))
		return &r->weekly;
	if (!strcmp(key, "keep_monthly"))
		return &r->monthly;
	return NULL;
}

bool conf_policy_value(struct parse *p, const char *key, const char *value)
{
	struct vss_config *cfg = p->cfg;
	struct vss_policy *pol = &cfg->policy;
	const char *path = cfg->path;
	unsigned *field;
	int line = p->line;

	if (!strcmp(key, "max_sets_per_volume")) {
		if (count(value, 100000, &pol->max_sets_per_volume))
			conf_complain(p, "%s:%d: max_sets_per_volume '%s': must be a number from 0 (no "
				      "limit) to 100000", path, line, value);
	} else if (!strcmp(key, "storage_max")) {
		if (!strcmp(value, "none"))
			pol->storage_max = 0;
		else if (vss_size_parse(value, &pol->storage_max) || !pol->storage_max)
			conf_complain(p, "%s:%d: storage_max '%s': must be a size (20G) or none", path,
				      line, value);
	} else if (!strcmp(key, "on_full")) {
		if (vss_on_full_parse(value, &pol->on_full))
			conf_complain(p, "%s:%d: on_full '%s': must be refuse or delete-oldest", path, line,
				      value);
	} else if (!strcmp(key, "warn_at")) {
		if (percent(value, &pol->warn_percent))
			conf_complain(p, "%s:%d: warn_at '%s': must be a percentage from 1%% to 100%%",
				      path, line, value);
		p->warn_line = line;
	} else if (!strcmp(key, "full_at")) {
		if (percent(value, &pol->full_percent))
			conf_complain(p, "%s:%d: full_at '%s': must be a percentage from 1%% to 100%%",
				      path, line, value);
		p->full_line = line;
	} else if (!strcmp(key, "monitor_interval")) {
		if (vss_parse_seconds(value, &cfg->monitor_interval_ms) ||
		    cfg->monitor_interval_ms < 1000 || cfg->monitor_interval_ms > 3600 * 1000)
			conf_complain(p, "%s:%d: monitor_interval '%s': must be a duration in seconds from "
				      "1 to 3600", path, line, value);
	} else if (!strcmp(key, "keep_within")) {
		if (vss_age_parse(value, &cfg->retention.within_s))
			conf_complain(p, "%s:%d: keep_within '%s': must be an age (90m, 36h, 14d, 8w)",
				      path, line, value);
	} else if ((field = keep_field(&cfg->retention, key))) {
		if (count(value, 100000, field))
			conf_complain(p, "%s:%d: %s '%s': must be a number from 0 to 100000", path, line,
				      key, value);
	} else {
		return false;
	}
	return true;
}

void conf_policy_defaults(struct vss_config *cfg)
{
	static const struct vss_policy defaults = VSS_POLICY_DEFAULTS;

	cfg->policy = defaults;
	cfg->monitor_interval_ms = VSS_DEFAULT_MONITOR_INTERVAL_MS;
}

void conf_policy_finish(struct parse *p)
{
	const struct vss_policy *pol = &p->cfg->policy;

	if (pol->warn_percent >= pol->full_percent)
		conf_complain(p, "%s:%d: warn_at (%u%%) must be below full_at (%u%%)", p->cfg->path,
			      p->warn_line > p->full_line ? p->warn_line : p->full_line,
			      pol->warn_percent, pol->full_percent);
}
