/*
 * Recovery: after a SIGKILL or a power cut, make the state
 * and the kernel agree again. In order: resume whatever a killed create left
 * suspended (from the marker under RUN_DIR, before the state directory is
 * read, as it may live on a frozen filesystem); tell writers it left frozen
 * to thaw (their own marker there); finish or undo every
 * operation its journal says was under way; delete auto-release sets whose
 * process is gone; remove devices and files of vss's that no record names.
 * Every mutating command runs this first, under the lock.
 */
#include "config.h"
#include "dm.h"
#include "origin.h"
#include "owner.h"
#include "provider.h"
#include "recover.h"
#include "set.h"
#include "setrec.h"
#include "state.h"
#include "strv.h"
#include "trust.h"
#include "window.h"
#include "writer.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A volume left suspended with a table loaded: whether that table must
 * go live, as a provider tells from the kernel's tables alone (the state
 * directory may be on the volume, which is suspended). */
static bool keep_loaded(struct vss_ctx *ctx, const char *volume)
{
	for (const char *const *name = vss_providers(); *name; name++) {
		const struct provider *p = provider_by_name(*name);

		if (p->keeps_loaded && p->keeps_loaded(ctx, volume))
			return true;
	}
	return false;
}

static int journals(struct vss_ctx *ctx, int *fixed)
{
	struct set_rec *recs;
	size_t n;
	int r;

	if ((r = set_rec_list_strict(ctx, "journal", &recs, &n)))
		return r;
	for (size_t i = 0; i < n && !r; i++) {
		struct set_rec *j = &recs[i], committed;
		bool create = !strcmp(j->op, "create");

		if (create && set_rec_load(ctx, "sets", j->id, &committed) == 0) {
			/* Cut short between its commit and the journal's removal. */
			set_rec_free(&committed);
			r = set_rec_unlink(ctx, "journal", j->id);
			continue;
		}
		/* (window_recover resumed what was ours: any other member
		 * found suspended is someone else's doing.) */
		if ((r = set_teardown(ctx, j, true, false))) {
			/* A shadow still open (a backup reading it), or a volume
			 * another program has suspended, holds up only this set,
			 * not every other command. */
			if (r == -EBUSY) {
				vss_log(ctx, VSS_LEVEL_WARNING, "set %.8s: its %s cannot finish yet: %s",
					j->id, create ? "undoing" : "delete", vss_errmsg(ctx));
				r = 0;
				continue;
			}
			break;
		}
		if (!create && (r = set_rec_unlink(ctx, "sets", j->id)))
			break;
		if ((r = set_rec_unlink(ctx, "journal", j->id)))
			break;
		vss_step(ctx, "set %s: %s", j->id,
			 create ? "an interrupted create-set was undone" :
				  "an interrupted delete-set was finished");
		(*fixed)++;
	}
	set_recs_free(recs, n);
	return r;
}

static int orphaned_auto_release(struct vss_ctx *ctx, int *fixed)
{
	struct set_rec *recs;
	size_t n;
	int r;

	if ((r = set_rec_list(ctx, "sets", &recs, &n)))
		return r;
	for (size_t i = 0; i < n && !r; i++) {
		if (recs[i].context != VSS_CONTEXT_AUTO_RELEASE ||
		    set_owner_alive(recs[i].owner_pid, recs[i].owner_start, recs[i].owner_boot))
			continue;
		if ((r = set_delete_locked(ctx, &recs[i], true))) {
			/* A backup still reading it: the next command tries again.
			 * One whose shadow no provider here can act on (a newer
			 * vss's) waits for that vss: it must not stop this one. */
			if (r == -EBUSY || r == -EPROTONOSUPPORT) {
				vss_log(ctx, VSS_LEVEL_WARNING, "set %.8s (auto-release, its process "
					"%ld gone) cannot go yet: %s", recs[i].id, recs[i].owner_pid,
					vss_errmsg(ctx));
				r = 0;
				continue;
			}
			break;
		}
		vss_step(ctx, "set %s: deleted (auto-release, and its process %ld is gone)", recs[i].id,
			 recs[i].owner_pid);
		(*fixed)++;
	}
	set_recs_free(recs, n);
	return r;
}

/* Whether a record names UUID: a shadow's or its COW's, or one its
 * provider keeps among its own fields (a chain's base). */
static bool named(const struct set_rec *recs, size_t n, const char *uuid)
{
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < recs[i].n; j++) {
			const struct shadow_rec *sh = &recs[i].sh[j];

			if (!strcmp(sh->dm_uuid, uuid) || !strcmp(sh->cow_uuid, uuid))
				return true;
			for (unsigned e = 0; e < sh->nextra; e++)
				if (!strcmp(sh->extra[e].value, uuid))
					return true;
		}
	return false;
}

static bool volume_named(const struct set_rec *recs, size_t n, const char *volume)
{
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < recs[i].n; j++)
			if (!strcmp(recs[i].sh[j].volume, volume))
				return true;
	return false;
}

/* Devices of vss's that no set names: shadows first (they hold the rest),
 * then bases, then -real layers (giving their volume its table back), then
 * COWs. */
static int orphans(struct vss_ctx *ctx, int *fixed)
{
	static const char *const kinds[] = { SNAP_UUID_PREFIX, BASE_UUID_PREFIX, REAL_UUID_PREFIX,
					     COW_UUID_PREFIX };
	struct set_rec *recs;
	char **names;
	size_t n, nn;
	int r;

	if ((r = set_rec_list_strict(ctx, "sets", &recs, &n)))
		return r;
	if ((r = vss_dm_list(ctx, &names, &nn))) {
		set_recs_free(recs, n);
		return r;
	}
	for (size_t k = 0; k < 4 && !r; k++) {
		for (size_t i = 0; i < nn && !r; i++) {
			struct vss_dm_info info;
			size_t plen = strlen(kinds[k]);

			if (strncmp(names[i], "vss-", 4) || vss_dm_info(ctx, names[i], &info) ||
			    !info.exists || strncmp(info.uuid, kinds[k], plen))
				continue;
			if (k == 2) {
				/* vss-VOLUME-real */
				char volume[128];
				size_t len = strlen(names[i]);

				if (len < 9 || strcmp(names[i] + len - 5, "-real"))
					continue;
				snprintf(volume, sizeof(volume), "%.*s", (int)(len - 9), names[i] + 4);
				if (volume_named(recs, n, volume))
					continue;
				/* Someone else's suspend or table load: wait for
				 * them, and let other commands through meanwhile. */
				if ((r = origin_restore(ctx, volume)) == -EBUSY) {
					vss_log(ctx, VSS_LEVEL_WARNING, "%s (tried again by the "
						"next command)", vss_errmsg(ctx));
					r = 0;
				}
			} else {
				if (named(recs, n, info.uuid))
					continue;
				if (info.open_count > 0) {
					vss_log(ctx, VSS_LEVEL_WARNING,
						"/dev/mapper/%s: no set names it, but it is in use; left alone",
						names[i]);
					continue;
				}
				if (info.suspended)
					(void)vss_dm_resume(ctx, names[i]);
				r = vss_dm_remove(ctx, names[i]);
			}
			if (!r) {
				vss_step(ctx, "/dev/mapper/%s: removed (no set names it)", names[i]);
				(*fixed)++;
			}
		}
	}
	vss_strv_free(names, nn);
	set_recs_free(recs, n);
	return r;
}

/* Origin records whose volume no set has a shadow of any more. */
static int stale_origins(struct vss_ctx *ctx, int *fixed)
{
	char **vols;
	size_t nv;
	int r;

	if ((r = vss_state_list(ctx, "origins", ".conf", &vols, &nv)))
		return r;
	for (size_t i = 0; i < nv && !r; i++) {
		if ((r = set_volume_in_use(ctx, vols[i], NULL)) != 0) {
			r = r > 0 ? 0 : r;
			continue;
		}
		if ((r = origin_restore(ctx, vols[i])) == 0) {
			vss_step(ctx, "%s: its own table is back (no set has a shadow of it)", vols[i]);
			(*fixed)++;
		} else if (r == -EBUSY || r == -EEXIST) {
			/* Held by someone else: not a reason to stop every command. */
			vss_log(ctx, VSS_LEVEL_WARNING, "%s (tried again by the next command)",
				vss_errmsg(ctx));
			r = 0;
		}
	}
	vss_strv_free(vols, nv);
	return r;
}

/* COW files in the default directory area that no set names. */
static int stray_files(struct vss_ctx *ctx, int *fixed)
{
	struct set_rec *recs;
	char dir[4200];
	struct dirent *de;
	size_t n;
	DIR *d;
	int r, top, fd;

	snprintf(dir, sizeof(dir), "%s/storage", ctx->state_dir);
	if ((top = vss_state_fd(ctx)) < 0)
		return top;
	if ((r = trust_subdir(ctx, top, ctx->state_dir, "storage", 0, &fd)))
		return r == -ENOENT ? 0 : r;
	if (!(d = fdopendir(fd))) {
		close(fd);
		return 0;
	}
	if ((r = set_rec_list_strict(ctx, "sets", &recs, &n))) {
		closedir(d);
		return r;
	}
	while ((de = readdir(d))) {
		char path[4600], id[37];
		size_t len = strlen(de->d_name);
		bool used = false;
		struct stat st;

		/* SET-VOLUME.cow: a file of a set some record still names by
		 * its id stays, whatever path that record gives (a record is
		 * not trusted to name its own file right). */
		if (len < 42 || strcmp(de->d_name + len - 4, ".cow") || de->d_name[36] != '-')
			continue;
		snprintf(id, sizeof(id), "%.36s", de->d_name);
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		for (size_t i = 0; i < n && !used; i++) {
			used = !strcmp(recs[i].id, id);
			for (size_t j = 0; j < recs[i].n && !used; j++)
				used = !strcmp(recs[i].sh[j].cow_file, path);
		}
		used |= set_rec_exists(ctx, "journal", id);
		/* Only a file vss could have made: a regular one of root's. */
		if (used || fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(st.st_mode) || !trust_owner(st.st_uid) ||
		    unlinkat(dirfd(d), de->d_name, 0) < 0)
			continue;
		vss_step(ctx, "%s: removed (no set names it)", path);
		(*fixed)++;
	}
	closedir(d);
	set_recs_free(recs, n);
	return 0;
}

int vss_lock_and_recover(struct vss_ctx *ctx)
{
	int r;

	if ((r = vss_lock(ctx)) == 0 && (r = vss_recover(ctx)))
		vss_unlock(ctx);
	return r;
}

int vss_recover(struct vss_ctx *ctx)
{
	int r, fixed = 0;
	const char *op = ctx->op;

	if ((r = vss_lock(ctx)))
		return r;
	if (!op)
		vss_op_begin(ctx, "recover");
	if ((r = window_recover(ctx, &fixed, keep_loaded)) == 0 && (r = writer_recover(ctx, &fixed)) == 0 &&
	    (r = journals(ctx, &fixed)) == 0 &&
	    (r = orphaned_auto_release(ctx, &fixed)) == 0 && (r = revert_recover(ctx, &fixed)) == 0 &&
	    (r = orphans(ctx, &fixed)) == 0 &&
	    (r = stale_origins(ctx, &fixed)) == 0)
		r = stray_files(ctx, &fixed);
	if (r) {
		char msg[sizeof(ctx->errmsg)];

		snprintf(msg, sizeof(msg), "%s", ctx->errmsg);
		snprintf(ctx->errmsg, sizeof(ctx->errmsg), "recovering from an interrupted vss: %.900s",
			 msg);
	}
	if (!op)
		vss_op_end(ctx, r);
	vss_unlock(ctx);
	return r;
}

/* Every revert a kill or a reboot left (or a scheduled one whose volume is
 * free now) is taken up by its shadow's provider, where its record says
 * it is. */
int revert_recover(struct vss_ctx *ctx, int *fixed)
{
	struct set_rec *recs;
	size_t n;
	int r;

	if ((r = set_rec_list_strict(ctx, "sets", &recs, &n)))
		return r;
	for (size_t i = 0; i < n && !r; i++) {
		size_t j = 0;

		while (j < recs[i].n && !r) {
			bool finished = false;

			/* A revert that cannot go on (someone else's suspend or
			 * hold, a failed merge) holds up only itself, not every
			 * command: each one tries again, and says why. */
			if (recs[i].sh[j].merge != MERGE_NONE &&
			    provider_of(&recs[i].sh[j])->revert_recover(ctx, &recs[i], j, &finished,
									fixed) < 0)
				vss_log(ctx, VSS_LEVEL_WARNING, "set %.8s, revert of %s: %s (tried "
					"again by the next command)", recs[i].id, recs[i].sh[j].volume,
					vss_errmsg(ctx));
			/* A finished shadow left the set: the next one moved into its place. */
			if (!finished)
				j++;
		}
	}
	set_recs_free(recs, n);
	return r;
}
