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

#endif
