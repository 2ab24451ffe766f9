/* volume import DEVICE NAME */
#include "config.h"
#include "cli.h"

int cmd_volume_import(struct session *s, int argc, char **argv)
{
	int i = cli_getopt(s, argc, argv, NULL, NULL), r;

	if (i < 0)
		return VSS_EXIT_USAGE;
	if (argc - i != 2)
		return cli_usage(s, argc - i < 2 ? "needs a device and a name" : "too many arguments");
	if ((r = cli_check_name(s, argv[i + 1])) || (r = cli_open(s)))
		return r;
	if ((r = vss_volume_import(s->ctx, argv[i], argv[i + 1])))
		return cli_engine_error(s);
	return VSS_EXIT_OK;
}
