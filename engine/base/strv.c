#include "config.h"
#include "strv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int vss_strv_pushn(char ***v, size_t *n, const char *s, size_t len)
{
	char **grown = realloc(*v, (*n + 1) * sizeof(**v));
	char *copy;

	if (!grown)
		return -ENOMEM;
	*v = grown;
	if (!(copy = strndup(s, len)))
		return -ENOMEM;
	grown[(*n)++] = copy;
	return 0;
}

int vss_strv_push(char ***v, size_t *n, const char *s)
{
	return vss_strv_pushn(v, n, s, strlen(s));
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void vss_strv_sort(char **v, size_t n)
{
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp);
}

void vss_strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* One word of S at *P: quotes and backslashes as a shell has them, but
 * nothing expanded. */
static int word(const char **p, char **out)
{
	const char *s = *p;
	char *buf = malloc(strlen(s) + 1), *o = buf;
	char quote = 0;

	if (!buf)
		return -ENOMEM;
	for (; *s; s++) {
		if (quote == '\'') {
			if (*s == '\'')
				quote = 0;
			else
				*o++ = *s;
		} else if (quote == '"') {
			if (*s == '"')
				quote = 0;
			else if (*s == '\\' && (s[1] == '"' || s[1] == '\\'))
				*o++ = *++s;
			else
				*o++ = *s;
		} else if (*s == ' ' || *s == '\t') {
			break;
		} else if (*s == '\'' || *s == '"') {
			quote = *s;
		} else if (*s == '\\' && s[1]) {
			*o++ = *++s;
		} else {
			*o++ = *s;
		}
	}
	if (quote) {
		free(buf);
		return -EINVAL;
	}
	*o = '\0';
	*p = s;
	*out = buf;
	return 0;
}

int vss_strv_split(const char *s, char ***v, size_t *n)
{
	int r;

	*v = NULL;
	*n = 0;
	for (;;) {
		char *w;

		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s)
			break;
		if ((r = word(&s, &w)) == 0) {
			r = vss_strv_push(v, n, w);
			free(w);
		}
		if (r)
			goto fail;
	}
	/* NULL-terminated too, so it can be an argv. */
	if (vss_strv_pushn(v, n, "", 0) == 0) {
		free((*v)[--*n]);
		(*v)[*n] = NULL;
		return 0;
	}
	r = -ENOMEM;
fail:
	vss_strv_free(*v, *n);
	*v = NULL;
	*n = 0;
	return r;
}
