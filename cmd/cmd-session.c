/* The commands of a session: set, begin-backup, end-backup, exit. */
#include "config.h"
#include "cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const settings[] = { "context", "writers", "provider", "verbose", "on-error", NULL };

static void show(struct session *s, const char *name)
{
	static const char *const verbose[] = { "off", "on", "debug" };
	const char *v = "";

	if (!strcmp(name, "context"))
		v = s->set.context_given ? vss_context_name(s->set.context) : "default (vss.conf)";
	else if (!strcmp(name, "writers"))
		v = s->set.writers ? s->set.writers : "default (those of the set's volumes)";
	else if (!strcmp(name, "provider"))
		v = s->set.provider ? s->set.provider : "auto";
	else if (!strcmp(name, "verbose"))
		v = verbose[s->verbose > 2 ? 2 : s->verbose];
	else if (!strcmp(name, "on-error"))
		v = s->set.keep_going ? "continue" : "stop";
	printf("%-9s %s\n", name, v);
}

/* none, all, or NAME[,NAME...]: the syntax only, as create-set checks it. */
static bool writers_ok(const char *v)
{
	if (!strcmp(v, "none") || !strcmp(v, "all"))
		return true;
	for (const char *p = v;; p++) {
		size_t len = strcspn(p, ",");

		if (len == 0 || (len == 4 && !strncmp(p, "none", 4)) || (len == 3 && !strncmp(p, "all", 3)))
			return false;
		p += len;
		if (!*p)
			return true;
	}
}

static int change(struct session *s, const char *name, const char *value)
{
	if (!strcmp(name, "context")) {
		if (vss_context_parse(value, &s->set.context))
			return cli_usage(s, "context %s: must be persistent or auto-release", value);
		s->set.context_given = true;
	} else if (!strcmp(name, "writers")) {
		char *copy;

		if (!writers_ok(value))
			return cli_usage(s, "writers %s: a list of writer names, or all or none alone", value);
		if (!(copy = strdup(value)))
			return cli_error(s, VSS_EXIT_FAILED, "out of memory");
		free(s->set.writers);
		s->set.writers = copy;
	} else if (!strcmp(name, "provider")) {
		if (cli_provider_parse(value, &s->set.provider))
			return cli_provider_unknown(s, "provider", value);
	} else if (!strcmp(name, "verbose")) {
		if (!strcmp(value, "off") || !strcmp(value, "0"))
			s->verbose = 0;
		else if (!strcmp(value, "on") || !strcmp(value, "1"))
			s->verbose = 1;
		else if (!strcmp(value, "debug") || !strcmp(value, "2"))
			s->verbose = 2;
		else
			return cli_usage(s, "verbose %s: must be on, off or debug", value);
	} else if (!strcmp(name, "on-error")) {
		if (!strcmp(value, "stop"))
			s->set.keep_going = false;
		else if (!strcmp(value, "continue"))
			s->set.keep_going = true;
		else
			return cli_usage(s, "on-error %s: must be stop or continue", value);
	}
	return VSS_EXIT_OK;
}

int cmd_set(struct session *s, int argc, char **argv)
{
	const char *name = NULL;
	int i = cli_getopt(s, argc, argv, NULL, NULL);

	if (i < 0)
		return VSS_EXIT_USAGE;
	if (argc - i > 2)
		return cli_usage(s, "one setting at a time");
	if (i == argc) {
		for (const char *const *p = settings; *p; p++)
			show(s, *p);
		return VSS_EXIT_OK;
	}
	for (const char *const *p = settings; *p; p++)
		if (!strcmp(*p, argv[i]))
			name = *p;
	if (!name)
		return cli_usage(s, "%s: no such setting (context, writers, provider, verbose, on-error)",
				 argv[i]);
	if (i + 1 == argc) {
		show(s, name);
		return VSS_EXIT_OK;
	}
	return change(s, name, argv[i + 1]);
}

int cmd_begin_backup(struct session *s, int argc, char **argv)
{
	int i = cli_getopt(s, argc, argv, NULL, NULL);

	if (i < 0)
		return VSS_EXIT_USAGE;
	if (i < argc)
		return cli_usage(s, "%s: takes no argument", argv[i]);
	if (s->backup_open)
		return cli_error(s, VSS_EXIT_USAGE, "a backup is open already (end-backup first)");
	s->backup_open = true;
	s->backup_failed = false;
	return VSS_EXIT_OK;
}

int cmd_end_backup(struct session *s, int argc, char **argv)
{
	int i = cli_getopt(s, argc, argv, NULL, NULL), code = VSS_EXIT_OK;

	if (i < 0)
		return VSS_EXIT_USAGE;
	if (i < argc)
		return cli_usage(s, "%s: takes no argument", argv[i]);
	if (!s->backup_open)
		return cli_error(s, VSS_EXIT_USAGE, "no backup is open (begin-backup first)");
	/* After a failure (on-error continue, the shell) the backup did not
	 * complete: no application may take it for one that did. */
	if (s->backup_failed)
		code = cli_error(s, VSS_EXIT_FAILED, "a command failed since begin-backup: the backup "
				 "did not complete");
	/* Every set's writers hear it, even after one of them failed. */
	for (size_t k = 0; k < s->n_backup_sets; k++) {
		int r = cli_backup_end(s, s->backup_sets[k], !s->backup_failed);

		if (r && !code)
			code = r;
		free(s->backup_sets[k]);
	}
	free(s->backup_sets);
	s->backup_sets = NULL;
	s->n_backup_sets = 0;
	s->backup_open = false;
	return code;
}

int cmd_exit(struct session *s, int argc, char **argv)
{
	int i = cli_getopt(s, argc, argv, NULL, NULL);
	char *end;
	long code = 0;

	if (i < 0)
		return VSS_EXIT_USAGE;
	if (argc - i > 1)
		return cli_usage(s, "one exit code at most");
	if (i < argc) {
		code = strtol(argv[i], &end, 10);
		if (!argv[i][0] || *end || code < 0 || code > 255)
			return cli_usage(s, "%s: not an exit code (0 to 255)", argv[i]);
	}
	s->exit_asked = true;
	s->exit_code = (int)code;
	return (int)code;
}

int cli_provider_parse(const char *v, const char **p)
{
	for (const char *const *n = vss_providers(); *n; n++)
		if (!strcmp(v, *n)) {
			*p = *n;
			return 0;
		}
	if (strcmp(v, "auto"))
		return -1;
	*p = "auto";
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void cli_provider_list(char *buf, size_t len, const char *sep, const char *last)
{
	const char *names[32] = { "auto" };
	size_t n = 1, at = 0;

	for (const char *const *p = vss_providers(); *p && n < 32; p++)
		names[n++] = *p;
	qsort(names + 1, n - 1, sizeof(names[0]), by_name);
	buf[0] = 0;
	for (size_t i = 0; i < n && at < len; i++)
		at += (size_t)snprintf(buf + at, len - at, "%s%s", i ? i + 1 == n ? last : sep : "",
				       names[i]);
}

int cli_provider_unknown(struct session *s, const char *what, const char *value)
{
	char names[256];

	cli_provider_list(names, sizeof(names), ", ", " and ");
	return cli_usage(s, "%s %s: no such provider (there are %s)", what, value, names);
}
