/*
 * Which writers there are (the configuration's, and the hooks now in
 * hook_dir), whether a program may be run as root, and which writers join
 * a set.
 */
#include "config.h"
#include "strv.h"
#include "writer.h"

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void conf_free(struct writer_conf *c)
{
	free(c->name);
	if (c->argv)
		for (char **a = c->argv; *a; a++)
			free(*a);
	free(c->argv);
	for (size_t i = 0; i < c->nvolumes; i++)
		free(c->volumes[i]);
	free(c->volumes);
}

void writer_confs_free(struct writer_confs *c)
{
	for (size_t i = 0; i < c->n; i++)
		conf_free(&c->w[i]);
	free(c->w);
	c->w = NULL;
	c->n = 0;
}

static char **argv_dup(char *const *argv)
{
	size_t n = 0;
	char **v;

	while (argv && argv[n])
		n++;
	if (!(v = calloc(n + 1, sizeof(*v))))
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (!(v[i] = strdup(argv[i]))) {
			while (i--)
				free(v[i]);
			free(v);
			return NULL;
		}
	return v;
}

int writer_conf_copy(struct writer_conf *c, const struct vss_writer_def *d)
{
	memset(c, 0, sizeof(*c));
	c->type = d->type;
	c->timeout_ms = d->timeout_ms ? d->timeout_ms : VSS_DEFAULT_WRITER_TIMEOUT_MS;
	c->retries = d->retries;
	c->enabled = d->enabled;
	if (!(c->name = strdup(d->name)) || !(c->argv = argv_dup(d->argv)))
		return -ENOMEM;
	if (d->nvolumes && !(c->volumes = calloc(d->nvolumes, sizeof(*c->volumes))))
		return -ENOMEM;
	for (size_t i = 0; i < d->nvolumes; i++, c->nvolumes++)
		if (!(c->volumes[i] = strdup(d->volumes[i])))
			return -ENOMEM;
	return 0;
}

static void writers_release(struct vss_ctx *ctx)
{
	if (ctx->writers) {
		writer_confs_free(ctx->writers);
		free(ctx->writers);
		ctx->writers = NULL;
	}
}

int vss_writers_configure(struct vss_ctx *ctx, const struct vss_writer_def *defs, size_t n,
			  const char *hook_dir, unsigned hook_timeout_ms)
{
	struct writer_confs *c = calloc(1, sizeof(*c));

	if (!c || (n && !(c->w = calloc(n, sizeof(*c->w))))) {
		free(c);
		return vss_fail(ctx, ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < n; i++) {
		if (!defs[i].argv || !defs[i].argv[0] || defs[i].argv[0][0] != '/') {
			writer_confs_free(c);
			free(c);
			return vss_fail_kind(ctx, VSS_ERR_USAGE, EINVAL,
					     "writer %s: its command must be an absolute path", defs[i].name);
		}
		c->n++;
		if (writer_conf_copy(&c->w[i], &defs[i])) {
			writer_confs_free(c);
			free(c);
			return vss_fail(ctx, ENOMEM, "out of memory");
		}
	}
	snprintf(c->hook_dir, sizeof(c->hook_dir), "%s", hook_dir ? hook_dir : "");
	c->hook_timeout_ms = hook_timeout_ms ? hook_timeout_ms : VSS_DEFAULT_WRITER_TIMEOUT_MS;
	writers_release(ctx);
	ctx->writers = c;
	vss_ctx_on_free(ctx, VSS_CLEANUP_WRITERS, writers_release);
	return 0;
}

/* What package managers leave beside a file they update: never a hook. */
bool vss_hook_name_skipped(const char *name)
{
	static const char *const globs[] = {
		"*.dpkg-*", "*.rpmnew", "*.rpmsave", "*.rpmorig", "*~", ".*", NULL,
	};

	for (const char *const *g = globs; *g; g++)
		if (!fnmatch(*g, name, 0))
			return true;
	return false;
}

static int add_hooks(struct vss_ctx *ctx, struct writer_confs *all, const struct writer_confs *c,
		     size_t room)
{
	char **names = NULL;
	size_t nn = 0;
	struct dirent *e;
	DIR *d;
	int r = 0;

	if (!c->hook_dir[0])
		return 0;
	if (!(d = opendir(c->hook_dir))) {
		/* No directory, no hooks: as qemu-ga's fsfreeze-hook. */
		if (errno == ENOENT)
			return 0;
		return vss_fail(ctx, errno, "hook_dir %s: %s", c->hook_dir, strerror(errno));
	}
	while ((e = readdir(d)))
		if (!vss_hook_name_skipped(e->d_name) && (r = vss_strv_push(&names, &nn, e->d_name)))
			break;
	closedir(d);
	if (r)
		return vss_fail(ctx, -r, "out of memory");
	vss_strv_sort(names, nn);
	/* Entries made since they were counted wait for the next set. */
	for (size_t i = 0; i < nn && !r && all->n < room; i++) {
		char path[PATH_MAX], name[sizeof(((struct dirent *)0)->d_name) + 8];
		struct stat st;
		struct writer_conf *w;
		char *argv[2] = { path, NULL };

		if ((size_t)snprintf(path, sizeof(path), "%s/%s", c->hook_dir, names[i]) >= sizeof(path))
			continue;
		/* As qemu-ga: only executables are hooks (a README is not). */
		if (stat(path, &st) < 0 || !S_ISREG(st.st_mode) || !(st.st_mode & 0111))
			continue;
		snprintf(name, sizeof(name), "hook:%s", names[i]);
		w = &all->w[all->n];
		memset(w, 0, sizeof(*w));
		w->type = VSS_WRITER_EXEC;
		w->timeout_ms = c->hook_timeout_ms;
		w->enabled = true;
		w->hook = true;
		all->n++;
		if (!(w->name = strdup(name)) || !(w->argv = argv_dup(argv)))
			r = vss_fail(ctx, ENOMEM, "out of memory");
	}
	vss_strv_free(names, nn);
	return r;
}

int writer_confs_current(struct vss_ctx *ctx, struct writer_confs *all)
{
	const struct writer_confs *c = ctx->writers;
	size_t room;
	DIR *d;
	int r;

	memset(all, 0, sizeof(*all));
	if (!c)
		return 0;
	room = c->n;
	/* Room for every entry of hook_dir, counted first. */
	if (c->hook_dir[0] && (d = opendir(c->hook_dir))) {
		while (readdir(d))
			room++;
		closedir(d);
	}
	if (room && !(all->w = calloc(room, sizeof(*all->w))))
		return vss_fail(ctx, ENOMEM, "out of memory");
	for (size_t i = 0; i < c->n; i++) {
		struct vss_writer_def def = {
			.name = c->w[i].name, .type = c->w[i].type, .argv = c->w[i].argv,
			.volumes = c->w[i].volumes, .nvolumes = c->w[i].nvolumes,
			.timeout_ms = c->w[i].timeout_ms, .retries = c->w[i].retries,
			.enabled = c->w[i].enabled,
		};

		all->n++;
		if (writer_conf_copy(&all->w[i], &def)) {
			writer_confs_free(all);
			return vss_fail(ctx, ENOMEM, "out of memory");
		}
	}
	if ((r = add_hooks(ctx, all, c, room)))
		writer_confs_free(all);
	return r;
}

static int check_dirs(const char *real, char *why, size_t len)
{
	char dir[PATH_MAX];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", real);
	while ((slash = strrchr(dir, '/'))) {
		struct stat st;

		if (slash == dir)
			slash[1] = '\0';
		else
			*slash = '\0';
		if (stat(dir, &st) < 0) {
			snprintf(why, len, "%s: %s", dir, strerror(errno));
			return -errno;
		}
		if (st.st_uid != 0 && st.st_uid != geteuid()) {
			snprintf(why, len, "its directory %s is owned by uid %u, not root", dir,
				 (unsigned)st.st_uid);
			return -EPERM;
		}
		/* A sticky directory (/tmp) lets no one else replace our file. */
		if ((st.st_mode & (S_IWGRP | S_IWOTH)) && !(st.st_mode & S_ISVTX)) {
			snprintf(why, len, "its directory %s is writable by %s", dir,
				 st.st_mode & S_IWOTH ? "everyone" : "its group");
			return -EPERM;
		}
		if (!strcmp(dir, "/"))
			break;
	}
	return 0;
}

int vss_program_check(const char *path, char *why, size_t len)
{
	char real[PATH_MAX];
	struct stat st;

	if (path[0] != '/') {
		snprintf(why, len, "not an absolute path");
		return -EINVAL;
	}
	if (!realpath(path, real) || stat(real, &st) < 0) {
		int e = errno;

		snprintf(why, len, "%s", e == ENOENT ? "no such file" : strerror(e));
		return -e;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(why, len, "not a regular file");
		return -EINVAL;
	}
	if (!(st.st_mode & 0111)) {
		snprintf(why, len, "not executable");
		return -EACCES;
	}
	/* Hooks run as root: whoever can change one is root. */
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		snprintf(why, len, "owned by uid %u, not root", (unsigned)st.st_uid);
		return -EPERM;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		snprintf(why, len, "writable by %s", st.st_mode & S_IWOTH ? "everyone" : "its group");
		return -EPERM;
	}
	/* The directories of the path as written too: a symlink in one that
	 * others can write could be pointed elsewhere between check and run. */
	if (strcmp(real, path) && check_dirs(path, why, len))
		return -EPERM;
	return check_dirs(real, why, len);
}

const char *vss_writer_type_name(enum vss_writer_type t)
{
	return t == VSS_WRITER_COPROCESS ? "coprocess" : "exec";
}

const char *vss_writer_state_name(enum vss_writer_state s)
{
	static const char *const names[] = {
		[VSS_WRITER_STABLE] = "stable",
		[VSS_WRITER_WAITING_FOR_FREEZE] = "waiting-for-freeze",
		[VSS_WRITER_FROZEN] = "frozen",
		[VSS_WRITER_WAITING_FOR_THAW] = "waiting-for-thaw",
		[VSS_WRITER_WAITING_FOR_POST_SNAPSHOT] = "waiting-for-post-snapshot",
		[VSS_WRITER_WAITING_FOR_BACKUP_COMPLETE] = "waiting-for-backup-complete",
		[VSS_WRITER_FAILED] = "failed",
	};

	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}
