/* writer verify [-J] [NAME]: identify only, and what came of it */
#include "config.h"
#include "cmd.h"

#include <getopt.h>
#include <stdlib.h>

int cmd_writer_verify(struct session *s, int argc, char **argv)
{
	struct vss_writer_status *ws;
	struct cli_out o = { 0 };
	size_t n;
	int i, r, code = VSS_EXIT_OK;

	if ((i = cli_getopt(s, argc, argv, cli_on_output, &o)) < 0)
		return VSS_EXIT_USAGE;
	cli_output_parse(s, &cli_writers_listing, &o);
	if (argc - i > 1)
		return cli_usage(s, "one writer at a time");
	if ((r = cli_open(s)))
		return r;
	cli_progress_begin(s, o.json);
	if (vss_writer_verify(s->ctx, i < argc ? argv[i] : NULL, &ws, &n))
		code = cli_engine_error(s);
	/* What each writer did, failed or not. */
	if (n && (!s->quiet || o.json))
		cli_print_writers(ws, n, &o);
	else if (!n && code == VSS_EXIT_OK && !s->quiet)
		printf("no writer is configured and enabled\n");
	free(ws);
	return code;
}
