/*
 * Events published for other processes: a set made by cron
 * shows up live in a dashboard opened elsewhere. Each publishing process
 * appends one line an event to RUN_DIR/events/PID.ev; vss_feed (event-feed.c)
 * follows them. A file is opened at the process's first event of an
 * operation, as a new file, so a reused pid starts afresh.
 *
 * A line: AT_US PID KIND LEVEL ELAPSED_US BUSY WSTATE, then OP SET WRITER
 * WEVENT TEXT, all eleven fields apart by tabs (tabs and newlines of the
 * strings become spaces). Nothing here may fail an operation: a run
 * directory that cannot be written only loses the dashboard its view.
 */
#include "config.h"
#include "event-pub.h"
#include "trust.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

/* Files of processes gone longer than this are removed by the next
 * publisher: long enough for a dashboard to read their last lines. */
#define STALE_SECONDS 600

static const char *const kinds[] = { "log", "step", "phase", "writer", "end" };
static const char *const levels[] = { "error", "warning", "info", "debug" };

void vss_events_publish(struct vss_ctx *ctx, bool on)
{
	ctx->publisher = on ? event_publish : NULL;
}

int event_pub_dir(const struct vss_ctx *ctx, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/events", ctx->run_dir);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* Removes the files of processes long gone. */
static void prune(int dirfd)
{
	DIR *d = fdopendir(fcntl(dirfd, F_DUPFD_CLOEXEC, 0));
	struct dirent *de;
	time_t now = time(NULL);

	if (!d)
		return;
	while ((de = readdir(d))) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);
		struct stat st;

		if (pid <= 0 || strcmp(end, ".ev") || pid == (long)getpid())
			continue;
		if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    now - st.st_mtime > STALE_SECONDS)
			unlinkat(dirfd, de->d_name, 0);
	}
	closedir(d);
}

static void pub_close(struct vss_ctx *ctx)
{
	if (ctx->pub_fd >= 0)
		close(ctx->pub_fd);
	ctx->pub_fd = -1;
}

static int pub_open(struct vss_ctx *ctx)
{
	char name[32];
	int dirfd, fd;

	/* The run directory is made here when this is the first command since
	 * boot; events/ is 0755 and each file 0644, for a dashboard run by
	 * another process, and writable by no one else. */
	if (vss_run_fd(ctx) < 0 ||
	    trust_subdir(ctx, ctx->run_fd, ctx->run_dir, "events", 0755, &dirfd))
		return -1;
	prune(dirfd);
	snprintf(name, sizeof(name), "%ld.ev", (long)getpid());
	/* A file of an earlier process with our pid goes: ours is a new one
	 * (a new inode), which tells a follower to read it from its start. */
	unlinkat(dirfd, name, 0);
	fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC | O_NOFOLLOW,
		    0644);
	close(dirfd);
	ctx->pub_fd = fd;
	if (fd < 0)
		return -1;
	vss_ctx_on_free(ctx, VSS_CLEANUP_EVENTS, pub_close);
	return 0;
}

/* S with tabs and newlines as spaces, into OUT at *POS. */
static void field(char *out, size_t len, size_t *pos, const char *s, bool last)
{
	for (; s && *s && *pos + 2 < len; s++)
		out[(*pos)++] = (*s == '\t' || *s == '\n' || *s == '\r') ? ' ' : *s;
	out[(*pos)++] = last ? '\n' : '\t';
}

void event_publish(struct vss_ctx *ctx, const struct vss_event *ev)
{
	char line[2048];
	size_t pos;
	int n;

	if (!ctx->op || ev->level == VSS_LEVEL_DEBUG)
		return;
	if (ctx->pub_fd < 0) {
		/* One try a context: a run directory we cannot write stays so. */
		if (ctx->pub_tried)
			return;
		ctx->pub_tried = true;
		{
			/* Its failure is no failure of the operation, whose
			 * message may be the one being published. */
			char msg[sizeof(ctx->errmsg)];
			enum vss_error_kind kind = ctx->errkind;
			int r;

			memcpy(msg, ctx->errmsg, sizeof(msg));
			ctx->errmsg[0] = '\0';
			r = pub_open(ctx);
			/* Said, as trust.c's refusals are, but only once. */
			if (r < 0 && ctx->errmsg[0])
				vss_log(ctx, VSS_LEVEL_WARNING, "%s (events are not published)",
					ctx->errmsg);
			memcpy(ctx->errmsg, msg, sizeof(msg));
			ctx->errkind = kind;
			if (r < 0)
				return;
		}
	}
	n = snprintf(line, sizeof(line), "%lld\t%ld\t%s\t%s\t%llu\t%d\t%d\t", ev->at_us,
		     (long)getpid(), kinds[ev->kind], levels[ev->level],
		     (unsigned long long)ev->elapsed_us, ev->writer_busy ? 1 : 0,
		     ev->kind == VSS_EVENT_WRITER ? ev->writer_state : -1);
	if (n < 0 || (size_t)n >= sizeof(line))
		return;
	pos = (size_t)n;
	field(line, sizeof(line), &pos, ev->op, false);
	field(line, sizeof(line), &pos, ev->set, false);
	field(line, sizeof(line), &pos, ev->writer, false);
	field(line, sizeof(line), &pos, ev->writer_event, false);
	field(line, sizeof(line), &pos, ev->text, true);
	/* One write, O_APPEND: a reader never sees half a line of another's. */
	if (write(ctx->pub_fd, line, pos) < 0)
		return;
}


const char *vss_event_kind_name(enum vss_event_kind k)
{
	return (unsigned)k < sizeof(kinds) / sizeof(kinds[0]) ? kinds[k] : "?";
}

int event_kind_parse(const char *s, enum vss_event_kind *k)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(s, kinds[i])) {
			*k = (enum vss_event_kind)i;
			return 0;
		}
	return -EINVAL;
}

int event_level_parse(const char *s, enum vss_level *l)
{
	for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
		if (!strcmp(s, levels[i])) {
			*l = (enum vss_level)i;
			return 0;
		}
	return -EINVAL;
}
