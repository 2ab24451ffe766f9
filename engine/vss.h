/*
 * The vss engine: everything the faces (CLI, scripts, dashboard) share.
 *
 * The engine never prints and never exits. Every call returns 0 or -errno;
 * on failure vss_errmsg() holds one line naming the thing and the reason,
 * without the "vss: COMMAND: " prefix a face adds. Progress and log lines
 * travel as events to whoever subscribed.
 */
#ifndef VSS_H
#define VSS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct vss_ctx;
struct vss_policy;

#define VSS_DEFAULT_LOCK_TIMEOUT_MS 10000

#define VSS_DEFAULT_CHUNK_BYTES 4096
#define VSS_DEFAULT_COW_PERCENT 10

struct vss_options {
	const char *state_dir;     /* NULL: the built-in default */
	const char *run_dir;       /* NULL: the built-in default */
	unsigned lock_timeout_ms;  /* how long a mutating call waits for the lock (0: not at all) */
	unsigned freeze_timeout_ms; /* the longest a freeze window may last (0: the default) */
	const struct vss_policy *policy; /* NULL: VSS_POLICY_DEFAULTS */
};

#define VSS_DEFAULT_FREEZE_TIMEOUT_MS 10000

/* OPTS NULL: every default. */
int vss_ctx_new(struct vss_ctx **ctxp, const struct vss_options *opts);
void vss_ctx_free(struct vss_ctx *ctx);
const char *vss_errmsg(const struct vss_ctx *ctx);

/* What kind of failure the last one was: faces map it to their exit codes
 * (an errno alone cannot tell "the lock is held" from any other EAGAIN). */
enum vss_error_kind {
	VSS_ERR_FAILED,
	VSS_ERR_LOCKED,        /* another vss holds the lock */
	VSS_ERR_STORAGE_FULL,  /* the storage area cannot hold it */
	VSS_ERR_WRITER,        /* a writer failed or timed out */
	VSS_ERR_USAGE,         /* the request itself is malformed (a volume named twice) */
};
enum vss_error_kind vss_errkind(const struct vss_ctx *ctx);
const char *vss_state_dir(const struct vss_ctx *ctx);

/* Checks the state and run directories and every directory on the way:
 * each must be root's (or the caller's) and writable by no one else, or
 * it is refused (VSS_ERR_USAGE). Makes them when missing, as on first
 * use: the state directory 0700, the run directory 0755, parents 0755. */
int vss_state_check(struct vss_ctx *ctx);
/* check-config's look at the state and run directories: each, or the
 * directory above it where it would be made, trusted (see vss_state_check);
 * nothing is made. */
int vss_dirs_probe(struct vss_ctx *ctx);
/* Checks that this kernel and process can drive device-mapper. */
int vss_dm_available(struct vss_ctx *ctx);

/* ---- events ---------------------------------------------------------- */

enum vss_event_kind {
	VSS_EVENT_LOG,   /* a log line (libdm's included) */
	VSS_EVENT_STEP,  /* one step of an operation is done */
	VSS_EVENT_PHASE, /* create-set enters a phase (text: its name:
			  * identify, prepare-backup, prepare-snapshot, freeze,
			  * thaw, post-snapshot, backup-complete, abort) */
	VSS_EVENT_WRITER, /* a writer starts an event or its state changes
			   * (writer, writer_state, writer_event; text says what) */
	VSS_EVENT_END,   /* the operation ended: level ERROR with the failure
			  * in text, or INFO "done" */
};

enum vss_level {
	VSS_LEVEL_ERROR,
	VSS_LEVEL_WARNING,
	VSS_LEVEL_INFO,
	VSS_LEVEL_DEBUG,
};

struct vss_event {
	enum vss_event_kind kind;
	enum vss_level level;
	const char *op;      /* the operation under way, e.g. "volume import" */
	const char *text;
	uint64_t elapsed_us; /* since the operation began */
	const char *set;     /* PHASE, WRITER: the set's id */
	const char *writer;  /* WRITER: its name */
	int writer_state;    /* WRITER: an enum vss_writer_state */
	const char *writer_event; /* WRITER: the event it handles or handled last */
	bool writer_busy;    /* WRITER: it is handling writer_event now */
	long long at_us;     /* when (since the epoch) */
	long pid;            /* from a feed: the process it came from; else 0 */
};

typedef void vss_event_fn(const struct vss_event *ev, void *data);

int vss_subscribe(struct vss_ctx *ctx, vss_event_fn *fn, void *data);

/* Whether the events of this context's operations are also published under
 * RUN_DIR/events for other processes to follow (the CLI's are). */
void vss_events_publish(struct vss_ctx *ctx, bool on);

/* Following the operations of other vss processes as they happen: a feed
 * reads what they publish. Opening it takes the lines of processes still
 * alive from their beginning (an operation under way is seen whole), the
 * others from their end. */
struct vss_feed;
int vss_feed_open(struct vss_ctx *ctx, struct vss_feed **feed);
/* Delivers every complete event published since the last call, in each
 * file's order; returns how many, or -errno. */
int vss_feed_read(struct vss_feed *feed, vss_event_fn *fn, void *data);
void vss_feed_close(struct vss_feed *feed);
/* "log", "step", "phase", "writer", "end". */
const char *vss_event_kind_name(enum vss_event_kind k);

/* ---- volumes --------------------------------------------------------- */

struct vss_volume {
	char name[128];       /* dm name */
	char path[4096];      /* /dev/mapper/NAME */
	char dm_uuid[130];
	char backing[4096];   /* managed: the device it wraps */
	uint64_t size;        /* bytes */
	unsigned major, minor;
	char fstype[32];
	char fsuuid[64];
	char mountpoint[4096];
	bool managed;         /* imported by vss */
	bool active;          /* its dm device exists */
};

/* Wraps DEVICE (a block device, not mounted, not in use) in a dm-linear
 * device /dev/mapper/NAME and records it in the state directory. */
int vss_volume_import(struct vss_ctx *ctx, const char *device, const char *name);
/* A new, empty thin volume NAME of BYTES in the thin pool on DEVICE (made
 * there the first time: DEVICE must hold nothing). */
int vss_volume_import_thin(struct vss_ctx *ctx, const char *device, const char *name,
			   uint64_t bytes);

/* Undoes an import: refuses while mounted, open or carrying shadows. */
int vss_volume_remove(struct vss_ctx *ctx, const char *name);

/* Every volume: managed ones, and every other dm device (usable by path). */
int vss_volume_list(struct vss_ctx *ctx, struct vss_volume **vols, size_t *n);

/* Finds the volume SPEC names: a managed volume's name, or the path of any
 * dm device (/dev/mapper/X, /dev/dm-N, /dev/VG/LV, a udev symlink). */
int vss_volume_resolve(struct vss_ctx *ctx, const char *spec, struct vss_volume *vol);

/* ---- shadow copy sets ------------------------------------------------ */

enum vss_context {
	VSS_CONTEXT_PERSISTENT,
	VSS_CONTEXT_AUTO_RELEASE,  /* deleted when the process that made it ends */
};

/* How shadows can be made: the providers' names, in the order "auto"
 * tries them for each volume (the first that can serve it), NULL-ended.
 * "cow": dm-snapshot, a COW from a storage area; "thin": a dm-thin
 * snapshot in the pool of a thin volume vss made. */
const char *const *vss_providers(void);

struct vss_create_opts {
	const char *label;        /* NULL: none */
	char *const *writers;     /* writers asked for by name, besides those whose
				   * volumes the set touches */
	size_t nwriters;
	bool no_writers;          /* no writer at all (--writers none) */
	bool backup;              /* its writers wait for vss_backup_end() */
	enum vss_context context;
	uint64_t cow_bytes;       /* COW size of each shadow; 0: COW_PERCENT of its origin */
	bool cow_default;         /* COW_BYTES is a default (vss.conf's), not asked for this
				   * set: more than a shadow could use is cut, with a warning,
				   * where an asked size is refused */
	unsigned cow_percent;     /* 0: VSS_DEFAULT_COW_PERCENT */
	uint64_t chunk_bytes;     /* 0: VSS_DEFAULT_CHUNK_BYTES */
	const char *provider;     /* one of vss_providers(); NULL or "auto": the first
				   * that can serve each volume */
};

enum vss_shadow_state {
	VSS_SHADOW_VALID,
	VSS_SHADOW_INVALID,   /* overflowed, failed, or its origin's table was replaced */
	VSS_SHADOW_MISSING,   /* its device is not active */
	VSS_SHADOW_REVERT_SCHEDULED, /* valid; its volume goes back to it when free */
	VSS_SHADOW_MERGING,   /* being merged into its volume (a revert) */
};

struct vss_shadow {
	char volume[128];      /* the origin's dm name */
	char origin[4096];     /* /dev/mapper/VOLUME */
	char device[4096];     /* /dev/mapper/vss-SET8-VOLUME */
	char provider[16];     /* "cow" */
	uint64_t size;         /* bytes */
	uint64_t cow_size;     /* bytes */
	uint64_t cow_used;     /* bytes, from the kernel */
	char area[4096];       /* the storage area holding its COW */
	char mountpoint[4096]; /* where it is mounted, "" when it is not */
	enum vss_shadow_state state;
	char why[256];         /* for INVALID and MISSING: the reason */
};

struct vss_set {
	char id[37];
	char label[256];
	enum vss_context context;
	long long created_us;  /* since the epoch */
	uint64_t freeze_us;    /* the freeze window when it was made */
	size_t n;
	struct vss_shadow *shadows;
};

const char *vss_context_name(enum vss_context c);
int vss_context_parse(const char *s, enum vss_context *c);
const char *vss_shadow_state_name(enum vss_shadow_state s);

/* Makes a set of the N volumes, all at one instant; *SET (free with
 * vss_sets_free(set, 1)) describes it. */
int vss_set_create(struct vss_ctx *ctx, char *const *volumes, size_t n,
		   const struct vss_create_opts *opts, struct vss_set **set);
/* Every set, oldest first, with each shadow's state from the kernel. A
 * shadow found invalid is also reported as a warning event. */
int vss_set_list(struct vss_ctx *ctx, struct vss_set **sets, size_t *n);
void vss_sets_free(struct vss_set *sets, size_t n);
/* The id of the set SPEC names: an id, a unique prefix of one, a label. */
int vss_set_resolve(struct vss_ctx *ctx, const char *spec, char id[37]);
/* Deletes the set ID; an exposed one only with FORCE (unexposed first). */
int vss_set_delete(struct vss_ctx *ctx, const char *id, bool force);
/* Mounts SPEC's shadows (SET or SET/VOLUME) read-only, at MOUNTPOINT or
 * under RUN_DIR/SET8/. Reports each mount as a step. */
int vss_set_expose(struct vss_ctx *ctx, const char *spec, const char *mountpoint);
int vss_set_unexpose(struct vss_ctx *ctx, const char *spec);

/* Rolls the volumes of set SPEC (those of VOLUMES, or all) back to their
 * shadows: each shadow is merged into its volume and leaves the set. A
 * volume in use gets its revert scheduled; the others are waited for,
 * with progress events, and finished. */
int vss_revert(struct vss_ctx *ctx, const char *spec, char *const *volumes, size_t nvol);

/* After a reboot: makes the dm devices of managed volumes, the layering
 * under volumes with shadows and every persistent shadow again, from the
 * state directory. Does only what is missing; each volume's
 * failure is logged as an error and the others go on. */
int vss_activate(struct vss_ctx *ctx);

/* Finishes or rolls back what an interrupted vss left: run by every
 * mutating call; each fix is reported as a step. */
int vss_recover(struct vss_ctx *ctx);

/* Async-signal-safe: asks the operation under way to stop at its next
 * safe point and undo itself (a create-set), and remembers SIG. */
void vss_interrupt(int sig);
int vss_interrupted(void);

/* ---- writers -------------------------------------------- */

enum vss_writer_type {
	VSS_WRITER_EXEC,       /* COMMAND EVENT, once per event */
	VSS_WRITER_COPROCESS,  /* one process for the whole sequence, a line protocol */
};

/* A writer as the configuration describes it. */
struct vss_writer_def {
	const char *name;
	enum vss_writer_type type;
	char *const *argv;        /* the command, NULL-terminated; never a shell */
	char *const *volumes;     /* paths: it joins sets touching them; none: every set */
	size_t nvolumes;
	unsigned timeout_ms;      /* for each event */
	unsigned retries;         /* more attempts after a retryable failure */
	bool enabled;
};

#define VSS_DEFAULT_WRITER_TIMEOUT_MS 10000
#define VSS_DEFAULT_WRITER_RETRIES 2
/* The exit code of an exec writer whose failure may pass (EX_TEMPFAIL). */
#define VSS_WRITER_EXIT_RETRY 75

enum vss_writer_state {
	VSS_WRITER_STABLE,
	VSS_WRITER_WAITING_FOR_FREEZE,
	VSS_WRITER_FROZEN,
	VSS_WRITER_WAITING_FOR_THAW,
	VSS_WRITER_WAITING_FOR_POST_SNAPSHOT,
	VSS_WRITER_WAITING_FOR_BACKUP_COMPLETE,
	VSS_WRITER_FAILED,
};

/* What is known of a writer: its last state, its last failure and timings. */
struct vss_writer_status {
	char name[64];
	enum vss_writer_type type;
	bool enabled;
	bool hook;                /* from hook_dir */
	char command[4096];       /* its argv, joined by spaces */
	enum vss_writer_state state;
	char set[37];             /* the set of its last sequence, "" when none */
	char event[32];           /* its last event */
	long long changed_us;     /* when its state last changed (epoch) */
	char timings[512];        /* "identify 3ms, freeze 120ms, ..." of its last sequence */
	char failed_event[32];    /* its last failure, "" when none */
	bool failed_retryable;
	char failed_why[512];
	long long failed_us;
};

/* Tells the engine its writers (copied) and the hook directory (HOOK_DIR
 * NULL: none), whose executables join every set as freeze/thaw writers
 * with HOOK_TIMEOUT_MS (0: the default) each. Programs must be root's and
 * writable by no one else, or they are refused when they are to run. */
int vss_writers_configure(struct vss_ctx *ctx, const struct vss_writer_def *defs, size_t n,
			  const char *hook_dir, unsigned hook_timeout_ms);
/* Every configured writer (and hook) with what the state directory knows
 * of it; free *WS with free(). */
int vss_writer_list(struct vss_ctx *ctx, struct vss_writer_status **ws, size_t *n);
/* Runs identify on NAME (NULL: every enabled writer) and records the
 * outcome; -errno (kind WRITER) when one failed. *WS as vss_writer_list. */
int vss_writer_verify(struct vss_ctx *ctx, const char *name, struct vss_writer_status **ws,
		      size_t *n);
/* The backup of set ID ended: when COMPLETE, its writers are told
 * backup-complete; else they are told nothing more (their state is
 * stable again, and a warning says so). 0 when there is nothing to tell. */
int vss_backup_end(struct vss_ctx *ctx, const char *id, bool complete);
const char *vss_writer_state_name(enum vss_writer_state s);
/* Whether a file of hook_dir is passed over: dotfiles, editor backups and
 * package managers' leftovers (*.dpkg-*, *.rpmnew, *.rpmsave, ...). */
bool vss_hook_name_skipped(const char *name);
const char *vss_writer_type_name(enum vss_writer_type t);
/* 0 when PATH may be run as root: a regular file owned by root (or by us)
 * and writable by no one else, in directories no one else can write; else
 * -errno and the reason in WHY. */
int vss_program_check(const char *path, char *why, size_t len);

/* ---- storage areas --------------------------------------------------- */

struct vss_storage_area {
	char id[64];
	char path[4096];
	bool device;         /* a block device carved with dm-linear; else a directory */
	bool implicit;       /* the default directory, in use until an area is added */
	bool thin;           /* a thin pool (volume import --thin): thin shadows' room */
	uint64_t size;       /* a device's size; 0 for a directory */
	uint64_t max;        /* --max; 0: no limit */
	uint64_t used;       /* bytes given to shadows */
	uint64_t free;       /* bytes still available */
	unsigned shadows;
};

int vss_storage_add(struct vss_ctx *ctx, const char *path, uint64_t max);
int vss_storage_remove(struct vss_ctx *ctx, const char *path);
int vss_storage_list(struct vss_ctx *ctx, struct vss_storage_area **areas, size_t *n);

/* ---- storage policy -------------------------------------------------- */

/* What happens when a new set, or a shadow filling up, needs room the
 * policy does not give: refused (a full shadow becomes invalid, loudly), or
 * the oldest set of that volume is deleted first, with a warning naming it. */
enum vss_on_full {
	VSS_ON_FULL_REFUSE,
	VSS_ON_FULL_DELETE_OLDEST,
};

struct vss_policy {
	unsigned max_sets_per_volume; /* 0: no limit */
	uint64_t storage_max;         /* bytes every area together may give; 0: no limit */
	enum vss_on_full on_full;
	unsigned warn_percent;        /* monitor warns at this COW use */
	unsigned full_percent;        /* and applies on_full at this one */
};

#define VSS_DEFAULT_MAX_SETS_PER_VOLUME 64
#define VSS_DEFAULT_WARN_PERCENT 80
#define VSS_DEFAULT_FULL_PERCENT 90
#define VSS_POLICY_DEFAULTS { VSS_DEFAULT_MAX_SETS_PER_VOLUME, 0, VSS_ON_FULL_REFUSE, \
			      VSS_DEFAULT_WARN_PERCENT, VSS_DEFAULT_FULL_PERCENT }

const char *vss_on_full_name(enum vss_on_full f);
int vss_on_full_parse(const char *s, enum vss_on_full *f);

/* Watches every shadow's COW use: warns at warn_percent, applies on_full at
 * full_percent, says when a shadow became invalid, and finishes or starts
 * reverts whose time has come. Every INTERVAL_MS until a signal (ONCE: one
 * look). *BROKEN (may be NULL): the shadows invalid or missing and the
 * thin pools failed or out of space, at the last look. */
int vss_monitor(struct vss_ctx *ctx, unsigned interval_ms, bool once, unsigned *broken);

/* ---- retention (prune) ----------------------------------------------- */

/* What prune keeps of each volume's sets, as snapper's timeline: the LAST
 * newest; those younger than WITHIN_S; the newest of each
 * of the latest HOURLY hours, DAILY days, WEEKLY weeks, MONTHLY months
 * (local time). A set is kept when a rule keeps it for any of its volumes;
 * each rule counts every valid set, whatever the others keep. */
struct vss_retention {
	unsigned last, hourly, daily, weekly, monthly;
	uint64_t within_s;
};

bool vss_retention_given(const struct vss_retention *r);
/* For each of the N sets, into WHY[i]: the rule that keeps it ("last",
 * "within", "hourly", "daily", "weekly", "monthly"; "auto-release",
 * "exposed" and "reverting" are never pruned), or NULL: prune removes it. */
void vss_retention_apply(const struct vss_set *sets, size_t n, const struct vss_retention *r,
			 long long now_us, const char **why);
/* Deletes the sets R does not keep (DRY_RUN: none), oldest first; *GONE
 * (vss_sets_free) describes them, as they were. */
int vss_prune(struct vss_ctx *ctx, const struct vss_retention *r, bool dry_run,
	      struct vss_set **gone, size_t *n);

/* ---- fault injection (tests) ------------------------------------------ */

/* The named steps a build with --enable-fault-injection can stop at (with
 * VSS_FAULT=NAME in the environment), NULL-terminated; NULL in other builds. */
const char *const *vss_fault_points(void);

/* ---- block devices ---------------------------------------------------- */

/* The free block devices, as volume import and storage add would take
 * them: each once, a dm device as /dev/mapper/NAME, else its node in /dev;
 * not empty, not read-only, not vss's own, not mounted or swap, held by
 * nothing (dm, md), and not a disk with such a partition. From sysfs, so
 * nothing where there is none. Reads only, opens no device, needs no root.
 * 0 and a NULL-terminated array (free each path and it), or -ENOMEM. */
int vss_free_devices(char ***paths, size_t *n);
/* Whether block device DEV is free in that sense (without sysfs: whether
 * it is neither mounted nor swap). */
bool vss_device_free(dev_t dev);

/* ---- pure helpers ---------------------------------------------------- */

/* "4096", "4K", "1.5G", "512MiB" -> bytes (binary units). */
int vss_size_parse(const char *s, uint64_t *bytes);
/* "90", "30m", "12h", "7d", "2w" -> seconds. */
int vss_age_parse(const char *s, uint64_t *seconds);

/* 0 when NAME can name a volume; else -EINVAL and the reason in WHY. */
int vss_name_check(const char *name, char *why, size_t len);
/* 0 when TEXT can label a set; else -EINVAL and the reason in WHY. */
int vss_label_check(const char *text, char *why, size_t len);
/* Whether BYTES is a COW chunk size dm-snapshot takes (a power of two). */
#define VSS_CHUNK_MIN 4096
#define VSS_CHUNK_MAX 524288
bool vss_chunk_size_ok(uint64_t bytes);

/* 1073741824 -> "1G", 1610612736 -> "1.5G", 512 -> "512B" (binary units). */
void vss_size_format(uint64_t bytes, char *buf, size_t len);

#endif
