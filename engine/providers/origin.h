/*
 * Origins: the -real layer under a volume whose shadows are layered on it
 * (cow's), with the volume itself on snapshot-origin over it.
 */
#ifndef VSS_ORIGIN_H
#define VSS_ORIGIN_H

#include "dm.h"
#include "setrec.h"

/* How a volume with shadows is layered: snapshot-origin over -real, whose
 * every shadow sits on -real too (cow); or over a base, a linear of -real
 * that vss made (uuid BASE_UUID_PREFIX) on which only the newest shadow of
 * a chain sits (chain.h). A write reaches the shadows of one kind only. */
enum origin_kind { ORIGIN_NONE, ORIGIN_DIRECT, ORIGIN_BASED };

/* Which of them TAB (a volume's table) is, over -real REAL; a base's info
 * into BASE (may be NULL). */
enum origin_kind origin_kind_of(struct vss_ctx *ctx, const struct vss_dm_table *tab,
				const struct vss_dm_info *real, struct vss_dm_info *base);
/* Whether shadows layered WANT's way can be put under VOLUME: its table is
 * stateless (or already on vss's -real, that way: -EXDEV the other way),
 * and no foreign device has the -real name. */
int origin_usable(struct vss_ctx *ctx, const char *volume, enum origin_kind want);
/* Makes sure VOLUME (with SECTORS) has its -real device: records its table
 * and creates vss-VOLUME-real. *MADE says whether this call made it. */
int origin_prepare(struct vss_ctx *ctx, const char *volume, const char *origin_uuid,
		   enum origin_kind want, bool *made, unsigned *real_major,
		   unsigned *real_minor);
/* The snapshot-origin table VOLUME needs (inactive until resumed), unless
 * it already has it. *LOADED says whether a table was loaded. */
int origin_load(struct vss_ctx *ctx, const char *volume, uint64_t sectors, bool *loaded);
/* The same over the device MAJOR:MINOR (a chain's newest base). */
int origin_load_over(struct vss_ctx *ctx, const char *volume, uint64_t sectors,
		     unsigned major, unsigned minor, bool *loaded);
/* Gives VOLUME its own table back and removes the -real layer, and any
 * base over it that no shadow holds. */
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
/* Whether VOLUME's live table is snapshot-origin (either way), or
 * snapshot-merge (a revert under way), over its -real. */
bool origin_layered(struct vss_ctx *ctx, const char *volume);

#endif
