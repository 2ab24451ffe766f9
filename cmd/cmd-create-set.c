/* create-set [-l TEXT] [--context C] [-p P] [-L S|N%] [-c S] [-w W] [-J] VOLUME... */
#include "config.h"
#include "cmd.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct opts {
	struct vss_create_opts c;
	bool json;
	bool context_given;
	bool provider_given;
	bool writers_given;
	const char *writers_arg;
	char **writers;
	size_t nwriters;
};

static int add_writer(struct session *s, struct opts *o, const char *name, size_t len)
{
	char **v;

	if (!(v = realloc(o->writers, (o->nwriters + 1) * sizeof(*v))) ||
	    !(v[o->nwriters] = strndup(name, len)))
		return cli_error(s, VSS_EXIT_FAILED, "out of memory");
	o->writers = v;
	o->nwriters++;
	return 0;
}

/* --writers none | all | NAME[,NAME...] */
static int on_writers(struct session *s, struct opts *o, const char *arg)
{
	const char *p = arg;

	if (!strcmp(arg, "none")) {
		o->c.no_writers = true;
		return 0;
	}
	if (!strcmp(arg, "all")) {
		/* Every enabled writer of the configuration, named. */
		for (size_t i = 0; i < s->cfg.nwriters; i++)
			if (s->cfg.writers[i].enabled &&
			    add_writer(s, o, s->cfg.writers[i].name, strlen(s->cfg.writers[i].name)))
				return VSS_EXIT_FAILED;
		return 0;
	}
	while (*p) {
		size_t len = strcspn(p, ",");

		if (len == 0 || (len == 4 && !strncmp(p, "none", 4)) || (len == 3 && !strncmp(p, "all", 3)))
			return cli_usage(s, "--writers %s: a list of writer names, or all or none alone", arg);
		if (add_writer(s, o, p, len))
			return VSS_EXIT_FAILED;
		p += len;
		if (*p == ',' && !*++p)
			return cli_usage(s, "--writers %s: a list of writer names, or all or none alone", arg);
	}
	if (!o->nwriters)
		return cli_usage(s, "--writers %s: a list of writer names, or all or none alone", arg);
	return 0;
}

static int on_option(struct session *s, int c, const char *arg, void *data)
{
	struct opts *o = data;
	char why[160];

	switch (c) {
	case 'l':
		if (vss_label_check(arg, why, sizeof(why)))
			return cli_usage(s, "--label '%s': %s", arg, why);
		o->c.label = arg;
		break;
	case 'c':
		if (vss_context_parse(arg, &o->c.context))
			return cli_usage(s, "--context %s: must be persistent or auto-release", arg);
		o->context_given = true;
		break;
	case 'w':
		if (o->writers_given)
			return cli_usage(s, "--writers is given twice");
		o->writers_given = true;
		/* `all` needs the configuration: read when the operands are. */
		o->writers_arg = arg;
		break;
	case 'p':
		if (cli_provider_parse(arg, &o->c.provider))
			return cli_provider_unknown(s, "--provider", arg);
		o->provider_given = true;
		break;
	case 's':
		if (vss_parse_cow_size(arg, &o->c.cow_bytes, &o->c.cow_percent) == 0)
			break;
		if (vss_size_parse(arg, &o->c.cow_bytes) == 0)
			return cli_usage(s, "--cow-size %s: must be more than 0", arg);
		return cli_usage(s, arg[0] && arg[strlen(arg) - 1] == '%' ?
				 "--cow-size %s: a percentage of the origin must be from 1%% to 100%%" :
				 "--cow-size %s: not a size (512M, 2G)", arg);
	case 'k':
		if (vss_size_parse(arg, &o->c.chunk_bytes) || !vss_chunk_size_ok(o->c.chunk_bytes))
			return cli_usage(s, "--chunk-size %s: must be a power of two from 4K to 512K",
					 arg);
		break;
	case 'j':
		o->json = true;
		break;
	}
	return 0;
}

static int create(struct session *s, int argc, char **argv, struct opts *op)
{
	struct opts o;
	struct vss_set *set;
	int i, r;

	if ((i = cli_getopt(s, argc, argv, on_option, op)) < 0)
		return VSS_EXIT_USAGE;
	/* The session's `set writers`, unless given here. */
	if (!op->writers_given && s->set.writers)
		op->writers_arg = s->set.writers;
	if (op->writers_arg && strcmp(op->writers_arg, "all") && (r = on_writers(s, op, op->writers_arg)))
		return r;
	o = *op;
	if (i == argc)
		return cli_usage(s, "no volume given");
	for (int a = i; a < argc; a++) {
		char why[160];

		/* A name, not a path: it must be one a volume can have. */
		if (!strchr(argv[a], '/') && vss_name_check(argv[a], why, sizeof(why)))
			return cli_error(s, VSS_EXIT_USAGE, "%s: invalid volume name: %s", argv[a], why);
		for (int b = i; b < a; b++)
			if (!strcmp(argv[a], argv[b]))
				return cli_error(s, VSS_EXIT_USAGE, "%s: named twice", argv[a]);
	}
	if ((r = cli_open(s)))
		return r;
	if (o.writers_arg && !strcmp(o.writers_arg, "all")) {
		if ((r = on_writers(s, op, "all")))
			return r;
		o = *op;
		/* All of none configured: no writer (hooks still join). */
		if (!o.nwriters)
			o.writers_arg = NULL;
	}
	if (!o.c.cow_bytes && !o.c.cow_percent) {
		o.c.cow_bytes = s->cfg.cow_bytes;
		o.c.cow_percent = s->cfg.cow_percent;
		o.c.cow_default = true;
	}
	if (!o.c.chunk_bytes)
		o.c.chunk_bytes = s->cfg.chunk_bytes;
	if (!o.context_given)
		o.c.context = s->set.context_given ? s->set.context : s->cfg.context;
	if (!o.provider_given)
		o.c.provider = s->set.provider;
	/* Its writers wait for the backup's end: end-backup, or the end of
	 * the session for an auto-release set. */
	o.c.backup = s->backup_open || o.c.context == VSS_CONTEXT_AUTO_RELEASE;
	o.c.writers = o.writers;
	o.c.nwriters = o.nwriters;
	cli_progress_begin(s, o.json);
	if (vss_set_create(s->ctx, argv + i, (size_t)(argc - i), &o.c, &set))
		return cli_engine_error(s);
	switch (cli_remember_set(s, set->id, o.c.context == VSS_CONTEXT_AUTO_RELEASE)) {
	case -1:
		fprintf(stderr, "%s: %s: out of memory: set %s will be deleted by the next vss command\n",
			s->prog, s->cmd->name, set->id);
		break;
	case -2:
		fprintf(stderr, "%s: %s: out of memory: the writers of set %s will not hear end-backup\n",
			s->prog, s->cmd->name, set->id);
		break;
	}
	if (!s->quiet || o.json) {
		struct cli_out out = { .json = o.json };

		/* A program gets the new set's row: its id, instant and window. */
		cli_output_parse(s, o.json ? &cli_sets_listing : &cli_show_listing, &out);
		if (o.json)
			cli_print_sets(set, 1, &out, NULL);
		else
			cli_print_set(set, &out);
	}
	vss_sets_free(set, 1);
	return VSS_EXIT_OK;
}

int cmd_create_set(struct session *s, int argc, char **argv)
{
	struct opts o = { 0 };
	int r;

	o.c.context = VSS_CONTEXT_PERSISTENT;
	r = create(s, argc, argv, &o);
	for (size_t k = 0; k < o.nwriters; k++)
		free(o.writers[k]);
	free(o.writers);
	return r;
}
