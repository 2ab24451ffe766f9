/* revert [--yes] SET [VOLUME...]: roll volumes back to their shadows */
#include "config.h"
#include "cli.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int on_option(struct session *s, int c, const char *arg, void *data)
{
	(void)s;
	(void)arg;
	if (c == 'y')
		*(bool *)data = true;
	return 0;
}

/* Asks on the terminal; true only for an explicit yes. */
static bool confirmed(const char *set, int nvol, char **vols)
{
	char answer[16];

	fprintf(stderr, "Revert %s of set %s to the set's instant? Everything written to %s "
		"since is lost. [y/N] ", nvol ? "the named volumes" : "every volume", set,
		nvol == 1 ? vols[0] : "them");
	fflush(stderr);
	if (!fgets(answer, sizeof(answer), stdin))
		return false;
	answer[strcspn(answer, "\n")] = '\0';
	return !strcmp(answer, "y") || !strcmp(answer, "Y") || !strcmp(answer, "yes");
}

int cmd_revert(struct session *s, int argc, char **argv)
{
	bool yes = false;
	int i = cli_getopt(s, argc, argv, on_option, &yes), r;

	if (i < 0)
		return VSS_EXIT_USAGE;
	if (i == argc)
		return cli_usage(s, "which set? (vss list sets)");
	/* Data is lost: a script says so with --yes, a person on a terminal. */
	if (!yes && !(isatty(STDIN_FILENO) && isatty(STDERR_FILENO)))
		return cli_usage(s, "needs --yes: it overwrites the volumes, and there is no "
				 "terminal to ask on");
	if ((r = cli_open(s)))
		return r;
	if (!yes && !confirmed(argv[i], argc - i - 1, argv + i + 1))
		return cli_error(s, VSS_EXIT_FAILED, "not confirmed; nothing changed");
	cli_progress_begin(s, false);
	if (vss_revert(s->ctx, argv[i], argv + i + 1, (size_t)(argc - i - 1)))
		return cli_engine_error(s);
	return VSS_EXIT_OK;
}
