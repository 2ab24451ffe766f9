/* volume remove [--yes] NAME */
#include "config.h"
#include "cmd.h"

static int on_option(struct session *s, int c, const char *arg, void *data)
{
	(void)s, (void)arg;
	if (c == 'y')
		*(bool *)data = true;
	return 0;
}

int cmd_volume_remove(struct session *s, int argc, char **argv)
{
	bool yes = false;
	int i = cli_getopt(s, argc, argv, on_option, &yes), r;

	if (i < 0)
		return VSS_EXIT_USAGE;
	if (argc - i != 1)
		return cli_usage(s, argc - i < 1 ? "needs a volume name" : "too many arguments");
	if ((r = cli_check_name(s, argv[i])) || (r = cli_open(s)))
		return r;
	/* A thin volume lives only in its pool: its data goes with it. */
	if (!yes && cli_can_ask() &&
	    !cli_confirm("Remove the volume %s (/dev/mapper/%s)? If it is a thin volume, its data "
			 "is lost.", argv[i], argv[i]))
		return cli_error(s, VSS_EXIT_FAILED, "not confirmed; nothing changed");
	if ((r = vss_volume_remove(s->ctx, argv[i])))
		return cli_engine_error(s);
	return VSS_EXIT_OK;
}
