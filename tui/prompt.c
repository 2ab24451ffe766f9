/* Questions on the bottom line: a line of text, or yes/no. While one is
 * asked the rest of the screen goes on living (ui_pump between keys), so a
 * set being made elsewhere is still seen. A line that is (part of) a vss
 * command line completes with Tab as the shell does: the same
 * complete_line, so the dashboard offers what vss would. */
#include "config.h"
#include "cmd/cmd.h"
#include "cmd/complete.h"
#include "tui.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEY_CTRL(c) ((c) & 0x1f)

/* A line being answered. */
struct edit {
	const char *question;
	const char *lead;      /* the words before it, for Tab; NULL: no completion */
	const char *config;    /* -C FILE: writers come from it */
	char *buf;
	size_t len, n, pos;
	struct cands shown;    /* listed above the line after a Tab that could not choose */
};

/* The candidates, in rows as the shell lists them, on the lines just
 * above the question: at most a third of the screen, the rest counted. */
static void show_cands(const struct cands *c)
{
	size_t width = 0, cols, rows, max_rows = LINES > 6 ? (size_t)LINES / 3 : 1, fit;

	if (!c->n)
		return;
	for (size_t i = 0; i < c->n; i++)
		if (strlen(c->v[i]) > width)
			width = strlen(c->v[i]);
	width += 2;
	cols = (size_t)COLS / width ? (size_t)COLS / width : 1;
	rows = (c->n + cols - 1) / cols;
	if (rows > max_rows)
		rows = max_rows;
	fit = rows * cols < c->n ? rows * cols - 1 : c->n;
	for (size_t r = 0; r < rows; r++) {
		int y = LINES - 1 - (int)(rows - r);

		move(y, 0);
		clrtoeol();
		for (size_t k = 0; k < cols && r * cols + k < fit; k++)
			mvaddnstr(y, (int)(k * width), c->v[r * cols + k], COLS - (int)(k * width));
	}
	if (fit < c->n)
		mvprintw(LINES - 2, (int)((fit % cols) * width), "(%zu more)", c->n - fit);
}

static void show(const struct edit *e)
{
	int qlen = (int)strlen(e->question), w = COLS - qlen - 2;
	size_t start = w > 0 && e->pos > (size_t)w ? e->pos - (size_t)w : 0;

	show_cands(&e->shown);
	move(LINES - 1, 0);
	clrtoeol();
	attron(A_BOLD);
	mvaddnstr(LINES - 1, 0, e->question, COLS - 1);
	attroff(A_BOLD);
	if (w > 0)
		mvaddnstr(LINES - 1, qlen + 1, e->buf + start, w);
	move(LINES - 1, qlen + 1 + (int)(e->pos - start));
	refresh();
}

/* The next key, keeping the screen alive while none comes; ERR when a
 * signal asks us to end. */
static int next_key(struct ui *ui, const struct edit *e)
{
	for (;;) {
		int c = getch();

		if (screen_signalled())
			return ERR;
		if (c != ERR)
			return c;
		ui_pump(ui);
		curs_set(1);
		show(e);
		if (!screen_wait_key(50))
			return ERR;
	}
}

static void insert(struct edit *e, const char *text)
{
	size_t k = strlen(text);

	if (e->n + k >= e->len)
		return;
	memmove(e->buf + e->pos + k, e->buf + e->pos, e->n - e->pos + 1);
	memcpy(e->buf + e->pos, text, k);
	e->pos += k;
	e->n += k;
}

/* Tab: the word before the cursor, completed as vss would complete it
 * after the lead's words. One way on: taken; several: listed. */
static void complete(struct edit *e)
{
	struct session s;
	struct cands c;
	char *text, more[512];
	size_t typed;

	if (asprintf(&text, "%s %.*s", e->lead, (int)e->pos, e->buf) < 0)
		return;
	/* A session of its own: the configuration read as vss reads it. */
	session_init(&s);
	s.config_path = e->config;
	if (complete_line(&s, text, &c, &typed) < 0) {
		beep();
	} else {
		complete_addition(&c, typed, more, sizeof(more));
		if (more[0]) {
			insert(e, more);
		} else if (c.n > 1) {
			e->shown = c;
			memset(&c, 0, sizeof(c));
		} else {
			beep();
		}
		cands_free(&c);
	}
	session_end(&s, VSS_EXIT_OK);
	free(text);
}

/* One key of the line editor: false when it ends the question, with
 * *OK for an answer. */
static bool edit_key(struct edit *e, int c, int *ok)
{
	if (c == ERR || c == 27 || c == KEY_CTRL('c') || c == KEY_CTRL('g'))
		return false;
	if (c == '\r' || c == '\n' || c == KEY_ENTER) {
		*ok = 1;
		return false;
	}
	if (c == '\t' && e->lead) {
		complete(e);
	} else if ((c == KEY_BACKSPACE || c == 127 || c == KEY_CTRL('h')) && e->pos > 0) {
		memmove(e->buf + e->pos - 1, e->buf + e->pos, e->n - e->pos + 1);
		e->pos--;
		e->n--;
	} else if (c == KEY_DC && e->pos < e->n) {
		memmove(e->buf + e->pos, e->buf + e->pos + 1, e->n - e->pos);
		e->n--;
	} else if (c == KEY_LEFT && e->pos > 0) {
		e->pos--;
	} else if (c == KEY_RIGHT && e->pos < e->n) {
		e->pos++;
	} else if (c == KEY_HOME || c == KEY_CTRL('a')) {
		e->pos = 0;
	} else if (c == KEY_END || c == KEY_CTRL('e')) {
		e->pos = e->n;
	} else if (c == KEY_CTRL('u')) {
		memmove(e->buf, e->buf + e->pos, e->n - e->pos + 1);
		e->n -= e->pos;
		e->pos = 0;
	} else if (c >= ' ' && c < 256 && c != 127) {
		char ch[2] = { (char)c, '\0' };

		insert(e, ch);
	}
	return true;
}

int prompt_command(struct ui *ui, const char *question, const char *lead, const char *initial,
		   char *buf, size_t len)
{
	struct edit e = { .question = question, .lead = lead, .config = ui->config, .buf = buf,
			  .len = len };
	int ok = 0;

	snprintf(buf, len, "%s", initial ? initial : "");
	e.n = e.pos = strlen(buf);
	curs_set(1);
	for (;;) {
		int c;

		show(&e);
		c = next_key(ui, &e);
		/* A list is for the key after the Tab that made it; the
		 * panels it covered are drawn again. */
		if (e.shown.n) {
			cands_free(&e.shown);
			ui_pump(ui);
		}
		if (!edit_key(&e, c, &ok))
			break;
	}
	curs_set(0);
	move(LINES - 1, 0);
	clrtoeol();
	return ok;
}

int prompt_line(struct ui *ui, const char *question, const char *initial, char *buf, size_t len)
{
	return prompt_command(ui, question, NULL, initial, buf, len);
}

bool prompt_yes(struct ui *ui, const char *question)
{
	char none[1] = "";
	struct edit e = { .question = question, .buf = none, .len = sizeof(none) };
	int c;

	curs_set(1);
	show(&e);
	c = next_key(ui, &e);
	curs_set(0);
	move(LINES - 1, 0);
	clrtoeol();
	return c == 'y' || c == 'Y';
}
