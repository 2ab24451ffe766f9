/*
 * Trusted directories and files. The rules are sshd's StrictModes and
 * OpenDoas's: what root acts on must be root's and writable by no one
 * else. A directory on the way may be writable by others only if it is
 * sticky (as /tmp is), since there no one but its owner can rename or
 * remove a root-owned entry. Every check is made on an open descriptor
 * (fstat, never stat of a name), and every later open is relative to it,
 * so what was checked is what is used.
 */
#include "config.h"
#include "trust.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

bool trust_owner(uid_t uid)
{
	return uid == 0 || uid == geteuid();
}

const char *trust_kind(const struct stat *st)
{
	switch (st->st_mode & S_IFMT) {
	case S_IFREG: return "a regular file";
	case S_IFDIR: return "a directory";
	case S_IFLNK: return "a symbolic link";
	case S_IFIFO: return "a fifo";
	case S_IFSOCK: return "a socket";
	case S_IFBLK: return "a block device";
	case S_IFCHR: return "a character device";
	}
	return "of an unknown kind";
}

__attribute__((format(printf, 5, 6)))
static int refuse(struct vss_ctx *ctx, int err, const char *what, const char *dir,
		  const char *fmt, ...)
{
	char reason[700];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	if (what)
		return vss_fail_kind(ctx, VSS_ERR_USAGE, err, "%s %s: %s", what, dir, reason);
	return vss_fail_kind(ctx, VSS_ERR_USAGE, err, "%s", reason);
}

/* Why ST, the directory AT, is not to be trusted; NULL when it is. A
 * sticky one is allowed to be writable unless it is the one vss keeps its
 * files in (FINAL). */
static const char *dir_fault(const struct stat *st, bool final, char *buf, size_t len)
{
	if (!S_ISDIR(st->st_mode)) {
		snprintf(buf, len, "not a directory (%s)", trust_kind(st));
		return buf;
	}
	if (!trust_owner(st->st_uid)) {
		snprintf(buf, len, "owned by uid %u, not by root", (unsigned)st->st_uid);
		return buf;
	}
	if ((st->st_mode & (S_IWGRP | S_IWOTH)) && (final || !(st->st_mode & S_ISVTX))) {
		snprintf(buf, len, "writable by %s (mode %04o)",
			 st->st_mode & S_IWOTH ? "others" : "its group",
			 (unsigned)(st->st_mode & 07777));
		return buf;
	}
	return NULL;
}

static const char *file_fault(const struct stat *st, char *buf, size_t len)
{
	if (!S_ISREG(st->st_mode))
		snprintf(buf, len, "%s, not a regular file", trust_kind(st));
	else if (st->st_nlink != 1)
		snprintf(buf, len, "has %lu links (a hard link is never trusted)",
			 (unsigned long)st->st_nlink);
	else if (!trust_owner(st->st_uid))
		snprintf(buf, len, "owned by uid %u, not by root", (unsigned)st->st_uid);
	else if (st->st_mode & (S_IWGRP | S_IWOTH))
		snprintf(buf, len, "writable by %s (mode %04o)",
			 st->st_mode & S_IWOTH ? "others" : "its group",
			 (unsigned)(st->st_mode & 07777));
	else
		return NULL;
	return buf;
}

/* AT and DIR as a message shows them: once when they are the same. */
static int dir_refuse(struct vss_ctx *ctx, int err, const char *what, const char *dir,
		      const char *at, const char *reason)
{
	if (!strcmp(at, dir))
		return refuse(ctx, err, what, dir, "%s", reason);
	return refuse(ctx, err, what, dir, "%s: %s", at, reason);
}

static int walk(struct vss_ctx *ctx, const char *what, const char *dir, char *path,
		size_t pathlen, mode_t mode, int *fdp, bool *restart)
{
	char done[PATH_MAX + 256] = "", name[NAME_MAX + 1], why[256];
	const char *p = path;
	struct stat st;
	int fd, nfd;

	*restart = false;
	if ((fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 || fstat(fd, &st) < 0) {
		int err = errno;

		if (fd >= 0)
			close(fd);
		return refuse(ctx, err, what, dir, "/: %s", strerror(err));
	}
	for (;;) {
		size_t len;
		bool final;
		char at[sizeof(done)];
		mode_t parent = st.st_mode;

		while (*p == '/')
			p++;
		final = !*p;
		if (dir_fault(&st, final, why, sizeof(why))) {
			close(fd);
			return dir_refuse(ctx, EPERM, what, dir, done[0] ? done : "/", why);
		}
		if (final)
			break;
		len = strcspn(p, "/");
		if (len > NAME_MAX) {
			close(fd);
			return refuse(ctx, ENAMETOOLONG, what, dir, "a name on the way is too long");
		}
		memcpy(name, p, len);
		name[len] = '\0';
		p += len;
		if (!strcmp(name, "."))
			continue;
		if (!strcmp(name, "..")) {
			/* DONE holds no link, so its parent is the one ".."
			 * leads to (a link's target, such as /var/run's
			 * "../run", may say so): walked again from "/". */
			char next[PATH_MAX + 512], *slash = strrchr(done, '/');
			int w;

			close(fd);
			if (slash)
				*slash = '\0';
			w = snprintf(next, sizeof(next), "%s/%s", done, p);
			if (w < 0 || (size_t)w >= sizeof(next) || (size_t)w >= pathlen)
				return refuse(ctx, ENAMETOOLONG, what, dir, "too long a path");
			memcpy(path, next, (size_t)w + 1);
			*restart = true;
			return 0;
		}
		if (snprintf(at, sizeof(at), "%s/%s", done, name) >= (int)sizeof(at)) {
			close(fd);
			return refuse(ctx, ENAMETOOLONG, what, dir, "too long a path");
		}
		while (*p == '/')
			p++;
		nfd = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (nfd < 0 && errno == ENOENT && mode == TRUST_PROBE) {
			/* Every directory above was checked as one on the way:
			 * what is missing, a command would make there. */
			close(fd);
			*fdp = -1;
			return 0;
		}
		if (nfd < 0 && errno == ENOENT && mode) {
			if (mkdirat(fd, name, *p ? 0755 : mode) < 0 && errno != EEXIST) {
				int err = errno;

				close(fd);
				if (!*p)
					return refuse(ctx, err, what, dir, "cannot create: %s", strerror(err));
				return refuse(ctx, err, what, dir, "cannot create %s: %s", at, strerror(err));
			}
			nfd = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		}
		if (nfd < 0 && (errno == ELOOP || errno == ENOTDIR)) {
			struct stat lst;
			char target[PATH_MAX];
			ssize_t n;

			if (fstatat(fd, name, &lst, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISLNK(lst.st_mode)) {
				bool known = fstatat(fd, name, &lst, AT_SYMLINK_NOFOLLOW) == 0;

				close(fd);
				snprintf(why, sizeof(why), "not a directory (%s)",
					 known ? trust_kind(&lst) : strerror(ENOTDIR));
				return dir_refuse(ctx, ENOTDIR, what, dir, at, why);
			}
			/* Where others may make names, a link that is not
			 * root's may lead anywhere at the next run. */
			if ((parent & (S_IWGRP | S_IWOTH)) && !trust_owner(lst.st_uid)) {
				snprintf(why, sizeof(why), "a symbolic link owned by uid %u, in a "
					 "directory others may write", (unsigned)lst.st_uid);
				close(fd);
				return dir_refuse(ctx, EPERM, what, dir, at, why);
			}
			n = readlinkat(fd, name, target, sizeof(target) - 1);
			close(fd);
			if (n <= 0)
				return dir_refuse(ctx, EINVAL, what, dir, at,
						  "a symbolic link that cannot be read");
			target[n] = '\0';
			{
				char next[PATH_MAX + 512];
				int w = target[0] == '/' ?
					snprintf(next, sizeof(next), "%s/%s", target, p) :
					snprintf(next, sizeof(next), "%s/%s/%s", done, target, p);

				if (w < 0 || (size_t)w >= sizeof(next) || (size_t)w >= pathlen)
					return refuse(ctx, ENAMETOOLONG, what, dir, "too long a path");
				memcpy(path, next, (size_t)w + 1);
			}
			*restart = true;
			return 0;
		}
		if (nfd < 0) {
			int err = errno;

			close(fd);
			return dir_refuse(ctx, err, what, dir, at, strerror(err));
		}
		close(fd);
		fd = nfd;
		if (fstat(fd, &st) < 0) {
			int err = errno;

			close(fd);
			return dir_refuse(ctx, err, what, dir, at, strerror(err));
		}
		strcpy(done, at);  /* the same size */
	}
	*fdp = fd;
	return 0;
}

int trust_dir_open(struct vss_ctx *ctx, const char *what, const char *dir, mode_t mode, int *fdp)
{
	char path[PATH_MAX + 512];
	bool again = true;
	int r = 0;

	*fdp = -1;
	if (dir[0] != '/')
		return refuse(ctx, EINVAL, what, dir, "not an absolute path");
	if (snprintf(path, sizeof(path), "%s", dir) >= (int)sizeof(path))
		return refuse(ctx, ENAMETOOLONG, what, dir, "too long a path");
	/* As the kernel does: a bounded number of links on the way. */
	for (int hops = 0; again && !r; hops++) {
		if (hops > 40)
			return refuse(ctx, ELOOP, what, dir, "%s", strerror(ELOOP));
		r = walk(ctx, what, dir, path, sizeof(path), mode, fdp, &again);
	}
	return r;
}

int trust_subdir(struct vss_ctx *ctx, int dirfd, const char *dirpath, const char *name,
		 mode_t mode, int *fdp)
{
	char why[256] = "";
	struct stat st;
	int fd;

	*fdp = -1;
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && mode) {
		if (mkdirat(dirfd, name, mode) < 0 && errno != EEXIST)
			return vss_fail(ctx, errno, "%s/%s: cannot create: %s", dirpath, name,
					strerror(errno));
		fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	}
	if (fd < 0) {
		int err = errno;

		if ((err == ELOOP || err == ENOTDIR) && fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
			return refuse(ctx, err, NULL, NULL, "%s/%s: %s, not a directory", dirpath, name,
				      trust_kind(&st));
		return vss_fail(ctx, err, "%s/%s: %s", dirpath, name, strerror(err));
	}
	if (fstat(fd, &st) < 0 || dir_fault(&st, true, why, sizeof(why))) {
		int err = errno;

		close(fd);
		if (err && !why[0])
			return vss_fail(ctx, err, "%s/%s: %s", dirpath, name, strerror(err));
		return refuse(ctx, EPERM, NULL, NULL, "%s/%s: %s", dirpath, name, why);
	}
	*fdp = fd;
	return 0;
}

int trust_file_open(struct vss_ctx *ctx, int dirfd, const char *dirpath, const char *name,
		    int flags, mode_t mode, int *fdp)
{
	bool trunc = flags & O_TRUNC;
	char why[256];
	struct stat st;
	int fd;

	*fdp = -1;
	/* Not truncated before it is checked: a hard link's other name would
	 * lose its contents. Not blocked on a fifo's open: it is refused. */
	fd = openat(dirfd, name, (flags & ~O_TRUNC) | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK,
		    mode);
	if (fd < 0) {
		int err = errno;

		if (err != ENOENT && fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    !S_ISREG(st.st_mode))
			return refuse(ctx, err, NULL, NULL, "%s/%s: %s%s", dirpath, name,
				      file_fault(&st, why, sizeof(why)),
				      S_ISLNK(st.st_mode) ? " (never followed)" : "");
		return vss_fail(ctx, err, "%s/%s: %s", dirpath, name, strerror(err));
	}
	if (fstat(fd, &st) < 0) {
		int err = errno;

		close(fd);
		return vss_fail(ctx, err, "%s/%s: %s", dirpath, name, strerror(err));
	}
	if (file_fault(&st, why, sizeof(why))) {
		close(fd);
		return refuse(ctx, EPERM, NULL, NULL, "%s/%s: %s", dirpath, name, why);
	}
	if ((!(flags & O_NONBLOCK) && fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0) ||
	    (trunc && ftruncate(fd, 0) < 0)) {
		int err = errno;

		close(fd);
		return vss_fail(ctx, err, "%s/%s: %s", dirpath, name, strerror(err));
	}
	*fdp = fd;
	return 0;
}

static void sync_dir(struct vss_ctx *ctx, int dirfd, const char *dirpath)
{
	/* The change is made: a failed sync makes it less durable, not
	 * undone, so the caller must not act as if it failed. */
	if (fsync(dirfd) < 0)
		vss_log(ctx, VSS_LEVEL_WARNING, "%s: cannot sync: %s", dirpath, strerror(errno));
}

int trust_file_replace(struct vss_ctx *ctx, int dirfd, const char *dirpath, const char *name,
		       const void *data, size_t len, mode_t mode)
{
	char tmp[NAME_MAX + 1];
	const char *d = data;
	int fd, err;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", name, (long)getpid()) >= (int)sizeof(tmp))
		return vss_fail(ctx, ENAMETOOLONG, "%s/%s: too long a name", dirpath, name);
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0 && errno == EEXIST) {
		/* Left by a process of our pid killed while writing: only the
		 * name goes, whatever it was. */
		unlinkat(dirfd, tmp, 0);
		fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	}
	if (fd < 0)
		return vss_fail(ctx, errno, "%s/%s: %s", dirpath, tmp, strerror(errno));
	while (len > 0) {
		ssize_t w = write(fd, d, len);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		d += w;
		len -= (size_t)w;
	}
	if (fsync(fd) < 0)
		goto fail;
	if (close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (renameat(dirfd, tmp, dirfd, name) < 0)
		goto fail;
	sync_dir(ctx, dirfd, dirpath);
	return 0;
fail:
	err = errno;
	if (fd >= 0)
		close(fd);
	unlinkat(dirfd, tmp, 0);
	return vss_fail(ctx, err, "%s/%s: cannot write: %s", dirpath, name, strerror(err));
}

int trust_unlink(struct vss_ctx *ctx, int dirfd, const char *dirpath, const char *name)
{
	if (unlinkat(dirfd, name, 0) < 0)
		return vss_fail(ctx, errno, "%s/%s: %s", dirpath, name, strerror(errno));
	sync_dir(ctx, dirfd, dirpath);
	return 0;
}
