/* How the CLI reports failure: one line, the command named, an exit code. */
#include "config.h"
#include "cmd.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

__attribute__((format(printf, 2, 0)))
static void vreport(struct session *s, const char *fmt, va_list ap)
{
	/* In a script, its place first (FILE:LINE: ...), as compilers do. */
	if (s->where)
		fprintf(stderr, "%s: ", s->where);
	else
		fprintf(stderr, "%s: ", s->prog);
	if (s->cmd && strcmp(s->cmd->name, s->prog))
		fprintf(stderr, "%s: ", s->cmd->name);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

int cli_error(struct session *s, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(s, fmt, ap);
	va_end(ap);
	return code;
}

int cli_engine_error(struct session *s)
{
	static const int code[] = {
		[VSS_ERR_FAILED] = VSS_EXIT_FAILED,
		[VSS_ERR_LOCKED] = VSS_EXIT_LOCKED,
		[VSS_ERR_STORAGE_FULL] = VSS_EXIT_STORAGE,
		[VSS_ERR_WRITER] = VSS_EXIT_WRITER,
		[VSS_ERR_USAGE] = VSS_EXIT_USAGE,
	};

	return cli_error(s, code[vss_errkind(s->ctx)], "%s", vss_errmsg(s->ctx));
}

int cli_check_name(struct session *s, const char *name)
{
	char why[160];

	if (vss_name_check(name, why, sizeof(why)))
		return cli_error(s, VSS_EXIT_USAGE, "%s: invalid volume name: %s", name, why);
	return 0;
}

int cli_usage(struct session *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(s, fmt, ap);
	va_end(ap);
	if (s->cmd)
		fprintf(stderr, "Usage: %s %s%s%s\n", s->prog, s->cmd->name, s->cmd->args[0] ? " " : "",
			s->cmd->args);
	return VSS_EXIT_USAGE;
}

int cli_getopt(struct session *s, int argc, char **argv,
	       int (*on)(struct session *, int, const char *, void *), void *data)
{
	struct option longopts[24] = { { NULL, 0, NULL, 0 } };
	char shorts[64] = ":";
	size_t n = 0, len = 1;
	int c;

	/* Long options come back as values above any byte: getopt's optopt
	 * then tells a long option's mistake from a short one's. */
	for (const struct cmd_opt *o = s->cmd->opts; o && o->name && n < 23; o++, n++) {
		longopts[n] = (struct option){ o->name, o->arg ? required_argument : no_argument,
					       NULL, 256 + (int)n };
		if (o->letter && len + 3 < sizeof(shorts)) {
			shorts[len++] = o->letter;
			if (o->arg)
				shorts[len++] = ':';
		}
	}
	shorts[len] = '\0';
	/* Our own messages, not getopt's: they must name the command. Options
	 * may follow operands (show SET --json), as in util-linux and LVM;
	 * no operand begins with '-' (names may not), and -- ends options. */
	optind = 0;
	while ((c = getopt_long(argc, argv, shorts, longopts, NULL)) != -1) {
		const struct cmd_opt *opt;
		char why[256];

		if (c == '?') {
			if (optopt > 0 && optopt < 256)
				return cli_usage(s, "unknown option -%c", optopt), -1;
			if (optopt >= 256)
				return cli_usage(s, "option --%s takes no value",
						 s->cmd->opts[optopt - 256].name), -1;
			if (cmd_option(s->cmd, argv[optind - 1], &opt, why, sizeof(why)))
				return cli_usage(s, "%s", why), -1;
			return cli_usage(s, "unknown option %s", argv[optind - 1]), -1;
		}
		if (c == ':') {
			if (optopt > 0 && optopt < 256)
				return cli_usage(s, "option -%c needs a value", optopt), -1;
			return cli_usage(s, "option %s needs a value", argv[optind - 1]), -1;
		}
		if (c < 256 && !(opt = cmd_short_option(s->cmd, c)))
			return cli_usage(s, "unknown option -%c", c), -1;
		if (c >= 256)
			opt = &s->cmd->opts[c - 256];
		if (!on || on(s, opt->val, optarg, data))
			return -1;
	}
	return optind;
}

int cli_on_json(struct session *s, int c, const char *arg, void *data)
{
	(void)s, (void)arg;
	if (c == 'j')
		*(bool *)data = true;
	return 0;
}
