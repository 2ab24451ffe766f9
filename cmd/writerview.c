/* How writers look: the listing of `list writers` and `writer verify`,
 * one row a writer. */
#include "config.h"
#include "cmd.h"

#include <libsmartcols.h>
#include <stdio.h>
#include <time.h>

#define ROW(w) const struct vss_writer_status *w = row; (void)o, (void)buf, (void)len

static const char *g_name(const void *row, const struct cli_out *o, char *buf, size_t len)
{
	ROW(w);
	return w->name;
}

static const char *g_type(const void *row, const struct cli_out *o, char *buf, size_t len)
{
	ROW(w);
	return w->hook ? "hook" : vss_writer_type_name(w->type);
}

static const char *g_enabled(const void *row, const struct cli_out *o, char *buf, size_t len)
{
	ROW(w);
	return cli_out_bool(o, w->enabled);
}

static const char *g_state(const void *row, const struct cli_out *o, char *buf, size_t len)
{
	ROW(w);
	/* People see a disabled writer as such; JSON has ENABLED. */
	if (!o->json && !w->enabled)
		return "disabled";
	return vss_writer_state_name(w->state);
}

static const char *g_event(const void *row, const struct cli_out *o, char *buf, size_t len)
{
	ROW(w);
	return w->event[0] ? w->event : NULL;
}

static const char *g_set(const void *row, const struct cli_out *o, char *buf, size_t len)
{
	ROW(w);
	if (!w->set[0])
		return NULL;
	snprintf(buf, len, "%.*s", o->json ? 36 : 8, w->set);
	return buf;
}

static const char *g_changed(const void *row, const struct cli_out *o, char *buf, size_t len)
{
	ROW(w);
	cli_time(w->changed_us, o->json, buf, len);
	return buf[0] ? buf : NULL;
}

static const char *g_timings(const void *row, const struct cli_out *o, char *buf, size_t len)
{
	ROW(w);
	return w->timings[0] ? w->timings : NULL;
}

static const char *g_failed_event(const void *row, const struct cli_out *o, char *buf, size_t len)
{
	ROW(w);
	return w->failed_event[0] ? w->failed_event : NULL;
}

static const char *g_retryable(const void *row, const struct cli_out *o, char *buf, size_t len)
{
	ROW(w);
	return cli_out_bool(o, w->failed_retryable);
}

static const char *g_reason(const void *row, const struct cli_out *o, char *buf, size_t len)
{
	ROW(w);
	return w->failed_why[0] ? w->failed_why : NULL;
}

static const char *g_failed_at(const void *row, const struct cli_out *o, char *buf, size_t len)
{
	ROW(w);
	cli_time(w->failed_us, o->json, buf, len);
	return buf[0] ? buf : NULL;
}

static const char *g_command(const void *row, const struct cli_out *o, char *buf, size_t len)
{
	ROW(w);
	return w->command[0] ? w->command : NULL;
}

static const char *g_last_failure(const void *row, const struct cli_out *o, char *buf, size_t len)
{
	char at[64];

	ROW(w);
	if (!w->failed_event[0])
		return NULL;
	cli_time(w->failed_us, false, at, sizeof(at));
	snprintf(buf, len, "%s at %s: %s", at, w->failed_event, w->failed_why);
	return buf;
}

#undef ROW

enum { T = CLI_COL_TABLE, J = CLI_COL_JSON };

static const struct cli_col cols[] = {
	{ "NAME", "the writer's name", 0.2, 0, SCOLS_JSON_STRING, T | J, g_name },
	{ "TYPE", "exec, coprocess or hook", 9, 0, SCOLS_JSON_STRING, T | J, g_type },
	{ "ENABLED", "whether it takes part", 3, 0, SCOLS_JSON_BOOLEAN, J, g_enabled },
	{ "STATE", "its last state (stable, frozen, failed, ...)", 10, 0, SCOLS_JSON_STRING, T | J,
	  g_state },
	{ "EVENT", "the last event it was told", 8, 0, SCOLS_JSON_STRING, T | J, g_event },
	{ "SET", "the set of that event, its first 8 characters (all of it in JSON)", 8, 0,
	  SCOLS_JSON_STRING, T | J, g_set },
	{ "CHANGED", "when its state last changed", 19, 0, SCOLS_JSON_STRING, J, g_changed },
	{ "TIMINGS", "how long each event took it", 0.3, SCOLS_FL_TRUNC, SCOLS_JSON_STRING, T | J,
	  g_timings },
	{ "FAILED-EVENT", "the event of its last failure", 8, 0, SCOLS_JSON_STRING, J,
	  g_failed_event },
	{ "FAILED-RETRYABLE", "whether that failure may pass on a retry", 3, 0,
	  SCOLS_JSON_BOOLEAN, J, g_retryable },
	{ "FAILED-REASON", "why it failed", 0.3, 0, SCOLS_JSON_STRING, J, g_reason },
	{ "FAILED-AT", "when it failed", 19, 0, SCOLS_JSON_STRING, J, g_failed_at },
	{ "COMMAND", "the program it runs", 0.2, 0, SCOLS_JSON_STRING, J, g_command },
	{ "LAST-FAILURE", "its last failure: when, at which event, why", 0.4, SCOLS_FL_WRAP,
	  SCOLS_JSON_STRING, T, g_last_failure },
	{ NULL, NULL, 0, 0, 0, 0, NULL },
};

const struct cli_listing cli_writers_listing = { "writers", cols, NULL };

int cli_print_writers(const struct vss_writer_status *ws, size_t n, const struct cli_out *o)
{
	return cli_output_print(&cli_writers_listing, o, ws, n, sizeof(*ws));
}
