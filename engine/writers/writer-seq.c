/*
 * A sequence: the writers that take part in one set (or one writer verify),
 * each with its process and state, from identify until the sequence ends.
 */
#include "config.h"
#include "blockdev.h"
#include "writer.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static void init_run(struct vss_ctx *ctx, struct writer_seq *seq, struct wrun *w,
		     const struct writer_conf *c)
{
	memset(w, 0, sizeof(*w));
	w->conf = c;
	w->pidfd = w->in_fd = w->out_fd = w->err_fd = -1;
	/* What is known of it, its last failure kept until another replaces it. */
	writer_status_fill(ctx, c, &w->st);
	w->st.state = VSS_WRITER_STABLE;
	w->st.event[0] = '\0';
	w->st.timings[0] = '\0';
	snprintf(w->st.set, sizeof(w->st.set), "%s", seq->set);
}

/* Whether one of C's volumes paths lies on one of the N devices. */
static bool touches(struct vss_ctx *ctx, const struct writer_conf *c, const dev_t *devs, size_t n)
{
	for (size_t v = 0; v < c->nvolumes; v++) {
		dev_t dev;

		if (vss_blockdev_of_path(ctx, c->volumes[v], &dev)) {
			vss_log(ctx, VSS_LEVEL_WARNING, "writer %s: volumes path %s", c->name,
				vss_errmsg(ctx));
			continue;
		}
		for (size_t i = 0; dev && i < n; i++)
			if (dev == devs[i] || vss_blockdev_stacked_on(dev, devs[i]))
				return true;
	}
	return false;
}

static int named(const struct vss_create_opts *o, const char *name)
{
	for (size_t i = 0; o && i < o->nwriters; i++)
		if (!strcmp(o->writers[i], name))
			return 1;
	return 0;
}

/* Every --writers name must be a writer that can run. */
static int check_names(struct vss_ctx *ctx, const struct writer_confs *all,
		       const struct vss_create_opts *o)
{
	for (size_t i = 0; o && i < o->nwriters; i++) {
		const struct writer_conf *c = NULL;
		char known[512] = "";
		size_t used = 0;

		for (size_t k = 0; k < all->n && !c; k++)
			if (!strcmp(all->w[k].name, o->writers[i]))
				c = &all->w[k];
		if (c && !c->enabled)
			return vss_fail_kind(ctx, VSS_ERR_USAGE, EINVAL,
					     "writer %s: disabled (enabled = no)", c->name);
		if (c)
			continue;
		for (size_t k = 0; k < all->n; k++) {
			int w = snprintf(known + used, sizeof(known) - used, "%s%s", used ? ", " : "",
					 all->w[k].name);

			if (w < 0 || (size_t)w >= sizeof(known) - used)
				break;
			used += (size_t)w;
		}
		return vss_fail_kind(ctx, VSS_ERR_USAGE, ENOENT, "writer %s: no such writer (%s%s)",
				     o->writers[i], used ? "configured: " : "none is configured",
				     known);
	}
	return 0;
}

static int seq_alloc(struct vss_ctx *ctx, const char *set, struct writer_seq **seqp)
{
	struct writer_seq *seq = calloc(1, sizeof(*seq));

	if (!seq)
		return vss_fail(ctx, ENOMEM, "out of memory");
	snprintf(seq->set, sizeof(seq->set), "%s", set ? set : "");
	*seqp = seq;
	return 0;
}

int writer_seq_new(struct vss_ctx *ctx, const char *set, const dev_t *devs, char *const *names,
		   size_t n, const struct vss_create_opts *o, struct writer_seq **seqp)
{
	struct writer_seq *seq = NULL;
	size_t used = 0;
	int r;

	*seqp = NULL;
	if ((r = seq_alloc(ctx, set, &seq)))
		return r;
	if ((r = writer_confs_current(ctx, &seq->confs)) || (r = check_names(ctx, &seq->confs, o)))
		goto fail;
	for (size_t i = 0; i < n; i++) {
		int k = snprintf(seq->volumes + used, sizeof(seq->volumes) - used, "%s%s",
				 used ? " " : "", names[i]);

		if (k > 0 && (size_t)k < sizeof(seq->volumes) - used)
			used += (size_t)k;
	}
	if (seq->confs.n && !(seq->w = calloc(seq->confs.n, sizeof(*seq->w)))) {
		r = vss_fail(ctx, ENOMEM, "out of memory");
		goto fail;
	}
	for (size_t i = 0; i < seq->confs.n; i++) {
		const struct writer_conf *c = &seq->confs.w[i];
		bool join;

		if (o && o->no_writers)
			join = false;
		else if (named(o, c->name))
			join = true;
		else
			/* Hooks are fsfreeze hooks: every set. Others by their
			 * volumes; with none, only when asked for by name. */
			join = c->enabled && (c->hook || touches(ctx, c, devs, n));
		if (!join)
			continue;
		init_run(ctx, seq, &seq->w[seq->n++], c);
		vss_log(ctx, VSS_LEVEL_DEBUG, "writer %s joins set %.8s", c->name, seq->set);
	}
	*seqp = seq;
	return 0;
fail:
	writer_confs_free(&seq->confs);
	free(seq);
	return r;
}

int writer_seq_one(struct vss_ctx *ctx, const struct writer_conf *conf, struct writer_seq **seqp)
{
	struct vss_writer_def d = {
		.name = conf->name, .type = conf->type, .argv = conf->argv, .volumes = conf->volumes,
		.nvolumes = conf->nvolumes, .timeout_ms = conf->timeout_ms, .retries = conf->retries,
		.enabled = conf->enabled,
	};
	struct writer_seq *seq = NULL;
	int r;

	*seqp = NULL;
	if ((r = seq_alloc(ctx, NULL, &seq)))
		return r;
	if (!(seq->confs.w = calloc(1, sizeof(*seq->confs.w))) || !(seq->w = calloc(1, sizeof(*seq->w)))) {
		free(seq->confs.w);
		free(seq);
		return vss_fail(ctx, ENOMEM, "out of memory");
	}
	seq->confs.n = 1;
	/* Copied through the public form: one way to copy a writer. */
	if ((r = writer_conf_copy(&seq->confs.w[0], &d))) {
		writer_seq_end(ctx, seq);
		return vss_fail(ctx, ENOMEM, "out of memory");
	}
	seq->confs.w[0].hook = conf->hook;
	init_run(ctx, seq, &seq->w[0], &seq->confs.w[0]);
	seq->n = 1;
	*seqp = seq;
	return 0;
}

void writer_backups_end(struct vss_ctx *ctx)
{
	/* A face that never said the backup ended: its writers' processes
	 * end with us, told nothing more (as after a crash). */
	while (ctx->backups) {
		struct writer_seq *next = ctx->backups->next;

		writer_seq_end(ctx, ctx->backups);
		ctx->backups = next;
	}
}

void writer_seq_end(struct vss_ctx *ctx, struct writer_seq *seq)
{
	uint64_t until;

	if (!seq)
		return;
	/* End of input: every coprocess's cue to finish, all at once. */
	for (size_t i = 0; i < seq->n; i++)
		if (seq->w[i].in_fd >= 0) {
			close(seq->w[i].in_fd);
			seq->w[i].in_fd = -1;
		}
	until = writer_now_us() + 5000000;
	for (size_t i = 0; i < seq->n; i++) {
		struct wrun *w = &seq->w[i];
		uint64_t now = writer_now_us(), limit = now + (uint64_t)w->conf->timeout_ms * 1000;
		int status;

		if (limit > until)
			limit = until;
		if (w->pid && !wproc_wait(w, limit > now ? (int)((limit - now) / 1000) : 0, &status)) {
			vss_log(ctx, VSS_LEVEL_WARNING, "writer %s: still running after its last event: "
				"stopped", w->conf->name);
			wproc_kill(ctx, w);
		}
		if (w->err_fd >= 0)
			wproc_read(ctx, w, w->err_fd);
		wproc_close(w);
	}
	free(seq->w);
	writer_confs_free(&seq->confs);
	free(seq);
}
