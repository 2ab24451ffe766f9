/* Device identity and sysfs facts (engine/dm/devid.c, engine/dm/blockdev.c), read
 * through libudev, against the hand-written sysfs reading they replaced,
 * on every block device this machine has: a record an older vss wrote
 * ("dm:", "loop:", "partuuid:", "wwid:") must name the same device, a
 * device that had no identity may now have a new one ("wwn:", "serial:"),
 * and every identity finds its device again. Reads only; needs no root
 * (without it, partitions' uuids are unreadable to both sides alike). */
#include "config.h"
#include "engine/dm/blockdev.h"
#include "engine/dm/devid.h"
#include "tap.h"

#include <blkid.h>
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/sysmacros.h>

/* --- the reference: vss 0.1's own sysfs reading ------------------------- */

static bool sys_read(dev_t devno, const char *rel, char *buf, size_t len)
{
	char path[256];
	FILE *f;
	bool ok;

	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/%s", major(devno), minor(devno), rel);
	if (!(f = fopen(path, "re")))
		return false;
	ok = fgets(buf, (int)len, f) != NULL;
	fclose(f);
	if (ok)
		buf[strcspn(buf, "\n")] = '\0';
	return ok && buf[0];
}

static void ref_node(dev_t devno, char *buf, size_t len)
{
	char v[256];

	buf[0] = '\0';
	snprintf(v, sizeof(v), "/sys/dev/block/%u:%u/uevent", major(devno), minor(devno));
	FILE *f = fopen(v, "re");
	if (!f)
		return;
	while (fgets(v, sizeof(v), f))
		if (!strncmp(v, "DEVNAME=", 8)) {
			v[strcspn(v, "\n")] = '\0';
			snprintf(buf, len, "/dev/%s", v + 8);
		}
	fclose(f);
}

static void ref_id(dev_t devno, char *buf, size_t len)
{
	char v[4200], off[32], node[256];
	const char *p;
	blkid_probe pr;

	buf[0] = '\0';
	if (sys_read(devno, "dm/uuid", v, sizeof(v)))
		snprintf(buf, len, "dm:%s", v);
	else if (sys_read(devno, "loop/backing_file", v, sizeof(v)))
		snprintf(buf, len, "loop:%s:%s",
			 sys_read(devno, "loop/offset", off, sizeof(off)) ? off : "0", v);
	else if (sys_read(devno, "partition", off, sizeof(off))) {
		ref_node(devno, node, sizeof(node));
		if (node[0] && (pr = blkid_new_probe_from_filename(node))) {
			blkid_probe_enable_superblocks(pr, 0);
			blkid_probe_enable_partitions(pr, 1);
			blkid_probe_set_partitions_flags(pr, BLKID_PARTS_ENTRY_DETAILS);
			if (blkid_do_safeprobe(pr) == 0 &&
			    blkid_probe_lookup_value(pr, "PART_ENTRY_UUID", &p, NULL) == 0)
				snprintf(buf, len, "partuuid:%s", p);
			blkid_free_probe(pr);
		}
		if (!buf[0] && sys_read(devno, "device/wwid", v, sizeof(v)))
			snprintf(buf, len, "wwid:%s", v);
	} else if (sys_read(devno, "device/wwid", v, sizeof(v)))
		snprintf(buf, len, "wwid:%s", v);
}

static void ref_holders(dev_t devno, char *buf, size_t len)
{
	char path[128];
	struct dirent *de;
	size_t used = 0;
	DIR *d;

	buf[0] = '\0';
	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/holders", major(devno), minor(devno));
	if (!(d = opendir(path)))
		return;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? " " : "",
						 de->d_name);
	closedir(d);
}

/* --- the tests ----------------------------------------------------------- */

static bool new_kind(const char *id)
{
	return !strncmp(id, "wwn:", 4) || !strncmp(id, "serial:", 7);
}

static void one_device(dev_t dev)
{
	char want[4300], got[4300], again[4300], name[64];
	unsigned ma = major(dev), mi = minor(dev);
	dev_t found = 0;
	int r;

	ref_node(dev, want, sizeof(want));
	ok(vss_devid_node(dev, got, sizeof(got)) == 0, "%u:%u has a node", ma, mi);
	is_str(got, want, "%u:%u: its node is the kernel's name", ma, mi);

	ref_id(dev, want, sizeof(want));
	ok(vss_devid_of(dev, got, sizeof(got)) == 0, "%u:%u: identity read", ma, mi);
	printf("# %u:%u is '%s'\n", ma, mi, got);
	if (want[0])
		is_str(got, want, "%u:%u: the identity an older vss gave it", ma, mi);
	else
		ok(!got[0] || new_kind(got), "%u:%u had none: still none, or one of a new kind",
		   ma, mi);
	if (got[0]) {
		r = vss_devid_find(got, &found);
		ok(r == 0, "%u:%u: '%s' is found (%d)", ma, mi, got, r);
		/* Older kinds may name several (two loops over one file): the
		 * first has the same identity; a new kind names one only. */
		vss_devid_of(found, again, sizeof(again));
		is_str(again, got, "%u:%u: what it finds carries it", ma, mi);
		if (new_kind(got))
			ok(found == dev, "%u:%u: a new kind names this device, no other", ma, mi);
	}

	ref_holders(dev, want, sizeof(want));
	ok(vss_blockdev_holders(dev, got, sizeof(got)) == 0, "%u:%u: holders read", ma, mi);
	is_str(got, want, "%u:%u: holders as in sysfs", ma, mi);
	if (!sys_read(dev, "dm/name", want, sizeof(want)))
		want[0] = '\0';
	ok(vss_blockdev_dm_name(dev, name, sizeof(name)) == 0, "%u:%u: dm name read", ma, mi);
	is_str(name, want, "%u:%u: dm name as in sysfs", ma, mi);
	ok(vss_blockdev_stacked_on(dev, dev), "%u:%u lies on itself", ma, mi);
}

int main(void)
{
	/* 0:0 is never a block device. */
	dev_t none = makedev(0, 0), dev;
	char buf[64] = "x";
	struct dirent *de;
	int n = 0;
	DIR *d;

	ok(vss_devid_of(none, buf, sizeof(buf)) == -ENODEV && !buf[0], "no device: no identity");
	buf[0] = 'x';
	ok(vss_devid_node(none, buf, sizeof(buf)) == -ENODEV && !buf[0], "no device: no node");
	buf[0] = 'x';
	ok(vss_blockdev_holders(none, buf, sizeof(buf)) == -ENODEV && !buf[0], "no device: no holders");
	buf[0] = 'x';
	ok(vss_blockdev_dm_name(none, buf, sizeof(buf)) == -ENODEV && !buf[0], "no device: no dm name");
	ok(!vss_blockdev_stacked_on(none, makedev(7, 0)), "no device lies on another");
	{
		static const char *const absent[] = {
			"", "dm", "bogus:x", "dm:VSS-no-such-uuid-at-all", "loop:0:/nonexistent/file",
			"loop:", "loop:12345678901234567890123456789012345:/x", "partuuid:",
			"partuuid:00000000-0000-4000-8000-000000000000", "wwid:naa.none", "wwn:eui.none",
			"serial:no such serial", "dm:*", "serial:*",
		};

		for (size_t i = 0; i < sizeof(absent) / sizeof(absent[0]); i++) {
			dev = 0;
			ok(vss_devid_find(absent[i], &dev) == -ENODEV && dev == 0,
			   "'%s' names no device", absent[i]);
		}
	}

	if (!(d = opendir("/sys/dev/block"))) {
		printf("# no /sys/dev/block here: no device to compare\n");
		return done_testing();
	}
	while ((de = readdir(d))) {
		unsigned ma, mi;

		if (sscanf(de->d_name, "%u:%u", &ma, &mi) != 2)
			continue;
		one_device(makedev(ma, mi));
		n++;
	}
	closedir(d);
	printf("# %d block devices compared\n", n);
	return done_testing();
}
