/* The keys' help: the help screen's table and the line at the bottom (the
 * view draws them; keys.c does what they say; vsstui.8 lists the same). */
#include "config.h"
#include "tui.h"

const struct key_help tui_keys[] = {
	{ "F1, ?, h", "this help" },
	{ "Tab, Shift-Tab", "the next or the previous panel" },
	{ "Up, Down, j, k", "select a row of the panel" },
	{ "PgUp, PgDn, Home, End", "move by a page, to the first or the last row" },
	{ "Space", "volumes: mark or unmark one for the next set" },
	{ "c", "create a set (vss create-set) of the marked or selected volumes" },
	{ "d", "delete the selected set (vss delete-set), after asking" },
	{ "e", "expose the selected set or shadow (vss expose)" },
	{ "u", "unexpose the selected set or shadow (vss unexpose)" },
	{ "r", "revert the selected set's volumes, or the shadow's, to it (vss revert), after asking" },
	{ "v", "verify the selected writer (vss writer verify NAME)" },
	{ "V", "verify every writer (vss writer verify)" },
	{ ":", "run a vss command typed whole (Tab completes its words)" },
	{ "/", "filter the panels by a name, a label or an id" },
	{ "Esc", "clear the filter" },
	{ "R, F5", "read everything again now" },
	{ "Ctrl-L", "redraw the screen" },
	{ "q, F10", "quit (asks first while a command runs)" },
	{ NULL, NULL },
};

const char tui_key_line[] =
	" F1 help  Tab panel  c create  d delete  e expose  u unexpose  r revert  v verify  / filter  q quit";
