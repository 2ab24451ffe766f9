/*
 * Providers: where a shadow's data comes from. Each kind of shadow (cow:
 * dm-snapshot with a COW in a storage area; thin: a dm-thin snapshot in the
 * volume's pool) is one table of operations, as LVM's segment types are,
 * so that a set's life - made, listed, deleted - is written once, blind to
 * which provider each shadow has. A new provider is one folder of ops and
 * a line in provider.c's table: records keep its name, and any fields of
 * its own (shadow_extra), without knowing it.
 *
 * Every operation works on one shadow and is called for each shadow of a
 * set in turn, at the step its name says. make_storage, make_devices,
 * load_origin, after_window, attach, origin_dev, vouch, revert_check,
 * keeps_loaded, detach, detach_check, own_opens, expose_dev and unexposed
 * are NULL where
 * a provider has nothing to do; revert_left is NULL where revert_at_once;
 * the others are always there. Each may be called again on a shadow it
 * already did (a recovery finishing a cut-short operation): it looks
 * before it acts.
 */
#ifndef VSS_PROVIDER_H
#define VSS_PROVIDER_H

#include "dm.h"
#include "setrec.h"

#include <stdint.h>
#include <sys/types.h>

/* What planning a shadow knows of the set being made. */
struct plan_input {
	const struct vss_create_opts *opts;
	const struct set_rec *set;  /* the plan so far: room its shadows took counts */
	const dev_t *devs;          /* every volume of the set (no COW may go on one) */
	char *const *names;
	size_t n;
	size_t index;               /* the shadow's place in the set, for its names */
	uint64_t volume_bytes;
};

struct provider {
	const char *name;           /* as records and listings name it */
	/* Whether its shadows layer the origin (a -real under it, the origin
	 * on snapshot-origin): delete restores the origin's table then. */
	bool layers_origin;
	/* Whether each shadow has room of its own (a COW) that the monitor
	 * weighs; else its room is shared (a pool's), weighed as such. */
	bool own_room;

	/* ---- whenever a record is acted on: whether SH's record holds
	 * what this provider needs (records are read below the providers,
	 * and check only what every shadow has) ---- */
	bool (*complete)(const struct shadow_rec *sh);

	/* ---- create-set, as each volume is resolved, under the lock and
	 * before anything is planned: what this provider refuses of VOLUME
	 * (SIZE bytes) with O. -ENOENT: it cannot serve the volume at all;
	 * with no message unless ASKED (--provider named it), for auto then
	 * tries the next. ---- */
	int (*check)(struct vss_ctx *ctx, const char *volume, uint64_t size,
		     const struct vss_create_opts *o, bool asked);
	/* ---- create-set's plan, once the writers have answered identify
	 * and prepare-backup and before the journal is written: SH (its
	 * volume, names, uuid filled in) gets its provider's fields and its
	 * storage chosen and counted, nothing made ---- */
	int (*plan)(struct vss_ctx *ctx, struct shadow_rec *sh, const struct plan_input *in);

	/* ---- create-set, before the window (each step for every shadow,
	 * then a fault point, so a kill between steps is recovered) ---- */
	/* The storage the shadow will write to. */
	int (*make_storage)(struct vss_ctx *ctx, struct shadow_rec *sh);
	/* The shadow's devices, loaded inactive. */
	int (*make_devices)(struct vss_ctx *ctx, struct shadow_rec *sh);
	/* The origin's new table loaded, inactive. */
	int (*load_origin)(struct vss_ctx *ctx, struct shadow_rec *sh);
	/* ---- in the window, every origin suspended: suspend-time work only,
	 * no allocation, no file written, nothing that waits on udev ---- */
	int (*in_window)(struct vss_ctx *ctx, struct shadow_rec *sh, uint32_t *cookie);
	/* ---- after the window, before the set is committed ---- */
	int (*after_window)(struct vss_ctx *ctx, struct shadow_rec *sh);
	/* The log line for a shadow made: what it is and where it lives. */
	void (*describe)(const struct shadow_rec *sh, char *buf, size_t len);

	/* ---- activate, after a reboot (each looks first: a second run
	 * makes only what is missing) ---- */
	/* The shadow's storage back, even for a shadow being merged (the
	 * merge reads it). */
	int (*attach)(struct vss_ctx *ctx, const struct shadow_rec *sh, bool *made);
	/* Its device: a layered one's loaded over the origin's -real
	 * (RMAJ:RMIN), inactive, to go live with its volume; another's made
	 * live once the volumes are back. */
	int (*activate)(struct vss_ctx *ctx, const struct shadow_rec *sh, unsigned rmaj,
			unsigned rmin, bool *made);
	/* A layered one's: the device its volume's snapshot-origin sits on
	 * (chain: its newest base), into *DEV; NULL: -real. */
	int (*origin_dev)(struct vss_ctx *ctx, const struct shadow_rec *sh, struct vss_devno *dev);

	/* ---- expose, unexpose and whatever looks for a shadow's mounts:
	 * the dm device mounted for SH, into NAME (and its uuid, UUID, both
	 * of at least 130 bytes), made read-only when MAKE and missing;
	 * NULL: its own device. A chained shadow is claimed by the base on
	 * it, and a mount needs a device nothing claims: its view. ---- */
	int (*expose_dev)(struct vss_ctx *ctx, const struct shadow_rec *sh, bool make, char *name,
			  char *uuid);
	/* After SH's last mount went: what expose_dev made goes. NULL: none. */
	int (*unexposed)(struct vss_ctx *ctx, const struct shadow_rec *sh);

	/* ---- list, show, monitor: what the kernel says now of a shadow whose
	 * device is there; D's state, why and use ---- */
	void (*state)(struct vss_ctx *ctx, const struct shadow_rec *sh, struct vss_shadow *d);

	/* ---- delete, before anything is touched: refuses (VSS_ERR_USAGE)
	 * when the record names storage that is not what vss made ---- */
	int (*vouch)(struct vss_ctx *ctx, const struct shadow_rec *sh);

	/* ---- revert (revert.c) ---- */
	/* What this provider refuses to revert now, with the reason; NULL:
	 * nothing more than every revert's checks. */
	int (*revert_check)(struct vss_ctx *ctx, const struct set_rec *rec, size_t i);
	/* Reverts REC's shadow I, its volume free: done at once, the shadow
	 * out of REC (REVERT_AT_ONCE: thin's swap), or started, to be waited
	 * for (cow's merge). */
	bool revert_at_once;
	int (*revert_start)(struct vss_ctx *ctx, struct set_rec *rec, size_t i);
	/* A revert started and not done at once: 0 and *LEFT sectors still to
	 * go; 1 when it is not under way; -errno. */
	int (*revert_left)(struct vss_ctx *ctx, const struct shadow_rec *sh, uint64_t *left);
	/* Recovery: takes up REC's shadow I, whose record says a revert of it
	 * is scheduled or under way; *FINISHED when it left the set. */
	int (*revert_recover)(struct vss_ctx *ctx, struct set_rec *rec, size_t i, bool *finished,
			      int *fixed);

	/* ---- recovery, and a failed window: VOLUME was left suspended
	 * with a table loaded on it: whether that table must go live, the
	 * layering under the volume already changed to need it. From the
	 * kernel's tables alone: the state directory may be on VOLUME.
	 * NULL: never (the table is dropped). ---- */
	bool (*keeps_loaded)(struct vss_ctx *ctx, const char *volume);

	/* ---- delete (and undo), before the shadow's device goes: REC's
	 * shadow I taken out of whatever of the provider's own rests on it
	 * (chain: the older neighbour reading through it). NULL: nothing.
	 * OWN_OPENS: how many opens of SH's device those are (a delete is
	 * refused for the others); NULL: none. ---- */
	int (*detach)(struct vss_ctx *ctx, const struct set_rec *rec, size_t i);
	/* Before a delete is begun (nothing changed yet): whether detach
	 * could be done; NULL: always. */
	int (*detach_check)(struct vss_ctx *ctx, const struct set_rec *rec, size_t i);
	int (*own_opens)(struct vss_ctx *ctx, const struct shadow_rec *sh);

	/* ---- delete (and undo): the shadow's storage let go, its device
	 * already gone ---- */
	int (*release)(struct vss_ctx *ctx, const struct shadow_rec *sh);
};

/* SH's provider; when its record names none this vss has, or lacks what
 * its provider needs, one whose every step refuses with the reason (and
 * whose shadows list as invalid). Never NULL. */
const struct provider *provider_of(const struct shadow_rec *sh);
/* Whether SH has a provider that can act on it (provider_of's is not the
 * stand-in); when not, WHY says why. */
bool provider_usable(const struct shadow_rec *sh, char *why, size_t len);
/* The dm device (NAME, UUID, of 130 bytes each) mounted for SH: its
 * provider's expose_dev, or its own; made when MAKE. */
int provider_expose_dev(struct vss_ctx *ctx, const struct shadow_rec *sh, bool make, char *name,
			char *uuid);
/* The provider records and listings name NAME; NULL for none. */
const struct provider *provider_by_name(const char *name);
/* Into *OUT, the provider CHOICE names (NULL or "auto": the first of the
 * table that can serve VOLUME), checked for VOLUME. */
int provider_choose(struct vss_ctx *ctx, const char *choice, const char *volume, uint64_t size,
		    const struct vss_create_opts *o, const struct provider **out);

extern const struct provider cow_provider, thin_provider, chain_provider;

#endif
