/* Questions on the bottom line: a line of text, or yes/no. While one is
 * asked the rest of the screen goes on living (ui_pump between keys), so a
 * set being made elsewhere is still seen. */
#include "config.h"
#include "tui.h"

#include <curses.h>
#include <string.h>

#define KEY_CTRL(c) ((c) & 0x1f)

static void show(const char *question, const char *buf, size_t pos)
{
	int qlen = (int)strlen(question), w = COLS - qlen - 2;
	size_t start = w > 0 && pos > (size_t)w ? pos - (size_t)w : 0;

	move(LINES - 1, 0);
	clrtoeol();
	attron(A_BOLD);
	mvaddnstr(LINES - 1, 0, question, COLS - 1);
	attroff(A_BOLD);
	if (w > 0)
		mvaddnstr(LINES - 1, qlen + 1, buf + start, w);
	move(LINES - 1, qlen + 1 + (int)(pos - start));
	refresh();
}

/* The next key, keeping the screen alive while none comes; ERR when a
 * signal asks us to end. */
static int next_key(struct ui *ui, const char *question, const char *buf, size_t pos)
{
	for (;;) {
		int c = getch();

		if (screen_signalled())
			return ERR;
		if (c != ERR)
			return c;
		ui_pump(ui);
		curs_set(1);
		show(question, buf, pos);
		if (!screen_wait_key(50))
			return ERR;
	}
}

int prompt_line(struct ui *ui, const char *question, const char *initial, char *buf, size_t len)
{
	size_t n, pos;
	int c, ok = 0;

	snprintf(buf, len, "%s", initial ? initial : "");
	n = pos = strlen(buf);
	curs_set(1);
	for (;;) {
		show(question, buf, pos);
		c = next_key(ui, question, buf, pos);
		if (c == ERR || c == 27 || c == KEY_CTRL('c') || c == KEY_CTRL('g'))
			break;
		if (c == '\r' || c == '\n' || c == KEY_ENTER) {
			ok = 1;
			break;
		}
		if ((c == KEY_BACKSPACE || c == 127 || c == KEY_CTRL('h')) && pos > 0) {
			memmove(buf + pos - 1, buf + pos, n - pos + 1);
			pos--;
			n--;
		} else if (c == KEY_DC && pos < n) {
			memmove(buf + pos, buf + pos + 1, n - pos);
			n--;
		} else if (c == KEY_LEFT && pos > 0) {
			pos--;
		} else if (c == KEY_RIGHT && pos < n) {
			pos++;
		} else if (c == KEY_HOME || c == KEY_CTRL('a')) {
			pos = 0;
		} else if (c == KEY_END || c == KEY_CTRL('e')) {
			pos = n;
		} else if (c == KEY_CTRL('u')) {
			memmove(buf, buf + pos, n - pos + 1);
			n -= pos;
			pos = 0;
		} else if (c >= ' ' && c < 256 && c != 127 && n + 1 < len) {
			memmove(buf + pos + 1, buf + pos, n - pos + 1);
			buf[pos++] = (char)c;
			n++;
		}
	}
	curs_set(0);
	move(LINES - 1, 0);
	clrtoeol();
	return ok;
}

bool prompt_yes(struct ui *ui, const char *question)
{
	int c;

	curs_set(1);
	show(question, "", 0);
	c = next_key(ui, question, "", 0);
	curs_set(0);
	move(LINES - 1, 0);
	clrtoeol();
	return c == 'y' || c == 'Y';
}
