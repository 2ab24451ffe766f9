/*
 * The window marker: RUN_DIR/window names the origins a create-set is about
 * to suspend, for as long as they may be suspended. It lives under /run, not
 * in the state directory, because the state directory may be on one of those
 * very origins: after a SIGKILL inside the window, reading it would block on
 * the frozen filesystem, while the marker tells recovery what to resume
 * first. A reboot ends every suspension, and /run with it.
 */
#include "config.h"
#include "dm.h"
#include "owner.h"
#include "trust.h"
#include "window.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The marker, opened to be read (as trust.c allows): NULL when there is
 * none, or (with the message set, *ERR -errno) when it is not to be trusted. */
static FILE *open_marker(struct vss_ctx *ctx, int *err)
{
	FILE *f;
	int fd;

	*err = 0;
	if ((*err = vss_run_fd(ctx)) < 0)
		return NULL;
	*err = trust_file_open(ctx, ctx->run_fd, ctx->run_dir, "window", O_RDONLY, 0, &fd);
	if (*err == -ENOENT)
		*err = 0;
	if (fd < 0)
		return NULL;
	if (!(f = fdopen(fd, "r"))) {
		close(fd);
		*err = vss_fail(ctx, ENOMEM, "out of memory");
	}
	return f;
}

int window_mark(struct vss_ctx *ctx, char **volumes, char **uuids, size_t n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int r;

	if ((r = vss_run_fd(ctx)) < 0)
		return r;
	if (!(f = open_memstream(&buf, &len)))
		return vss_fail(ctx, ENOMEM, "out of memory");
	fprintf(f, "%ld %llu\n", (long)getpid(), set_proc_start(getpid()));
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s %s\n", volumes[i], uuids[i][0] ? uuids[i] : "-");
	if (fclose(f)) {
		free(buf);
		return vss_fail(ctx, ENOMEM, "out of memory");
	}
	/* A new file renamed into place: a link planted as "window" is
	 * replaced, never written through. */
	r = trust_file_replace(ctx, ctx->run_fd, ctx->run_dir, "window", buf, len, 0600);
	free(buf);
	return r;
}

bool window_names(struct vss_ctx *ctx, const char *volume)
{
	char line[512];
	bool found = false;
	FILE *f;
	int err;

	if (!(f = open_marker(ctx, &err)))
		return false;
	/* The first line is the owner; then "VOLUME UUID" a line. */
	if (fgets(line, sizeof(line), f))
		while (!found && fgets(line, sizeof(line), f)) {
			size_t n = strcspn(line, " \n");

			found = n == strlen(volume) && !strncmp(line, volume, n);
		}
	fclose(f);
	return found;
}

void window_clear(struct vss_ctx *ctx)
{
	if (ctx->run_fd >= 0)
		unlinkat(ctx->run_fd, "window", 0);
}

int window_recover(struct vss_ctx *ctx, int *fixed, window_keep_fn *keep)
{
	char line[512];
	unsigned long long start = 0;
	long pid = 0;
	int r = 0;
	FILE *f;

	if (!(f = open_marker(ctx, &r)))
		return r;
	if (!fgets(line, sizeof(line), f) || sscanf(line, "%ld %llu", &pid, &start) != 2)
		pid = 0;
	/* Recovery runs under the lock, so a live owner can only be us. */
	if (pid && pid != (long)getpid() && set_owner_alive(pid, start, "")) {
		fclose(f);
		return 0;
	}
	while (fgets(line, sizeof(line), f)) {
		struct vss_dm_info info;
		char *uuid;

		line[strcspn(line, "\n")] = '\0';
		if (!(uuid = strchr(line, ' ')))
			continue;
		*uuid++ = '\0';
		if (vss_dm_info(ctx, line, &info) || !info.exists || !info.suspended)
			continue;
		/* Only the very device we suspended, not another of its name. */
		if (strcmp(uuid, info.uuid[0] ? info.uuid : "-")) {
			vss_log(ctx, VSS_LEVEL_WARNING, "%s: suspended, but not the device vss suspended "
				"(uuid %s): left alone", line, info.uuid);
			continue;
		}
		/* The table a create loaded is not made live: that create is
		 * undone from its journal next. Unless what the live one sits
		 * on was already changed under it. */
		if ((info.inactive_table && !(keep && keep(ctx, line)) &&
		     (r = vss_dm_clear(ctx, line))) ||
		    (r = vss_dm_resume(ctx, line)))
			break;
		vss_step(ctx, "%s: resumed (a vss process was killed while it was suspended)", line);
		(*fixed)++;
	}
	fclose(f);
	if (r == 0)
		window_clear(ctx);
	return r;
}
