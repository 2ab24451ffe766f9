/* Running one command line of a session: its command found in the table,
 * help asked for answered, and its handler called. */
#include "config.h"
#include "cmd.h"

#include <stdio.h>
#include <string.h>

/* COMMAND --help (or -h), as every tool answers it: the command's usage,
 * whatever else the line holds. Not after --, nor among the words of
 * exec's program. */
static bool asks_help(const struct cmd *cmd, int argc, char **argv)
{
	for (int i = 0; i < argc && strcmp(argv[i], "--"); i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return true;
		if (cmd->operand == ARG_PROGRAM && argv[i][0] != '-')
			break;
	}
	return false;
}

int session_run(struct session *s, int argc, char **argv)
{
	const struct cmd *cmd;
	char why[512];
	int used, code;

	s->cmd = NULL;
	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) &&
	    cmd_lookup(1, argv, &cmd, &used, why, sizeof(why))) {
		/* vss list --help: the group's commands, as help list shows them. */
		char *help[] = { "help", argv[0], NULL };

		code = cmd_help(s, 2, help);
	} else if (cmd_lookup(argc, argv, &cmd, &used, why, sizeof(why))) {
		code = cli_error(s, VSS_EXIT_USAGE, "%s", why);
	} else if (asks_help(cmd, argc - used, argv + used)) {
		cli_print_command(cmd, stdout);
		code = VSS_EXIT_OK;
	} else {
		s->cmd = cmd;
		/* The handler sees its last word as argv[0], getopt-style. */
		code = cmd->exec(s, argc - used + 1, argv + used - 1);
	}
	s->cmd = NULL;
	if (code)
		s->failed = true;
	if (code && s->backup_open)
		s->backup_failed = true;
	return code;
}
