/* volume remove NAME */
#include "config.h"
#include "cli.h"

int cmd_volume_remove(struct session *s, int argc, char **argv)
{
	char why[160];
	int i = cli_getopt(s, argc, argv, "", cli_no_options, NULL, NULL), r;

	if (i < 0)
		return VSS_EXIT_USAGE;
	if (argc - i != 1)
		return cli_usage(s, argc - i < 1 ? "needs a volume name" : "too many arguments");
	if (vss_name_check(argv[i], why, sizeof(why)))
		return cli_error(s, VSS_EXIT_USAGE, "%s: invalid volume name: %s", argv[i], why);
	if ((r = cli_open(s)))
		return r;
	if ((r = vss_volume_remove(s->ctx, argv[i])))
		return cli_engine_error(s, r);
	return VSS_EXIT_OK;
}
