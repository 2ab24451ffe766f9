/* delete-set [-y] [-f] SET... | --oldest | --older-than AGE | -a */
#include "config.h"
#include "cmd.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct opts {
	bool yes, force, oldest, all, older;
	uint64_t age;
};

static int on_option(struct session *s, int c, const char *arg, void *data)
{
	struct opts *o = data;

	switch (c) {
	case 'y':
		o->yes = true;
		break;
	case 'f':
		o->force = true;
		break;
	case 'o':
		o->oldest = true;
		break;
	case 'a':
		o->all = true;
		break;
	case 't':
		switch (vss_age_parse(arg, &o->age)) {
		case 0:
			break;
		case -ERANGE:
			return cli_usage(s, "--older-than %s: more than a hundred years", arg);
		default:
			return cli_usage(s, "--older-than %s: not an age (90, 30m, 12h, 7d, 2w)", arg);
		}
		if (o->age == 0)
			return cli_usage(s, "--older-than %s: must be more than 0 (every set: --all)",
					 arg);
		o->older = true;
		break;
	}
	return 0;
}

/* Marks which of SETS the selectors or the operands choose. */
static int choose(struct session *s, const struct opts *o, int argc, char **argv,
		  const struct vss_set *sets, size_t n, bool *chosen)
{
	long long now = (long long)time(NULL) * 1000000;

	for (size_t k = 0; k < n; k++)
		chosen[k] = o->all || (o->oldest && k == 0) ||
			    (o->older && sets[k].created_us < now - (long long)o->age * 1000000);
	if (o->oldest && n == 0)
		return cli_error(s, VSS_EXIT_FAILED, "there is no shadow copy set");
	for (int i = 0; i < argc; i++) {
		char id[37];

		if (vss_set_resolve(s->ctx, argv[i], id))
			return cli_engine_error(s);
		for (size_t k = 0; k < n; k++)
			if (!strcmp(sets[k].id, id))
				chosen[k] = true;
	}
	return 0;
}

/* The person at the terminal says yes to the sets chosen, each named. */
static bool asked(const struct vss_set *sets, size_t n, const bool *chosen)
{
	size_t count = 0;
	char names[8 * 48] = "";

	for (size_t k = 0; k < n; k++) {
		size_t used = strlen(names);

		if (!chosen[k])
			continue;
		/* Labels cut short: every set chosen must find room. */
		if (count++ < 8)
			snprintf(names + used, sizeof(names) - used, "%s%.8s%s%.20s%s%s",
				 count > 1 ? ", " : "", sets[k].id, sets[k].label[0] ? " (" : "",
				 sets[k].label, strlen(sets[k].label) > 20 ? "..." : "",
				 sets[k].label[0] ? ")" : "");
	}
	/* Nothing chosen: nothing to lose. */
	if (!count)
		return true;
	return cli_confirm("Delete %zu shadow copy set%s: %s%s? Their shadows are lost.", count,
			   count == 1 ? "" : "s", names, count > 8 ? ", ..." : "");
}

int cmd_delete_set(struct session *s, int argc, char **argv)
{
	struct opts o = { 0 };
	struct vss_set *sets;
	bool *chosen;
	size_t n;
	int i, r, selectors;

	if ((i = cli_getopt(s, argc, argv, on_option, &o)) < 0)
		return VSS_EXIT_USAGE;
	selectors = o.oldest + o.all + o.older;
	if (selectors > 1 || (selectors && i < argc))
		return cli_usage(s, "give sets, or one of --oldest, --older-than, --all");
	if (!selectors && i == argc)
		return cli_usage(s, "no set given");
	if ((r = cli_open(s)))
		return r;
	if (vss_set_list(s->ctx, &sets, &n))
		return cli_engine_error(s);
	if (!(chosen = calloc(n + 1, sizeof(*chosen)))) {
		vss_sets_free(sets, n);
		return cli_error(s, VSS_EXIT_FAILED, "out of memory");
	}
	r = choose(s, &o, argc - i, argv + i, sets, n, chosen);
	/* All or nothing: an exposed set stops the lot before any goes. */
	for (size_t k = 0; !r && !o.force && k < n; k++)
		for (size_t j = 0; chosen[k] && j < sets[k].n && !r; j++)
			if (sets[k].shadows[j].mountpoint[0])
				r = cli_error(s, VSS_EXIT_FAILED,
					      "%.8s: exposed on %s; unexpose it first or use --force",
					      sets[k].id, sets[k].shadows[j].mountpoint);
	if (!r && !o.yes && cli_can_ask() && !asked(sets, n, chosen))
		r = cli_error(s, VSS_EXIT_FAILED, "not confirmed; nothing changed");
	for (size_t k = 0; !r && k < n; k++) {
		if (chosen[k] && vss_set_delete(s->ctx, sets[k].id, o.force))
			r = cli_engine_error(s);
		else if (chosen[k])
			cli_forget_set(s, sets[k].id);
	}
	free(chosen);
	vss_sets_free(sets, n);
	return r;
}
