/* How sets look: the human `list sets` and `show`, and the JSON tree (sets
 * with their shadows as children, lsblk-style) that all three share. */
#include "config.h"
#include "cli.h"

#include <inttypes.h>
#include <libsmartcols.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

const char *cli_set_state(const struct vss_set *set)
{
	/* The one that needs looking at most, first. */
	static const enum vss_shadow_state order[] = {
		VSS_SHADOW_INVALID, VSS_SHADOW_MISSING, VSS_SHADOW_MERGING,
		VSS_SHADOW_REVERT_SCHEDULED,
	};

	for (size_t k = 0; k < sizeof(order) / sizeof(order[0]); k++)
		for (size_t i = 0; i < set->n; i++)
			if (set->shadows[i].state == order[k])
				return vss_shadow_state_name(order[k]);
	return vss_shadow_state_name(VSS_SHADOW_VALID);
}

static void set_num(struct libscols_line *ln, int col, uint64_t v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	scols_line_set_data(ln, col, buf);
}

enum { J_ID, J_LABEL, J_CREATED, J_CONTEXT, J_FREEZE, J_STATE, J_VOLUME, J_DEVICE, J_ORIGIN,
       J_SIZE, J_COWSIZE, J_COWUSED, J_MOUNTPOINT, J_KEEP };

static void json(const struct vss_set *sets, size_t n, const char *const *keep)
{
	struct libscols_table *tb = cli_table_new("sets", true);
	char buf[64];

	if (!tb)
		return;
	cli_column(tb, "ID", 36, SCOLS_FL_TREE, SCOLS_JSON_STRING);
	cli_column(tb, "LABEL", 0.1, 0, SCOLS_JSON_STRING);
	cli_column(tb, "CREATED", 20, 0, SCOLS_JSON_STRING);
	cli_column(tb, "CONTEXT", 12, 0, SCOLS_JSON_STRING);
	cli_column(tb, "FREEZE-US", 8, 0, SCOLS_JSON_NUMBER);
	cli_column(tb, "STATE", 8, 0, SCOLS_JSON_STRING);
	cli_column(tb, "VOLUME", 0.1, 0, SCOLS_JSON_STRING);
	cli_column(tb, "DEVICE", 0.1, 0, SCOLS_JSON_STRING);
	cli_column(tb, "ORIGIN", 0.1, 0, SCOLS_JSON_STRING);
	cli_column(tb, "SIZE", 8, 0, SCOLS_JSON_NUMBER);
	cli_column(tb, "COW-SIZE", 8, 0, SCOLS_JSON_NUMBER);
	cli_column(tb, "COW-USED", 8, 0, SCOLS_JSON_NUMBER);
	cli_column(tb, "MOUNTPOINT", 0.1, 0, SCOLS_JSON_STRING);
	if (keep)
		cli_column(tb, "KEEP", 8, 0, SCOLS_JSON_STRING);
	for (size_t i = 0; i < n; i++) {
		const struct vss_set *s = &sets[i];
		struct libscols_line *ln = scols_table_new_line(tb, NULL);

		if (!ln)
			break;
		scols_line_set_data(ln, J_ID, s->id);
		scols_line_set_data(ln, J_LABEL, s->label[0] ? s->label : NULL);
		cli_time(s->created_us, true, buf, sizeof(buf));
		scols_line_set_data(ln, J_CREATED, buf);
		scols_line_set_data(ln, J_CONTEXT, vss_context_name(s->context));
		set_num(ln, J_FREEZE, s->freeze_us);
		scols_line_set_data(ln, J_STATE, cli_set_state(s));
		if (keep)
			scols_line_set_data(ln, J_KEEP, keep[i] ? keep[i] : "prune");
		for (size_t j = 0; j < s->n; j++) {
			const struct vss_shadow *d = &s->shadows[j];
			struct libscols_line *c = scols_table_new_line(tb, ln);

			if (!c)
				break;
			scols_line_set_data(c, J_VOLUME, d->volume);
			scols_line_set_data(c, J_DEVICE, d->device);
			scols_line_set_data(c, J_ORIGIN, d->origin);
			set_num(c, J_SIZE, d->size);
			set_num(c, J_COWSIZE, d->cow_size);
			set_num(c, J_COWUSED, d->cow_used);
			scols_line_set_data(c, J_STATE, vss_shadow_state_name(d->state));
			scols_line_set_data(c, J_MOUNTPOINT, d->mountpoint[0] ? d->mountpoint : NULL);
		}
	}
	scols_print_table(tb);
	scols_unref_table(tb);
}

static void volumes_of(const struct vss_set *s, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < s->n && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? "," : "", s->shadows[i].volume);
}

void cli_print_sets(const struct vss_set *sets, size_t n, bool as_json, const char *const *keep)
{
	struct libscols_table *tb;
	char buf[64], vols[1024];

	if (as_json) {
		json(sets, n, keep);
		return;
	}
	if (!(tb = cli_table_new("sets", false)))
		return;
	cli_column(tb, "SET", 8, 0, SCOLS_JSON_STRING);
	cli_column(tb, "CREATED", 19, 0, SCOLS_JSON_STRING);
	cli_column(tb, "LABEL", 0.2, SCOLS_FL_TRUNC, SCOLS_JSON_STRING);
	cli_column(tb, "CONTEXT", 12, 0, SCOLS_JSON_STRING);
	cli_column(tb, "VOLUMES", 0.3, SCOLS_FL_TRUNC, SCOLS_JSON_STRING);
	cli_column(tb, "STATE", 7, 0, SCOLS_JSON_STRING);
	if (keep)
		cli_column(tb, "KEEP", 7, 0, SCOLS_JSON_STRING);
	for (size_t i = 0; i < n; i++) {
		struct libscols_line *ln = scols_table_new_line(tb, NULL);

		if (!ln)
			break;
		snprintf(buf, sizeof(buf), "%.8s", sets[i].id);
		scols_line_set_data(ln, 0, buf);
		cli_time(sets[i].created_us, false, buf, sizeof(buf));
		scols_line_set_data(ln, 1, buf);
		scols_line_set_data(ln, 2, sets[i].label[0] ? sets[i].label : "-");
		scols_line_set_data(ln, 3, vss_context_name(sets[i].context));
		volumes_of(&sets[i], vols, sizeof(vols));
		scols_line_set_data(ln, 4, vols);
		scols_line_set_data(ln, 5, cli_set_state(&sets[i]));
		if (keep)
			scols_line_set_data(ln, 6, keep[i] ? keep[i] : "prune");
	}
	scols_print_table(tb);
	scols_unref_table(tb);
}

void cli_print_set(const struct vss_set *s, bool as_json)
{
	struct libscols_table *tb;
	char buf[64];

	if (as_json) {
		json(s, 1, NULL);
		return;
	}
	{
		time_t t = (time_t)(s->created_us / 1000000);
		struct tm tm;

		localtime_r(&t, &tm);
		strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S %Z", &tm);
	}
	printf("Set:           %s\n", s->id);
	printf("Label:         %s\n", s->label[0] ? s->label : "-");
	printf("Context:       %s\n", vss_context_name(s->context));
	printf("Created:       %s\n", buf);
	printf("Freeze window: %.1f ms\n", s->freeze_us / 1000.0);
	if (!(tb = cli_table_new("shadows", false)))
		return;
	cli_column(tb, "VOLUME", 0.1, 0, SCOLS_JSON_STRING);
	cli_column(tb, "DEVICE", 0.3, 0, SCOLS_JSON_STRING);
	cli_column(tb, "COW-SIZE", 8, SCOLS_FL_RIGHT, SCOLS_JSON_STRING);
	cli_column(tb, "COW-USED", 8, SCOLS_FL_RIGHT, SCOLS_JSON_STRING);
	cli_column(tb, "STATE", 7, 0, SCOLS_JSON_STRING);
	cli_column(tb, "MOUNTPOINT", 0.2, 0, SCOLS_JSON_STRING);
	for (size_t i = 0; i < s->n; i++) {
		const struct vss_shadow *d = &s->shadows[i];
		struct libscols_line *ln = scols_table_new_line(tb, NULL);

		if (!ln)
			break;
		scols_line_set_data(ln, 0, d->volume);
		scols_line_set_data(ln, 1, d->device);
		vss_size_format(d->cow_size, buf, sizeof(buf));
		scols_line_set_data(ln, 2, buf);
		if (d->state == VSS_SHADOW_VALID && d->cow_size)
			snprintf(buf, sizeof(buf), "%.1f%%", 100.0 * (double)d->cow_used / (double)d->cow_size);
		else
			snprintf(buf, sizeof(buf), "-");
		scols_line_set_data(ln, 3, buf);
		scols_line_set_data(ln, 4, vss_shadow_state_name(d->state));
		scols_line_set_data(ln, 5, d->mountpoint);
	}
	scols_print_table(tb);
	scols_unref_table(tb);
}
