/* State files: written whole or not at all, read back, listed, removed. */
#include "config.h"
#include "engine/state.h"
#include "engine/strv.h"
#include "tap.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static int grab(void *data, const char *section, const char *key, const char *value)
{
	char *out = data;

	snprintf(out + strlen(out), 256 - strlen(out), "[%s]%s=%s;", section, key, value);
	return 1;
}

static int slurp(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return -1;
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
	return 0;
}

int main(void)
{
	char dir[] = "/tmp/vss-test-state.XXXXXX", path[512], buf[256] = "", want[600];
	struct vss_options opts = { 0 };
	struct vss_ctx *ctx, *bad;
	struct stat st;
	char **names;
	size_t n;

	if (!mkdtemp(dir))
		return 99;
	opts.state_dir = dir;
	ok(vss_ctx_new(&ctx, &opts) == 0, "a context is made");
	ok(vss_state_check(ctx) == 0, "an existing state directory passes the check");

	snprintf(path, sizeof(path), "%s/missing", dir);
	opts.state_dir = path;
	vss_ctx_new(&bad, &opts);
	ok(vss_state_check(bad) == -ENOENT, "a missing state directory fails with ENOENT");
	snprintf(want, sizeof(want), "state directory %s: No such file or directory", path);
	is_str(vss_errmsg(bad), want, "and says which directory and why");
	ok(vss_state_write(bad, "x.conf", "x", 1) == -ENOENT, "a record is not written there");
	ok(vss_state_write(bad, "volumes/x.conf", "x", 1) == -ENOENT, "nor one in a subdirectory");
	ok(access(path, F_OK) < 0, "and the state directory is not created");
	buf[0] = '\0';
	vss_ctx_free(bad);

	ok(vss_state_write(ctx, "volumes/a.conf", "[volume]\nname = a\n", 19) == 0,
	   "a record is written, its directory made");
	snprintf(path, sizeof(path), "%s/volumes/a.conf", dir);
	ok(slurp(path, buf, sizeof(buf)) == 0 && !strcmp(buf, "[volume]\nname = a\n"),
	   "the file holds exactly what was written");
	ok(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600, "it is private (0600)");
	ok(vss_state_write(ctx, "volumes/a.conf", "[volume]\nname = A\n", 19) == 0,
	   "it is replaced");
	buf[0] = '\0';
	ok(vss_state_read(ctx, "volumes/a.conf", grab, buf) == 0, "it is read back with inih");
	is_str(buf, "[volume]name=A;", "with the new contents");
	vss_state_write(ctx, "volumes/b.conf", "[volume]\n", 9);
	snprintf(path, sizeof(path), "%s/volumes/c.conf.tmp.1", dir);
	fclose(fopen(path, "w"));
	snprintf(path, sizeof(path), "%s/volumes/.d.conf", dir);
	fclose(fopen(path, "w"));
	ok(vss_state_list(ctx, "volumes", ".conf", &names, &n) == 0 && n == 2,
	   "listing finds the two records, not the temp file or the dot file");
	ok(n == 2 && !strcmp(names[0], "a") && !strcmp(names[1], "b"), "sorted, without suffix");
	vss_strv_free(names, n);
	ok(vss_state_list(ctx, "sets", ".conf", &names, &n) == 0 && n == 0,
	   "a subdirectory not made yet lists as empty");
	ok(vss_state_unlink(ctx, "volumes/a.conf") == 0, "a record is removed");
	snprintf(path, sizeof(path), "%s/volumes/a.conf", dir);
	ok(access(path, F_OK) < 0, "and is gone");
	ok(vss_state_unlink(ctx, "volumes/a.conf") == -ENOENT, "removing it again is ENOENT");
	buf[0] = '\0';
	ok(vss_state_read(ctx, "volumes/a.conf", grab, buf) == -ENOENT, "reading it is ENOENT");
	snprintf(path, sizeof(path), "%s/volumes/bad.conf", dir);
	{
		FILE *f = fopen(path, "w");

		fputs("[volume]\nname = x\nthis is not ini\n", f);
		fclose(f);
	}
	ok(vss_state_read(ctx, "volumes/bad.conf", grab, buf) == -EBADMSG, "a damaged file is EBADMSG");
	ok(strstr(vss_errmsg(ctx), "bad.conf:3: damaged state file") != NULL,
	   "naming its line (%s)", vss_errmsg(ctx));
	vss_ctx_free(ctx);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	if (system(path))
		return 99;
	return done_testing();
}
