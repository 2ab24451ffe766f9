/* The reader's helpers every half of it ([vss], [writer NAME], the policy
 * keys) calls: its complaints, and values in seconds. */
#include "config.h"
#include "parse.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void conf_complain(struct parse *p, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (p->used + 1 >= p->errlen)
		return;
	if (p->used)
		p->err[p->used++] = '\n';
	va_start(ap, fmt);
	n = vsnprintf(p->err + p->used, p->errlen - p->used, fmt, ap);
	va_end(ap);
	if (n > 0)
		p->used += (size_t)n < p->errlen - p->used ? (size_t)n : p->errlen - p->used - 1;
}

int vss_parse_seconds(const char *s, unsigned *ms)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || errno || isnan(v) || v < 0)
		return -EINVAL;
	if (!strcmp(end, "ms"))
		v /= 1000;
	else if (*end && strcmp(end, "s"))
		return -EINVAL;
	if (v > 86400)
		return -ERANGE;
	*ms = (unsigned)(v * 1000 + 0.5);
	return 0;
}
