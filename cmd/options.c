/* A command's options: finding the one a word names, long (any unique
 * prefix) or short, within that command's own entry of the table. */
#include "config.h"
#include "cmd.h"

#include <stdio.h>
#include <string.h>

/* "; did you mean --label?" for --lable, or "". */
static const char *nearest(const struct cmd *cmd, const char *name, size_t nlen)
{
	static char hint[96];
	char typed[65];
	struct cli_suggest sg;

	snprintf(typed, sizeof(typed), "%.*s", (int)(nlen < 64 ? nlen : 64), name);
	cli_suggest_init(&sg, typed);
	for (const struct cmd_opt *o = cmd->opts; o && o->name; o++)
		cli_suggest_offer(&sg, o->name, strlen(o->name));
	hint[0] = '\0';
	if (sg.best[0])
		snprintf(hint, sizeof(hint), "; did you mean --%s?", sg.best);
	return hint;
}

int cmd_option(const struct cmd *cmd, const char *arg, const struct cmd_opt **opt, char *why,
	       size_t len)
{
	const char *name = arg + 2;
	size_t nlen = strcspn(name, "=");
	char list[256] = "";
	int found = 0;

	*opt = NULL;
	for (const struct cmd_opt *o = cmd->opts; o && o->name && nlen; o++) {
		if (strncmp(o->name, name, nlen))
			continue;
		if (strlen(o->name) == nlen) {
			*opt = o;
			return 0;
		}
		*opt = o;
		found++;
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s--%s",
			 list[0] ? ", " : "", o->name);
	}
	if (found == 1)
		return 0;
	*opt = NULL;
	if (found > 1)
		snprintf(why, len, "option --%.*s is ambiguous: %s", (int)nlen, name, list);
	else
		snprintf(why, len, "unknown option --%.*s%s", (int)nlen, name, nearest(cmd, name, nlen));
	return -1;
}

const struct cmd_opt *cmd_short_option(const struct cmd *cmd, int letter)
{
	for (const struct cmd_opt *o = cmd->opts; o && o->name; o++)
		if (letter && o->letter == letter)
			return o;
	return NULL;
}
