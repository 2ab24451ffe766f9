/* Which block devices are free: what a newcomer could give to volume import
 * or storage add (see vss.h). Reads only, and opens no device: a trial
 * exclusive open would tell more, but could make a mount or a dm table
 * load running at that instant fail with EBUSY. Needs no root and no udevd:
 * libudev reads the kernel's attributes from sysfs, libmount /proc. */
#include "config.h"
#include "vss.h"

#include <dirent.h>
#include <errno.h>
#include <libmount.h>
#include <libudev.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

struct devnos {
	dev_t *v;
	size_t n, cap;
};

static void devnos_add(struct devnos *d, dev_t dev)
{
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 16;
		dev_t *v = realloc(d->v, cap * sizeof(*v));

		/* (Out of memory: a device is offered that is in use, and
		 * volume import refuses it with the reason.) */
		if (!v)
			return;
		d->v = v;
		d->cap = cap;
	}
	d->v[d->n++] = dev;
}

static bool devnos_has(const struct devnos *d, dev_t dev)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->v[i] == dev)
			return true;
	return false;
}

/* The devices the kernel has mounted or swaps on. */
static void in_use_read(struct devnos *d)
{
	struct libmnt_table *tb = mnt_new_table_from_file("/proc/self/mountinfo");
	struct libmnt_iter *it = mnt_new_iter(MNT_ITER_FORWARD);
	struct libmnt_fs *fs;
	struct stat st;

	while (tb && it && mnt_table_next_fs(tb, it, &fs) == 0) {
		const char *src = mnt_fs_get_srcpath(fs);

		if (mnt_fs_get_devno(fs))
			devnos_add(d, mnt_fs_get_devno(fs));
		/* btrfs reports an anonymous device (0:N): its source names
		 * the device it is on (one of them, for several). */
		if (src && !stat(src, &st) && S_ISBLK(st.st_mode))
			devnos_add(d, st.st_rdev);
	}
	mnt_unref_table(tb);
	tb = mnt_new_table();
	if (tb && it && mnt_table_parse_swaps(tb, NULL) == 0) {
		mnt_reset_iter(it, MNT_ITER_FORWARD);
		while (mnt_table_next_fs(tb, it, &fs) == 0)
			if (mnt_fs_get_source(fs) && !stat(mnt_fs_get_source(fs), &st) &&
			    S_ISBLK(st.st_mode))
				devnos_add(d, st.st_rdev);
	}
	mnt_free_iter(it);
	mnt_unref_table(tb);
}

/* (libudev gives attributes without their trailing newline.) */
static bool attr_is(struct udev_device *d, const char *name, const char *value)
{
	const char *v = udev_device_get_sysattr_value(d, name);

	return v && !strcmp(v, value);
}

/* Whether D's holders/ lists anything (dm, md, bcache on it). libudev has
 * no accessor for a directory of links. */
static bool has_holders(struct udev_device *d)
{
	char path[512];
	struct dirent *e;
	bool any = false;
	DIR *dir;

	snprintf(path, sizeof(path), "%s/holders", udev_device_get_syspath(d));
	dir = opendir(path);
	while (dir && !any && (e = readdir(dir)))
		any = e->d_name[0] != '.';
	if (dir)
		closedir(dir);
	return any;
}

/* Whether D is mounted, swap or held, or is a disk one of whose
 * partitions is. */
static bool held(struct udev *u, struct udev_device *d, const struct devnos *in_use)
{
	struct udev_enumerate *en;
	struct udev_list_entry *e;
	bool busy;

	if (devnos_has(in_use, udev_device_get_devnum(d)) || has_holders(d))
		return true;
	/* Only a disk has partitions. */
	if (!udev_device_get_devtype(d) || strcmp(udev_device_get_devtype(d), "disk"))
		return false;
	busy = false;
	en = udev_enumerate_new(u);
	if (en && udev_enumerate_add_match_parent(en, d) == 0 &&
	    udev_enumerate_add_match_subsystem(en, "block") == 0 &&
	    udev_enumerate_add_match_property(en, "DEVTYPE", "partition") == 0 &&
	    udev_enumerate_scan_devices(en) == 0)
		udev_list_entry_foreach(e, udev_enumerate_get_list_entry(en)) {
			struct udev_device *p =
				udev_device_new_from_syspath(u, udev_list_entry_get_name(e));

			busy = p && (devnos_has(in_use, udev_device_get_devnum(p)) || has_holders(p));
			udev_device_unref(p);
			if (busy)
				break;
		}
	udev_enumerate_unref(en);
	return busy;
}

/* Whether D holds something (an unattached loop device or an empty drive
 * has size 0), may be written, is not vss's own (its dm uuid begins VSS-)
 * and is not in use. */
static bool free_dev(struct udev *u, struct udev_device *d, const struct devnos *in_use)
{
	const char *uuid = udev_device_get_sysattr_value(d, "dm/uuid");

	if (attr_is(d, "size", "0") || attr_is(d, "ro", "1"))
		return false;
	if (uuid && !strncmp(uuid, "VSS-", 4))
		return false;
	return !held(u, d, in_use);
}

bool vss_device_free(dev_t dev)
{
	struct devnos in_use = { 0 };
	struct udev *u = udev_new();
	struct udev_device *d = u ? udev_device_new_from_devnum(u, 'b', dev) : NULL;
	bool ok;

	in_use_read(&in_use);
	/* Without sysfs, mounts alone tell. */
	ok = d ? free_dev(u, d, &in_use) : !devnos_has(&in_use, dev);
	udev_device_unref(d);
	udev_unref(u);
	free(in_use.v);
	return ok;
}

/* The path D is offered as: /dev/mapper/NAME for a dm device (its name is
 * what people give), else its node in /dev; "" when that is not there, or
 * is another device (a container's /dev of its own). */
static void offered_path(struct udev_device *d, char *buf, size_t len)
{
	const char *name = udev_device_get_sysattr_value(d, "dm/name");
	const char *node = udev_device_get_devnode(d);
	struct stat st;

	buf[0] = '\0';
	if (name)
		snprintf(buf, len, "/dev/mapper/%s", name);
	else if (node)
		snprintf(buf, len, "%s", node);
	if (buf[0] && (stat(buf, &st) || !S_ISBLK(st.st_mode) ||
		       st.st_rdev != udev_device_get_devnum(d)))
		buf[0] = '\0';
}

int vss_free_devices(char ***pathsp, size_t *np)
{
	struct devnos in_use = { 0 };
	struct udev_enumerate *en = NULL;
	struct udev_list_entry *e;
	struct udev *u = udev_new();
	char **paths = NULL;
	size_t n = 0;
	int r = -ENOMEM;

	*pathsp = NULL;
	*np = 0;
	if (!u || !(en = udev_enumerate_new(u)))
		goto out;
	if ((r = udev_enumerate_add_match_subsystem(en, "block")) < 0 ||
	    (r = udev_enumerate_scan_devices(en)) < 0)
		goto out;
	in_use_read(&in_use);
	r = 0;
	udev_list_entry_foreach(e, udev_enumerate_get_list_entry(en)) {
		struct udev_device *d = udev_device_new_from_syspath(u, udev_list_entry_get_name(e));
		char path[512], **v;

		if (d && free_dev(u, d, &in_use))
			offered_path(d, path, sizeof(path));
		else
			path[0] = '\0';
		udev_device_unref(d);
		if (!path[0])
			continue;
		if (!(v = realloc(paths, (n + 2) * sizeof(*v))) || !(v[n] = strdup(path))) {
			if (v)
				paths = v;
			r = -ENOMEM;
			break;
		}
		paths = v;
		paths[++n] = NULL;
	}
out:
	udev_enumerate_unref(en);
	udev_unref(u);
	free(in_use.v);
	if (r) {
		for (size_t i = 0; i < n; i++)
			free(paths[i]);
		free(paths);
		return r;
	}
	*pathsp = paths;
	*np = n;
	return 0;
}
