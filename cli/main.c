/* vss as a command: global options, then one command, a script (-c,
 * -f) or the REPL; and bash completion's questions. */
#include "config.h"
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct option global_options[] = {
	{ "config", required_argument, NULL, 'C' },
	{ "help", no_argument, NULL, 'h' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "version", no_argument, NULL, 'V' },
	{ "fault-points", no_argument, NULL, 'F' },
	{ "command", required_argument, NULL, 'c' },
	{ "file", required_argument, NULL, 'f' },
	{ NULL, 0, NULL, 0 },
};

/* "did you mean --verbose? " for --verbos, or "". */
static const char *nearest_global(const char *arg)
{
	static char hint[sizeof(((struct cli_suggest *)0)->best) + 32];
	struct cli_suggest sg;
	char typed[65];

	hint[0] = '\0';
	if (strncmp(arg, "--", 2))
		return hint;
	snprintf(typed, sizeof(typed), "%.*s", (int)strcspn(arg + 2, "="), arg + 2);
	cli_suggest_init(&sg, typed);
	for (const struct option *o = global_options; o->name; o++)
		if (strcmp(o->name, "fault-points"))
			cli_suggest_offer(&sg, o->name, strlen(o->name));
	if (sg.best[0])
		snprintf(hint, sizeof(hint), "did you mean --%s? ", sg.best);
	return hint;
}

/* The whole of FILE ("-": stdin), for a script: NULL after saying why. */
static char *slurp(struct session *s, const char *path)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	char *text = NULL;
	size_t size = 0, len = 0, got;

	if (!f) {
		cli_error(s, VSS_EXIT_USAGE, "%s: %s", path, strerror(errno));
		return NULL;
	}
	do {
		char *t;

		if (len + 4096 + 1 > size) {
			size = size ? size * 2 : 8192;
			if (!(t = realloc(text, size))) {
				free(text);
				text = NULL;
				cli_error(s, VSS_EXIT_FAILED, "out of memory");
				break;
			}
			text = t;
		}
		got = fread(text + len, 1, 4096, f);
		len += got;
	} while (got > 0);
	if (text && ferror(f)) {
		cli_error(s, VSS_EXIT_USAGE, "%s: %s", path, strerror(errno));
		free(text);
		text = NULL;
	}
	if (text && memchr(text, '\0', len)) {
		/* Not a script (UTF-16, a binary): nothing of it may run. */
		cli_error(s, VSS_EXIT_USAGE, "%s: contains a NUL byte: not a text file", path);
		free(text);
		text = NULL;
	}
	if (text)
		text[len] = '\0';
	if (f != stdin)
		fclose(f);
	return text;
}

/* Whichever face was asked for, one session. */
static int run(struct session *s, const char *commands, const char *file, int argc, char **argv)
{
	char *text;
	int code;

	if (commands) {
		code = script_run(s, NULL, commands);
	} else if (file || (argc == 0 && !isatty(STDIN_FILENO))) {
		/* vss -f FILE, or vss < FILE. */
		if (!(text = slurp(s, file ? file : "-")))
			return VSS_EXIT_USAGE;
		code = script_run(s, file && strcmp(file, "-") ? file : "stdin", text);
		free(text);
	} else if (argc == 0) {
		code = repl_run(s);
	} else {
		code = session_run(s, argc, argv);
	}
	return session_end(s, code);
}

static void on_signal(int sig)
{
	/* Ctrl-C must not turn a pending SIGTERM into one the shell survives. */
	if (sig == SIGINT && vss_interrupted() && vss_interrupted() != SIGINT)
		return;
	vss_interrupt(sig);
}

static void on_sigpipe(int sig)
{
	(void)sig;
}

/* SIGINT, SIGTERM, SIGHUP and SIGQUIT only raise a flag: the engine stops at a safe
 * point and undoes what it was making; then we die of the same signal, so
 * whoever ran us sees why. */
static void catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	/* Ctrl-\ too: a core dump would leave a set half made. */
	sigaction(SIGQUIT, &sa, NULL);
	/* A reader that went away (vss ... | head) must not kill us between
	 * two steps: a write to it fails instead, and we go on. A handler,
	 * not SIG_IGN, so the programs we run get the default back. */
	sa.sa_handler = on_sigpipe;
	sigaction(SIGPIPE, &sa, NULL);
	/* Writers' exit statuses are their answers: inherited SIG_IGN for
	 * SIGCHLD would have the kernel reap them unseen. */
	signal(SIGCHLD, SIG_DFL);
}

static int finish(int code)
{
	int sig = vss_interrupted();

	if (sig) {
		signal(sig, SIG_DFL);
		raise(sig);
	}
	return code;
}

int cli_main(int argc, char **argv)
{
	struct session s;
	const char *commands = NULL, *file = NULL;
	int c;

	session_init(&s);
	/* bash's completion asks: vss __complete CWORD WORD... */
	if (argc >= 3 && !strcmp(argv[1], "__complete")) {
		complete_words(&s, argc - 3, argv + 3, atoi(argv[2]), stdout);
		return session_end(&s, VSS_EXIT_OK);
	}
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:C:c:f:hqvV", global_options, NULL)) != -1) {
		switch (c) {
		case 'c':
			commands = optarg;
			break;
		case 'f':
			file = optarg;
			break;
		case 'C':
			s.config_path = optarg;
			break;
		case 'h':
			cli_print_usage(stdout);
			return VSS_EXIT_OK;
		case 'q':
			s.quiet = true;
			break;
		case 'v':
			s.verbose++;
			break;
		case 'F':
			/* Only builds with fault injection have any. */
			if (!vss_fault_points())
				return cli_error(&s, VSS_EXIT_USAGE,
						 "this build has no fault injection (configure --enable-fault-injection)");
			for (const char *const *p = vss_fault_points(); *p; p++)
				printf("%s\n", *p);
			return VSS_EXIT_OK;
		case 'V':
			printf("%s %s\n", PACKAGE_NAME, PACKAGE_VERSION);
			return VSS_EXIT_OK;
		case ':':
			return cli_error(&s, VSS_EXIT_USAGE, "option %s needs a value", argv[optind - 1]);
		default:
			/* (glibc sets optopt for a long option given a value it
			 * does not take: --quiet=x is no unknown -q.) */
			if (!strncmp(argv[optind - 1], "--", 2) && strchr(argv[optind - 1], '=') &&
			    optopt)
				return cli_error(&s, VSS_EXIT_USAGE, "option %.*s takes no value",
						 (int)strcspn(argv[optind - 1], "="), argv[optind - 1]);
			if (optopt && strncmp(argv[optind - 1], "--", 2))
				return cli_error(&s, VSS_EXIT_USAGE, "unknown option -%c; see 'vss help'",
						 optopt);
			return cli_error(&s, VSS_EXIT_USAGE, "unknown option %s; %ssee 'vss help'",
					 argv[optind - 1], nearest_global(argv[optind - 1]));
		}
	}
	if ((commands || file) && optind < argc)
		return cli_error(&s, VSS_EXIT_USAGE, "%s: a command is given with -c or -f, not after them",
				 argv[optind]);
	if (commands && file)
		return cli_error(&s, VSS_EXIT_USAGE, "-c and -f: one or the other");
	catch_signals();
	return finish(run(&s, commands, file, argc - optind, argv + optind));
}
