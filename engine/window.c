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
#include "set.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void path_of(struct vss_ctx *ctx, char *buf, size_t len)
{
	snprintf(buf, len, "%s/window", ctx->run_dir);
}

int window_mark(struct vss_ctx *ctx, char **volumes, char **uuids, size_t n)
{
	char path[4200];
	FILE *f;
	int err = 0;

	path_of(ctx, path, sizeof(path));
	f = fopen(path, "we");
	if (!f)
		return vss_fail(ctx, errno, "%s: %s", path, strerror(errno));
	fprintf(f, "%ld %llu\n", (long)getpid(), set_proc_start(getpid()));
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s %s\n", volumes[i], uuids[i][0] ? uuids[i] : "-");
	if (fflush(f) || ferror(f))
		err = errno ? errno : EIO;
	if (fclose(f) && !err)
		err = errno;
	if (err) {
		unlink(path);
		return vss_fail(ctx, err, "%s: %s", path, strerror(err));
	}
	return 0;
}

bool window_names(struct vss_ctx *ctx, const char *volume)
{
	char path[4200], line[512];
	bool found = false;
	FILE *f;

	path_of(ctx, path, sizeof(path));
	if (!(f = fopen(path, "re")))
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
	char path[4200];

	path_of(ctx, path, sizeof(path));
	unlink(path);
}

int window_recover(struct vss_ctx *ctx, int *fixed)
{
	char path[4200], line[512];
	unsigned long long start = 0;
	long pid = 0;
	int r = 0;
	FILE *f;

	path_of(ctx, path, sizeof(path));
	f = fopen(path, "re");
	if (!f)
		return 0;
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
		 * undone from its journal next. */
		if ((info.inactive_table && (r = vss_dm_clear(ctx, line))) ||
		    (r = vss_dm_resume(ctx, line)))
			break;
		vss_step(ctx, "%s: resumed (a vss process was killed while it was suspended)", line);
		(*fixed)++;
	}
	fclose(f);
	if (r == 0)
		unlink(path);
	return r;
}
