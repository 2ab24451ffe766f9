/*
 * create-set: everything that can be done before the freeze
 * window is done before it - COW space, -real layers, snapshot tables loaded
 * inactive, filesystems synced - so the window itself only suspends every
 * origin (lockfs: flushed and frozen), makes the shadows live, and resumes.
 * udev is waited for after the window, not in it. Any failure, and any
 * interrupt, undoes the whole set from the same record a crash would leave
 * for recovery: the journal written before anything was made.
 */
#include "config.h"
#include "blockdev.h"
#include "dm.h"
#include "policy.h"
#include "set.h"
#include "state.h"
#include "storage.h"
#include "strv.h"
#include "volume.h"
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

#define MIN_COW_CHUNKS 32

struct member {
	struct vss_volume vol;
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
			if (recs[i].sh[j].merge[0]) {
				r = vss_fail(ctx, EBUSY, "%s: its revert to set %.8s is %s; no new set "
					     "of it until that is over", volume, recs[i].id,
					     !strcmp(recs[i].sh[j].merge, MERGE_SCHEDULED) ?
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

static bool is_thin_volume(struct vss_ctx *ctx, const char *name)
{
	struct volume_rec rec;

	return volume_rec_load(ctx, name, &rec) == 0 && rec.pool[0];
}

/* Resolves every volume; each must be active, not suspended, named once. */
static int resolve(struct vss_ctx *ctx, char *const *specs, size_t n, struct member *m)
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
		    (!is_thin_volume(ctx, m[i].vol.name) && (r = origin_usable(ctx, m[i].vol.name))))
			return r;
		if (!strncmp(m[i].vol.dm_uuid, "LVM-", 4) || !strncmp(m[i].vol.dm_uuid, "CRYPT-", 6))
			vss_log(ctx, VSS_LEVEL_WARNING,
				"%s: managed by %.*s, which may replace its table (lvextend, cryptsetup "
				"resize) and end its shadows; importing a volume avoids that", m[i].vol.name,
				(int)strcspn(m[i].vol.dm_uuid, "-"), m[i].vol.dm_uuid);
	}
	return 0;
}

/* The most a COW of an origin of SIZE bytes can ever hold: every chunk,
 * each with its 16-byte exception entry, and a header chunk. */
static uint64_t cow_most(uint64_t size, uint64_t chunk_bytes)
{
	return size + size / chunk_bytes * 16 + 2 * chunk_bytes;
}

/* BYTES as vss_size_format shows sizes, but rounded down: a size the
 * user may give back and have it fit. */
static void size_format_down(uint64_t bytes, char *buf, size_t len)
{
	static const char units[] = "BKMGTPE";
	uint64_t unit = 1;
	unsigned u = 0, tenth;

	while (bytes / unit >= 1024 && u < sizeof(units) - 2) {
		unit *= 1024;
		u++;
	}
	tenth = (unsigned)((long double)(bytes % unit) * 10 / unit);
	if (tenth)
		snprintf(buf, len, "%llu.%c%c", (unsigned long long)(bytes / unit), '0' + tenth % 10,
			 units[u]);
	else
		snprintf(buf, len, "%llu%c", (unsigned long long)(bytes / unit), units[u]);
}

/* A COW size (--cow-size, or cow_size of the configuration) more than a
 * shadow of a volume could ever use is refused, not cut down behind the
 * user's back: a size vss was given is the size it makes, or nothing. A
 * percentage never is (100% is less than the most); thin shadows have no
 * COW. Before the writers hear of the set: it costs nothing to undo. */
static int cow_sizes_check(struct vss_ctx *ctx, const struct member *m, size_t n,
			   const struct vss_create_opts *o)
{
	uint64_t chunk = o->chunk_bytes ? o->chunk_bytes : VSS_DEFAULT_CHUNK_BYTES;

	for (size_t i = 0; i < n && o->cow_bytes; i++) {
		uint64_t most = cow_most(m[i].vol.size, chunk);
		char asked[32], fits[32], size[32];

		if (o->cow_bytes <= most || is_thin_volume(ctx, m[i].vol.name))
			continue;
		vss_size_format(o->cow_bytes, asked, sizeof(asked));
		size_format_down(most, fits, sizeof(fits));
		vss_size_format(m[i].vol.size, size, sizeof(size));
		/* One cow_size for every volume of the machine: a small volume
		 * gets what it can use, and is told so. */
		if (o->cow_default) {
			vss_log(ctx, VSS_LEVEL_WARNING, "%s: cow_size %s is more than its shadow could "
				"ever use: it gets %s (all %s of it, with the COW's own index)",
				m[i].vol.name, asked, fits, size);
			continue;
		}
		return vss_fail_kind(ctx, VSS_ERR_USAGE, EINVAL, "%s: a COW of %s is more than it "
				     "could ever use; give at most %s (all %s of it, with the COW's "
				     "own index)", m[i].vol.name, asked, fits, size);
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
	uint64_t chunk = (o->chunk_bytes ? o->chunk_bytes : VSS_DEFAULT_CHUNK_BYTES) / 512;
	unsigned pct = o->cow_percent ? o->cow_percent : VSS_DEFAULT_COW_PERCENT;
	dev_t *devs = calloc(n, sizeof(*devs));
	char **names = calloc(n, sizeof(*names));
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
		uint64_t bytes = o->cow_bytes ? o->cow_bytes : m[i].vol.size / 100 * pct;
		char need[16];

		/* More than cow_most: cow_sizes_check refused an asked size, and
		 * said it of a default, which is cut here. */
		if (bytes > cow_most(m[i].vol.size, chunk * 512))
			bytes = cow_most(m[i].vol.size, chunk * 512);

		if (!sh) {
			r = -ENOMEM;
			break;
		}
		snprintf(sh->volume, sizeof(sh->volume), "%s", m[i].vol.name);
		snprintf(sh->origin_uuid, sizeof(sh->origin_uuid), "%s", m[i].vol.dm_uuid);
		snprintf(sh->provider, sizeof(sh->provider), "cow");
		snprintf(sh->dm_name, sizeof(sh->dm_name), "vss-%.8s-%.100s", rec->id, sh->volume);
		snprintf(sh->dm_uuid, sizeof(sh->dm_uuid), SNAP_UUID_PREFIX "%s-%zu", rec->id, i);
		if (o->provider == VSS_PROVIDER_COW && is_thin_volume(ctx, sh->volume)) {
			/* Its table cannot be layered: the thin id would be
			 * open twice. A thin snapshot is the better shadow. */
			r = vss_fail(ctx, EINVAL, "%s: a thin volume: its shadows are thin snapshots "
				     "(--provider cow is for other volumes)", sh->volume);
			break;
		}
		if (o->provider != VSS_PROVIDER_COW) {
			/* A thin volume of ours: a snapshot in its pool. */
			int t = thin_plan(ctx, sh->volume, sh);

			if (t == 0)
				continue;
			if (t != -ENOENT) {
				r = t;
				break;
			}
			if (o->provider == VSS_PROVIDER_THIN) {
				r = vss_fail(ctx, EINVAL, "%s: not a thin volume of a vss pool (the thin "
					     "provider needs one: vss volume import --thin)", sh->volume);
				break;
			}
		}
		snprintf(sh->cow_name, sizeof(sh->cow_name), "vss-%.8s-%.100s-cow", rec->id, sh->volume);
		snprintf(sh->cow_uuid, sizeof(sh->cow_uuid), COW_UUID_PREFIX "%s-%zu", rec->id, i);
		sh->chunk = (unsigned)chunk;
		sh->origin_sectors = m[i].vol.size / 512;
		sh->cow_sectors = (bytes / 512 + chunk - 1) / chunk * chunk;
		if (sh->cow_sectors < MIN_COW_CHUNKS * chunk) {
			bool asked = o->cow_bytes || o->cow_percent;

			vss_size_format(MIN_COW_CHUNKS * chunk * 512, need, sizeof(need));
			r = vss_fail_kind(ctx, asked ? VSS_ERR_USAGE : VSS_ERR_FAILED, EINVAL,
					  "%s: a COW of %" PRIu64 " bytes is too small; it needs at least %s "
					  "(%d chunks)%s", sh->volume, bytes, need, MIN_COW_CHUNKS,
					  asked ? "" : ": give --cow-size");
			break;
		}
		/* Counted as the plan's only once it has an area. */
		r = storage_alloc(ctx, rec, sh, devs, names, n);
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
	int r = 0, r2;

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
	/* cow: the shadows made live; thin: the snapshots taken in their pools. */
	for (size_t i = 0; i < n && !r; i++)
		r = shadow_is_thin(&rec->sh[i]) ? thin_snap(ctx, &rec->sh[i]) :
		    vss_dm_resume_deferred(ctx, rec->sh[i].dm_name, VSS_DM_UDEV_LOW_PRIORITY, cookie);
	if (!r)
		vss_fault(ctx, "create:snapshots-resumed");
	/* Every origin is resumed, whatever failed: nothing stays frozen.
	 * Top of a stack first: members never stack (resolve refuses it). */
	for (size_t i = 0; i < n; i++) {
		if (!m[i].suspended)
			continue;
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
	char size[16];
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
	if ((r = label_unused(ctx, o->label)) || (r = resolve(ctx, volumes, n, m)) ||
	    (r = cow_sizes_check(ctx, m, n, o)) || (r = room(ctx, &rec, m, n, o, false)) ||
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
	for (size_t i = 0; i < n && !r; i++)
		if (!shadow_is_thin(&rec.sh[i]))
			r = storage_make(ctx, &rec.sh[i]);
	if (r || (r = vss_check_interrupt(ctx)))
		goto unlock;
	vss_fault(ctx, "create:cow");
	for (size_t i = 0; i < n && !r; i++) {
		unsigned rmaj, rmin;
		bool made;

		if (shadow_is_thin(&rec.sh[i]))
			continue;
		if ((r = origin_prepare(ctx, rec.sh[i].volume, rec.sh[i].origin_uuid, &made, &rmaj,
					&rmin)) == 0)
			r = set_snapshot_load(ctx, &rec.sh[i], rmaj, rmin);
	}
	if (r || (r = vss_check_interrupt(ctx)))
		goto unlock;
	vss_fault(ctx, "create:real");
	for (size_t i = 0; i < n && !r; i++) {
		bool loaded;

		if (shadow_is_thin(&rec.sh[i]))
			continue;
		r = origin_load(ctx, rec.sh[i].volume, rec.sh[i].origin_sectors, &loaded);
	}
	if (r || (r = vss_check_interrupt(ctx)))
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
	/* A thin snapshot needs no device in the window: it gets one now. */
	for (size_t i = 0; i < n && !r; i++) {
		bool made;

		if (shadow_is_thin(&rec.sh[i]))
			r = thin_shadow_make(ctx, &rec.sh[i], &made);
	}
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
		vss_size_format(rec.sh[i].cow_sectors * 512, size, sizeof(size));
		if (shadow_is_thin(&rec.sh[i]))
			vss_log(ctx, VSS_LEVEL_INFO, "%s: shadow /dev/mapper/%s, thin snapshot %u in "
				"pool %s", rec.sh[i].volume, rec.sh[i].dm_name, rec.sh[i].thin_id,
				rec.sh[i].pool);
		else
			vss_log(ctx, VSS_LEVEL_INFO, "%s: shadow /dev/mapper/%s, COW %s",
				rec.sh[i].volume, rec.sh[i].dm_name, size);
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
