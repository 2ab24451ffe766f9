/* Completion candidates, for the shell and for bash. */
#ifndef VSS_COMPLETE_H
#define VSS_COMPLETE_H

#include <stddef.h>

struct cands {
	char **v;
	size_t n;
};

struct session;

/* The candidates for word CWORD of WORDS (CWORD == NWORDS: a new word),
 * those beginning with what is typed of it, sorted, each once. */
void complete_collect(struct session *s, int nwords, char **words, int cword, struct cands *out);
void cands_free(struct cands *c);

/* Tab at the end of TEXT (a line up to the cursor): the candidates for
 * its last word, in its last command, and in *TYPED the length of what
 * is typed of that word (unquoted). -1 when TEXT cannot be split. */
int complete_line(struct session *s, const char *text, struct cands *out, size_t *typed);
/* What Tab adds after the TYPED characters: the candidates' common part,
 * escaped as words_split reads it, and a blank after the one candidate
 * (not after a directory, which goes on). "" when there is nothing to add. */
void complete_addition(const struct cands *c, size_t typed, char *buf, size_t len);

#endif
