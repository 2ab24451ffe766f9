/* How sets look: the listing of sets (one row a set), the listing of
 * shadows (one row a shadow, with its set's id and label, as lvs rows
 * carry their VG's fields), and `show`'s page for people. */
#include "config.h"
#include "cmd.h"

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

struct set_row {
	const struct vss_set *set;
	const char *keep;  /* why retention keeps it; NULL: pruned */
	bool retention;    /* retention rules are configured */
};

struct shadow_row {
	const struct vss_set *set;
	const struct vss_shadow *sh;
};

/* ---- values of a set ---- */

/* A set's id: its first 8 characters are enough for people. */
static const char *set_id(const struct vss_set *s, const struct cli_out *o, char *buf, size_t len)
{
	snprintf(buf, len, "%.*s", o->json ? 36 : 8, s->id);
	return buf;
}

static const char *set_label(const struct vss_set *s, const struct cli_out *o)
{
	return s->label[0] ? s->label : o->json ? NULL : "-";
}

static const char *set_created(const struct vss_set *s, const struct cli_out *o, char *buf,
			       size_t len)
{
	/* JSON's is for programs: ISO 8601, UTC. */
	cli_time(s->created_us, o->json, buf, len);
	return buf;
}

#define ROW(r) const struct set_row *r = row; (void)o, (void)buf, (void)len

static const char *g_set(const void *row, const struct cli_out *o, char *buf, size_t len)
{
	ROW(r);
	return set_id(r->set, o, buf, len);
}

static const char *g_id(const void *row, const struct cli_out *o, char *buf, size_t len)
{
	ROW(r);
	return r->set->id;
}

static const char *g_label(const void *row, const struct cli_out *o, char *buf, size_t len)
{
	ROW(r);
	return set_label(r->set, o);
}

static const char *g_created(const void *row, const struct cli_out *o, char *buf, size_t len)
{
	ROW(r);
	return set_created(r->set, o, buf, len);
}

static const char *g_context(const void *row, const struct cli_out *o, char *buf, size_t len)
{
	ROW(r);
	return vss_context_name(r->set->context);
}

static const char *g_volumes(const void *row, const struct cli_out *o, char *buf, size_t len)
{
	size_t used = 0;

	ROW(r);
	buf[0] = '\0';
	/* An array in JSON: one a line. */
	for (size_t i = 0; i < r->set->n && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s",
					 i ? (o->json ? "\n" : ",") : "", r->set->shadows[i].volume);
	return buf;
}

static const char *g_shadows(const void *row, const struct cli_out *o, char *buf, size_t len)
{
	ROW(r);
	snprintf(buf, len, "%zu", r->set->n);
	return buf;
}

static const char *g_state(const void *row, const struct cli_out *o, char *buf, size_t len)
{
	ROW(r);
	return cli_set_state(r->set);
}

static const char *g_freeze(const void *row, const struct cli_out *o, char *buf, size_t len)
{
	ROW(r);
	snprintf(buf, len, "%" PRIu64, r->set->freeze_us);
	return buf;
}

static const char *g_cow_total(const void *row, const struct cli_out *o, char *buf, size_t len,
			       bool used_only)
{
	uint64_t sum = 0;

	ROW(r);
	for (size_t i = 0; i < r->set->n; i++)
		sum += used_only ? r->set->shadows[i].cow_used : r->set->shadows[i].cow_size;
	return cli_out_size(o, sum, buf, len);
}

static const char *g_cow_size_sum(const void *row, const struct cli_out *o, char *buf, size_t len)
{
	return g_cow_total(row, o, buf, len, false);
}

static const char *g_cow_used_sum(const void *row, const struct cli_out *o, char *buf, size_t len)
{
	return g_cow_total(row, o, buf, len, true);
}

static const char *g_keep(const void *row, const struct cli_out *o, char *buf, size_t len)
{
	ROW(r);
	if (!r->retention)
		return o->json ? NULL : "-";
	return r->keep ? r->keep : "prune";
}

#undef ROW

enum { T = CLI_COL_TABLE, J = CLI_COL_JSON };

static const struct cli_col set_cols[] = {
	{ "SET", "the set's id, its first 8 characters (all of it in JSON)", 8, 0,
	  SCOLS_JSON_STRING, T, g_set },
	{ "ID", "the set's id", 36, 0, SCOLS_JSON_STRING, J, g_id },
	{ "CREATED", "when it was made (local time; ISO 8601 UTC in JSON)", 19, 0,
	  SCOLS_JSON_STRING, T | J, g_created },
	{ "LABEL", "its label", 0.2, SCOLS_FL_TRUNC, SCOLS_JSON_STRING, T | J, g_label },
	{ "CONTEXT", "persistent or auto-release", 12, 0, SCOLS_JSON_STRING, T | J, g_context },
	{ "VOLUMES", "the volumes it holds (an array in JSON)", 0.3, SCOLS_FL_TRUNC,
	  SCOLS_JSON_ARRAY_STRING, T | J, g_volumes },
	{ "SHADOWS", "how many shadows it has", 3, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, 0,
	  g_shadows },
	{ "STATE", "its shadows' worst state (valid, invalid, missing, merging, revert-scheduled)",
	  7, 0, SCOLS_JSON_STRING, T | J, g_state },
	{ "FREEZE-US", "its freeze window, in microseconds", 8, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER,
	  J, g_freeze },
	{ "COW-SIZE", "COW space of its shadows together", 8, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, 0,
	  g_cow_size_sum },
	{ "COW-USED", "COW space its shadows use together", 8, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, 0,
	  g_cow_used_sum },
	{ "KEEP", "the retention rule that keeps it, or prune (shown when rules are configured)",
	  7, 0, SCOLS_JSON_STRING, 0, g_keep },
	{ NULL, NULL, 0, 0, 0, 0, NULL },
};

const struct cli_listing cli_sets_listing = { "sets", set_cols, NULL };

/* ---- values of a shadow ---- */

#define ROW(r) const struct shadow_row *r = row; (void)o, (void)buf, (void)len

static const char *h_set(const void *row, const struct cli_out *o, char *buf, size_t len)
{
	ROW(r);
	return set_id(r->set, o, buf, len);
}

static const char *h_label(const void *row, const struct cli_out *o, char *buf, size_t len)
{
	ROW(r);
	return set_label(r->set, o);
}

static const char *h_created(const void *row, const struct cli_out *o, char *buf, size_t len)
{
	ROW(r);
	return set_created(r->set, o, buf, len);
}

static const char *h_volume(const void *row, const struct cli_out *o, char *buf, size_t len)
{
	ROW(r);
	return r->sh->volume;
}

static const char *h_device(const void *row, const struct cli_out *o, char *buf, size_t len)
{
	ROW(r);
	return r->sh->device;
}

static const char *h_origin(const void *row, const struct cli_out *o, char *buf, size_t len)
{
	ROW(r);
	return r->sh->origin;
}

static const char *h_provider(const void *row, const struct cli_out *o, char *buf, size_t len)
{
	ROW(r);
	return r->sh->provider;
}

static const char *h_size(const void *row, const struct cli_out *o, char *buf, size_t len)
{
	ROW(r);
	return cli_out_size(o, r->sh->size, buf, len);
}

static const char *h_cow_size(const void *row, const struct cli_out *o, char *buf, size_t len)
{
	ROW(r);
	return cli_out_size(o, r->sh->cow_size, buf, len);
}

static const char *h_cow_used(const void *row, const struct cli_out *o, char *buf, size_t len)
{
	ROW(r);
	return cli_out_size(o, r->sh->cow_used, buf, len);
}

static const char *h_use(const void *row, const struct cli_out *o, char *buf, size_t len)
{
	ROW(r);
	/* An invalid or missing shadow's use means nothing. */
	if (r->sh->state != VSS_SHADOW_VALID || !r->sh->cow_size)
		return o->json ? NULL : "-";
	snprintf(buf, len, o->json ? "%.1f" : "%.1f%%",
		 100.0 * (double)r->sh->cow_used / (double)r->sh->cow_size);
	return buf;
}

static const char *h_area(const void *row, const struct cli_out *o, char *buf, size_t len)
{
	ROW(r);
	return r->sh->area[0] ? r->sh->area : NULL;
}

static const char *h_state(const void *row, const struct cli_out *o, char *buf, size_t len)
{
	ROW(r);
	return vss_shadow_state_name(r->sh->state);
}

static const char *h_why(const void *row, const struct cli_out *o, char *buf, size_t len)
{
	ROW(r);
	return r->sh->why[0] ? r->sh->why : NULL;
}

static const char *h_mountpoint(const void *row, const struct cli_out *o, char *buf, size_t len)
{
	ROW(r);
	return r->sh->mountpoint[0] ? r->sh->mountpoint : NULL;
}

#undef ROW

static const struct cli_col shadow_cols[] = {
	{ "SET", "its set's id, the first 8 characters (all of it in JSON)", 8, 0,
	  SCOLS_JSON_STRING, T | J, h_set },
	{ "LABEL", "its set's label", 0.1, SCOLS_FL_TRUNC, SCOLS_JSON_STRING, J, h_label },
	{ "CREATED", "its set's instant (local time; ISO 8601 UTC in JSON)", 19, 0,
	  SCOLS_JSON_STRING, 0, h_created },
	{ "VOLUME", "the volume it is a shadow of", 0.1, 0, SCOLS_JSON_STRING, T | J, h_volume },
	{ "DEVICE", "the shadow's device", 0.3, 0, SCOLS_JSON_STRING, T | J, h_device },
	{ "ORIGIN", "the volume's device", 0.2, 0, SCOLS_JSON_STRING, J, h_origin },
	{ "PROVIDER", "cow (dm-snapshot) or thin (dm-thin)", 5, 0, SCOLS_JSON_STRING, J,
	  h_provider },
	{ "SIZE", "the shadow's size", 6, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, J, h_size },
	{ "COW-SIZE", "its COW space (a thin shadow has none of its own)", 8, SCOLS_FL_RIGHT,
	  SCOLS_JSON_NUMBER, T | J, h_cow_size },
	{ "COW-USED", "the COW space it uses", 8, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, J,
	  h_cow_used },
	{ "USE%", "COW-USED as a percentage of COW-SIZE", 6, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, T,
	  h_use },
	{ "AREA", "the storage area holding its COW space", 0.2, 0, SCOLS_JSON_STRING, 0, h_area },
	{ "STATE", "valid, invalid, missing, merging or revert-scheduled", 7, 0,
	  SCOLS_JSON_STRING, T | J, h_state },
	{ "WHY", "for an invalid or missing shadow, the reason", 0.3, SCOLS_FL_TRUNC,
	  SCOLS_JSON_STRING, J, h_why },
	{ "MOUNTPOINT", "where it is exposed", 0.2, 0, SCOLS_JSON_STRING, T | J, h_mountpoint },
	{ NULL, NULL, 0, 0, 0, 0, NULL },
};

const struct cli_listing cli_shadows_listing = { "shadows", shadow_cols, NULL };
/* show's page already names the set. */
const struct cli_listing cli_show_listing = { "shadows", shadow_cols,
					      "VOLUME,DEVICE,COW-SIZE,USE%,STATE,MOUNTPOINT" };

int cli_print_sets(const struct vss_set *sets, size_t n, const struct cli_out *o,
		   const char *const *keep)
{
	struct set_row *rows = calloc(n ? n : 1, sizeof(*rows));
	int r;

	if (!rows)
		return -1;
	for (size_t i = 0; i < n; i++)
		rows[i] = (struct set_row){ &sets[i], keep ? keep[i] : NULL, keep != NULL };
	r = cli_output_print(&cli_sets_listing, o, rows, n, sizeof(*rows));
	free(rows);
	return r;
}

int cli_print_shadows(const struct cli_listing *l, const struct vss_set *sets, size_t n,
		      const struct cli_out *o)
{
	struct shadow_row *rows;
	size_t total = 0, k = 0;
	int r;

	for (size_t i = 0; i < n; i++)
		total += sets[i].n;
	if (!(rows = calloc(total ? total : 1, sizeof(*rows))))
		return -1;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < sets[i].n; j++)
			rows[k++] = (struct shadow_row){ &sets[i], &sets[i].shadows[j] };
	r = cli_output_print(l, o, rows, total, sizeof(*rows));
	free(rows);
	return r;
}

int cli_print_set(const struct vss_set *s, const struct cli_out *o)
{
	char buf[64];
	time_t t = (time_t)(s->created_us / 1000000);
	struct tm tm;

	/* Programs get the shadows' rows, each with its set's id. */
	if (o->json || o->raw || o->noheadings)
		return cli_print_shadows(&cli_show_listing, s, 1, o);
	localtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S %Z", &tm);
	printf("Set:           %s\n", s->id);
	printf("Label:         %s\n", s->label[0] ? s->label : "-");
	printf("Context:       %s\n", vss_context_name(s->context));
	printf("Created:       %s\n", buf);
	printf("Freeze window: %.1f ms\n", s->freeze_us / 1000.0);
	return cli_print_shadows(&cli_show_listing, s, 1, o);
}
