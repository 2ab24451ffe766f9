/* The vss binary: argv[0] picks the face; global options; one command. */
#include "config.h"
#include "cli.h"

#include <getopt.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct option global_options[] = {
	{ "config", required_argument, NULL, 'C' },
	{ "help", no_argument, NULL, 'h' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "version", no_argument, NULL, 'V' },
	{ "fault-points", no_argument, NULL, 'F' },
	{ NULL, 0, NULL, 0 },
};

static int release_sets(struct session *s, int code);

static int run(struct session *s, int argc, char **argv)
{
	const struct cmd *cmd;
	char group[256];
	int used, code;

	if (argc == 0) {
		fprintf(stderr, "%s: no command given; see '%s help'\n", s->prog, s->prog);
		return VSS_EXIT_USAGE;
	}
	cmd = cmd_find(argc, argv, &used);
	if (!cmd) {
		cmd_group_words(argv[0], group, sizeof(group));
		if (group[0] && argc > 1)
			return cli_error(s, VSS_EXIT_USAGE, "%s %s: unknown command; %s takes: %s",
					 argv[0], argv[1], argv[0], group);
		if (group[0])
			return cli_error(s, VSS_EXIT_USAGE, "%s: needs one of: %s", argv[0], group);
		return cli_error(s, VSS_EXIT_USAGE, "%s: unknown command; see '%s help'",
				 argv[0], s->prog);
	}
	s->cmd = cmd;
	/* The handler sees its last word as argv[0], getopt-style. */
	code = cmd->exec(s, argc - used + 1, argv + used - 1);
	code = release_sets(s, code);
	vss_ctx_free(s->ctx);
	s->ctx = NULL;
	vss_config_free(&s->cfg);
	return code;
}

/* The session ends: its auto-release sets go, however it ends. */
static int release_sets(struct session *s, int code)
{
	int sig = vss_interrupted();

	/* A pending signal would make the deletes give up waiting for the
	 * lock; only a second one may cut them short. */
	vss_interrupt(0);
	for (size_t i = 0; i < s->n_auto_release; i++) {
		/* The backup is over: its writers hear so before the set goes. */
		if (s->ctx && vss_backup_complete(s->ctx, s->auto_release[i])) {
			cli_engine_error(s);
			if (code == VSS_EXIT_OK)
				code = VSS_EXIT_WRITER;
		}
		if (s->ctx && vss_set_delete(s->ctx, s->auto_release[i], true)) {
			cli_engine_error(s);
			if (code == VSS_EXIT_OK)
				code = VSS_EXIT_FAILED;
		}
		free(s->auto_release[i]);
	}
	free(s->auto_release);
	s->auto_release = NULL;
	s->n_auto_release = 0;
	if (sig && !vss_interrupted())
		vss_interrupt(sig);
	return code;
}

static void on_signal(int sig)
{
	vss_interrupt(sig);
}

static void on_sigpipe(int sig)
{
	(void)sig;
}

/* SIGINT, SIGTERM and SIGHUP only raise a flag: the engine stops at a safe
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

int main(int argc, char **argv)
{
	struct session s = { .prog = "vss" };
	char *copy = strdup(argv[0] ? argv[0] : "vss");
	int c;

	if (copy && !strcmp(basename(copy), "vsstui")) {
		free(copy);
		return tui_main(argc, argv);
	}
	free(copy);
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:C:hqvV", global_options, NULL)) != -1) {
		switch (c) {
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
			if (optopt)
				return cli_error(&s, VSS_EXIT_USAGE, "unknown option -%c; see 'vss help'",
						 optopt);
			return cli_error(&s, VSS_EXIT_USAGE, "unknown option %s; see 'vss help'",
					 argv[optind - 1]);
		}
	}
	catch_signals();
	return finish(run(&s, argc - optind, argv + optind));
}
