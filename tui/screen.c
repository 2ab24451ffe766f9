/* The terminal: curses set up and always given back. SIGINT, SIGTERM and
 * SIGHUP only raise a flag that the loop reads (it then stops its job and
 * restores the terminal); SIGTSTP and SIGWINCH are left to curses, which
 * gives the terminal back before stopping and redraws on SIGCONT and on
 * a resize. */
#include "config.h"
#include "tui.h"

#include <curses.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t signalled;
static bool open_, colors;
static SCREEN *term;

static void on_signal(int sig)
{
	signalled = sig;
}

int screen_signalled(void)
{
	return signalled;
}

void screen_hangup(void)
{
	signalled = SIGHUP;
}

bool screen_wait_key(int ms)
{
	struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };

	if (poll(&pfd, 1, ms) > 0 && (pfd.revents & (POLLHUP | POLLERR | POLLNVAL))) {
		/* The terminal went away: as if it had hung up on us. */
		screen_hangup();
		return false;
	}
	return true;
}

bool screen_colors(void)
{
	return colors;
}

static void closing(void)
{
	screen_close();
}

int screen_open(void)
{
	struct sigaction sa;
	const char *no_color = getenv("NO_COLOR");

	setlocale(LC_ALL, "");
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: the loop's poll() wakes at once. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
	/* newterm, not initscr: a terminal curses cannot drive is an error
	 * of ours to report, not an exit inside curses. */
	if (!(term = newterm(NULL, stdout, stdin)))
		return -1;
	set_term(term);
	open_ = true;
	atexit(closing);
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	curs_set(0);
	/* Esc alone is a key here (cancel), not the start of a sequence. */
	set_escdelay(50);
	/* NO_COLOR (no-color.org): set to anything but "", no colour. */
	if (has_colors() && !(no_color && *no_color)) {
		start_color();
		use_default_colors();
		init_pair(C_TITLE, COLOR_BLACK, COLOR_CYAN);
		init_pair(C_HEADER, COLOR_CYAN, -1);
		init_pair(C_SELECTED, COLOR_BLACK, COLOR_WHITE);
		init_pair(C_OK, COLOR_GREEN, -1);
		init_pair(C_WARN, COLOR_YELLOW, -1);
		init_pair(C_BAD, COLOR_RED, -1);
		init_pair(C_DIM, COLOR_BLUE, -1);
		init_pair(C_BAR, COLOR_BLACK, COLOR_GREEN);
		colors = true;
	}
	return 0;
}

void screen_close(void)
{
	if (!open_)
		return;
	open_ = false;
	curs_set(1);
	endwin();
	fflush(stdout);
	delscreen(term);
	term = NULL;
}
