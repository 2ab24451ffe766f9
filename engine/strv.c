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
