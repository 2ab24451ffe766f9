/* list sets [--json] and show SET [--json] */
#include "config.h"
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int cmd_list_sets(struct session *s, int argc, char **argv)
{
	struct vss_set *sets;
	const char **keep = NULL;
	bool json = false;
	size_t n;
	int i, r;

	if ((i = cli_getopt(s, argc, argv, cli_on_json, &json)) < 0)
		return VSS_EXIT_USAGE;
	if (i < argc)
		return cli_usage(s, "unexpected argument '%s'", argv[i]);
	if ((r = cli_open(s)))
		return r;
	if (vss_set_list(s->ctx, &sets, &n))
		return cli_engine_error(s);
	/* What the next prune would do, when retention is configured. */
	if (vss_retention_given(&s->cfg.retention) && (keep = calloc(n + 1, sizeof(*keep)))) {
		struct timespec now;

		clock_gettime(CLOCK_REALTIME, &now);
		vss_retention_apply(sets, n, &s->cfg.retention,
				    (long long)now.tv_sec * 1000000 + now.tv_nsec / 1000, keep);
	}
	cli_print_sets(sets, n, json, keep);
	free(keep);
	vss_sets_free(sets, n);
	return VSS_EXIT_OK;
}

int cmd_show(struct session *s, int argc, char **argv)
{
	struct vss_set *sets;
	bool json = false;
	char id[37];
	size_t n;
	int i, r;

	if ((i = cli_getopt(s, argc, argv, cli_on_json, &json)) < 0)
		return VSS_EXIT_USAGE;
	if (i != argc - 1)
		return cli_usage(s, i == argc ? "no set given" : "one set at a time");
	if ((r = cli_open(s)))
		return r;
	if (vss_set_resolve(s->ctx, argv[i], id) || vss_set_list(s->ctx, &sets, &n))
		return cli_engine_error(s);
	r = -1;
	for (size_t k = 0; k < n; k++) {
		if (!strcmp(sets[k].id, id)) {
			cli_print_set(&sets[k], json);
			r = VSS_EXIT_OK;
		}
	}
	vss_sets_free(sets, n);
	/* Deleted between the two looks. */
	if (r < 0)
		r = cli_error(s, VSS_EXIT_FAILED, "%s: no such shadow copy set", argv[i]);
	return r;
}
