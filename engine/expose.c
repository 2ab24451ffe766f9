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
#include "set.h"
#include "trust.h"
#include "strv.h"

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

/* Makes DIR, the mount point under one the user named; *MADE when new. */
static int make_dir(struct vss_ctx *ctx, const char *dir, int *made)
{
	*made = 0;
	if (mkdir(dir, 0700) == 0)
		*made = 1;
	else if (errno != EEXIST)
		return vss_fail(ctx, errno, "%s: %s", dir, strerror(errno));
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

static int expose_one(struct vss_ctx *ctx, const struct set_rec *rec, struct shadow_rec *sh,
		      const char *mountpoint, bool whole)
{
	char dev[200], target[4096], fstype[32], **mounts;
	struct vss_set view;
	const char *opts = "ro";
	size_t nm;
	int r, made = 0;

	snprintf(dev, sizeof(dev), "/dev/mapper/%s", sh->dm_name);
	if ((r = set_fill(ctx, rec, &view)))
		return r;
	for (size_t i = 0; i < view.n && !r; i++) {
		if (strcmp(view.shadows[i].volume, sh->volume) || view.shadows[i].state == VSS_SHADOW_VALID)
			continue;
		r = vss_fail(ctx, EINVAL, "%s: cannot expose: %s", dev, view.shadows[i].why);
	}
	free(view.shadows);
	if (r)
		return r;
	{
		struct vss_dm_info info;

		if ((r = vss_dm_info(ctx, sh->dm_name, &info)))
			return r;
		if (vss_blockdev_mounts(makedev(info.major, info.minor), &mounts, &nm))
			return vss_fail(ctx, ENOMEM, "out of memory");
		if (nm)
			r = vss_fail(ctx, EBUSY, "%s: already exposed on %s", dev, mounts[0]);
		vss_strv_free(mounts, nm);
		if (r)
			return r;
	}
	if ((r = mount_options(ctx, dev, fstype, sizeof(fstype), &opts)))
		return r;
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
	} else if (whole && (r = make_dir(ctx, target, &made))) {
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
		return r;
	}
	snprintf(sh->exposed, sizeof(sh->exposed), "%s", target);
	sh->exposed_made_dir = made;
	vss_step(ctx, "%s on %s", dev, target);
	return 0;
}

int vss_set_expose(struct vss_ctx *ctx, const char *spec, const char *mountpoint)
{
	struct set_rec rec = { 0 };
	bool chosen[64], whole = !strchr(spec, '/');
	int r;

	vss_op_begin(ctx, "expose");
	if ((r = vss_lock_and_recover(ctx)))
		goto out;
	if ((r = select_shadows(ctx, spec, &rec, chosen)))
		goto unlock;
	if (mountpoint && mountpoint[0] != '/') {
		r = vss_fail_kind(ctx, VSS_ERR_USAGE, EINVAL, "%s: the mountpoint must be an absolute path",
				  mountpoint);
		goto free;
	}
	for (const char *c = mountpoint; c && *c; c++) {
		/* /proc/self/mountinfo could not show it back to us whole. */
		if ((unsigned char)*c < 0x20 || *c == 0x7f) {
			r = vss_fail_kind(ctx, VSS_ERR_USAGE, EINVAL,
					  "the mountpoint may not hold control characters");
			goto free;
		}
	}
	for (size_t i = 0; i < rec.n && !r; i++)
		if (chosen[i])
			r = expose_one(ctx, &rec, &rec.sh[i], mountpoint, whole);
	if (r) {
		/* All or nothing: what this call mounted comes down again. */
		char msg[sizeof(ctx->errmsg)];

		snprintf(msg, sizeof(msg), "%s", ctx->errmsg);
		for (size_t i = 0; i < rec.n; i++)
			if (chosen[i] && rec.sh[i].exposed[0])
				shadow_unexpose(ctx, &rec.sh[i]);
		snprintf(ctx->errmsg, sizeof(ctx->errmsg), "%s", msg);
		goto free;
	}
	r = set_rec_save(ctx, "sets", &rec);
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
