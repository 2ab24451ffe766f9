/*
 * A block device's identity across reboots. The kernel's numbers (8:16,
 * 253:3, loop5) are handed out afresh at every boot and in whatever order
 * devices appear, so what vss keeps about a device it must find again (a
 * managed volume's backing device, a storage area) is named by what the
 * device carries: its dm uuid, a loop device's file, a partition's uuid, a
 * disk's WWID.
 */
#ifndef VSS_DEVID_H
#define VSS_DEVID_H

#include <stddef.h>
#include <sys/types.h>

/* "dm:UUID", "loop:OFFSET:FILE", "partuuid:UUID" or "wwid:WWID" for DEVNO;
 * "" when it carries none of them (then only its number names it). */
void vss_devid_of(dev_t devno, char *buf, size_t len);
/* The device that now carries ID: 0 and *DEVNO, or -ENODEV. */
int vss_devid_find(const char *id, dev_t *devno);
/* "/dev/NAME" of DEVNO from sysfs, "" when the kernel has no such device. */
void vss_devid_node(dev_t devno, char *buf, size_t len);

#endif
