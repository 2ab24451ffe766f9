/* list writers [--json] */
#include "config.h"
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>

int cmd_list_writers(struct session *s, int argc, char **argv)
{
	struct vss_writer_status *ws;
	bool json = false;
	size_t n;
	int i, r;

	if ((i = cli_getopt(s, argc, argv, cli_on_json, &json)) < 0)
		return VSS_EXIT_USAGE;
	if (i < argc)
		return cli_usage(s, "unexpected argument '%s'", argv[i]);
	if ((r = cli_open(s)))
		return r;
	if (vss_writer_list(s->ctx, &ws, &n))
		return cli_engine_error(s);
	cli_print_writers(ws, n, json);
	free(ws);
	return VSS_EXIT_OK;
}
