/* The shell: vss on a terminal. libedit reads lines (emacs keys, history
 * in ~/.vss_history, Tab completion); each line runs as a script line.
 * Ctrl-C clears the line, or aborts the command running (the engine
 * undoes it) and comes back here; Ctrl-D or exit leaves. */
#include "config.h"
#include "cli.h"
#include "cmd/complete.h"
#include "cmd/words.h"

#include <errno.h>
#include <histedit.h>
#include <limits.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wchar.h>

static const char *prompt_text = "vss> ";
static volatile sig_atomic_t resized;

static void on_winch(int sig)
{
	(void)sig;
	resized = 1;
}

/* libedit's own signal handling re-sends a signal to our whole process
 * group (whoever ran us too), so it is off, and this reads instead: a
 * signal of ours ends el_gets, which puts the terminal back itself. */
static int read_char(EditLine *el, wchar_t *wc)
{
	char buf[MB_LEN_MAX];
	size_t n = 0;

	for (;;) {
		mbstate_t st;
		ssize_t r = read(STDIN_FILENO, buf + n, 1);
		size_t k;

		if (r < 0 && errno == EINTR) {
			if (vss_interrupted())
				return -1;
			if (resized) {
				resized = 0;
				el_resize(el);
			}
			continue;
		}
		if (r <= 0)
			return r == 0 ? 0 : -1;
		n++;
		memset(&st, 0, sizeof(st));
		k = mbrtowc(wc, buf, n, &st);
		if (k == (size_t)-2 && n < sizeof(buf))
			continue;
		/* Not a character here: the byte as it is. */
		if (k == (size_t)-1 || k == (size_t)-2)
			*wc = (unsigned char)buf[0];
		return 1;
	}
}

static char *prompt(EditLine *el)
{
	(void)el;
	return (char *)prompt_text;
}

/* Outside quotes these would split or change the word: escape them. */
static void insert_escaped(EditLine *el, const char *text)
{
	char buf[1024];
	size_t n = 0;

	for (; *text && n + 3 < sizeof(buf); text++) {
		if (strchr(" \t'\"\\;#", *text))
			buf[n++] = '\\';
		buf[n++] = *text;
	}
	buf[n] = '\0';
	el_insertstr(el, buf);
}

static void list(const struct cands *c)
{
	struct winsize ws;
	size_t width = 0, cols, cols_w = 80;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col)
		cols_w = ws.ws_col;
	for (size_t i = 0; i < c->n; i++)
		if (strlen(c->v[i]) > width)
			width = strlen(c->v[i]);
	width += 2;
	cols = cols_w / width ? cols_w / width : 1;
	fputc('\n', stdout);
	for (size_t i = 0; i < c->n; i++)
		printf("%-*s%s", (int)width, c->v[i], (i + 1) % cols == 0 || i + 1 == c->n ? "\n" : "");
	fflush(stdout);
}

static unsigned char complete(EditLine *el, int ch)
{
	const LineInfo *li = el_line(el);
	struct session *s;
	struct script sc;
	struct cands c;
	char *text, *start, why[128];
	const char *typed = "";
	int line, nwords = 0, cword;
	char **words = NULL;
	size_t common;
	unsigned char r;

	(void)ch;
	el_get(el, EL_CLIENTDATA, &s);
	if (!(text = strndup(li->buffer, (size_t)(li->cursor - li->buffer))))
		return CC_ERROR;
	/* Only the command being typed: after the last ';'. */
	start = strrchr(text, ';') ? strrchr(text, ';') + 1 : text;
	if (words_split(start, true, &sc, &line, why, sizeof(why))) {
		free(text);
		return CC_REFRESH_BEEP;
	}
	if (sc.n) {
		nwords = sc.cmds[sc.n - 1].argc;
		words = sc.cmds[sc.n - 1].argv;
	}
	cword = sc.ends_in_word ? nwords - 1 : nwords;
	if (sc.ends_in_word)
		typed = words[cword];
	complete_collect(s, nwords, words, cword, &c);
	if (c.n == 0) {
		r = CC_REFRESH_BEEP;
		goto out;
	}
	common = strlen(c.v[0]);
	for (size_t i = 1; i < c.n; i++)
		for (size_t k = 0; k < common; k++)
			if (c.v[i][k] != c.v[0][k]) {
				common = k;
				break;
			}
	if (common > strlen(typed) || c.n == 1) {
		char *more = strndup(c.v[0] + strlen(typed), common - strlen(typed));

		if (more)
			insert_escaped(el, more);
		free(more);
		if (c.n == 1 && c.v[0][strlen(c.v[0]) - 1] != '/')
			el_insertstr(el, " ");
		r = CC_REFRESH;
	} else {
		list(&c);
		r = CC_REDISPLAY;
	}
out:
	cands_free(&c);
	script_free(&sc);
	free(text);
	return r;
}

/* ~/.vss_history, readable by us alone: it holds labels and paths. */
static void history_path(char *buf, size_t len)
{
	const char *home = getenv("HOME");

	buf[0] = '\0';
	if (home && home[0])
		snprintf(buf, len, "%s/.vss_history", home);
}

static void history_save(History *h, const char *path)
{
	HistEvent ev;
	mode_t old;

	if (!path[0])
		return;
	old = umask(077);
	history(h, &ev, H_SAVE, path);
	umask(old);
}

/* True when TEXT ends inside a quote or after a \: more lines to read. */
static bool unfinished(const char *text)
{
	struct script sc;
	char why[128], *body = strdup(text);
	int line;
	bool more = false;

	if (!body)
		return false;
	/* Without its newline, a line's final \ is the end of the input. */
	if (body[0] && body[strlen(body) - 1] == '\n')
		body[strlen(body) - 1] = '\0';
	if (words_split(body, false, &sc, &line, why, sizeof(why)) == 0) {
		script_free(&sc);
	} else if (words_split(body, true, &sc, &line, why, sizeof(why)) == 0) {
		script_free(&sc);
		more = true;
	}
	free(body);
	return more;
}

int repl_run(struct session *s)
{
	char path[4096], *text = NULL;
	History *h = history_init();
	EditLine *el = el_init("vss", stdin, stdout, stderr);
	HistEvent ev;
	struct sigaction sa, old_winch;
	int code = VSS_EXIT_OK;

	if (!h || !el) {
		if (h)
			history_end(h);
		if (el)
			el_end(el);
		return cli_error(s, VSS_EXIT_FAILED, "cannot start the line editor");
	}
	/* Characters as the terminal's locale encodes them. */
	setlocale(LC_CTYPE, "");
	history_path(path, sizeof(path));
	history(h, &ev, H_SETSIZE, 1000);
	history(h, &ev, H_SETUNIQUE, 1);
	if (path[0])
		history(h, &ev, H_LOAD, path);
	el_set(el, EL_EDITOR, "emacs");
	el_set(el, EL_PROMPT, prompt);
	el_set(el, EL_HIST, history, h);
	el_set(el, EL_CLIENTDATA, s);
	el_set(el, EL_SIGNAL, 0);
	el_set(el, EL_GETCFN, read_char);
	/* The wide call: the narrow one copies the strings and never frees them. */
	el_wset(el, EL_ADDFN, L"vss-complete", L"complete a word of a vss command", complete);
	el_set(el, EL_BIND, "^I", "vss-complete", NULL);
	el_source(el, NULL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_winch;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGWINCH, &sa, &old_winch);
	for (;;) {
		const char *line;
		int count;
		char *more;

		/* Ctrl-C was for the command it stopped; any other signal
		 * ends the shell, even one that came between two lines. */
		if (vss_interrupted() == SIGINT)
			vss_interrupt(0);
		if (vss_interrupted())
			break;
		prompt_text = text ? "> " : s->backup_open ? "vss (backup)> " : "vss> ";
		line = el_gets(el, &count);
		if (!line || count <= 0) {
			int sig = vss_interrupted();

			/* Ctrl-C: the line goes, the shell stays. */
			if (sig == SIGINT) {
				fputc('\n', stdout);
				free(text);
				text = NULL;
				continue;
			}
			/* Ctrl-D, or a signal: the next output on a line of its own. */
			fputc('\n', stdout);
			break;
		}
		if (!(more = malloc((text ? strlen(text) : 0) + strlen(line) + 1)))
			break;
		strcpy(more, text ? text : "");
		strcat(more, line);
		free(text);
		text = more;
		if (unfinished(text))
			continue;
		if (strspn(text, " \t\n") < strlen(text)) {
			history(h, &ev, H_ENTER, text);
			history_save(h, path);
			/* A line is a script of its own: checked whole, then run. */
			code = script_run(s, "", text);
		}
		free(text);
		text = NULL;
		if (s->exit_asked)
			break;
		/* Ctrl-C stopped the command (undone); SIGTERM ends us. */
		if (vss_interrupted() && vss_interrupted() != SIGINT)
			break;
	}
	free(text);
	el_end(el);
	history_end(h);
	sigaction(SIGWINCH, &old_winch, NULL);
	if (vss_interrupted() == SIGINT)
		vss_interrupt(0);
	/* Errors were seen as they came: leaving is not one (exit CODE is). */
	(void)code;
	return s->exit_asked ? s->exit_code : VSS_EXIT_OK;
}
