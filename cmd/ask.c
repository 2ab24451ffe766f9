/* Asking before what cannot be undone: on a terminal only, and only an
 * explicit yes counts; scripts and cron, with no terminal, are not asked. */
#include "config.h"
#include "cmd.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

bool cli_can_ask(void)
{
	return isatty(STDIN_FILENO) && isatty(STDERR_FILENO);
}

bool cli_confirm(const char *fmt, ...)
{
	char *answer = NULL;
	size_t size = 0;
	bool yes;
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" [y/N] ", stderr);
	fflush(stderr);
	/* The whole line: what is left of a long one must not answer the
	 * next question. */
	if (getline(&answer, &size, stdin) < 0) {
		free(answer);
		return false;
	}
	answer[strcspn(answer, "\n")] = '\0';
	yes = !strcmp(answer, "y") || !strcmp(answer, "Y") || !strcmp(answer, "yes");
	free(answer);
	return yes;
}
