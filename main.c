/* The vss binary has two faces over one engine: run as vsstui (a link to
 * it), the dashboard; under any other name, the command line. */
#include "config.h"
#include "cli/cli.h"
#include "tui/tui.h"

#include <libgen.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	char *copy = strdup(argv[0] ? argv[0] : "vss");
	int tui = copy && !strcmp(basename(copy), "vsstui");

	free(copy);
	return tui ? tui_main(argc, argv) : cli_main(argc, argv);
}
