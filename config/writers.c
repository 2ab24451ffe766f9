/*
 * [writer NAME] sections. A writer's program runs as root, so its command
 * is checked as doas checks its own file: a program someone other than root
 * could change is refused, and so is the whole configuration.
 */
#include "config.h"
#include "parse.h"
#include "engine/base/strv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define NAME_MAX_LEN 42   /* "[writer NAME]" within inih's 49-byte section names */

bool conf_key_twice(char *keys, size_t len, const char *key)
{
	char probe[80];
	size_t used = strlen(keys);

	snprintf(probe, sizeof(probe), " %s ", key);
	if (strstr(keys, probe))
		return true;
	if (used + strlen(probe) < len)
		snprintf(keys + used, len - used, "%s", probe + (used ? 1 : 0));
	return false;
}

static const char *name_problem(const char *name)
{
	if (!*name)
		return "name is empty";
	if (strlen(name) > NAME_MAX_LEN)
		return "name is longer than 42 characters";
	if (!strcmp(name, "none"))
		return "name may not be none (--writers none means no writer)";
	for (const char *c = name; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
		      strchr("._+-", *c)))
			return "name may hold only letters, digits and . _ + -";
	if (name[0] == '-' || name[0] == '.')
		return "name may not begin with - or .";
	return NULL;
}

void conf_section(struct parse *p, const char *section)
{
	struct conf_store *st = p->cfg->store;
	struct conf_writer *w;
	const char *why;

	snprintf(p->section, sizeof(p->section), "%s", section);
	p->section_line = p->line;
	p->writer = NULL;
	if (!strcmp(section, "vss")) {
		if (!p->vss_line)
			p->vss_line = p->line;
		return;
	}
	if (strncmp(section, "writer", 6) || (section[6] && section[6] != ' ' && section[6] != '\t')) {
		conf_complain(p, "%s:%d: unknown section [%s]", p->cfg->path, p->line, section);
		return;
	}
	section += 6;
	section += strspn(section, " \t");
	w = realloc(st->w, (st->n + 1) * sizeof(*w));
	if (!w) {
		conf_complain(p, "%s:%d: out of memory", p->cfg->path, p->line);
		return;
	}
	st->w = w;
	w = &st->w[st->n++];
	memset(w, 0, sizeof(*w));
	snprintf(w->name, sizeof(w->name), "%s", section);
	w->line = p->line;
	w->timeout_ms = VSS_DEFAULT_WRITER_TIMEOUT_MS;
	w->retries = VSS_DEFAULT_WRITER_RETRIES;
	w->enabled = true;
	p->writer = w;
	if ((why = name_problem(section))) {
		conf_complain(p, "%s:%d: [writer %.60s]: its %s", p->cfg->path, p->line, section, why);
		w->bad = w->ignore = true;
		return;
	}
	for (size_t i = 0; i + 1 < st->n; i++)
		if (!strcmp(st->w[i].name, w->name)) {
			conf_complain(p, "%s:%d: [writer %s] defined twice (first at line %d)",
				      p->cfg->path, p->line, w->name, st->w[i].line);
			w->bad = w->ignore = true;
			return;
		}
}

static int parse_bool(const char *v, bool *b)
{
	static const char *const yes[] = { "yes", "true", "on", "1", NULL };
	static const char *const no[] = { "no", "false", "off", "0", NULL };

	for (int i = 0; yes[i]; i++)
		if (!strcasecmp(v, yes[i]))
			return *b = true, 0;
	for (int i = 0; no[i]; i++)
		if (!strcasecmp(v, no[i]))
			return *b = false, 0;
	return -EINVAL;
}

static void set_command(struct parse *p, struct conf_writer *w, const char *v)
{
	const char *at = p->cfg->path;
	char why[300];
	int r;

	vss_strv_free(w->argv, w->argc);
	w->argv = NULL;
	w->argc = 0;
	w->command_line = p->line;
	if ((r = vss_strv_split(v, &w->argv, &w->argc)) || !w->argc) {
		conf_complain(p, "%s:%d: writer %s: command: %s", at, p->line, w->name,
			      r == -EINVAL ? "a quote is not closed" : r ? strerror(-r) : "is empty");
		w->bad = true;
		return;
	}
	if (w->argv[0][0] != '/') {
		conf_complain(p, "%s:%d: writer %s: command: '%s' must be an absolute path (it is "
			      "run as it is, never through a shell or $PATH)", at, p->line, w->name,
			      w->argv[0]);
		w->bad = true;
		return;
	}
	r = vss_program_check(w->argv[0], why, sizeof(why));
	/* A program not installed yet fails when the writer is to run; only
	 * check-config insists. One someone else could change never runs. */
	if (r && (r != -ENOENT || p->strict)) {
		conf_complain(p, "%s:%d: writer %s: command %s: refused: %s", at, p->line, w->name,
			      w->argv[0], why);
		w->bad = true;
	}
}

void conf_writer_value(struct parse *p, const char *key, const char *v)
{
	struct conf_writer *w = p->writer;
	const char *at = p->cfg->path;
	int line = p->line;

	if (conf_key_twice(w->keys, sizeof(w->keys), key)) {
		conf_complain(p, "%s:%d: writer %s: %s is given twice", at, line, w->name, key);
		return;
	}
	if (!strcmp(key, "type")) {
		if (strcmp(v, "exec") && strcmp(v, "coprocess"))
			conf_complain(p, "%s:%d: writer %s: type '%s': must be exec or coprocess", at,
				      line, w->name, v);
		snprintf(w->type, sizeof(w->type), "%s", v);
	} else if (!strcmp(key, "command")) {
		set_command(p, w, v);
	} else if (!strcmp(key, "volumes")) {
		int r = vss_strv_split(v, &w->volumes, &w->nvolumes);

		if (r)
			conf_complain(p, "%s:%d: writer %s: volumes: %s", at, line, w->name,
				      r == -EINVAL ? "a quote is not closed" : strerror(-r));
		for (size_t i = 0; !r && i < w->nvolumes; i++)
			if (w->volumes[i][0] != '/')
				conf_complain(p, "%s:%d: writer %s: volumes: '%s' is not an absolute path",
					      at, line, w->name, w->volumes[i]);
	} else if (!strcmp(key, "timeout")) {
		if (vss_parse_seconds(v, &w->timeout_ms) || w->timeout_ms == 0 ||
		    w->timeout_ms > 3600 * 1000)
			conf_complain(p, "%s:%d: writer %s: timeout '%s': must be a duration in seconds, "
				      "more than 0 and at most 3600", at, line, w->name, v);
	} else if (!strcmp(key, "retries")) {
		char *end;
		unsigned long n = strtoul(v, &end, 10);

		if (!*v || *end || v[0] == '-' || n > 10)
			conf_complain(p, "%s:%d: writer %s: retries '%s': must be a number from 0 to 10",
				      at, line, w->name, v);
		else
			w->retries = (unsigned)n;
	} else if (!strcmp(key, "enabled")) {
		if (parse_bool(v, &w->enabled))
			conf_complain(p, "%s:%d: writer %s: enabled '%s': must be yes or no", at, line,
				      w->name, v);
	} else {
		conf_complain(p, "%s:%d: unknown key '%s' in [writer %s]", at, line, key, w->name);
	}
}

void conf_writers_finish(struct parse *p)
{
	struct conf_store *st = p->cfg->store;
	struct vss_writer_def *d;

	for (size_t i = 0; i < st->n; i++)
		if (!st->w[i].argv && !st->w[i].bad)
			conf_complain(p, "%s:%d: writer %s: has no command", p->cfg->path, st->w[i].line,
				      st->w[i].name);
	if (!st->n || !(d = calloc(st->n, sizeof(*d))))
		return;
	for (size_t i = 0; i < st->n; i++) {
		struct conf_writer *w = &st->w[i];

		d[i].name = w->name;
		d[i].type = !strcmp(w->type, "coprocess") ? VSS_WRITER_COPROCESS : VSS_WRITER_EXEC;
		d[i].argv = w->argv;
		d[i].volumes = w->volumes;
		d[i].nvolumes = w->nvolumes;
		d[i].timeout_ms = w->timeout_ms;
		d[i].retries = w->retries;
		d[i].enabled = w->enabled;
	}
	p->cfg->writers = d;
	p->cfg->nwriters = st->n;
}

void vss_config_free(struct vss_config *cfg)
{
	struct conf_store *st = cfg->store;

	free(cfg->writers);
	cfg->writers = NULL;
	cfg->nwriters = 0;
	if (!st)
		return;
	for (size_t i = 0; i < st->n; i++) {
		vss_strv_free(st->w[i].argv, st->w[i].argc);
		vss_strv_free(st->w[i].volumes, st->w[i].nvolumes);
	}
	free(st->w);
	free(st);
	cfg->store = NULL;
}
