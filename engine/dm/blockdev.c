/* Block device facts. Nothing here changes anything.
 *
 * What sysfs tells is read through libudev, which needs no udevd for it.
 * holders/ and slaves/ are still listed by hand: they are directories of
 * links, which libudev has no accessor for (its attribute list skips them). */
#include "config.h"
#include "blockdev.h"
#include "strv.h"

#include <blkid.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libudev.h>
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

/* The libudev view of block device DEVNO, or NULL: errno ENOMEM, or
 * ENODEV when the kernel has no such device. */
static struct udev_device *block_dev(struct udev *u, dev_t devno)
{
	struct udev_device *d = u ? udev_device_new_from_devnum(u, 'b', devno) : NULL;

	if (!d)
		errno = u && errno != ENOMEM ? ENODEV : ENOMEM;
	return d;
}

/* Opens DIR (holders, slaves) of D; NULL when D has none. */
static DIR *links_of(struct udev_device *d, const char *dir)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", udev_device_get_syspath(d), dir);
	return opendir(path);
}

int vss_blockdev_holders(dev_t devno, char *buf, size_t len)
{
	struct udev *u = udev_new();
	struct udev_device *d = block_dev(u, devno);
	DIR *dir = d ? links_of(d, "holders") : NULL;
	int r = dir ? 0 : -errno;
	struct dirent *de;
	size_t used = 0;

	buf[0] = '\0';
	while (dir && (de = readdir(dir))) {
		int n;

		if (de->d_name[0] == '.')
			continue;
		n = snprintf(buf + used, len - used, "%s%s", used ? " " : "", de->d_name);
		if (n < 0 || (size_t)n >= len - used) {
			/* The names that fit: it is held all the same. */
			buf[used] = '\0';
			r = -ENAMETOOLONG;
			break;
		}
		used += (size_t)n;
	}
	if (dir)
		closedir(dir);
	udev_device_unref(d);
	udev_unref(u);
	return r;
}

bool vss_blockdev_held_by_other(dev_t devno, const char *dm_name)
{
	struct udev *u = udev_new();
	struct udev_device *d = block_dev(u, devno);
	DIR *dir = d ? links_of(d, "holders") : NULL;
	struct dirent *de;
	bool other = false;

	while (dir && !other && (de = readdir(dir))) {
		struct udev_device *h;
		const char *name;

		if (de->d_name[0] == '.')
			continue;
		/* A holder's entry is its kernel name (dm-3, md0). */
		h = udev_device_new_from_subsystem_sysname(u, "block", de->d_name);
		name = h ? udev_device_get_sysattr_value(h, "dm/name") : NULL;
		/* (One that cannot be read is another, to be safe.) */
		other = !name || strcmp(name, dm_name);
		udev_device_unref(h);
	}
	if (dir)
		closedir(dir);
	udev_device_unref(d);
	udev_unref(u);
	return other;
}

int vss_blockdev_dm_name(dev_t devno, char *buf, size_t len)
{
	struct udev *u = udev_new();
	struct udev_device *d = block_dev(u, devno);
	const char *v = d ? udev_device_get_sysattr_value(d, "dm/name") : NULL;
	int r = d ? 0 : -errno;

	snprintf(buf, len, "%s", v ? v : "");
	udev_device_unref(d);
	udev_unref(u);
	return r;
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

/* The device holding the file loop device D reads, or 0. */
static dev_t loop_backing_dev(struct udev_device *d)
{
	const char *file = udev_device_get_sysattr_value(d, "loop/backing_file");
	struct stat st;

	/* (A filesystem on an anonymous device, btrfs, is not followed.) */
	return file && stat(file, &st) == 0 && major(st.st_dev) ? st.st_dev : 0;
}

static bool stacked(struct udev *u, dev_t top, dev_t lower, int depth)
{
	struct udev_device *d;
	bool found = false;
	struct dirent *de;
	dev_t file_dev;
	DIR *dir;

	if (top == lower)
		return true;
	if (depth > 16 || !(d = block_dev(u, top)))
		return false;
	/* A loop device over a file writes through that file's filesystem:
	 * freezing that one first would hang the flush of this one. */
	if ((file_dev = loop_backing_dev(d)) && stacked(u, file_dev, lower, depth + 1))
		found = true;
	dir = found ? NULL : links_of(d, "slaves");
	while (dir && !found && (de = readdir(dir))) {
		struct udev_device *s;

		if (de->d_name[0] == '.')
			continue;
		/* A slave's name is its kernel name (sda1, dm-3). */
		s = udev_device_new_from_subsystem_sysname(u, "block", de->d_name);
		if (s && udev_device_get_devnum(s))
			found = stacked(u, udev_device_get_devnum(s), lower, depth + 1);
		udev_device_unref(s);
	}
	if (dir)
		closedir(dir);
	udev_device_unref(d);
	return found;
}

bool vss_blockdev_stacked_on(dev_t top, dev_t lower)
{
	struct udev *u = udev_new();
	bool r = top == lower || (u && stacked(u, top, lower, 0));

	udev_unref(u);
	return r;
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
