/* The vss binary: argv[0] picks the face; global options; one command. */
#include "config.h"
#include "cli.h"

#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct option global_options[] = {
	{ "config", required_argument, NULL, 'C' },
	{ "help", no_argument, NULL, 'h' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static int run(struct session *s, int argc, char **argv)
{
	const struct cmd *cmd;
	char group[256];
	int used, code;

	if (argc == 0) {
		fprintf(stderr, "%s: no command given; see '%s help'\n", s->prog, s->prog);
		return VSS_EXIT_USAGE;
	}
	cmd = cmd_find(argc, argv, &used);
	if (!cmd) {
		cmd_group_words(argv[0], group, sizeof(group));
		if (group[0] && argc > 1)
			return cli_error(s, VSS_EXIT_USAGE, "%s %s: unknown command; %s takes: %s",
					 argv[0], argv[1], argv[0], group);
		if (group[0])
			return cli_error(s, VSS_EXIT_USAGE, "%s: needs one of: %s", argv[0], group);
		return cli_error(s, VSS_EXIT_USAGE, "%s: unknown command; see '%s help'",
				 argv[0], s->prog);
	}
	s->cmd = cmd;
	/* The handler sees its last word as argv[0], getopt-style. */
	code = cmd->exec(s, argc - used + 1, argv + used - 1);
	vss_ctx_free(s->ctx);
	s->ctx = NULL;
	return code;
}

int main(int argc, char **argv)
{
	struct session s = { .prog = "vss" };
	char *copy = strdup(argv[0] ? argv[0] : "vss");
	int c;

	if (copy && !strcmp(basename(copy), "vsstui")) {
		free(copy);
		return tui_main(argc, argv);
	}
	free(copy);
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:C:hqvV", global_options, NULL)) != -1) {
		switch (c) {
		case 'C':
			s.config_path = optarg;
			break;
		case 'h':
			cli_print_usage(stdout);
			return VSS_EXIT_OK;
		case 'q':
			s.quiet = true;
			break;
		case 'v':
			s.verbose++;
			break;
		case 'V':
			printf("%s %s\n", PACKAGE_NAME, PACKAGE_VERSION);
			return VSS_EXIT_OK;
		case ':':
			return cli_error(&s, VSS_EXIT_USAGE, "option %s needs a value", argv[optind - 1]);
		default:
			if (optopt)
				return cli_error(&s, VSS_EXIT_USAGE, "unknown option -%c; see 'vss help'",
						 optopt);
			return cli_error(&s, VSS_EXIT_USAGE, "unknown option %s; see 'vss help'",
					 argv[optind - 1]);
		}
	}
	return run(&s, argc - optind, argv + optind);
}
