/* State files: written whole or not at all, read back, listed, removed. */
#include "config.h"
#include "engine/base/state.h"
#include "engine/base/strv.h"
#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static int grab(void *data, const char *section, const char *key, const char *value)
{
	char *out = data;

	snprintf(out + strlen(out), 256 - strlen(out), "[%s]%s=%s;", section, key, value);
	return 1;
}

static int slurp(const char *path, char *buf, size_t len);

/* Every value it is handed, one per line as "section|key|value". */
static int grab_big(void *data, const char *section, const char *key, const char *value)
{
	char *out = data;

	snprintf(out + strlen(out), 4096 - strlen(out), "%s|%s|%s\n", section, key, value);
	return 1;
}

/* Values inih alone would mangle: longer than its 200-byte lines, with " ;"
 * (its inline comment), '%', spaces at the ends, a space at every cut. */
static void long_values(struct vss_ctx *ctx, const char *dir)
{
	char value[700], in[2000], want[2000], got[4096] = "", path[512], file[4096];
	size_t len = 0;

	for (size_t i = 0; i < sizeof(value) - 1; i++)
		value[i] = "ab c;d%e/ "[i % 10];
	value[sizeof(value) - 1] = '\0';
	value[0] = ' ';
	len = (size_t)snprintf(in, sizeof(in), "[set]\nid = x\n[shadow 0]\ncow_file = %s\n"
			       "target = 0 8 linear 7:0 0\ntarget = 8 8 zero\n", value);
	snprintf(want, sizeof(want), "set|id|x\nshadow 0|cow_file|%s\nshadow 0|target|0 8 linear 7:0 0\n"
		 "shadow 0|target|8 8 zero\n", value);
	ok(vss_state_write(ctx, "sets/long.conf", in, len) == 0, "a 700-byte value is written");
	ok(vss_state_read(ctx, "sets/long.conf", grab_big, got) == 0, "and read back");
	is_str(got, want, "whole, unchanged, and repeated keys stay apart");
	snprintf(path, sizeof(path), "%s/sets/long.conf", dir);
	file[0] = '\0';
	slurp(path, file, sizeof(file));
	{
		size_t longest = 0, cur = 0;

		for (const char *p = file; *p; p++, cur++)
			if (*p == '\n') {
				longest = cur > longest ? cur : longest;
				cur = (size_t)-1;
			}
		ok(longest < 200, "no line of the file reaches inih's 200 bytes (%zu)", longest);
	}
	ok(strstr(file, "cow_file+ = ") && !strstr(file, " ;"), "it is cut into key+ lines, ';' escaped");

	/* Every length up to three lines' worth, of characters inih minds,
	 * spaces most of all (at any cut, at either end, in long runs). */
	{
		int bad = 0;

		srand(7);
		for (size_t n = 0; n < 480 && !bad; n += 7) {
			char v[500], data[700], back[4096] = "", expect[700];

			for (size_t i = 0; i < n; i++)
				v[i] = " ;%a\t "[rand() % 6];
			v[n] = '\0';
			len = (size_t)snprintf(data, sizeof(data), "[x]\nk = %s\n", v);
			snprintf(expect, sizeof(expect), "x|k|%s\n", v);
			if (vss_state_write(ctx, "sets/rt.conf", data, len) ||
			    vss_state_read(ctx, "sets/rt.conf", grab_big, back) || strcmp(back, expect))
				bad = (int)n + 1;
		}
		ok(!bad, "values of every length round-trip (first failure at length %d)", bad - 1);
	}
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

	umask(022);
	snprintf(path, sizeof(path), "%s/missing/state", dir);
	opts.state_dir = path;
	vss_ctx_new(&bad, &opts);
	ok(vss_state_write(bad, "x.conf", "x", 1) == -ENOENT,
	   "no record is written before the state directory is made");
	ok(vss_state_write(bad, "volumes/x.conf", "x", 1) == -ENOENT, "nor one in a subdirectory");
	ok(access(path, F_OK) < 0, "and writing a record does not make it");
	ok(vss_state_check(bad) == 0, "a missing state directory is made on first use");
	ok(stat(path, &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 07777) == 0700,
	   "mode 0700");
	snprintf(want, sizeof(want), "%s/missing", dir);
	ok(stat(want, &st) == 0 && (st.st_mode & 07777) == 0755, "its missing parent 0755");
	ok(vss_state_check(bad) == 0, "and the check passes again, changing nothing");
	vss_ctx_free(bad);
	rmdir(path);
	rmdir(want);

	snprintf(path, sizeof(path), "%s/slash/", dir);
	opts.state_dir = path;
	vss_ctx_new(&bad, &opts);
	ok(vss_state_check(bad) == 0 && stat(path, &st) == 0 && (st.st_mode & 07777) == 0700,
	   "a state directory named with a trailing slash is made 0700 too");
	vss_ctx_free(bad);
	rmdir(path);

	snprintf(path, sizeof(path), "%s/file/state", dir);
	snprintf(want, sizeof(want), "%s/file", dir);
	close(open(want, O_CREAT | O_WRONLY, 0600));
	opts.state_dir = path;
	vss_ctx_new(&bad, &opts);
	ok(vss_state_check(bad) == -ENOTDIR, "a parent that is a file: ENOTDIR");
	snprintf(want, sizeof(want), "state directory %s: %s/file: not a directory (a regular file)",
		 path, dir);
	is_str(vss_errmsg(bad), want, "and says which directory and why");
	snprintf(want, sizeof(want), "%s/file", dir);
	unlink(want);
	buf[0] = '\0';
	vss_ctx_free(bad);

	ok(vss_state_write(ctx, "volumes/a.conf", "[volume]\nname = a\n", 18) == 0,
	   "a record is written, its directory made");
	snprintf(path, sizeof(path), "%s/volumes/a.conf", dir);
	ok(slurp(path, buf, sizeof(buf)) == 0 && !strcmp(buf, "[volume]\nname = a\n"),
	   "the file holds exactly what was written");
	ok(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600, "it is private (0600)");
	ok(vss_state_write(ctx, "volumes/a.conf", "[volume]\nname = A\n", 18) == 0,
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
	long_values(ctx, dir);
	vss_ctx_free(ctx);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	if (system(path))
		return 99;
	return done_testing();
}
