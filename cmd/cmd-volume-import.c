/* volume import [--thin SIZE] DEVICE NAME */
#include "config.h"
#include "cmd.h"

static int on_option(struct session *s, int c, const char *arg, void *data)
{
	(void)c;
	if (vss_size_parse(arg, data) || !*(uint64_t *)data)
		return cli_usage(s, "--thin %s: not a size (512M, 20G)", arg);
	return 0;
}

int cmd_volume_import(struct session *s, int argc, char **argv)
{
	uint64_t thin = 0;
	int i = cli_getopt(s, argc, argv, on_option, &thin), r;

	if (i < 0)
		return VSS_EXIT_USAGE;
	if (argc - i != 2)
		return cli_usage(s, argc - i < 2 ? "needs a device and a name" : "too many arguments");
	if ((r = cli_check_name(s, argv[i + 1])) || (r = cli_open(s)))
		return r;
	r = thin ? vss_volume_import_thin(s->ctx, argv[i], argv[i + 1], thin) :
		   vss_volume_import(s->ctx, argv[i], argv[i + 1]);
	return r ? cli_engine_error(s) : VSS_EXIT_OK;
}
