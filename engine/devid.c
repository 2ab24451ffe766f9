/* Finding a device again after a reboot (see devid.h). Reads only. */
#include "config.h"
#include "devid.h"

#include <blkid.h>
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

/* The first line of /sys/dev/block/MAJ:MIN/REL, without its newline. */
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

void vss_devid_node(dev_t devno, char *buf, size_t len)
{
	char uevent[256], path[128];
	FILE *f;

	buf[0] = '\0';
	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/uevent", major(devno), minor(devno));
	if (!(f = fopen(path, "re")))
		return;
	while (fgets(uevent, sizeof(uevent), f)) {
		if (!strncmp(uevent, "DEVNAME=", 8)) {
			uevent[strcspn(uevent, "\n")] = '\0';
			snprintf(buf, len, "/dev/%s", uevent + 8);
			break;
		}
	}
	fclose(f);
}

static void partuuid_of(dev_t devno, char *buf, size_t len)
{
	char node[160];
	const char *v;
	blkid_probe pr;

	buf[0] = '\0';
	vss_devid_node(devno, node, sizeof(node));
	if (!node[0] || !(pr = blkid_new_probe_from_filename(node)))
		return;
	blkid_probe_enable_superblocks(pr, 0);
	blkid_probe_enable_partitions(pr, 1);
	blkid_probe_set_partitions_flags(pr, BLKID_PARTS_ENTRY_DETAILS);
	if (blkid_do_safeprobe(pr) == 0 && blkid_probe_lookup_value(pr, "PART_ENTRY_UUID", &v, NULL) == 0)
		snprintf(buf, len, "%s", v);
	blkid_free_probe(pr);
}

void vss_devid_of(dev_t devno, char *buf, size_t len)
{
	char v[4200], off[32];

	buf[0] = '\0';
	if (sys_read(devno, "dm/uuid", v, sizeof(v)))
		snprintf(buf, len, "dm:%s", v);
	else if (sys_read(devno, "loop/backing_file", v, sizeof(v)))
		snprintf(buf, len, "loop:%s:%s", sys_read(devno, "loop/offset", off, sizeof(off)) ?
			 off : "0", v);
	else if (sys_read(devno, "partition", off, sizeof(off)) &&
		 (partuuid_of(devno, v, sizeof(v)), v[0]))
		snprintf(buf, len, "partuuid:%s", v);
	else if (sys_read(devno, "device/wwid", v, sizeof(v)))
		snprintf(buf, len, "wwid:%s", v);
}

/* Scans every block device for one whose sysfs REL reads WANT. */
static int scan(const char *rel, const char *want, const char *rel2, const char *want2,
		dev_t *devno)
{
	struct dirent *de;
	DIR *d = opendir("/sys/dev/block");
	int r = -ENODEV;

	if (!d)
		return -ENODEV;
	while (r && (de = readdir(d))) {
		unsigned ma, mi;
		char v[4200];
		dev_t dev;

		if (sscanf(de->d_name, "%u:%u", &ma, &mi) != 2)
			continue;
		dev = makedev(ma, mi);
		if (!sys_read(dev, rel, v, sizeof(v)) || strcmp(v, want))
			continue;
		if (rel2 && (!sys_read(dev, rel2, v, sizeof(v)) || strcmp(v, want2)))
			continue;
		*devno = dev;
		r = 0;
	}
	closedir(d);
	return r;
}

int vss_devid_find(const char *id, dev_t *devno)
{
	if (!strncmp(id, "dm:", 3))
		return scan("dm/uuid", id + 3, NULL, NULL, devno);
	if (!strncmp(id, "loop:", 5)) {
		const char *file = strchr(id + 5, ':');
		char off[32];

		if (!file || (size_t)(file - (id + 5)) >= sizeof(off))
			return -ENODEV;
		snprintf(off, sizeof(off), "%.*s", (int)(file - (id + 5)), id + 5);
		return scan("loop/backing_file", file + 1, "loop/offset", off, devno);
	}
	if (!strncmp(id, "partuuid:", 9)) {
		/* libblkid's own search (it knows where to look without udev). */
		char *dev = blkid_evaluate_tag("PARTUUID", id + 9, NULL);
		struct stat st;
		int r = -ENODEV;

		if (dev && stat(dev, &st) == 0 && S_ISBLK(st.st_mode)) {
			*devno = st.st_rdev;
			r = 0;
		}
		free(dev);
		return r;
	}
	if (!strncmp(id, "wwid:", 5))
		return scan("device/wwid", id + 5, NULL, NULL, devno);
	return -ENODEV;
}
