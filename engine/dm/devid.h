/*
 * A block device's identity across reboots. The kernel's numbers (8:16,
 * 253:3, loop5) are handed out afresh at every boot and in whatever order
 * devices appear, so what vss keeps about a device it must find again (a
 * managed volume's backing device, a storage area) is named by what the
 * device carries: its dm uuid, a loop device's file, a partition's uuid, a
 * disk's WWID (SCSI, SATA: "wwid:"; an NVMe namespace: "wwn:") or a virtio
 * disk's serial. The same device gets the same name with or without udevd.
 */
#ifndef VSS_DEVID_H
#define VSS_DEVID_H

#include <stddef.h>
#include <sys/types.h>

/* "dm:UUID", "loop:OFFSET:FILE", "partuuid:UUID", "wwid:WWID", "wwn:WWID" or
 * "serial:SERIAL" for DEVNO, the first it carries in that order (the last
 * two are newer: a device carrying an older kind keeps it); "" when it
 * carries none (then only its number names it). 0, or -ENODEV when the
 * kernel has no such device. */
int vss_devid_of(dev_t devno, char *buf, size_t len);
/* The device that now carries ID: 0 and *DEVNO, or -ENODEV. */
int vss_devid_find(const char *id, dev_t *devno);
/* "/dev/NAME" of DEVNO, the kernel's name for it (udevd may add others);
 * "" and -ENODEV when the kernel has no such device. */
int vss_devid_node(dev_t devno, char *buf, size_t len);

#endif
