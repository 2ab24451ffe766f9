/* What the dashboard knows: the engine's lists, refreshed on a timer and
 * whenever an operation ends, and the live news of the event feed. No
 * curses here. */
#include "config.h"
#include "tui.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>

long long tui_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void model_init(struct model *m)
{
	memset(m, 0, sizeof(*m));
	m->stale = true;
}

void model_free(struct model *m)
{
	free(m->vols);
	vss_sets_free(m->sets, m->nsets);
	free(m->writers);
	free(m->areas);
	memset(m, 0, sizeof(*m));
}

void model_log(struct model *m, enum vss_level level, const char *fmt, ...)
{
	struct log_line *l = &m->log[m->log_head];
	va_list ap;

	l->at_us = tui_now_us();
	l->level = level;
	va_start(ap, fmt);
	vsnprintf(l->text, sizeof(l->text), fmt, ap);
	va_end(ap);
	m->log_head = (m->log_head + 1) % LOG_LINES;
	if (m->nlog < LOG_LINES)
		m->nlog++;
	m->log_seq++;
}

const struct log_line *model_log_line(const struct model *m, size_t i)
{
	if (i >= m->nlog)
		return NULL;
	return &m->log[(m->log_head + LOG_LINES - 1 - i) % LOG_LINES];
}

const struct vss_set *model_last_set(const struct model *m)
{
	const struct vss_set *last = NULL;

	for (size_t i = 0; i < m->nsets; i++)
		if (!last || m->sets[i].created_us >= last->created_us)
			last = &m->sets[i];
	return last;
}

static struct tui_writer *writer_named(struct model *m, const char *name)
{
	for (size_t i = 0; i < m->nwriters; i++)
		if (!strcmp(m->writers[i].name, name))
			return &m->writers[i];
	return NULL;
}

/* The engine's writer list, keeping what the feed told us when it is newer
 * than what the state directory has (a sequence under way elsewhere). */
static void refresh_writers(struct model *m, struct vss_ctx *ctx)
{
	struct vss_writer_status *ws = NULL;
	struct tui_writer *nw;
	size_t n = 0;

	if (vss_writer_list(ctx, &ws, &n)) {
		snprintf(m->error, sizeof(m->error), "writers: %s", vss_errmsg(ctx));
		return;
	}
	if (!(nw = calloc(n ? n : 1, sizeof(*nw)))) {
		free(ws);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const struct tui_writer *old = writer_named(m, ws[i].name);
		struct tui_writer *w = &nw[i];

		snprintf(w->name, sizeof(w->name), "%s", ws[i].name);
		snprintf(w->type, sizeof(w->type), "%s",
			 ws[i].hook ? "hook" : vss_writer_type_name(ws[i].type));
		w->enabled = ws[i].enabled;
		if (old && old->since_us > ws[i].changed_us) {
			*w = *old;
			snprintf(w->type, sizeof(w->type), "%s",
				 ws[i].hook ? "hook" : vss_writer_type_name(ws[i].type));
			w->enabled = ws[i].enabled;
			continue;
		}
		w->state = ws[i].state;
		w->busy = false;
		w->since_us = ws[i].changed_us;
		snprintf(w->event, sizeof(w->event), "%s", ws[i].event);
		snprintf(w->set, sizeof(w->set), "%s", ws[i].set);
		snprintf(w->failed_event, sizeof(w->failed_event), "%s", ws[i].failed_event);
		snprintf(w->failed_why, sizeof(w->failed_why), "%s", ws[i].failed_why);
		w->failed_retryable = ws[i].failed_retryable;
	}
	free(ws);
	free(m->writers);
	m->writers = nw;
	m->nwriters = n;
}

/* Warnings of our own lists (an invalid shadow, a damaged record) are
 * said once a refresh, not once a second. */
static void on_own_event(const struct vss_event *ev, void *data)
{
	struct model *m = data;

	if (ev->kind == VSS_EVENT_LOG && ev->level <= VSS_LEVEL_WARNING)
		snprintf(m->error, sizeof(m->error), "%s", ev->text);
}

void model_attach(struct model *m, struct vss_ctx *ctx)
{
	vss_subscribe(ctx, on_own_event, m);
}

void model_refresh(struct model *m, struct vss_ctx *ctx)
{
	struct vss_volume *vols = NULL;
	struct vss_set *sets = NULL;
	struct vss_storage_area *areas = NULL;
	size_t n = 0;

	m->error[0] = '\0';
	if (vss_volume_list(ctx, &vols, &n) == 0) {
		free(m->vols);
		m->vols = vols;
		m->nvols = n;
	} else if (geteuid() != 0) {
		/* Said as the CLI says it: why there is nothing to list. */
		snprintf(m->error, sizeof(m->error), "volumes and sets: must be run as root");
	} else if (vss_dm_available(ctx)) {
		snprintf(m->error, sizeof(m->error), "%s", vss_errmsg(ctx));
	} else {
		snprintf(m->error, sizeof(m->error), "volumes: %s", vss_errmsg(ctx));
	}
	n = 0;
	if (vss_set_list(ctx, &sets, &n) == 0) {
		vss_sets_free(m->sets, m->nsets);
		m->sets = sets;
		m->nsets = n;
	} else if (!m->error[0]) {
		snprintf(m->error, sizeof(m->error), "sets: %s", vss_errmsg(ctx));
	}
	n = 0;
	if (vss_storage_list(ctx, &areas, &n) == 0) {
		free(m->areas);
		m->areas = areas;
		m->nareas = n;
	}
	refresh_writers(m, ctx);
	m->refreshed_us = tui_now_us();
	m->stale = false;
}

static void writer_event(struct model *m, const struct vss_event *ev)
{
	struct tui_writer *w = writer_named(m, ev->writer);

	if (!w) {
		/* A writer of another configuration (vss -C): shown all the same. */
		struct tui_writer *nw = realloc(m->writers, (m->nwriters + 1) * sizeof(*nw));

		if (!nw)
			return;
		m->writers = nw;
		w = &nw[m->nwriters++];
		memset(w, 0, sizeof(*w));
		snprintf(w->name, sizeof(w->name), "%s", ev->writer);
		snprintf(w->type, sizeof(w->type), "?");
		w->enabled = true;
	}
	if (ev->writer_busy || w->state != (enum vss_writer_state)ev->writer_state ||
	    (ev->writer_event && strcmp(w->event, ev->writer_event)))
		w->since_us = ev->at_us;
	w->state = (enum vss_writer_state)ev->writer_state;
	w->busy = ev->writer_busy;
	snprintf(w->event, sizeof(w->event), "%s", ev->writer_event ? ev->writer_event : "");
	snprintf(w->set, sizeof(w->set), "%s", ev->set ? ev->set : "");
	if (w->state == VSS_WRITER_FAILED && !ev->writer_busy) {
		/* "EVENT: failed: WHY": the event has a column of its own. */
		const char *why = ev->text;
		size_t n = strlen(w->event);

		if (n && !strncmp(why, w->event, n) && !strncmp(why + n, ": failed: ", 10))
			why += n + 10;
		snprintf(w->failed_event, sizeof(w->failed_event), "%s", w->event);
		snprintf(w->failed_why, sizeof(w->failed_why), "%s", why);
	}
	/* The answers go to the log; the starts only move the timer. */
	if (!ev->writer_busy)
		model_log(m, ev->level, "writer %s: %s", ev->writer, ev->text);
}

void model_event(struct model *m, const struct vss_event *ev)
{
	const char *op = ev->op ? ev->op : "";

	switch (ev->kind) {
	case VSS_EVENT_WRITER:
		if (ev->writer)
			writer_event(m, ev);
		break;
	case VSS_EVENT_PHASE:
		snprintf(m->op, sizeof(m->op), "%s", op);
		snprintf(m->op_set, sizeof(m->op_set), "%s", ev->set ? ev->set : "");
		snprintf(m->op_phase, sizeof(m->op_phase), "%s", ev->text);
		if (m->op_pid != ev->pid) {
			m->op_pid = ev->pid;
			m->op_since_us = ev->at_us - (long long)ev->elapsed_us;
		}
		model_log(m, VSS_LEVEL_INFO, "%s %.8s: %s", op, ev->set ? ev->set : "", ev->text);
		break;
	case VSS_EVENT_STEP:
		model_log(m, VSS_LEVEL_INFO, "%s", ev->text);
		m->stale = true;
		break;
	case VSS_EVENT_LOG:
		model_log(m, ev->level, "%s: %s", op, ev->text);
		break;
	case VSS_EVENT_END:
		/* Our own job's failure is logged from its exit, in its words. */
		if (ev->level == VSS_LEVEL_ERROR && ev->pid && ev->pid == m->quiet_pid)
			;
		else if (ev->level == VSS_LEVEL_ERROR)
			model_log(m, VSS_LEVEL_ERROR, "%s failed: %s", op, ev->text);
		else
			model_log(m, VSS_LEVEL_INFO, "%s: done in %.1f s", op, ev->elapsed_us / 1e6);
		if (m->op_pid == ev->pid)
			m->op[0] = m->op_phase[0] = '\0', m->op_pid = 0;
		m->stale = true;
		break;
	}
}

static bool has(const char *hay, const char *needle)
{
	return hay && strcasestr(hay, needle);
}

static bool set_matches(const struct vss_set *s, const char *f)
{
	if (has(s->id, f) || has(s->label, f))
		return true;
	for (size_t i = 0; i < s->n; i++)
		if (has(s->shadows[i].volume, f))
			return true;
	return false;
}

struct row *rows_of(const struct model *m, enum panel p, const char *f, size_t *n)
{
	size_t cap = 0, k = 0;
	struct row *rows;

	switch (p) {
	case P_VOLUMES:
		cap = m->nvols;
		break;
	case P_SETS:
		cap = m->nsets;
		for (size_t i = 0; i < m->nsets; i++)
			cap += m->sets[i].n;
		break;
	default:
		cap = m->nwriters;
		break;
	}
	*n = 0;
	if (!(rows = calloc(cap ? cap : 1, sizeof(*rows))))
		return NULL;
	for (size_t i = 0; i < cap && p != P_SETS; i++) {
		const char *name = p == P_VOLUMES ? m->vols[i].name : m->writers[i].name;

		if (!*f || has(name, f) || (p == P_VOLUMES && has(m->vols[i].mountpoint, f)))
			rows[k++] = (struct row){ p, i, -1 };
	}
	/* Sets newest first, each with its shadows under it. */
	for (size_t i = m->nsets; p == P_SETS && i-- > 0;) {
		if (*f && !set_matches(&m->sets[i], f))
			continue;
		rows[k++] = (struct row){ p, i, -1 };
		for (size_t j = 0; j < m->sets[i].n; j++)
			rows[k++] = (struct row){ p, i, (ssize_t)j };
	}
	*n = k;
	return rows;
}
