/* Events published under RUN_DIR/events and read back by a feed: what a
 * process publishes (operations only, no debug, strings kept to one line),
 * and what a follower gets (complete lines, in order, once; history of dead
 * processes skipped; a reused pid's file read again from its start). */
#include "config.h"
#include "engine/base/internal.h"
#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SET "0123abcd-0000-4000-8000-000000000001"

/* What the feed delivered, copied out of its buffer. */
struct got {
	enum vss_event_kind kind;
	enum vss_level level;
	char op[64], set[64], writer[64], wevent[64], text[1100];
	bool has_set, has_writer, has_wevent;
	int wstate;
	bool busy;
	long pid;
	long long at_us;
	uint64_t elapsed_us;
};

static struct got got[64];
static int ngot;

static void copy(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src ? src : "");
}

static void on_event(const struct vss_event *ev, void *data)
{
	struct got *g;

	(void)data;
	if (ngot == (int)(sizeof(got) / sizeof(got[0])))
		return;
	g = &got[ngot++];
	g->kind = ev->kind;
	g->level = ev->level;
	copy(g->op, sizeof(g->op), ev->op);
	copy(g->set, sizeof(g->set), ev->set);
	copy(g->writer, sizeof(g->writer), ev->writer);
	copy(g->wevent, sizeof(g->wevent), ev->writer_event);
	copy(g->text, sizeof(g->text), ev->text);
	g->has_set = ev->set != NULL;
	g->has_writer = ev->writer != NULL;
	g->has_wevent = ev->writer_event != NULL;
	g->wstate = ev->writer_state;
	g->busy = ev->writer_busy;
	g->pid = ev->pid;
	g->at_us = ev->at_us;
	g->elapsed_us = ev->elapsed_us;
}

/* One vss_feed_read into got[]; its return value. */
static int feed(struct vss_feed *f)
{
	ngot = 0;
	return vss_feed_read(f, on_event, NULL);
}

static long long now_us(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (long long)tv.tv_sec * 1000000 + tv.tv_usec;
}

/* A line as event-pub.c writes it, TEXT its last field. */
static int line(char *buf, size_t len, long pid, const char *kind, const char *text)
{
	return snprintf(buf, len, "%lld\t%ld\t%s\twarning\t7\t0\t-1\tby-hand\t\t\t\t%s\n", now_us(), pid,
			kind, text);
}

static char evdir[512];

static int append(long pid, const char *s, int flags)
{
	char path[600];
	int fd;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%ld.ev", evdir, pid);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_APPEND | flags, 0644)) < 0)
		return -1;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -1;
}

/* Appends the complete lines TEXT... (NULL-ended) to PID's file. */
static int lines(long pid, int flags, ...)
{
	char buf[8192], one[1024];
	size_t len = 0;
	va_list ap;
	const char *t;

	va_start(ap, flags);
	while ((t = va_arg(ap, const char *)) && len < sizeof(buf) - sizeof(one)) {
		line(one, sizeof(one), pid, "log", t);
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s", one);
	}
	va_end(ap);
	return append(pid, buf, flags);
}

/* A pid that no longer exists: a child's, reaped. */
static pid_t dead_pid(void)
{
	pid_t p = fork();

	if (p == 0)
		_exit(0);
	if (p > 0)
		waitpid(p, NULL, 0);
	return p;
}

static void say(int fd, char c)
{
	if (write(fd, &c, 1) != 1)
		_exit(90);
}

static char hear(int fd)
{
	char c = 0;

	if (read(fd, &c, 1) != 1)
		return 0;
	return c;
}

/* The publisher's own subscriber: it sees what is not published too. */
static void seen_outside(const struct vss_event *ev, void *data)
{
	int *n = data;

	if (!ev->op && (!strcmp(ev->text, "before any operation") ||
			!strcmp(ev->text, "after the operation")))
		(*n)++;
}

/* The child: publishes two batches, telling the parent after each. */
static void publisher(const struct vss_options *opts, int tell, int wait)
{
	struct vss_ctx *ctx;
	int outside = 0, r;

	if (vss_ctx_new(&ctx, opts))
		_exit(91);
	vss_subscribe(ctx, seen_outside, &outside);
	vss_events_publish(ctx, true);
	vss_log(ctx, VSS_LEVEL_WARNING, "before any operation");
	vss_op_begin(ctx, "test-op");
	vss_step(ctx, "step %d of %d", 1, 2);
	vss_log(ctx, VSS_LEVEL_WARNING, "a\ttab and\na newline\rand a return");
	vss_log(ctx, VSS_LEVEL_DEBUG, "debug: never published");
	vss_writer_event(ctx, SET, "alpha", VSS_WRITER_FROZEN, "freeze", true, VSS_LEVEL_INFO,
			 "freeze");
	vss_writer_event(ctx, SET, "alpha", VSS_WRITER_FAILED, "freeze", false, VSS_LEVEL_WARNING,
			 "freeze: failed: told\tto fail");
	vss_phase(ctx, SET, "thaw");
	vss_op_end(ctx, 0);
	vss_log(ctx, VSS_LEVEL_WARNING, "after the operation");
	say(tell, '1');
	if (hear(wait) != 'g')
		_exit(92);
	/* An operation that fails, seen half-way, then to its end. */
	vss_op_begin(ctx, "test-op");
	vss_step(ctx, "half-way");
	say(tell, '2');
	if (hear(wait) != 'g')
		_exit(93);
	r = vss_fail(ctx, EIO, "volume %s: it broke", "a");
	vss_op_end(ctx, r);
	/* A failure without a message: strerror's words. */
	vss_op_begin(ctx, "other op");
	vss_op_end(ctx, -ENOSPC);
	say(tell, '3');
	hear(wait);
	vss_ctx_free(ctx);
	_exit(outside == 2 ? 0 : 94);
}

int main(void)
{
	char dir[] = "/tmp/vss-test-feed.XXXXXX", empty[] = "/tmp/vss-test-feed-empty.XXXXXX";
	char path[600], path2[600], buf[200000], one[1024];
	struct vss_options opts = { 0 };
	struct vss_ctx *ctx;
	struct vss_feed *f, *f2;
	int tell[2], wait[2], sl[2], status, r, i;
	pid_t child, sleeper, dead1, dead2, dead3;
	long long t0, t1;
	struct stat st, st2;
	struct timespec old[2];
	bool in_order;

	if (!mkdtemp(dir) || !mkdtemp(empty) || pipe(tell) || pipe(wait) || pipe(sl))
		return 99;
	snprintf(evdir, sizeof(evdir), "%s/events", dir);
	if (mkdir(evdir, 0755))
		return 99;
	opts.state_dir = dir;
	opts.run_dir = dir;

	/* Before anyone follows: a process gone (history), one gone long ago
	 * (stale: the next publisher removes its file). */
	dead1 = dead_pid();
	dead2 = dead_pid();
	if (dead1 <= 0 || dead2 <= 0 || lines(dead1, 0, "history", (char *)NULL) ||
	    lines(dead2, 0, "stale", (char *)NULL))
		return 99;
	snprintf(path, sizeof(path), "%s/%ld.ev", evdir, (long)dead2);
	clock_gettime(CLOCK_REALTIME, &old[0]);
	old[0].tv_sec -= 700;
	old[1] = old[0];
	if (utimensat(AT_FDCWD, path, old, 0))
		return 99;

	/* A live process that writes nothing itself: its file is ours to write. */
	sleeper = fork();
	if (sleeper == 0) {
		close(sl[1]);
		hear(sl[0]);
		_exit(0);
	}
	close(sl[0]);

	t0 = now_us();
	child = fork();
	if (child == 0)
		publisher(&opts, tell[1], wait[0]);
	if (sleeper < 0 || child < 0 || hear(tell[0]) != '1')
		return 99;
	t1 = now_us();

	snprintf(path, sizeof(path), "%s/%ld.ev", evdir, (long)dead2);
	ok(access(path, F_OK) < 0 && errno == ENOENT,
	   "a publisher removes the file of a process gone for long");
	snprintf(path, sizeof(path), "%s/%ld.ev", evdir, (long)dead1);
	ok(access(path, F_OK) == 0, "and keeps a recent one");

	/* A feed on a run directory without events/ yet: nothing, no error. */
	opts.run_dir = empty;
	vss_ctx_new(&ctx, &opts);
	ok(vss_feed_open(ctx, &f2) == 0, "a feed opens where nothing was published yet");
	ok(feed(f2) == 0 && ngot == 0, "and reads nothing");
	vss_feed_close(f2);
	vss_ctx_free(ctx);
	opts.run_dir = dir;

	/* The feed opens after the first operation ended: the publisher is
	 * alive, so its file is read from the beginning. */
	vss_ctx_new(&ctx, &opts);
	ok(vss_feed_open(ctx, &f) == 0, "vss_feed_open");
	r = feed(f);
	ok(r == 6 && ngot == 6, "the first read: the 6 published events of the live process "
	   "(not the gone process's history, not debug, not outside the operation): got %d", r);
	for (i = 0; i < ngot; i++)
		printf("#   %d: %s %d op='%s' text='%s' pid %ld\n", i, vss_event_kind_name(got[i].kind),
		       got[i].level, got[i].op, got[i].text, got[i].pid);
	if (ngot == 6) {
		in_order = true;
		for (i = 0; i < 6; i++) {
			in_order &= got[i].pid == (long)child && !strcmp(got[i].op, "test-op");
			in_order &= got[i].at_us >= t0 && got[i].at_us <= t1;
			in_order &= i == 0 || (got[i].at_us >= got[i - 1].at_us &&
					       got[i].elapsed_us >= got[i - 1].elapsed_us);
		}
		ok(in_order, "each names the child's pid (%ld) and the operation, in time order",
		   (long)child);

		ok(got[0].kind == VSS_EVENT_STEP && got[0].level == VSS_LEVEL_INFO &&
		   !got[0].has_set && !got[0].has_writer && !got[0].has_wevent && !got[0].busy &&
		   got[0].wstate == -1, "1: a step, info, no set, writer or writer state");
		is_str(got[0].text, "step 1 of 2", "1: its text");

		ok(got[1].kind == VSS_EVENT_LOG && got[1].level == VSS_LEVEL_WARNING,
		   "2: a log line at warning");
		is_str(got[1].text, "a tab and a newline and a return",
		       "2: tabs, newlines and returns of the text come back as spaces");

		ok(got[2].kind == VSS_EVENT_WRITER && got[2].level == VSS_LEVEL_INFO &&
		   got[2].busy && got[2].wstate == VSS_WRITER_FROZEN,
		   "3: a writer event, busy, its state frozen");
		ok(!strcmp(got[2].set, SET) && !strcmp(got[2].writer, "alpha") &&
		   !strcmp(got[2].wevent, "freeze") && !strcmp(got[2].text, "freeze"),
		   "3: its set, writer, event and text");

		ok(got[3].kind == VSS_EVENT_WRITER && got[3].level == VSS_LEVEL_WARNING &&
		   !got[3].busy && got[3].wstate == VSS_WRITER_FAILED && !strcmp(got[3].writer, "alpha"),
		   "4: the writer's answer: not busy, failed, at warning");
		is_str(got[3].text, "freeze: failed: told to fail", "4: its text, the tab a space");

		ok(got[4].kind == VSS_EVENT_PHASE && got[4].level == VSS_LEVEL_INFO &&
		   !strcmp(got[4].set, SET) && !got[4].has_writer, "5: a phase of the set");
		is_str(got[4].text, "thaw", "5: its name");

		ok(got[5].kind == VSS_EVENT_END && got[5].level == VSS_LEVEL_INFO,
		   "6: the operation's end, info");
		is_str(got[5].text, "done", "6: says done");
	} else {
		ok(0, "the events (skipped: not 6 of them)");
	}
	ok(feed(f) == 0 && ngot == 0, "a second read: nothing new");

	/* Half an operation, then its failing end. */
	say(wait[1], 'g');
	if (hear(tell[0]) != '2')
		return 99;
	r = feed(f);
	ok(r == 1 && ngot == 1 && got[0].kind == VSS_EVENT_STEP && !strcmp(got[0].text, "half-way"),
	   "an operation under way is seen as it goes (got %d)", r);
	say(wait[1], 'g');
	if (hear(tell[0]) != '3')
		return 99;
	r = feed(f);
	ok(r == 2 && ngot == 2, "its end and the next operation's: 2 events, vss_fail's debug "
	   "line not among them (got %d)", r);
	if (ngot == 2) {
		ok(got[0].kind == VSS_EVENT_END && got[0].level == VSS_LEVEL_ERROR &&
		   !strcmp(got[0].op, "test-op") && got[0].pid == (long)child,
		   "a failed operation ends with an END event at error");
		is_str(got[0].text, "volume a: it broke", "carrying vss_fail's message");
		ok(got[1].kind == VSS_EVENT_END && got[1].level == VSS_LEVEL_ERROR &&
		   !strcmp(got[1].op, "other op"), "a failure without a message ends at error too");
		is_str(got[1].text, strerror(ENOSPC), "with strerror's words");
	}
	say(wait[1], 'x');
	waitpid(child, &status, 0);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	   "the publisher's own subscriber saw the events outside operations that were not "
	   "published (exit %d)", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	ok(feed(f) == 0, "a publisher that ended adds nothing more");

	/* Lines written by hand into a live process's file. */
	line(one, sizeof(one), sleeper, "log", "half and the rest");
	snprintf(buf, sizeof(buf), "%.*s", (int)(strlen(one) / 2), one);
	append(sleeper, buf, 0);
	ok(feed(f) == 0 && ngot == 0, "half a line is not delivered");
	append(sleeper, one + strlen(one) / 2, 0);
	r = feed(f);
	ok(r == 1 && ngot == 1 && !strcmp(got[0].text, "half and the rest") &&
	   got[0].pid == (long)sleeper && got[0].level == VSS_LEVEL_WARNING,
	   "once completed, it is, whole (got %d)", r);
	line(buf, sizeof(buf), sleeper, "step", "complete");
	line(one, sizeof(one), sleeper, "step", "not yet");
	one[10] = '\0';
	strcat(buf, one);
	append(sleeper, buf, 0);
	r = feed(f);
	ok(r == 1 && !strcmp(got[0].text, "complete"), "a complete line and half of the next: "
	   "the complete one alone (got %d)", r);
	line(one, sizeof(one), sleeper, "step", "not yet");
	append(sleeper, one + 10, 0);
	r = feed(f);
	ok(r == 1 && !strcmp(got[0].text, "not yet"), "then the other (got %d)", r);
	append(sleeper, "garbage\tline\n", 0);
	lines(sleeper, 0, "after garbage", (char *)NULL);
	r = feed(f);
	ok(r == 1 && !strcmp(got[0].text, "after garbage"), "a malformed line is skipped, the one after it "
	   "read (got %d)", r);

	/* Our own file is not ours to follow. */
	lines(getpid(), 0, "mine", (char *)NULL);
	ok(feed(f) == 0, "the feed skips its own process's file");

	/* A process that came and went since the last read: not history. */
	dead3 = dead_pid();
	lines(dead3, 0, "quick 1", "quick 2", (char *)NULL);
	r = feed(f);
	ok(r == 2 && !strcmp(got[0].text, "quick 1") && !strcmp(got[1].text, "quick 2") &&
	   got[0].pid == (long)dead3, "a file of a process that ended after the feed opened is read "
	   "whole (got %d)", r);

	/* A reused pid, its file replaced: a new inode, read from its start. */
	snprintf(path, sizeof(path), "%s/%ld.ev", evdir, (long)sleeper);
	snprintf(path2, sizeof(path2), "%s/new.tmp", evdir);
	stat(path, &st);
	buf[0] = '\0';
	for (i = 1; i <= 8; i++) {
		char t[32];

		snprintf(t, sizeof(t), "second life %d", i);
		line(one, sizeof(one), sleeper, "log", t);
		strcat(buf, one);
	}
	r = open(path2, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (r < 0 || write(r, buf, strlen(buf)) != (ssize_t)strlen(buf) || close(r) ||
	    rename(path2, path) || stat(path, &st2))
		return 99;
	ok(st.st_ino != st2.st_ino && st2.st_size > st.st_size,
	   "(the new file: another inode, longer than the old)");
	r = feed(f);
	ok(r == 8 && !strcmp(got[0].text, "second life 1") && !strcmp(got[7].text, "second life 8"),
	   "a file replaced (same name, new inode) is read from its start (got %d)", r);

	/* A file emptied in place (the same inode): the feed sees its first line change. */
	lines(sleeper, O_TRUNC, "third life", (char *)NULL);
	r = feed(f);
	ok(r == 1 && !strcmp(got[0].text, "third life"),
	   "a file emptied in place and rewritten shorter is read from its start (got %d)", r);
	r = feed(f);
	ok(r == 0, "and only once: the next read finds nothing new (got %d)", r);
	lines(sleeper, O_TRUNC, "fourth life 1", "fourth life 2", "fourth life 3", (char *)NULL);
	r = feed(f);
	ok(r == 3 && !strcmp(got[0].text, "fourth life 1"),
	   "a file emptied in place and rewritten longer than what was read is read from its "
	   "start (got %d%s%s)", r, ngot ? ", the first: " : "", ngot ? got[0].text : "");

	/* A line longer than the feed's buffer: skipped, the next one delivered. */
	memset(buf, 'x', 70000);
	buf[70000] = '\n';
	buf[70001] = '\0';
	append(sleeper, buf, 0);
	lines(sleeper, 0, "after a long line", (char *)NULL);
	r = feed(f);
	ok(r == 1 && !strcmp(got[0].text, "after a long line"),
	   "a line too long is skipped, the complete line after it delivered in the same read "
	   "(got %d)", r);
	if (r != 1) {
		r = feed(f);
		printf("#   (a further read delivered %d: '%s')\n", r, ngot ? got[0].text : "");
	}

	/* Events are shown only as root published them: a file anyone else
	 * could write, or another user's, is forged news. */
	{
		lines(sleeper, 0, "root's own", (char *)NULL);
		snprintf(path, sizeof(path), "%s/%ld.ev", evdir, (long)sleeper);
		chmod(path, 0666);
		lines(sleeper, 0, "forged in a file anyone may write", (char *)NULL);
		r = feed(f);
		ok(r == 0, "a file writable by others is not read (got %d%s%s)", r,
		   ngot ? ": " : "", ngot ? got[0].text : "");
		chmod(path, 0644);
		if (geteuid() == 0) {
			ok(chown(path, 65534, 65534) == 0 && feed(f) == 0,
			   "nor one owned by another user");
			ok(chown(path, 0, 0) == 0, "given back to root");
		} else {
			ok(1, "nor one owned by another user # SKIP needs root to give it away");
			ok(1, "given back to root # SKIP needs root");
		}
		r = feed(f);
		ok(r == 2 && !strcmp(got[0].text, "root's own"),
		   "root's again: read on from where it was (got %d)", r);
	}

	vss_feed_close(f);
	vss_ctx_free(ctx);
	say(sl[1], 'x');
	waitpid(sleeper, NULL, 0);
	snprintf(buf, sizeof(buf), "rm -rf '%s' '%s'", dir, empty);
	if (system(buf))
		return 99;
	return done_testing();
}
