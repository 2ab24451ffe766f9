/* help [COMMAND]: the usage text, made from the command table. */
#include "config.h"
#include "cmd.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

void cli_print_usage(FILE *out)
{
	fprintf(out,
		"Usage: vss [OPTIONS] COMMAND [ARGUMENTS]\n"
		"       vss [OPTIONS] -c 'COMMAND; COMMAND...'\n"
		"       vss [OPTIONS] -f FILE\n"
		"       vss [OPTIONS]     (the shell on a terminal, else a script on stdin)\n"
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
		"  -c, --command CMDS  run the commands CMDS (apart by ';' or lines)\n"
		"  -f, --file FILE     run the script FILE (- for stdin)\n"
		"  -C, --config FILE   read FILE instead of " VSS_CONF_FILE "\n"
		"  -q, --quiet         print only results and errors\n"
		"  -v, --verbose       say more (twice: debug, including device-mapper's log)\n"
		"  -h, --help          show this help\n"
		"  -V, --version       show the version\n"
		"\n"
		"'vss help COMMAND' shows one command. See vss(8).\n");
}

void cli_print_command(const struct cmd *c, FILE *out)
{
	fprintf(out, "Usage: vss %s%s%s\n\n%s.\n", c->name, c->args[0] ? " " : "", c->args,
		c->summary);
	if (c->help)
		fprintf(out, "\n%s\n", c->help);
}

/* "help list": every command of the group whose first word ARG names. */
static bool print_group(const char *arg)
{
	const struct cmd *group = NULL;
	size_t len;
	bool first = true;

	for (const struct cmd *c = vss_commands; c->name; c++) {
		len = strcspn(c->name, " ");
		if (strncmp(c->name, arg, strlen(arg)) || strlen(arg) > len)
			continue;
		/* A one-word command fits too: ambiguous (or not a group). */
		if (!c->name[len])
			return false;
		if (group && strncmp(group->name, c->name, len + 1))
			return false;  /* two groups: ambiguous */
		group = c;
	}
	if (!group)
		return false;
	len = strcspn(group->name, " ") + 1;
	for (const struct cmd *c = vss_commands; c->name; c++) {
		if (strncmp(c->name, group->name, len))
			continue;
		if (!first)
			printf("\n");
		cli_print_command(c, stdout);
		first = false;
	}
	return true;
}

int cmd_help(struct session *s, int argc, char **argv)
{
	const struct cmd *c;
	char why[512];
	int used;

	if (argc == 1) {
		cli_print_usage(stdout);
		return VSS_EXIT_OK;
	}
	if (cmd_lookup(argc - 1, argv + 1, &c, &used, why, sizeof(why)) == 0) {
		if (used == argc - 1) {
			cli_print_command(c, stdout);
			return VSS_EXIT_OK;
		}
		return cli_usage(s, "%s: one command at a time", argv[used + 1]);
	}
	if (argc == 2 && print_group(argv[1]))
		return VSS_EXIT_OK;
	return cli_error(s, VSS_EXIT_USAGE, "%s", why);
}
