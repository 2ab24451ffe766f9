/*
 * vsstui, the dashboard: a model of what the engine and other vss
 * processes report (model.c), views of it that alone talk to curses
 * (screen.c, view.c, prompt.c), the keys (keys.c, their help keyhelp.c),
 * what keeps it alive between keys (pump.c), and the commands it runs as
 * child processes of this same binary (job.c), so that the screen never
 * waits on an operation and every action is the CLI's own command.
 */
#ifndef VSS_TUI_H
#define VSS_TUI_H

#include "engine/vss.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* ---- the model ---- */

enum panel { P_VOLUMES, P_SETS, P_WRITERS, P_NPANELS };

/* A writer as the dashboard shows it: its last known state, live from the
 * event feed while a sequence runs. */
struct tui_writer {
	char name[64];
	char type[16];
	bool enabled;
	enum vss_writer_state state;
	char event[32];        /* the event it handles now or handled last */
	bool busy;             /* handling it now */
	long long since_us;    /* when it started that event or reached that state */
	char set[37];
	char failed_event[32]; /* its last failure */
	char failed_why[512];
	bool failed_retryable;
};

#define LOG_LINES 200

struct log_line {
	long long at_us;
	enum vss_level level;
	char text[256];
};

struct model {
	struct vss_volume *vols;
	size_t nvols;
	struct vss_set *sets;  /* oldest first */
	size_t nsets;
	struct tui_writer *writers;
	size_t nwriters;
	struct vss_storage_area *areas;
	size_t nareas;
	char error[256];       /* the last refresh's failure, "" when none */
	long long refreshed_us;
	bool stale;            /* something changed: refresh soon */
	/* The operation another process (or our job) has under way. */
	char op[32];
	char op_set[37];
	char op_phase[32];
	long op_pid;
	long quiet_pid;         /* our job's: its failure is logged from its exit */
	long long op_since_us;
	struct log_line log[LOG_LINES];
	size_t nlog, log_head;  /* a ring: the newest at log_head - 1 */
	unsigned log_seq;       /* bumps with every line, so views see news */
};

void model_init(struct model *m);
void model_free(struct model *m);
/* Hears the warnings of CTX's own list calls (once, before refreshing). */
void model_attach(struct model *m, struct vss_ctx *ctx);
/* Reads everything again from the engine; failures land in m->error. */
void model_refresh(struct model *m, struct vss_ctx *ctx);
/* An event from the feed (other processes, our jobs). */
void model_event(struct model *m, const struct vss_event *ev);
void model_log(struct model *m, enum vss_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The Ith newest log line (0: the newest), NULL past the end. */
const struct log_line *model_log_line(const struct model *m, size_t i);
/* The set whose freeze window is the latest, NULL when none. */
const struct vss_set *model_last_set(const struct model *m);
long long tui_now_us(void);

/* ---- rows: what each panel lists, after the filter ---- */

struct row {
	enum panel panel;
	size_t index;      /* into vols, sets or writers */
	ssize_t shadow;    /* P_SETS: -1 the set itself, else its shadow */
};

/* The rows of panel P that match FILTER ("" all); *N rows. */
struct row *rows_of(const struct model *m, enum panel p, const char *filter, size_t *n);

/* ---- commands run as children (job.c) ---- */

struct job {
	pid_t pid;             /* 0: none running */
	int out;               /* its stdout and stderr, one pipe */
	char what[256];        /* the command line, for the log */
	char buf[4096];        /* a partial line */
	size_t len;
	char err[8][256];      /* the last lines it printed */
	int nerr;
	long long started_us;
};

/* Runs `vss [-C CONFIG] ARGV...` in the background. */
int job_start(struct job *j, struct model *m, const char *config, char *const argv[]);
/* Reads what it printed; when it has ended, logs the outcome and returns 1. */
int job_poll(struct job *j, struct model *m);
/* Passes SIG on and waits for it to end (its own undo is bounded). */
void job_stop(struct job *j, struct model *m, int sig);

/* ---- the screen (screen.c): the only owner of curses ---- */

/* Colour pairs, when the terminal has colours and NO_COLOR is unset. */
enum { C_TITLE = 1, C_HEADER, C_SELECTED, C_OK, C_WARN, C_BAD, C_DIM, C_BAR };

int screen_open(void);
void screen_close(void);
bool screen_colors(void);
/* A signal asked us to end (SIGINT, SIGTERM, SIGHUP): its number, else 0. */
int screen_signalled(void);
/* Ends as SIGHUP would: the terminal is gone. */
void screen_hangup(void);
/* Waits up to MS for a key; false (and hung up) when the terminal is gone. */
bool screen_wait_key(int ms);

/* ---- the views (view.c, prompt.c) ---- */

struct ui {
	struct model *m;
	struct vss_ctx *ctx;
	const char *config;       /* -C FILE, for the jobs */
	struct job job;
	enum panel focus;
	size_t sel[P_NPANELS];    /* the selected row of each panel */
	size_t top[P_NPANELS];    /* the first row shown */
	char filter[128];
	char (*marked)[128];      /* names of the volumes marked for the next set
				   * (names: the list may change under the marks) */
	size_t nmarked;
	bool help;                /* the help screen is up */
	char selkey[P_NPANELS][256]; /* what the selected row shows, so that the
				      * selection stays on it when the lists change */
	bool hidden[P_NPANELS];   /* not drawn: the terminal is too small */
	bool quit;
	char message[256];        /* a one-off line at the bottom */
	struct vss_feed *feed;    /* other processes' events, NULL without */
	long last_job_pid;        /* the job that ended last (its events are ours) */
	long long refresh_us;     /* how often the lists are read again */
};

void view_draw(struct ui *ui);
/* Reads the feed and the job, refreshes the model when due, redraws
 * (pump.c: what keeps the screen alive, in the loop and under a prompt). */
void ui_pump(struct ui *ui);
/* Asks for a line at the bottom, with INITIAL in it: 1 with BUF, 0 when
 * cancelled (Esc, Ctrl-C, Ctrl-G). */
int prompt_line(struct ui *ui, const char *question, const char *initial, char *buf, size_t len);
/* The same for a line that ends a vss command line begun by LEAD's words
 * ("" for a whole command): Tab completes the word before the cursor as
 * the shell would, and lists the candidates when it cannot choose. */
int prompt_command(struct ui *ui, const char *question, const char *lead, const char *initial,
		   char *buf, size_t len);
/* Asks yes or no: true for y. */
bool prompt_yes(struct ui *ui, const char *question);

/* ---- keys (keys.c; their help, keyhelp.c) ---- */

struct key_help {
	const char *keys;   /* as the help screen and vsstui(8) name them */
	const char *what;
};
extern const struct key_help tui_keys[];
/* What the help line at the bottom shows. */
extern const char tui_key_line[];
/* Handles key C: false when the key means nothing. */
bool keys_handle(struct ui *ui, int c);

/* vsstui: the dashboard, until q. */
int tui_main(int argc, char **argv);

#endif
