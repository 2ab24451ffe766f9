/* prune [-y] [-n] [--keep-last N] [--keep-within AGE] [--keep-hourly N] ... [-J] */
#include "config.h"
#include "cmd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct opts {
	bool yes, dry_run, json, given;
	struct vss_retention keep;
};

static int number(struct session *s, const char *opt, const char *arg, unsigned *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (!*arg || *arg == '-' || *arg == '+' || *end || errno || v > 100000)
		return cli_usage(s, "--%s %s: not a number from 0 to 100000", opt, arg);
	*out = (unsigned)v;
	return 0;
}

static int on_option(struct session *s, int c, const char *arg, void *data)
{
	struct opts *o = data;

	switch (c) {
	case 'y':
		o->yes = true;
		return 0;
	case 'n':
		o->dry_run = true;
		return 0;
	case 'j':
		o->json = true;
		return 0;
	case 'w':
		o->given = true;
		if (vss_age_parse(arg, &o->keep.within_s))
			return cli_usage(s, "--keep-within %s: not an age (90m, 36h, 14d, 8w)", arg);
		return 0;
	}
	o->given = true;
	switch (c) {
	case 'l':
		return number(s, "keep-last", arg, &o->keep.last);
	case 'H':
		return number(s, "keep-hourly", arg, &o->keep.hourly);
	case 'd':
		return number(s, "keep-daily", arg, &o->keep.daily);
	case 'W':
		return number(s, "keep-weekly", arg, &o->keep.weekly);
	default:
		return number(s, "keep-monthly", arg, &o->keep.monthly);
	}
}

/* What prune says of the sets GONE (deleted, or that would be). */
static void report(struct session *s, const struct opts *o, const struct vss_set *gone, size_t n)
{
	if (o->json) {
		struct cli_out out = { .json = true };

		cli_output_parse(s, &cli_sets_listing, &out);
		cli_print_sets(gone, n, &out, NULL);
		return;
	}
	for (size_t k = 0; o->dry_run && k < n; k++)
		printf("would delete %s\n", gone[k].id);
	if (!n && !s->quiet)
		printf("nothing to prune: the retention rules keep every set\n");
}

/* On a terminal: the sets that would go are named, a yes asked for, and
 * then exactly those are deleted (not what a second look would choose: a
 * set made or aged meanwhile was not asked about). The exit code. */
static int ask_and_delete(struct session *s, const struct opts *o)
{
	struct vss_set *gone;
	char names[300] = "";
	bool quiet = s->quiet;
	size_t n, done = 0;
	int r;

	s->quiet = true;
	r = vss_prune(s->ctx, &o->keep, true, &gone, &n);
	s->quiet = quiet;
	if (r)
		return cli_engine_error(s);
	for (size_t k = 0; k < n && k < 8; k++)
		snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%.8s",
			 k ? ", " : "", gone[k].id);
	if (n && !cli_confirm("Delete %zu shadow copy set%s that the retention rules do not keep: "
			      "%s%s? Their shadows are lost.", n, n == 1 ? "" : "s", names,
			      n > 8 ? ", ..." : "")) {
		vss_sets_free(gone, n);
		return cli_error(s, VSS_EXIT_FAILED, "not confirmed; nothing changed");
	}
	s->quiet |= o->json;
	for (; done < n && !r; done++) {
		if ((r = vss_set_delete(s->ctx, gone[done].id, false)))
			break;
		cli_forget_set(s, gone[done].id);
	}
	s->quiet = quiet;
	report(s, o, gone, done);
	vss_sets_free(gone, n);
	return r ? cli_engine_error(s) : VSS_EXIT_OK;
}

int cmd_prune(struct session *s, int argc, char **argv)
{
	struct opts o = { 0 };
	struct vss_set *gone;
	bool quiet = s->quiet;
	size_t n;
	int i, r;

	if ((i = cli_getopt(s, argc, argv, on_option, &o)) < 0)
		return VSS_EXIT_USAGE;
	if (i < argc)
		return cli_usage(s, "unexpected argument '%s'", argv[i]);
	if ((r = cli_open(s)))
		return r;
	/* Options say the whole rule, or the configuration does. */
	if (!o.given)
		o.keep = s->cfg.retention;
	/* Nothing asked is nothing to do: the shipped timer, enabled before
	 * any rule is written, must not fail every hour. */
	if (!vss_retention_given(&o.keep)) {
		if (o.json)
			report(s, &o, NULL, 0);
		else if (!s->quiet)
			printf("nothing to prune: no retention rule (keep_* in %s, or --keep-last and "
			       "the like)\n", s->cfg.path[0] ? s->cfg.path : VSS_CONF_FILE);
		return VSS_EXIT_OK;
	}
	if (!o.yes && !o.dry_run && cli_can_ask())
		return ask_and_delete(s, &o);
	/* JSON alone on stdout: the sets, not a line for each. */
	s->quiet |= o.json;
	r = vss_prune(s->ctx, &o.keep, o.dry_run, &gone, &n);
	s->quiet = quiet;
	if (!r || n)
		report(s, &o, gone, n);
	for (size_t k = 0; !o.dry_run && k < n; k++)
		cli_forget_set(s, gone[k].id);
	vss_sets_free(gone, n);
	return r ? cli_engine_error(s) : VSS_EXIT_OK;
}
