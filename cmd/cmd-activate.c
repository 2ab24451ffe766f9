/* activate: after a reboot, bring back volumes and persistent shadows */
#include "config.h"
#include "cmd.h"

int cmd_activate(struct session *s, int argc, char **argv)
{
	int i = cli_getopt(s, argc, argv, NULL, NULL), r;

	if (i < 0)
		return VSS_EXIT_USAGE;
	if (i < argc)
		return cli_usage(s, "unexpected argument '%s'", argv[i]);
	if ((r = cli_open(s)))
		return r;
	if (vss_activate(s->ctx))
		return cli_engine_error(s);
	return VSS_EXIT_OK;
}
