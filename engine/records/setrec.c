/*
 * Set records: STATE_DIR/sets/ID.conf for a set that exists, and the same
 * format in STATE_DIR/journal/ID.conf for an operation under way (its
 * intent: what a create is about to make, what a delete is about to remove).
 */
#include "config.h"
#include "setrec.h"
#include "state.h"
#include "strv.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void set_rec_free(struct set_rec *rec)
{
	free(rec->sh);
	rec->sh = NULL;
	rec->n = 0;
}

void set_recs_free(struct set_rec *recs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		set_rec_free(&recs[i]);
	free(recs);
}

struct shadow_rec *set_rec_add(struct vss_ctx *ctx, struct set_rec *rec)
{
	struct shadow_rec *sh = realloc(rec->sh, (rec->n + 1) * sizeof(*sh));

	if (!sh) {
		vss_fail(ctx, ENOMEM, "out of memory");
		return NULL;
	}
	rec->sh = sh;
	memset(&sh[rec->n], 0, sizeof(*sh));
	return &sh[rec->n++];
}

#define COPY(dst, v) snprintf(dst, sizeof(dst), "%s", v)

static const char *const merge_names[] = { "", "scheduled", "merging", "merged", "swapping" };

/* A key of a field a provider keeps: what an ini file can hold as one. */
static bool extra_key_ok(const char *key)
{
	size_t n = strspn(key, "abcdefghijklmnopqrstuvwxyz_0123456789");

	return n && !key[n] && n < sizeof(((struct shadow_extra *)0)->key);
}

const char *shadow_extra(const struct shadow_rec *sh, const char *key)
{
	for (unsigned i = 0; i < sh->nextra; i++)
		if (!strcmp(sh->extra[i].key, key))
			return sh->extra[i].value;
	return NULL;
}

void shadow_extra_unset(struct shadow_rec *sh, const char *key)
{
	for (unsigned i = 0; i < sh->nextra; i++) {
		if (strcmp(sh->extra[i].key, key))
			continue;
		memmove(&sh->extra[i], &sh->extra[i + 1], (sh->nextra - i - 1) * sizeof(sh->extra[0]));
		sh->nextra--;
		return;
	}
}

static int extra_put(struct shadow_rec *sh, const char *key, const char *value)
{
	unsigned i = 0;

	while (i < sh->nextra && strcmp(sh->extra[i].key, key))
		i++;
	if (!extra_key_ok(key) || strchr(value, '\n') ||
	    strlen(value) >= sizeof(sh->extra[0].value))
		return -EINVAL;
	if (i == sh->nextra) {
		if (i == SHADOW_EXTRA_MAX)
			return -E2BIG;
		sh->nextra++;
	}
	COPY(sh->extra[i].key, key);
	COPY(sh->extra[i].value, value);
	return 0;
}

/* The keys of a [shadow N] section records read themselves (shadow_field,
 * on_value): a provider's field named as one would be read back as it. */
static const char *const known_keys[] = {
	"volume", "origin_uuid", "provider", "dm_name", "dm_uuid", "cow_name", "cow_uuid", "area",
	"cow_file", "cow_offset", "cow_sectors", "origin_sectors", "chunk", "exposed",
	"exposed_made_dir", "pool", "thin_id", "merge", NULL
};

int shadow_extra_set(struct vss_ctx *ctx, struct shadow_rec *sh, const char *key,
		     const char *value)
{
	int r;

	for (const char *const *k = known_keys; *k; k++)
		if (!strcmp(key, *k))
			return vss_fail(ctx, EINVAL, "shadow of %s: cannot record %s: records keep "
					"that field themselves", sh->volume, key);
	r = extra_put(sh, key, value);

	if (r == -E2BIG)
		return vss_fail(ctx, E2BIG, "shadow of %s: cannot record %s: a shadow keeps at most "
				"%d fields of its provider's", sh->volume, key, SHADOW_EXTRA_MAX);
	return r ? vss_fail(ctx, -r, "shadow of %s: cannot record %s: a key is a word of [a-z0-9_] "
			    "and its value one line of less than %zu bytes", sh->volume, key,
			    sizeof(sh->extra[0].value)) : 0;
}

/* A provider's name, as records keep it: a word. */
static bool provider_word(const char *s)
{
	size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789");

	return n && !s[n] && n < sizeof(((struct shadow_rec *)0)->provider);
}

const char *merge_state_name(enum merge_state m)
{
	return (unsigned)m <= MERGE_SWAP ? merge_names[m] : "?";
}

static int set_field(struct set_rec *r, const char *key, const char *v)
{
	if (!strcmp(key, "id"))
		COPY(r->id, v);
	else if (!strcmp(key, "label"))
		COPY(r->label, v);
	else if (!strcmp(key, "context"))
		return vss_context_parse(v, &r->context) == 0;
	else if (!strcmp(key, "created_us"))
		return sscanf(v, "%lld", &r->created_us) == 1;
	else if (!strcmp(key, "freeze_us"))
		return sscanf(v, "%" SCNu64, &r->freeze_us) == 1;
	else if (!strcmp(key, "owner_pid"))
		return sscanf(v, "%ld", &r->owner_pid) == 1;
	else if (!strcmp(key, "owner_start"))
		return sscanf(v, "%llu", &r->owner_start) == 1;
	else if (!strcmp(key, "owner_boot"))
		COPY(r->owner_boot, v);
	else if (!strcmp(key, "op"))
		COPY(r->op, v);
	return 1;
}

static int shadow_field(struct shadow_rec *s, const char *key, const char *v)
{
	if (!strcmp(key, "origin_uuid"))
		COPY(s->origin_uuid, v);
	else if (!strcmp(key, "provider")) {
		if (!provider_word(v[0] ? v : "cow"))
			return 0;
		COPY(s->provider, v[0] ? v : "cow");
	}
	else if (!strcmp(key, "dm_name"))
		COPY(s->dm_name, v);
	else if (!strcmp(key, "dm_uuid"))
		COPY(s->dm_uuid, v);
	else if (!strcmp(key, "cow_name"))
		COPY(s->cow_name, v);
	else if (!strcmp(key, "cow_uuid"))
		COPY(s->cow_uuid, v);
	else if (!strcmp(key, "area"))
		COPY(s->area, v);
	else if (!strcmp(key, "cow_file"))
		COPY(s->cow_file, v);
	else if (!strcmp(key, "cow_offset"))
		return sscanf(v, "%" SCNu64, &s->cow_offset) == 1;
	else if (!strcmp(key, "cow_sectors"))
		return sscanf(v, "%" SCNu64, &s->cow_sectors) == 1;
	else if (!strcmp(key, "origin_sectors"))
		return sscanf(v, "%" SCNu64, &s->origin_sectors) == 1;
	else if (!strcmp(key, "chunk"))
		return sscanf(v, "%u", &s->chunk) == 1;
	else if (!strcmp(key, "exposed"))
		COPY(s->exposed, v);
	else if (!strcmp(key, "exposed_made_dir"))
		return sscanf(v, "%d", &s->exposed_made_dir) == 1;
	else if (!strcmp(key, "pool"))
		COPY(s->pool, v);
	else if (!strcmp(key, "thin_id"))
		return sscanf(v, "%u", &s->thin_id) == 1;
	else if (!strcmp(key, "merge")) {
		for (int m = MERGE_SCHEDULED; m <= MERGE_SWAP; m++)
			if (!strcmp(v, merge_names[m])) {
				s->merge = (enum merge_state)m;
				return 1;
			}
		return 0;
	} else if (strcmp(key, "volume"))
		return extra_put(s, key, v) == 0;
	return 1;
}

struct parse {
	struct vss_ctx *ctx;
	struct set_rec *rec;
	int oom;
	char section[32];
};

static int on_value(void *data, const char *section, const char *key, const char *value)
{
	struct parse *p = data;
	struct set_rec *r = p->rec;

	if (!strcmp(section, "set"))
		return set_field(r, key, value);
	if (strncmp(section, "shadow ", 7))
		return 1;
	/* One [shadow N] section a shadow: a volume's name can be longer
	 * than inih keeps of a section's, so it is a value. */
	if (!r->n || strcmp(p->section, section)) {
		if (!set_rec_add(p->ctx, r)) {
			p->oom = 1;
			return 0;
		}
		snprintf(p->section, sizeof(p->section), "%s", section);
	}
	if (!strcmp(key, "volume"))
		COPY(r->sh[r->n - 1].volume, value);
	return shadow_field(&r->sh[r->n - 1], key, value);
}

static void rel_of(const char *dir, const char *id, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s.conf", dir, id);
}

static bool has_prefix(const char *s, const char *prefix, const char *id)
{
	size_t pl = strlen(prefix), il = strlen(id);

	return !strncmp(s, prefix, pl) && !strncmp(s + pl, id, il) && s[pl + il] == '-';
}

/* A record is data, never an instruction: what it names must be what vss
 * gives its own shadows (devices named vss-..., uuids of this set, COW
 * files named SET-VOLUME.cow), so a record written by someone else cannot
 * make root remove, detach or unmount anything else. (Where a COW file
 * lies, storage_check sees; a mount point is acted on only where the
 * shadow is mounted.) */
static int vouch(struct vss_ctx *ctx, const char *rel, const struct set_rec *rec,
		 const struct shadow_rec *sh)
{
	const char *what = NULL, *value = NULL;
	char cow[300];

	snprintf(cow, sizeof(cow), "/%.36s-%.128s.cow", rec->id, sh->volume);
	if (strncmp(sh->dm_name, "vss-", 4))
		what = "dm_name", value = sh->dm_name;
	else if (!has_prefix(sh->dm_uuid, SNAP_UUID_PREFIX, rec->id))
		what = "dm_uuid", value = sh->dm_uuid;
	else if (sh->cow_name[0] && strncmp(sh->cow_name, "vss-", 4))
		what = "cow_name", value = sh->cow_name;
	else if (sh->cow_uuid[0] && !has_prefix(sh->cow_uuid, COW_UUID_PREFIX, rec->id))
		what = "cow_uuid", value = sh->cow_uuid;
	else if (sh->cow_file[0] && (sh->cow_file[0] != '/' || strlen(sh->cow_file) <= strlen(cow) ||
				     strcmp(sh->cow_file + strlen(sh->cow_file) - strlen(cow), cow)))
		what = "cow_file", value = sh->cow_file;
	else if (sh->exposed[0] && sh->exposed[0] != '/')
		what = "exposed", value = sh->exposed;
	if (!what)
		return 0;
	return vss_fail_kind(ctx, VSS_ERR_USAGE, EPERM, "%s/%s: %s %s is not what vss records for "
			     "a shadow of %s: refused", ctx->state_dir, rel, what, value, sh->volume);
}

int set_rec_load(struct vss_ctx *ctx, const char *dir, const char *id, struct set_rec *rec)
{
	struct parse p = { .ctx = ctx, .rec = rec };
	char rel[128];
	int r;

	memset(rec, 0, sizeof(*rec));
	rel_of(dir, id, rel, sizeof(rel));
	r = vss_state_read(ctx, rel, on_value, &p);
	if (p.oom)
		r = vss_fail(ctx, ENOMEM, "out of memory");
	if (r == 0 && (strcmp(rec->id, id) || !rec->n))
		r = vss_fail(ctx, EBADMSG, "%s/%s: damaged set record", ctx->state_dir, rel);
	for (size_t i = 0; r == 0 && i < rec->n; i++)
		if (!rec->sh[i].provider[0])
			COPY(rec->sh[i].provider, "cow");
	for (size_t i = 0; r == 0 && i < rec->n; i++)
		/* What each provider needs of its own is its to check
		 * (provider_of). */
		if (!rec->sh[i].volume[0] || !rec->sh[i].dm_name[0] || !rec->sh[i].origin_sectors)
			r = vss_fail(ctx, EBADMSG, "%s/%s: damaged set record (shadow of %s)",
				     ctx->state_dir, rel, rec->sh[i].volume);
	for (size_t i = 0; r == 0 && i < rec->n; i++)
		r = vouch(ctx, rel, rec, &rec->sh[i]);
	if (r)
		set_rec_free(rec);
	return r;
}

/* Appends to a growing buffer; *LEN is -1 once it ran out. */
__attribute__((format(printf, 4, 5)))
static void put(char *buf, size_t cap, long *len, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*len < 0)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *len, cap - (size_t)*len, fmt, ap);
	va_end(ap);
	*len = n < 0 || (size_t)n >= cap - (size_t)*len ? -1 : *len + n;
}

int set_rec_save(struct vss_ctx *ctx, const char *dir, const struct set_rec *r)
{
	size_t cap = 1024 + r->n * 16384;
	char *buf = malloc(cap), rel[128];
	long len = 0;
	int ret;

	if (!buf)
		return vss_fail(ctx, ENOMEM, "out of memory");
	put(buf, cap, &len, "# %s. Written by vss: do not edit.\n[set]\nid = %s\n",
	    r->op[0] ? "What an operation under way intends" : "A shadow copy set", r->id);
	if (r->op[0])
		put(buf, cap, &len, "op = %s\n", r->op);
	if (r->label[0])
		put(buf, cap, &len, "label = %s\n", r->label);
	put(buf, cap, &len, "context = %s\ncreated_us = %lld\nfreeze_us = %" PRIu64 "\n",
	    vss_context_name(r->context), r->created_us, r->freeze_us);
	if (r->owner_pid)
		put(buf, cap, &len, "owner_pid = %ld\nowner_start = %llu\nowner_boot = %s\n",
		    r->owner_pid, r->owner_start, r->owner_boot);
	for (size_t i = 0; i < r->n; i++) {
		const struct shadow_rec *s = &r->sh[i];

		put(buf, cap, &len,
		    "\n[shadow %zu]\nvolume = %s\norigin_uuid = %s\nprovider = %s\ndm_name = %s\n"
		    "dm_uuid = %s\ncow_name = %s\ncow_uuid = %s\narea = %s\n",
		    i, s->volume, s->origin_uuid, s->provider, s->dm_name, s->dm_uuid, s->cow_name,
		    s->cow_uuid, s->area);
		if (s->cow_file[0])
			put(buf, cap, &len, "cow_file = %s\n", s->cow_file);
		put(buf, cap, &len,
		    "cow_offset = %" PRIu64 "\ncow_sectors = %" PRIu64 "\norigin_sectors = %" PRIu64
		    "\nchunk = %u\n", s->cow_offset, s->cow_sectors, s->origin_sectors, s->chunk);
		if (s->exposed[0])
			put(buf, cap, &len, "exposed = %s\nexposed_made_dir = %d\n", s->exposed,
			    s->exposed_made_dir);
		if (s->pool[0])
			put(buf, cap, &len, "pool = %s\nthin_id = %u\n", s->pool, s->thin_id);
		if (s->merge != MERGE_NONE)
			put(buf, cap, &len, "merge = %s\n", merge_state_name(s->merge));
		for (unsigned e = 0; e < s->nextra; e++)
			put(buf, cap, &len, "%s = %s\n", s->extra[e].key, s->extra[e].value);
	}
	if (len < 0) {
		free(buf);
		return vss_fail(ctx, E2BIG, "set %s: record too large", r->id);
	}
	rel_of(dir, r->id, rel, sizeof(rel));
	ret = vss_state_write(ctx, rel, buf, (size_t)len);
	free(buf);
	return ret;
}

bool set_rec_exists(struct vss_ctx *ctx, const char *dir, const char *id)
{
	char rel[128];
	struct stat st;
	int top = vss_state_fd(ctx);

	rel_of(dir, id, rel, sizeof(rel));
	/* Whatever is there counts: what cannot be read is not thrown away. */
	return top >= 0 && fstatat(top, rel, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

int set_rec_unlink(struct vss_ctx *ctx, const char *dir, const char *id)
{
	char rel[128];
	int r;

	rel_of(dir, id, rel, sizeof(rel));
	r = vss_state_unlink(ctx, rel);
	return r == -ENOENT ? 0 : r;
}

static int by_time(const void *a, const void *b)
{
	const struct set_rec *x = a, *y = b;

	if (x->created_us != y->created_us)
		return x->created_us < y->created_us ? -1 : 1;
	return strcmp(x->id, y->id);
}

static int list(struct vss_ctx *ctx, const char *dir, struct set_rec **recsp, size_t *np,
		bool strict)
{
	struct set_rec *recs = NULL;
	char **ids = NULL;
	size_t nids = 0, n = 0;
	int r;

	*recsp = NULL;
	*np = 0;
	if ((r = vss_state_list(ctx, dir, ".conf", &ids, &nids)))
		return r;
	if (nids && !(recs = calloc(nids, sizeof(*recs)))) {
		vss_strv_free(ids, nids);
		return vss_fail(ctx, ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < nids; i++) {
		if ((r = set_rec_load(ctx, dir, ids[i], &recs[n]))) {
			if (r == -ENOMEM || strict) {
				if (strict && r != -ENOMEM) {
					char msg[sizeof(ctx->errmsg)];

					snprintf(msg, sizeof(msg), "%s", ctx->errmsg);
					/* A refusal stays one (exit 2). */
					vss_fail_kind(ctx, vss_errkind(ctx), -r, "%.900s (vss will not "
						      "guess what it held: repair it or move it away)",
						      msg);
				}
				set_recs_free(recs, n);
				vss_strv_free(ids, nids);
				return r;
			}
			vss_log(ctx, VSS_LEVEL_WARNING, "%s", vss_errmsg(ctx));
			continue;
		}
		n++;
	}
	vss_strv_free(ids, nids);
	if (n)
		qsort(recs, n, sizeof(*recs), by_time);
	*recsp = recs;
	*np = n;
	return 0;
}

int set_rec_list(struct vss_ctx *ctx, const char *dir, struct set_rec **recs, size_t *n)
{
	return list(ctx, dir, recs, n, false);
}

int set_rec_list_strict(struct vss_ctx *ctx, const char *dir, struct set_rec **recs, size_t *n)
{
	return list(ctx, dir, recs, n, true);
}

int set_volume_in_use(struct vss_ctx *ctx, const char *volume, const char *except)
{
	static const char *const dirs[] = { "sets", "journal" };
	int used = 0;

	for (size_t d = 0; d < 2 && !used; d++) {
		struct set_rec *recs;
		size_t n;
		int r;

		if ((r = set_rec_list_strict(ctx, dirs[d], &recs, &n)))
			return r;
		for (size_t i = 0; i < n && !used; i++) {
			if (except && !strcmp(recs[i].id, except))
				continue;
			/* A set being deleted still holds its shadows until done. */
			for (size_t j = 0; j < recs[i].n && !used; j++)
				used = !strcmp(recs[i].sh[j].volume, volume);
		}
		set_recs_free(recs, n);
	}
	return used;
}

const char *vss_context_name(enum vss_context c)
{
	return c == VSS_CONTEXT_AUTO_RELEASE ? "auto-release" : "persistent";
}

int vss_context_parse(const char *s, enum vss_context *c)
{
	if (!strcmp(s, "persistent"))
		*c = VSS_CONTEXT_PERSISTENT;
	else if (!strcmp(s, "auto-release"))
		*c = VSS_CONTEXT_AUTO_RELEASE;
	else
		return -EINVAL;
	return 0;
}

const char *vss_shadow_state_name(enum vss_shadow_state s)
{
	switch (s) {
	case VSS_SHADOW_VALID: return "valid";
	case VSS_SHADOW_INVALID: return "invalid";
	case VSS_SHADOW_MISSING: return "missing";
	case VSS_SHADOW_REVERT_SCHEDULED: return "revert-scheduled";
	case VSS_SHADOW_MERGING: return "merging";
	}
	return "?";
}

/* Whether the storage policy is weighing the deletion of set ID: its
 * storage then counts as free already. */
static bool ignored(const struct vss_ctx *ctx, const char *id)
{
	for (size_t i = 0; i < ctx->nalloc_ignore; i++)
		if (!strcmp(ctx->alloc_ignore[i].id, id))
			return true;
	return false;
}

/* Committed sets, and operations under way (a set being deleted counts
 * once). */
int set_recs_holding(struct vss_ctx *ctx, struct set_rec **recsp, size_t *np)
{
	struct set_rec *sets, *jour, *all;
	size_t ns, nj, n;
	int r;

	if ((r = set_rec_list_strict(ctx, "sets", &sets, &ns)))
		return r;
	if ((r = set_rec_list_strict(ctx, "journal", &jour, &nj))) {
		set_recs_free(sets, ns);
		return r;
	}
	all = realloc(sets, (ns + nj + 1) * sizeof(*all));
	if (!all) {
		set_recs_free(sets, ns);
		set_recs_free(jour, nj);
		return vss_fail(ctx, ENOMEM, "out of memory");
	}
	n = ns;
	for (size_t j = 0; j < nj; j++) {
		bool dup = false;

		for (size_t i = 0; i < ns && !dup; i++)
			dup = !strcmp(all[i].id, jour[j].id);
		if (dup)
			set_rec_free(&jour[j]);
		else
			all[n++] = jour[j];
	}
	free(jour);
	/* The sets the policy weighs deleting count as gone already. */
	for (size_t i = 0; i < n;) {
		if (ignored(ctx, all[i].id)) {
			set_rec_free(&all[i]);
			all[i] = all[--n];
		} else
			i++;
	}
	*recsp = all;
	*np = n;
	return 0;
}
