/* What engine files share and the faces never see. */
#ifndef VSS_INTERNAL_H
#define VSS_INTERNAL_H

#include "vss.h"

#include <signal.h>
#include <stdarg.h>
#include <time.h>

#define VSS_MAX_SUBSCRIBERS 8

struct writer_confs;
struct set_rec;
struct writer_seq;

struct vss_ctx;
/* What freeing a context undoes, each registered (vss_ctx_on_free) by the
 * file that made it, so that ctx.c, the floor every file calls, calls none
 * of them back. They run in this order: a backup's writers are told
 * before the lock goes, and the last events are published before the
 * directories close. */
enum vss_cleanup_slot {
	VSS_CLEANUP_BACKUPS,   /* writer sequences waiting for their backup's end */
	VSS_CLEANUP_WRITERS,   /* the writers' configuration */
	VSS_CLEANUP_LOCK,
	VSS_CLEANUP_DM,        /* libdm's log routed to this context */
	VSS_CLEANUP_EVENTS,    /* the published events file */
	VSS_CLEANUP_DIRS,      /* the state and run directories */
	VSS_CLEANUP_N
};
typedef void vss_cleanup_fn(struct vss_ctx *ctx);
/* FN undoes SLOT's resources when CTX is freed (again: the same). */
void vss_ctx_on_free(struct vss_ctx *ctx, enum vss_cleanup_slot slot, vss_cleanup_fn *fn);

struct vss_ctx {
	char state_dir[4096];
	char run_dir[4096];
	unsigned lock_timeout_ms;
	unsigned freeze_timeout_ms;
	struct vss_policy policy;
	/* Sets storage_alloc counts as gone: what deleting them would give
	 * (policy.c asks before it deletes anything). */
	const struct set_rec *alloc_ignore;
	size_t nalloc_ignore;
	bool quiet_invalid;  /* the monitor says it once itself */
	struct writer_confs *writers;   /* as configured */
	struct writer_seq *backups;     /* sequences waiting for backup-complete */
	int state_fd, run_fd;  /* the two directories, once trusted (dirs.c) */
	int lock_fd;
	int lock_depth;
	char errmsg[1024];
	enum vss_error_kind errkind;
	const char *op;
	struct timespec op_start;
	struct {
		vss_event_fn *fn;
		void *data;
	} subs[VSS_MAX_SUBSCRIBERS];
	int nsubs;
	/* Inside the freeze window events wait here: a subscriber writing to a
	 * file on a suspended volume would block there, forever. */
	bool hold_events;
	struct held_event {
		enum vss_event_kind kind;
		enum vss_level level;
		uint64_t elapsed_us;
		long long at_us;
		char set[37];
		char text[256];
	} held[64];
	int nheld, nlost;
	bool lost_loud;   /* a message above debug among them */
	/* Events of operations go to RUN_DIR/events too when set: event-pub.c
	 * sets it, so that the event stream, a floor, calls nothing above. */
	void (*publisher)(struct vss_ctx *ctx, const struct vss_event *ev);
	bool pub_tried;
	int pub_fd;       /* RUN_DIR/events/PID.ev, -1 until the first event */
	char dm_last_error[512]; /* libdm's latest error line */
	int dm_last_errno;       /* and the errno it came with, if any */
	vss_cleanup_fn *cleanups[VSS_CLEANUP_N];
};

/* Records the failure message and returns -err, so a failing path reads
 * `return vss_fail(ctx, ENOENT, "%s: no such block device", dev);`. */
int vss_fail(struct vss_ctx *ctx, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int vss_fail_kind(struct vss_ctx *ctx, enum vss_error_kind kind, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void vss_log(struct vss_ctx *ctx, enum vss_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void vss_vlog(struct vss_ctx *ctx, enum vss_level level, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
void vss_step(struct vss_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Holds events from now on (true) or delivers the held ones (false). */
void vss_events_hold(struct vss_ctx *ctx, bool hold);

/* create-set enters PHASE: the point where writers are told. */
void vss_phase(struct vss_ctx *ctx, const char *set, const char *phase);

/* A writer's news (writer-run.c): STATE is an enum vss_writer_state. */
void vss_writer_event(struct vss_ctx *ctx, const char *set, const char *writer, int state,
		      const char *event, bool busy, enum vss_level level, const char *text);

/* Marks the start of a named operation: events carry its name and time. */
void vss_op_begin(struct vss_ctx *ctx, const char *op);
/* The operation ended with R (0 or -errno, the message in errmsg): an
 * END event says so. */
void vss_op_end(struct vss_ctx *ctx, int r);

/* The state and run directories' descriptors (dirs.c), opened and
 * checked on first use: >= 0, or -errno with the message. */
int vss_state_fd(struct vss_ctx *ctx);
int vss_run_fd(struct vss_ctx *ctx);

/* The one-writer lock (lock.c); nests within one context. */
int vss_lock(struct vss_ctx *ctx);
void vss_unlock(struct vss_ctx *ctx);

/* -EINTR with the message when a signal asked us to stop, else 0. */
int vss_check_interrupt(struct vss_ctx *ctx);
/* Holds the signals the faces catch (INT, TERM, HUP, QUIT) until
 * vss_interrupts_release: between two steps that must happen together (a
 * device and its record, a suspend and its resume) one waits, and is seen
 * by vss_check_interrupt after. (SIGKILL cannot wait: recover is for it.) */
void vss_interrupts_hold(sigset_t *old);
void vss_interrupts_release(const sigset_t *old);

/* A named step a test can stop vss at (--enable-fault-injection). */
#ifdef VSS_FAULT_INJECTION
void vss_fault(struct vss_ctx *ctx, const char *point);
#else
#define vss_fault(ctx, point) ((void)(ctx), (void)(point))
#endif

/* 36-character random (version 4) uuid into buf[37]. */
int vss_uuid_new(char buf[37]);

#endif
