/* revert [-y] SET [VOLUME...]: roll volumes back to their shadows */
#include "config.h"
#include "cmd.h"

#include <stdio.h>

static int on_option(struct session *s, int c, const char *arg, void *data)
{
	(void)s;
	(void)arg;
	if (c == 'y')
		*(bool *)data = true;
	return 0;
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
	if (!yes && !cli_can_ask())
		return cli_usage(s, "needs --yes: it overwrites the volumes, and there is no "
				 "terminal to ask on");
	if ((r = cli_open(s)))
		return r;
	if (!yes && !cli_confirm("Revert %s of set %s to the set's instant? Everything written "
				 "to %s since is lost.", argc - i - 1 ? "the named volumes" :
				 "every volume", argv[i], argc - i - 1 == 1 ? argv[i + 1] : "them"))
		return cli_error(s, VSS_EXIT_FAILED, "not confirmed; nothing changed");
	cli_progress_begin(s, false);
	if (vss_revert(s->ctx, argv[i], argv + i + 1, (size_t)(argc - i - 1)))
		return cli_engine_error(s);
	return VSS_EXIT_OK;
}
