/*
 * The chain provider: many dm-snapshot shadows of one volume at the cost of
 * one, as Windows' diff area keeps them. Only the newest shadow is copied
 * out to on a write; each older one reads through the next newer one and
 * keeps in its COW only what changed between its instant and the next.
 *
 * Each shadow K has a base, a linear device it sits on:
 *
 *   volume   = snapshot-origin(base N)        N: the newest
 *   shadow K = snapshot(base K, COW K)         read-only
 *   base N   = linear(-real)
 *   base K   = linear(shadow K+1)              K older than N
 *
 * A write to the volume is copied out only to the shadows on the device
 * under its snapshot-origin: base N's, shadow N. Re-pointing an older
 * shadow is a reload of its base's linear table, which reads nothing, so
 * it fits in a freeze window; a snapshot table would read its whole COW
 * when loaded, and cannot be loaded over a device with no live table.
 *
 * Making shadow N+1 (create-set):
 *   before the window: base N+1 and shadow N+1 made live (nothing writes
 *   through base N+1 yet, so its shadow copies nothing out); base N's
 *   table linear(shadow N+1) and the volume's snapshot-origin(base N+1)
 *   loaded inactive;
 *   in the window, the volume suspended: base N resumed (its new table
 *   takes over), then the volume's resume swaps its table in.
 *
 * Deleting shadow K, whose older neighbour J (K-1) reads through it:
 *   its chunks that J lacks (from the two exception tables, never by
 *   comparing data) are written into J through J's device, which files
 *   them in J's COW; then base J is re-pointed at what base K was on.
 *   When K is the newest, that is -real and the volume moves onto base J:
 *   in a short suspend of the volume, a second pass copies what K took in
 *   during the first, then base J and the volume take their new tables.
 *   The oldest needs no copy: nothing reads through it.
 *
 * Records keep each shadow's base (name and uuid: provider fields), and,
 * while its set is made, the base it re-points (repoint). The order of a
 * chain is its sets' instants.
 */
#ifndef VSS_CHAIN_H
#define VSS_CHAIN_H

#include "dm.h"
#include "setrec.h"

/* Unless asked otherwise: each level of a chain maps every I/O chunk by
 * chunk, so the oldest of 64 reads at 8% of the newest's rate with 4K
 * chunks and at 72% with 64K ones (bench/chain-shadows). */
#define CHAIN_DEFAULT_CHUNK_BYTES (64 * 1024)

/* The provider fields chain keeps in a shadow's record. */
#define CHAIN_BASE "base"
#define CHAIN_BASE_UUID "base_uuid"
#define CHAIN_REPOINT "repoint"
#define CHAIN_SEQ "seq"           /* its place in the chain, from 1 */
#define CHAIN_REVERTED "reverted" /* a revert to it wrote its data back */

struct chain_link {
	char set[37];
	long long created_us;
	unsigned long long seq;   /* CHAIN_SEQ, 0 where the record has none,
				   * CHAIN_MAKING for a set being made */
	struct shadow_rec sh;
};
#define CHAIN_MAKING (~0ULL)

/* The chain shadows of VOLUME in committed sets other than EXCEPT (may be
 * NULL), oldest first (by their places; their sets' instants where those
 * tie), into *LINKS (malloc'd, *N of them). A record that
 * cannot be read is an error: a chain must not be guessed. */
int chain_of(struct vss_ctx *ctx, const char *volume, const char *except,
	     struct chain_link **links, size_t *n);

/* The same for activate, with a shadow being made (a create's journal,
 * cut short by a reboot) as the newest: if its window went by, the older
 * ones read through it, and they must until its undo merges it. */
int chain_of_all(struct vss_ctx *ctx, const char *volume, struct chain_link **links, size_t *n);

/* Whether link L is older than REC's shadow I (by place, else instant). */
bool chain_older(const struct chain_link *l, const struct set_rec *rec, size_t i);

/* The device BASE's table (live, or INACTIVE) is a linear over, into
 * *DEV; *HAS false when it has no such table (or BASE is not there). */
int chain_base_target(struct vss_ctx *ctx, const char *base, bool inactive,
		      struct vss_devno *dev, bool *has);
/* Makes SH's base over DEV, live, unless it is there (and vss's). */
int chain_base_make(struct vss_ctx *ctx, const struct shadow_rec *sh, struct vss_devno dev);
/* Loads BASE's table as a linear over DEV of SECTORS, inactive, unless its
 * live table is that already (*LOADED says). */
int chain_base_point(struct vss_ctx *ctx, const char *base, struct vss_devno dev,
		     uint64_t sectors, bool *loaded);
/* How many of the opens of SH's shadow are its chain's own (a base on
 * it, live or loaded). */
int chain_own_opens(struct vss_ctx *ctx, const struct shadow_rec *sh);
/* Resumes NAME (a loaded table taking over), udev told UDEV, and waits
 * for udev. */
int chain_resume(struct vss_ctx *ctx, const char *name, enum vss_dm_udev udev);
/* SH's shadow made writable (RW), or read-only again: its table loaded
 * anew the other way, the kernel handing its exceptions over in memory. */
int chain_writable(struct vss_ctx *ctx, const struct shadow_rec *sh, bool rw);

/* Writes into INTO, through its device, every chunk FROM holds that INTO
 * lacks (as FROM shows it, which is what INTO reads through it now), so
 * that INTO no longer needs FROM. INTO must have been made writable
 * (chain_writable). Reports progress as steps on long merges. Nothing in
 * it waits on udev: a second pass runs with the volume suspended. */
enum chain_merge_how {
	CHAIN_CHECK,      /* only whether INTO's COW has the room */
	CHAIN_COPY,
	CHAIN_COPY_AGAIN, /* a second pass, after the first was said */
};
int chain_merge(struct vss_ctx *ctx, const struct shadow_rec *from, const struct shadow_rec *into,
		enum chain_merge_how how);

/* Copies the chunks CHUNKS (N of them, of CHUNK sectors, of a volume of
 * SECTORS) from dm device FROM to dm device INTO, direct, reporting
 * progress as steps when there are many. */
int chain_copy(struct vss_ctx *ctx, const char *from, const char *into, unsigned chunk,
	       uint64_t sectors, const uint64_t *chunks, size_t n);
struct cow_table;
/* The chunks SH's COW (its table T) must have left to take N more, with
 * the metadata areas they open; *LEFT: how many it has. */
uint64_t chain_room_need(const struct shadow_rec *sh, const struct cow_table *t, size_t n,
			 uint64_t *left);

/* Writes back into REC's shadow I's volume every chunk written since its
 * instant, as the shadow shows it (chain-revert.c); with CHECK_ONLY, only
 * whether it could (the newest COW has room for what it must keep). */
int chain_revert_copy(struct vss_ctx *ctx, const struct set_rec *rec, size_t i, bool check_only);

/* Delete's step before REC's shadow I goes: its older neighbour no longer
 * reads through it (chain.h); a create's undo drops what it loaded. */
int chain_detach(struct vss_ctx *ctx, const struct set_rec *rec, size_t i);
/* Before a delete is begun: whether REC's shadow I can be detached (its
 * older neighbour active, with room for what it must take). */
int chain_detach_check(struct vss_ctx *ctx, const struct set_rec *rec, size_t i);

#endif
