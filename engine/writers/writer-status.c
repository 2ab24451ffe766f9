/*
 * What is known of writers between runs (STATE_DIR/writers.conf: each
 * writer's last state, timings and last failure), and list writers, which
 * reads it.
 */
#include "config.h"
#include "state.h"
#include "writer.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define STATUS_FILE "writers.conf"

struct statuses {
	struct vss_writer_status *s;
	size_t n;
	bool bad;
};

static int find_state(const char *name, enum vss_writer_state *st)
{
	for (int i = VSS_WRITER_STABLE; i <= VSS_WRITER_FAILED; i++)
		if (!strcmp(vss_writer_state_name((enum vss_writer_state)i), name)) {
			*st = (enum vss_writer_state)i;
			return 0;
		}
	return -EINVAL;
}

#define COPY(dst, v) snprintf(dst, sizeof(dst), "%s", v)

static int on_value(void *data, const char *section, const char *key, const char *v)
{
	struct statuses *all = data;
	struct vss_writer_status *w;

	if (strcmp(section, "writer"))
		return 1;
	if (!strcmp(key, "name")) {
		/* Each record begins with its name. */
		struct vss_writer_status *s = realloc(all->s, (all->n + 1) * sizeof(*s));

		if (!s)
			return 0;
		all->s = s;
		memset(&s[all->n], 0, sizeof(*s));
		COPY(s[all->n].name, v);
		all->n++;
		return 1;
	}
	if (!all->n) {
		all->bad = true;
		return 1;
	}
	w = &all->s[all->n - 1];
	if (!strcmp(key, "state"))
		all->bad |= find_state(v, &w->state) != 0;
	else if (!strcmp(key, "set"))
		COPY(w->set, v);
	else if (!strcmp(key, "event"))
		COPY(w->event, v);
	else if (!strcmp(key, "changed_us"))
		w->changed_us = atoll(v);
	else if (!strcmp(key, "timings"))
		COPY(w->timings, v);
	else if (!strcmp(key, "failed_event"))
		COPY(w->failed_event, v);
	else if (!strcmp(key, "failed_retryable"))
		w->failed_retryable = !strcmp(v, "1");
	else if (!strcmp(key, "failed_why"))
		COPY(w->failed_why, v);
	else if (!strcmp(key, "failed_us"))
		w->failed_us = atoll(v);
	return 1;
}

/* History is read and written on the way to other things: whatever it
 * meets must not replace the failure those report. */
struct kept_error {
	char msg[sizeof(((struct vss_ctx *)0)->errmsg)];
	enum vss_error_kind kind;
};

static void keep_error(const struct vss_ctx *ctx, struct kept_error *k)
{
	memcpy(k->msg, ctx->errmsg, sizeof(k->msg));
	k->kind = ctx->errkind;
}

static void restore_error(struct vss_ctx *ctx, const struct kept_error *k)
{
	memcpy(ctx->errmsg, k->msg, sizeof(k->msg));
	ctx->errkind = k->kind;
}

static int load(struct vss_ctx *ctx, struct statuses *all)
{
	struct kept_error k;
	int r;

	memset(all, 0, sizeof(*all));
	keep_error(ctx, &k);
	r = vss_state_read(ctx, STATUS_FILE, on_value, all);
	restore_error(ctx, &k);
	if (r == -ENOENT)
		return 0;
	if (r || all->bad) {
		/* Only history: a damaged file costs what it remembered. */
		vss_log(ctx, VSS_LEVEL_WARNING, "%s/%s: damaged; writers' history starts again",
			ctx->state_dir, STATUS_FILE);
		free(all->s);
		memset(all, 0, sizeof(*all));
	}
	return 0;
}

static int writer_status_get(struct vss_ctx *ctx, const char *name, struct vss_writer_status *st)
{
	struct statuses all;
	int r = -ENOENT;

	load(ctx, &all);
	for (size_t i = 0; i < all.n; i++)
		if (!strcmp(all.s[i].name, name)) {
			*st = all.s[i];
			r = 0;
		}
	free(all.s);
	return r;
}

static int save(struct vss_ctx *ctx, const struct statuses *all)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int r;

	if (!f)
		return vss_fail(ctx, ENOMEM, "out of memory");
	fprintf(f, "# What vss last saw of each writer. Written by vss: do not edit.\n");
	for (size_t i = 0; i < all->n; i++) {
		const struct vss_writer_status *w = &all->s[i];

		fprintf(f, "\n[writer]\nname = %s\nstate = %s\nset = %s\nevent = %s\nchanged_us = %lld\n"
			"timings = %s\n", w->name, vss_writer_state_name(w->state), w->set, w->event,
			w->changed_us, w->timings);
		if (w->failed_event[0])
			fprintf(f, "failed_event = %s\nfailed_retryable = %d\nfailed_why = %s\n"
				"failed_us = %lld\n", w->failed_event, w->failed_retryable,
				w->failed_why, w->failed_us);
	}
	if (fclose(f)) {
		free(buf);
		return vss_fail(ctx, ENOMEM, "out of memory");
	}
	r = vss_state_write(ctx, STATUS_FILE, buf, len);
	free(buf);
	return r;
}

void writer_seq_save(struct vss_ctx *ctx, struct writer_seq *seq)
{
	struct statuses all;
	struct kept_error kept;

	if (!seq || !seq->n)
		return;
	keep_error(ctx, &kept);
	load(ctx, &all);
	for (size_t i = 0; i < seq->n; i++) {
		size_t k = 0;

		while (k < all.n && strcmp(all.s[k].name, seq->w[i].st.name))
			k++;
		if (k == all.n) {
			struct vss_writer_status *s = realloc(all.s, (all.n + 1) * sizeof(*s));

			if (!s)
				break;
			all.s = s;
			all.n++;
		}
		all.s[k] = seq->w[i].st;
	}
	if (save(ctx, &all))
		vss_log(ctx, VSS_LEVEL_WARNING, "writers' states not recorded: %s", vss_errmsg(ctx));
	free(all.s);
	restore_error(ctx, &kept);
}

void writer_status_fill(struct vss_ctx *ctx, const struct writer_conf *c, struct vss_writer_status *st)
{
	size_t used = 0;

	if (writer_status_get(ctx, c->name, st))
		memset(st, 0, sizeof(*st));
	snprintf(st->name, sizeof(st->name), "%s", c->name);
	st->type = c->type;
	st->enabled = c->enabled;
	st->hook = c->hook;
	st->command[0] = '\0';
	for (char **a = c->argv; *a; a++) {
		int k = snprintf(st->command + used, sizeof(st->command) - used, "%s%s", used ? " " : "",
				 *a);

		if (k < 0 || (size_t)k >= sizeof(st->command) - used)
			break;
		used += (size_t)k;
	}
}

int vss_writer_list(struct vss_ctx *ctx, struct vss_writer_status **ws, size_t *n)
{
	struct writer_confs all;
	int r;

	*ws = NULL;
	*n = 0;
	if ((r = writer_confs_current(ctx, &all)))
		return r;
	if (all.n && !(*ws = calloc(all.n, sizeof(**ws)))) {
		writer_confs_free(&all);
		return vss_fail(ctx, ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < all.n; i++)
		writer_status_fill(ctx, &all.w[i], &(*ws)[i]);
	*n = all.n;
	writer_confs_free(&all);
	return 0;
}
