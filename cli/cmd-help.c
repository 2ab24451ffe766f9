/* help [COMMAND]: the usage text, made from the command table. */
#include "config.h"
#include "cli.h"

#include <stdio.h>
#include <string.h>

void cli_print_usage(FILE *out)
{
	fprintf(out,
		"Usage: vss [OPTIONS] COMMAND [ARGUMENTS]\n"
		"       vsstui\n"
		"\n"
		"Volume shadow copies for Linux, on device-mapper.\n"
		"\n"
		"Commands:\n");
	for (const struct cmd *c = vss_commands; c->name; c++) {
		char synopsis[256];

		snprintf(synopsis, sizeof(synopsis), "%s%s%s", c->name, c->args[0] ? " " : "", c->args);
		/* A long synopsis gets a line of its own. */
		if (strlen(synopsis) > 36)
			fprintf(out, "  %s\n  %-36s %s\n", synopsis, "", c->summary);
		else
			fprintf(out, "  %-36s %s\n", synopsis, c->summary);
	}
	fprintf(out,
		"\n"
		"Options:\n"
		"  -C, --config FILE   read FILE instead of " VSS_CONF_FILE "\n"
		"  -q, --quiet         print only results and errors\n"
		"  -v, --verbose       say more (twice: debug, including device-mapper's log)\n"
		"  -h, --help          show this help\n"
		"  -V, --version       show the version\n"
		"\n"
		"'vss help COMMAND' shows one command. See vss(8).\n");
}

static void print_command(const struct cmd *c)
{
	printf("Usage: vss %s%s%s\n\n%s.\n", c->name, c->args[0] ? " " : "", c->args, c->summary);
	if (c->help)
		printf("\n%s\n", c->help);
}

int cmd_help(struct session *s, int argc, char **argv)
{
	const struct cmd *c;
	char group[256];
	int used;

	if (argc == 1) {
		cli_print_usage(stdout);
		return VSS_EXIT_OK;
	}
	if ((c = cmd_find(argc - 1, argv + 1, &used)) && used == argc - 1) {
		print_command(c);
		return VSS_EXIT_OK;
	}
	cmd_group_words(argv[1], group, sizeof(group));
	if (argc == 2 && group[0]) {
		size_t len = strlen(argv[1]);
		int first = 1;

		for (c = vss_commands; c->name; c++) {
			if (strncmp(c->name, argv[1], len) || c->name[len] != ' ')
				continue;
			if (!first)
				printf("\n");
			print_command(c);
			first = 0;
		}
		return VSS_EXIT_OK;
	}
	return cli_error(s, VSS_EXIT_USAGE, "no such command: %s", argv[1]);
}
