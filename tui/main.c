/* vsstui: the dashboard face of the vss binary (argv[0] == "vsstui").
 * One loop: keys, and between them (pump.c) the feed of other processes'
 * events, the job's output, a redraw at least five times a second
 * (running timers), and the engine's lists read again every few seconds or
 * when something ended. */
#include "config.h"
#include "cmd/cmd.h"
#include "tui.h"

#include <curses.h>
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TICK_MS 200

static const struct cmd tui_cmd = { .name = "vsstui", .flags = CMD_STATE };

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: vsstui [-C FILE] [-d SECONDS]\n"
		"\n"
		"The live dashboard of vss: volumes, shadow copy sets, writers and what\n"
		"every vss process is doing. F1 or ? inside lists the keys.\n"
		"\n"
		"  -C, --config FILE     read FILE instead of %s\n"
		"  -d, --delay SECONDS   read the lists again every SECONDS (default 2)\n"
		"  -h, --help            this help\n"
		"  -V, --version         the version\n"
		"\n"
		"See vsstui(8).\n", VSS_CONF_FILE);
}

static int loop(struct ui *ui)
{
	while (!ui->quit && !screen_signalled()) {
		struct pollfd pfd[2] = { { .fd = STDIN_FILENO, .events = POLLIN },
					 { .fd = ui->job.pid ? ui->job.out : -1, .events = POLLIN } };
		int c;

		ui_pump(ui);
		if (poll(pfd, 2, TICK_MS) > 0 && (pfd[0].revents & (POLLHUP | POLLERR | POLLNVAL)))
			/* The terminal went away: as if it had hung up on us. */
			screen_hangup();
		while ((c = getch()) != ERR && !ui->quit && !screen_signalled())
			keys_handle(ui, c);
	}
	return screen_signalled();
}

int tui_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'C' },
		{ "delay", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct session s;
	struct model m;
	struct ui ui;
	struct vss_feed *feed;
	long long refresh_us = 2000000;
	int c, code, sig;
	char *end;
	double d;

	session_init(&s);
	s.prog = "vsstui";
	s.cmd = &tui_cmd;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":C:d:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'C':
			s.config_path = optarg;
			break;
		case 'd':
			d = strtod(optarg, &end);
			if (*end || end == optarg || !(d >= 0.2 && d <= 3600))
				return cli_error(&s, VSS_EXIT_USAGE,
						 "--delay %s: not a number of seconds from 0.2 to 3600", optarg);
			refresh_us = (long long)(d * 1e6);
			break;
		case 'h':
			usage(stdout);
			return VSS_EXIT_OK;
		case 'V':
			printf("%s %s\n", PACKAGE_NAME, PACKAGE_VERSION);
			return VSS_EXIT_OK;
		case ':':
			return cli_error(&s, VSS_EXIT_USAGE, "option %s needs a value", argv[optind - 1]);
		default:
			cli_error(&s, VSS_EXIT_USAGE, "unknown option %s", argv[optind - 1]);
			usage(stderr);
			return VSS_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		cli_error(&s, VSS_EXIT_USAGE, "unexpected argument '%s'", argv[optind]);
		usage(stderr);
		return VSS_EXIT_USAGE;
	}
	/* The jobs' exit statuses are their outcomes: an inherited SIG_IGN
	 * would have the kernel reap them unseen. */
	signal(SIGCHLD, SIG_DFL);
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return cli_error(&s, VSS_EXIT_USAGE, "needs a terminal; use vss for scripts");
	if ((code = cli_open(&s)))
		return session_end(&s, code);
	if (vss_feed_open(s.ctx, &feed))
		feed = NULL;
	model_init(&m);
	model_attach(&m, s.ctx);
	memset(&ui, 0, sizeof(ui));
	ui.m = &m;
	ui.ctx = s.ctx;
	ui.config = s.config_path;
	ui.focus = P_SETS;
	ui.job.out = -1;
	ui.feed = feed;
	ui.refresh_us = refresh_us;
	if (screen_open() < 0) {
		vss_feed_close(feed);
		return session_end(&s, cli_error(&s, VSS_EXIT_FAILED, "cannot set up the terminal"));
	}
	sig = loop(&ui);
	if (ui.job.pid) {
		/* Stopping the job first: it resumes and thaws what it froze. */
		move(LINES - 1, 0);
		clrtoeol();
		mvaddnstr(LINES - 1, 0, " stopping the command under way...", COLS);
		refresh();
		job_stop(&ui.job, &m, SIGTERM);
	}
	screen_close();
	vss_feed_close(feed);
	free(ui.marked);
	model_free(&m);
	code = session_end(&s, VSS_EXIT_OK);
	if (sig) {
		/* Whoever ran us sees why we ended. */
		signal(sig, SIG_DFL);
		raise(sig);
	}
	return code;
}
