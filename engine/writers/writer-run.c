/*
 * One event told to every writer of a sequence at once: each writer gets
 * its own timeout (and the freeze window's deadline, for freeze), a
 * retryable failure is tried again, and hooks from hook_dir run one after
 * another as qemu-ga runs fsfreeze-hook.d: freeze in name order, thaw in
 * reverse. Nothing here blocks on one writer: a single poll loop watches
 * them all, so one that hangs costs its timeout, not the others'.
 */
#include "config.h"
#include "writer.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#define RETRY_DELAY_US 250000

enum slot_state { S_OUT, S_WAIT, S_RUN, S_OK, S_FAIL, S_SKIP };

struct slot {
	struct wrun *w;
	enum slot_state s;
	const char *word;     /* what it is told: the event, or thaw for a hook's abort */
	int after;            /* the slot that must be done first, -1 */
	bool after_ok;        /* and must have succeeded */
	unsigned attempt;
	uint64_t start_at, started, deadline;
	bool window_deadline; /* the deadline is the freeze window's */
	bool retryable;
	bool done;            /* its outcome is recorded (settle) */
	char why[512];
};

static long long epoch_us(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (long long)tv.tv_sec * 1000000 + tv.tv_usec;
}

__attribute__((format(printf, 5, 6)))
static void tell(struct vss_ctx *ctx, const struct writer_seq *seq, const struct wrun *w, bool busy,
		 const char *fmt, ...)
{
	char text[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	vss_writer_event(ctx, seq->set, w->conf->name, (int)w->st.state, w->st.event, busy,
			 w->st.state == VSS_WRITER_FAILED && !busy ? VSS_LEVEL_WARNING : VSS_LEVEL_INFO,
			 text);
}

static void set_state(struct wrun *w, enum vss_writer_state st)
{
	w->st.changed_us = epoch_us();
	w->st.state = st;
}

/* The state a writer is in once it has done EVENT. */
static enum vss_writer_state after(const struct writer_seq *seq, const struct wrun *w,
				   const char *event)
{
	if (w->conf->hook)
		return !strcmp(event, "freeze") ? VSS_WRITER_FROZEN : VSS_WRITER_STABLE;
	if (!strcmp(event, "prepare-snapshot"))
		return VSS_WRITER_WAITING_FOR_FREEZE;
	if (!strcmp(event, "freeze"))
		return VSS_WRITER_FROZEN;
	if (!strcmp(event, "thaw"))
		return VSS_WRITER_WAITING_FOR_POST_SNAPSHOT;
	if (!strcmp(event, "post-snapshot") && seq->backup)
		return VSS_WRITER_WAITING_FOR_BACKUP_COMPLETE;
	return VSS_WRITER_STABLE;
}

/* What W is told of EVENT: NULL when it takes no part. Hooks know only
 * freeze and thaw; an abort thaws whatever they froze. */
static const char *word_for(const struct wrun *w, const char *event)
{
	bool abort = !strcmp(event, "abort");

	if (w->conf->hook) {
		if (!strcmp(event, "freeze"))
			return event;
		if ((abort || !strcmp(event, "thaw")) && w->freeze_sent && !w->thawed)
			return "thaw";
		return NULL;
	}
	/* A coprocess that had to be stopped can hear nothing more. */
	if (w->conf->type == VSS_WRITER_COPROCESS && w->failed && !w->pid)
		return NULL;
	/* One that was never reached (its program refused or missing) has
	 * nothing to undo. */
	if (abort)
		return w->reached ? event : NULL;
	return w->failed ? NULL : event;
}

static void add_timing(struct wrun *w, const char *event, uint64_t us)
{
	size_t len = strlen(w->st.timings);

	snprintf(w->st.timings + len, sizeof(w->st.timings) - len, "%s%s %llums", len ? ", " : "",
		 event, (unsigned long long)((us + 500) / 1000));
}

static int send_line(struct wrun *w, const char *word)
{
	char line[64];
	sigset_t pipe, old;
	ssize_t n;
	int len = snprintf(line, sizeof(line), "EVENT %s\n", word), err = 0;

	/* A coprocess that went away must fail this event, not kill us. */
	sigemptyset(&pipe);
	sigaddset(&pipe, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe, &old);
	do
		n = write(w->in_fd, line, (size_t)len);
	while (n < 0 && errno == EINTR);
	if (n != len)
		err = n < 0 ? errno : EIO;
	if (err == EPIPE) {
		struct timespec zero = { 0, 0 };

		sigtimedwait(&pipe, NULL, &zero);
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return err;
}

static void fail_slot(struct slot *sl, bool retryable, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void fail_slot(struct slot *sl, bool retryable, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(sl->why, sizeof(sl->why), fmt, ap);
	va_end(ap);
	sl->retryable = retryable;
	sl->s = S_FAIL;
}

/* W has been told WORD: what it may hold must be let go later. */
static void told(struct wrun *w, const char *word)
{
	w->reached = true;
	if (!strcmp(word, "freeze"))
		w->freeze_sent = true;
	if (!strcmp(word, "thaw") || !strcmp(word, "abort"))
		w->thawed = true;
}

static void start(struct vss_ctx *ctx, struct writer_seq *seq, struct slot *sl)
{
	struct wrun *w = sl->w;
	unsigned timeout = w->conf->timeout_ms;
	char why[300];
	int r, status;

	sl->attempt++;
	sl->started = writer_now_us();
	sl->deadline = sl->started + (uint64_t)timeout * 1000;
	snprintf(w->st.event, sizeof(w->st.event), "%s", sl->word);
	w->answered = false;
	w->lastline[0] = '\0';
	sl->s = S_RUN;
	if (sl->attempt > 1)
		tell(ctx, seq, w, true, "%s: attempt %u", sl->word, sl->attempt);
	else
		tell(ctx, seq, w, true, "%s", sl->word);
	/* Checked as it is to run, not only when the file was read: it
	 * runs as root. */
	if ((w->conf->type == VSS_WRITER_EXEC || !w->spawned) &&
	    vss_program_check(w->conf->argv[0], why, sizeof(why))) {
		w->spawned = true;
		w->failed = w->conf->type == VSS_WRITER_COPROCESS;
		fail_slot(sl, false, "refused to run %s: %s", w->conf->argv[0], why);
		return;
	}
	if (w->conf->type == VSS_WRITER_EXEC) {
		if ((r = wproc_spawn(ctx, w, sl->word, seq->set, seq->volumes)))
			fail_slot(sl, false, "%s", vss_errmsg(ctx));
		else
			told(w, sl->word);
		return;
	}
	if (!w->spawned) {
		w->spawned = true;
		if ((r = wproc_spawn(ctx, w, NULL, seq->set, seq->volumes))) {
			w->failed = true;
			fail_slot(sl, false, "%s", vss_errmsg(ctx));
			return;
		}
	}
	if (w->pid && wproc_reaped(w, &status)) {
		char how[64];

		wproc_describe(status, how, sizeof(how));
		wproc_close(w);
		w->failed = true;
		fail_slot(sl, false, "%s before it was told %s", how, sl->word);
		return;
	}
	if (!w->pid || w->in_fd < 0) {
		fail_slot(sl, false, "is not running any more");
		return;
	}
	/* Whatever it said unasked since its last answer is not this answer. */
	w->asked = false;
	if (w->out_fd >= 0)
		wproc_read(ctx, w, w->out_fd);
	w->eof = w->out_fd < 0;
	w->asked = true;
	if ((r = send_line(w, sl->word)))
		fail_slot(sl, false, "cannot be told %s: %s", sl->word,
			  r == EPIPE ? "it closed its stdin" : strerror(r));
	else
		told(w, sl->word);
}

/* An exec writer's process ended with STATUS. */
static void exec_done(struct slot *sl, int status)
{
	struct wrun *w = sl->w;
	char how[64];

	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		sl->s = S_OK;
		return;
	}
	wproc_describe(status, how, sizeof(how));
	fail_slot(sl, WIFEXITED(status) && WEXITSTATUS(status) == VSS_WRITER_EXIT_RETRY, "%s%s%.300s",
		  how, w->lastline[0] ? ": " : "", w->lastline);
}

/* A coprocess answered: OK, or ERROR retryable|fatal MESSAGE. */
static void coproc_answer(struct slot *sl)
{
	const char *a = sl->w->answer;

	if (!strcmp(a, "OK") || !strncmp(a, "OK ", 3)) {
		sl->s = S_OK;
		return;
	}
	if (!strncmp(a, "ERROR retryable", 15) && (!a[15] || a[15] == ' '))
		fail_slot(sl, true, "%s", a[15] ? a + 16 : "retryable error");
	else if (!strncmp(a, "ERROR fatal", 11) && (!a[11] || a[11] == ' '))
		fail_slot(sl, false, "%s", a[11] ? a + 12 : "fatal error");
	else if (!strncmp(a, "ERROR ", 6))
		fail_slot(sl, false, "%.400s", a + 6);
	else
		fail_slot(sl, false, "answered '%.200s', not OK or ERROR", a);
}

static void check(struct vss_ctx *ctx, struct slot *sl, uint64_t now)
{
	struct wrun *w = sl->w;
	int status;

	if (w->conf->type == VSS_WRITER_EXEC) {
		if (wproc_reaped(w, &status)) {
			/* What it wrote last explains a failure. */
			if (w->out_fd >= 0)
				wproc_read(ctx, w, w->out_fd);
			wproc_close(w);
			exec_done(sl, status);
			return;
		}
	} else if (w->answered) {
		coproc_answer(sl);
		/* Out of step with us: nothing more it says can be trusted. */
		if (sl->s == S_FAIL && strncmp(w->answer, "ERROR", 5)) {
			w->failed = true;
			wproc_kill(ctx, w);
			wproc_close(w);
		}
		return;
	} else if (w->eof || wproc_reaped(w, &status)) {
		char how[64];

		/* It died (its stdout closing with it), or it closed its stdout
		 * and lives on, of no more use: stopped either way. */
		w->failed = true;
		if (w->pid && !wproc_wait(w, 200, &status)) {
			wproc_kill(ctx, w);
			wproc_close(w);
			fail_slot(sl, false, "closed its stdout");
			return;
		}
		wproc_close(w);
		wproc_describe(status, how, sizeof(how));
		fail_slot(sl, false, "%s before answering", how);
		return;
	}
	if (now < sl->deadline)
		return;
	wproc_kill(ctx, w);
	wproc_close(w);
	w->failed = true;
	if (sl->window_deadline)
		fail_slot(sl, false, "had not %s %s when the freeze window reached freeze_timeout "
			  "(%.1f s): stopped", w->conf->type == VSS_WRITER_EXEC ? "finished" : "answered",
			  sl->word, ctx->freeze_timeout_ms / 1000.0);
	else
		fail_slot(sl, false, "did not %s %s within its timeout (%.1f s): stopped",
			  w->conf->type == VSS_WRITER_EXEC ? "finish" : "answer", sl->word,
			  w->conf->timeout_ms / 1000.0);
}

/* Slot SL is done (OK or failed): retried, or its outcome recorded. */
static void settle(struct vss_ctx *ctx, struct writer_seq *seq, struct slot *sl, const char *event,
		   uint64_t deadline_us)
{
	struct wrun *w = sl->w;
	uint64_t now = writer_now_us();

	sl->done = true;
	if (sl->s == S_FAIL && sl->retryable && sl->attempt <= w->conf->retries &&
	    (!deadline_us || now + RETRY_DELAY_US < deadline_us) && !w->failed) {
		tell(ctx, seq, w, true, "%s: %s (retryable): trying again", sl->word, sl->why);
		sl->s = S_WAIT;
		sl->done = false;
		sl->start_at = now + RETRY_DELAY_US;
		return;
	}
	add_timing(w, sl->word, now - sl->started);
	if (sl->s == S_OK) {
		set_state(w, after(seq, w, event));
		if (!strcmp(event, "abort") && w->failed)
			set_state(w, VSS_WRITER_FAILED);
		/* A coprocess may say more after OK (what it did): kept in the log. */
		if (w->conf->type == VSS_WRITER_COPROCESS && !strncmp(w->answer, "OK ", 3))
			tell(ctx, seq, w, false, "%s: OK in %.0f ms: %.400s", sl->word,
			     (now - sl->started) / 1000.0, w->answer + 3);
		else
			tell(ctx, seq, w, false, "%s: OK in %.0f ms", sl->word, (now - sl->started) / 1000.0);
		return;
	}
	if (sl->retryable && sl->attempt > 1)
		snprintf(sl->why + strlen(sl->why), sizeof(sl->why) - strlen(sl->why),
			 " (retryable; gave up after %u attempts)", sl->attempt);
	else if (sl->retryable)
		snprintf(sl->why + strlen(sl->why), sizeof(sl->why) - strlen(sl->why), " (retryable)");
	w->failed = true;
	set_state(w, VSS_WRITER_FAILED);
	snprintf(w->st.failed_event, sizeof(w->st.failed_event), "%s", sl->word);
	snprintf(w->st.failed_why, sizeof(w->st.failed_why), "%s", sl->why);
	w->st.failed_retryable = sl->retryable;
	w->st.failed_us = epoch_us();
	tell(ctx, seq, w, false, "%s: failed: %s", sl->word, sl->why);
}

static bool finished(const struct slot *sl)
{
	return sl->done || sl->s == S_SKIP || sl->s == S_OUT;
}

/* The slots that may start now do. */
static void start_ready(struct vss_ctx *ctx, struct writer_seq *seq, struct slot *sl, size_t n)
{
	uint64_t now = writer_now_us();

	for (size_t i = 0; i < n; i++) {
		if (sl[i].s != S_WAIT || now < sl[i].start_at)
			continue;
		if (sl[i].after >= 0) {
			const struct slot *dep = &sl[sl[i].after];

			if (!finished(dep))
				continue;
			if (sl[i].after_ok && dep->s != S_OK) {
				/* A hook before it failed to freeze: the set is
				 * aborted, so freezing more is pointless. */
				sl[i].s = S_SKIP;
				continue;
			}
		}
		start(ctx, seq, &sl[i]);
	}
}

/* Hooks run one after another: each waits for the one before it in this
 * event's order (names ascending for freeze, descending otherwise). */
static void chain_hooks(struct slot *sl, size_t n, bool ascending)
{
	int prev = -1;

	for (size_t k = 0; k < n; k++) {
		size_t i = ascending ? k : n - 1 - k;

		if (sl[i].s != S_WAIT || !sl[i].w->conf->hook)
			continue;
		sl[i].after = prev;
		sl[i].after_ok = ascending;
		prev = (int)i;
	}
}

static bool stoppable(const char *event)
{
	/* Undoing is never cut short: it ends on its own timeouts. */
	return strcmp(event, "abort") && strcmp(event, "thaw") && strcmp(event, "backup-complete");
}

int writer_seq_event(struct vss_ctx *ctx, struct writer_seq *seq, const char *event,
		     uint64_t deadline_us)
{
	struct slot *sl;
	struct pollfd *pf;
	bool freeze = !strcmp(event, "freeze");
	sigset_t stop, old;
	struct timespec ts;
	int r = 0;

	if (!seq || !seq->n)
		return 0;
	if (freeze)
		writer_mark(ctx, seq);
	sl = calloc(seq->n, sizeof(*sl));
	pf = calloc(seq->n * 3, sizeof(*pf));
	if (!sl || !pf) {
		free(sl);
		free(pf);
		return vss_fail(ctx, ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < seq->n; i++) {
		sl[i].w = &seq->w[i];
		sl[i].after = -1;
		sl[i].word = word_for(&seq->w[i], event);
		sl[i].s = sl[i].word ? S_WAIT : S_OUT;
		if (sl[i].s == S_WAIT && !strcmp(sl[i].word, "thaw")) {
			set_state(sl[i].w, VSS_WRITER_WAITING_FOR_THAW);
			tell(ctx, seq, sl[i].w, false, "waiting for thaw");
		}
	}
	chain_hooks(sl, seq->n, freeze);
	/* Signals wait until ppoll: one arriving between the look at the flag
	 * and the wait would otherwise be seen only at the next deadline. */
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGHUP);
	sigaddset(&stop, SIGQUIT);
	pthread_sigmask(SIG_BLOCK, &stop, &old);
	for (;;) {
		uint64_t now, next = UINT64_MAX;
		bool busy = false, no_pidfd = false;
		nfds_t np = 0;
		int ms;

		start_ready(ctx, seq, sl, seq->n);
		now = writer_now_us();
		for (size_t i = 0; i < seq->n; i++) {
			if (sl[i].s != S_RUN)
				continue;
			if (deadline_us && sl[i].deadline > deadline_us) {
				sl[i].deadline = deadline_us;
				sl[i].window_deadline = true;
			}
			check(ctx, &sl[i], now);
		}
		/* Ended now, or could not even start (refused, no process). */
		for (size_t i = 0; i < seq->n; i++)
			if ((sl[i].s == S_OK || sl[i].s == S_FAIL) && !sl[i].done)
				settle(ctx, seq, &sl[i], event, deadline_us);
		if (vss_interrupted() && stoppable(event)) {
			for (size_t i = 0; i < seq->n; i++) {
				if (sl[i].s == S_RUN) {
					wproc_kill(ctx, sl[i].w);
					wproc_close(sl[i].w);
					sl[i].w->failed = sl[i].w->conf->type == VSS_WRITER_COPROCESS;
				}
				if (sl[i].s == S_RUN || sl[i].s == S_WAIT)
					sl[i].s = S_SKIP;
			}
			r = vss_check_interrupt(ctx);
			break;
		}
		for (size_t i = 0; i < seq->n; i++) {
			struct wrun *w = sl[i].w;

			if (sl[i].s == S_WAIT) {
				busy = true;
				if (sl[i].after < 0 || finished(&sl[sl[i].after]))
					next = next < sl[i].start_at ? next : sl[i].start_at;
				continue;
			}
			if (sl[i].s != S_RUN)
				continue;
			busy = true;
			next = next < sl[i].deadline ? next : sl[i].deadline;
			if (w->out_fd >= 0)
				pf[np++] = (struct pollfd){ .fd = w->out_fd, .events = POLLIN };
			if (w->err_fd >= 0)
				pf[np++] = (struct pollfd){ .fd = w->err_fd, .events = POLLIN };
			if (w->pidfd >= 0)
				pf[np++] = (struct pollfd){ .fd = w->pidfd, .events = POLLIN };
			else
				no_pidfd = true;
		}
		if (!busy)
			break;
		now = writer_now_us();
		ms = next == UINT64_MAX ? 1000 : next <= now ? 0 : (int)((next - now) / 1000) + 1;
		if (no_pidfd && ms > 20)
			ms = 20;
		ts.tv_sec = ms / 1000;
		ts.tv_nsec = (long)(ms % 1000) * 1000000;
		if (ppoll(pf, np, &ts, &old) > 0) {
			for (nfds_t k = 0; k < np; k++) {
				if (!pf[k].revents)
					continue;
				for (size_t i = 0; i < seq->n; i++) {
					struct wrun *w = sl[i].w;

					if (sl[i].s == S_RUN && (pf[k].fd == w->out_fd || pf[k].fd == w->err_fd))
						wproc_read(ctx, w, pf[k].fd);
				}
			}
		}
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	/* Everything told freeze has been told thaw or abort now. */
	if (!strcmp(event, "thaw") || !strcmp(event, "abort"))
		writer_unmark(ctx);
	if (!r) {
		bool quiet = !strcmp(event, "abort");

		for (size_t i = 0; i < seq->n; i++) {
			if (sl[i].s != S_FAIL)
				continue;
			if (quiet)
				vss_log(ctx, VSS_LEVEL_WARNING, "writer %s: %s: %s", sl[i].w->conf->name,
					sl[i].word, sl[i].why);
			else if (!r)
				r = vss_fail_kind(ctx, VSS_ERR_WRITER, EIO, "writer %s: %s: %s",
						  sl[i].w->conf->name, sl[i].word, sl[i].why);
			else
				vss_log(ctx, VSS_LEVEL_WARNING, "writer %s: %s failed too: %s",
					sl[i].w->conf->name, sl[i].word, sl[i].why);
		}
	}
	free(sl);
	free(pf);
	return r;
}
