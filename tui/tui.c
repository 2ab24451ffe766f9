/* vsstui: the dashboard face of the vss binary (argv[0] == "vsstui"). */
#include "config.h"
#include "cli/cli.h"

#include <stdio.h>

int tui_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "vsstui: the dashboard is not built yet in this version; use vss\n");
	return VSS_EXIT_USAGE;
}
