/* The one lexer of vss's command language (see words.h). */
#include "config.h"
#include "words.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct buf {
	char *s;
	size_t len, size;
};

static int put(struct buf *b, char c)
{
	if (b->len + 2 > b->size) {
		size_t size = b->size ? b->size * 2 : 64;
		char *s = realloc(b->s, size);

		if (!s)
			return -1;
		b->s = s;
		b->size = size;
	}
	b->s[b->len++] = c;
	b->s[b->len] = '\0';
	return 0;
}

/* An empty word, not no word. */
static int begin(struct buf *b)
{
	if (b->s)
		return 0;
	if (put(b, ' '))
		return -1;
	b->len = 0;
	b->s[0] = '\0';
	return 0;
}

static int add_word(struct command_line *c, struct buf *w)
{
	char **v = realloc(c->argv, (size_t)(c->argc + 2) * sizeof(*v));

	if (!v)
		return -1;
	c->argv = v;
	v[c->argc++] = w->s ? w->s : strdup("");
	v[c->argc] = NULL;
	w->s = NULL;
	w->len = w->size = 0;
	return v[c->argc - 1] ? 0 : -1;
}

static int end_command(struct script *sc, struct command_line *c)
{
	struct command_line *v;

	if (c->argc == 0)
		return 0;
	if (!(v = realloc(sc->cmds, (sc->n + 1) * sizeof(*v))))
		return -1;
	sc->cmds = v;
	v[sc->n++] = *c;
	memset(c, 0, sizeof(*c));
	return 0;
}

void script_free(struct script *sc)
{
	for (size_t i = 0; i < sc->n; i++) {
		for (int k = 0; k < sc->cmds[i].argc; k++)
			free(sc->cmds[i].argv[k]);
		free(sc->cmds[i].argv);
	}
	free(sc->cmds);
	memset(sc, 0, sizeof(*sc));
}

int words_split(const char *text, bool partial, struct script *out, int *line, char *why,
		size_t len)
{
	struct command_line cur = { 0 };
	struct buf w = { 0 };
	const char *p = text;
	int ln = 1, quote_line = 0;
	bool in_word = false, oom = false;
	char quote = 0;

	memset(out, 0, sizeof(*out));
	for (; *p && !oom; p++) {
		char c = *p;

		if (quote == '\'') {
			if (c == '\'')
				quote = 0;
			else {
				ln += c == '\n';
				oom = put(&w, c);
			}
			continue;
		}
		if (quote == '"') {
			if (c == '"')
				quote = 0;
			else if (c == '\\' && (p[1] == '"' || p[1] == '\\'))
				oom = put(&w, *++p);
			else if (c == '\\' && p[1] == '\n')
				ln++, p++;
			else if (c == '\\' && p[1] == '\r' && p[2] == '\n')
				ln++, p += 2;
			else {
				ln += c == '\n';
				oom = put(&w, c);
			}
			continue;
		}
		if (c == '\\') {
			/* A line's end, written on Windows or not, is joined. */
			if (p[1] == '\n' || (p[1] == '\r' && p[2] == '\n')) {
				ln++, p += p[1] == '\r' ? 2 : 1;
				continue;
			}
			if (!p[1]) {
				if (partial)
					break;
				*line = ln;
				snprintf(why, len, "\\ at the end of the input");
				goto fail;
			}
			if (!in_word)
				cur.line = cur.argc ? cur.line : ln;
			in_word = true;
			oom = put(&w, *++p);
			continue;
		}
		if (c == '\'' || c == '"') {
			if (!in_word && !cur.argc)
				cur.line = ln;
			in_word = true;
			quote = c;
			quote_line = ln;
			/* '' is a word of its own, empty. */
			oom = begin(&w);
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ';') {
			if (in_word && add_word(&cur, &w))
				oom = true;
			in_word = false;
			if ((c == '\n' || c == ';') && end_command(out, &cur))
				oom = true;
			ln += c == '\n';
			continue;
		}
		if (c == '#' && !in_word) {
			while (p[1] && p[1] != '\n')
				p++;
			continue;
		}
		if (!in_word && !cur.argc)
			cur.line = ln;
		in_word = true;
		oom = put(&w, c);
	}
	if (oom) {
		*line = ln;
		snprintf(why, len, "out of memory");
		goto fail;
	}
	if (quote && !partial) {
		*line = quote_line;
		snprintf(why, len, "%c quote opened here is never closed", quote);
		goto fail;
	}
	out->ends_in_word = in_word || quote;
	if ((in_word && add_word(&cur, &w)) || end_command(out, &cur)) {
		*line = ln;
		snprintf(why, len, "out of memory");
		goto fail;
	}
	return 0;
fail:
	free(w.s);
	for (int k = 0; k < cur.argc; k++)
		free(cur.argv[k]);
	free(cur.argv);
	script_free(out);
	return -1;
}
