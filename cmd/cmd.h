/* What the command handlers share: the session and how they report. */
#ifndef VSS_CMD_H
#define VSS_CMD_H

#include "config/conffile.h"
#include "engine/vss.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* The exit codes documented in vss(8). */
enum vss_exit {
	VSS_EXIT_OK = 0,
	VSS_EXIT_FAILED = 1,
	VSS_EXIT_USAGE = 2,   /* also: configuration and state-directory errors */
	VSS_EXIT_WRITER = 3,
	VSS_EXIT_STORAGE = 4,
	VSS_EXIT_LOCKED = 5,
	VSS_EXIT_BROKEN = 6,  /* monitor --once: a shadow invalid or missing, a pool failed */
};

enum {
	CMD_ROOT = 1 << 0,   /* needs root and device-mapper */
	CMD_STATE = 1 << 1,  /* needs the state directory */
};

/* What a word is, for completion (the REPL's and bash's). */
enum arg_kind {
	ARG_NONE,
	ARG_TEXT,      /* anything: nothing to offer */
	ARG_SET,       /* a set's id or label */
	ARG_SHADOW,    /* SET or SET/VOLUME */
	ARG_VOLUME,    /* a volume's name or a device */
	ARG_WRITER,    /* a writer's name */
	ARG_WRITERS,   /* none, all, or NAME,NAME */
	ARG_PATH,      /* a file, directory or device */
	ARG_DEVICE,    /* a block device (or a directory), then words to type */
	ARG_COMMAND,   /* a command of this table */
	ARG_PROGRAM,   /* a program, then its arguments */
	ARG_AREA,      /* a storage area */
	ARG_SETTING,   /* set's OPTION then VALUE */
	ARG_CHOICE,    /* one of the option's VALUES */
	ARG_PROVIDER,  /* auto, or one of the engine's providers */
	ARG_COLUMNS,   /* a listing's column names, comma-separated */
};

struct cmd_opt {
	const char *name;     /* "label", for --label */
	int val;              /* what the command's handler sees */
	const char *arg;      /* "TEXT"; NULL for a flag */
	enum arg_kind kind;
	const char *values;   /* ARG_CHOICE: "persistent auto-release" */
	char letter;          /* its short form, 'l' for -l; 0: none */
};

struct session;
struct cli_listing;

struct cmd {
	const char *name;     /* its words: "volume import" */
	const char *args;     /* synopsis after the name */
	const char *summary;  /* one line for `help` */
	const char *help;     /* options and details for `help COMMAND` */
	int flags;
	int (*exec)(struct session *s, int argc, char **argv);
	const struct cmd_opt *opts;  /* NULL: none */
	enum arg_kind operand;       /* what its operands are */
	const struct cli_listing *listing;  /* a listing's columns, for -o; NULL: none */
};

/* What `set` changes for the rest of a session. */
struct settings {
	bool context_given;
	enum vss_context context;
	char *writers;            /* as create-set --writers; NULL: not set */
	const char *provider;     /* as create-set --provider; NULL: not set */
	bool keep_going;          /* on-error continue */
};

/* "auto" or a provider the engine has (vss_providers) -> *P, a name that
 * lives as long as the program: 0, or -1. */
int cli_provider_parse(const char *s, const char **p);
/* Into BUF: "auto" and the providers, in name order, SEP between them and
 * LAST before the last ("auto, cow and thin"). */
void cli_provider_list(char *buf, size_t len, const char *sep, const char *last);
/* The usage error for VALUE of WHAT ("--provider") naming no provider. */
int cli_provider_unknown(struct session *s, const char *what, const char *value);

struct session {
	const char *prog;         /* "vss" */
	const struct cmd *cmd;    /* the command running */
	struct vss_config cfg;
	bool cfg_loaded;
	struct vss_ctx *ctx;      /* made when a command first needs the engine */
	const char *config_path;  /* -C FILE */
	int verbose;
	bool quiet;
	bool progress;            /* create-set's phases and writers shown as they go */
	bool json_out;            /* the command's JSON is on stdout: steps go to stderr */
	const char *where;        /* "FILE:LINE" of the script's command, for messages */
	struct settings set;
	char **auto_release;      /* ids of the auto-release sets this session made */
	size_t n_auto_release;
	char last_set[37];        /* the set this session made last (exec's) */
	bool backup_open;         /* between begin-backup and end-backup */
	bool backup_failed;       /* a command failed since begin-backup */
	char **backup_sets;       /* the sets made since begin-backup */
	size_t n_backup_sets;
	bool failed;              /* a command of the session failed */
	bool exit_asked;          /* `exit` ran */
	int exit_code;
};

/* Loads the configuration, checks root and the state directory, and makes
 * the engine context: 0, or the exit code after reporting why not. */
int cli_open(struct session *s);

extern const struct cmd vss_commands[];

/* The command whose words (or unambiguous prefixes of them) begin ARGV:
 * 0 with *CMD and *USED (words taken), or -1 with WHY ("cx: unknown
 * command; ...", "s: ambiguous; it could be: show, storage, set"). */
int cmd_lookup(int argc, char **argv, const struct cmd **cmd, int *used, char *why, size_t len);
/* The table's option named by ARG ("--lab" or "--label=x"): 0, or -1
 * with WHY (unknown, ambiguous). */
int cmd_option(const struct cmd *cmd, const char *arg, const struct cmd_opt **opt, char *why,
	       size_t len);

/* The nearest of the words offered to the word typed (cmd/suggest.c). */
struct cli_suggest {
	const char *typed;
	char best[65];   /* "": none near enough */
	size_t dist;
};
void cli_suggest_init(struct cli_suggest *sg, const char *typed);
void cli_suggest_offer(struct cli_suggest *sg, const char *word, size_t len);

/* The option of CMD whose short form is LETTER; NULL: none. */
const struct cmd_opt *cmd_short_option(const struct cmd *cmd, int letter);

/* A session: one command, -c, a script, or the shell. */
void session_init(struct session *s);
/* Runs one command (ARGV as typed): its exit code, reported. */
int session_run(struct session *s, int argc, char **argv);
/* The end, however it came: writers hear backup-complete (or not), the
 * auto-release sets go, the engine closes. Returns the final code. */
int session_end(struct session *s, int code);
/* Completion of the word at CWORD among WORDS (the words of a command
 * line): the candidates, one per line, on OUT. */
void complete_words(struct session *s, int nwords, char **words, int cword, FILE *out);

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

/* Parses a command's options (from its table entry; they may follow
 * operands); returns the index of the first operand (operands are moved
 * after the options), or -1 after reporting a usage error. */
#include <getopt.h>

int cli_getopt(struct session *s, int argc, char **argv,
	       int (*on)(struct session *, int, const char *, void *), void *data);

/* The option handler of commands whose one option is --json ('j'): DATA
 * points to the bool it sets. */
int cli_on_json(struct session *s, int c, const char *arg, void *data);


/* Whether there is a person to ask: stdin and stderr are terminals. */
bool cli_can_ask(void);
/* Asks the question FMT on the terminal: true only for an explicit yes. */
bool cli_confirm(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Subscribes the terminal printer to the engine's events. */
void cli_printer_attach(struct session *s);
/* A long operation begins: its progress is shown on a terminal or with -v
 * (never with -q, nor with JSON on stdout). */
void cli_progress_begin(struct session *s, bool json);

void cli_print_usage(FILE *out);
/* One command's usage, summary and help, as `help COMMAND` shows it. */
void cli_print_command(const struct cmd *c, FILE *out);

/* The command handlers, one file each (cmd/cmd-*.c). */
int cmd_help(struct session *s, int argc, char **argv);
int cmd_volume_import(struct session *s, int argc, char **argv);
int cmd_volume_remove(struct session *s, int argc, char **argv);
int cmd_list_volumes(struct session *s, int argc, char **argv);
int cmd_create_set(struct session *s, int argc, char **argv);
int cmd_list_sets(struct session *s, int argc, char **argv);
int cmd_list_shadows(struct session *s, int argc, char **argv);
int cmd_show(struct session *s, int argc, char **argv);
int cmd_delete_set(struct session *s, int argc, char **argv);
int cmd_expose(struct session *s, int argc, char **argv);
int cmd_unexpose(struct session *s, int argc, char **argv);
int cmd_storage_add(struct session *s, int argc, char **argv);
int cmd_storage_remove(struct session *s, int argc, char **argv);
int cmd_list_storage(struct session *s, int argc, char **argv);
int cmd_recover(struct session *s, int argc, char **argv);
int cmd_activate(struct session *s, int argc, char **argv);
int cmd_revert(struct session *s, int argc, char **argv);
int cmd_prune(struct session *s, int argc, char **argv);
int cmd_monitor(struct session *s, int argc, char **argv);
int cmd_list_writers(struct session *s, int argc, char **argv);
int cmd_writer_verify(struct session *s, int argc, char **argv);
int cmd_check_config(struct session *s, int argc, char **argv);
int cmd_set(struct session *s, int argc, char **argv);
int cmd_begin_backup(struct session *s, int argc, char **argv);
int cmd_end_backup(struct session *s, int argc, char **argv);
int cmd_exec(struct session *s, int argc, char **argv);
int cmd_exit(struct session *s, int argc, char **argv);

/* ---- listings: -o COLUMNS, -n, -r, -b, -J (cmd/output.c) ---- */
enum { CLI_MAX_COLS = 32 };

/* What the listing options asked for; zeroed, then filled by
 * cli_on_output and cli_output_parse. */
struct cli_out {
	const char *columns;  /* -o: "A,B", "+A", "help"; NULL: the default */
	bool noheadings, raw, bytes, json;
	size_t sel[CLI_MAX_COLS];  /* the columns chosen, in order */
	size_t n;
};

enum {
	CLI_COL_TABLE = 1 << 0,  /* in the default table */
	CLI_COL_JSON = 1 << 1,   /* in the default JSON */
};

struct cli_col {
	const char *name;     /* its heading and -o's word; lower case, its JSON key */
	const char *help;     /* a line for -o help */
	double width;         /* libsmartcols' width hint */
	int scols_flags;      /* SCOLS_FL_* */
	int json_type;        /* SCOLS_JSON_* */
	int flags;            /* CLI_COL_* */
	/* ROW's value (in BUF or its own), NULL: none (null in JSON). */
	const char *(*get)(const void *row, const struct cli_out *o, char *buf, size_t len);
};

struct cli_listing {
	const char *name;     /* the JSON's key: "sets" */
	const struct cli_col *cols;  /* ends with a NULL name */
	const char *table_default;   /* the default table's columns; NULL: CLI_COL_TABLE's */
};

/* The handler of the listing options ('o', 'n', 'r', 'b', 'j'): DATA is
 * the struct cli_out. */
int cli_on_output(struct session *s, int c, const char *arg, void *data);
/* Resolves -o against L's columns: 0, 1 after printing -o help's list
 * (exit 0), or -1 after a usage error. */
int cli_output_parse(struct session *s, const struct cli_listing *l, struct cli_out *o);
/* Column NAME too, as part of the default: unless -o chose the columns
 * (-o +COLUMNS adds to the default, so it is kept). */
void cli_output_add(const struct cli_listing *l, struct cli_out *o, const char *name);
/* N rows of STRIDE bytes each at ROWS: 0, or -1 (out of memory). */
int cli_output_print(const struct cli_listing *l, const struct cli_out *o, const void *rows,
		     size_t n, size_t stride);
/* A size as the listing asked: bytes for -b and JSON, else "1.5G". */
const char *cli_out_size(const struct cli_out *o, uint64_t bytes, char *buf, size_t len);
const char *cli_out_bool(const struct cli_out *o, bool v);

/* Sets and shadows (cmd/setview.c): one row a set; one row a shadow,
 * with its set's id and label; show's shadows (its page names the set). */
extern const struct cli_listing cli_sets_listing, cli_shadows_listing, cli_show_listing;
/* KEEP (NULL: no rules): why retention keeps each set, NULL: pruned.
 * These return 0, or -1: out of memory. */
int cli_print_sets(const struct vss_set *sets, size_t n, const struct cli_out *o,
		   const char *const *keep);
int cli_print_shadows(const struct cli_listing *l, const struct vss_set *sets, size_t n,
		      const struct cli_out *o);
/* show: the set's page for people, its shadows' rows for programs. */
int cli_print_set(const struct vss_set *set, const struct cli_out *o);
const char *cli_set_state(const struct vss_set *set);
/* libsmartcols, as every table of ours uses it (cmd/scols.c). */
#include <libsmartcols.h>
struct libscols_table *cli_table_new(const char *name, bool json);
void cli_column(struct libscols_table *tb, const char *name, double w, int flags, int json_type);
/* US (since the epoch) as "2026-11-25 10:30:00" local, or ISO 8601 UTC;
 * "" for 0. */
void cli_time(long long us, bool utc_iso, char *buf, size_t len);

/* Writers, one row each (cmd/writerview.c): 0, or -1 (out of memory). */
extern const struct cli_listing cli_writers_listing;
/* The listings of cmd/cmd-list-volumes.c and cmd/cmd-storage.c. */
extern const struct cli_listing cli_volumes_listing, cli_storage_listing;
int cli_print_writers(const struct vss_writer_status *ws, size_t n, const struct cli_out *o);
/* Notes a set the session made: auto-release ones go when it ends; those
 * made in a backup hear backup-complete at end-backup. */
int cli_remember_set(struct session *s, const char *id, bool auto_release);  /* -1, -2: ENOMEM */
/* Set ID was deleted by a command of the session: nothing more to do
 * for it at the end. */
void cli_forget_set(struct session *s, const char *id);
/* Tells the writers of set ID that its backup is over (COMPLETE) or
 * ended without completing: 0, or the exit code after reporting. */
int cli_backup_end(struct session *s, const char *id, bool complete);

#endif
