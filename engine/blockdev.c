/* Block device facts. Nothing here changes anything. */
#include "config.h"
#include "blockdev.h"
#include "strv.h"

#include <blkid.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libmount.h>
#include <linux/fs.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

int vss_blockdev_devno(struct vss_ctx *ctx, const char *path, dev_t *devno)
{
	struct stat st;

	if (stat(path, &st) < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return vss_fail(ctx, ENODEV, "%s: no such block device", path);
		return vss_fail(ctx, errno, "%s: %s", path, strerror(errno));
	}
	if (!S_ISBLK(st.st_mode))
		return vss_fail(ctx, ENOTBLK, "%s: not a block device", path);
	*devno = st.st_rdev;
	return 0;
}

int vss_blockdev_size(struct vss_ctx *ctx, const char *path, uint64_t *bytes)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	int err = 0;

	if (fd < 0)
		return vss_fail(ctx, errno, "%s: %s", path, strerror(errno));
	if (ioctl(fd, BLKGETSIZE64, bytes) < 0)
		err = errno;
	close(fd);
	return err ? vss_fail(ctx, err, "%s: cannot read its size: %s", path, strerror(err)) : 0;
}

void vss_blockdev_mountpoint(dev_t devno, char *buf, size_t len)
{
	struct libmnt_table *tb = mnt_new_table_from_file("/proc/self/mountinfo");
	struct libmnt_fs *fs;

	buf[0] = '\0';
	if (!tb)
		return;
	fs = mnt_table_find_devno(tb, devno, MNT_ITER_FORWARD);
	if (fs && mnt_fs_get_target(fs))
		snprintf(buf, len, "%s", mnt_fs_get_target(fs));
	mnt_unref_table(tb);
}

void vss_blockdev_probe(const char *path, char *type, size_t tlen, char *uuid, size_t ulen)
{
	blkid_probe pr = blkid_new_probe_from_filename(path);
	const char *v;

	type[0] = uuid[0] = '\0';
	if (!pr)
		return;
	blkid_probe_enable_superblocks(pr, 1);
	blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE | BLKID_SUBLKS_UUID);
	if (blkid_do_safeprobe(pr) == 0) {
		if (blkid_probe_lookup_value(pr, "TYPE", &v, NULL) == 0)
			snprintf(type, tlen, "%s", v);
		if (blkid_probe_lookup_value(pr, "UUID", &v, NULL) == 0)
			snprintf(uuid, ulen, "%s", v);
	}
	blkid_free_probe(pr);
}

void vss_blockdev_ptable(const char *path, char *type, size_t tlen)
{
	blkid_probe pr = blkid_new_probe_from_filename(path);
	const char *v;

	type[0] = '\0';
	if (!pr)
		return;
	blkid_probe_enable_superblocks(pr, 0);
	blkid_probe_enable_partitions(pr, 1);
	if (blkid_do_safeprobe(pr) == 0 && blkid_probe_lookup_value(pr, "PTTYPE", &v, NULL) == 0)
		snprintf(type, tlen, "%s", v);
	blkid_free_probe(pr);
}

void vss_blockdev_holders(dev_t devno, char *buf, size_t len)
{
	char path[128];
	struct dirent *de;
	size_t used = 0;
	DIR *d;

	buf[0] = '\0';
	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/holders", major(devno), minor(devno));
	d = opendir(path);
	if (!d)
		return;
	while ((de = readdir(d))) {
		int n;

		if (de->d_name[0] == '.')
			continue;
		n = snprintf(buf + used, len - used, "%s%s", used ? " " : "", de->d_name);
		if (n < 0 || (size_t)n >= len - used)
			break;
		used += (size_t)n;
	}
	closedir(d);
}

void vss_blockdev_dm_name(dev_t devno, char *buf, size_t len)
{
	char path[128];
	FILE *f;

	buf[0] = '\0';
	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/dm/name", major(devno), minor(devno));
	f = fopen(path, "re");
	if (!f)
		return;
	if (fgets(buf, (int)len, f))
		buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

int vss_blockdev_claimable(const char *path)
{
	/* O_EXCL on a block device fails with EBUSY exactly when the kernel
	 * has it claimed: mounted, swap, under dm/md/loop, or opened O_EXCL. */
	int fd = open(path, O_RDONLY | O_EXCL | O_CLOEXEC | O_NONBLOCK);

	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

/* The device holding the file a loop device reads, or 0. */
static dev_t loop_backing_dev(dev_t loop)
{
	char path[128], file[4200];
	struct stat st;
	FILE *f;
	bool ok;

	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/loop/backing_file", major(loop),
		 minor(loop));
	if (!(f = fopen(path, "re")))
		return 0;
	ok = fgets(file, sizeof(file), f) != NULL;
	fclose(f);
	if (!ok)
		return 0;
	file[strcspn(file, "\n")] = '\0';
	/* (A filesystem on an anonymous device, btrfs, is not followed.) */
	return stat(file, &st) == 0 && major(st.st_dev) ? st.st_dev : 0;
}

static bool stacked(dev_t top, dev_t lower, int depth)
{
	char path[128];
	struct dirent *de;
	bool found = false;
	dev_t file_dev;
	DIR *d;

	if (top == lower)
		return true;
	if (depth > 16)
		return false;
	/* A loop device over a file writes through that file's filesystem:
	 * freezing that one first would hang the flush of this one. */
	if ((file_dev = loop_backing_dev(top)) && stacked(file_dev, lower, depth + 1))
		return true;
	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/slaves", major(top), minor(top));
	d = opendir(path);
	if (!d)
		return false;
	while (!found && (de = readdir(d))) {
		char dev[512], num[32];
		unsigned ma, mi;
		FILE *f;

		if (de->d_name[0] == '.')
			continue;
		snprintf(dev, sizeof(dev), "%s/%s/dev", path, de->d_name);
		f = fopen(dev, "re");
		if (!f)
			continue;
		if (fgets(num, sizeof(num), f) && sscanf(num, "%u:%u", &ma, &mi) == 2)
			found = stacked(makedev(ma, mi), lower, depth + 1);
		fclose(f);
	}
	closedir(d);
	return found;
}

bool vss_blockdev_stacked_on(dev_t top, dev_t lower)
{
	return stacked(top, lower, 0);
}

int vss_blockdev_of_path(struct vss_ctx *ctx, const char *path, dev_t *devno)
{
	struct libmnt_table *tb;
	struct libmnt_fs *fs;
	struct stat st;
	int r = 0;

	if (stat(path, &st) < 0)
		return vss_fail(ctx, errno, "%s: %s", path, strerror(errno));
	if (major(st.st_dev) != 0) {
		*devno = st.st_dev;
		return 0;
	}
	/* btrfs and others report an anonymous device: ask the mount table
	 * which device is mounted there. */
	tb = mnt_new_table_from_file("/proc/self/mountinfo");
	if (!tb)
		return vss_fail(ctx, ENOMEM, "cannot read the mount table");
	fs = mnt_table_find_mountpoint(tb, path, MNT_ITER_BACKWARD);
	if (fs && mnt_fs_get_srcpath(fs) && stat(mnt_fs_get_srcpath(fs), &st) == 0 &&
	    S_ISBLK(st.st_mode))
		*devno = st.st_rdev;
	else
		*devno = 0;
	mnt_unref_table(tb);
	return r;
}

int vss_blockdev_mounts(dev_t devno, char ***targets, size_t *n)
{
	struct libmnt_table *tb = mnt_new_table_from_file("/proc/self/mountinfo");
	struct libmnt_iter *it = mnt_new_iter(MNT_ITER_FORWARD);
	struct libmnt_fs *fs;
	int r = 0;

	*targets = NULL;
	*n = 0;
	if (!tb || !it) {
		r = -ENOMEM;
		goto out;
	}
	while (mnt_table_next_fs(tb, it, &fs) == 0) {
		if (mnt_fs_get_devno(fs) == devno && mnt_fs_get_target(fs) &&
		    (r = vss_strv_push(targets, n, mnt_fs_get_target(fs))))
			break;
	}
out:
	mnt_free_iter(it);
	mnt_unref_table(tb);
	return r;
}
