/* check-config [FILE]: every problem of the file, each with its line */
#include "config.h"
#include "cmd.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* A file that parses may still name directories every command would
 * refuse: said now, as the commands would say it. */
static int dirs(struct session *s, const struct vss_config *cfg)
{
	struct vss_options opts = { .state_dir = cfg->state_dir, .run_dir = cfg->run_dir };
	struct vss_ctx *ctx;
	int r;

	/* Only root's commands make or may refuse them; another user cannot
	 * look into root's 0700 state directory anyway. */
	if (geteuid() != 0)
		return 0;
	if ((r = vss_ctx_new(&ctx, &opts)) == -ENAMETOOLONG)
		return cli_error(s, VSS_EXIT_USAGE, "the state directory (%s) or the run directory "
				 "(%s) is too long a path", cfg->state_dir, cfg->run_dir);
	if (r)
		return cli_error(s, VSS_EXIT_FAILED, "%s", strerror(-r));
	if ((r = vss_dirs_probe(ctx)))
		cli_error(s, VSS_EXIT_USAGE, "%s", vss_errmsg(ctx));
	vss_ctx_free(ctx);
	return r;
}

int cmd_check_config(struct session *s, int argc, char **argv)
{
	struct vss_config cfg;
	const char *path;
	char err[8192];
	int i = cli_getopt(s, argc, argv, NULL, NULL);

	if (i < 0)
		return VSS_EXIT_USAGE;
	if (argc - i > 1)
		return cli_usage(s, "one file at a time");
	path = i < argc ? argv[i] : s->config_path;
	if (vss_config_load(&cfg, path, true, err, sizeof(err))) {
		for (char *line = strtok(err, "\n"); line; line = strtok(NULL, "\n"))
			fprintf(stderr, "%s: %s\n", s->prog, line);
		vss_config_free(&cfg);
		return VSS_EXIT_USAGE;
	}
	if (dirs(s, &cfg)) {
		vss_config_free(&cfg);
		return VSS_EXIT_USAGE;
	}
	if (!s->quiet)
		printf("%s: OK (%zu writer%s%s%s)\n", cfg.path[0] ? cfg.path : "no configuration file, defaults",
		       cfg.nwriters, cfg.nwriters == 1 ? "" : "s", cfg.hook_dir[0] ? ", hooks from " : "",
		       cfg.hook_dir);
	vss_config_free(&cfg);
	return VSS_EXIT_OK;
}
