/*
 * Shadow copy sets as the state directory keeps them: sets/ID.conf, and
 * journal/ID.conf while an operation on one is under way.
 */
#ifndef VSS_SETREC_H
#define VSS_SETREC_H

#include "internal.h"
#include <sys/types.h>

struct vss_dm_target;

#define SNAP_UUID_PREFIX "VSS-snap-"
#define COW_UUID_PREFIX "VSS-cow-"
#define REAL_UUID_PREFIX "VSS-real-"
#define BASE_UUID_PREFIX "VSS-base-"
#define VIEW_UUID_PREFIX "VSS-view-"

/* Fields a provider keeps of its own: records store them and give them
 * back without knowing what they mean, so a new provider needs nothing
 * here. A record's keys that this vss does not know are kept the same
 * way, and written back as they were. */
#define SHADOW_EXTRA_MAX 8
struct shadow_extra {
	char key[32];
	char value[512];
};

/* A revert of a shadow into its origin (revert.c): none; asked for while
 * the origin was in use; under way in the kernel (snapshot-merge); done,
 * and only the shadow's remains to go; a thin revert: the volume moving
 * onto the snapshot's id. Records name them by merge_state_name. */
enum merge_state {
	MERGE_NONE,
	MERGE_SCHEDULED,
	MERGE_MERGING,
	MERGE_DONE,
	MERGE_SWAP
};
const char *merge_state_name(enum merge_state m);

/* One shadow: its devices, where its COW lives, where it is exposed. */
struct shadow_rec {
	char volume[128];        /* the origin's dm name */
	char origin_uuid[130];   /* the origin's dm uuid when the set was made */
	/* Where its data comes from: a provider's name (provider.h), which
	 * records only keep; one that names none is cow's (records written
	 * before providers). */
	char provider[16];
	char dm_name[128];       /* vss-SET8-VOLUME */
	char dm_uuid[130];
	char cow_name[128];      /* vss-SET8-VOLUME-cow */
	char cow_uuid[130];
	char area[64];           /* the storage area's id */
	char cow_file[4096];     /* in a directory area: the preallocated file */
	uint64_t cow_offset;     /* in a device area: where the slice starts (sectors) */
	uint64_t cow_sectors;
	uint64_t origin_sectors;
	unsigned chunk;          /* sectors */
	char exposed[4096];      /* where vss mounted it, "" when it did not */
	int exposed_made_dir;    /* vss made that directory, and removes it;
				  * 2: its parent too (a whole set's MOUNTPOINT) */
	enum merge_state merge;  /* a revert of it, and where it is */
	char pool[128];          /* thin: the pool's record name */
	unsigned thin_id;        /* thin: the snapshot's device id in the pool */
	unsigned origin_thin_id; /* thin, while the set is made: its volume's id */
	struct shadow_extra extra[SHADOW_EXTRA_MAX];
	unsigned nextra;
};


struct set_rec {
	char id[37];
	char label[256];
	enum vss_context context;
	long long created_us;    /* since the epoch */
	uint64_t freeze_us;
	long owner_pid;          /* auto-release: the process whose end deletes it */
	unsigned long long owner_start; /* its start time, so a reused pid is told apart */
	char owner_boot[40];     /* and the boot it ran in: after a reboot it is gone */
	char op[16];             /* in a journal: "create" or "delete" */
	size_t n;
	struct shadow_rec *sh;
};

/* SH's field KEY that its provider keeps (shadow_extra); NULL: none. */
const char *shadow_extra(const struct shadow_rec *sh, const char *key);
/* Sets it (a key of [a-z_]); -E2BIG when SH holds as many as it can. */
int shadow_extra_set(struct vss_ctx *ctx, struct shadow_rec *sh, const char *key,
		     const char *value);
/* Drops SH's field KEY, if it has one. */
void shadow_extra_unset(struct shadow_rec *sh, const char *key);

void set_rec_free(struct set_rec *rec);
/* Appends a zeroed shadow; NULL when out of memory (message set). */
struct shadow_rec *set_rec_add(struct vss_ctx *ctx, struct set_rec *rec);

/* DIR is "sets" or "journal". */
int set_rec_load(struct vss_ctx *ctx, const char *dir, const char *id, struct set_rec *rec);
int set_rec_save(struct vss_ctx *ctx, const char *dir, const struct set_rec *rec);
int set_rec_unlink(struct vss_ctx *ctx, const char *dir, const char *id);
/* Whether DIR/ID.conf is there, readable or not. */
bool set_rec_exists(struct vss_ctx *ctx, const char *dir, const char *id);
/* Every record under DIR, oldest first; records that cannot be read are
 * skipped with a warning. */
int set_rec_list(struct vss_ctx *ctx, const char *dir, struct set_rec **recs, size_t *n);
void set_recs_free(struct set_rec *recs, size_t n);
/* The same, but a record that cannot be read is an error: whatever decides
 * what to remove, or where free space is, must not guess. */
int set_rec_list_strict(struct vss_ctx *ctx, const char *dir, struct set_rec **recs, size_t *n);

/* Every set that holds storage: committed sets, and operations under way
 * (a set being deleted counts once); not those the storage policy is
 * weighing the deletion of. */
int set_recs_holding(struct vss_ctx *ctx, struct set_rec **recs, size_t *n);

/* Whether any set other than EXCEPT (committed or being made) has a shadow
 * of VOLUME; -errno when the state cannot be read. */
int set_volume_in_use(struct vss_ctx *ctx, const char *volume, const char *except);

#endif
