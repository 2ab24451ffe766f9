/* The one command table: parsing, help and the man-page check read it. */
#include "config.h"
#include "cli.h"

#include <stdio.h>
#include <string.h>

const struct cmd vss_commands[] = {
	{ "help", "[COMMAND]", "show the commands, or one command's usage",
	  NULL, 0, cmd_help },
	{ "volume import", "DEVICE NAME", "wrap a block device as the managed volume /dev/mapper/NAME",
	  "DEVICE must not be mounted or in use. NAME may hold letters, digits and . _ + -\n"
	  "(at most 100, not beginning with - or vss-). The device keeps its data; mount\n"
	  "/dev/mapper/NAME instead of DEVICE from now on.",
	  CMD_ROOT | CMD_STATE, cmd_volume_import },
	{ "volume remove", "NAME", "undo an import: remove /dev/mapper/NAME, keep the data",
	  "Refused while the volume is mounted, open, or has shadows.",
	  CMD_ROOT | CMD_STATE, cmd_volume_remove },
	{ "list volumes", "[--json] [VOLUME...]", "list managed volumes and other device-mapper devices",
	  "  --json    print JSON (sizes in bytes)\n"
	  "VOLUME is a managed volume's name or the path of any device-mapper device.",
	  CMD_ROOT | CMD_STATE, cmd_list_volumes },
	{ NULL, NULL, NULL, NULL, 0, NULL },
};

/* How many words of ARGV spell NAME ("list volumes" is two), or 0. */
static int words_match(const char *name, int argc, char **argv)
{
	int n = 0;

	while (*name) {
		size_t len = strcspn(name, " ");

		if (n >= argc || strlen(argv[n]) != len || strncmp(argv[n], name, len))
			return 0;
		n++;
		name += len;
		name += *name == ' ';
	}
	return n;
}

const struct cmd *cmd_find(int argc, char **argv, int *used)
{
	for (const struct cmd *c = vss_commands; c->name; c++) {
		int n = words_match(c->name, argc, argv);

		if (n) {
			*used = n;
			return c;
		}
	}
	return NULL;
}

void cmd_group_words(const char *group, char *buf, size_t len)
{
	size_t glen = strlen(group), used = 0;

	buf[0] = '\0';
	for (const struct cmd *c = vss_commands; c->name; c++) {
		int n;

		if (strncmp(c->name, group, glen) || c->name[glen] != ' ')
			continue;
		n = snprintf(buf + used, len - used, "%s%s", used ? ", " : "", c->name + glen + 1);
		if (n < 0 || (size_t)n >= len - used)
			return;
		used += (size_t)n;
	}
}
