/*
 * The libdevmapper wrapper: the only file that includes libdevmapper.h.
 *
 * libdm's own log lines are routed into the engine's event stream instead of
 * stderr, and its last error is kept so a failure can say why. Every task
 * that makes or removes a node carries a udev cookie that is always waited
 * on, even when the task failed, so no cookie is ever left behind; without
 * udev, libdm notices and creates the /dev/mapper nodes itself.
 */
#include "config.h"
#include "dm.h"
#include "strv.h"

#include <errno.h>
#include <libdevmapper.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

/* libdm's log levels (not exported by its header). */
enum { DMLOG_ERR = 3, DMLOG_WARN = 4 };

/* The context libdm's log lines go to: set on entry to every call, cleared
 * when that context is freed (libdm logs from its exit-time destructor). */
static _Thread_local struct vss_ctx *log_ctx;

/* A worker thread has no context (the context is not thread-safe): its
 * libdm error lands here instead, for the calling thread to report. */
struct dm_error {
	char text[512];
	int err;
};
static _Thread_local struct dm_error *log_error;

/* libdm reports some ioctl failures only as text ending in strerror(errno)
 * (a create's internal reload, for one): recover the errno from it. */
static int errno_of_text(const char *text)
{
	const char *tail = strrchr(text, ':');

	if (!tail)
		return 0;
	tail += strspn(tail, ": ");
	for (int e = 1; e < 134; e++)
		if (!strcmp(tail, strerror(e)))
			return e;
	return 0;
}

__attribute__((format(printf, 5, 6)))
static void dm_logger(int level, const char *file, int line, int dm_errno,
		      const char *fmt, ...)
{
	struct vss_ctx *ctx = log_ctx;
	char text[512];
	va_list ap;

	(void)file;
	(void)line;
	/* libdm's "<backtrace>" lines trace its call stack: noise to us. */
	if ((!ctx && !log_error) || !strcmp(fmt, "<backtrace>"))
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	level &= 0xf;
	if (!ctx) {
		if (level <= DMLOG_ERR) {
			snprintf(log_error->text, sizeof(log_error->text), "%s", text);
			log_error->err = dm_errno > 0 ? dm_errno : errno_of_text(text);
		}
		return;
	}
	if (level <= DMLOG_ERR) {
		snprintf(ctx->dm_last_error, sizeof(ctx->dm_last_error), "%s", text);
		ctx->dm_last_errno = dm_errno > 0 ? dm_errno : errno_of_text(text);
	}
	/* Errors reach the user inside the failing call's own message. */
	vss_log(ctx, level == DMLOG_WARN ? VSS_LEVEL_WARNING : VSS_LEVEL_DEBUG,
		"libdm: %s", text);
}

/* CTX is freed: libdm must not log into it afterwards. */
static void forget(struct vss_ctx *ctx)
{
	if (log_ctx == ctx)
		log_ctx = NULL;
}

static void enter(struct vss_ctx *ctx)
{
	static int ready;

	if (!ready) {
		dm_log_with_errno_init(dm_logger);
		dm_udev_set_sync_support(1);
		ready = 1;
	}
	log_ctx = ctx;
	vss_ctx_on_free(ctx, VSS_CLEANUP_DM, forget);
	ctx->dm_last_error[0] = '\0';
	ctx->dm_last_errno = 0;
}


/* The errno of DMT's failure, however libdm reported it. */
static int task_errno(struct vss_ctx *ctx, struct dm_task *dmt)
{
	int err = dmt ? dm_task_get_errno(dmt) : 0;

	if (!err)
		err = ctx->dm_last_errno;
	return err ? err : EIO;
}

/* Destroys DMT and fails with "WHAT: DOING failed: reason". */
static int task_failed(struct vss_ctx *ctx, struct dm_task *dmt, const char *what,
		       const char *doing)
{
	int err = task_errno(ctx, dmt);

	if (dmt)
		dm_task_destroy(dmt);
	return vss_fail(ctx, err, "%s: %s failed: %s", what ? what : "device-mapper", doing,
			err != EIO || !ctx->dm_last_error[0] ? strerror(err) : ctx->dm_last_error);
}

static struct dm_task *task(struct vss_ctx *ctx, int type, const char *name)
{
	struct dm_task *dmt;

	enter(ctx);
	dmt = dm_task_create(type);
	if (dmt && name && !dm_task_set_name(dmt, name)) {
		dm_task_destroy(dmt);
		return NULL;
	}
	return dmt;
}

/* Runs DMT. A task that makes or removes nodes carries a udev cookie: with
 * DEFER NULL it is waited on here; else the cookie joins *DEFER, one cookie
 * for many tasks, waited on later by vss_dm_udev_wait (and always waited on,
 * even after a failed task, or its semaphore would outlive us). */
static int run_deferred(struct vss_ctx *ctx, struct dm_task *dmt, const char *doing,
			const char *name, int with_cookie, enum vss_dm_udev udev,
			uint32_t *defer)
{
	uint32_t cookie = 0, *cp = defer ? defer : &cookie;
	uint16_t flags = 0;
	int ok;

	/* Our layers carry the origin's filesystem UUID: were udev to probe
	 * them, /dev/disk/by-uuid could point at one and a mount by UUID
	 * would mount it, a second writer under the live filesystem. */
	if (udev == VSS_DM_UDEV_PRIVATE)
		flags = DM_UDEV_DISABLE_SUBSYSTEM_RULES_FLAG | DM_UDEV_DISABLE_DISK_RULES_FLAG |
			DM_UDEV_DISABLE_OTHER_RULES_FLAG;
	else if (udev == VSS_DM_UDEV_LOW_PRIORITY)
		flags = DM_UDEV_LOW_PRIORITY_FLAG;
	/* A task must run even when no cookie can be had (the semaphores
	 * used up): a resume that never ran would leave a volume frozen. */
	if (with_cookie && !dm_task_set_cookie(dmt, cp, flags))
		vss_log(ctx, VSS_LEVEL_WARNING, "%s: no udev cookie (%s); going on without udev "
			"sync, and without the udev flags that keep a layer of vss's unprobed",
			name, ctx->dm_last_error[0] ? ctx->dm_last_error : "libdm refused");
	ok = dm_task_run(dmt);
	/* Without udev there is no cookie, and libdm makes the nodes itself,
	 * but only when asked to: now, so the caller can open the device. */
	if (!defer && cookie)
		(void)dm_udev_wait(cookie);
	else if (!defer && with_cookie)
		dm_task_update_nodes();
	if (!ok)
		return task_failed(ctx, dmt, name, doing);
	dm_task_destroy(dmt);
	return 0;
}

static int run(struct vss_ctx *ctx, struct dm_task *dmt, const char *doing,
	       const char *name, int with_cookie)
{
	return run_deferred(ctx, dmt, doing, name, with_cookie, VSS_DM_UDEV_NORMAL, NULL);
}

void vss_dm_udev_wait(struct vss_ctx *ctx, uint32_t *cookie)
{
	enter(ctx);
	if (*cookie)
		(void)dm_udev_wait(*cookie);
	else
		dm_task_update_nodes();
	*cookie = 0;
}

static int add_targets(struct vss_ctx *ctx, struct dm_task *dmt, const char *name,
		       const struct vss_dm_target *t, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!dm_task_add_target(dmt, t[i].start, t[i].length, t[i].type,
					t[i].params)) {
			dm_task_destroy(dmt);
			/* A crypt table's parameters hold its key. */
			return vss_fail(ctx, EINVAL, "%s: bad table line: %s %s", name, t[i].type,
					strcmp(t[i].type, "crypt") ? t[i].params : "...");
		}
	}
	return 0;
}

int vss_dm_create(struct vss_ctx *ctx, const char *name, const char *uuid,
		  const struct vss_dm_target *t, size_t n, enum vss_dm_udev udev)
{
	struct dm_task *dmt = task(ctx, DM_DEVICE_CREATE, name);
	int r;

	if (!dmt)
		return task_failed(ctx, NULL, name, "create");
	if (strncmp(uuid, "VSS-", 4) != 0 || !dm_task_set_uuid(dmt, uuid)) {
		dm_task_destroy(dmt);
		return vss_fail(ctx, EINVAL, "%s: bad uuid %s", name, uuid);
	}
	if ((r = add_targets(ctx, dmt, name, t, n)))
		return r;
	vss_log(ctx, VSS_LEVEL_DEBUG, "dm create %s (uuid %s)%s", name, uuid, n ? "" : ", no table");
	/* A device without a table makes no uevent (the kernel adds its disk
	 * at the first table load), so a cookie would never be released: its
	 * node comes with the resume that makes it live. */
	return run_deferred(ctx, dmt, "create", name, n > 0, udev, NULL);
}

int vss_dm_create_empty(struct vss_ctx *ctx, const char *name, const char *uuid)
{
	return vss_dm_create(ctx, name, uuid, NULL, 0, VSS_DM_UDEV_NORMAL);
}

static int load(struct vss_ctx *ctx, const char *name, const struct vss_dm_target *t,
		size_t n, int read_only)
{
	struct dm_task *dmt = task(ctx, DM_DEVICE_RELOAD, name);
	int r;

	if (!dmt || (read_only && !dm_task_set_ro(dmt)))
		return task_failed(ctx, dmt, name, "table load");
	if ((r = add_targets(ctx, dmt, name, t, n)))
		return r;
	vss_log(ctx, VSS_LEVEL_DEBUG, "dm load %s%s", name, read_only ? " (read-only)" : "");
	return run(ctx, dmt, "table load", name, 0);
}

int vss_dm_load(struct vss_ctx *ctx, const char *name,
		const struct vss_dm_target *t, size_t n)
{
	return load(ctx, name, t, n, 0);
}

int vss_dm_load_ro(struct vss_ctx *ctx, const char *name,
		   const struct vss_dm_target *t, size_t n)
{
	return load(ctx, name, t, n, 1);
}

int vss_dm_clear(struct vss_ctx *ctx, const char *name)
{
	struct dm_task *dmt = task(ctx, DM_DEVICE_CLEAR, name);

	if (!dmt)
		return task_failed(ctx, NULL, name, "clear");
	vss_log(ctx, VSS_LEVEL_DEBUG, "dm clear %s (inactive table dropped)", name);
	return run(ctx, dmt, "clearing the inactive table", name, 0);
}

int vss_dm_suspend(struct vss_ctx *ctx, const char *name, enum vss_dm_flush how)
{
	struct dm_task *dmt = task(ctx, DM_DEVICE_SUSPEND, name);

	if (!dmt || (how == VSS_DM_NO_LOCKFS && !dm_task_skip_lockfs(dmt)))
		return task_failed(ctx, dmt, name, "suspend");
	vss_log(ctx, VSS_LEVEL_DEBUG, "dm suspend %s%s", name,
		how == VSS_DM_LOCKFS ? "" : " (no lockfs)");
	return run(ctx, dmt, "suspend", name, 0);
}

struct suspender {
	pthread_t thread;
	const char *name;
	bool lockfs, started, ok;
	struct dm_error error;
};

static void *suspend_one(void *arg)
{
	struct suspender *s = arg;
	struct vss_ctx *ctx = log_ctx;
	struct dm_task *dmt;

	log_ctx = NULL;
	log_error = &s->error;
	dmt = dm_task_create(DM_DEVICE_SUSPEND);
	if (dmt && dm_task_set_name(dmt, s->name) && (s->lockfs || dm_task_skip_lockfs(dmt)))
		s->ok = dm_task_run(dmt);
	if (!s->ok && !s->error.err)
		s->error.err = dmt ? dm_task_get_errno(dmt) : ENOMEM;
	if (dmt)
		dm_task_destroy(dmt);
	log_error = NULL;
	log_ctx = ctx;
	return NULL;
}

/* Each suspend waits for its filesystem to flush and freeze; they are
 * independent, so one thread each lets the flushes overlap. The version
 * query opens libdm's control fd first, in this thread; after that a task
 * shares nothing with another but that fd. */
int vss_dm_suspend_all(struct vss_ctx *ctx, char *const *names, size_t n,
		       enum vss_dm_flush how, bool *suspended)
{
	struct suspender *s = calloc(n, sizeof(*s));
	pthread_attr_t attr;
	char version[64];
	int r = 0, err;

	if (!s)
		return vss_fail(ctx, ENOMEM, "out of memory");
	enter(ctx);
	if (!dm_driver_version(version, sizeof(version))) {
		free(s);
		return task_failed(ctx, NULL, NULL, "opening the control device");
	}
	/* Small stacks: under mlockall every page of a stack is made present. */
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	for (size_t i = 0; i < n; i++) {
		s[i].name = names[i];
		s[i].lockfs = how == VSS_DM_LOCKFS;
		vss_log(ctx, VSS_LEVEL_DEBUG, "dm suspend %s%s", names[i],
			s[i].lockfs ? "" : " (no lockfs)");
		/* The last one runs here: a thread fewer to start. */
		if (i + 1 < n && (err = pthread_create(&s[i].thread, &attr, suspend_one, &s[i])) == 0) {
			s[i].started = true;
			continue;
		}
		if (i + 1 < n)
			vss_log(ctx, VSS_LEVEL_DEBUG, "no thread for %s (%s): suspended in turn",
				names[i], strerror(err));
		suspend_one(&s[i]);
	}
	for (size_t i = 0; i < n; i++)
		if (s[i].started)
			pthread_join(s[i].thread, NULL);
	pthread_attr_destroy(&attr);
	for (size_t i = 0; i < n; i++) {
		int e = s[i].error.err ? s[i].error.err : EIO;
		const char *why = e != EIO || !s[i].error.text[0] ? strerror(e) : s[i].error.text;

		suspended[i] = s[i].ok;
		if (s[i].ok)
			continue;
		/* The first failure is the command's; the others are told. */
		if (!r)
			r = vss_fail(ctx, e, "%s: suspend failed: %s", names[i], why);
		else
			vss_log(ctx, VSS_LEVEL_WARNING, "%s: suspend failed too: %s", names[i], why);
	}
	free(s);
	return r;
}

int vss_dm_resume_deferred(struct vss_ctx *ctx, const char *name, enum vss_dm_udev udev,
			   uint32_t *cookie)
{
	struct dm_task *dmt = task(ctx, DM_DEVICE_RESUME, name);

	if (!dmt)
		return task_failed(ctx, NULL, name, "resume");
	vss_log(ctx, VSS_LEVEL_DEBUG, "dm resume %s", name);
	return run_deferred(ctx, dmt, "resume", name, 1, udev, cookie);
}

int vss_dm_resume(struct vss_ctx *ctx, const char *name)
{
	return vss_dm_resume_deferred(ctx, name, VSS_DM_UDEV_NORMAL, NULL);
}

int vss_dm_remove(struct vss_ctx *ctx, const char *name)
{
	struct dm_task *dmt = task(ctx, DM_DEVICE_REMOVE, name);

	/* libdm retries for a few seconds while the device is busy, e.g.
	 * while udev is still probing it. */
	if (!dmt || !dm_task_retry_remove(dmt))
		return task_failed(ctx, dmt, name, "remove");
	vss_log(ctx, VSS_LEVEL_DEBUG, "dm remove %s", name);
	return run(ctx, dmt, "remove", name, 1);
}

static int fill_info(struct vss_ctx *ctx, struct dm_task *dmt, const char *what,
		     struct vss_dm_info *info)
{
	struct dm_info dmi;
	const char *s;

	memset(info, 0, sizeof(*info));
	if (!dm_task_run(dmt) || !dm_task_get_info(dmt, &dmi))
		return task_failed(ctx, dmt, what, "info");
	info->exists = dmi.exists;
	if (dmi.exists) {
		info->suspended = dmi.suspended;
		info->read_only = dmi.read_only;
		info->live_table = dmi.live_table;
		info->inactive_table = dmi.inactive_table;
		info->open_count = dmi.open_count;
		info->major = dmi.major;
		info->minor = dmi.minor;
		info->target_count = (unsigned)dmi.target_count;
		if ((s = dm_task_get_name(dmt)))
			snprintf(info->name, sizeof(info->name), "%s", s);
		if ((s = dm_task_get_uuid(dmt)))
			snprintf(info->uuid, sizeof(info->uuid), "%s", s);
	}
	dm_task_destroy(dmt);
	return 0;
}

int vss_dm_info(struct vss_ctx *ctx, const char *name, struct vss_dm_info *info)
{
	struct dm_task *dmt = task(ctx, DM_DEVICE_INFO, name);

	if (!dmt)
		return task_failed(ctx, NULL, name, "info");
	return fill_info(ctx, dmt, name, info);
}

int vss_dm_info_devno(struct vss_ctx *ctx, unsigned major, unsigned minor,
		      struct vss_dm_info *info)
{
	struct dm_task *dmt = task(ctx, DM_DEVICE_INFO, NULL);
	char what[32];

	snprintf(what, sizeof(what), "%u:%u", major, minor);
	if (!dmt || !dm_task_set_major_minor(dmt, (int)major, (int)minor, 0))
		return task_failed(ctx, dmt, what, "info");
	return fill_info(ctx, dmt, what, info);
}

static int read_targets(struct vss_ctx *ctx, int type, const char *name,
			struct vss_dm_table *tab, bool inactive)
{
	const char *doing = type == DM_DEVICE_TABLE ? "table" : "status";
	struct dm_task *dmt = task(ctx, type, name);
	void *next = NULL;
	uint64_t start, length;
	char *ttype, *params;

	tab->n = 0;
	tab->t = NULL;
	if (!dmt || (inactive && !dm_task_query_inactive_table(dmt)) || !dm_task_run(dmt))
		return task_failed(ctx, dmt, name, doing);
	do {
		struct vss_dm_target *t;

		next = dm_get_next_target(dmt, next, &start, &length, &ttype, &params);
		if (!ttype)
			break;
		t = realloc(tab->t, (tab->n + 1) * sizeof(*t));
		if (!t)
			goto oom;
		tab->t = t;
		t += tab->n;
		t->start = start;
		t->length = length;
		t->type = strdup(ttype);
		t->params = strdup(params ? params : "");
		tab->n++;
		if (!t->type || !t->params)
			goto oom;
	} while (next);
	dm_task_destroy(dmt);
	return 0;
oom:
	dm_task_destroy(dmt);
	vss_dm_table_free(tab);
	return vss_fail(ctx, ENOMEM, "%s: out of memory", name);
}

int vss_dm_table(struct vss_ctx *ctx, const char *name, struct vss_dm_table *tab)
{
	return read_targets(ctx, DM_DEVICE_TABLE, name, tab, false);
}

int vss_dm_table_inactive(struct vss_ctx *ctx, const char *name, struct vss_dm_table *tab)
{
	return read_targets(ctx, DM_DEVICE_TABLE, name, tab, true);
}

int vss_dm_status(struct vss_ctx *ctx, const char *name, struct vss_dm_table *tab)
{
	return read_targets(ctx, DM_DEVICE_STATUS, name, tab, false);
}

void vss_dm_table_free(struct vss_dm_table *tab)
{
	for (size_t i = 0; i < tab->n; i++) {
		free(tab->t[i].type);
		free(tab->t[i].params);
	}
	free(tab->t);
	tab->t = NULL;
	tab->n = 0;
}

int vss_dm_deps(struct vss_ctx *ctx, const char *name, struct vss_devno **devs, size_t *n)
{
	struct dm_task *dmt = task(ctx, DM_DEVICE_DEPS, name);
	struct dm_deps *deps;

	*devs = NULL;
	*n = 0;
	if (!dmt || !dm_task_run(dmt) || !(deps = dm_task_get_deps(dmt)))
		return task_failed(ctx, dmt, name, "deps");
	if (deps->count) {
		*devs = calloc(deps->count, sizeof(**devs));
		if (!*devs) {
			dm_task_destroy(dmt);
			return vss_fail(ctx, ENOMEM, "%s: out of memory", name);
		}
		for (uint32_t i = 0; i < deps->count; i++) {
			(*devs)[i].major = major(deps->device[i]);
			(*devs)[i].minor = minor(deps->device[i]);
		}
		*n = deps->count;
	}
	dm_task_destroy(dmt);
	return 0;
}

int vss_dm_message(struct vss_ctx *ctx, const char *name, const char *msg, char **reply)
{
	struct dm_task *dmt = task(ctx, DM_DEVICE_TARGET_MSG, name);
	const char *resp;
	char doing[300];

	if (reply)
		*reply = NULL;
	snprintf(doing, sizeof(doing), "message '%s'", msg);
	if (!dmt || !dm_task_set_sector(dmt, 0) || !dm_task_set_message(dmt, msg))
		return task_failed(ctx, dmt, name, doing);
	vss_log(ctx, VSS_LEVEL_DEBUG, "dm message %s: %s", name, msg);
	if (!dm_task_run(dmt))
		return task_failed(ctx, dmt, name, doing);
	resp = dm_task_get_message_response(dmt);
	if (reply && resp && *resp && !(*reply = strdup(resp))) {
		dm_task_destroy(dmt);
		return vss_fail(ctx, ENOMEM, "%s: out of memory", name);
	}
	dm_task_destroy(dmt);
	return 0;
}

int vss_dm_list(struct vss_ctx *ctx, char ***namesp, size_t *np)
{
	struct dm_task *dmt = task(ctx, DM_DEVICE_LIST, NULL);
	struct dm_names *dn;
	char **names = NULL;
	size_t n = 0;
	unsigned next = 0;

	*namesp = NULL;
	*np = 0;
	if (!dmt || !dm_task_run(dmt) || !(dn = dm_task_get_names(dmt)))
		return task_failed(ctx, dmt, NULL, "listing devices");
	if (dn->dev) {
		do {
			dn = (struct dm_names *)((char *)dn + next);
			if (vss_strv_push(&names, &n, dn->name)) {
				vss_strv_free(names, n);
				dm_task_destroy(dmt);
				return vss_fail(ctx, ENOMEM, "out of memory");
			}
			next = dn->next;
		} while (next);
	}
	dm_task_destroy(dmt);
	vss_strv_sort(names, n);
	*namesp = names;
	*np = n;
	return 0;
}

int vss_dm_available(struct vss_ctx *ctx)
{
	char version[64];

	enter(ctx);
	if (!dm_driver_version(version, sizeof(version)))
		return vss_fail(ctx, ENODEV, "device-mapper is not available: %s",
				ctx->dm_last_errno ? strerror(ctx->dm_last_errno) :
				"this kernel has no device-mapper driver, or /dev/mapper/control is missing");
	vss_log(ctx, VSS_LEVEL_DEBUG, "device-mapper driver %s", version);
	return 0;
}
