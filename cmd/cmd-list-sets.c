/* list sets, list shadows and show: the sets, one row each; their
 * shadows, one row each; one set for people. */
#include "config.h"
#include "cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The options, then -o against L: 0, or the exit code (0 after -o help
 * is returned as -1 with *CODE 0). */
static int options(struct session *s, int argc, char **argv, const struct cli_listing *l,
		   struct cli_out *o, int *first)
{
	int r;

	memset(o, 0, sizeof(*o));
	if ((*first = cli_getopt(s, argc, argv, cli_on_output, o)) < 0)
		return VSS_EXIT_USAGE;
	if ((r = cli_output_parse(s, l, o)) < 0)
		return VSS_EXIT_USAGE;
	return r ? -1 : 0;
}

/* Of SETS, only those named by ARGV[I..] (all when none is), in the order
 * named; KEEP (may be NULL) is kept in step: 0, or the exit code after
 * reporting (SETS then freed). */
static int pick(struct session *s, int argc, char **argv, int i, struct vss_set *sets, size_t *n,
		const char **keep)
{
	size_t kept = 0;

	if (i == argc)
		return 0;
	for (int k = i; k < argc; k++) {
		char id[37];

		if (vss_set_resolve(s->ctx, argv[k], id)) {
			vss_sets_free(sets, *n);
			return cli_engine_error(s);
		}
		/* Ids are unique, so a named set lands in one slot. */
		for (size_t j = kept; j < *n; j++) {
			if (strcmp(sets[j].id, id))
				continue;
			struct vss_set t = sets[kept];

			sets[kept] = sets[j];
			sets[j] = t;
			if (keep) {
				const char *why = keep[kept];

				keep[kept] = keep[j];
				keep[j] = why;
			}
			kept++;
			break;
		}
	}
	/* What was not named goes. */
	for (size_t j = kept; j < *n; j++)
		free(sets[j].shadows);
	*n = kept;
	return 0;
}

static int sets_named(struct session *s, int argc, char **argv, int i, struct vss_set **sets,
		      size_t *n)
{
	if (vss_set_list(s->ctx, sets, n))
		return cli_engine_error(s);
	return pick(s, argc, argv, i, *sets, n, NULL);
}

int cmd_list_sets(struct session *s, int argc, char **argv)
{
	struct vss_set *sets;
	const char **keep = NULL;
	struct cli_out o;
	size_t n;
	int i, r;

	if ((r = options(s, argc, argv, &cli_sets_listing, &o, &i)))
		return r < 0 ? VSS_EXIT_OK : r;
	if ((r = cli_open(s)))
		return r;
	if (vss_set_list(s->ctx, &sets, &n))
		return cli_engine_error(s);
	/* What the next prune would do, when retention is configured: judged
	 * over every set, as prune judges, whichever are shown. */
	if (vss_retention_given(&s->cfg.retention) && (keep = calloc(n + 1, sizeof(*keep)))) {
		struct timespec now;

		clock_gettime(CLOCK_REALTIME, &now);
		vss_retention_apply(sets, n, &s->cfg.retention,
				    (long long)now.tv_sec * 1000000 + now.tv_nsec / 1000, keep);
		cli_output_add(&cli_sets_listing, &o, "KEEP");
	}
	if ((r = pick(s, argc, argv, i, sets, &n, keep))) {
		free(keep);
		return r;
	}
	r = cli_print_sets(sets, n, &o, keep) ? cli_error(s, VSS_EXIT_FAILED, "out of memory") : 0;
	free(keep);
	vss_sets_free(sets, n);
	return r;
}

int cmd_list_shadows(struct session *s, int argc, char **argv)
{
	struct vss_set *sets;
	struct cli_out o;
	size_t n;
	int i, r;

	if ((r = options(s, argc, argv, &cli_shadows_listing, &o, &i)))
		return r < 0 ? VSS_EXIT_OK : r;
	if ((r = cli_open(s)) || (r = sets_named(s, argc, argv, i, &sets, &n)))
		return r;
	r = cli_print_shadows(&cli_shadows_listing, sets, n, &o)
		    ? cli_error(s, VSS_EXIT_FAILED, "out of memory") : 0;
	vss_sets_free(sets, n);
	return r;
}

int cmd_show(struct session *s, int argc, char **argv)
{
	struct vss_set *sets;
	struct cli_out o;
	size_t n;
	int i, r;

	if ((r = options(s, argc, argv, &cli_show_listing, &o, &i)))
		return r < 0 ? VSS_EXIT_OK : r;
	if (i != argc - 1)
		return cli_usage(s, i == argc ? "no set given" : "one set at a time");
	if ((r = cli_open(s)) || (r = sets_named(s, argc, argv, i, &sets, &n)))
		return r;
	/* Deleted between the two looks. */
	if (n == 0)
		r = cli_error(s, VSS_EXIT_FAILED, "%s: no such shadow copy set", argv[i]);
	else if (cli_print_set(&sets[0], &o))
		r = cli_error(s, VSS_EXIT_FAILED, "out of memory");
	vss_sets_free(sets, n);
	return r;
}
