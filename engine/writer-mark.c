/*
 * The frozen-writers marker: RUN_DIR/writers names every exec writer and
 * hook told freeze, for as long as it may hold something (an fsfreeze, a
 * lock), with its command. A vss killed in that time leaves it behind, and
 * recovery tells each of them what it would have been told: thaw (a hook)
 * or abort. Coprocesses need none of this: their stdin closes with us. It
 * lives under /run, as the window marker does, because a hook may have
 * frozen the filesystem the state directory is on.
 */
#include "config.h"
#include "set.h"
#include "strv.h"
#include "writer.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void path_of(struct vss_ctx *ctx, char *buf, size_t len)
{
	snprintf(buf, len, "%s/writers", ctx->run_dir);
}

void writer_mark(struct vss_ctx *ctx, const struct writer_seq *seq)
{
	char path[4200];
	bool any = false;
	FILE *f;

	for (size_t i = 0; i < seq->n; i++)
		any |= seq->w[i].conf->type == VSS_WRITER_EXEC;
	if (!any)
		return;
	path_of(ctx, path, sizeof(path));
	if (!(f = fopen(path, "we"))) {
		vss_log(ctx, VSS_LEVEL_WARNING, "%s: %s (a vss killed now would leave writers frozen)",
			path, strerror(errno));
		return;
	}
	fprintf(f, "%ld %llu %s %s\n", (long)getpid(), set_proc_start(getpid()),
		seq->set[0] ? seq->set : "-", seq->volumes[0] ? seq->volumes : "-");
	for (size_t i = 0; i < seq->n; i++) {
		const struct writer_conf *c = seq->w[i].conf;

		if (c->type != VSS_WRITER_EXEC)
			continue;
		/* Values come from one-line config values: no newline in them. */
		fprintf(f, "W %u %d %s\n", c->timeout_ms, c->hook, c->name);
		for (char **a = c->argv; *a; a++)
			fprintf(f, "A %s\n", *a);
	}
	if (fflush(f) || ferror(f))
		vss_log(ctx, VSS_LEVEL_WARNING, "%s: %s", path, strerror(errno ? errno : EIO));
	fclose(f);
}

void writer_unmark(struct vss_ctx *ctx)
{
	char path[4200];

	path_of(ctx, path, sizeof(path));
	unlink(path);
}

/* Appends the writer W NAME to ALL. */
static struct writer_conf *add(struct writer_confs *all, unsigned timeout, int hook, const char *name)
{
	struct writer_conf *w = realloc(all->w, (all->n + 1) * sizeof(*w));

	if (!w)
		return NULL;
	all->w = w;
	w = &w[all->n++];
	memset(w, 0, sizeof(*w));
	w->type = VSS_WRITER_EXEC;
	w->timeout_ms = timeout;
	w->hook = hook;
	w->enabled = true;
	if (!(w->name = strdup(name)) || !(w->argv = calloc(1, sizeof(*w->argv))))
		return NULL;
	return w;
}

static int push_arg(struct writer_conf *w, const char *arg)
{
	size_t n = 0;
	char **v;

	while (w->argv[n])
		n++;
	if (!(v = realloc(w->argv, (n + 2) * sizeof(*v))))
		return -ENOMEM;
	w->argv = v;
	if (!(v[n] = strdup(arg)))
		return -ENOMEM;
	v[n + 1] = NULL;
	return 0;
}

int writer_recover(struct vss_ctx *ctx, int *fixed)
{
	char path[4200], line[4200], set[37] = "", vols[4096] = "";
	struct writer_seq *seq;
	struct writer_conf *w = NULL;
	unsigned long long start = 0;
	long pid = 0;
	int r = 0;
	FILE *f;

	path_of(ctx, path, sizeof(path));
	if (!(f = fopen(path, "re")))
		return 0;
	if (!fgets(line, sizeof(line), f) ||
	    sscanf(line, "%ld %llu %36s %4095[^\n]", &pid, &start, set, vols) < 3)
		pid = 0;
	/* Recovery runs under the lock: a live owner can only be us. */
	if (pid && pid != (long)getpid() && set_owner_alive(pid, start, "")) {
		fclose(f);
		return 0;
	}
	if (!(seq = calloc(1, sizeof(*seq)))) {
		fclose(f);
		return vss_fail(ctx, ENOMEM, "out of memory");
	}
	snprintf(seq->set, sizeof(seq->set), "%s", strcmp(set, "-") ? set : "");
	snprintf(seq->volumes, sizeof(seq->volumes), "%s", strcmp(vols, "-") ? vols : "");
	while (fgets(line, sizeof(line), f) && !r) {
		unsigned timeout;
		int hook, at;

		line[strcspn(line, "\n")] = '\0';
		if (sscanf(line, "W %u %d %n", &timeout, &hook, &at) == 2) {
			if (!(w = add(&seq->confs, timeout, hook, line + at)))
				r = -ENOMEM;
		} else if (!strncmp(line, "A ", 2) && w) {
			r = push_arg(w, line + 2);
		}
	}
	fclose(f);
	if (!r && seq->confs.n && !(seq->w = calloc(seq->confs.n, sizeof(*seq->w))))
		r = -ENOMEM;
	for (size_t i = 0; !r && i < seq->confs.n; i++) {
		struct wrun *run = &seq->w[seq->n++];

		run->conf = &seq->confs.w[i];
		run->pidfd = run->in_fd = run->out_fd = run->err_fd = -1;
		/* Told freeze, or about to be: what it holds is let go. */
		run->freeze_sent = true;
		run->reached = true;
		snprintf(run->st.name, sizeof(run->st.name), "%s", run->conf->name);
	}
	if (r) {
		writer_seq_end(ctx, seq);
		return vss_fail(ctx, -r, "out of memory");
	}
	writer_seq_event(ctx, seq, "abort", 0);
	for (size_t i = 0; i < seq->n; i++) {
		vss_step(ctx, "writer %s: told %s (a vss process was killed while it was frozen)",
			 seq->w[i].conf->name, seq->w[i].conf->hook ? "thaw" : "abort");
		(*fixed)++;
	}
	writer_seq_end(ctx, seq);
	unlink(path);
	return 0;
}
