/* What every libsmartcols table of ours shares: how one is made, how a
 * column is added with its JSON type, how a time is written. */
#include "config.h"
#include "cmd.h"

#include <time.h>

struct libscols_table *cli_table_new(const char *name, bool json)
{
	struct libscols_table *tb = scols_new_table();

	if (tb) {
		scols_table_enable_json(tb, json);
		scols_table_set_name(tb, name);
	}
	return tb;
}

void cli_column(struct libscols_table *tb, const char *name, double w, int flags, int json_type)
{
	struct libscols_column *cl = scols_table_new_column(tb, name, w, flags);

	if (cl)
		scols_column_set_json_type(cl, json_type);
}

void cli_time(long long us, bool utc_iso, char *buf, size_t len)
{
	time_t t = (time_t)(us / 1000000);
	struct tm tm;

	buf[0] = '\0';
	if (!us)
		return;
	if (utc_iso) {
		gmtime_r(&t, &tm);
		strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
	} else {
		localtime_r(&t, &tm);
		strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
	}
}
