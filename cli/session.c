/* Opening the engine for a command: configuration, root, state directory. */
#include "config.h"
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int cli_open(struct session *s)
{
	struct vss_options opts = { 0 };
	char err[4096];
	int r;

	if (vss_config_load(&s->cfg, s->config_path, false, err, sizeof(err))) {
		/* Every problem of the file, one per line, each with its place. */
		for (char *line = strtok(err, "\n"); line; line = strtok(NULL, "\n"))
			fprintf(stderr, "%s: %s\n", s->prog, line);
		return VSS_EXIT_USAGE;
	}
	if ((s->cmd->flags & CMD_ROOT) && geteuid() != 0)
		return cli_error(s, VSS_EXIT_FAILED, "must be run as root");
	opts.state_dir = s->cfg.state_dir;
	opts.run_dir = s->cfg.run_dir;
	opts.lock_timeout_ms = s->cfg.lock_timeout_ms;
	opts.freeze_timeout_ms = s->cfg.freeze_timeout_ms;
	if ((r = vss_ctx_new(&s->ctx, &opts)) == -ENAMETOOLONG)
		return cli_error(s, VSS_EXIT_USAGE, "the state directory (%s) or the run directory "
				 "(%s) is too long a path", opts.state_dir ? opts.state_dir : VSS_STATE_DIR,
				 opts.run_dir ? opts.run_dir : VSS_RUN_DIR);
	if (r)
		return cli_error(s, VSS_EXIT_FAILED, "%s", strerror(-r));
	cli_printer_attach(s);
	if (vss_writers_configure(s->ctx, s->cfg.writers, s->cfg.nwriters,
				  s->cfg.hook_dir[0] ? s->cfg.hook_dir : NULL, s->cfg.hook_timeout_ms))
		return cli_error(s, VSS_EXIT_USAGE, "%s", vss_errmsg(s->ctx));
	if ((s->cmd->flags & CMD_STATE) && vss_state_check(s->ctx))
		return cli_error(s, VSS_EXIT_USAGE, "%s", vss_errmsg(s->ctx));
	if ((s->cmd->flags & CMD_ROOT) && vss_dm_available(s->ctx))
		return cli_error(s, VSS_EXIT_FAILED, "%s", vss_errmsg(s->ctx));
	return 0;
}
