/* Finding a device again after a reboot (see devid.h). Reads only.
 *
 * Identities come from the kernel's attributes, read through libudev, which
 * reads them from sysfs whether udevd runs or not: a record written where
 * udev runs (a booted system) must be found where it does not (an
 * initramfs, a container), and the reverse. What only udevd's database
 * holds serves only where the same value can be had without it: a
 * partition's uuid, which udev's blkid builtin stored and libblkid probes.
 * (ID_WWN of an NVMe namespace and ID_SERIAL of a virtio disk are udev's
 * copies of the attributes read below; other disks get theirs from udev's
 * helpers, which nothing without udev repeats: they name no device here.) */
#include "config.h"
#include "devid.h"

#include <blkid.h>
#include <errno.h>
#include <libudev.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Attribute NAME up to its first newline, as earlier versions read it with
 * fgets (so that their records still compare equal); false when empty. */
static bool attr(struct udev_device *d, const char *name, char *buf, size_t len)
{
	const char *v = udev_device_get_sysattr_value(d, name);

	if (!v)
		return false;
	snprintf(buf, len, "%.*s", (int)strcspn(v, "\n"), v);
	return buf[0];
}

static bool partuuid_of(struct udev_device *d, char *buf, size_t len)
{
	const char *v = udev_device_get_property_value(d, "ID_PART_ENTRY_UUID");
	const char *node = udev_device_get_devnode(d);
	blkid_probe pr;

	/* udevd probed it already: no need to open the device. */
	if (v && v[0]) {
		snprintf(buf, len, "%s", v);
		return true;
	}
	buf[0] = '\0';
	if (!node || !(pr = blkid_new_probe_from_filename(node)))
		return false;
	blkid_probe_enable_superblocks(pr, 0);
	blkid_probe_enable_partitions(pr, 1);
	blkid_probe_set_partitions_flags(pr, BLKID_PARTS_ENTRY_DETAILS);
	if (blkid_do_safeprobe(pr) == 0 && blkid_probe_lookup_value(pr, "PART_ENTRY_UUID", &v, NULL) == 0)
		snprintf(buf, len, "%s", v);
	blkid_free_probe(pr);
	return buf[0];
}

/* The kinds, in order of preference: a kind added later comes after the
 * older ones, so that a device that carries both keeps the identity its
 * records were written with. A device of a kind has attribute ATTR. */
static const struct kind {
	const char *prefix, *attr;
	/* Given by hand (a hypervisor's serial, a target's uuid), so perhaps
	 * twice: a value another device carries too names no device. */
	bool unique;
} kinds[] = {
	{ "dm:", "dm/uuid", false },
	{ "loop:", "loop/backing_file", false },
	{ "partuuid:", "partition", false },
	{ "wwid:", "device/wwid", false },
	/* An NVMe namespace's wwid is its own attribute (its device is the
	 * controller or the subsystem). */
	{ "wwn:", "wwid", true },
	/* virtio-blk: the serial the hypervisor was given for the disk. */
	{ "serial:", "serial", true },
};
enum { DM, LOOP, PARTUUID, WWID, WWN, SERIAL, NONE };

/* The identity of D in BUF ("" when it carries none), and its kind. */
static int id_of(struct udev_device *d, char *buf, size_t len)
{
	char v[4200], off[32];
	int k = NONE;

	if (attr(d, "dm/uuid", v, sizeof(v)))
		k = DM;
	else if (attr(d, "loop/backing_file", v, sizeof(v)))
		k = LOOP;
	else if (attr(d, "partition", off, sizeof(off)) && partuuid_of(d, v, sizeof(v)))
		k = PARTUUID;
	else if (attr(d, "device/wwid", v, sizeof(v)))
		k = WWID;
	/* A hidden disk (an NVMe path under its multipath head) cannot be
	 * opened: the head carries the same wwid. */
	else if (attr(d, "hidden", off, sizeof(off)) && !strcmp(off, "1"))
		k = NONE;
	else if (attr(d, "wwid", v, sizeof(v)))
		k = WWN;
	else if (attr(d, "serial", v, sizeof(v)))
		k = SERIAL;
	buf[0] = '\0';
	if (k == LOOP)
		snprintf(buf, len, "loop:%s:%s", attr(d, "loop/offset", off, sizeof(off)) ? off : "0", v);
	else if (k != NONE)
		snprintf(buf, len, "%s%s", kinds[k].prefix, v);
	return k;
}

/* The block device with attribute K->attr (and, when PROP is given, udev
 * property PROP=VAL) whose identity is ID; -ENOTUNIQ when K wants it
 * unique and it is not. libudev matches the attribute by presence only and
 * takes VAL as a glob: the identity itself is compared whole. */
static int scan(const struct kind *k, const char *prop, const char *val, const char *id,
		dev_t *devno)
{
	struct udev_enumerate *en = NULL;
	struct udev_list_entry *e;
	struct udev *u = udev_new();
	char have[4300];
	int r = -ENOMEM;

	if (!u || !(en = udev_enumerate_new(u)))
		goto out;
	if ((r = udev_enumerate_add_match_subsystem(en, "block")) < 0 ||
	    (r = udev_enumerate_add_match_sysattr(en, k->attr, NULL)) < 0 ||
	    (prop && (r = udev_enumerate_add_match_property(en, prop, val)) < 0) ||
	    (r = udev_enumerate_scan_devices(en)) < 0)
		goto out;
	r = -ENODEV;
	udev_list_entry_foreach(e, udev_enumerate_get_list_entry(en)) {
		struct udev_device *d = udev_device_new_from_syspath(u, udev_list_entry_get_name(e));
		bool match;

		if (!d)
			continue;
		match = udev_device_get_devnum(d) && (id_of(d, have, sizeof(have)), !strcmp(have, id));
		if (match && r == 0)
			r = -ENOTUNIQ;
		else if (match) {
			*devno = udev_device_get_devnum(d);
			r = 0;
		}
		udev_device_unref(d);
		/* (Older kinds: the first, as before.) */
		if (r == -ENOTUNIQ || (r == 0 && !k->unique))
			break;
	}
out:
	udev_enumerate_unref(en);
	udev_unref(u);
	return r;
}

static int open_dev(dev_t devno, struct udev **u, struct udev_device **d)
{
	if (!(*u = udev_new()))
		return -ENOMEM;
	if (!(*d = udev_device_new_from_devnum(*u, 'b', devno))) {
		int r = errno == ENOMEM ? -ENOMEM : -ENODEV;

		udev_unref(*u);
		return r;
	}
	return 0;
}

int vss_devid_node(dev_t devno, char *buf, size_t len)
{
	struct udev_device *d;
	struct udev *u;
	int r;

	buf[0] = '\0';
	if ((r = open_dev(devno, &u, &d)))
		return r;
	/* "/dev/" and the kernel's DEVNAME: no udevd needed. */
	if (udev_device_get_devnode(d))
		snprintf(buf, len, "%s", udev_device_get_devnode(d));
	else
		r = -ENODEV;
	udev_device_unref(d);
	udev_unref(u);
	return r;
}

int vss_devid_of(dev_t devno, char *buf, size_t len)
{
	struct udev_device *d;
	struct udev *u;
	dev_t found;
	int r, k;

	buf[0] = '\0';
	if ((r = open_dev(devno, &u, &d)))
		return r;
	k = id_of(d, buf, len);
	udev_device_unref(d);
	udev_unref(u);
	if (k != NONE && kinds[k].unique && scan(&kinds[k], NULL, NULL, buf, &found))
		buf[0] = '\0';
	return 0;
}

int vss_devid_find(const char *id, dev_t *devno)
{
	const struct kind *k = NULL;
	struct stat st;
	char *dev;
	int r;

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]) && !k; i++)
		if (!strncmp(id, kinds[i].prefix, strlen(kinds[i].prefix)))
			k = &kinds[i];
	if (!k)
		return -ENODEV;
	if (k != &kinds[PARTUUID])
		return scan(k, NULL, NULL, id, devno);
	/* udevd's database, where it has run: no device is opened... */
	if ((r = scan(k, "ID_PART_ENTRY_UUID", id + 9, id, devno)) != -ENODEV)
		return r;
	/* ...else libblkid's own search, as before udev was asked (its
	 * cache, else a probe of every device). */
	dev = blkid_evaluate_tag("PARTUUID", id + 9, NULL);
	r = -ENODEV;
	if (dev && stat(dev, &st) == 0 && S_ISBLK(st.st_mode)) {
		*devno = st.st_rdev;
		r = 0;
	}
	free(dev);
	return r;
}
