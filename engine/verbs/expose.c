/*
 * Exposing shadows: a read-only mount of each shadow device. A shadow
 * carries its origin's filesystem UUID, which some filesystems refuse to see
 * twice: XFS mounts it with nouuid; ext2/3/4 do not mind, and noload keeps
 * them from touching a journal on a read-only device; btrfs on this kernel
 * would take the shadow for a device of the mounted origin, so it is refused.
 */
#include "config.h"
#include "blockdev.h"
#include "dm.h"
#include "recover.h"
#include "provider.h"
#include "set.h"
#include "setrec.h"
#include "strv.h"
#include "trust.h"

#include <errno.h>
#include <libmount.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static int mount_options(struct vss_ctx *ctx, const char *dev, char *fstype, size_t flen,
			 const char **opts)
{
	char uuid[64];

	vss_blockdev_probe(dev, fstype, flen, uuid, sizeof(uuid));
	if (!fstype[0])
		return vss_fail(ctx, EINVAL, "%s: holds no filesystem vss can mount; read the device itself",
				dev);
	if (!strcmp(fstype, "xfs"))
		*opts = "ro,nouuid,norecovery";
	else if (!strcmp(fstype, "ext2") || !strcmp(fstype, "ext3") || !strcmp(fstype, "ext4"))
		*opts = "ro,noload";
	else if (!strcmp(fstype, "btrfs"))
		return vss_fail(ctx, EOPNOTSUPP,
				"%s: btrfs cannot mount a second device with its origin's filesystem id; "
				"read the device itself", dev);
	else if (!strcmp(fstype, "swap") || !strcmp(fstype, "LVM2_member") ||
		 !strcmp(fstype, "crypto_LUKS"))
		return vss_fail(ctx, EINVAL, "%s: holds %s, not a filesystem to mount", dev, fstype);
	else
		*opts = "ro";
	return 0;
}

static int do_mount(struct vss_ctx *ctx, const char *dev, const char *target, const char *fstype,
		    const char *opts)
{
	struct libmnt_context *cxt = mnt_new_context();
	int rc, err;

	if (!cxt)
		return vss_fail(ctx, ENOMEM, "out of memory");
	mnt_context_set_source(cxt, dev);
	mnt_context_set_target(cxt, target);
	mnt_context_set_fstype(cxt, fstype);
	mnt_context_set_options(cxt, opts);
	rc = mnt_context_mount(cxt);
	err = mnt_context_get_syscall_errno(cxt);
	mnt_free_context(cxt);
	if (rc != 0)
		return vss_fail(ctx, err ? err : EIO, "%s: cannot mount on %s (%s, %s): %s", dev, target,
				fstype, opts, strerror(err ? err : EIO));
	return 0;
}

/* Makes RUN_DIR/SET8/VOLUME, the default mount point, as trust.c checks
 * directories; *MADE when VOLUME's directory is new. The path TARGET is
 * checked to lead to that very directory: mount(2) takes a path, and a
 * link planted on the way would mount the shadow elsewhere. */
static int make_run_dir(struct vss_ctx *ctx, const char *set8, const char *vol,
			const char *target, int *made)
{
	char setpath[4200];
	struct stat want, got;
	int sfd = -1, vfd = -1, r;

	*made = 0;
	snprintf(setpath, sizeof(setpath), "%s/%s", ctx->run_dir, set8);
	if ((r = vss_run_fd(ctx)) < 0 ||
	    (r = trust_subdir(ctx, ctx->run_fd, ctx->run_dir, set8, 0700, &sfd)))
		return r;
	if (mkdirat(sfd, vol, 0700) == 0)
		*made = 1;
	else if (errno != EEXIST)
		r = vss_fail(ctx, errno, "%s: %s", target, strerror(errno));
	if (!r)
		r = trust_subdir(ctx, sfd, setpath, vol, 0, &vfd);
	if (!r && (fstat(vfd, &want) < 0 || stat(target, &got) < 0 || want.st_dev != got.st_dev ||
		   want.st_ino != got.st_ino))
		r = vss_fail_kind(ctx, VSS_ERR_USAGE, EPERM, "%s: does not lead to the directory vss "
				  "made (a link on the way?): not mounted", target);
	if (r && *made)
		unlinkat(sfd, vol, AT_REMOVEDIR);
	if (vfd >= 0)
		close(vfd);
	close(sfd);
	return r;
}

/* Makes DIR, a mount point the user named or one under it, as mkdir(1)
 * would (0755 less the umask) if it is missing; *MADE when new, so that
 * only a directory vss made is ever removed again. Its parent must exist:
 * vss makes no more than the one directory it mounts on (or, for a whole
 * set, MOUNTPOINT and MOUNTPOINT/VOLUME). */
static int make_dir(struct vss_ctx *ctx, const char *dir, int *made)
{
	*made = 0;
	if (mkdir(dir, 0755) == 0)
		*made = 1;
	else if (errno != EEXIST)
		return vss_fail(ctx, errno, "%s: cannot make the mountpoint: %s", dir, strerror(errno));
	return 0;
}

/* SPEC is SET or SET/VOLUME: the set's record and which shadows. */
static int select_shadows(struct vss_ctx *ctx, const char *spec, struct set_rec *rec,
			  bool *chosen)
{
	char set[300], *vol;
	struct set_rec *recs;
	size_t n, idx;
	int r;

	snprintf(set, sizeof(set), "%s", spec);
	if ((vol = strchr(set, '/')))
		*vol++ = '\0';
	if ((r = set_rec_list(ctx, "sets", &recs, &n)))
		return r;
	if ((r = set_match(ctx, set, recs, n, &idx))) {
		set_recs_free(recs, n);
		return r;
	}
	*rec = recs[idx];
	recs[idx].sh = NULL;
	recs[idx].n = 0;
	set_recs_free(recs, n);
	if (rec->n > 64) {
		set_rec_free(rec);
		return vss_fail(ctx, E2BIG, "%.8s: too many shadows", rec->id);
	}
	for (size_t i = 0; i < rec->n; i++)
		chosen[i] = !vol || !strcmp(rec->sh[i].volume, vol);
	for (size_t i = 0; vol && i < rec->n; i++)
		if (chosen[i])
			return 0;
	if (vol) {
		r = vss_fail(ctx, ENOENT, "%s: set %.8s has no shadow of %s", spec, rec->id, vol);
		set_rec_free(rec);
	}
	return r;
}

/* How SH would be mounted (FSTYPE, *OPTS), or why it cannot be: invalid,
 * mounted already (anywhere), or no filesystem to mount. Looks, changes
 * nothing: every shadow of a command is checked before any is mounted. */
static int expose_check(struct vss_ctx *ctx, const struct set_rec *rec, const struct shadow_rec *sh,
			char *fstype, size_t flen, const char **opts)
{
	char dev[200], **mounts;
	struct vss_set view;
	size_t nm;
	int r;

	snprintf(dev, sizeof(dev), "/dev/mapper/%s", sh->dm_name);
	if ((r = set_fill(ctx, rec, &view)))
		return r;
	for (size_t i = 0; i < view.n && !r; i++) {
		if (strcmp(view.shadows[i].volume, sh->volume) || view.shadows[i].state == VSS_SHADOW_VALID)
			continue;
		r = vss_fail(ctx, EINVAL, "%s: cannot expose: %s", dev, view.shadows[i].why);
	}
	free(view.shadows);
	if (r || (r = set_shadow_mounts(ctx, sh, &mounts, &nm)))
		return r;
	if (nm)
		r = vss_fail(ctx, EBUSY, "%s: already exposed on %s", dev, mounts[0]);
	vss_strv_free(mounts, nm);
	return r ? r : mount_options(ctx, dev, fstype, flen, opts);
}

/* Mounts SH, checked by expose_check, on its mount point: MOUNTPOINT (a
 * single shadow), MOUNTPOINT/VOLUME (a whole set; TOP_MADE when this call
 * made MOUNTPOINT), or RUN_DIR/SET8/VOLUME. Records where, and whether vss
 * made the directories, in SH. */
static int expose_one(struct vss_ctx *ctx, const struct set_rec *rec, struct shadow_rec *sh,
		      const char *mountpoint, bool whole, bool top_made, const char *fstype,
		      const char *opts)
{
	char dev[200], target[4096], name[130], uuid[130];
	int r, made = 0;

	/* (A chained shadow's view: the shadow itself is claimed.) */
	if ((r = provider_expose_dev(ctx, sh, true, name, uuid)))
		return r;
	snprintf(dev, sizeof(dev), "/dev/mapper/%s", name);
	if (!mountpoint)
		snprintf(target, sizeof(target), "%.3800s/%.8s/%.100s", ctx->run_dir, rec->id, sh->volume);
	else if (whole)
		snprintf(target, sizeof(target), "%.3900s/%.100s", mountpoint, sh->volume);
	else
		snprintf(target, sizeof(target), "%s", mountpoint);
	if (!mountpoint) {
		char set8[9];

		snprintf(set8, sizeof(set8), "%.8s", rec->id);
		if ((r = make_run_dir(ctx, set8, sh->volume, target, &made)))
			return r;
	} else if ((r = make_dir(ctx, target, &made))) {
		return r;
	}
	/* Recorded as the kernel will show it (no link, '.' or '..' on the
	 * way), so that unexpose finds it among the mounts. */
	{
		char real[PATH_MAX];

		if (realpath(target, real) && strlen(real) < sizeof(target))
			snprintf(target, sizeof(target), "%s", real);
	}
	if ((r = do_mount(ctx, dev, target, fstype, opts))) {
		if (made)
			rmdir(target);
		if (provider_of(sh)->unexposed)
			(void)provider_of(sh)->unexposed(ctx, sh);
		return r;
	}
	snprintf(sh->exposed, sizeof(sh->exposed), "%s", target);
	/* 2: MOUNTPOINT too, which unexpose removes with its last volume. */
	sh->exposed_made_dir = made ? (whole && top_made ? 2 : 1) : 0;
	vss_step(ctx, "%s on %s", dev, target);
	return 0;
}

/* The mountpoint as given: absolute, and shown whole by mountinfo. */
static int mountpoint_check(struct vss_ctx *ctx, const char *mountpoint)
{
	if (!mountpoint)
		return 0;
	if (mountpoint[0] != '/')
		return vss_fail_kind(ctx, VSS_ERR_USAGE, EINVAL,
				     "%s: the mountpoint must be an absolute path", mountpoint);
	for (const char *c = mountpoint; *c; c++)
		/* /proc/self/mountinfo could not show it back to us whole. */
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			return vss_fail_kind(ctx, VSS_ERR_USAGE, EINVAL,
					     "the mountpoint may not hold control characters");
	return 0;
}

/* All or nothing: what this call mounted (MOUNTED) comes down again, and
 * MOUNTPOINT goes if this call made it (TOP_MADE); the failure's message
 * stays the command's. Shadows exposed before the call are not touched. */
static void expose_undo(struct vss_ctx *ctx, struct set_rec *rec, const bool *mounted,
			const char *mountpoint, bool top_made)
{
	char msg[sizeof(ctx->errmsg)];
	enum vss_error_kind kind = ctx->errkind;

	snprintf(msg, sizeof(msg), "%s", ctx->errmsg);
	for (size_t i = 0; i < rec->n; i++)
		if (mounted[i])
			shadow_unexpose(ctx, &rec->sh[i]);
	if (top_made)
		rmdir(mountpoint);
	snprintf(ctx->errmsg, sizeof(ctx->errmsg), "%s", msg);
	ctx->errkind = kind;
}

int vss_set_expose(struct vss_ctx *ctx, const char *spec, const char *mountpoint)
{
	struct set_rec rec = { 0 };
	bool chosen[64], mounted[64] = { false }, whole = !strchr(spec, '/');
	char fstype[64][32];
	const char *opts[64];
	int r, top_made = 0;

	vss_op_begin(ctx, "expose");
	if ((r = vss_lock_and_recover(ctx)))
		goto out;
	if ((r = select_shadows(ctx, spec, &rec, chosen)))
		goto unlock;
	if ((r = mountpoint_check(ctx, mountpoint)))
		goto free;
	/* Every shadow checked first: a refusal mounts and makes nothing. */
	for (size_t i = 0; i < rec.n && !r; i++)
		if (chosen[i])
			r = expose_check(ctx, &rec, &rec.sh[i], fstype[i], sizeof(fstype[i]), &opts[i]);
	if (!r && mountpoint && whole)
		r = make_dir(ctx, mountpoint, &top_made);
	for (size_t i = 0; i < rec.n && !r; i++)
		if (chosen[i] && (r = expose_one(ctx, &rec, &rec.sh[i], mountpoint, whole, top_made,
						 fstype[i], opts[i])) == 0)
			mounted[i] = true;
	if (!r)
		r = set_rec_save(ctx, "sets", &rec);
	if (r)
		expose_undo(ctx, &rec, mounted, mountpoint, top_made);
free:
	set_rec_free(&rec);
unlock:
	vss_unlock(ctx);
out:
	vss_op_end(ctx, r);
	return r;
}

int vss_set_unexpose(struct vss_ctx *ctx, const char *spec)
{
	struct set_rec rec = { 0 };
	size_t exposed = 0;
	bool chosen[64];
	int r, r2;

	vss_op_begin(ctx, "unexpose");
	if ((r = vss_lock_and_recover(ctx)))
		goto out;
	if ((r = select_shadows(ctx, spec, &rec, chosen)))
		goto unlock;
	for (size_t i = 0; i < rec.n && !r; i++) {
		char **mounts;
		size_t nm = 0;

		if (!chosen[i])
			continue;
		if ((r = set_shadow_mounts(ctx, &rec.sh[i], &mounts, &nm)))
			break;
		vss_strv_free(mounts, nm);
		exposed += nm;
		r = shadow_unexpose(ctx, &rec.sh[i]);
	}
	if (!r && !exposed)
		r = vss_fail(ctx, EINVAL, "%s: not exposed", spec);
	if ((r2 = set_rec_save(ctx, "sets", &rec)) && !r)
		r = r2;
	set_rec_free(&rec);
unlock:
	vss_unlock(ctx);
out:
	vss_op_end(ctx, r);
	return r;
}
