/* A session: one command, -c, a script or the shell. The engine and the
 * configuration are opened once, by the first command that needs them;
 * what the session made is undone, however it ends. */
#include "config.h"
#include "cmd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void session_init(struct session *s)
{
	memset(s, 0, sizeof(*s));
	s->prog = "vss";
}

static int open_engine(struct session *s)
{
	struct vss_options opts = { 0 };
	char err[4096];
	int r;

	if (!s->cfg_loaded) {
		if (vss_config_load(&s->cfg, s->config_path, false, err, sizeof(err))) {
			/* Every problem of the file, one per line, each with its place. */
			for (char *line = strtok(err, "\n"); line; line = strtok(NULL, "\n"))
				fprintf(stderr, "%s: %s\n", s->prog, line);
			return VSS_EXIT_USAGE;
		}
		s->cfg_loaded = true;
	}
	if (s->ctx)
		return 0;
	opts.state_dir = s->cfg.state_dir;
	opts.run_dir = s->cfg.run_dir;
	opts.lock_timeout_ms = s->cfg.lock_timeout_ms;
	opts.freeze_timeout_ms = s->cfg.freeze_timeout_ms;
	opts.policy = &s->cfg.policy;
	if ((r = vss_ctx_new(&s->ctx, &opts)) == -ENAMETOOLONG)
		return cli_error(s, VSS_EXIT_USAGE, "the state directory (%s) or the run directory "
				 "(%s) is too long a path", opts.state_dir ? opts.state_dir : VSS_STATE_DIR,
				 opts.run_dir ? opts.run_dir : VSS_RUN_DIR);
	if (r)
		return cli_error(s, VSS_EXIT_FAILED, "%s", strerror(-r));
	cli_printer_attach(s);
	/* So that a dashboard elsewhere follows what this session does. */
	vss_events_publish(s->ctx, true);
	if (vss_writers_configure(s->ctx, s->cfg.writers, s->cfg.nwriters,
				  s->cfg.hook_dir[0] ? s->cfg.hook_dir : NULL, s->cfg.hook_timeout_ms)) {
		r = cli_error(s, VSS_EXIT_USAGE, "%s", vss_errmsg(s->ctx));
		vss_ctx_free(s->ctx);
		s->ctx = NULL;
		return r;
	}
	return 0;
}

int cli_open(struct session *s)
{
	int r;

	if ((s->cmd->flags & CMD_ROOT) && geteuid() != 0)
		return cli_error(s, VSS_EXIT_FAILED, "must be run as root");
	if ((r = open_engine(s)))
		return r;
	if ((s->cmd->flags & CMD_STATE) && vss_state_check(s->ctx))
		return cli_error(s, VSS_EXIT_USAGE, "%s", vss_errmsg(s->ctx));
	if ((s->cmd->flags & CMD_ROOT) && vss_dm_available(s->ctx))
		return cli_error(s, VSS_EXIT_FAILED, "%s", vss_errmsg(s->ctx));
	return 0;
}

static int push(char ***v, size_t *n, const char *id)
{
	char **nv = realloc(*v, (*n + 1) * sizeof(**v));

	if (!nv)
		return -1;
	*v = nv;
	if (!(nv[*n] = strdup(id)))
		return -1;
	(*n)++;
	return 0;
}

int cli_remember_set(struct session *s, const char *id, bool auto_release)
{
	snprintf(s->last_set, sizeof(s->last_set), "%s", id);
	/* Deleting it matters more than telling its writers. */
	if (auto_release && push(&s->auto_release, &s->n_auto_release, id))
		return -1;
	if (s->backup_open && push(&s->backup_sets, &s->n_backup_sets, id))
		return -2;
	return 0;
}

/* Takes ID out of V. */
static void drop(char **v, size_t *n, const char *id)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp(v[i], id)) {
			free(v[i]);
			memmove(v + i, v + i + 1, (*n - i - 1) * sizeof(*v));
			(*n)--;
			return;
		}
}

void cli_forget_set(struct session *s, const char *id)
{
	/* Its writers' sequence ended with it (nothing held for a set gone). */
	cli_backup_end(s, id, false);
	drop(s->auto_release, &s->n_auto_release, id);
	drop(s->backup_sets, &s->n_backup_sets, id);
	if (!strcmp(s->last_set, id))
		s->last_set[0] = '\0';
}

int cli_backup_end(struct session *s, const char *id, bool complete)
{
	if (!s->ctx || !vss_backup_end(s->ctx, id, complete))
		return 0;
	return cli_engine_error(s);
}

static void free_ids(char ***v, size_t *n)
{
	for (size_t i = 0; i < *n; i++)
		free((*v)[i]);
	free(*v);
	*v = NULL;
	*n = 0;
}

int session_end(struct session *s, int code)
{
	int sig = vss_interrupted();

	/* A pending signal would make the deletes give up waiting for the
	 * lock; only a second one may cut them short. */
	vss_interrupt(0);
	/* A backup left open did not complete: its writers must not hear
	 * backup-complete. */
	if (s->backup_open) {
		fprintf(stderr, "%s: begin-backup without end-backup: the backup did not complete\n",
			s->prog);
		for (size_t i = 0; i < s->n_backup_sets; i++)
			cli_backup_end(s, s->backup_sets[i], false);
		s->backup_open = false;
		if (code == VSS_EXIT_OK)
			code = VSS_EXIT_FAILED;
	}
	free_ids(&s->backup_sets, &s->n_backup_sets);
	for (size_t i = 0; i < s->n_auto_release; i++) {
		/* The backup is over: its writers hear so before the set goes,
		 * when every command of the session succeeded - never after
		 * a failure, which a database must not take for a backup. */
		int r = cli_backup_end(s, s->auto_release[i], code == VSS_EXIT_OK && !s->failed && !sig);

		if (r && code == VSS_EXIT_OK)
			code = r;
		if (s->ctx && vss_set_delete(s->ctx, s->auto_release[i], true)) {
			cli_engine_error(s);
			if (code == VSS_EXIT_OK)
				code = VSS_EXIT_FAILED;
		}
	}
	free_ids(&s->auto_release, &s->n_auto_release);
	vss_ctx_free(s->ctx);
	s->ctx = NULL;
	if (s->cfg_loaded)
		vss_config_free(&s->cfg);
	s->cfg_loaded = false;
	free(s->set.writers);
	s->set.writers = NULL;
	if (sig && !vss_interrupted())
		vss_interrupt(sig);
	return code;
}
