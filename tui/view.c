/* Drawing the dashboard from the model: a title, a status line with the
 * freeze window, panels of volumes, sets and writers, the log, the keys.
 * Everything is cut to the terminal's width; nothing here changes the
 * model. */
#include "config.h"
#include "cmd/cmd.h"
#include "tui.h"

#include <curses.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Whether volume NAME is marked for the next set. */
static bool marked(const struct ui *ui, const char *name)
{
	for (size_t i = 0; i < ui->nmarked; i++)
		if (!strcmp(ui->marked[i], name))
			return true;
	return false;
}

static void attr(int pair, bool on)
{
	if (!pair)
		return;
	if (pair == C_SELECTED || pair == C_TITLE || pair == C_BAR) {
		/* Reverse video where there is no colour: still seen. */
		if (!screen_colors()) {
			if (on)
				attron(A_REVERSE);
			else
				attroff(A_REVERSE);
			return;
		}
	}
	if (!screen_colors())
		return;
	if (on)
		attron(COLOR_PAIR(pair));
	else
		attroff(COLOR_PAIR(pair));
}

/* Prints at Y, X at most W columns, the rest of the line blank when FILL. */
__attribute__((format(printf, 5, 6)))
static void put(int y, int x, int w, bool fill, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int len;

	if (w <= 0 || y < 0 || y >= LINES)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	len = (int)strlen(buf);
	mvaddnstr(y, x, buf, w);
	if (fill && len < w)
		for (int i = len; i < w; i++)
			mvaddch(y, x + i, ' ');
}

static void fmt_time(long long us, char *buf, size_t len, bool date)
{
	time_t t = (time_t)(us / 1000000);
	struct tm tm;

	if (!us) {
		snprintf(buf, len, "-");
		return;
	}
	localtime_r(&t, &tm);
	strftime(buf, len, date ? "%Y-%m-%d %H:%M:%S" : "%H:%M:%S", &tm);
}

static void fmt_secs(long long us, char *buf, size_t len)
{
	if (us < 0)
		us = 0;
	if (us < 60000000)
		snprintf(buf, len, "%.1fs", us / 1e6);
	else
		snprintf(buf, len, "%lldm%02llds", us / 60000000, (us / 1000000) % 60);
}

static void title(struct ui *ui)
{
	char host[64] = "", now[16];
	const struct model *m = ui->m;

	gethostname(host, sizeof(host) - 1);
	fmt_time(tui_now_us(), now, sizeof(now), false);
	attr(C_TITLE, true);
	put(0, 0, COLS, true, " vsstui  %s   %zu volumes  %zu sets  %zu writers", host, m->nvols,
	    m->nsets, m->nwriters);
	if (COLS > 60)
		put(0, COLS - 9, 9, false, "%s", now);
	attr(C_TITLE, false);
}

static void status(struct ui *ui)
{
	const struct model *m = ui->m;
	const struct vss_set *last = model_last_set(m);
	char buf[512] = "", el[16];
	size_t n = 0;

	if (m->op[0]) {
		fmt_secs(tui_now_us() - m->op_since_us, el, sizeof(el));
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s %.8s: %s (%s)  ", m->op, m->op_set,
				      m->op_phase, el);
	} else if (ui->job.pid) {
		fmt_secs(tui_now_us() - ui->job.started_us, el, sizeof(el));
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "running: %.60s (%s)  ", ui->job.what, el);
	}
	if (last && n < sizeof(buf))
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "last set %.8s: freeze window %.1f ms",
				      last->id, last->freeze_us / 1e3);
	else if (n < sizeof(buf))
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "no sets yet");
	if (ui->filter[0] && n < sizeof(buf))
		snprintf(buf + n, sizeof(buf) - n, "   filter: %s", ui->filter);
	attr(m->op[0] || ui->job.pid ? C_WARN : 0, true);
	put(1, 0, COLS, true, " %s", buf);
	attr(m->op[0] || ui->job.pid ? C_WARN : 0, false);
}

/* The panel's title line with its columns; the focused one stands out. */
static void header(struct ui *ui, enum panel p, int y, const char *name, const char *cols)
{
	attr(C_HEADER, true);
	if (ui->focus == p)
		attron(A_BOLD);
	put(y, 0, COLS, true, "%s%-9s %s", ui->focus == p ? ">" : " ", name, cols);
	attroff(A_BOLD);
	attr(C_HEADER, false);
}

static void bar(int y, int x, int w, uint64_t used, uint64_t size)
{
	int fill = size ? (int)((double)used * w / (double)size + 0.5) : 0;
	double pct = size ? 100.0 * (double)used / (double)size : 0;

	if (w < 3 || x + w + 7 > COLS)
		return;
	if (fill > w)
		fill = w;
	mvaddch(y, x, '[');
	attr(pct >= 90 ? C_BAD : pct >= 70 ? C_WARN : C_OK, true);
	for (int i = 0; i < w; i++)
		mvaddch(y, x + 1 + i, i < fill ? '#' : '.');
	attr(pct >= 90 ? C_BAD : pct >= 70 ? C_WARN : C_OK, false);
	put(y, x + w + 1, 6, false, "]%4.0f%%", pct);
}

static void volume_row(struct ui *ui, int y, const struct row *r)
{
	const struct vss_volume *v = &ui->m->vols[r->index];
	char size[16];

	vss_size_format(v->size, size, sizeof(size));
	put(y, 0, COLS, true, "%c %-16.16s %7s %-6.6s %-24.24s %s",
	    marked(ui, v->name) ? '*' : ' ', v->name, size,
	    v->fstype[0] ? v->fstype : "-", v->mountpoint[0] ? v->mountpoint : "-",
	    v->managed ? v->backing : (v->dm_uuid[0] ? v->dm_uuid : "dm"));
}

static int state_pair(const char *state)
{
	return !strcmp(state, "valid") ? C_OK : !strcmp(state, "invalid") ? C_BAD : C_WARN;
}

static void set_row(struct ui *ui, int y, const struct row *r, bool selected)
{
	const struct vss_set *s = &ui->m->sets[r->index];
	char when[32], size[16];

	if (r->shadow < 0) {
		const char *state = cli_set_state(s);

		fmt_time(s->created_us, when, sizeof(when), true);
		put(y, 0, COLS, true, "  %.8s  %s  %-14.14s %-12s %-4s %2zu vol  %.1f ms", s->id, when,
		    s->label[0] ? s->label : "-", vss_context_name(s->context),
		    s->n ? s->shadows[0].provider : "-", s->n, s->freeze_us / 1e3);
		if (COLS > 78) {
			if (!selected)
				attr(state_pair(state), true);
			put(y, COLS - 9, 9, true, "%s", state);
			if (!selected)
				attr(state_pair(state), false);
		}
		return;
	}
	const struct vss_shadow *sh = &s->shadows[r->shadow];
	const char *state = vss_shadow_state_name(sh->state);
	int w = COLS >= 100 ? 20 : 10, x = 40;

	vss_size_format(sh->cow_size, size, sizeof(size));
	put(y, 0, COLS, true, "      %s %-16.16s %-4s %6s ", (size_t)r->shadow + 1 == s->n ? "`-" : "|-",
	    sh->volume, sh->provider, size);
	bar(y, x, w, sh->cow_used, sh->cow_size);
	if (!selected)
		attr(state_pair(state), true);
	put(y, x + w + 8, COLS - (x + w + 8), false, "%-8s", state);
	if (!selected)
		attr(state_pair(state), false);
	put(y, x + w + 17, COLS - (x + w + 17), false, "%s",
	    sh->mountpoint[0] ? sh->mountpoint : sh->why);
}

static void writer_row(struct ui *ui, int y, const struct row *r, bool selected)
{
	const struct tui_writer *w = &ui->m->writers[r->index];
	char el[32] = "-", fail[640] = "";
	const char *state = w->enabled ? vss_writer_state_name(w->state) : "disabled";
	int pair = w->state == VSS_WRITER_FAILED ? C_BAD :
		   w->state == VSS_WRITER_STABLE ? 0 : C_WARN;

	if (w->busy || (w->state != VSS_WRITER_STABLE && w->state != VSS_WRITER_FAILED))
		fmt_secs(tui_now_us() - w->since_us, el, sizeof(el));
	if (w->failed_event[0])
		snprintf(fail, sizeof(fail), "%s: %s", w->failed_event, w->failed_why);
	put(y, 0, COLS, true, "  %-14.14s %-9s ", w->name, w->type);
	if (!selected && pair)
		attr(pair, true);
	put(y, 27, COLS - 27, false, "%-27.27s", state);
	if (!selected && pair)
		attr(pair, false);
	if (w->state == VSS_WRITER_FAILED) {
		/* Its failure is what matters now: where the event and timer go. */
		if (!selected)
			attr(C_BAD, true);
		put(y, 55, COLS - 55, false, "%s", fail[0] ? fail : w->event);
		if (!selected)
			attr(C_BAD, false);
		return;
	}
	put(y, 55, COLS - 55, false, "%-16.16s %7s %s", w->event[0] ? w->event : "-", el, fail);
}

/* What names ROW whatever its place: a volume's or writer's name, a set's
 * id (and its shadow's volume). */
static void row_key(const struct model *m, const struct row *r, char *buf, size_t len)
{
	if (r->panel == P_VOLUMES)
		snprintf(buf, len, "%s", m->vols[r->index].name);
	else if (r->panel == P_WRITERS)
		snprintf(buf, len, "%s", m->writers[r->index].name);
	else if (r->shadow < 0)
		snprintf(buf, len, "%s", m->sets[r->index].id);
	else
		snprintf(buf, len, "%s/%.128s", m->sets[r->index].id,
			 m->sets[r->index].shadows[r->shadow].volume);
}

static void panel(struct ui *ui, enum panel p, int y, int h)
{
	static const char *const names[] = { "Volumes", "Sets", "Writers" };
	static const char *const cols[] = {
		"  NAME           SIZE FS     MOUNTPOINT               DEVICE",
		"      CREATED               LABEL          CONTEXT      PROV       FREEZE",
		"     TYPE      STATE                       EVENT             TIME FAILURE",
	};
	size_t n, *top = &ui->top[p], *sel = &ui->sel[p];
	struct row *rows = rows_of(ui->m, p, ui->filter, &n);
	int shown = h - 1;

	header(ui, p, y, names[p], cols[p]);
	if (!rows || shown <= 0) {
		free(rows);
		return;
	}
	/* The lists were read again: the selection follows its row. */
	for (size_t k = 0; ui->selkey[p][0] && k < n; k++) {
		char key[256];

		row_key(ui->m, &rows[k], key, sizeof(key));
		if (!strcmp(key, ui->selkey[p])) {
			*sel = k;
			break;
		}
	}
	if (*sel >= n)
		*sel = n ? n - 1 : 0;
	if (n)
		row_key(ui->m, &rows[*sel], ui->selkey[p], sizeof(ui->selkey[p]));
	if (*sel < *top)
		*top = *sel;
	if (*sel >= *top + (size_t)shown)
		*top = *sel - (size_t)shown + 1;
	for (int i = 0; i < shown; i++) {
		size_t k = *top + (size_t)i;
		bool selected = ui->focus == p && k == *sel;

		move(y + 1 + i, 0);
		clrtoeol();
		if (k >= n) {
			if (i == 0)
				put(y + 1, 2, COLS - 2, false, "%s",
				    ui->filter[0] ? "(nothing matches the filter)" :
				    p == P_VOLUMES ? "(no volumes)" : p == P_SETS ? "(no sets)" :
				    "(no writers configured)");
			continue;
		}
		if (selected)
			attr(C_SELECTED, true);
		if (p == P_VOLUMES)
			volume_row(ui, y + 1 + i, &rows[k]);
		else if (p == P_SETS)
			set_row(ui, y + 1 + i, &rows[k], selected);
		else
			writer_row(ui, y + 1 + i, &rows[k], selected);
		if (selected)
			attr(C_SELECTED, false);
	}
	free(rows);
}

static void log_pane(struct ui *ui, int y, int h)
{
	attr(C_HEADER, true);
	put(y, 0, COLS, true, " Log");
	attr(C_HEADER, false);
	if (ui->m->error[0]) {
		/* What the latest refresh could not read, until it can. */
		attr(C_BAD, true);
		put(y, 6, COLS - 6, false, "%s", ui->m->error);
		attr(C_BAD, false);
	}
	for (int i = 0; i < h - 1; i++) {
		const struct log_line *l = model_log_line(ui->m, (size_t)(h - 2 - i));
		char when[16];
		int pair;

		move(y + 1 + i, 0);
		clrtoeol();
		if (!l)
			continue;
		pair = l->level == VSS_LEVEL_ERROR ? C_BAD : l->level == VSS_LEVEL_WARNING ? C_WARN : 0;
		fmt_time(l->at_us, when, sizeof(when), false);
		put(y + 1 + i, 0, 10, false, " %s", when);
		attr(pair, true);
		put(y + 1 + i, 10, COLS - 10, false, "%s", l->text);
		attr(pair, false);
	}
}

static void help_screen(void)
{
	int y = 2;

	erase();
	attr(C_TITLE, true);
	put(0, 0, COLS, true, " vsstui: keys (any key to go back)");
	attr(C_TITLE, false);
	for (const struct key_help *k = tui_keys; k->keys && y < LINES - 1; k++, y++) {
		attron(A_BOLD);
		put(y, 2, 22, false, "%s", k->keys);
		attroff(A_BOLD);
		put(y, 24, COLS - 24, false, "%s", k->what);
	}
	if (y + 1 < LINES - 1)
		put(y + 1, 2, COLS - 2, false,
		    "Every action runs the vss command it names; see vsstui(8) and vss(8).");
}

void view_draw(struct ui *ui)
{
	const struct model *m = ui->m;
	int log_min = LINES >= 20 ? 5 : 2;
	int avail = LINES - 3, y = 2;
	int quarter = (avail - log_min) / 4 > 2 ? (avail - log_min) / 4 : 2;
	size_t nv, nw, ns;
	int hv, hw, hs, hl;

	if (ui->help) {
		help_screen();
		refresh();
		return;
	}
	free(rows_of(m, P_VOLUMES, ui->filter, &nv));
	free(rows_of(m, P_WRITERS, ui->filter, &nw));
	free(rows_of(m, P_SETS, ui->filter, &ns));
	/* Volumes and writers take what they need, up to a quarter each; the
	 * sets what they need of the rest; the log whatever is left. */
	hv = (int)nv + 1 < quarter ? (int)nv + 1 : quarter;
	hw = (int)nw + 1 < quarter ? (int)nw + 1 : quarter;
	if (hv < 2)
		hv = 2;
	if (hw < 2)
		hw = 2;
	hs = avail - log_min - hv - hw;
	if (hs < 2) {
		/* Too small for all of it: the sets alone. */
		hv = hw = 0;
		hs = avail - log_min;
	}
	if ((int)ns + 1 < hs)
		hs = (int)ns + 1 > 3 ? (int)ns + 1 : 3;
	if (hs < 0)
		hs = 0;
	hl = avail - hv - hw - hs;
	if (hl < 0)
		hl = 0;
	ui->hidden[P_VOLUMES] = !hv;
	ui->hidden[P_WRITERS] = !hw;
	ui->hidden[P_SETS] = !hs;
	if (ui->hidden[ui->focus])
		ui->focus = P_SETS;
	title(ui);
	status(ui);
	if (hv)
		panel(ui, P_VOLUMES, y, hv);
	y += hv;
	if (hs)
		panel(ui, P_SETS, y, hs);
	y += hs;
	if (hw)
		panel(ui, P_WRITERS, y, hw);
	y += hw;
	if (hl)
		log_pane(ui, y, hl);
	move(LINES - 1, 0);
	clrtoeol();
	if (ui->message[0]) {
		attr(C_WARN, true);
		put(LINES - 1, 0, COLS, true, " %s", ui->message);
		attr(C_WARN, false);
	} else {
		attr(C_DIM, true);
		put(LINES - 1, 0, COLS, true, "%s", tui_key_line);
		attr(C_DIM, false);
	}
	refresh();
}
