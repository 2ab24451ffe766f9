/*
 * State files. A crash at any instant leaves either the old file or the new
 * one, never a torn one: write a temp file beside it, fsync it, rename it
 * over, fsync the directory so the rename itself survives power loss.
 */
#include "config.h"
#include "state.h"
#include "strv.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int path_of(struct vss_ctx *ctx, const char *rel, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/%s", ctx->state_dir, rel);

	if (n < 0 || (size_t)n >= len)
		return vss_fail(ctx, ENAMETOOLONG, "%s/%s: path too long", ctx->state_dir, rel);
	return 0;
}

static int fsync_dir(struct vss_ctx *ctx, const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int err = 0;

	if (fd < 0 || fsync(fd) < 0)
		err = errno;
	if (fd >= 0)
		close(fd);
	return err ? vss_fail(ctx, err, "%s: cannot sync: %s", dir, strerror(err)) : 0;
}

/* Creates the parent directory of PATH if it is a subdirectory of the state
 * directory; the state directory itself must exist, so that a typo in its
 * name is noticed, not populated. */
static int make_parent(struct vss_ctx *ctx, const char *path, char *dir, size_t len)
{
	char copy[4200];

	snprintf(copy, sizeof(copy), "%s", path);
	snprintf(dir, len, "%s", dirname(copy));
	if (strcmp(dir, ctx->state_dir) && mkdir(dir, 0700) < 0 && errno != EEXIST)
		return vss_fail(ctx, errno, "%s: %s", dir, strerror(errno));
	return 0;
}

int vss_state_write(struct vss_ctx *ctx, const char *rel, const char *data, size_t len)
{
	char path[4200], tmp[4300], dir[4200];
	int fd, r, err;

	if ((r = path_of(ctx, rel, path, sizeof(path))) ||
	    (r = make_parent(ctx, path, dir, sizeof(dir))))
		return r;
	snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return vss_fail(ctx, errno, "%s: %s", tmp, strerror(errno));
	while (len > 0) {
		ssize_t w = write(fd, data, len);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		data += w;
		len -= (size_t)w;
	}
	if (fsync(fd) < 0)
		goto fail;
	if (close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) < 0)
		goto fail;
	return fsync_dir(ctx, dir);
fail:
	err = errno;
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return vss_fail(ctx, err, "%s: cannot write: %s", path, strerror(err));
}

int vss_state_unlink(struct vss_ctx *ctx, const char *rel)
{
	char path[4200], copy[4200];
	int r;

	if ((r = path_of(ctx, rel, path, sizeof(path))))
		return r;
	if (unlink(path) < 0)
		return vss_fail(ctx, errno, "%s: %s", path, strerror(errno));
	snprintf(copy, sizeof(copy), "%s", path);
	return fsync_dir(ctx, dirname(copy));
}

int vss_state_read(struct vss_ctx *ctx, const char *rel, ini_handler fn, void *data)
{
	char path[4200];
	FILE *f;
	int r;

	if ((r = path_of(ctx, rel, path, sizeof(path))))
		return r;
	f = fopen(path, "re");
	if (!f)
		return vss_fail(ctx, errno, "%s: %s", path, strerror(errno));
	r = ini_parse_file(f, fn, data);
	fclose(f);
	if (r != 0)
		return vss_fail(ctx, EBADMSG, "%s:%d: damaged state file", path, r);
	return 0;
}

int vss_state_list(struct vss_ctx *ctx, const char *sub, const char *suffix,
		   char ***namesp, size_t *np)
{
	char path[4200];
	size_t slen = strlen(suffix), n = 0;
	char **names = NULL;
	struct dirent *de;
	DIR *d;
	int r;

	*namesp = NULL;
	*np = 0;
	if ((r = path_of(ctx, sub, path, sizeof(path))))
		return r;
	d = opendir(path);
	if (!d)
		return errno == ENOENT ? 0 : vss_fail(ctx, errno, "%s: %s", path, strerror(errno));
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);

		if (de->d_name[0] == '.' || len <= slen || strcmp(de->d_name + len - slen, suffix))
			continue;
		if (vss_strv_pushn(&names, &n, de->d_name, len - slen)) {
			closedir(d);
			vss_strv_free(names, n);
			return vss_fail(ctx, ENOMEM, "out of memory");
		}
	}
	closedir(d);
	vss_strv_sort(names, n);
	*namesp = names;
	*np = n;
	return 0;
}
