/* What the command handlers share: the session and how they report. */
#ifndef VSS_CLI_H
#define VSS_CLI_H

#include "config/conffile.h"
#include "engine/vss.h"

#include <stdbool.h>
#include <stdio.h>

/* The exit codes documented in vss(8). */
enum vss_exit {
	VSS_EXIT_OK = 0,
	VSS_EXIT_FAILED = 1,
	VSS_EXIT_USAGE = 2,   /* also: configuration and state-directory errors */
	VSS_EXIT_WRITER = 3,
	VSS_EXIT_STORAGE = 4,
	VSS_EXIT_LOCKED = 5,
};

enum {
	CMD_ROOT = 1 << 0,   /* needs root and device-mapper */
	CMD_STATE = 1 << 1,  /* needs the state directory */
};

struct session;

struct cmd {
	const char *name;     /* its words: "volume import" */
	const char *args;     /* synopsis after the name */
	const char *summary;  /* one line for `help` */
	const char *help;     /* options and details for `help COMMAND` */
	int flags;
	int (*exec)(struct session *s, int argc, char **argv);
};

struct session {
	const char *prog;         /* "vss" */
	const struct cmd *cmd;    /* the command running */
	struct vss_config cfg;
	struct vss_ctx *ctx;      /* made when a command needs the engine */
	const char *config_path;  /* -C FILE */
	int verbose;
	bool quiet;
	bool progress;            /* create-set's phases and writers shown as they go */
	char **auto_release;      /* ids of the auto-release sets this session made */
	size_t n_auto_release;
};

/* Loads the configuration, checks root and the state directory, and makes
 * the engine context: 0, or the exit code after reporting why not. */
int cli_open(struct session *s);

extern const struct cmd vss_commands[];

/* The command whose words begin ARGV; *used says how many words it took. */
const struct cmd *cmd_find(int argc, char **argv, int *used);
/* The subcommands of a group word such as "volume", as "import, remove". */
void cmd_group_words(const char *group, char *buf, size_t len);

/* "vss: COMMAND: message" on stderr; returns CODE. */
int cli_error(struct session *s, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Reports the engine's last failure and returns its exit code. */
int cli_engine_error(struct session *s);
/* A malformed volume name is a usage error, caught before anything is
 * touched: 0, or the exit code after saying why. */
int cli_check_name(struct session *s, const char *name);
/* Usage error: the message and "Usage: vss COMMAND ARGS". */
int cli_usage(struct session *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Parses a command's options (getopt_long, "+" semantics); returns the
 * index of the first operand, or -1 after reporting a usage error. */
#include <getopt.h>

int cli_getopt(struct session *s, int argc, char **argv, const char *shortopts,
	       const struct option *longopts, int (*on)(struct session *, int, const char *, void *),
	       void *data);

/* The option handler of commands whose one option is --json ('j'): DATA
 * points to the bool it sets. */
int cli_on_json(struct session *s, int c, const char *arg, void *data);

/* For commands without options: cli_getopt(s, argc, argv, "", cli_no_options, NULL, NULL). */
extern const struct option cli_no_options[];
/* For commands whose one option is --json: with cli_on_json. */
extern const struct option cli_json_options[];

/* Subscribes the terminal printer to the engine's events. */
void cli_printer_attach(struct session *s);
/* A long operation begins: its progress is shown on a terminal or with -v
 * (never with -q, nor with JSON on stdout). */
void cli_progress_begin(struct session *s, bool json);

int tui_main(int argc, char **argv);
void cli_print_usage(FILE *out);

/* The command handlers, one file each (cli/cmd-*.c). */
int cmd_help(struct session *s, int argc, char **argv);
int cmd_volume_import(struct session *s, int argc, char **argv);
int cmd_volume_remove(struct session *s, int argc, char **argv);
int cmd_list_volumes(struct session *s, int argc, char **argv);
int cmd_create_set(struct session *s, int argc, char **argv);
int cmd_list_sets(struct session *s, int argc, char **argv);
int cmd_show(struct session *s, int argc, char **argv);
int cmd_delete_set(struct session *s, int argc, char **argv);
int cmd_expose(struct session *s, int argc, char **argv);
int cmd_unexpose(struct session *s, int argc, char **argv);
int cmd_storage_add(struct session *s, int argc, char **argv);
int cmd_storage_remove(struct session *s, int argc, char **argv);
int cmd_list_storage(struct session *s, int argc, char **argv);
int cmd_recover(struct session *s, int argc, char **argv);
int cmd_list_writers(struct session *s, int argc, char **argv);
int cmd_writer_verify(struct session *s, int argc, char **argv);
int cmd_check_config(struct session *s, int argc, char **argv);

/* Sets as tables (cli/setview.c). */
void cli_print_sets(const struct vss_set *sets, size_t n, bool json);
void cli_print_set(const struct vss_set *set, bool json);
const char *cli_set_state(const struct vss_set *set);
/* libsmartcols, as every table of ours uses it (cli/scols.c). */
#include <libsmartcols.h>
struct libscols_table *cli_table_new(const char *name, bool json);
void cli_column(struct libscols_table *tb, const char *name, double w, int flags, int json_type);
/* US (since the epoch) as "2026-11-25 10:30:00" local, or ISO 8601 UTC;
 * "" for 0. */
void cli_time(long long us, bool utc_iso, char *buf, size_t len);

/* Writers as a table or JSON (cli/writerview.c). */
void cli_print_writers(const struct vss_writer_status *ws, size_t n, bool json);
/* Notes an auto-release set, deleted when the session ends. */
int cli_remember_auto_release(struct session *s, const char *id);

#endif
