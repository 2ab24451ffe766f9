/* volume import DEVICE NAME */
#include "config.h"
#include "cli.h"

int cmd_volume_import(struct session *s, int argc, char **argv)
{
	char why[160];
	int i = cli_getopt(s, argc, argv, "", cli_no_options, NULL, NULL), r;

	if (i < 0)
		return VSS_EXIT_USAGE;
	if (argc - i != 2)
		return cli_usage(s, argc - i < 2 ? "needs a device and a name" : "too many arguments");
	/* A malformed name is a usage error, caught before anything is touched. */
	if (vss_name_check(argv[i + 1], why, sizeof(why)))
		return cli_error(s, VSS_EXIT_USAGE, "%s: invalid volume name: %s", argv[i + 1], why);
	if ((r = cli_open(s)))
		return r;
	if ((r = vss_volume_import(s->ctx, argv[i], argv[i + 1])))
		return cli_engine_error(s, r);
	return VSS_EXIT_OK;
}
