/* What each key does (their help, for the screen and vsstui(8), is
 * keyhelp.c's). Every action is a vss command run as a job, with the same
 * words as on the command line. */
#include "config.h"
#include "cmd/cmd.h"
#include "cmd/words.h"
#include "tui.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEY_CTRL(c) ((c) & 0x1f)

static struct row selected_row(struct ui *ui, enum panel p, bool *found)
{
	size_t n;
	struct row *rows = rows_of(ui->m, p, ui->filter, &n), r = { p, 0, -1 };

	*found = rows && ui->sel[p] < n;
	if (*found)
		r = rows[ui->sel[p]];
	free(rows);
	return r;
}

static void say(struct ui *ui, const char *msg)
{
	snprintf(ui->message, sizeof(ui->message), "%s", msg);
}

static void run(struct ui *ui, char **argv)
{
	job_start(&ui->job, ui->m, ui->config, argv);
}

/* SET or SET/VOLUME of the selected row of the sets panel. */
static bool selected_shadow(struct ui *ui, char *spec, size_t len, const struct vss_set **set)
{
	bool found;
	struct row r = selected_row(ui, P_SETS, &found);

	if (ui->focus != P_SETS || !found) {
		say(ui, "select a set or a shadow first (Tab to the Sets panel)");
		return false;
	}
	*set = &ui->m->sets[r.index];
	if (r.shadow < 0)
		snprintf(spec, len, "%s", (*set)->id);
	else
		snprintf(spec, len, "%s/%s", (*set)->id, (*set)->shadows[r.shadow].volume);
	return true;
}

static void create(struct ui *ui)
{
	char vols[1024] = "", initial[1024], label[256], writers[256], *argv[80];
	size_t n = 0, len = 0;
	int argc = 0;

	for (size_t i = 0; i < ui->nmarked; i++) {
		int k = snprintf(vols + len, sizeof(vols) - len, "%s%s", len ? " " : "", ui->marked[i]);

		if (k < 0 || (size_t)k >= sizeof(vols) - len) {
			say(ui, "create-set: too many volumes marked for one line; use vss create-set");
			return;
		}
		len += (size_t)k;
	}
	if (!len && ui->focus == P_VOLUMES) {
		bool found;
		struct row r = selected_row(ui, P_VOLUMES, &found);

		if (found)
			snprintf(vols, sizeof(vols), "%s", ui->m->vols[r.index].name);
	}
	snprintf(initial, sizeof(initial), "%s", vols);
	/* Tab completes the volumes and the writers as create-set's. */
	if (!prompt_command(ui, "Create a set of volumes:", "create-set --", initial, vols,
			    sizeof(vols)) ||
	    !prompt_line(ui, "Label (empty: none):", "", label, sizeof(label)) ||
	    !prompt_command(ui, "Writers (all, none or NAME,NAME):", "create-set --writers", "all",
			    writers, sizeof(writers))) {
		say(ui, "create-set: cancelled");
		return;
	}
	argv[argc++] = "create-set";
	/* Said out loud: an auto-release context from vss.conf would have the
	 * set deleted as soon as its command ends. */
	argv[argc++] = "--context";
	argv[argc++] = "persistent";
	if (label[0]) {
		argv[argc++] = "--label";
		argv[argc++] = label;
	}
	argv[argc++] = "--writers";
	argv[argc++] = writers[0] ? writers : "all";
	/* The volumes, apart by spaces or commas; -- so that none is an option. */
	argv[argc++] = "--";
	for (char *save = NULL, *v = strtok_r(vols, " ,", &save); v;
	     v = strtok_r(NULL, " ,", &save), n++) {
		/* job_start takes 60 words: refused, never cut short. */
		if (argc == 60) {
			say(ui, "create-set: too many volumes for the dashboard; use vss create-set");
			return;
		}
		argv[argc++] = v;
	}
	argv[argc] = NULL;
	if (!n) {
		say(ui, "create-set: no volume given");
		return;
	}
	run(ui, argv);
	/* The marks did their job. */
	ui->nmarked = 0;
}

static void delete(struct ui *ui)
{
	const struct vss_set *set;
	char spec[512], q[512];
	bool exposed = false;

	if (!selected_shadow(ui, spec, sizeof(spec), &set))
		return;
	for (size_t i = 0; i < set->n; i++)
		exposed |= set->shadows[i].mountpoint[0] != '\0';
	snprintf(q, sizeof(q), "Delete set %.8s%s%s%s (%zu shadow%s%s)? [y/N]", set->id,
		 set->label[0] ? " \"" : "", set->label, set->label[0] ? "\"" : "", set->n,
		 set->n == 1 ? "" : "s", exposed ? ", exposed: unmounted first" : "");
	/* While we ask, the lists are read again: SET may be gone after. */
	snprintf(spec, sizeof(spec), "%s", set->id);
	set = NULL;
	if (!prompt_yes(ui, q)) {
		say(ui, "delete-set: not done");
		return;
	}
	char *argv[] = { "delete-set", exposed ? "--force" : "--", spec, NULL };
	run(ui, argv);
}

static void revert(struct ui *ui)
{
	const struct vss_set *set;
	char spec[512], q[768], id[37], volume[128] = "";
	char *slash;

	if (!selected_shadow(ui, spec, sizeof(spec), &set))
		return;
	snprintf(id, sizeof(id), "%s", set->id);
	if ((slash = strchr(spec, '/')))
		snprintf(volume, sizeof(volume), "%s", slash + 1);
	snprintf(q, sizeof(q), "Revert %s%s to set %.8s? What was written to %s since is lost. [y/N]",
		 volume[0] ? volume : "every volume of the set", "", id, volume[0] ? "it" : "them");
	/* While we ask, the lists are read again: SET may be gone after. */
	set = NULL;
	if (!prompt_yes(ui, q)) {
		say(ui, "revert: not done");
		return;
	}
	char *argv[] = { "revert", "--yes", "--", id, volume[0] ? volume : NULL, NULL };
	run(ui, argv);
}

static void expose(struct ui *ui, bool on)
{
	const struct vss_set *set;
	char spec[512];

	if (!selected_shadow(ui, spec, sizeof(spec), &set))
		return;
	char *argv[] = { on ? "expose" : "unexpose", "--", spec, NULL };
	run(ui, argv);
}

static void verify(struct ui *ui, bool all)
{
	bool found;
	struct row r = selected_row(ui, P_WRITERS, &found);
	char name[64];

	if (all) {
		char *argv[] = { "writer", "verify", NULL };
		run(ui, argv);
		return;
	}
	if (ui->focus != P_WRITERS || !found) {
		say(ui, "select a writer first (Tab to the Writers panel), or V for all");
		return;
	}
	snprintf(name, sizeof(name), "%s", ui->m->writers[r.index].name);
	char *argv[] = { "writer", "verify", "--", name, NULL };
	run(ui, argv);
}

/* Whether the options among ARGS (a command's words after its name) ask
 * for monitor's --once, long or short. */
static bool asks_once(const struct cmd *cmd, int argc, char **args)
{
	const struct cmd_opt *opt;
	char why[256];
	bool once = false;

	for (int i = 0; i < argc && strcmp(args[i], "--"); i++) {
		if (!strncmp(args[i], "--", 2)) {
			once |= !cmd_option(cmd, args[i], &opt, why, sizeof(why)) &&
				!strcmp(opt->name, "once");
			continue;
		}
		for (const char *p = args[i] + 1; args[i][0] == '-' && *p; p++)
			once |= (opt = cmd_short_option(cmd, *p)) && !strcmp(opt->name, "once");
	}
	return once;
}

/* Whether the dashboard can run CMD (with ARGS after its name) as a job:
 * none of a session's own (the job is a session of one command), nor one
 * whose output is all it does (a job's output goes nowhere: the panels
 * are the lists), nor a monitor that would never end. */
static bool runnable(struct ui *ui, const struct cmd *cmd, int argc, char **args)
{
	static const char *const session_only[] = { "set", "begin-backup", "end-backup", "exec",
						     "exit" };
	static const char *const output_only[] = { "help", "show", "storage list" };

	for (size_t i = 0; i < sizeof(session_only) / sizeof(session_only[0]); i++)
		if (!strcmp(cmd->name, session_only[i])) {
			snprintf(ui->message, sizeof(ui->message),
				 "%s: a command of the shell or of a script, not of the dashboard",
				 cmd->name);
			return false;
		}
	for (size_t i = 0; i < sizeof(output_only) / sizeof(output_only[0]); i++)
		if (!strcmp(cmd->name, output_only[i]) || !strncmp(cmd->name, "list ", 5)) {
			snprintf(ui->message, sizeof(ui->message),
				 "%s: it only prints, and the dashboard shows no output; use vss %s",
				 cmd->name, cmd->name);
			return false;
		}
	if (!strcmp(cmd->name, "monitor") && !asks_once(cmd, argc, args)) {
		say(ui, "monitor: it runs until stopped; here, monitor --once");
		return false;
	}
	return true;
}

/* ':' - any command, its words typed at a prompt that completes them as
 * the shell does; it runs as a job, as the keys' commands do (nothing is
 * asked: revert needs --yes, as in a script). */
/* Whether ARGV (a command's words after its name) says --yes already, or
 * --dry-run (nothing to ask about). */
static bool says_yes(const struct cmd *cmd, int argc, char **argv)
{
	bool dry = cmd_short_option(cmd, 'n') != NULL;

	for (int i = 0; i < argc && strcmp(argv[i], "--"); i++) {
		const char *a = argv[i];

		if ((!strncmp(a, "--yes", strlen(a)) && strlen(a) > 2) ||
		    (dry && !strncmp(a, "--dry-run", strlen(a)) && strlen(a) > 2) ||
		    (a[0] == '-' && a[1] != '-' && (strchr(a, 'y') || (dry && strchr(a, 'n')))))
			return true;
	}
	return false;
}

/* A command that asks on a terminal (one with --yes: delete-set, prune,
 * revert, volume remove) is asked here, in the dashboard, since its job
 * has no terminal; yes runs it with --yes. */
static void run_confirmed(struct ui *ui, const struct cmd *cmd, struct command_line *cl, int used,
			  const char *line)
{
	char q[1200], yes[] = "--yes";
	char **argv;

	if (!cmd_short_option(cmd, 'y') || says_yes(cmd, cl->argc - used, cl->argv + used)) {
		run(ui, cl->argv);
		return;
	}
	snprintf(q, sizeof(q), "Run '%.1000s'? What it deletes or overwrites is lost.", line);
	if (!prompt_yes(ui, q)) {
		say(ui, "not done");
		return;
	}
	if (!(argv = calloc((size_t)cl->argc + 2, sizeof(*argv)))) {
		say(ui, "out of memory");
		return;
	}
	memcpy(argv, cl->argv, (size_t)used * sizeof(*argv));
	argv[used] = yes;
	memcpy(argv + used + 1, cl->argv + used, (size_t)(cl->argc - used) * sizeof(*argv));
	run(ui, argv);
	free(argv);
}

static void command(struct ui *ui)
{
	char line[1024], why[256];
	const struct cmd *cmd;
	struct script sc;
	int at, used;

	if (!prompt_command(ui, "vss>", "", "", line, sizeof(line)))
		return;
	if (words_split(line, false, &sc, &at, why, sizeof(why))) {
		say(ui, why);
		return;
	}
	if (sc.n == 1) {
		struct command_line *cl = &sc.cmds[0];

		if (cmd_lookup(cl->argc, cl->argv, &cmd, &used, why, sizeof(why)))
			say(ui, why);
		else if (runnable(ui, cmd, cl->argc - used, cl->argv + used))
			run_confirmed(ui, cmd, cl, used, line);
	} else if (sc.n > 1) {
		say(ui, "one command at a time");
	}
	script_free(&sc);
}

static void mark(struct ui *ui)
{
	char (*nm)[128];
	const char *name;
	bool found;
	struct row r = selected_row(ui, P_VOLUMES, &found);

	if (ui->focus != P_VOLUMES || !found)
		return;
	name = ui->m->vols[r.index].name;
	for (size_t i = 0; i < ui->nmarked; i++)
		if (!strcmp(ui->marked[i], name)) {
			memmove(ui->marked + i, ui->marked + i + 1,
				(ui->nmarked - i - 1) * sizeof(*ui->marked));
			ui->nmarked--;
			ui->sel[P_VOLUMES]++;
			return;
		}
	nm = realloc(ui->marked, (ui->nmarked + 1) * sizeof(*nm));
	if (!nm)
		return;
	ui->marked = nm;
	snprintf(nm[ui->nmarked++], sizeof(*nm), "%s", name);
	ui->sel[P_VOLUMES]++;
}

/* The next panel shown, BY steps round. */
static void next_panel(struct ui *ui, int by)
{
	enum panel p = ui->focus;

	for (int i = 0; i < P_NPANELS; i++) {
		p = (enum panel)((p + by) % P_NPANELS);
		if (!ui->hidden[p]) {
			ui->focus = p;
			return;
		}
	}
}

static void move_sel(struct ui *ui, long by)
{
	size_t *sel = &ui->sel[ui->focus];

	/* The new place is by index; view_draw names its row again. */
	ui->selkey[ui->focus][0] = '\0';
	if (by < 0 && (size_t)-by > *sel)
		*sel = 0;
	else
		*sel = (size_t)((long)*sel + by);
	/* view_draw brings it back within the rows. */
}

static void quit(struct ui *ui)
{
	if (ui->job.pid && !prompt_yes(ui, "A command is running; stop it (it undoes what it made) "
				       "and quit? [y/N]"))
		return;
	ui->quit = true;
}

bool keys_handle(struct ui *ui, int c)
{
	int page = LINES / 4 > 1 ? LINES / 4 : 1;
	char buf[128];

	ui->message[0] = '\0';
	if (ui->help) {
		ui->help = false;
		return true;
	}
	switch (c) {
	case KEY_F(1):
	case '?':
	case 'h':
		ui->help = true;
		break;
	case '\t':
		next_panel(ui, 1);
		break;
	case KEY_BTAB:
		next_panel(ui, P_NPANELS - 1);
		break;
	case KEY_UP:
	case 'k':
		move_sel(ui, -1);
		break;
	case KEY_DOWN:
	case 'j':
		move_sel(ui, 1);
		break;
	case KEY_PPAGE:
		move_sel(ui, -page);
		break;
	case KEY_NPAGE:
		move_sel(ui, page);
		break;
	case KEY_HOME:
		ui->sel[ui->focus] = 0;
		ui->selkey[ui->focus][0] = '\0';
		break;
	case KEY_END:
		/* Past any list: view_draw brings it to the last row. */
		ui->sel[ui->focus] = 1u << 30;
		ui->selkey[ui->focus][0] = '\0';
		break;
	case ' ':
		mark(ui);
		break;
	case 'c':
		create(ui);
		break;
	case 'd':
		delete(ui);
		break;
	case 'e':
		expose(ui, true);
		break;
	case 'u':
		expose(ui, false);
		break;
	case 'r':
		revert(ui);
		break;
	case 'v':
		verify(ui, false);
		break;
	case 'V':
		verify(ui, true);
		break;
	case ':':
		command(ui);
		break;
	case '/':
		if (prompt_line(ui, "Filter:", ui->filter, buf, sizeof(buf)))
			snprintf(ui->filter, sizeof(ui->filter), "%s", buf);
		break;
	case 27:
		ui->filter[0] = '\0';
		break;
	case 'R':
	case KEY_F(5):
		ui->m->stale = true;
		break;
	case KEY_CTRL('l'):
		clearok(curscr, TRUE);
		break;
	case 'q':
	case KEY_F(10):
		quit(ui);
		break;
	case KEY_RESIZE:
		/* curses has the new size; the next draw fits it. */
		break;
	default:
		return false;
	}
	return true;
}
