/* How writers look: the table of `list writers` and `writer verify`, and
 * their JSON. */
#include "config.h"
#include "cli.h"

#include <libsmartcols.h>
#include <stdio.h>
#include <time.h>

enum { C_NAME, C_TYPE, C_ENABLED, C_STATE, C_EVENT, C_SET, C_CHANGED, C_TIMINGS, C_FAILED_EVENT,
       C_FAILED_RETRYABLE, C_FAILED_REASON, C_FAILED_AT, C_COMMAND };

void cli_print_writers(const struct vss_writer_status *ws, size_t n, bool json)
{
	struct libscols_table *tb = cli_table_new("writers", json);
	char buf[64];

	if (!tb)
		return;
	cli_column(tb, "NAME", 0.2, 0, SCOLS_JSON_STRING);
	cli_column(tb, "TYPE", 9, 0, SCOLS_JSON_STRING);
	cli_column(tb, "ENABLED", 3, json ? 0 : SCOLS_FL_HIDDEN, SCOLS_JSON_BOOLEAN);
	cli_column(tb, "STATE", 10, 0, SCOLS_JSON_STRING);
	cli_column(tb, "EVENT", 8, 0, SCOLS_JSON_STRING);
	cli_column(tb, "SET", 8, 0, SCOLS_JSON_STRING);
	cli_column(tb, "CHANGED", 19, json ? 0 : SCOLS_FL_HIDDEN, SCOLS_JSON_STRING);
	cli_column(tb, "TIMINGS", 0.3, json ? 0 : SCOLS_FL_TRUNC, SCOLS_JSON_STRING);
	cli_column(tb, "FAILED-EVENT", 8, json ? 0 : SCOLS_FL_HIDDEN, SCOLS_JSON_STRING);
	cli_column(tb, "FAILED-RETRYABLE", 3, json ? 0 : SCOLS_FL_HIDDEN, SCOLS_JSON_BOOLEAN);
	cli_column(tb, "FAILED-REASON", 0.3, json ? 0 : SCOLS_FL_HIDDEN, SCOLS_JSON_STRING);
	cli_column(tb, "FAILED-AT", 19, json ? 0 : SCOLS_FL_HIDDEN, SCOLS_JSON_STRING);
	cli_column(tb, "COMMAND", 0.2, json ? 0 : SCOLS_FL_HIDDEN, SCOLS_JSON_STRING);
	if (!json)
		cli_column(tb, "LAST-FAILURE", 0.4, SCOLS_FL_WRAP, SCOLS_JSON_STRING);
	for (size_t i = 0; i < n; i++) {
		const struct vss_writer_status *w = &ws[i];
		struct libscols_line *ln = scols_table_new_line(tb, NULL);

		if (!ln)
			break;
		scols_line_set_data(ln, C_NAME, w->name);
		scols_line_set_data(ln, C_TYPE, w->hook ? "hook" : vss_writer_type_name(w->type));
		/* libsmartcols reads any string but 0... or n... as true. */
		scols_line_set_data(ln, C_ENABLED, w->enabled ? "1" : "0");
		scols_line_set_data(ln, C_STATE, vss_writer_state_name(w->state));
		scols_line_set_data(ln, C_EVENT, w->event);
		snprintf(buf, sizeof(buf), "%.*s", json ? 36 : 8, w->set);
		scols_line_set_data(ln, C_SET, buf);
		cli_time(w->changed_us, json, buf, sizeof(buf));
		scols_line_set_data(ln, C_CHANGED, buf);
		scols_line_set_data(ln, C_TIMINGS, w->timings);
		scols_line_set_data(ln, C_FAILED_EVENT, w->failed_event);
		scols_line_set_data(ln, C_FAILED_RETRYABLE, w->failed_retryable ? "1" : "0");
		scols_line_set_data(ln, C_FAILED_REASON, w->failed_why);
		cli_time(w->failed_us, json, buf, sizeof(buf));
		scols_line_set_data(ln, C_FAILED_AT, buf);
		scols_line_set_data(ln, C_COMMAND, w->command);
		if (!json && w->failed_event[0]) {
			char text[700];

			cli_time(w->failed_us, false, buf, sizeof(buf));
			snprintf(text, sizeof(text), "%s at %s: %s", buf, w->failed_event, w->failed_why);
			scols_line_set_data(ln, C_COMMAND + 1, text);
		}
		if (!json && !w->enabled)
			scols_line_set_data(ln, C_STATE, "disabled");
	}
	scols_print_table(tb);
	scols_unref_table(tb);
}
