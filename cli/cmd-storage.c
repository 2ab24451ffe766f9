/* storage add DEVICE|DIRECTORY [--max SIZE], storage remove AREA,
 * storage list / list storage [--json] */
#include "config.h"
#include "cli.h"

#include <getopt.h>
#include <inttypes.h>
#include <libsmartcols.h>
#include <stdio.h>
#include <stdlib.h>

static int on_max(struct session *s, int c, const char *arg, void *data)
{
	if (c == 'm' && vss_size_parse(arg, data))
		return cli_usage(s, "--max %s: not a size", arg);
	if (c == 'm' && !*(uint64_t *)data)
		return cli_usage(s, "--max %s: must be more than 0", arg);
	return 0;
}

int cmd_storage_add(struct session *s, int argc, char **argv)
{
	uint64_t max = 0;
	int i = cli_getopt(s, argc, argv, on_max, &max), r;

	if (i < 0)
		return VSS_EXIT_USAGE;
	if (i != argc - 1)
		return cli_usage(s, i == argc ? "no device or directory given" : "one area at a time");
	if ((r = cli_open(s)))
		return r;
	if (vss_storage_add(s->ctx, argv[i], max))
		return cli_engine_error(s);
	return VSS_EXIT_OK;
}

int cmd_storage_remove(struct session *s, int argc, char **argv)
{
	int i = cli_getopt(s, argc, argv, NULL, NULL), r;

	if (i < 0)
		return VSS_EXIT_USAGE;
	if (i != argc - 1)
		return cli_usage(s, i == argc ? "no storage area given" : "one area at a time");
	if ((r = cli_open(s)))
		return r;
	if (vss_storage_remove(s->ctx, argv[i]))
		return cli_engine_error(s);
	return VSS_EXIT_OK;
}

static void cell_size(struct libscols_line *ln, int col, uint64_t v, bool json, bool none)
{
	char buf[32];

	if (none) {
		scols_line_set_data(ln, col, json ? NULL : "-");
		return;
	}
	if (json)
		snprintf(buf, sizeof(buf), "%" PRIu64, v);
	else
		vss_size_format(v, buf, sizeof(buf));
	scols_line_set_data(ln, col, buf);
}

/* The policy that bounds what the table shows. */
static void policy_line(struct session *s, const struct vss_storage_area *areas, size_t n)
{
	const struct vss_policy *p = &s->cfg.policy;
	char max[16], used[16];
	uint64_t total = 0;

	for (size_t k = 0; k < n; k++)
		total += areas[k].thin ? 0 : areas[k].used;
	vss_size_format(total, used, sizeof(used));
	if (p->storage_max)
		vss_size_format(p->storage_max, max, sizeof(max));
	printf("\npolicy: storage_max %s (%s used), on_full %s, max_sets_per_volume %u%s\n",
	       p->storage_max ? max : "none", used, vss_on_full_name(p->on_full),
	       p->max_sets_per_volume, p->max_sets_per_volume ? "" : " (no limit)");
}

int cmd_list_storage(struct session *s, int argc, char **argv)
{
	static const char *const names[] = { "AREA", "TYPE", "SIZE", "USED", "FREE", "SHADOWS" };
	struct vss_storage_area *areas;
	struct libscols_table *tb;
	bool json = false;
	size_t n;
	int i = cli_getopt(s, argc, argv, cli_on_json, &json), r;

	if (i < 0)
		return VSS_EXIT_USAGE;
	if (i < argc)
		return cli_usage(s, "unexpected argument '%s'", argv[i]);
	if ((r = cli_open(s)))
		return r;
	if (vss_storage_list(s->ctx, &areas, &n))
		return cli_engine_error(s);
	if (!(tb = scols_new_table())) {
		free(areas);
		return cli_error(s, VSS_EXIT_FAILED, "out of memory");
	}
	scols_table_enable_json(tb, json);
	scols_table_set_name(tb, "storage");
	for (size_t c = 0; c < 6; c++) {
		struct libscols_column *cl = scols_table_new_column(tb, names[c], c ? 6 : 0.5,
								     c >= 2 ? SCOLS_FL_RIGHT : 0);

		if (cl)
			scols_column_set_json_type(cl, c >= 2 ? SCOLS_JSON_NUMBER : SCOLS_JSON_STRING);
	}
	for (size_t k = 0; k < n; k++) {
		struct libscols_line *ln = scols_table_new_line(tb, NULL);
		const struct vss_storage_area *a = &areas[k];
		uint64_t size = a->device ? (a->max && a->max < a->size ? a->max : a->size) : a->max;
		char buf[32];

		if (!ln)
			break;
		scols_line_set_data(ln, 0, a->path);
		scols_line_set_data(ln, 1, a->thin ? "thin-pool" : a->device ? "device" : "directory");
		cell_size(ln, 2, size, json, size == 0);
		cell_size(ln, 3, a->used, json, false);
		cell_size(ln, 4, a->free, json, false);
		snprintf(buf, sizeof(buf), "%u", a->shadows);
		scols_line_set_data(ln, 5, buf);
	}
	scols_print_table(tb);
	scols_unref_table(tb);
	if (!json)
		policy_line(s, areas, n);
	free(areas);
	return VSS_EXIT_OK;
}
