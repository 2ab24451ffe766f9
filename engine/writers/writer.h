/*
 * Writers inside the engine: the configured ones, and a
 * sequence - the writers of one set, each with its process and state, told
 * each event of create-set in turn.
 */
#ifndef VSS_WRITER_H
#define VSS_WRITER_H

#include "internal.h"

#include <sys/types.h>

/* A configured writer (or hook), as vss_writers_configure copied it. */
struct writer_conf {
	char *name;
	enum vss_writer_type type;
	char **argv;
	char **volumes;
	size_t nvolumes;
	unsigned timeout_ms;
	unsigned retries;
	bool enabled;
	bool hook;              /* from hook_dir: freeze and thaw only, one after another */
};

struct writer_confs {
	struct writer_conf *w;
	size_t n;
	char hook_dir[4096];
	unsigned hook_timeout_ms;
};

/* The configured writers and, after them, the hooks now in hook_dir (in
 * name order) into *ALL (free with writer_confs_free). */
int writer_confs_current(struct vss_ctx *ctx, struct writer_confs *all);

/* One writer in one sequence. */
struct wrun {
	const struct writer_conf *conf;
	pid_t pid;              /* its process (exec: of the event under way), 0 when none */
	int pidfd, in_fd, out_fd, err_fd;
	char out[1024];         /* what it wrote and we have not read as lines yet */
	size_t outlen;
	char errbuf[1024];
	size_t errlen;
	char lastline[256];     /* exec: its last line of output, to explain a failure */
	bool asked;             /* coprocess: told an event, its answer awaited */
	bool answered;          /* coprocess: a whole answer line came */
	char answer[512];
	bool eof;               /* coprocess: its stdout closed */
	bool spawned;           /* coprocess: started once; never again */
	bool reached;           /* told at least one event */
	bool freeze_sent;       /* it was told freeze: it must be told thaw or abort */
	bool thawed;
	bool failed;
	struct vss_writer_status st;
};

struct writer_seq {
	struct writer_confs confs; /* its own copy: what the writers were when it began */
	char set[37];
	char volumes[4096];     /* VSS_VOLUMES: the set's volumes, by name */
	struct wrun *w;
	size_t n;
	bool backup;            /* waiting for backup-complete */
	struct writer_seq *next;
};

void writer_confs_free(struct writer_confs *c);
/* Copies D into C (zeroed first); -ENOMEM leaves C for writer_confs_free. */
int writer_conf_copy(struct writer_conf *c, const struct vss_writer_def *d);

/* The writers that join a set of the N volumes (dm device numbers DEVS,
 * names NAMES), after O's --writers; an empty sequence when none does. */
int writer_seq_new(struct vss_ctx *ctx, const char *set, const dev_t *devs, char *const *names,
		   size_t n, const struct vss_create_opts *o, struct writer_seq **seqp);
/* A sequence of the one writer CONF (writer verify). */
int writer_seq_one(struct vss_ctx *ctx, const struct writer_conf *conf, struct writer_seq **seqp);
/* Ends every process of SEQ (coprocesses see their stdin close and get a
 * while to exit) and frees it. */
void writer_seq_end(struct vss_ctx *ctx, struct writer_seq *seq);
/* Ends every sequence still waiting for its backup's end (ctx->backups). */
void writer_backups_end(struct vss_ctx *ctx);

/* Tells every writer of SEQ the event EVENT, all at once (hooks one after
 * another), each within its timeout and, when DEADLINE_US (monotonic) is
 * not 0, before it. 0 when all answered OK; else -errno, kind WRITER, and
 * the message names the writer. Abort failures are only logged. */
int writer_seq_event(struct vss_ctx *ctx, struct writer_seq *seq, const char *event,
		     uint64_t deadline_us);

/* Records SEQ's writers' states in the state directory (a failure to is
 * only logged: it must not fail a set). */
void writer_seq_save(struct vss_ctx *ctx, struct writer_seq *seq);
/* *ST: what the state directory knows of C, with C's own facts (type,
 * command...) filled in. */
void writer_status_fill(struct vss_ctx *ctx, const struct writer_conf *c, struct vss_writer_status *st);

/* ---- the frozen-writers marker under RUN_DIR (writer-mark.c; recovery
 * from it, writer-recover.c) ---- */

/* Names SEQ's exec writers and hooks, about to be told freeze. */
void writer_mark(struct vss_ctx *ctx, const struct writer_seq *seq);
/* They have all been told thaw or abort. */
void writer_unmark(struct vss_ctx *ctx);
/* Tells the writers a dead vss left frozen: thaw (hooks) or abort. */
int writer_recover(struct vss_ctx *ctx, int *fixed);

/* ---- processes (writer-proc.c) ---- */

/* Starts W's program: ARG the event (exec), or NULL (a coprocess). */
int wproc_spawn(struct vss_ctx *ctx, struct wrun *w, const char *arg, const char *set,
		const char *volumes);
/* Reads what is there on W's pipes; lines of stderr (and of an exec
 * writer's stdout) go to the log. */
void wproc_read(struct vss_ctx *ctx, struct wrun *w, int fd);
/* 1 when W's process has ended (*STATUS its wait status), else 0. */
int wproc_reaped(struct wrun *w, int *status);
/* Stops W's process group: SIGTERM, a moment, then SIGKILL; reaps it. */
void wproc_kill(struct vss_ctx *ctx, struct wrun *w);
/* Waits up to MS for W's process to end on its own. */
bool wproc_wait(struct wrun *w, int ms, int *status);
/* Closes W's pipes. */
void wproc_close(struct wrun *w);
/* The status given a writer whose exit status could not be had: no wait
 * status looks like it (nor like a clean exit). */
#define WPROC_STATUS_LOST (-1)
/* "exited with status 3", "killed by SIGSEGV". */
void wproc_describe(int status, char *buf, size_t len);

uint64_t writer_now_us(void);

#endif
