/*
 * create-set: everything that can be done before the freeze window is done
 * before it - each shadow's provider makes its storage, its devices and its
 * origin's new table (cow: the COW, -real, snapshot tables loaded inactive),
 * filesystems are synced - so the window itself, written here once for
 * every provider, only suspends every origin (lockfs: flushed and frozen),
 * has each provider take its shadow (cow: made live; thin: the pool's
 * snapshot), and resumes.
 * udev is waited for after the window, not in it. Any failure, and any
 * interrupt, undoes the whole set from the same record a crash would leave
 * for recovery: the journal written before anything was made.
 */
#include "config.h"
#include "area.h"
#include "blockdev.h"
#include "dm.h"
#include "owner.h"
#include "policy.h"
#include "provider.h"
#include "recover.h"
#include "set.h"
#include "setrec.h"
#include "strv.h"
#include "window.h"
#include "writer.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

struct member {
	struct vss_volume vol;
	const struct provider *provider;
	bool suspended;
};

static uint64_t now_us(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static int check_opts(struct vss_ctx *ctx, const struct vss_create_opts *o, size_t n)
{
	char why[160];

	if (n == 0)
		return vss_fail_kind(ctx, VSS_ERR_USAGE, EINVAL, "no volume given");
	if (o->label && vss_label_check(o->label, why, sizeof(why)))
		return vss_fail_kind(ctx, VSS_ERR_USAGE, EINVAL, "label '%s' %s", o->label, why);
	if (o->chunk_bytes && !vss_chunk_size_ok(o->chunk_bytes))
		return vss_fail_kind(ctx, VSS_ERR_USAGE, EINVAL,
				     "chunk size %" PRIu64 ": must be a power of two from 4K to 512K",
				     o->chunk_bytes);
	if (o->cow_percent > 100)
		return vss_fail_kind(ctx, VSS_ERR_USAGE, EINVAL,
				     "COW size %u%%: at most 100%% of the origin", o->cow_percent);
	return 0;
}

/* After a reboot, before activate, a set of VOLUME has no devices yet. A
 * new set would layer the volume anew, and what is written from then on
 * would never reach the older shadows' stores: they would be wrong. */
static int awaits_activation(struct vss_ctx *ctx, const char *volume)
{
	struct set_rec *recs;
	size_t n;
	int r;

	if ((r = set_rec_list_strict(ctx, "sets", &recs, &n)))
		return r;
	for (size_t i = 0; i < n && !r; i++) {
		for (size_t j = 0; j < recs[i].n && !r; j++) {
			struct vss_dm_info info;

			if (strcmp(recs[i].sh[j].volume, volume))
				continue;
			if (recs[i].sh[j].merge != MERGE_NONE) {
				r = vss_fail(ctx, EBUSY, "%s: its revert to set %.8s is %s; no new set "
					     "of it until that is over", volume, recs[i].id,
					     recs[i].sh[j].merge == MERGE_SCHEDULED ?
					     "scheduled" : "under way");
				break;
			}
			if ((r = vss_dm_info(ctx, recs[i].sh[j].dm_name, &info)) == 0 && !info.exists)
				r = vss_fail(ctx, EBUSY, "%s: its shadow in set %.8s is not active "
					     "(after a reboot: run vss activate first)", volume,
					     recs[i].id);
		}
	}
	set_recs_free(recs, n);
	return r;
}

/* Resolves every volume; each must be active, not suspended, named once. */
static int resolve(struct vss_ctx *ctx, char *const *specs, size_t n, struct member *m,
		   const struct vss_create_opts *o)
{
	for (size_t i = 0; i < n; i++) {
		struct vss_dm_info info;
		int r;

		if ((r = vss_volume_resolve(ctx, specs[i], &m[i].vol)))
			return r;
		if (!m[i].vol.active)
			return vss_fail(ctx, ENODEV, "%s: not active", specs[i]);
		for (size_t j = 0; j < i; j++)
			if (m[j].vol.major == m[i].vol.major && m[j].vol.minor == m[i].vol.minor)
				return vss_fail_kind(ctx, VSS_ERR_USAGE, EINVAL,
						     "%s: named twice (as %s and %s)", m[i].vol.name,
						     specs[j], specs[i]);
		for (size_t j = 0; j < i; j++) {
			dev_t a = makedev(m[i].vol.major, m[i].vol.minor);
			dev_t b = makedev(m[j].vol.major, m[j].vol.minor);

			/* Suspending the lower first would leave the upper's
			 * flush waiting on it for ever. */
			if (vss_blockdev_stacked_on(a, b) || vss_blockdev_stacked_on(b, a))
				return vss_fail_kind(ctx, VSS_ERR_USAGE, EINVAL,
						     "%s and %s: one lies on the other; a set takes "
						     "only the top of a stack", specs[j], specs[i]);
		}
		if (strlen(m[i].vol.name) > 100)
			return vss_fail(ctx, ENAMETOOLONG,
					"%s: its name is too long for the shadow's device name "
					"(vss-SET8-NAME-cow must fit device-mapper's 127 characters)",
					m[i].vol.name);
		if ((r = vss_dm_info(ctx, m[i].vol.name, &info)))
			return r;
		if (info.suspended)
			return vss_fail(ctx, EBUSY, "%s: is suspended; resume it first", specs[i]);
		if (info.inactive_table)
			return vss_fail(ctx, EBUSY, "%s: has an inactive table loaded by someone else",
					specs[i]);
		/* Now, not once the journal and the COW exist: a refusal
		 * should cost nothing to undo. */
		if ((r = awaits_activation(ctx, m[i].vol.name)) ||
		    (r = provider_choose(ctx, o->provider, m[i].vol.name, m[i].vol.size, o,
					 &m[i].provider)))
			return r;
		if (!strncmp(m[i].vol.dm_uuid, "LVM-", 4) || !strncmp(m[i].vol.dm_uuid, "CRYPT-", 6))
			vss_log(ctx, VSS_LEVEL_WARNING,
				"%s: managed by %.*s, which may replace its table (lvextend, cryptsetup "
				"resize) and end its shadows; importing a volume avoids that", m[i].vol.name,
				(int)strcspn(m[i].vol.dm_uuid, "-"), m[i].vol.dm_uuid);
	}
	return 0;
}

/* Labels name one live set each: a second would make the label (and so
 * show, expose, delete-set of it) ambiguous. Under the lock, so no other
 * create-set can take the label meanwhile. */
static int label_unused(struct vss_ctx *ctx, const char *label)
{
	struct set_rec *recs;
	size_t n;
	int r;

	if (!label)
		return 0;
	if ((r = set_rec_list(ctx, "sets", &recs, &n)))
		return r;
	for (size_t i = 0; i < n && !r; i++)
		if (!strcmp(recs[i].label, label))
			r = vss_fail_kind(ctx, VSS_ERR_USAGE, EEXIST, "label '%s': already the label "
					  "of set %.8s", label, recs[i].id);
	set_recs_free(recs, n);
	return r;
}

/* A new set id whose first 8 characters no other set or device uses. */
static int new_id(struct vss_ctx *ctx, char id[37])
{
	for (int tries = 0; tries < 32; tries++) {
		struct set_rec *recs;
		size_t n;
		char **names;
		size_t nn;
		bool clash = false;
		int r;

		if ((r = vss_uuid_new(id)))
			return vss_fail(ctx, -r, "cannot make a uuid: %s", strerror(-r));
		if ((r = set_rec_list(ctx, "sets", &recs, &n)))
			return r;
		for (size_t i = 0; i < n && !clash; i++)
			clash = !strncmp(recs[i].id, id, 8);
		set_recs_free(recs, n);
		if ((r = vss_dm_list(ctx, &names, &nn)))
			return r;
		for (size_t i = 0; i < nn && !clash; i++)
			clash = !strncmp(names[i], "vss-", 4) && !strncmp(names[i] + 4, id, 8);
		vss_strv_free(names, nn);
		if (!clash)
			return 0;
	}
	return vss_fail(ctx, EEXIST, "cannot find an unused set id");
}

static int plan(struct vss_ctx *ctx, struct set_rec *rec, const struct member *m, size_t n,
		const struct vss_create_opts *o)
{
	dev_t *devs = calloc(n, sizeof(*devs));
	char **names = calloc(n, sizeof(*names));
	struct plan_input in = { .opts = o, .set = rec, .devs = devs, .names = names, .n = n };
	int r = 0;

	if (!devs || !names) {
		r = vss_fail(ctx, ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		devs[i] = makedev(m[i].vol.major, m[i].vol.minor);
		names[i] = (char *)m[i].vol.name;
	}
	for (size_t i = 0; i < n && !r; i++) {
		struct shadow_rec *sh = set_rec_add(ctx, rec);

		if (!sh) {
			r = -ENOMEM;
			break;
		}
		snprintf(sh->volume, sizeof(sh->volume), "%s", m[i].vol.name);
		snprintf(sh->origin_uuid, sizeof(sh->origin_uuid), "%s", m[i].vol.dm_uuid);
		snprintf(sh->provider, sizeof(sh->provider), "%s", m[i].provider->name);
		snprintf(sh->dm_name, sizeof(sh->dm_name), "vss-%.8s-%.100s", rec->id, sh->volume);
		snprintf(sh->dm_uuid, sizeof(sh->dm_uuid), SNAP_UUID_PREFIX "%s-%zu", rec->id, i);
		in.index = i;
		in.volume_bytes = m[i].vol.size;
		/* Its record holds what its provider needs once planned. */
		r = m[i].provider->plan(ctx, sh, &in);
	}
out:
	free(devs);
	free(names);
	return r;
}

/* Writes dirty data out while writes go on, so the flush inside the
 * window (lockfs) has little left to do. */
static void sync_filesystems(struct vss_ctx *ctx, const struct member *m, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int fd;

		if (!m[i].vol.mountpoint[0])
			continue;
		fd = open(m[i].vol.mountpoint, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd >= 0) {
			if (syncfs(fd) < 0)
				vss_log(ctx, VSS_LEVEL_DEBUG, "%s: syncfs: %s", m[i].vol.mountpoint,
					strerror(errno));
			close(fd);
		}
	}
}

/* The window: suspend all, make the shadows live, resume all. Nothing in
 * it may wait on a suspended volume: signals wait until it is over (only
 * SIGKILL can cut it, and the marker under RUN_DIR tells recovery what to
 * resume), events are held rather than written out, and our memory is
 * locked so a page fault cannot read from a frozen filesystem. */
static int window(struct vss_ctx *ctx, struct set_rec *rec, struct member *m, size_t n,
		  uint64_t deadline_us, uint32_t *cookie)
{
	uint64_t t0, t1;
	sigset_t all, old;
	char **names = calloc(n, sizeof(*names)), **uuids = calloc(n, sizeof(*uuids));
	bool *suspended = calloc(n, sizeof(*suspended));
	size_t stepped = 0;
	int r = 0, r2, failed;

	if (!names || !uuids || !suspended) {
		free(names);
		free(uuids);
		free(suspended);
		return vss_fail(ctx, ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < n; i++) {
		names[i] = m[i].vol.name;
		uuids[i] = m[i].vol.dm_uuid;
	}
	r = window_mark(ctx, names, uuids, n);
	free(uuids);
	if (r) {
		free(names);
		free(suspended);
		return r;
	}
	sigfillset(&all);
	sigdelset(&all, SIGSEGV);
	sigdelset(&all, SIGBUS);
	sigdelset(&all, SIGFPE);
	sigdelset(&all, SIGILL);
	sigdelset(&all, SIGABRT);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	vss_events_hold(ctx, true);
	rec->created_us = (long long)now_us(CLOCK_REALTIME);
	t0 = now_us(CLOCK_MONOTONIC);
	r = vss_dm_suspend_all(ctx, names, n, VSS_DM_LOCKFS, suspended);
	for (size_t i = 0; i < n; i++)
		m[i].suspended = suspended[i];
	/* A suspend cannot be cut short (the kernel waits for the flush),
	 * but a window that overran is not made into a set. */
	if (!r && now_us(CLOCK_MONOTONIC) > deadline_us)
		r = vss_fail(ctx, ETIMEDOUT, "the freeze window reached freeze_timeout (%.1f s) while "
			     "the volumes were being suspended (flushed and frozen) after %.0f ms",
			     ctx->freeze_timeout_ms / 1000.0, (now_us(CLOCK_MONOTONIC) - t0) / 1000.0);
	if (!r)
		vss_fault(ctx, "create:suspended");
	/* Each shadow's in-window step (cow: made live; thin: the snapshot
	 * taken in its pool), its provider found before the window. */
	for (; stepped < n && !r; stepped++)
		r = m[stepped].provider->in_window(ctx, &rec->sh[stepped], cookie);
	failed = r;
	if (!r)
		vss_fault(ctx, "create:snapshots-resumed");
	/* Every origin is resumed, whatever failed: nothing stays frozen.
	 * Top of a stack first: members never stack (resolve refuses it). */
	for (size_t i = 0; i < n; i++) {
		struct vss_dm_info info;

		if (!m[i].suspended)
			continue;
		/* One whose in-window step did not happen keeps the table it
		 * had: the one loaded for it may rest on a step of that (a
		 * chain's older base re-pointed). */
		if (failed && i + 1 >= stepped && !vss_dm_info(ctx, m[i].vol.name, &info) &&
		    info.inactive_table)
			(void)vss_dm_clear(ctx, m[i].vol.name);
		if ((r2 = vss_dm_resume_deferred(ctx, m[i].vol.name, VSS_DM_UDEV_NORMAL, cookie)) && !r)
			r = r2;
		else if (!r2)
			m[i].suspended = false;
	}
	t1 = now_us(CLOCK_MONOTONIC);
	vss_events_hold(ctx, false);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	free(names);
	free(suspended);
	rec->freeze_us = t1 - t0;
	for (size_t i = 0; i < n; i++)
		if (m[i].suspended)
			return r; /* keep the marker: recovery must resume it */
	window_clear(ctx);
	return r;
}

static int fill_out(struct vss_ctx *ctx, const struct set_rec *rec, struct vss_set **out)
{
	struct vss_set *s = calloc(1, sizeof(*s));
	int r;

	if (!s)
		return vss_fail(ctx, ENOMEM, "out of memory");
	if ((r = set_fill(ctx, rec, s))) {
		free(s);
		return r;
	}
	*out = s;
	return 0;
}

/* Undoes REC after a failure, keeping the failure's message; a failed undo
 * leaves the journal for recovery and says so. */
static int undo(struct vss_ctx *ctx, struct set_rec *rec, bool default_known, int r)
{
	char msg[sizeof(ctx->errmsg)];
	enum vss_error_kind kind = ctx->errkind;

	snprintf(msg, sizeof(msg), "%s", ctx->errmsg);
	if (set_teardown(ctx, rec, true, true) == 0 && set_rec_unlink(ctx, "journal", rec->id) == 0) {
		/* A window that could not resume kept its marker: all resumed now. */
		window_clear(ctx);
		/* A set that never came to be did not use the default area. */
		if (!default_known)
			storage_default_forget(ctx);
		vss_log(ctx, VSS_LEVEL_INFO, "set %.8s undone", rec->id);
		snprintf(ctx->errmsg, sizeof(ctx->errmsg), "%s", msg);
	} else {
		char why[sizeof(ctx->errmsg)];

		snprintf(why, sizeof(why), "%s", ctx->errmsg);
		snprintf(ctx->errmsg, sizeof(ctx->errmsg),
			 "%.400s; and undoing the set failed (%.300s): run 'vss recover'", msg, why);
		/* Not "nothing changed" (storage full, usage) any more. */
		kind = VSS_ERR_FAILED;
	}
	ctx->errkind = kind;
	return r;
}

/* The writers of SEQ are told EVENT, as its phase begins. */
static int phase(struct vss_ctx *ctx, struct writer_seq *seq, const char *id, const char *event,
		 uint64_t deadline_us)
{
	int r;

	vss_phase(ctx, id, event);
	if ((r = writer_seq_event(ctx, seq, event, deadline_us)) == 0)
		r = vss_check_interrupt(ctx);
	return r;
}

static int writers_join(struct vss_ctx *ctx, const char *id, const struct member *m, size_t n,
			const struct vss_create_opts *o, struct writer_seq **seq)
{
	dev_t *devs = calloc(n, sizeof(*devs));
	char **names = calloc(n, sizeof(*names));
	int r;

	if (!devs || !names)
		r = vss_fail(ctx, ENOMEM, "out of memory");
	else {
		for (size_t i = 0; i < n; i++) {
			devs[i] = makedev(m[i].vol.major, m[i].vol.minor);
			names[i] = (char *)m[i].vol.name;
		}
		r = writer_seq_new(ctx, id, devs, names, n, o, seq);
	}
	free(devs);
	free(names);
	return r;
}

/* Every writer that may hold something hears abort; the failure that
 * caused it stays the command's. */
static void abort_writers(struct vss_ctx *ctx, struct writer_seq *seq, const char *id)
{
	char msg[sizeof(ctx->errmsg)];
	enum vss_error_kind kind = ctx->errkind;

	vss_phase(ctx, id, "abort");
	if (!seq || !seq->n)
		return;
	snprintf(msg, sizeof(msg), "%s", ctx->errmsg);
	writer_seq_event(ctx, seq, "abort", 0);
	snprintf(ctx->errmsg, sizeof(ctx->errmsg), "%s", msg);
	ctx->errkind = kind;
}

struct plan_try {
	struct set_rec *rec;
	const struct member *m;
	size_t n;
	const struct vss_create_opts *o;
};

static int plan_again(struct vss_ctx *ctx, void *arg)
{
	struct plan_try *t = arg;

	set_rec_free(t->rec);
	return plan(ctx, t->rec, t->m, t->n, t->o);
}

/* The policy's room for a set of M: max_sets_per_volume, then storage. */
static int room(struct vss_ctx *ctx, struct set_rec *rec, const struct member *m, size_t n,
		const struct vss_create_opts *o, bool storage)
{
	struct plan_try t = { rec, m, n, o };
	char **names = calloc(n + 1, sizeof(*names));
	int r;

	if (!names)
		return vss_fail(ctx, ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++)
		names[i] = (char *)m[i].vol.name;
	if (storage)
		r = policy_plan_room(ctx, names, n, plan_again, &t);
	else
		r = policy_count_room(ctx, names, n);
	free(names);
	return r;
}

/* The steps of a set's making that each provider takes for every shadow
 * (provider.h). */
enum step { STEP_STORAGE, STEP_DEVICES, STEP_ORIGIN, STEP_AFTER };

static int each_shadow(struct vss_ctx *ctx, struct set_rec *rec, enum step step)
{
	int r = 0;

	for (size_t i = 0; i < rec->n && !r; i++) {
		const struct provider *p = provider_of(&rec->sh[i]);
		int (*op)(struct vss_ctx *, struct shadow_rec *) =
			step == STEP_STORAGE ? p->make_storage :
			step == STEP_DEVICES ? p->make_devices :
			step == STEP_ORIGIN ? p->load_origin : p->after_window;

		if (op)
			r = op(ctx, &rec->sh[i]);
	}
	return r;
}

int vss_set_create(struct vss_ctx *ctx, char *const *volumes, size_t n,
		   const struct vss_create_opts *opts, struct vss_set **out)
{
	static const struct vss_create_opts defaults = { 0 };
	const struct vss_create_opts *o = opts ? opts : &defaults;
	struct set_rec rec = { 0 };
	struct member *m = NULL;
	struct writer_seq *seq = NULL;
	bool journaled = false, default_known = true, committed = false, stuck;
	uint32_t cookie = 0;
	uint64_t frozen_at = 0, deadline;
	char what[256];
	int r;

	*out = NULL;
	vss_op_begin(ctx, "create-set");
	if ((r = check_opts(ctx, o, n)))
		goto out;
	if ((r = vss_lock_and_recover(ctx)))
		goto out;
	if (!(m = calloc(n, sizeof(*m)))) {
		r = vss_fail(ctx, ENOMEM, "out of memory");
		goto unlock;
	}
	if ((r = label_unused(ctx, o->label)) || (r = resolve(ctx, volumes, n, m, o)) ||
	    (r = room(ctx, &rec, m, n, o, false)) ||
	    (r = new_id(ctx, rec.id)) || (r = writers_join(ctx, rec.id, m, n, o, &seq)))
		goto unlock;
	seq->backup = o->backup;
	if (o->label)
		snprintf(rec.label, sizeof(rec.label), "%s", o->label);
	rec.context = o->context;
	if (rec.context == VSS_CONTEXT_AUTO_RELEASE) {
		rec.owner_pid = (long)getpid();
		rec.owner_start = set_proc_start(rec.owner_pid);
		set_boot_id(rec.owner_boot, sizeof(rec.owner_boot));
	}
	snprintf(rec.op, sizeof(rec.op), "create");
	if ((r = phase(ctx, seq, rec.id, "identify", 0)) ||
	    (r = phase(ctx, seq, rec.id, "prepare-backup", 0)))
		goto unlock;
	if ((r = room(ctx, &rec, m, n, o, true)) || (r = vss_check_interrupt(ctx)))
		goto unlock;
	default_known = storage_default_recorded(ctx);
	if ((r = set_rec_save(ctx, "journal", &rec)))
		goto unlock;
	journaled = true;
	vss_fault(ctx, "create:journal");
	/* Each step for every shadow, then its fault point: a kill between
	 * two steps leaves what recovery knows how to undo. */
	if ((r = each_shadow(ctx, &rec, STEP_STORAGE)) || (r = vss_check_interrupt(ctx)))
		goto unlock;
	vss_fault(ctx, "create:cow");
	if ((r = each_shadow(ctx, &rec, STEP_DEVICES)) || (r = vss_check_interrupt(ctx)))
		goto unlock;
	vss_fault(ctx, "create:real");
	if ((r = each_shadow(ctx, &rec, STEP_ORIGIN)) || (r = vss_check_interrupt(ctx)))
		goto unlock;
	vss_fault(ctx, "create:loaded");
	if ((r = phase(ctx, seq, rec.id, "prepare-snapshot", 0)))
		goto unlock;
	sync_filesystems(ctx, m, n);
	/* The last write to the state directory until the window is over. */
	writer_seq_save(ctx, seq);
#ifndef __SANITIZE_ADDRESS__
	/* Before the freeze is announced: paging everything in takes a while.
	 * (Under ASan this would pin its terabytes of shadow memory.) */
	if (mlockall(MCL_CURRENT | MCL_FUTURE) < 0)
		vss_log(ctx, VSS_LEVEL_DEBUG, "mlockall: %s", strerror(errno));
#endif
	/* The freeze window: from the writers' freeze to the end of their
	 * thaw's start, bounded as a whole by freeze_timeout. */
	frozen_at = now_us(CLOCK_MONOTONIC);
	deadline = frozen_at + (uint64_t)ctx->freeze_timeout_ms * 1000;
	r = phase(ctx, seq, rec.id, "freeze", deadline);
	if (!r) {
		vss_fault(ctx, "create:writers-frozen");
		r = window(ctx, &rec, m, n, deadline, &cookie);
	}
#ifndef __SANITIZE_ADDRESS__
	munlockall();
#endif
	if (!r)
		vss_fault(ctx, "create:resumed");
	if (!r) {
		vss_phase(ctx, rec.id, "thaw");
		r = writer_seq_event(ctx, seq, "thaw", 0);
	}
	vss_dm_udev_wait(ctx, &cookie);
	if (!r)
		r = each_shadow(ctx, &rec, STEP_AFTER);
	if (r || (r = vss_check_interrupt(ctx)))
		goto unlock;
	vss_log(ctx, VSS_LEVEL_INFO, "freeze window %.1f ms; writers held frozen %.1f ms",
		rec.freeze_us / 1000.0, (now_us(CLOCK_MONOTONIC) - frozen_at) / 1000.0);
	if ((r = phase(ctx, seq, rec.id, "post-snapshot", 0)))
		goto unlock;
	rec.op[0] = '\0';
	if ((r = set_rec_save(ctx, "sets", &rec)))
		goto unlock;
	vss_fault(ctx, "create:committed");
	journaled = false;
	committed = true;
	/* The set exists now, whatever follows: recovery tidies a journal
	 * left behind. */
	if (set_rec_unlink(ctx, "journal", rec.id))
		vss_log(ctx, VSS_LEVEL_WARNING, "%s (the next vss command tidies it)", vss_errmsg(ctx));
	for (size_t i = 0; i < n; i++) {
		provider_of(&rec.sh[i])->describe(&rec.sh[i], what, sizeof(what));
		vss_log(ctx, VSS_LEVEL_INFO, "%s: shadow /dev/mapper/%s, %s", rec.sh[i].volume,
			rec.sh[i].dm_name, what);
	}
	vss_log(ctx, VSS_LEVEL_INFO, "set %s made; freeze window %.1f ms", rec.id,
		rec.freeze_us / 1000.0);
	r = fill_out(ctx, &rec, out);
unlock:
	/* Writers hear abort first, so they thaw soon - unless an origin
	 * could not be resumed: a writer touching it would hang, so the undo
	 * (which resumes it) goes first then. */
	stuck = false;
	for (size_t i = 0; m && i < n; i++)
		stuck |= m[i].suspended;
	if (r && (seq || journaled) && !committed && !stuck)
		abort_writers(ctx, seq, rec.id);
	if (r && journaled)
		r = undo(ctx, &rec, default_known, r);
	if (r && (seq || journaled) && !committed && stuck)
		abort_writers(ctx, seq, rec.id);
	writer_seq_save(ctx, seq);
	vss_unlock(ctx);
	/* A backup's set: its writers wait for its end. */
	if (!r && seq && seq->backup && seq->n) {
		seq->next = ctx->backups;
		ctx->backups = seq;
		vss_ctx_on_free(ctx, VSS_CLEANUP_BACKUPS, writer_backups_end);
	} else
		writer_seq_end(ctx, seq);
out:
	free(m);
	set_rec_free(&rec);
	vss_op_end(ctx, r);
	return r;
}
