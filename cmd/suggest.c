/* "did you mean": the known word nearest a mistyped one, by edit distance
 * (a swap of neighbours counts as one edit, as in `lsit`). */
#include "config.h"
#include "cmd.h"

#include <string.h>

enum { LONGEST = 64 };

static size_t min3(size_t a, size_t b, size_t c)
{
	return a < b ? (a < c ? a : c) : (b < c ? b : c);
}

/* Optimal string alignment distance between A and B (at most LONGEST
 * characters each; longer words are never near). */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), d[LONGEST + 1][LONGEST + 1];

	if (la > LONGEST || lb > LONGEST)
		return (size_t)-1;
	for (size_t i = 0; i <= la; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			size_t cost = a[i - 1] != b[j - 1];

			d[i][j] = min3(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < d[i][j])
				d[i][j] = d[i - 2][j - 2] + 1;
		}
	}
	return d[la][lb];
}

void cli_suggest_init(struct cli_suggest *sg, const char *typed)
{
	sg->typed = typed;
	sg->best[0] = '\0';
	sg->dist = (size_t)-1;
}

void cli_suggest_offer(struct cli_suggest *sg, const char *word, size_t len)
{
	char w[LONGEST + 1];
	size_t d, limit;

	if (len > LONGEST)
		return;
	memcpy(w, word, len);
	w[len] = '\0';
	d = distance(sg->typed, w);
	/* Near enough to be a slip of the fingers, not another word. */
	limit = strlen(sg->typed) <= 4 ? 1 : 2;
	if (d <= limit && d < sg->dist) {
		sg->dist = d;
		memcpy(sg->best, w, len + 1);
	}
}
