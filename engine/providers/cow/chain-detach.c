/*
 * A chain shadow taken out of its chain before its device goes (chain.h):
 * its older neighbour, which reads through it, is given what it lacks and
 * re-pointed. Every step looks at the kernel's tables first, so a delete
 * cut short anywhere is finished by running this again.
 */
#include "config.h"
#include "chain.h"
#include "dm.h"
#include "origin.h"
#include "setrec.h"
#include "window.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool same(struct vss_devno a, struct vss_dm_info b)
{
	return a.major == b.major && a.minor == b.minor;
}

/* A table the making of SH loaded on VOLUME, over SH's base (BASE), not
 * yet live: dropped, so that the base can go. */
static int drop_loaded_origin(struct vss_ctx *ctx, const char *volume, struct vss_dm_info base)
{
	struct vss_dm_info info;
	struct vss_dm_table t;
	unsigned ma, mi;
	bool ours;
	int r;

	if ((r = vss_dm_info(ctx, volume, &info)) || !info.exists || !info.inactive_table)
		return r;
	if ((r = vss_dm_table_inactive(ctx, volume, &t)))
		return r;
	ours = t.n == 1 && !strcmp(t.t[0].type, "snapshot-origin") &&
	       sscanf(t.t[0].params, "%u:%u", &ma, &mi) == 2 && ma == base.major &&
	       mi == base.minor;
	vss_dm_table_free(&t);
	return ours ? vss_dm_clear(ctx, volume) : 0;
}

/* K was the newest: OLDER becomes it. In a short suspend of the volume,
 * what K took in since the first merge goes to OLDER too, then OLDER's
 * base goes onto -real (REAL) and the volume onto OLDER's base. */
static int newest_handover(struct vss_ctx *ctx, const struct shadow_rec *k,
			   const struct shadow_rec *older, struct vss_devno real)
{
	const char *obase = shadow_extra(older, CHAIN_BASE);
	char *names[1] = { (char *)k->volume }, *uuids[1];
	struct vss_dm_info vol, ob;
	sigset_t all, old;
	uint32_t cookie = 0;
	bool loaded;
	int r, r2 = 0;

	if ((r = vss_dm_info(ctx, k->volume, &vol)) || (r = vss_dm_info(ctx, obase, &ob)))
		return r;
	if (!vol.exists || !ob.exists)
		return vss_fail(ctx, ENODEV, "%s: %s missing", k->volume,
				vol.exists ? obase : "the volume is");
	uuids[0] = vol.uuid;
	if ((r = chain_base_point(ctx, obase, real, older->origin_sectors, &loaded)) ||
	    (r = origin_load_over(ctx, k->volume, k->origin_sectors, ob.major, ob.minor, &loaded)))
		goto undo;
	if ((r = window_mark(ctx, names, uuids, 1)))
		goto undo;
	/* As in a create's window: nothing may be written (the state may
	 * live on this volume), nothing paged in, no udev waited for (it may
	 * be reading the volume), and no signal may stop us with it
	 * suspended. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	vss_events_hold(ctx, true);
#ifndef __SANITIZE_ADDRESS__
	if (mlockall(MCL_CURRENT | MCL_FUTURE) < 0)
		vss_log(ctx, VSS_LEVEL_DEBUG, "mlockall: %s", strerror(errno));
#endif
	/* No lockfs: only the writes in flight must be done (and copied out
	 * to K) before the second pass reads K's table. */
	if ((r = vss_dm_suspend(ctx, k->volume, VSS_DM_NO_LOCKFS)) == 0) {
		vss_fault(ctx, "chain:suspended");
		if ((r = chain_merge(ctx, k, older, CHAIN_COPY_AGAIN)) == 0) {
			r = vss_dm_resume_deferred(ctx, obase, VSS_DM_UDEV_PRIVATE, &cookie);
			vss_fault(ctx, "chain:repointed");
		}
		/* The volume is resumed whatever happened; onto the new
		 * table only if OLDER's base went onto -real. */
		if (r)
			(void)vss_dm_clear(ctx, k->volume);
		r2 = vss_dm_resume_deferred(ctx, k->volume, VSS_DM_UDEV_NORMAL, &cookie);
	}
#ifndef __SANITIZE_ADDRESS__
	munlockall();
#endif
	vss_events_hold(ctx, false);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	vss_dm_udev_wait(ctx, &cookie);
	if (r2 == 0)
		window_clear(ctx);
	if (r)
		goto undo;
	return r2;
undo:
	(void)vss_dm_clear(ctx, obase);
	(void)drop_loaded_origin(ctx, k->volume, ob);
	return r;
}

/* K's older neighbour, the shadow whose base is on K's shadow (SHADOW)
 * live, into *OLDER (NULL: none; LINKS keeps it). With CLEAR, a base only
 * loaded on K (a making cut short before its window) is cleared. A shadow
 * older than K whose base is nowhere is not active: refused. */
static int older_of(struct vss_ctx *ctx, const struct set_rec *rec, size_t i,
		    const struct vss_dm_info *shadow, const struct chain_link *links, size_t n,
		    bool clear, const struct shadow_rec **older)
{
	bool has, making = !strcmp(rec->op, "create");
	struct vss_devno on;
	int r = 0;

	*older = NULL;
	for (size_t j = 0; j < n && !r && !*older; j++) {
		const char *b = shadow_extra(&links[j].sh, CHAIN_BASE);

		if (clear && (r = chain_base_target(ctx, b, true, &on, &has)) == 0 && has &&
		    same(on, *shadow))
			r = vss_dm_clear(ctx, b);
		if (!r && (r = chain_base_target(ctx, b, false, &on, &has)) == 0 && has &&
		    same(on, *shadow))
			*older = &links[j].sh;
	}
	/* One older than K whose base is elsewhere is not active (no
	 * activate since a reboot): it would lose what it reads through K. */
	for (size_t j = 0; j < n && !r && !*older && !making; j++) {
		if (!chain_older(&links[j], rec, i))
			continue;
		if ((r = chain_base_target(ctx, shadow_extra(&links[j].sh, CHAIN_BASE), false, &on,
					   &has)) == 0 && !has)
			r = vss_fail(ctx, EBUSY, "set %.8s: the older shadow of %s in set %.8s is not "
				     "active, and reads through this one: run vss activate first",
				     rec->id, links[j].sh.volume, links[j].set);
	}
	return r;
}

/* K's shadow is not there: gone already (a delete cut short after it
 * removed it), or not yet made again (a reboot, no activate since). In
 * the second case the shadows older than K are not there either, and
 * one of them would read through K once activated: K cannot go before.
 * A making cut short has none reading through it yet. */
static int missing(struct vss_ctx *ctx, const struct set_rec *rec, size_t i)
{
	struct chain_link *links;
	struct vss_devno on;
	bool has;
	size_t n;
	int r;

	if (!strcmp(rec->op, "create"))
		return 0;
	if ((r = chain_of(ctx, rec->sh[i].volume, rec->id, &links, &n)))
		return r;
	for (size_t j = 0; j < n && !r; j++)
		if (chain_older(&links[j], rec, i) &&
		    (r = chain_base_target(ctx, shadow_extra(&links[j].sh, CHAIN_BASE), false, &on,
					   &has)) == 0 && !has)
			r = vss_fail(ctx, EBUSY, "set %.8s: its shadow of %s is not active, and the "
				     "older one of set %.8s reads through it: run vss activate first",
				     rec->id, rec->sh[i].volume, links[j].set);
	free(links);
	return r;
}

int chain_detach_check(struct vss_ctx *ctx, const struct set_rec *rec, size_t i)
{
	const struct shadow_rec *k = &rec->sh[i], *older;
	struct vss_dm_info shadow;
	struct chain_link *links;
	size_t n;
	int r;

	if ((r = vss_dm_info(ctx, k->dm_name, &shadow)))
		return r;
	if (!shadow.exists)
		return missing(ctx, rec, i);
	if ((r = chain_of(ctx, k->volume, rec->id, &links, &n)))
		return r;
	if ((r = older_of(ctx, rec, i, &shadow, links, n, false, &older)) == 0 && older)
		r = chain_merge(ctx, k, older, CHAIN_CHECK);
	free(links);
	return r;
}

int chain_detach(struct vss_ctx *ctx, const struct set_rec *rec, size_t i)
{
	const struct shadow_rec *k = &rec->sh[i];
	const char *kbase = shadow_extra(k, CHAIN_BASE);
	struct vss_dm_info shadow, base, next;
	struct chain_link *links;
	const struct shadow_rec *older = NULL;
	struct vss_devno on, real;
	bool has;
	size_t n;
	int r, r2;

	if ((r = vss_dm_info(ctx, k->dm_name, &shadow)) || (r = vss_dm_info(ctx, kbase, &base)))
		return r;
	/* A making cut short may have loaded the volume's table over K's
	 * base: it never went live. */
	if (base.exists && (r = drop_loaded_origin(ctx, k->volume, base)))
		return r;
	if (!shadow.exists)
		return missing(ctx, rec, i);
	if ((r = chain_of(ctx, k->volume, rec->id, &links, &n)))
		return r;
	if ((r = older_of(ctx, rec, i, &shadow, links, n, true, &older)) || !older)
		goto out;
	if ((r = chain_base_target(ctx, kbase, false, &on, &has)))
		goto out;
	if (!has) {
		r = vss_fail(ctx, EBUSY, "%s: has no table, yet the shadow of set %.8s reads through "
			     "it: run vss activate first", kbase, rec->id);
		goto out;
	}
	if ((r = vss_dm_info_devno(ctx, on.major, on.minor, &next)))
		goto out;
	real = on;
	/* Most of the copying happens with the volume in use; OLDER is
	 * writable only meanwhile. */
	if ((r = chain_writable(ctx, older, true)) == 0 &&
	    (r = chain_merge(ctx, k, older, CHAIN_COPY)) == 0) {
		vss_fault(ctx, "chain:merged");
		if (!strncmp(next.uuid, REAL_UUID_PREFIX, strlen(REAL_UUID_PREFIX))) {
			r = newest_handover(ctx, k, older, real);
		} else {
			const char *obase = shadow_extra(older, CHAIN_BASE);
			bool loaded;

			/* K is read by nothing but OLDER, and written by nothing:
			 * OLDER holds all it read through K, and goes onto what K
			 * was on. */
			if ((r = chain_base_point(ctx, obase, on, older->origin_sectors, &loaded)) == 0 &&
			    loaded && (r = chain_resume(ctx, obase, VSS_DM_UDEV_PRIVATE)))
				(void)vss_dm_clear(ctx, obase);
		}
	}
	/* Read-only again whatever happened: nothing else may write there. */
	if ((r2 = chain_writable(ctx, older, false)) && !r)
		r = r2;
out:
	free(links);
	return r;
}
