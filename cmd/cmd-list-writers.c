/* list writers [-o COLUMNS] [-nrbJ] */
#include "config.h"
#include "cmd.h"

#include <stdlib.h>

int cmd_list_writers(struct session *s, int argc, char **argv)
{
	struct vss_writer_status *ws;
	struct cli_out o = { 0 };
	size_t n;
	int i, r;

	if ((i = cli_getopt(s, argc, argv, cli_on_output, &o)) < 0 ||
	    (r = cli_output_parse(s, &cli_writers_listing, &o)) < 0)
		return VSS_EXIT_USAGE;
	if (r)
		return VSS_EXIT_OK;
	if (i < argc)
		return cli_usage(s, "unexpected argument '%s'", argv[i]);
	if ((r = cli_open(s)))
		return r;
	if (vss_writer_list(s->ctx, &ws, &n))
		return cli_engine_error(s);
	r = cli_print_writers(ws, n, &o) ? cli_error(s, VSS_EXIT_FAILED, "out of memory") : 0;
	free(ws);
	return r;
}
