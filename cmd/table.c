/* The one command table: parsing, help and the man-page check read it. */
#include "config.h"
#include "cmd.h"

#include <stdio.h>
#include <stdbool.h>
#include <string.h>

/* The listings' options, as lsblk's: which columns, and how printed. */
#define OUTPUT_OPTS \
	{ "output", 'o', "COLUMNS", ARG_COLUMNS, NULL, 'o' }, \
	{ "noheadings", 'n', NULL, ARG_NONE, NULL, 'n' }, \
	{ "raw", 'r', NULL, ARG_NONE, NULL, 'r' }, \
	{ "bytes", 'b', NULL, ARG_NONE, NULL, 'b' }, \
	{ "json", 'j', NULL, ARG_NONE, NULL, 'J' }

/* The listings' help for those options: one text for all of them. */
#define OUTPUT_HELP \
	"  -o, --output COLUMNS  the columns to print, comma-separated; +COLUMNS adds to\n" \
	"                        the default; -o help lists them\n" \
	"  -n, --noheadings      no heading line\n" \
	"  -r, --raw             columns separated by one space, unaligned (for scripts)\n" \
	"  -b, --bytes           sizes in bytes\n" \
	"  -J, --json            JSON (sizes in bytes, times in ISO 8601 UTC)\n"

static const struct cmd_opt output_opts[] = {
	OUTPUT_OPTS,
	{ NULL, 0, NULL, ARG_NONE, NULL, 0 },
};

static const struct cmd_opt json_opt[] = {
	{ "json", 'j', NULL, ARG_NONE, NULL, 'J' },
	{ NULL, 0, NULL, ARG_NONE, NULL, 0 },
};

static const struct cmd_opt create_opts[] = {
	{ "label", 'l', "TEXT", ARG_TEXT, NULL, 'l' },
	{ "context", 'c', "C", ARG_CHOICE, "persistent auto-release", 0 },
	{ "provider", 'p', "P", ARG_PROVIDER, NULL, 'p' },
	/* lvcreate's letters for a snapshot's size and chunk size. */
	{ "cow-size", 's', "SIZE", ARG_TEXT, NULL, 'L' },
	{ "chunk-size", 'k', "SIZE", ARG_CHOICE, "4K 8K 16K 32K 64K 128K 256K 512K", 'c' },
	{ "writers", 'w', "W", ARG_WRITERS, NULL, 'w' },
	{ "json", 'j', NULL, ARG_NONE, NULL, 'J' },
	{ NULL, 0, NULL, ARG_NONE, NULL, 0 },
};

static const struct cmd_opt delete_opts[] = {
	{ "yes", 'y', NULL, ARG_NONE, NULL, 'y' },
	{ "force", 'f', NULL, ARG_NONE, NULL, 'f' },
	{ "oldest", 'o', NULL, ARG_NONE, NULL, 0 },
	{ "older-than", 't', "AGE", ARG_TEXT, NULL, 0 },
	{ "all", 'a', NULL, ARG_NONE, NULL, 'a' },
	{ NULL, 0, NULL, ARG_NONE, NULL, 0 },
};

static const struct cmd_opt yes_opt[] = {
	{ "yes", 'y', NULL, ARG_NONE, NULL, 'y' },
	{ NULL, 0, NULL, ARG_NONE, NULL, 0 },
};

static const struct cmd_opt prune_opts[] = {
	{ "yes", 'y', NULL, ARG_NONE, NULL, 'y' },
	{ "dry-run", 'n', NULL, ARG_NONE, NULL, 'n' },
	{ "keep-last", 'l', "N", ARG_TEXT, NULL, 0 },
	{ "keep-within", 'w', "AGE", ARG_TEXT, NULL, 0 },
	{ "keep-hourly", 'H', "N", ARG_TEXT, NULL, 0 },
	{ "keep-daily", 'd', "N", ARG_TEXT, NULL, 0 },
	{ "keep-weekly", 'W', "N", ARG_TEXT, NULL, 0 },
	{ "keep-monthly", 'm', "N", ARG_TEXT, NULL, 0 },
	{ "json", 'j', NULL, ARG_NONE, NULL, 'J' },
	{ NULL, 0, NULL, ARG_NONE, NULL, 0 },
};

static const struct cmd_opt monitor_opts[] = {
	{ "once", 'o', NULL, ARG_NONE, NULL, 0 },
	{ "interval", 'i', "SECONDS", ARG_TEXT, NULL, 'i' },
	{ NULL, 0, NULL, ARG_NONE, NULL, 0 },
};

static const struct cmd_opt import_opts[] = {
	/* lvcreate's letter for a thin volume. */
	{ "thin", 't', "SIZE", ARG_TEXT, NULL, 'T' },
	{ NULL, 0, NULL, ARG_NONE, NULL, 0 },
};

static const struct cmd_opt remove_opts[] = {
	{ "yes", 'y', NULL, ARG_NONE, NULL, 'y' },
	{ NULL, 0, NULL, ARG_NONE, NULL, 0 },
};

static const struct cmd_opt storage_opts[] = {
	{ "max", 'm', "SIZE", ARG_TEXT, NULL, 'm' },
	{ NULL, 0, NULL, ARG_NONE, NULL, 0 },
};

const struct cmd vss_commands[] = {
	{ "help", "[COMMAND]", "show the commands, or one command's usage",
	  NULL, 0, cmd_help, NULL, ARG_COMMAND, NULL },
	{ "volume import", "[--thin SIZE] DEVICE NAME", "wrap a block device as the managed volume /dev/mapper/NAME",
	  "  -T, --thin SIZE  make instead a new, empty thin volume of SIZE in the thin pool\n"
	  "                   on DEVICE (made there the first time: DEVICE must hold\n"
	  "                   nothing); its shadows are thin snapshots (provider thin)\n"
	  "DEVICE must not be mounted or in use. NAME may hold letters, digits and . _ + -\n"
	  "(at most 100, not beginning with - or vss-). Without --thin the device keeps\n"
	  "its data; mount /dev/mapper/NAME instead of DEVICE from now on.",
	  CMD_ROOT | CMD_STATE, cmd_volume_import, import_opts, ARG_DEVICE, NULL },
	{ "volume remove", "[--yes] NAME", "undo an import: remove /dev/mapper/NAME (a thin volume's data goes with it)",
	  "  -y, --yes  do not ask (on a terminal, vss asks first)\n"
	  "Refused while the volume is mounted, open, or has shadows. A thin volume's data\n"
	  "goes with it (it lives only in its pool), and the pool with its last volume.",
	  CMD_ROOT | CMD_STATE, cmd_volume_remove, remove_opts, ARG_VOLUME, NULL },
	{ "list volumes", "[--output COLUMNS] [--noheadings] [--raw] [--bytes] [--json] [VOLUME...]", "list managed volumes and other device-mapper devices",
	  OUTPUT_HELP
	  "VOLUME is a managed volume's name or the path of any device-mapper device.",
	  CMD_ROOT | CMD_STATE, cmd_list_volumes, output_opts, ARG_VOLUME,
	  &cli_volumes_listing },
	{ "create-set", "[--label TEXT] [--context persistent|auto-release] [--provider auto|chain|cow|thin] [--cow-size SIZE|N%] [--chunk-size SIZE] [--writers NAME[,NAME...]|all|none] [--json] VOLUME...",
	  "make a shadow copy set: every VOLUME at one instant",
	  "  -l, --label TEXT    a name for people and for SET arguments, unique among\n"
	  "                      the sets\n"
	  "  --context C         persistent, or auto-release: deleted when this vss session\n"
	  "                      ends, however it ends (default: set context, else\n"
	  "                      vss.conf's context, else persistent)\n"
	  "  -p, --provider P    how shadows are made: thin (a dm-thin snapshot in its pool)\n"
	  "                      for a thin volume vss made, cow (dm-snapshot) for any\n"
	  "                      other (auto, the default); cow or thin for every volume\n"
	  "  -L, --cow-size S|N% COW space of each shadow (default 10% of its origin)\n"
	  "  -c, --chunk-size S  copy-on-write unit, a power of two from 4K to 512K (default 4K)\n"
	  "  -w, --writers W,... these writers take part too (besides those whose volumes\n"
	  "                      the set touches); all: every enabled writer; none: no\n"
	  "                      writer at all\n"
	  "  -J, --json          print the new set as JSON (as list sets --json)\n"
	  "Writers are told identify, prepare-backup, prepare-snapshot and freeze; every\n"
	  "origin is then suspended together (filesystems flushed and frozen), the shadows\n"
	  "made live, and all resumed; writers are told thaw and post-snapshot. The freeze\n"
	  "window is bounded by freeze_timeout; any failure aborts the set (exit 3 for a\n"
	  "writer's). Progress is shown on a terminal or with -v.",
	  CMD_ROOT | CMD_STATE, cmd_create_set, create_opts, ARG_VOLUME, NULL },
	{ "list sets", "[--output COLUMNS] [--noheadings] [--raw] [--bytes] [--json] [SET...]", "list the shadow copy sets, one row a set",
	  OUTPUT_HELP
	  "SET is a set's id, a unique prefix of one, or its label; without SET, every set.",
	  CMD_ROOT | CMD_STATE, cmd_list_sets, output_opts, ARG_SET, &cli_sets_listing },
	{ "list shadows", "[--output COLUMNS] [--noheadings] [--raw] [--bytes] [--json] [SET...]", "list the shadows of sets, one row a shadow",
	  OUTPUT_HELP
	  "Each row carries its set's id (and, in JSON, its label).",
	  CMD_ROOT | CMD_STATE, cmd_list_shadows, output_opts, ARG_SET,
	  &cli_shadows_listing },
	{ "show", "[--output COLUMNS] [--noheadings] [--raw] [--bytes] [--json] SET", "show one set and the state of each shadow",
	  "SET is a set's id, a unique prefix of one, or its label.\n"
	  OUTPUT_HELP
	  "With -n, -r or -J only the shadows' rows are printed (as list shadows SET).",
	  CMD_ROOT | CMD_STATE, cmd_show, output_opts, ARG_SET, &cli_show_listing },
	{ "delete-set", "[--yes] [--force] SET... | --oldest | --older-than AGE | --all",
	  "delete shadow copy sets",
	  "  -y, --yes        do not ask (on a terminal, vss asks before deleting)\n"
	  "  -f, --force      unexpose exposed sets first (else they are refused)\n"
	  "  --oldest         the oldest set\n"
	  "  --older-than AGE sets older than AGE (90, 30m, 12h, 7d, 2w)\n"
	  "  -a, --all        every set\n"
	  "A volume whose last shadow goes gets its own table back.",
	  CMD_ROOT | CMD_STATE, cmd_delete_set, delete_opts, ARG_SET, NULL },
	{ "revert", "[--yes] SET [VOLUME...]", "roll volumes back to their shadows in SET",
	  "  -y, --yes  do not ask (needed where there is no terminal to ask on)\n"
	  "Each shadow is merged into its volume (dm snapshot-merge) and leaves the set;\n"
	  "the volume reads as the shadow at once. Other shadows of the volume keep their\n"
	  "own instants. A volume in use (mounted, open) gets its revert scheduled: it\n"
	  "starts once the volume is free: at the next vss command that changes\n"
	  "something, at vss monitor's next look, or at activate.",
	  CMD_ROOT | CMD_STATE, cmd_revert, yes_opt, ARG_SET, NULL },
	{ "expose", "SET[/VOLUME] [MOUNTPOINT]", "mount shadows read-only",
	  "Default mountpoint: RUN_DIR/SET8/VOLUME. With a whole set and a MOUNTPOINT,\n"
	  "each volume goes to MOUNTPOINT/VOLUME.",
	  CMD_ROOT | CMD_STATE, cmd_expose, NULL, ARG_SHADOW, NULL },
	{ "unexpose", "SET[/VOLUME]", "unmount exposed shadows", NULL,
	  CMD_ROOT | CMD_STATE, cmd_unexpose, NULL, ARG_SHADOW, NULL },
	{ "storage add", "[--max SIZE] DEVICE|DIRECTORY", "add a storage area for COW data",
	  "A DEVICE (unused, no signature) is carved with dm-linear; a DIRECTORY holds\n"
	  "preallocated files on loop devices.\n"
	  "  -m, --max SIZE  use at most SIZE of it",
	  CMD_ROOT | CMD_STATE, cmd_storage_add, storage_opts, ARG_DEVICE, NULL },
	{ "storage remove", "AREA", "stop using a storage area (refused while shadows use it)", NULL,
	  CMD_ROOT | CMD_STATE, cmd_storage_remove, NULL, ARG_AREA, NULL },
	{ "storage list", "[--output COLUMNS] [--noheadings] [--raw] [--bytes] [--json]", "list storage areas with their used and free space",
	  OUTPUT_HELP
	  "A table for people ends with the storage policy in force.",
	  CMD_ROOT | CMD_STATE, cmd_list_storage, output_opts, ARG_NONE,
	  &cli_storage_listing },
	{ "list storage", "[--output COLUMNS] [--noheadings] [--raw] [--bytes] [--json]", "the same as storage list", NULL,
	  CMD_ROOT | CMD_STATE, cmd_list_storage, output_opts, ARG_NONE,
	  &cli_storage_listing },
	{ "list writers", "[--output COLUMNS] [--noheadings] [--raw] [--bytes] [--json]", "list writers with their last state, failure and timings",
	  OUTPUT_HELP
	  "Writers come from [writer NAME] sections of vss.conf and hook_dir.",
	  CMD_STATE, cmd_list_writers, output_opts, ARG_NONE,
	  &cli_writers_listing },
	{ "writer verify", "[--json] [NAME]", "run identify on a writer (or every enabled one)",
	  "Runs each writer's identify event only and reports; hooks from hook_dir are\n"
	  "checked (owner, permissions), not run. Exit 3 when a writer failed.\n"
	  "  -J, --json  print JSON, as list writers --json",
	  CMD_STATE, cmd_writer_verify, json_opt, ARG_WRITER, NULL },
	{ "check-config", "[FILE]", "check a configuration file and exit 0, or 2 with every problem",
	  "FILE defaults to -C FILE, $VSS_CONFIG, or /etc/vss/vss.conf. Each problem is\n"
	  "reported as FILE:LINE: message; programs named must exist and be safe to run.",
	  0, cmd_check_config, NULL, ARG_PATH, NULL },
	{ "recover", "", "finish or undo what an interrupted vss left",
	  "Resumes devices a killed vss left suspended, undoes half-made sets, finishes\n"
	  "half-done deletes, deletes auto-release sets whose process is gone, and removes\n"
	  "vss devices no set names. Every command that changes something does this first.",
	  CMD_ROOT | CMD_STATE, cmd_recover, NULL, ARG_NONE, NULL },
	{ "activate", "", "after a reboot: make managed volumes and persistent shadows active again",
	  "Rebuilds every managed volume, the layering under each volume with shadows,\n"
	  "and each shadow over its COW storage (its data kept), from the state\n"
	  "directory. Auto-release sets are deleted. Does only what is missing: running\n"
	  "it again changes nothing. vss-activate.service runs it at boot, before local\n"
	  "filesystems are mounted. Exit 1 when a volume could not be activated (each\n"
	  "is named, with why); the others are activated all the same.",
	  CMD_ROOT | CMD_STATE, cmd_activate, NULL, ARG_NONE, NULL },
	{ "prune", "[--yes] [--dry-run] [--keep-last N] [--keep-within AGE] [--keep-hourly N] [--keep-daily N] [--keep-weekly N] [--keep-monthly N] [--json]",
	  "delete the sets the retention rules do not keep",
	  "  -y, --yes         do not ask (on a terminal, vss asks before deleting)\n"
	  "  -n, --dry-run     only say which sets would be deleted\n"
	  "  --keep-last N     the N newest sets of each volume\n"
	  "  --keep-within AGE those younger than AGE (90m, 36h, 14d, 8w)\n"
	  "  --keep-hourly N   the newest set of each of the last N hours (local time)\n"
	  "  --keep-daily N    ... days, --keep-weekly N ... weeks, --keep-monthly N ... months\n"
	  "  -J, --json        print the sets deleted (or that would be) as JSON\n"
	  "Options replace vss.conf's keep_* rules as a whole. A set stays when any rule\n"
	  "keeps it for any of its volumes; auto-release, exposed and reverting sets always\n"
	  "stay. With no rule at all nothing is deleted, and prune succeeds (exit 0).\n"
	  "On a terminal, the sets that would go are named and a yes asked for first.",
	  CMD_ROOT | CMD_STATE, cmd_prune, prune_opts, ARG_NONE, NULL },
	{ "monitor", "[--once] [--interval SECONDS]",
	  "watch COW use: warn, and apply on_full before a shadow overflows",
	  "  --once              look once and exit: 6 when a shadow is invalid or missing\n"
	  "                      or a thin pool failed, else 0\n"
	  "  -i, --interval S    between looks (default: monitor_interval, 10)\n"
	  "A shadow at warn_at (80%) use is warned about; at full_at (90%), on_full =\n"
	  "delete-oldest deletes the oldest set of its volume (a warning names it), and\n"
	  "refuse only warns. A shadow that became invalid or missing is named, with\n"
	  "why. Reverts whose volume became free start, and finished ones are tidied.\n"
	  "Runs until SIGTERM or SIGINT (then exit 0); vss-monitor.service runs it.",
	  CMD_ROOT | CMD_STATE, cmd_monitor, monitor_opts, ARG_NONE, NULL },
	{ "set", "[OPTION [VALUE]]", "show or change a setting of this session (scripts, -c, the shell)",
	  "  context persistent|auto-release   create-set's default context\n"
	  "  writers NAME[,NAME...]|all|none   create-set's default --writers\n"
	  "  provider auto|chain|cow|thin      create-set's default provider\n"
	  "  verbose on|off|debug              as -v, -vv\n"
	  "  on-error stop|continue            stop a script at its first failing command\n"
	  "                                    (the default), or go on\n"
	  "Without VALUE, shows the setting; without OPTION, every setting.",
	  0, cmd_set, NULL, ARG_SETTING, NULL },
	{ "begin-backup", "", "begin a backup: writers of the sets made from now on wait for its end",
	  "Sets made until end-backup keep their writers waiting for backup-complete.",
	  0, cmd_begin_backup, NULL, ARG_NONE, NULL },
	{ "end-backup", "", "end the backup: its sets' writers are told backup-complete",
	  "Exit 3 when a writer fails backup-complete. Auto-release sets stay until the\n"
	  "session ends.",
	  0, cmd_end_backup, NULL, ARG_NONE, NULL },
	{ "exec", "PROGRAM [ARG...]", "run a program over the set this session made last",
	  "PROGRAM (searched in PATH, no shell) gets VSS_SET_ID, VSS_SET_LABEL (when the\n"
	  "set has one), VSS_VOLUMES (the set's volumes), and for each volume\n"
	  "VSS_SHADOW_<VOLUME> (the shadow's device) and, when exposed, VSS_MOUNT_<VOLUME>;\n"
	  "in VOLUME every character other than a letter, digit or _ becomes _. A program\n"
	  "that fails (exit status not 0, or killed) fails the command with exit 1.",
	  CMD_ROOT | CMD_STATE, cmd_exec, NULL, ARG_PROGRAM, NULL },
	{ "exit", "[CODE]", "end the session (the shell or a script), with CODE (default 0)",
	  NULL, 0, cmd_exit, NULL, ARG_NONE, NULL },
	{ NULL, NULL, NULL, NULL, 0, NULL, NULL, ARG_NONE, NULL },
};


/* Word K of NAME into BUF: false when NAME has no word K. */
static bool word_of(const char *name, int k, char *buf, size_t len)
{
	for (; k > 0; k--) {
		name += strcspn(name, " ");
		if (!*name)
			return false;
		name++;
	}
	snprintf(buf, len, "%.*s", (int)strcspn(name, " "), name);
	return true;
}

static int words_in(const char *name)
{
	int n = 1;

	for (; *name; name++)
		n += *name == ' ';
	return n;
}

/* The first K words of ARGV, as typed, for messages. */
static void typed(int k, char **argv, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int i = 0; i < k && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? " " : "", argv[i]);
}

/* Appends WORD to the list in BUF unless it is there already: whether
 * it was new. */
static bool add_word(char *buf, size_t len, const char *word)
{
	size_t wl = strlen(word);

	for (const char *p = buf; *p; p += strcspn(p, ",") + (p[strcspn(p, ",")] ? 2 : 0))
		if (!strncmp(p, word, wl) && (p[wl] == ',' || !p[wl]))
			return false;
	if (buf[0])
		strncat(buf, ", ", len - strlen(buf) - 1);
	strncat(buf, word, len - strlen(buf) - 1);
	return true;
}

int cmd_lookup(int argc, char **argv, const struct cmd **cmdp, int *used, char *why, size_t len)
{
	enum { MAX = 64 };
	bool alive[MAX], before_word[MAX];
	char word[64], words[512], before[512];
	size_t ncmd = 0;

	while (vss_commands[ncmd].name && ncmd < MAX)
		ncmd++;
	for (size_t c = 0; c < ncmd; c++)
		alive[c] = true;
	if (argc == 0) {
		snprintf(why, len, "no command given");
		return -1;
	}
	for (int k = 0;; k++) {
		bool exact = false;
		int distinct = 0;

		for (size_t c = 0; k > 0 && c < ncmd; c++)
			if (alive[c] && words_in(vss_commands[c].name) == k) {
				*cmdp = &vss_commands[c];
				*used = k;
				return 0;
			}
		typed(k, argv, before, sizeof(before));
		words[0] = '\0';
		if (k == argc) {
			for (size_t c = 0; c < ncmd; c++)
				if (alive[c] && word_of(vss_commands[c].name, k, word, sizeof(word)))
					add_word(words, sizeof(words), word);
			snprintf(why, len, "%s: needs one of: %s", before, words);
			return -1;
		}
		for (size_t c = 0; c < ncmd; c++) {
			before_word[c] = alive[c];
			if (alive[c] && word_of(vss_commands[c].name, k, word, sizeof(word)) &&
			    !strcmp(word, argv[k]))
				exact = true;
		}
		for (size_t c = 0; c < ncmd; c++) {
			if (!alive[c])
				continue;
			if (!word_of(vss_commands[c].name, k, word, sizeof(word)) ||
			    (exact ? strcmp(word, argv[k]) : strncmp(word, argv[k], strlen(argv[k]))) ||
			    !argv[k][0]) {
				alive[c] = false;
				continue;
			}
			distinct += add_word(words, sizeof(words), word);
		}
		if (distinct == 0) {
			char group[64] = "";

			/* What the words so far (perhaps shortened) stand for. */
			for (size_t c = 0; c < ncmd; c++)
				if (k > 0 && before_word[c] &&
				    word_of(vss_commands[c].name, k, word, sizeof(word))) {
					const char *name = vss_commands[c].name, *p = name;

					add_word(words, sizeof(words), word);
					for (int i = 0; i < k; i++)
						p += strcspn(p, " ") + 1;
					snprintf(group, sizeof(group), "%.*s", (int)(p - name - 1), name);
				}
			struct cli_suggest sg;
			char hint[sizeof(before) + 96] = "";

			cli_suggest_init(&sg, argv[k]);
			for (size_t c = 0; c < ncmd; c++)
				if ((k == 0 || before_word[c]) &&
				    word_of(vss_commands[c].name, k, word, sizeof(word)))
					cli_suggest_offer(&sg, word, strlen(word));
			if (sg.best[0])
				snprintf(hint, sizeof(hint), "did you mean '%s%s%s'? ", before,
					 k ? " " : "", sg.best);
			if (k == 0)
				snprintf(why, len, "%s: unknown command; %ssee 'vss help'", argv[0], hint);
			else
				snprintf(why, len, "%s %s: unknown command; %s%s takes: %s", before,
					 argv[k], hint, group, words);
			return -1;
		}
		if (distinct > 1) {
			snprintf(why, len, "%s%s%s: ambiguous; it could be: %s", before, k ? " " : "",
				 argv[k], words);
			return -1;
		}
	}
}
