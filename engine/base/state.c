/*
 * State files. A crash at any instant leaves either the old file or the new
 * one, never a torn one: write a temp file beside it, fsync it, rename it
 * over, fsync the directory so the rename itself survives power loss.
 *
 * inih, as Debian builds it, reads lines of up to 200 bytes, ends a value at
 * " ;" and trims its ends; a path or a table can be longer, or hold those.
 * So values are escaped (%XX for '%', ';', control characters and spaces at
 * either end) and a long one is cut into "key = part" and "key+ = part"
 * lines, rejoined and unescaped on reading, unseen by the callers.
 */
#include "config.h"
#include "state.h"
#include "strv.h"
#include "trust.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The directory REL is in (the state directory or one below it, made
 * 0700 when MAKE), its path for messages, and REL's last name. *FD is
 * closed with put_dir. */
static int get_dir(struct vss_ctx *ctx, const char *rel, bool make, int *fd, char *dirpath,
		   size_t len, const char **base)
{
	const char *slash = strrchr(rel, '/');
	char sub[256];
	int top, r;

	if ((top = vss_state_fd(ctx)) < 0)
		return top;
	*base = slash ? slash + 1 : rel;
	if (!slash || !**base || strchr(rel, '/') != slash || (size_t)(slash - rel) >= sizeof(sub))
		return slash ? vss_fail(ctx, EINVAL, "%s/%s: not a state file", ctx->state_dir, rel) :
			       (snprintf(dirpath, len, "%s", ctx->state_dir), *fd = top, 0);
	memcpy(sub, rel, (size_t)(slash - rel));
	sub[slash - rel] = '\0';
	snprintf(dirpath, len, "%s/%s", ctx->state_dir, sub);
	if ((r = trust_subdir(ctx, top, ctx->state_dir, sub, make ? 0700 : 0, fd)))
		return r;
	return 0;
}

static void put_dir(struct vss_ctx *ctx, int fd)
{
	if (fd >= 0 && fd != ctx->state_fd)
		close(fd);
}

enum { PART_MAX = 150 };  /* of a value, per line: well below inih's 200 */

static bool needs_escape(unsigned char c)
{
	return c == '%' || c == ';' || c < 0x20 || c == 0x7f;
}

/* Writes one line of a cut value; a space ending it is escaped, as inih
 * would trim it. */
static void put_part(FILE *out, const char *key, size_t klen, bool first, char *part, size_t len)
{
	if (len && part[len - 1] == ' ')
		len += (size_t)sprintf(part + len - 1, "%%20") - 1;
	fprintf(out, "%.*s%s = %.*s\n", (int)klen, key, first ? "" : "+", (int)len, part);
}

/* Appends VALUE escaped to OUT, cut into lines as KEY and KEY+ take it. A
 * space that would begin or end a line is escaped too: inih trims those. */
static void put_value(FILE *out, const char *key, size_t klen, const char *v, size_t n)
{
	char part[PART_MAX + 8];
	size_t len = 0;
	bool first = true;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];

		if (needs_escape(c) || (c == ' ' && len == 0))
			len += (size_t)sprintf(part + len, "%%%02X", c);
		else
			part[len++] = (char)c;
		if (len >= PART_MAX - 3 && i + 1 < n) {
			put_part(out, key, klen, first, part, len);
			first = false;
			len = 0;
		}
	}
	put_part(out, key, klen, first, part, len);
}

/* DATA as it is stored: every "key = value" line's value escaped and cut. */
static int encode(const char *data, size_t len, char **out, size_t *outlen)
{
	FILE *f = open_memstream(out, outlen);
	int r = 0;

	if (!f)
		return -ENOMEM;
	while (len > 0 && !r) {
		const char *nl = memchr(data, '\n', len), *eq;
		size_t ll = nl ? (size_t)(nl - data) : len;

		eq = memmem(data, ll, " = ", 3);
		if (data[0] != '[' && eq)
			put_value(f, data, (size_t)(eq - data), eq + 3, ll - (size_t)(eq - data) - 3);
		else
			fprintf(f, "%.*s\n", (int)ll, data);
		data += ll + (nl ? 1 : 0);
		len -= ll + (nl ? 1 : 0);
	}
	if (ferror(f))
		r = -ENOMEM;
	if (fclose(f) != 0 && !r)
		r = -ENOMEM;
	if (r) {
		free(*out);
		*out = NULL;
	}
	return r;
}

int vss_state_write(struct vss_ctx *ctx, const char *rel, const char *plain, size_t plainlen)
{
	char dirpath[4400], *enc = NULL;
	const char *base;
	size_t len;
	int fd, r;

	if ((r = get_dir(ctx, rel, true, &fd, dirpath, sizeof(dirpath), &base)))
		return r;
	if ((r = encode(plain, plainlen, &enc, &len))) {
		put_dir(ctx, fd);
		return vss_fail(ctx, -r, "%s/%s: cannot write: %s", ctx->state_dir, rel, strerror(-r));
	}
	r = trust_file_replace(ctx, fd, dirpath, base, enc, len, 0600);
	free(enc);
	put_dir(ctx, fd);
	return r;
}

int vss_state_unlink(struct vss_ctx *ctx, const char *rel)
{
	char dirpath[4400];
	const char *base;
	int fd, r;

	if ((r = get_dir(ctx, rel, false, &fd, dirpath, sizeof(dirpath), &base)))
		return r;
	r = trust_unlink(ctx, fd, dirpath, base);
	put_dir(ctx, fd);
	return r;
}

/* The value being rejoined: handed on when a line of another key comes. */
struct reader {
	ini_handler fn;
	void *data;
	char section[256], key[128];
	char *value;
	size_t len;
	bool pending;
};

static int unescape(char *v)
{
	char *w = v;

	for (const char *s = v; *s; s++) {
		unsigned x;

		if (*s != '%') {
			*w++ = *s;
			continue;
		}
		if (!isxdigit((unsigned char)s[1]) || !isxdigit((unsigned char)s[2]) ||
		    sscanf(s + 1, "%2x", &x) != 1 || x == 0)
			return -1;
		*w++ = (char)x;
		s += 2;
	}
	*w = '\0';
	return 0;
}

static int flush(struct reader *rd)
{
	if (!rd->pending)
		return 1;
	rd->pending = false;
	if (unescape(rd->value))
		return 0;
	return rd->fn(rd->data, rd->section, rd->key, rd->value);
}

static int on_line(void *data, const char *section, const char *key, const char *value)
{
	struct reader *rd = data;
	size_t klen = strlen(key), vlen = strlen(value);
	char *grown;

	if (rd->pending && klen && key[klen - 1] == '+' && klen - 1 == strlen(rd->key) &&
	    !strncmp(key, rd->key, klen - 1) && !strcmp(section, rd->section)) {
		if (!(grown = realloc(rd->value, rd->len + vlen + 1)))
			return 0;
		rd->value = grown;
		memcpy(rd->value + rd->len, value, vlen + 1);
		rd->len += vlen;
		return 1;
	}
	if (!flush(rd) || strlen(section) >= sizeof(rd->section) || klen >= sizeof(rd->key) ||
	    (klen && key[klen - 1] == '+'))
		return 0;
	if (!(grown = realloc(rd->value, vlen + 1)))
		return 0;
	rd->value = grown;
	memcpy(rd->value, value, vlen + 1);
	rd->len = vlen;
	strcpy(rd->section, section);
	strcpy(rd->key, key);
	rd->pending = true;
	return 1;
}

int vss_state_read(struct vss_ctx *ctx, const char *rel, ini_handler fn, void *data)
{
	struct reader rd = { .fn = fn, .data = data };
	char dirpath[4400];
	const char *base;
	int dfd, fd, r;
	FILE *f;

	if ((r = get_dir(ctx, rel, false, &dfd, dirpath, sizeof(dirpath), &base)))
		return r;
	r = trust_file_open(ctx, dfd, dirpath, base, O_RDONLY, 0, &fd);
	put_dir(ctx, dfd);
	if (r)
		return r;
	if (!(f = fdopen(fd, "r"))) {
		close(fd);
		return vss_fail(ctx, ENOMEM, "out of memory");
	}
	r = ini_parse_file(f, on_line, &rd);
	fclose(f);
	if (r == 0 && !flush(&rd))
		r = -1;
	free(rd.value);
	if (r != 0)
		return r > 0 ? vss_fail(ctx, EBADMSG, "%s/%s:%d: damaged state file (at or before "
					"this line)", ctx->state_dir, rel, r) :
			       vss_fail(ctx, EBADMSG, "%s/%s: damaged state file (at its end)",
					ctx->state_dir, rel);
	return 0;
}

int vss_state_list(struct vss_ctx *ctx, const char *sub, const char *suffix,
		   char ***namesp, size_t *np)
{
	size_t slen = strlen(suffix), n = 0;
	char **names = NULL, path[4400];
	struct dirent *de;
	int top, fd, r;
	DIR *d;

	*namesp = NULL;
	*np = 0;
	if ((top = vss_state_fd(ctx)) < 0)
		return top;
	if ((r = trust_subdir(ctx, top, ctx->state_dir, sub, 0, &fd)))
		return r == -ENOENT ? 0 : r;
	snprintf(path, sizeof(path), "%s/%s", ctx->state_dir, sub);
	if (!(d = fdopendir(fd))) {
		close(fd);
		return vss_fail(ctx, errno, "%s: %s", path, strerror(errno));
	}
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

bool vss_state_value_ok(const char *v)
{
	size_t len = strlen(v);

	return len && !strpbrk(v, ";#\n\r\t\\\"'") && v[len - 1] != ' ';
}
