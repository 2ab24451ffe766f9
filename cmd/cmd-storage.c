/* storage add [-m SIZE] DEVICE|DIRECTORY, storage remove AREA,
 * storage list / list storage [-o COLUMNS] [-nrbJ] */
#include "config.h"
#include "cmd.h"

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

#define ROW(a) const struct vss_storage_area *a = row; (void)o, (void)buf, (void)len

static const char *g_area(const void *row, const struct cli_out *o, char *buf, size_t len)
{
	ROW(a);
	return a->path;
}

static const char *g_type(const void *row, const struct cli_out *o, char *buf, size_t len)
{
	ROW(a);
	return a->thin ? "thin-pool" : a->device ? "device" : "directory";
}

static const char *g_size(const void *row, const struct cli_out *o, char *buf, size_t len)
{
	ROW(a);
	uint64_t size = a->device ? (a->max && a->max < a->size ? a->max : a->size) : a->max;

	/* A directory without --max grows with its filesystem. */
	if (!size)
		return o->json ? NULL : "-";
	return cli_out_size(o, size, buf, len);
}

static const char *g_used(const void *row, const struct cli_out *o, char *buf, size_t len)
{
	ROW(a);
	return cli_out_size(o, a->used, buf, len);
}

static const char *g_free(const void *row, const struct cli_out *o, char *buf, size_t len)
{
	ROW(a);
	return cli_out_size(o, a->free, buf, len);
}

static const char *g_shadows(const void *row, const struct cli_out *o, char *buf, size_t len)
{
	ROW(a);
	snprintf(buf, len, "%u", a->shadows);
	return buf;
}

#undef ROW

static const struct cli_col cols[] = {
	{ "AREA", "the device or directory", 0.5, 0, SCOLS_JSON_STRING,
	  CLI_COL_TABLE | CLI_COL_JSON, g_area },
	{ "TYPE", "device, directory or thin-pool", 6, 0, SCOLS_JSON_STRING,
	  CLI_COL_TABLE | CLI_COL_JSON, g_type },
	{ "SIZE", "the space vss may use (--max), none for a directory without it", 6,
	  SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, CLI_COL_TABLE | CLI_COL_JSON, g_size },
	{ "USED", "the space shadows use", 6, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER,
	  CLI_COL_TABLE | CLI_COL_JSON, g_used },
	{ "FREE", "the space left", 6, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER,
	  CLI_COL_TABLE | CLI_COL_JSON, g_free },
	{ "SHADOWS", "how many shadows use it", 6, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER,
	  CLI_COL_TABLE | CLI_COL_JSON, g_shadows },
	{ NULL, NULL, 0, 0, 0, 0, NULL },
};

const struct cli_listing cli_storage_listing = { "storage", cols, NULL };

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
	struct vss_storage_area *areas;
	struct cli_out o = { 0 };
	size_t n;
	int i = cli_getopt(s, argc, argv, cli_on_output, &o), r;

	if (i < 0 || (r = cli_output_parse(s, &cli_storage_listing, &o)) < 0)
		return VSS_EXIT_USAGE;
	if (r)
		return VSS_EXIT_OK;
	if (i < argc)
		return cli_usage(s, "unexpected argument '%s'", argv[i]);
	if ((r = cli_open(s)))
		return r;
	if (vss_storage_list(s->ctx, &areas, &n))
		return cli_engine_error(s);
	r = cli_output_print(&cli_storage_listing, &o, areas, n, sizeof(*areas));
	/* The footer is for people: a script's rows stay rows. */
	if (!r && !o.json && !o.raw && !o.noheadings)
		policy_line(s, areas, n);
	free(areas);
	return r ? cli_error(s, VSS_EXIT_FAILED, "out of memory") : VSS_EXIT_OK;
}
