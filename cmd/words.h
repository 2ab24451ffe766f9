/* Command lines as words: the quoting of scripts, -c and the shell. */
#ifndef VSS_WORDS_H
#define VSS_WORDS_H

#include <stdbool.h>
#include <stddef.h>

struct command_line {
	int line;        /* where its first word is (1-based) */
	int argc;
	char **argv;     /* NULL-terminated */
};

struct script {
	struct command_line *cmds;
	size_t n;
	bool ends_in_word; /* PARTIAL: the text ends inside a word (or quote) */
};

/* Splits TEXT into commands: one a line or between unquoted ';', words
 * apart by blanks, '...' literal, "..." with \" \\ and \newline, \ quoting
 * one character outside quotes, \newline joining lines, # to the end of
 * the line a comment where a word would begin. 0, or -1 with *LINE and
 * WHY. PARTIAL (completion of a line being typed): an open quote or a
 * trailing \ is no error. */
int words_split(const char *text, bool partial, struct script *out, int *line, char *why,
		size_t len);
void script_free(struct script *sc);

#endif
