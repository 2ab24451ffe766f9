/* list volumes [--json] [VOLUME...] */
#include "config.h"
#include "cli.h"

#include <getopt.h>
#include <inttypes.h>
#include <libsmartcols.h>
#include <stdio.h>
#include <stdlib.h>

enum { COL_NAME, COL_DEVICE, COL_SIZE, COL_FSTYPE, COL_UUID, COL_MOUNTPOINT,
       COL_MANAGED, COL_BACKING, COL_ACTIVE };

static const struct {
	const char *name;
	double width;
	int flags;
	int json;
	bool json_only;
} columns[] = {
	[COL_NAME] = { "NAME", 0.1, 0, SCOLS_JSON_STRING, false },
	[COL_DEVICE] = { "DEVICE", 0.1, 0, SCOLS_JSON_STRING, false },
	[COL_SIZE] = { "SIZE", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, false },
	[COL_FSTYPE] = { "FSTYPE", 0.1, 0, SCOLS_JSON_STRING, false },
	[COL_UUID] = { "UUID", 36, 0, SCOLS_JSON_STRING, false },
	[COL_MOUNTPOINT] = { "MOUNTPOINT", 0.1, 0, SCOLS_JSON_STRING, false },
	[COL_MANAGED] = { "MANAGED", 1, 0, SCOLS_JSON_BOOLEAN, false },
	[COL_BACKING] = { "BACKING", 0.1, 0, SCOLS_JSON_STRING, false },
	[COL_ACTIVE] = { "ACTIVE", 1, 0, SCOLS_JSON_BOOLEAN, true },
};

static int on_option(struct session *s, int c, const char *arg, void *data)
{
	(void)s, (void)arg;
	if (c == 'j')
		*(bool *)data = true;
	return 0;
}

static void add_row(struct libscols_table *tb, const struct vss_volume *v, bool json)
{
	struct libscols_line *ln = scols_table_new_line(tb, NULL);
	char size[32];

	if (!ln)
		return;
	if (json)
		snprintf(size, sizeof(size), "%" PRIu64, v->size);
	else
		vss_size_format(v->size, size, sizeof(size));
	scols_line_set_data(ln, COL_NAME, v->name);
	scols_line_set_data(ln, COL_DEVICE, v->path);
	scols_line_set_data(ln, COL_SIZE, size);
	scols_line_set_data(ln, COL_FSTYPE, v->fstype);
	scols_line_set_data(ln, COL_UUID, v->fsuuid);
	scols_line_set_data(ln, COL_MOUNTPOINT, v->mountpoint);
	if (json) {
		scols_line_set_data(ln, COL_MANAGED, v->managed ? "1" : "0");
		scols_line_set_data(ln, COL_ACTIVE, v->active ? "1" : "0");
	} else {
		/* A managed volume whose device is not there says so. */
		scols_line_set_data(ln, COL_MANAGED,
				    v->managed ? (v->active ? "yes" : "yes, inactive") : "no");
	}
	scols_line_set_data(ln, COL_BACKING, v->backing);
}

static int print(const struct vss_volume *vols, size_t n, bool json)
{
	struct libscols_table *tb = scols_new_table();

	if (!tb)
		return VSS_EXIT_FAILED;
	scols_table_enable_json(tb, json);
	scols_table_set_name(tb, "volumes");
	for (size_t i = 0; i < sizeof(columns) / sizeof(columns[0]); i++) {
		struct libscols_column *cl;

		cl = scols_table_new_column(tb, columns[i].name, columns[i].width, columns[i].flags);
		if (!cl)
			break;
		scols_column_set_json_type(cl, columns[i].json);
		if (columns[i].json_only && !json)
			scols_column_set_flags(cl, columns[i].flags | SCOLS_FL_HIDDEN);
	}
	for (size_t i = 0; i < n; i++)
		add_row(tb, &vols[i], json);
	scols_print_table(tb);
	scols_unref_table(tb);
	return VSS_EXIT_OK;
}

int cmd_list_volumes(struct session *s, int argc, char **argv)
{
	struct vss_volume *vols = NULL;
	bool json = false;
	size_t n = 0;
	int i = cli_getopt(s, argc, argv, on_option, &json), r, code;

	if (i < 0)
		return VSS_EXIT_USAGE;
	if ((r = cli_open(s)))
		return r;
	if (i == argc) {
		if ((r = vss_volume_list(s->ctx, &vols, &n)))
			return cli_engine_error(s);
	} else {
		vols = calloc((size_t)(argc - i), sizeof(*vols));
		if (!vols)
			return cli_error(s, VSS_EXIT_FAILED, "out of memory");
		for (; i < argc; i++, n++) {
			if ((r = vss_volume_resolve(s->ctx, argv[i], &vols[n]))) {
				free(vols);
				return cli_engine_error(s);
			}
		}
	}
	code = print(vols, n, json);
	free(vols);
	return code;
}
