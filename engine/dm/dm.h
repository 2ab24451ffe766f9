/*
 * device-mapper, as the engine needs it. Only dm.c talks to libdevmapper;
 * everything else speaks these types. Names are dm names, not paths.
 */
#ifndef VSS_DM_H
#define VSS_DM_H

#include "internal.h"

struct vss_dm_target {
	uint64_t start;   /* sectors */
	uint64_t length;  /* sectors */
	char *type;
	char *params;
};

struct vss_dm_table {
	size_t n;
	struct vss_dm_target *t;
};

struct vss_dm_info {
	bool exists;
	bool suspended;
	bool read_only;
	bool live_table;
	bool inactive_table;
	int open_count;
	unsigned major, minor;
	unsigned target_count;
	char name[128];
	char uuid[130];
};

enum vss_dm_flush {
	VSS_DM_LOCKFS,    /* flush and freeze the filesystem on it */
	VSS_DM_NO_LOCKFS,
};

/* How udev is to treat a device a task makes live. */
enum vss_dm_udev {
	VSS_DM_UDEV_NORMAL,       /* a disk like any other */
	VSS_DM_UDEV_PRIVATE,      /* a layer of ours (-real, -cow): its node only,
				     never probed or linked by filesystem UUID */
	VSS_DM_UDEV_LOW_PRIORITY, /* a shadow: probed, but its origin keeps the
				     links they share (by-uuid, by-label) */
};

int vss_dm_create(struct vss_ctx *ctx, const char *name, const char *uuid,
		  const struct vss_dm_target *t, size_t n, enum vss_dm_udev udev);
/* A device with no table yet (N 0 in vss_dm_create does the same). */
int vss_dm_create_empty(struct vss_ctx *ctx, const char *name, const char *uuid);
/* Loads an inactive table: it takes over at the next resume. */
int vss_dm_load(struct vss_ctx *ctx, const char *name,
		const struct vss_dm_target *t, size_t n);
/* The same, and the device is read-only once the table is live. */
int vss_dm_load_ro(struct vss_ctx *ctx, const char *name,
		   const struct vss_dm_target *t, size_t n);
/* Drops an inactive table that was loaded but never resumed. */
int vss_dm_clear(struct vss_ctx *ctx, const char *name);
int vss_dm_suspend(struct vss_ctx *ctx, const char *name, enum vss_dm_flush how);
/* Suspends the N devices at once, a thread each; SUSPENDED[i] says which
 * are now suspended, failure or not (the caller must resume those). */
int vss_dm_suspend_all(struct vss_ctx *ctx, char *const *names, size_t n,
		       enum vss_dm_flush how, bool *suspended);
int vss_dm_resume(struct vss_ctx *ctx, const char *name);
/* Resumes without waiting for udev: the task's cookie joins *COOKIE (start
 * it at 0), so a window of resumes waits for udev once, afterwards, with
 * vss_dm_udev_wait, which must always follow. */
int vss_dm_resume_deferred(struct vss_ctx *ctx, const char *name, enum vss_dm_udev udev,
			   uint32_t *cookie);
void vss_dm_udev_wait(struct vss_ctx *ctx, uint32_t *cookie);
/* Retries for a while when the device is briefly busy (udev probing it). */
int vss_dm_remove(struct vss_ctx *ctx, const char *name);
/* A missing device is not an error: info->exists is false. */
int vss_dm_info(struct vss_ctx *ctx, const char *name, struct vss_dm_info *info);
int vss_dm_info_devno(struct vss_ctx *ctx, unsigned major, unsigned minor,
		      struct vss_dm_info *info);
int vss_dm_table(struct vss_ctx *ctx, const char *name, struct vss_dm_table *tab);
/* The table loaded but not yet live (none: N is 0). */
int vss_dm_table_inactive(struct vss_ctx *ctx, const char *name, struct vss_dm_table *tab);
int vss_dm_status(struct vss_ctx *ctx, const char *name, struct vss_dm_table *tab);
void vss_dm_table_free(struct vss_dm_table *tab);
/* Sends a target message to sector 0; *reply (may be NULL) is malloc'd. */
int vss_dm_message(struct vss_ctx *ctx, const char *name, const char *msg, char **reply);
/* Names of every dm device, sorted; free with vss_strv_free. */
int vss_dm_list(struct vss_ctx *ctx, char ***names, size_t *n);
struct vss_devno {
	unsigned major, minor;
};
/* The devices NAME's table maps onto (malloc'd). */
int vss_dm_deps(struct vss_ctx *ctx, const char *name, struct vss_devno **devs, size_t *n);

#endif
