/* The command-line face: vss's options, -c and -f scripts, the REPL. */
#ifndef VSS_CLI_H
#define VSS_CLI_H

#include "cmd/cmd.h"

/* Scripts: every command of TEXT (from NAME, for messages; NULL for -c,
 * "" for a line of the shell) checked, then run in turn. */
int script_run(struct session *s, const char *name, const char *text);
/* The shell, on a terminal. */
int repl_run(struct session *s);
/* vss as a command: its options, then one command, a script or the REPL. */
int cli_main(int argc, char **argv);

#endif
