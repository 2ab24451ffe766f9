/*
 * Shadow copy sets as the engine keeps them: the records in the state
 * directory (sets/ID.conf; journal/ID.conf while an operation is under way)
 * and the steps every operation on them shares.
 */
#ifndef VSS_SET_H
#define VSS_SET_H

#include "internal.h"

struct vss_dm_target;

#include <sys/types.h>

#define SNAP_UUID_PREFIX "VSS-snap-"
#define COW_UUID_PREFIX "VSS-cow-"
#define REAL_UUID_PREFIX "VSS-real-"

/* Where a shadow's data comes from: each provider's operations are
 * provider.h's. Records name it ("provider = thin"); one that names none
 * is cow's (records written before providers). */
enum shadow_provider {
	PROVIDER_COW,
	PROVIDER_THIN,
	PROVIDER_N
};
/* Its name in records and listings, and back: 0, or -EINVAL. */
const char *provider_name(enum shadow_provider p);
int provider_parse(const char *s, enum shadow_provider *p);

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
	enum shadow_provider provider;
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

/* Whether any set other than EXCEPT (committed or being made) has a shadow
 * of VOLUME; -errno when the state cannot be read. */
int set_volume_in_use(struct vss_ctx *ctx, const char *volume, const char *except);

/* Whether REC names only what vss made: each shadow's and COW's device,
 * where one of the name exists, carries the record's uuid, and its COW
 * file is the one in its area (storage_check). A refusal (VSS_ERR_USAGE)
 * comes before anything is touched. */
int set_vouch(struct vss_ctx *ctx, const struct set_rec *rec);
/* Removes whatever exists of REC's shadows: exposed mounts (when FORCE),
 * snapshot devices, origin layering no other set needs, COW storage. Each
 * step checks what is there, so it finishes a half-made or half-deleted set
 * as well as a whole one. RESUME: also resume origins left suspended and
 * drop tables loaded but never made live (after an interrupted create). */
int set_teardown(struct vss_ctx *ctx, struct set_rec *rec, bool force, bool resume);

/* The public view of REC, with each shadow's state from the kernel. */
int set_fill(struct vss_ctx *ctx, const struct set_rec *rec, struct vss_set *s);
/* Fails "SET8: exposed on X; ..." when any shadow of REC is mounted. */
int set_exposed_check(struct vss_ctx *ctx, const struct set_rec *rec);
/* Where SH's device is mounted (vss_strv_free *TARGETS). */
int set_shadow_mounts(struct vss_ctx *ctx, const struct shadow_rec *sh, char ***targets, size_t *n);
/* Unmounts SH's device wherever it is mounted. */
int shadow_unexpose(struct vss_ctx *ctx, struct shadow_rec *sh);
int vss_umount(struct vss_ctx *ctx, const char *target);
/* delete-set with the lock held. */
int set_delete_locked(struct vss_ctx *ctx, struct set_rec *rec, bool force);

/* Makes SH's shadow device with its snapshot table loaded over -real
 * (RMAJ:RMIN) and its COW device; live at its next resume. */
int set_snapshot_load(struct vss_ctx *ctx, const struct shadow_rec *sh, unsigned rmaj,
		      unsigned rmin);

/* Finds SPEC (an id, a unique prefix of one, or a label) among RECS. */
int set_match(struct vss_ctx *ctx, const char *spec, const struct set_rec *recs, size_t n,
	      size_t *idx);

/* Whether process PID started at START (from /proc), in the boot BOOT
 * ("" when not recorded), is still running. */
bool set_owner_alive(long pid, unsigned long long start, const char *boot);
/* This boot's id ("" when the kernel does not say). */
void set_boot_id(char *buf, size_t len);
unsigned long long set_proc_start(long pid);

/* ---- origins: the -real layer under a volume that has shadows ---- */

/* Whether shadows can be layered under VOLUME: its table is stateless (or
 * already on vss's -real), and no foreign device has the -real name. */
int origin_usable(struct vss_ctx *ctx, const char *volume);
/* Makes sure VOLUME (with SECTORS) has its -real device: records its table
 * and creates vss-VOLUME-real. *MADE says whether this call made it. */
int origin_prepare(struct vss_ctx *ctx, const char *volume, const char *origin_uuid,
		   bool *made, unsigned *real_major, unsigned *real_minor);
/* The snapshot-origin table VOLUME needs (inactive until resumed), unless
 * it already has it. *LOADED says whether a table was loaded. */
int origin_load(struct vss_ctx *ctx, const char *volume, uint64_t sectors, bool *loaded);
/* Gives VOLUME its own table back and removes the -real layer. */
int origin_restore(struct vss_ctx *ctx, const char *volume);
/* "" or why VOLUME's live table is not the snapshot-origin vss made. */
void origin_check(struct vss_ctx *ctx, const char *volume, char *why, size_t len);
void origin_real_name(const char *volume, char *buf, size_t len);
/* After a reboot: VOLUME's -real layer again (with the uuid recorded), over
 * T (a managed volume not yet there) or, T NULL, VOLUME's live table, and
 * that table recorded. An activate cut short is taken up where it stopped.
 * *MADE says whether this call made -real. */
int origin_rebuild(struct vss_ctx *ctx, const char *volume, const char *origin_uuid,
		   const struct vss_dm_target *t, size_t n, unsigned *rmaj, unsigned *rmin,
		   bool *made);
/* The snapshot-origin target over VOLUME's -real, into T (PARAMS its
 * storage); with MERGE, snapshot-merge of that shadow's COW instead. */
int origin_table(struct vss_ctx *ctx, const char *volume, uint64_t sectors,
		 const struct shadow_rec *merge, struct vss_dm_target *t, char *params,
		 size_t plen);
/* A merge into VOLUME is over: back to snapshot-origin when OTHERS (other
 * shadows of it remain), else its own table and no -real. */
int origin_merge_end(struct vss_ctx *ctx, const char *volume, uint64_t sectors, bool others);
/* Whether VOLUME's live table is snapshot-origin, or snapshot-merge (a
 * revert under way), over its -real. */
bool origin_layered(struct vss_ctx *ctx, const char *volume);

/* For recovery (revert-recover.c): finishes reverts that are over, starts
 * scheduled ones whose volume is free now. */
int revert_recover(struct vss_ctx *ctx, int *fixed);
/* cow's merges (revert-merge.c). What recovery does for REC's shadow I,
 * if anything: 0 nothing or done (*FINISHED when the shadow left the
 * set), -errno. */
int revert_merge_recover(struct vss_ctx *ctx, struct set_rec *rec, size_t i, bool *finished,
			 int *fixed);
/* Whether VOLUME is merging SH now, and how far: *LEFT sectors still to
 * go. 0 merging; 1 not merging SH; -errno. */
int revert_merge_status(struct vss_ctx *ctx, const struct shadow_rec *sh, uint64_t *left);
/* Starts the merge of REC's shadow I into its volume, which nothing holds. */
int revert_merge_start(struct vss_ctx *ctx, struct set_rec *rec, size_t i);
/* Whether anything holds VOLUME (WHY says what, "" when nothing): a revert
 * must not change data in use. */
int revert_volume_busy(struct vss_ctx *ctx, const char *volume, char *why, size_t len);

/* ---- the window marker under RUN_DIR: origins being suspended ---- */
int window_mark(struct vss_ctx *ctx, char **volumes, char **uuids, size_t n);
void window_clear(struct vss_ctx *ctx);
/* Whether a create-set's window marker names VOLUME: it may be suspended
 * at any moment, and nothing of ours may read it (a read would block). */
bool window_names(struct vss_ctx *ctx, const char *volume);
/* Resumes every origin a dead process left suspended. */
int window_recover(struct vss_ctx *ctx, int *fixed);

/* ---- the thin provider (thin.c) ---- */

/* SH as a thin shadow of VOLUME, a thin volume vss made: 0; -ENOENT (no
 * message) when VOLUME is not one. Its id is handed out here. */
int thin_plan(struct vss_ctx *ctx, const char *volume, struct shadow_rec *sh);
/* In the window, every origin suspended: the snapshot taken in the pool. */
int thin_snap(struct vss_ctx *ctx, const struct shadow_rec *sh);
/* SH's device (thin on its id), unless it is there; *MADE says it was not. */
int thin_shadow_make(struct vss_ctx *ctx, const struct shadow_rec *sh, bool *made);
/* SH's snapshot deleted from its pool (its device must be gone). */
int thin_release(struct vss_ctx *ctx, const struct shadow_rec *sh);
/* SH's state and use (its pool's data) for list sets. */
void thin_state(struct vss_ctx *ctx, const struct shadow_rec *sh, struct vss_shadow *d);
/* A revert of REC's thin shadow I: its volume now on the snapshot's data,
 * the shadow out of the set. Each step looks first, so it finishes one cut
 * short. The volume must not be in use. */
int thin_swap(struct vss_ctx *ctx, struct set_rec *rec, size_t i);

#endif
