/* list volumes [-o COLUMNS] [-nrbJ] [VOLUME...] */
#include "config.h"
#include "cmd.h"

#include <libsmartcols.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ROW(v) const struct vss_volume *v = row; (void)o, (void)buf, (void)len

static const char *g_name(const void *row, const struct cli_out *o, char *buf, size_t len)
{
	ROW(v);
	return v->name;
}

static const char *g_device(const void *row, const struct cli_out *o, char *buf, size_t len)
{
	ROW(v);
	return v->path;
}

static const char *g_majmin(const void *row, const struct cli_out *o, char *buf, size_t len)
{
	ROW(v);
	if (!v->active)
		return NULL;
	snprintf(buf, len, "%u:%u", v->major, v->minor);
	return buf;
}

static const char *g_size(const void *row, const struct cli_out *o, char *buf, size_t len)
{
	ROW(v);
	return cli_out_size(o, v->size, buf, len);
}

static const char *g_fstype(const void *row, const struct cli_out *o, char *buf, size_t len)
{
	ROW(v);
	return v->fstype[0] ? v->fstype : NULL;
}

static const char *g_uuid(const void *row, const struct cli_out *o, char *buf, size_t len)
{
	ROW(v);
	return v->fsuuid[0] ? v->fsuuid : NULL;
}

static const char *g_mountpoint(const void *row, const struct cli_out *o, char *buf, size_t len)
{
	ROW(v);
	return v->mountpoint[0] ? v->mountpoint : NULL;
}

static const char *g_managed(const void *row, const struct cli_out *o, char *buf, size_t len)
{
	ROW(v);
	/* A managed volume whose device is not there says so, to people. */
	if (!o->json && v->managed && !v->active)
		return "yes, inactive";
	return cli_out_bool(o, v->managed);
}

static const char *g_active(const void *row, const struct cli_out *o, char *buf, size_t len)
{
	ROW(v);
	return cli_out_bool(o, v->active);
}

static const char *g_backing(const void *row, const struct cli_out *o, char *buf, size_t len)
{
	ROW(v);
	return v->backing[0] ? v->backing : NULL;
}

static const char *g_dm_uuid(const void *row, const struct cli_out *o, char *buf, size_t len)
{
	ROW(v);
	return v->dm_uuid[0] ? v->dm_uuid : NULL;
}

#undef ROW

enum { T = CLI_COL_TABLE, J = CLI_COL_JSON };

static const struct cli_col cols[] = {
	{ "NAME", "the device-mapper name", 0.1, 0, SCOLS_JSON_STRING, T | J, g_name },
	{ "DEVICE", "its device node", 0.1, 0, SCOLS_JSON_STRING, T | J, g_device },
	{ "MAJ:MIN", "its device number", 6, 0, SCOLS_JSON_STRING, 0, g_majmin },
	{ "SIZE", "its size", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, T | J, g_size },
	{ "FSTYPE", "the filesystem on it", 0.1, 0, SCOLS_JSON_STRING, T | J, g_fstype },
	{ "UUID", "the filesystem's UUID", 36, 0, SCOLS_JSON_STRING, T | J, g_uuid },
	{ "MOUNTPOINT", "where it is mounted", 0.1, 0, SCOLS_JSON_STRING, T | J, g_mountpoint },
	{ "MANAGED", "imported by vss (volume import)", 3, 0, SCOLS_JSON_BOOLEAN, T | J,
	  g_managed },
	{ "BACKING", "for a managed volume, the device it wraps", 0.1, 0, SCOLS_JSON_STRING, T | J,
	  g_backing },
	{ "ACTIVE", "its device exists (a managed volume is inactive until activate)", 3, 0,
	  SCOLS_JSON_BOOLEAN, J, g_active },
	{ "DM-UUID", "the device-mapper uuid", 0.2, 0, SCOLS_JSON_STRING, 0, g_dm_uuid },
	{ NULL, NULL, 0, 0, 0, 0, NULL },
};

const struct cli_listing cli_volumes_listing = { "volumes", cols, NULL };

int cmd_list_volumes(struct session *s, int argc, char **argv)
{
	struct vss_volume *vols = NULL;
	struct cli_out o = { 0 };
	size_t n = 0;
	int i = cli_getopt(s, argc, argv, cli_on_output, &o), r;

	if (i < 0 || (r = cli_output_parse(s, &cli_volumes_listing, &o)) < 0)
		return VSS_EXIT_USAGE;
	if (r)
		return VSS_EXIT_OK;
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
	r = cli_output_print(&cli_volumes_listing, &o, vols, n, sizeof(*vols));
	free(vols);
	return r ? cli_error(s, VSS_EXIT_FAILED, "out of memory") : VSS_EXIT_OK;
}
