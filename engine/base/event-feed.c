/*
 * Following other processes' events (event-pub.c writes them): one read
 * position a file of RUN_DIR/events, complete lines only, parsed back into
 * struct vss_event. A follower polls: the files are few and small, and a
 * dashboard redraws on a timer anyway.
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
#include <unistd.h>

#define HEAD_MAX 256

struct feed_file {
	long pid;
	ino_t ino;
	off_t pos;
	bool seen;      /* found by the latest scan */
	char head[HEAD_MAX]; /* its first line (or what there was of it) */
	size_t headlen;
};

struct vss_feed {
	char dir[4200];
	struct feed_file *files;
	size_t n;
	bool primed;    /* the first scan is done */
	char buf[65536];
};

int vss_feed_open(struct vss_ctx *ctx, struct vss_feed **feedp)
{
	struct vss_feed *f = calloc(1, sizeof(*f));

	if (!f)
		return vss_fail(ctx, ENOMEM, "out of memory");
	if (event_pub_dir(ctx, f->dir, sizeof(f->dir))) {
		free(f);
		return vss_fail(ctx, ENAMETOOLONG, "%s/events: too long a path", ctx->run_dir);
	}
	*feedp = f;
	return 0;
}

void vss_feed_close(struct vss_feed *f)
{
	if (!f)
		return;
	free(f->files);
	free(f);
}

static struct feed_file *file_of(struct vss_feed *f, long pid, ino_t ino, bool *fresh)
{
	struct feed_file *nf;

	*fresh = false;
	for (size_t i = 0; i < f->n; i++)
		if (f->files[i].pid == pid) {
			if (f->files[i].ino != ino) {
				/* A new process with a reused pid: a new file. */
				f->files[i].ino = ino;
				f->files[i].pos = 0;
			}
			return &f->files[i];
		}
	if (!(nf = realloc(f->files, (f->n + 1) * sizeof(*nf))))
		return NULL;
	f->files = nf;
	nf = &f->files[f->n++];
	memset(nf, 0, sizeof(*nf));
	nf->pid = pid;
	nf->ino = ino;
	*fresh = true;
	return nf;
}

/* Splits LINE at tabs into at most MAX fields; the count found. */
static int split(char *line, char **fields, int max)
{
	int n = 0;

	fields[n++] = line;
	for (char *p = line; *p && n < max; p++)
		if (*p == '\t') {
			*p = '\0';
			fields[n++] = p + 1;
		}
	return n;
}

static bool parse(char *line, struct vss_event *ev)
{
	char *fl[12];
	char *end;

	if (split(line, fl, 12) != 12)
		return false;
	memset(ev, 0, sizeof(*ev));
	ev->at_us = strtoll(fl[0], &end, 10);
	if (*end)
		return false;
	ev->pid = strtol(fl[1], &end, 10);
	if (*end || event_kind_parse(fl[2], &ev->kind) || event_level_parse(fl[3], &ev->level))
		return false;
	ev->elapsed_us = strtoull(fl[4], &end, 10);
	if (*end)
		return false;
	ev->writer_busy = !strcmp(fl[5], "1");
	ev->writer_state = atoi(fl[6]);
	ev->op = fl[7];
	ev->set = *fl[8] ? fl[8] : NULL;
	ev->writer = *fl[9] ? fl[9] : NULL;
	ev->writer_event = *fl[10] ? fl[10] : NULL;
	ev->text = fl[11];
	return true;
}

/* Delivers the complete lines of FD from FF's position on. */
static int drain(struct vss_feed *f, struct feed_file *ff, int fd, vss_event_fn *fn, void *data)
{
	int count = 0;

	for (;;) {
		ssize_t got = pread(fd, f->buf, sizeof(f->buf) - 1, ff->pos);
		char *line, *nl;
		size_t used = 0;

		if (got <= 0)
			break;
		f->buf[got] = '\0';
		for (line = f->buf; (nl = memchr(line, '\n', (size_t)got - used)); line = nl + 1) {
			struct vss_event ev;

			*nl = '\0';
			used = (size_t)(nl + 1 - f->buf);
			if (parse(line, &ev)) {
				fn(&ev, data);
				count++;
			}
		}
		if (!used) {
			/* A line longer than the buffer is no line of ours: skip it. */
			if ((size_t)got < sizeof(f->buf) - 1)
				break;
			ff->pos += got;
			continue;
		}
		ff->pos += (off_t)used;
	}
	return count;
}

/* Whether FD is another file than the one FF has read: shorter, or not
 * beginning as it did (a new inode may have an old one's number). */
static bool new_file(struct feed_file *ff, int fd, off_t size)
{
	char head[HEAD_MAX];
	ssize_t got;
	size_t len;
	char *nl;

	bool other;

	if ((got = pread(fd, head, sizeof(head), 0)) < 0)
		return size < ff->pos;
	len = (size_t)got;
	if ((nl = memchr(head, '\n', len)))
		len = (size_t)(nl - head) + 1;
	other = size < ff->pos ||
		(ff->headlen && (len < ff->headlen || memcmp(head, ff->head, ff->headlen)));
	/* What it begins with now, either way, so it is told new only once. */
	memcpy(ff->head, head, len);
	ff->headlen = len;
	return other;
}

int vss_feed_read(struct vss_feed *f, vss_event_fn *fn, void *data)
{
	int dfd = open(f->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct dirent *de;
	struct stat dst;
	int count = 0;
	DIR *d = NULL;

	/* Only events root published are shown: a directory or a file anyone
	 * else could write is no news. */
	if (dfd >= 0 && (fstat(dfd, &dst) < 0 || !trust_owner(dst.st_uid) ||
			 (dst.st_mode & (S_IWGRP | S_IWOTH)))) {
		close(dfd);
		return -EPERM;
	}
	if (dfd >= 0 && !(d = fdopendir(dfd))) {
		int err = errno;

		close(dfd);
		return -err;
	}
	if (!d) {
		/* None yet: whatever appears later is news, not history. */
		if (errno == ENOENT)
			f->primed = true;
		return errno == ENOENT ? 0 : -errno;
	}
	for (size_t i = 0; i < f->n; i++)
		f->files[i].seen = false;
	while ((de = readdir(d))) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);
		struct feed_file *ff;
		struct stat st;
		bool fresh;
		int fd;

		if (pid <= 0 || strcmp(end, ".ev") || pid == (long)getpid())
			continue;
		if ((fd = openat(dirfd(d), de->d_name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
			continue;
		if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || !(ff = file_of(f, pid, st.st_ino, &fresh))) {
			close(fd);
			continue;
		}
		ff->seen = true;
		if (!trust_owner(st.st_uid) || (st.st_mode & (S_IWGRP | S_IWOTH))) {
			close(fd);
			continue;
		}
		/* What a process long gone wrote before we looked is history. */
		if (fresh && !f->primed && kill((pid_t)pid, 0) < 0 && errno == ESRCH)
			ff->pos = st.st_size;
		if (new_file(ff, fd, st.st_size))
			ff->pos = 0;  /* its pid was reused */
		if (st.st_size > ff->pos)
			count += drain(f, ff, fd, fn, data);
		close(fd);
	}
	closedir(d);
	f->primed = true;
	/* Forget files that are gone. */
	for (size_t i = 0; i < f->n;)
		if (!f->files[i].seen)
			f->files[i] = f->files[--f->n];
		else
			i++;
	return count;
}
