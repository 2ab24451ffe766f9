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
	{ "create-set", "[--label TEXT] [--context persistent|auto-release] [--cow-size SIZE|N%] [--chunk-size SIZE] [--writers NAME[,NAME...]|none] [--json] VOLUME...",
	  "make a shadow copy set: every VOLUME at one instant",
	  "  --label TEXT        a name for people (and for SET arguments)\n"
	  "  --context C         persistent (the default), or auto-release: deleted when\n"
	  "                      this vss ends, however it ends\n"
	  "  --cow-size S|N%     COW space of each shadow (default 10% of its origin)\n"
	  "  --chunk-size SIZE   copy-on-write unit, a power of two from 4K to 512K (default 4K)\n"
	  "  --writers W,...     these writers take part too (besides those whose volumes\n"
	  "                      the set touches); none: no writer at all\n"
	  "  --json              print the new set as JSON\n"
	  "Writers are told identify, prepare-backup, prepare-snapshot and freeze; every\n"
	  "origin is then suspended together (filesystems flushed and frozen), the shadows\n"
	  "made live, and all resumed; writers are told thaw and post-snapshot. The freeze\n"
	  "window is bounded by freeze_timeout; any failure aborts the set (exit 3 for a\n"
	  "writer's). Progress is shown on a terminal or with -v.",
	  CMD_ROOT | CMD_STATE, cmd_create_set },
	{ "list sets", "[--json]", "list the shadow copy sets",
	  "  --json    print JSON: each set with its shadows as children",
	  CMD_ROOT | CMD_STATE, cmd_list_sets },
	{ "show", "[--json] SET", "show one set and the state of each shadow",
	  "SET is a set's id, a unique prefix of one, or its label.\n"
	  "  --json    print JSON (as list sets --json)",
	  CMD_ROOT | CMD_STATE, cmd_show },
	{ "delete-set", "[--force] SET... | --oldest | --older-than AGE | --all",
	  "delete shadow copy sets",
	  "  --force          unexpose exposed sets first (else they are refused)\n"
	  "  --oldest         the oldest set\n"
	  "  --older-than AGE sets older than AGE (90, 30m, 12h, 7d, 2w)\n"
	  "  --all            every set\n"
	  "A volume whose last shadow goes gets its own table back.",
	  CMD_ROOT | CMD_STATE, cmd_delete_set },
	{ "expose", "SET[/VOLUME] [MOUNTPOINT]", "mount shadows read-only",
	  "Default mountpoint: RUN_DIR/SET8/VOLUME. With a whole set and a MOUNTPOINT,\n"
	  "each volume goes to MOUNTPOINT/VOLUME.",
	  CMD_ROOT | CMD_STATE, cmd_expose },
	{ "unexpose", "SET[/VOLUME]", "unmount exposed shadows", NULL,
	  CMD_ROOT | CMD_STATE, cmd_unexpose },
	{ "storage add", "[--max SIZE] DEVICE|DIRECTORY", "add a storage area for COW data",
	  "A DEVICE (unused, no signature) is carved with dm-linear; a DIRECTORY holds\n"
	  "preallocated files on loop devices.\n"
	  "  --max SIZE   use at most SIZE of it",
	  CMD_ROOT | CMD_STATE, cmd_storage_add },
	{ "storage remove", "AREA", "stop using a storage area (refused while shadows use it)", NULL,
	  CMD_ROOT | CMD_STATE, cmd_storage_remove },
	{ "storage list", "[--json]", "list storage areas with their used and free space", NULL,
	  CMD_ROOT | CMD_STATE, cmd_list_storage },
	{ "list storage", "[--json]", "the same as storage list", NULL,
	  CMD_ROOT | CMD_STATE, cmd_list_storage },
	{ "list writers", "[--json]", "list writers with their last state, failure and timings",
	  "  --json    print JSON, with every field\n"
	  "Writers come from [writer NAME] sections of vss.conf and hook_dir.",
	  CMD_STATE, cmd_list_writers },
	{ "writer verify", "[--json] [NAME]", "run identify on a writer (or every enabled one)",
	  "Runs each writer's identify event only and reports; hooks from hook_dir are\n"
	  "checked (owner, permissions), not run. Exit 3 when a writer failed.",
	  CMD_STATE, cmd_writer_verify },
	{ "check-config", "[FILE]", "check a configuration file and exit 0, or 2 with every problem",
	  "FILE defaults to -C FILE, $VSS_CONFIG, or /etc/vss/vss.conf. Each problem is\n"
	  "reported as FILE:LINE: message; programs named must exist and be safe to run.",
	  0, cmd_check_config },
	{ "recover", "", "finish or undo what an interrupted vss left",
	  "Resumes devices a killed vss left suspended, undoes half-made sets, finishes\n"
	  "half-done deletes, deletes auto-release sets whose process is gone, and removes\n"
	  "vss devices no set names. Every command that changes something does this first.",
	  CMD_ROOT | CMD_STATE, cmd_recover },
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
