/*
 * After a vss killed while writers were frozen: each writer the marker
 * (writer-mark.c) names, and the configuration still names with the very
 * same command, is told what it would have been told: thaw (a hook) or
 * abort.
 */
#include "config.h"
#include "owner.h"
#include "trust.h"
#include "writer.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Whether W, read from the marker, is a writer the configuration names
 * now, with the very same command: the marker is data, and root runs no
 * command from it that root's configuration does not hold. */
static bool configured(const struct writer_confs *now, const struct writer_conf *w)
{
	for (size_t i = 0; i < now->n; i++) {
		const struct writer_conf *c = &now->w[i];
		size_t k = 0;

		if (c->type != VSS_WRITER_EXEC || c->hook != w->hook || strcmp(c->name, w->name))
			continue;
		while (c->argv[k] && w->argv[k] && !strcmp(c->argv[k], w->argv[k]))
			k++;
		return !c->argv[k] && !w->argv[k];
	}
	return false;
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
	char line[4200], set[37] = "", vols[4096] = "", refused[512] = "";
	struct writer_confs now;
	struct writer_seq *seq;
	struct writer_conf *w = NULL;
	unsigned long long start = 0;
	long pid = 0;
	int r, fd;
	FILE *f;

	if ((r = vss_run_fd(ctx)) < 0)
		return r;
	if ((r = trust_file_open(ctx, ctx->run_fd, ctx->run_dir, "writers", O_RDONLY, 0, &fd)))
		return r == -ENOENT ? 0 : r;
	if (!(f = fdopen(fd, "r"))) {
		close(fd);
		return vss_fail(ctx, ENOMEM, "out of memory");
	}
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
	if (r || (r = writer_confs_current(ctx, &now))) {
		writer_seq_end(ctx, seq);
		return r == -ENOMEM ? vss_fail(ctx, ENOMEM, "out of memory") : r;
	}
	for (size_t i = 0; i < seq->n; i++) {
		struct wrun *run = &seq->w[i];

		if (configured(&now, run->conf))
			continue;
		/* Not told anything: a process with nothing to run is none. */
		run->freeze_sent = run->reached = false;
		run->failed = true;
		vss_log(ctx, VSS_LEVEL_ERROR, "writer %s: its command in %s/writers (%s) is not the "
			"one the configuration names for it: not run", run->conf->name, ctx->run_dir,
			run->conf->argv[0] ? run->conf->argv[0] : "none");
		if (!refused[0])
			snprintf(refused, sizeof(refused), "%s", run->conf->name);
	}
	writer_confs_free(&now);
	writer_seq_event(ctx, seq, "abort", 0);
	for (size_t i = 0; i < seq->n; i++) {
		if (seq->w[i].failed)
			continue;
		vss_step(ctx, "writer %s: told %s (a vss process was killed while it was frozen)",
			 seq->w[i].conf->name, seq->w[i].conf->hook ? "thaw" : "abort");
		(*fixed)++;
	}
	writer_seq_end(ctx, seq);
	/* Gone either way: a marker that named a command not configured would
	 * otherwise stop every later command. */
	writer_unmark(ctx);
	if (refused[0])
		return vss_fail_kind(ctx, VSS_ERR_USAGE, EPERM, "%s/writers: writer %s: its command is "
				     "not the one the configuration names for it: not run",
				     ctx->run_dir, refused);
	return 0;
}
