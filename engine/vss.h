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

struct vss_ctx;

#define VSS_DEFAULT_LOCK_TIMEOUT_MS 10000

struct vss_options {
	const char *state_dir;     /* NULL: the built-in default */
	const char *run_dir;       /* NULL: the built-in default */
	unsigned lock_timeout_ms;  /* how long a mutating call waits for the lock (0: not at all) */
};

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
};
enum vss_error_kind vss_errkind(const struct vss_ctx *ctx);
const char *vss_state_dir(const struct vss_ctx *ctx);

/* Checks that the state directory exists and can be written. */
int vss_state_check(struct vss_ctx *ctx);
/* Checks that this kernel and process can drive device-mapper. */
int vss_dm_available(struct vss_ctx *ctx);

/* ---- events ---------------------------------------------------------- */

enum vss_event_kind {
	VSS_EVENT_LOG,   /* a log line (libdm's included) */
	VSS_EVENT_STEP,  /* one step of an operation is done */
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
};

typedef void vss_event_fn(const struct vss_event *ev, void *data);

int vss_subscribe(struct vss_ctx *ctx, vss_event_fn *fn, void *data);

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

/* Undoes an import: refuses while mounted, open or carrying shadows. */
int vss_volume_remove(struct vss_ctx *ctx, const char *name);

/* Every volume: managed ones, and every other dm device (usable by path). */
int vss_volume_list(struct vss_ctx *ctx, struct vss_volume **vols, size_t *n);

/* Finds the volume SPEC names: a managed volume's name, or the path of any
 * dm device (/dev/mapper/X, /dev/dm-N, /dev/VG/LV, a udev symlink). */
int vss_volume_resolve(struct vss_ctx *ctx, const char *spec, struct vss_volume *vol);

/* ---- pure helpers ---------------------------------------------------- */

/* 0 when NAME can name a volume; else -EINVAL and the reason in WHY. */
int vss_name_check(const char *name, char *why, size_t len);

/* 1073741824 -> "1G", 1610612736 -> "1.5G", 512 -> "512B" (binary units). */
void vss_size_format(uint64_t bytes, char *buf, size_t len);

#endif
