/* Scripts and -c: every command checked before the first runs, then run
 * in turn; the first failure stops the script unless on-error continue. */
#include "config.h"
#include "cli.h"
#include "cmd/words.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* "NAME:LINE: message" (-c: "vss: -c: message"; the shell, NAME "":
 * "vss: message"). */
__attribute__((format(printf, 4, 5)))
static void complain(struct session *s, const char *name, int line, const char *fmt, ...)
{
	va_list ap;

	if (name && name[0])
		fprintf(stderr, "%s:%d: ", name, line);
	else
		fprintf(stderr, name ? "%s: " : "%s: -c: ", s->prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Short options bundled in WORD (-nr, -oNAME, -o NAME): the words of
 * values to skip after it (0 or 1), or -1 after saying which is unknown. */
static int short_options(struct session *s, const char *name, int line, const struct cmd *cmd,
			 const char *word)
{
	for (const char *p = word + 1; *p; p++) {
		const struct cmd_opt *opt = cmd_short_option(cmd, *p);

		if (!opt) {
			complain(s, name, line, "%s: unknown option -%c", cmd->name, *p);
			return -1;
		}
		if (opt->arg)
			return p[1] ? 0 : 1;
	}
	return 0;
}

/* A command's words and option names, known before anything runs: a typo
 * on the last line must not leave a half-done backup. */
static int check(struct session *s, const char *name, const struct command_line *c)
{
	const struct cmd *cmd;
	const struct cmd_opt *opt;
	char why[512];
	int used;

	if (cmd_lookup(c->argc, c->argv, &cmd, &used, why, sizeof(why))) {
		complain(s, name, c->line, "%s", why);
		return -1;
	}
	/* exec's words after PROGRAM are the program's. */
	for (int i = used; i < c->argc && cmd->operand != ARG_PROGRAM; i++) {
		if (!strcmp(c->argv[i], "--"))
			break;
		/* COMMAND --help runs nothing: shown, as on the command line. */
		if (!strcmp(c->argv[i], "--help") || !strcmp(c->argv[i], "-h"))
			continue;
		if (c->argv[i][0] == '-' && c->argv[i][1] && c->argv[i][1] != '-') {
			int skip = short_options(s, name, c->line, cmd, c->argv[i]);

			if (skip < 0)
				return -1;
			i += skip;
			continue;
		}
		if (strncmp(c->argv[i], "--", 2))
			continue;
		if (cmd_option(cmd, c->argv[i], &opt, why, sizeof(why))) {
			complain(s, name, c->line, "%s: %s", cmd->name, why);
			return -1;
		}
		if (!opt->arg && strchr(c->argv[i], '=')) {
			complain(s, name, c->line, "%s: option --%s takes no value", cmd->name, opt->name);
			return -1;
		}
		/* Its value is the next word: not an option to check. */
		if (opt->arg && !strchr(c->argv[i], '='))
			i++;
	}
	return 0;
}

int script_run(struct session *s, const char *name, const char *text)
{
	struct script sc;
	char why[256], where[4096 + 16];
	int line, code = VSS_EXIT_OK, bad = 0;

	if (words_split(text, false, &sc, &line, why, sizeof(why))) {
		complain(s, name, line, "%s", why);
		return VSS_EXIT_USAGE;
	}
	for (size_t i = 0; i < sc.n; i++)
		bad |= check(s, name, &sc.cmds[i]);
	if (bad) {
		script_free(&sc);
		return VSS_EXIT_USAGE;
	}
	for (size_t i = 0; i < sc.n; i++) {
		int r;

		if (name && name[0]) {
			snprintf(where, sizeof(where), "%s:%d", name, sc.cmds[i].line);
			s->where = where;
		}
		r = session_run(s, sc.cmds[i].argc, sc.cmds[i].argv);
		s->where = NULL;
		if (s->exit_asked) {
			code = s->exit_code;
			break;
		}
		if (r)
			code = r;
		/* A signal ends the script whatever on-error says. */
		if (vss_interrupted() || (r && !s->set.keep_going))
			break;
	}
	script_free(&sc);
	return code;
}
